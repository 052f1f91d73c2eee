"""The one emulator clock: every timestamp, token expiry and due date reads it.

State lives in the database (`core_clock`) so that several worker processes agree. The global
clock is the row with scope ""; a row whose scope is a tenant id overrides it for that tenant,
so parallel tests can each move their own tenant's time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from emulator.core import control_cache
from emulator.core.models import ClockState

GLOBAL = ""


def utcnow() -> datetime:
    """Real wall-clock time (journal timestamps and durations); emulated time is `Clock.now`."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes (SQLite returns them) are UTC by convention."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Clock:
    def now(self, session: Session, tenant: str | None = None) -> datetime:
        state = self._effective(session, tenant)
        return self._read(state)

    def describe(self, session: Session, tenant: str | None = None) -> dict[str, object]:
        state = self._effective(session, tenant)
        return {
            "now": iso(self._read(state)),
            "frozen": state is not None and state.frozen_at is not None,
            "offsetSeconds": 0.0 if state is None else state.offset_seconds,
            "scope": "global" if state is None or state.scope == GLOBAL else state.scope,
        }

    def change(
        self,
        session: Session,
        *,
        tenant: str | None = None,
        set_to: datetime | None = None,
        advance: timedelta | None = None,
        freeze: bool | None = None,
    ) -> None:
        """Set, advance, freeze or unfreeze one scope; the scope starts from what it sees now."""
        scope = tenant or GLOBAL
        state = session.get(ClockState, scope)
        if state is None:
            inherited = self._effective(session, tenant)
            state = ClockState(
                scope=scope,
                offset_seconds=inherited.offset_seconds if inherited else 0.0,
                frozen_at=inherited.frozen_at if inherited else None,
            )
        current = self._read(state)
        target = as_utc(set_to) if set_to is not None else current
        if advance is not None:
            target = target + advance
        running = state.frozen_at is None
        frozen = not running if freeze is None else freeze
        if frozen:
            state.frozen_at = target
            state.offset_seconds = 0.0
        elif running and set_to is None:
            # Advancing a running clock moves its offset by exactly what was asked ("P30D" is
            # 2,592,000 s), not by that less the microseconds since `current` was read.
            state.offset_seconds += advance.total_seconds() if advance is not None else 0.0
        else:
            state.frozen_at = None
            state.offset_seconds = (target - utcnow()).total_seconds()
        session.add(state)

    def restore(self, session: Session, tenant: str | None = None) -> None:
        """Back to real time (global), or drop a tenant's override."""
        state = session.get(ClockState, tenant or GLOBAL)
        if state is not None:
            session.delete(state)

    @classmethod
    def now_in(cls, state: control_cache.ControlState, tenant: str | None = None) -> datetime:
        """Emulated now for `tenant` from control state already read (no query)."""
        return cls._read(cls._scope(state, tenant))

    def _effective(self, session: Session, tenant: str | None) -> ClockState | None:
        session.flush()  # a change made earlier in this transaction counts
        return self._scope(control_cache.read(session.connection()), tenant)

    @staticmethod
    def _scope(state: control_cache.ControlState, tenant: str | None) -> ClockState | None:
        return state.clocks.get(tenant or GLOBAL) or state.clocks.get(GLOBAL)

    @staticmethod
    def _read(state: ClockState | None) -> datetime:
        if state is None:
            return utcnow()
        if state.frozen_at is not None:
            return as_utc(state.frozen_at)
        return utcnow() + timedelta(seconds=state.offset_seconds)


def iso(value: datetime, *, millis: bool = False) -> str:
    """UTC ISO 8601 with a `Z` suffix."""
    value = as_utc(value)
    if millis:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
