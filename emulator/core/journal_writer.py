"""Journal entries committed before their responses leave: at once, or by group commit.

Requests end their unit and hand their journal entry here; no request answers before its entry
is in the database (see `emulator.core.unit`).

- **At once**, on the event loop, when that cannot wait (SQLite, nothing queued, no other
  thread or process writing: `Database.core_transaction_now`). A one-row commit costs less
  than waking another thread and being woken by it, which is what a client sending one request
  after another would otherwise pay on every call.
- **Group commit** otherwise (PostgreSQL, or someone is writing): one writer thread commits
  whatever entries are waiting in one transaction, then releases each waiting response, so
  concurrent requests share one commit instead of queueing for one each. The thread stops after
  a second without work and starts again with the next entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

from emulator.core import journal
from emulator.core.db import Database

IDLE_SECONDS = 1.0
error_log = logging.getLogger("emulator.error")

_Waiting = tuple[dict[str, Any], asyncio.Future[None], asyncio.AbstractEventLoop]


class JournalWriter:
    def __init__(self, db: Database, keep: int) -> None:
        self.db = db
        self.keep = keep
        self._waiting: list[_Waiting] = []
        self._wake = threading.Condition()
        self._running = False

    async def write(self, entry: dict[str, Any]) -> None:
        """Return once `entry` is committed (raises what the commit raised)."""
        if not self._waiting and self._write_now(entry):
            return
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        with self._wake:
            self._waiting.append((entry, done, loop))
            if self._running:
                self._wake.notify()
            else:
                self._running = True
                threading.Thread(target=self._run, name="journal-writer", daemon=True).start()
        await done

    def _write_now(self, entry: dict[str, Any]) -> bool:
        with self.db.core_transaction_now() as conn:
            if conn is None:
                return False
            journal.record_many(conn, [entry], self.keep)
        return True

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._waiting:
                    self._wake.wait(IDLE_SECONDS)
                if not self._waiting:
                    self._running = False
                    return
                batch, self._waiting = self._waiting, []
            error: BaseException | None = None
            try:
                with self.db.core_transaction() as conn:
                    journal.record_many(conn, [e for e, _, _ in batch], self.keep)
            except Exception as exc:  # each waiting request logs it; the thread carries on
                error = exc
            for _, done, loop in batch:
                # RuntimeError: that request's event loop has closed meanwhile.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle, done, error)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
