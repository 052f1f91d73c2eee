"""The stored forms of secrets: token digests, salted scrypt hashes, a tenant's credentials."""

from __future__ import annotations

import hashlib

import pytest

from emulator.core import secrets
from emulator.core.secrets import (
    conceal,
    hash_secret,
    is_hashed,
    stored_secret,
    stored_token,
    token_digest,
    verify_secret,
    withheld,
)


def test_a_token_is_kept_as_its_sha256() -> None:
    assert token_digest("abc") == hashlib.sha256(b"abc").hexdigest()
    assert stored_token("abc") == token_digest("abc")
    assert stored_token("sha256$" + token_digest("abc")) == token_digest("abc")


def test_a_secret_is_salted_and_verified() -> None:
    first, second = hash_secret("pw-1"), hash_secret("pw-1")
    assert first != second  # a fresh salt each time
    assert first.startswith(f"scrypt${secrets.SCRYPT_N}${secrets.SCRYPT_R}${secrets.SCRYPT_P}$")
    assert "pw-1" not in first
    assert verify_secret(first, "pw-1")
    assert verify_secret(second, "pw-1")
    assert verify_secret(first, "pw-1")  # again, from the in-memory record of the match
    assert not verify_secret(first, "pw-2")
    assert not verify_secret(first, "")
    assert not verify_secret(first, "pw-1\udc80")  # a lone surrogate from a decoded header


@pytest.mark.parametrize("stored", [
    "pw-1", "", "scrypt$", "scrypt$1024$8$1$!!$!!", "scrypt$1000$8$1$AAAA$AAAA",
    "scrypt$1024$8$1$AAAA$AAAA", "bcrypt$1024$8$1$AAAA$" + "A" * 44,
])
def test_anything_but_a_stored_hash_never_verifies(stored: str) -> None:
    assert not is_hashed(stored)
    assert not verify_secret(stored, stored)
    assert not verify_secret(stored, "pw-1")


def test_stored_forms_pass_through_and_demo_values_hash_once() -> None:
    hashed = hash_secret("pw-1")
    assert stored_secret(hashed) == hashed
    assert stored_secret("demo-pass") == stored_secret("demo-pass")
    assert verify_secret(stored_secret("demo-pass"), "demo-pass")


def test_credentials_concealed_for_the_record_and_withheld_from_listings() -> None:
    issued = {"tenantId": "t1", "apiSecret": "s1", "token": "tk",
              "oauthClients": [{"clientId": "c1", "clientSecret": "s2", "scopes": ["a"]}],
              "users": [{"login": "u", "password": "p", "role": "owner"}]}
    kept = conceal(issued)
    assert kept["tenantId"] == "t1"
    assert kept["token"] == "sha256$" + token_digest("tk")
    assert verify_secret(kept["apiSecret"], "s1")
    assert verify_secret(kept["oauthClients"][0]["clientSecret"], "s2")
    assert verify_secret(kept["users"][0]["password"], "p")
    assert kept["oauthClients"][0]["scopes"] == ["a"]
    assert conceal(kept) == kept  # stored forms stay as they are
    assert withheld(kept) == {
        "tenantId": "t1", "apiSecret": None, "token": None,
        "oauthClients": [{"clientId": "c1", "clientSecret": None, "scopes": ["a"]}],
        "users": [{"login": "u", "password": None, "role": "owner"}]}
