"""Fault injection: vendor-shaped errors, latency, dropped connections, truncated bodies,
rate limits.

Faults live in the database so every worker process applies the same ones and counts firings
in one place. Probabilistic faults with a seed decide the k-th matching request from
(seed, k) alone, so a run can be reproduced.

A rate limit (`RateLimitEffect`) lets `limit` matching requests through per *fixed* window of
`per` seconds and answers the rest 429 with `Retry-After`. The window opens at the first
matching request and closes `per` seconds later by the emulator clock (the fault's tenant's
clock when it names a tenant, else the global clock), so a test frees it by moving the clock and
real time frees it too. Refused requests do not count. A clock moved back before the window's
start opens a new window (going back to real time after advancing never locks a client out).
Fixed rather than sliding: Retry-After is exact (the window's end), and one start time and one
count, kept in the fault's row, are the whole state, shared by every worker process. `times`,
`probability` and `seed` are refused with a rate limit: its every over-limit answer is the
point of the drill, and a window that fired at random would not be deterministic.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, select

from emulator.core.clock import Clock, as_utc, iso, utcnow
from emulator.core.models import Fault


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A rate-limit window lasts at most a year.
MAX_PER_SECONDS = 366 * 24 * 3600
LAST = datetime.max.replace(tzinfo=UTC)
# Where a rate-limit fault's row keeps its window: {"start": ISO 8601, "count": admitted}.
WINDOW = "window"


class ErrorEffect(_Strict):
    type: Literal["error"]
    status: int = Field(ge=400, le=599)
    message: str | None = None


class LatencyEffect(_Strict):
    type: Literal["latency"]
    ms: int | None = Field(default=None, ge=0, le=600_000)
    min_ms: int | None = Field(default=None, ge=0, le=600_000, alias="minMs")
    max_ms: int | None = Field(default=None, ge=0, le=600_000, alias="maxMs")

    @model_validator(mode="after")
    def _one_form(self) -> LatencyEffect:
        ranged = self.min_ms is not None and self.max_ms is not None
        if (self.ms is None) == (not ranged):
            raise ValueError("give either ms, or both minMs and maxMs")
        if ranged and self.min_ms > self.max_ms:  # type: ignore[operator]
            raise ValueError("minMs must not exceed maxMs")
        return self


class DropEffect(_Strict):
    type: Literal["drop"]


class TruncateEffect(_Strict):
    type: Literal["truncate"]


class RateLimitEffect(_Strict):
    type: Literal["rate_limit"]
    limit: int = Field(ge=1, le=1_000_000_000)
    per: int = Field(ge=1, le=MAX_PER_SECONDS, description="window length in seconds")


Effect = Annotated[ErrorEffect | LatencyEffect | DropEffect | TruncateEffect | RateLimitEffect,
                   Field(discriminator="type")]


class FaultSpec(_Strict):
    vendor: str | None = None
    tenant: str | None = None
    method: str | None = None
    # fnmatch pattern against the path below the vendor root (`/enrollment*`) or the full path.
    path: str | None = None
    effect: Effect
    times: int | None = Field(default=None, ge=1, description="apply to the next N matches")
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    seed: int | None = None

    @model_validator(mode="after")
    def _rate_limit_alone(self) -> FaultSpec:
        if isinstance(self.effect, RateLimitEffect):
            given = [name for name, value in (("times", self.times), ("seed", self.seed))
                     if value is not None]
            if self.probability != 1.0:
                given.append("probability")
            if given:
                raise ValueError(f"a rate_limit effect takes no {' or '.join(given)}: it "
                                 "answers 429 to every request over its limit")
        return self


def add(session: Session, spec: FaultSpec) -> Fault:
    fault = Fault(created_at=utcnow(), spec=spec.model_dump(mode="json", by_alias=True),
                  remaining=spec.times)
    session.add(fault)
    session.flush()
    return fault


def active(session: Session, vendor: str) -> list[tuple[Fault, FaultSpec]]:
    rows = session.exec(select(Fault).order_by(col(Fault.id))).all()
    out = []
    for fault in rows:
        if fault.remaining == 0:
            continue
        spec = FaultSpec.model_validate({k: v for k, v in fault.spec.items() if k != WINDOW})
        if spec.vendor in (None, vendor):
            out.append((fault, spec))
    return out


def matches(spec: FaultSpec, *, method: str, path: str, vendor_path: str,
            tenant: str | None) -> bool:
    if spec.method and spec.method.upper() != method:
        return False
    if spec.tenant and spec.tenant != tenant:
        return False
    return not spec.path or fnmatchcase(vendor_path, spec.path) or fnmatchcase(path, spec.path)


def fire(session: Session, fault: Fault, spec: FaultSpec,
         clock: Clock) -> dict[str, Any] | None:
    """Count a matching request; when the fault applies to it, what the journal notes."""
    fault.seen += 1
    note: dict[str, Any] = {"id": fault.id, "type": spec.effect.type}
    if isinstance(spec.effect, RateLimitEffect):
        retry_after = _admit(fault, spec.effect, clock.now(session, spec.tenant))
        applies = retry_after is not None
        note["retryAfter"] = retry_after
    elif spec.probability >= 1.0:
        applies = True
    else:
        rng = random.Random(f"{spec.seed}:{fault.seen}") if spec.seed is not None else random
        applies = rng.random() < spec.probability
    if applies:
        fault.fired += 1
        if fault.remaining is not None:
            fault.remaining -= 1
    session.add(fault)
    return note if applies else None


def _admit(fault: Fault, effect: RateLimitEffect, now: datetime) -> int | None:
    """Count a request in the fault's window: None when it passes, else the whole seconds
    until the window frees (its end, rounded up)."""
    window = _window(fault)
    count = 0
    if window is not None and window[0] <= now < window[1]:
        start, end, count = window
        if count >= effect.limit:
            return max(1, math.ceil((end - now).total_seconds()))
    else:
        start = now
    # A new dict: the JSON column is saved only when reassigned.
    fault.spec = {**fault.spec, WINDOW: {"start": start.isoformat(), "count": count + 1}}
    return None


def _window(fault: Fault) -> tuple[datetime, datetime, int] | None:
    """A rate-limit fault's current window: start, end and requests admitted in it."""
    window = fault.spec.get(WINDOW)
    if window is None:
        return None
    start = as_utc(datetime.fromisoformat(window["start"]))
    per = timedelta(seconds=fault.spec["effect"]["per"])
    # A clock set near the end of time: the window ends with it.
    end = start + per if start <= LAST - per else LAST
    return start, end, int(window["count"])


def to_json(fault: Fault) -> dict[str, Any]:
    shown = {**fault.spec, "id": fault.id, "fired": fault.fired, "seen": fault.seen,
             "remaining": fault.remaining, "active": fault.remaining != 0}
    if fault.spec["effect"]["type"] == "rate_limit":
        window = _window(fault)
        shown[WINDOW] = None if window is None else {
            "start": iso(window[0], millis=True), "end": iso(window[1], millis=True),
            "count": window[2]}
    return shown


def latency_ms(effect: LatencyEffect, fault: Fault, spec: FaultSpec) -> float:
    if effect.ms is not None:
        return float(effect.ms)
    assert effect.min_ms is not None
    assert effect.max_ms is not None
    rng = random.Random(f"{spec.seed}:latency:{fault.seen}") if spec.seed is not None else random
    return rng.uniform(effect.min_ms, effect.max_ms)
