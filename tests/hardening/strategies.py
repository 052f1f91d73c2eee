"""Hypothesis strategies for hostile requests, built from a `VendorSpec` and an `Operation`.

A generated request keeps the demo credentials (so it reaches the checks behind auth) and
varies everything a half-written client or an attacker controls: path ids, query parameters,
identity headers, content type, Accept and the body. Bodies come from the vendor's own field
vocabulary, so the generator aims at fields the endpoint actually reads.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import urlencode

import xmltodict
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.hardening.harness import (
    SPECS,
    Judge,
    Operation,
    Probe,
    VendorSpec,
    probe,
    spec_of,
    vocabulary,
)

# Strings that break naive code: traversal, SQL, format and template injection, numbers out of
# every integer range, control characters, bidi and emoji, empty and whitespace, huge.
HOSTILE_STRINGS: tuple[str, ...] = (
    "../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "....//....//etc/passwd", "/etc/passwd\x00.json",
    "' OR '1'='1", "1 OR 1=1", "'; DROP TABLE core_tenant; --", '" OR ""="',
    "1; SELECT sqlite_version()", "1' UNION SELECT name FROM sqlite_master --", "%", "_", "%_%",
    "%00", "\x00", "*", "?", "#", "&", "=", "[]", "{}", "null", "None", "NaN", "Infinity",
    "-1", "0", "1e309", "99999999999999999999999999999", "9223372036854775808",
    "-9223372036854775809", "9" * 5000, "0x1F", "1.5", " ", "\t\r\n", "", "true",
    "\U0001f600", "\u202e\u0645", "\ufeff", "\ufffd", "<script>alert(1)</script>",
    "${jndi:ldap://127.0.0.1/a}",
    "{{7*7}}", "%s%s%s%n", "__proto__", "x" * 20_000,
    "2024-13-45", "2024-02-30T25:61:00Z", "0000-00-00", "9999-12-31T23:59:59Z",
)

# Unknown ids in each vendor's own format: well formed, just not there.
UNKNOWN_IDS = ("0123456789abcdef01234567", "00000000-0000-1000-8000-00000000abcd", "987654321")

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=True, allow_infinity=True),
        hostile_text,
    )


@cache
def json_values(vendor: str) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(vocabulary(vendor)) | st.text(max_size=12)
    return st.recursive(
        _scalars(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=12,
    )


@cache
def json_objects(vendor: str) -> st.SearchStrategy[dict[str, Any]]:
    """Objects keyed by the vendor's field names: wrong types, out-of-range values, missing
    and unknown fields all come out of this."""
    return st.dictionaries(st.sampled_from(vocabulary(vendor)) | st.text(max_size=12),
                           json_values(vendor), max_size=6)


def _dump(value: Any) -> bytes:
    # allow_nan: NaN and Infinity are what a sloppy JavaScript or Python client really sends.
    return json.dumps(value, allow_nan=True).encode()


def _xml_name(name: str) -> str:
    clean = "".join(c for c in name if c.isalnum() or c == "_")
    return clean if clean[:1].isalpha() else f"f{clean}"


def _xml_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {_xml_name(k): _xml_tree(v) for k, v in value.items()} or None
    if isinstance(value, list):
        return [_xml_tree(v) for v in value]
    if value is None:
        return None
    return str(value).replace("\x00", "")


def _xml(value: dict[str, Any]) -> bytes:
    try:
        return xmltodict.unparse({"request": _xml_tree(value)}).encode()
    except ValueError:  # a character XML cannot carry
        return b"<request/>"


def _form(value: dict[str, Any]) -> bytes:
    pairs: list[tuple[str, str]] = []
    for key, item in value.items():
        if isinstance(item, list):
            pairs += [(f"{key}[]", json.dumps(v)) for v in item]
        elif isinstance(item, dict):
            pairs += [(f"{key}[{k}]", json.dumps(v)) for k, v in item.items()]
        else:
            pairs.append((key, "" if item is None else str(item)))
    return urlencode(pairs).encode()


# Bodies no parser should accept, each with the content type that claims otherwise.
MALFORMED: dict[str, tuple[str, bytes]] = {
    "truncated JSON": ("application/json", b'{"name": "Half", "ref": "HALF-1'),
    "JSON without quotes": ("application/json", b"{name: 'x', ref: x}"),
    "trailing garbage": ("application/json", b'{"name": "x"} {"name": "y"}'),
    "invalid UTF-8": ("application/json", b'{"name": "\xff\xfe\xc3\x28", "ref": "\x80"}'),
    "raw control characters": ("application/json", b'{"name": "a\x00b\x01c"}'),
    "deep JSON arrays": ("application/json", b"[" * 100_000 + b"]" * 100_000),
    "deep JSON objects": ("application/json", b'{"a":' * 20_000 + b"1" + b"}" * 20_000),
    "malformed XML": ("application/xml", b"<request><name>x</request>"),
    "truncated XML": ("application/xml", b"<request><name>Half</na"),
    "deep XML": ("application/xml", b"<a>" * 2_000 + b"</a>" * 2_000),
    "XML with two roots": ("application/xml", b"<a>1</a><b>2</b>"),
    "multipart without boundary": ("multipart/form-data", b"--x\r\nContent-Disposition: form"),
    "broken multipart": ("multipart/form-data; boundary=zz", b"--zz\r\nno headers\r\n--z"),
    "form of garbage": ("application/x-www-form-urlencoded", b"%%%&&==[[[]]]%ZZ&a[b][c"),
    "binary": ("application/octet-stream", bytes(range(256)) * 4),
    "UTF-16 claimed as JSON": ("application/json; charset=utf-16",
                               '{"name": "x"}'.encode("utf-16")),
}

CONTENT_TYPES = (
    None, "application/json", "application/xml", "text/xml", "application/x-www-form-urlencoded",
    "multipart/form-data", "multipart/form-data; boundary=----x", "text/plain",
    "application/json; charset=latin-1", "application/octet-stream", "garbage/////", "",
    "application/json, application/xml", "application/vnd.api+json", "image/png",
)


@cache
def bodies(vendor: str) -> st.SearchStrategy[tuple[str | None, bytes | None, str]]:
    """(content type, body, label)."""
    objects = json_objects(vendor)
    ctype = st.sampled_from(CONTENT_TYPES)

    def cut(data: bytes, where: float) -> bytes:
        return data[: int(len(data) * where)]

    fraction = st.floats(min_value=0.0, max_value=0.99)
    return st.one_of(
        st.tuples(ctype, objects.map(_dump), st.just("JSON object")),
        st.tuples(ctype, json_values(vendor).map(_dump), st.just("JSON value")),
        st.tuples(ctype, st.builds(cut, objects.map(_dump), fraction), st.just("truncated JSON")),
        st.tuples(ctype, objects.map(_xml), st.just("XML")),
        st.tuples(ctype, st.builds(cut, objects.map(_xml), fraction), st.just("truncated XML")),
        st.tuples(ctype, objects.map(_form), st.just("form")),
        st.sampled_from([(c, b, label) for label, (c, b) in MALFORMED.items()]),
        st.tuples(ctype, st.binary(max_size=300), st.just("random bytes")),
        st.tuples(ctype, st.builds(lambda k, n: _dump({k: "\u00e9x" * n}),
                                   st.sampled_from(vocabulary(vendor)),
                                   st.sampled_from([35_000, 1_000_000])),
                  st.just("huge string")),
        st.tuples(ctype, st.builds(lambda d: b"[" * d + b"]" * d,
                                   st.sampled_from([100, 1000, 30_000])), st.just("deep list")),
        st.tuples(ctype, st.just(None), st.just("no body")),
    )


@cache
def _path_values(vendor: str, op: Operation) -> st.SearchStrategy[dict[str, str]]:
    return path_values(spec_of(op), op)


def path_values(spec: VendorSpec, op: Operation) -> st.SearchStrategy[dict[str, str]]:
    """Each path parameter: the demo record (so the body is judged), unknown, or hostile."""
    choices: dict[str, st.SearchStrategy[str]] = {}
    for param in op.params:
        valid = spec.path_values.get(param)
        pool = st.sampled_from(UNKNOWN_IDS) | hostile_text
        choices[param] = (st.just(valid) | pool) if valid is not None else pool
    return st.fixed_dictionaries(choices)


@cache
def _queries(vendor: str) -> st.SearchStrategy[list[tuple[str, str]]]:
    return queries(SPECS[vendor])


def queries(spec: VendorSpec) -> st.SearchStrategy[list[tuple[str, str]]]:
    names = st.sampled_from(spec.query_names + vocabulary(spec.name)[:60]) | hostile_text
    return st.lists(st.tuples(names, hostile_text), max_size=4)


def _latin1(value: str) -> bytes:
    # Header values travel as bytes; UTF-8 encoded text is what clients really put there.
    return value.encode("utf-8", "replace").replace(b"\r", b"").replace(b"\n", b"")[:2000]


# Headers that carry identity or options; now and then the credential header itself, so odd
# bytes where the credentials go are exercised too.
IDENTITY_HEADERS = ("X-UserId", "X-UserCode", "X-LearnerId", "X-LearnerCode", "X-SystemDomain",
                    "X-Target-Locale", "X-Fields", "X-Department-Id", "Accept-Language",
                    "Authorization", "X-Auth-Password")


@cache
def extra_headers() -> st.SearchStrategy[dict[str, bytes]]:
    return st.dictionaries(st.sampled_from(IDENTITY_HEADERS), hostile_text.map(_latin1),
                           max_size=3)


@st.composite
def hostile_requests(draw: st.DrawFn, op: Operation) -> Probe:
    spec = spec_of(op)
    content_type, body, label = draw(bodies(spec.name))
    headers: dict[str, str | bytes] = dict(draw(extra_headers()))
    if content_type is not None:
        headers["Content-Type"] = content_type
    accept = draw(st.sampled_from(spec.accepts))
    if accept is not None:
        headers["Accept"] = accept
    return probe(op, values=draw(_path_values(spec.name, op)), headers=headers, body=body,
                 query=draw(_queries(spec.name)), label=label)


# ---------------------------------------------------------------------------------------------
# The three checks per operation (test_bad_input.py runs them, bench/robustness.py too)
# ---------------------------------------------------------------------------------------------

# Malformed for every parser; a body whose charset the JSON parser detects (UTF-16) is not.
MUST_BE_400 = {label: case for label, case in MALFORMED.items() if "UTF-16" not in label}
HOSTILE_IDS = ("../../../../etc/passwd", "' OR '1'='1", "1; DROP TABLE core_tenant; --",
               "\x00", "%", "9" * 5000, "\U0001f600\u202e", "..")
# The documented refusal for an unknown id where it is not a 404.
UNKNOWN_ID_STATUS = {
    "thrive:POST:create_access_token": 400,  # invalid_client: unknown tenant (fact sheet §1.2)
}


def malformed_bodies(judge: Judge, op: Operation) -> None:
    """Every malformed body → 400 in the vendor's shape, nothing stored."""
    for label, (content_type, body) in MUST_BE_400.items():
        case = probe(op, headers={"Content-Type": content_type}, body=body, label=label)
        response = judge.send(case)
        assert response.status_code == 400, (case, response.status_code, response.text[:300])


def path_ids(judge: Judge, op: Operation) -> None:
    """Hostile ids in every path parameter are refused cleanly; a well-formed unknown id where
    the demo record would be is a 404."""
    spec = spec_of(op)
    for param in op.params:
        for hostile in (*UNKNOWN_IDS, *HOSTILE_IDS):
            judge.send(probe(op, values={param: hostile}, label=f"hostile {param}"))
        if param not in spec.path_values:
            continue  # no demo record known for it: only the hostile ids above
        case = probe(op, values={param: spec.unknown_id(param)}, label=f"unknown {param}")
        response = judge.send(case)
        expected = UNKNOWN_ID_STATUS.get(op.id, 404)
        # A write may refuse its (here empty) body before it looks the id up (iSpring D18).
        if not (op.method != "GET" and response.status_code == 400 and expected == 404):
            assert response.status_code == expected, (case, response.text[:300])


RAW_ESCAPES = "%FF%C3%28%00%ZZ"  # invalid UTF-8, NUL and a broken escape, sent undecoded


def raw_escapes(judge: Judge, op: Operation) -> None:
    """Invalid percent-escapes in every path parameter and in query names and values (httpx
    would encode them, so they go into the URL as they are)."""
    spec = spec_of(op)
    placeholder = "HARDENINGPLACEHOLDER"
    for param in op.params:
        case = probe(op, values={param: placeholder}, label=f"raw escapes in {param}")
        case.url = case.url.replace(placeholder, RAW_ESCAPES)
        judge.send(case)
    case = probe(op, label="raw escapes in the query")
    names = [n for n in spec.query_names if "[" not in n][:3]
    case.url += "?" + "&".join(f"{n}={RAW_ESCAPES}" for n in names) + f"&{RAW_ESCAPES}=1"
    judge.send(case)


def attack(judge: Judge, op: Operation, examples: int, *, shrink: bool = True) -> None:
    """`examples` generated hostile requests (derandomized: the same ones on every run).

    `shrink=False` reports a failure as found, without minimising it (the bench: it wants the
    count, and shrinking a failure can take minutes)."""
    phases = list(Phase) if shrink else [Phase.explicit, Phase.reuse, Phase.generate]

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=phases)
    @given(case=hostile_requests(op))
    def run(case: Probe) -> None:
        judge.send(case)

    run()
