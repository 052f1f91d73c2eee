"""Identifier generators in each vendor's format."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlmodel import Session

from emulator.core.clock import as_utc
from emulator.core.models import Counter

# 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch.
_UUID_EPOCH_OFFSET = 0x01B21DD213814000


def object_id(now: datetime) -> str:
    """24 lowercase hex digits, ObjectId-style: 4 bytes of creation second, then 8 random bytes.

    IDs made in the same second are ordered by their random tail, so creation order within a
    second is not guaranteed by ID order; callers that need it keep a sequence column.
    """
    seconds = int(as_utc(now).timestamp()) & 0xFFFFFFFF
    return f"{seconds:08x}{secrets.token_hex(8)}"


def time_uuid(now: datetime) -> str:
    """A version-1-looking UUID whose timestamp is the emulator clock (iSpring's style)."""
    ticks = int(as_utc(now).timestamp() * 10_000_000) + _UUID_EPOCH_OFFSET
    ticks += secrets.randbelow(10_000)  # spread ids made within the same instant
    time_low = ticks & 0xFFFFFFFF
    time_mid = (ticks >> 32) & 0xFFFF
    time_hi_version = ((ticks >> 48) & 0x0FFF) | 0x1000
    clock_seq = secrets.randbits(14) | 0x8000
    node = secrets.randbits(48) | 0x010000000000  # multicast bit: not a real MAC
    return str(uuid.UUID(fields=(time_low, time_mid, time_hi_version,
                                 clock_seq >> 8, clock_seq & 0xFF, node)))


def random_uuid() -> str:
    return str(uuid.uuid4())


def next_int(session: Session, name: str, *, start: int = 1) -> int:
    """The next value of a server-wide integer sequence (shared by all tenants)."""
    counter = session.get(Counter, name)
    if counter is None:
        counter = Counter(name=name, value=start - 1)
    counter.value += 1
    session.add(counter)
    session.flush()
    return counter.value


def token(nbytes: int = 32) -> str:
    """An opaque URL-safe secret (access tokens, generated API secrets)."""
    return secrets.token_urlsafe(nbytes)
