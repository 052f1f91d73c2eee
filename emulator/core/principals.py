"""Who a credential names, remembered per process while nothing it depends on changes.

Every vendor request authenticates. Resolving a credential means a transaction, a look-up or
three and, on a request that is not already in a worker thread, a thread hop of its own; the
answer changes only when the rows it was read from change. So each vendor backend keeps a
`PrincipalCache`:

- An entry is keyed by a digest of the credentials (no secret is kept in memory) and stamped
  with the control generation (`emulator.core.control_cache`) its request read. The tables a
  vendor's credentials are read from are watched like the control tables
  (`control_cache.watch_tables`): a committed change to any of them, in any worker process,
  gives every later request a new generation, under which no older entry is used.
- An entry may carry a limit in emulated time (a token's expiry, the end of the day a user's
  status was judged for), checked against the request's own clock.
- Only successful resolutions are kept: a wrong credential always pays the full check.
- With no control state read for the request (`--memory`, which has no request unit), nothing
  is cached and every request resolves afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import anyio

from emulator.core import control_cache
from emulator.core import unit as request_unit
from emulator.core.clock import Clock

P = TypeVar("P")
CACHE_SIZE = 4096


@dataclass(frozen=True)
class Resolved(Generic[P]):
    """A credential's principal, its tenant, and until when (emulated time) it holds."""

    principal: P
    tenant: str
    valid_until: datetime | None = None


class PrincipalCache(Generic[P]):
    def __init__(self, db: request_unit.Database, tables: tuple[str, ...],
                 size: int = CACHE_SIZE) -> None:
        """`tables`: every table a principal of this vendor is resolved from."""
        control_cache.watch_tables(*tables)
        self.db = db
        self.size = size
        self._entries: dict[bytes, tuple[int, Resolved[P]]] = {}

    async def resolve(self, credentials: tuple[str, ...],
                      load: Callable[[], Resolved[P]]) -> P:
        """The principal `credentials` name; `load` (run in a worker thread, raising the
        vendor's 401 for bad credentials) resolves it when no valid entry is kept."""
        state = self._control_state()
        key = hashlib.sha256("\0".join(credentials).encode("utf-8", "surrogatepass")).digest()
        if state is not None:
            kept = self._entries.get(key)
            if kept is not None and kept[0] == state.generation and _current(kept[1], state):
                return kept[1].principal
        resolved = await anyio.to_thread.run_sync(load)
        if state is not None:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[key] = (state.generation, resolved)
        return resolved.principal

    def _control_state(self) -> control_cache.ControlState | None:
        unit = request_unit.current()
        if unit is None or unit.db is not self.db:
            return None
        state = unit.memo.get(control_cache.MEMO)
        return state if isinstance(state, control_cache.ControlState) else None


def _current(resolved: Resolved[P], state: control_cache.ControlState) -> bool:
    if resolved.valid_until is None:
        return True
    return Clock.now_in(state, resolved.tenant) < resolved.valid_until
