"""Secrets never reach the journal: credential headers and secret-bearing body fields masked."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

MASK = "***"
SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie",
    "x-auth-password", "x-password",
})
SECRET_KEYS = frozenset({
    "access_token", "accesstoken", "refresh_token", "client_secret", "clientsecret",
    "password", "apisecret", "api_secret", "secret", "token", "signintoken", "signin_token",
})
_XML_SECRET = re.compile(
    r"<(?P<tag>(?:[\w.-]+:)?(?:" + "|".join(sorted(SECRET_KEYS)) + r"))(?P<attrs>\s[^>]*)?>"
    r"[^<]*</(?P=tag)>",
    re.IGNORECASE,
)


_FORM_SECRET = re.compile(
    r"(?P<key>\b(?:" + "|".join(sorted(SECRET_KEYS)) + r"))=[^&\s]*", re.IGNORECASE)


def redact_headers(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} {MASK}" if rest and scheme.isalpha() else MASK
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _redact_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (MASK if str(k).lower() in SECRET_KEYS else _redact_json(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_json(v) for v in value]
    return value


def redact_query(query: str) -> str:
    """A query string with secret-named parameters masked (access logs, journal)."""
    return _FORM_SECRET.sub(lambda m: f"{m['key']}={MASK}", query)


def redact_body(body: bytes, content_type: str, limit: int, *, size: int | None = None) -> str:
    """The body as text for the journal: secrets masked, cut at `limit` bytes.

    `body` may already be cut (the recorder keeps at most limit + 1 bytes); `size` is the
    full length then.
    """
    size = len(body) if size is None else size
    if not body:
        return ""
    text = body[:limit].decode("utf-8", errors="replace")
    ctype = content_type.lower()
    lowered = text.lower()
    if not any(key in lowered for key in SECRET_KEYS):
        # Nothing secret-named anywhere (most bodies): skip parsing.
        return text + (f"... [truncated, {size} bytes]" if size > limit else "")
    if "json" in ctype:
        try:
            parsed = json.loads(body)
            redacted = _redact_json(parsed)
            if redacted != parsed:  # re-serialise only when a secret was masked
                text = json.dumps(redacted, ensure_ascii=False)[:limit]
        except (ValueError, RecursionError):
            pass  # not JSON, or nested beyond what can be walked: journaled as text
    elif "x-www-form-urlencoded" in ctype:
        pairs = parse_qsl(text, keep_blank_values=True)
        text = urlencode([(k, MASK if k.lower() in SECRET_KEYS else v) for k, v in pairs])
    else:
        # Unlabelled or multipart bodies: mask anything shaped like `secret=value`.
        text = _FORM_SECRET.sub(lambda m: f"{m['key']}={MASK}", text)
    if "xml" in ctype or text.lstrip().startswith("<"):
        text = _XML_SECRET.sub(lambda m: f"<{m['tag']}{m['attrs'] or ''}>{MASK}</{m['tag']}>", text)
    if size > limit:
        text += f"... [truncated, {size} bytes]"
    return text
