"""Secrets never reach the journal: credential headers and secret-bearing body fields masked.

Bodies are masked by what they contain, not by what their Content-Type claims (vendors sniff:
iSpring reads a JSON body labelled text/plain). JSON that parses is masked field by field (so
escaped key names are caught); anything else gets every textual form masked: JSON-like
`"key": value` pairs, form `key=value`, multipart parts named after a secret, and XML elements
(plain text or CDATA, loose end tags).
"""

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
_KEYS = "|".join(sorted(SECRET_KEYS, key=len, reverse=True))
_XML_SECRET = re.compile(
    rf"<(?P<tag>(?:[\w.-]+:)?(?:{_KEYS}))(?P<attrs>\s[^>]*)?>"
    r"(?:<!\[CDATA\[.*?\]\]>|[^<])*</(?P=tag)\s*>", re.IGNORECASE | re.DOTALL)
_FORM_SECRET = re.compile(rf"(?P<key>\b(?:{_KEYS}))=[^&\s]*", re.IGNORECASE)
_JSON_SECRET = re.compile(
    rf'(?P<key>"(?:{_KEYS})"\s*:\s*)(?:"(?:[^"\\]|\\.)*"?|[^,}}\]\s]*)', re.IGNORECASE)
_MULTIPART_SECRET = re.compile(
    rf'(?P<head>name="(?:{_KEYS})"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n)[^\r\n]*', re.IGNORECASE)


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


def redact_query(query: str) -> str:
    """A query string with secret-named parameters masked (access logs, journal)."""
    return _FORM_SECRET.sub(lambda m: f"{m['key']}={MASK}", query)


def _redact_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (MASK if str(k).lower() in SECRET_KEYS else _redact_json(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_json(v) for v in value]
    return value


def _mask_text(text: str) -> str:
    text = _JSON_SECRET.sub(lambda m: f'{m["key"]}"{MASK}"', text)
    text = _MULTIPART_SECRET.sub(lambda m: f"{m['head']}{MASK}", text)
    text = _FORM_SECRET.sub(lambda m: f"{m['key']}={MASK}", text)
    return _XML_SECRET.sub(
        lambda m: f"<{m['tag']}{m['attrs'] or ''}>{MASK}</{m['tag']}>", text)


def redact_body(body: bytes, content_type: str, limit: int, *, size: int | None = None) -> str:
    """The body as text for the journal: secrets masked, cut at `limit` bytes.

    `body` may already be cut (the recorder keeps at most limit + 1 bytes); `size` is the
    full length then.
    """
    size = len(body) if size is None else size
    suffix = f"... [truncated, {size} bytes]" if size > limit else ""
    text = body[:limit].decode("utf-8", errors="replace")
    lowered = text.lower()
    # Most bodies name no secret at all; JSON escapes (\u0070assword) could hide one.
    if "\\u" not in text and not any(key in lowered for key in SECRET_KEYS):
        return text + suffix
    if text.lstrip()[:1] in ("{", "["):
        try:
            parsed = json.loads(body)
            redacted = _redact_json(parsed)
        except (ValueError, RecursionError):
            pass  # malformed or too deep: masked as text below
        else:
            if redacted != parsed:  # re-serialise only when a secret was masked
                text = json.dumps(redacted, ensure_ascii=False)[:limit]
            return text + suffix
    if "x-www-form-urlencoded" in content_type.lower():
        pairs = parse_qsl(text, keep_blank_values=True)
        text = urlencode([(k, MASK if k.lower() in SECRET_KEYS else v) for k, v in pairs])
    return _mask_text(text) + suffix
