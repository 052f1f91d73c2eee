"""Fault injection: vendor-shaped errors, latency, dropped connections, truncated bodies.

Faults live in the database so every worker process applies the same ones and counts firings
in one place. Probabilistic faults with a seed decide the k-th matching request from
(seed, k) alone, so a run can be reproduced.
"""

from __future__ import annotations

import random
from fnmatch import fnmatchcase
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, select

from emulator.core.clock import utcnow
from emulator.core.models import Fault


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


Effect = Annotated[ErrorEffect | LatencyEffect | DropEffect | TruncateEffect,
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
        spec = FaultSpec.model_validate(fault.spec)
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


def fire(session: Session, fault: Fault, spec: FaultSpec) -> bool:
    """Count a matching request; True when the fault applies to it."""
    fault.seen += 1
    if spec.probability >= 1.0:
        applies = True
    else:
        rng = random.Random(f"{spec.seed}:{fault.seen}") if spec.seed is not None else random
        applies = rng.random() < spec.probability
    if applies:
        fault.fired += 1
        if fault.remaining is not None:
            fault.remaining -= 1
    session.add(fault)
    return applies


def to_json(fault: Fault) -> dict[str, Any]:
    return {**fault.spec, "id": fault.id, "fired": fault.fired, "seen": fault.seen,
            "remaining": fault.remaining, "active": fault.remaining != 0}


def latency_ms(effect: LatencyEffect, fault: Fault, spec: FaultSpec) -> float:
    if effect.ms is not None:
        return float(effect.ms)
    assert effect.min_ms is not None
    assert effect.max_ms is not None
    rng = random.Random(f"{spec.seed}:latency:{fault.seen}") if spec.seed is not None else random
    return rng.uniform(effect.min_ms, effect.max_ms)
