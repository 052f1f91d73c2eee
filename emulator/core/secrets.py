"""Secrets at rest: issued tokens kept as SHA-256 digests, passwords and client secrets as
salted scrypt hashes, and the stored form of a tenant's credentials.

- `token_digest`: the lookup key of a token the emulator issued (or a fixture's bearer token).
  Tokens are random and long, so a plain digest is enough and lets the database find the row.
- `hash_secret` / `verify_secret`: what a caller proves against a known identity (a user's
  password, an API or client secret). Format `scrypt$n$r$p$salt$key` (base64 parts), so the
  cost can change later without breaking stored hashes.
- Cost `SCRYPT_N = 2**10, r = 8, p = 1` (1 MiB, about 2 ms of CPU per hash): a per-test
  tenant hashes up to three fresh secrets and must stay within 20 ms; these are test
  credentials, and the aim is that no secret can be read from a database file, a WAL, a
  snapshot or an export, not resistance to a determined offline attack.
- `verify_secret` remembers, in process memory only, the SHA-256 of the last secret that
  matched each stored hash, so an authenticated call pays the KDF once, not on every request;
  a wrong secret always pays it.
- Fixture packs carry plain demo values; `stored_secret` / `stored_token` hash them on load and
  let values that are already in stored form through (state exported from an emulator).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from functools import lru_cache
from typing import Any

SCRYPT_N = 2**10
SCRYPT_R = 8
SCRYPT_P = 1
_KEY_BYTES = 32
_SALT_BYTES = 16
_SCHEME = "scrypt"
_DIGEST_PREFIX = "sha256$"
# Credential fields (as the control plane returns them) that hold a secret of each kind.
SECRET_FIELDS = frozenset({"apiSecret", "clientSecret", "password"})
TOKEN_FIELDS = frozenset({"token"})
_VERIFIED_MAX = 10_000


def token_digest(value: str) -> str:
    """The SHA-256 (hex) a token is stored and looked up by."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_KEY_BYTES)


def hash_secret(secret: str) -> str:
    """A salted scrypt hash of `secret`, in the stored format."""
    salt = os.urandom(_SALT_BYTES)
    key = _scrypt(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"{_SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if n < 2 or n & (n - 1) or not 0 < r <= 64 or not 0 < p <= 16 or len(key) != _KEY_BYTES:
        return None
    return n, r, p, salt, key


def is_hashed(value: str) -> bool:
    return _parse(value) is not None


class _Verified:
    """Stored hash -> SHA-256 of the secret that last matched it (memory only, bounded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, bytes] = {}

    def matches(self, stored: str, presented: bytes) -> bool:
        with self._lock:
            known = self._seen.get(stored)
        return known is not None and hmac.compare_digest(known, presented)

    def remember(self, stored: str, presented: bytes) -> None:
        with self._lock:
            if len(self._seen) >= _VERIFIED_MAX:
                self._seen.clear()
            self._seen[stored] = presented


_verified = _Verified()


def verify_secret(stored: str, secret: str) -> bool:
    """Whether `secret` is the one `stored` was made from (constant-time comparison)."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    presented = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()
    if _verified.matches(stored, presented):
        return True
    n, r, p, salt, key = parsed
    try:
        candidate = _scrypt(secret, salt, n, r, p)
    except (ValueError, MemoryError, UnicodeEncodeError):
        return False
    if not hmac.compare_digest(candidate, key):
        return False
    _verified.remember(stored, presented)
    return True


@lru_cache(maxsize=1024)
def _fixture_hash(secret: str) -> str:
    # One salted hash per demo value and process: every tenant seeded from a pack reuses it,
    # so a fresh tenant costs no KDF for the pack's users.
    return hash_secret(secret)


def stored_secret(value: str) -> str:
    """A fixture or credential secret in stored form: already-hashed values pass through."""
    return value if is_hashed(value) else _fixture_hash(value)


def stored_token(value: str) -> str:
    """A fixture or credential token as its digest: `sha256$<hex>` values pass through."""
    if value.startswith(_DIGEST_PREFIX) and len(value) == len(_DIGEST_PREFIX) + 64:
        return value[len(_DIGEST_PREFIX):]
    return token_digest(value)


def conceal(credentials: Any) -> Any:
    """Credentials with every secret in stored form (what a tenant record keeps for reset)."""
    if isinstance(credentials, dict):
        out: dict[str, Any] = {}
        for key, value in credentials.items():
            if isinstance(value, str) and key in SECRET_FIELDS:
                out[key] = stored_secret(value)
            elif isinstance(value, str) and key in TOKEN_FIELDS:
                out[key] = _DIGEST_PREFIX + stored_token(value)
            else:
                out[key] = conceal(value)
        return out
    if isinstance(credentials, list):
        return [conceal(item) for item in credentials]
    return credentials


def withheld(credentials: Any) -> Any:
    """Credentials as the control plane lists them once issued: secrets shown as null."""
    if isinstance(credentials, dict):
        return {key: None if key in SECRET_FIELDS | TOKEN_FIELDS else withheld(value)
                for key, value in credentials.items()}
    if isinstance(credentials, list):
        return [withheld(item) for item in credentials]
    return credentials
