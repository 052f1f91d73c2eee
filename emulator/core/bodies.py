"""Vendor request bodies: the work one may cost is bounded, and decoding runs off the event loop.

Every request is served on one event loop; a body decoded there (JSON parsing, a pure-Python
walk over form fields, schema validation) stalls every other client for as long as it takes.
Two rules keep a big body from freezing the server:

- `check_items` (called by the vendor gate for every vendor request): a body with more than
  `MAX_ITEMS` form fields (`&`) or JSON members/elements (`,`) is refused with a 400 in the
  vendor's shape before anything parses it. Request documents are small (ids and a few fields);
  the XML shape check in `codec` applies the same bound to elements. Counting separators is a
  pass in C (about a millisecond per megabyte), done in a worker thread for big bodies.
- `decode` (called by every vendor where it turns the body into values): the decoding runs in a
  worker thread, so the event loop keeps answering other clients meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

import anyio

from emulator.core.errors import MalformedBody

MAX_ITEMS = 50_000
_SLICE = 256 * 1024

P = ParamSpec("P")
T = TypeVar("T")


def _count_items(body: bytes) -> bool:
    """Whether the body holds MAX_ITEMS separators of one kind; stops as soon as it does.

    Counted slice by slice: each slice holds the interpreter lock for well under a
    millisecond, so a thread doing this never keeps the event loop waiting long."""
    for separator in (b"&", b","):
        seen = 0
        for start in range(0, len(body), _SLICE):
            seen += body.count(separator, start, start + _SLICE)
            if seen >= MAX_ITEMS:
                return True
    return False


async def check_items(body: bytes) -> None:
    """Refuse a body of more than MAX_ITEMS fields or items, before any decoding."""
    too_many = (_count_items(body) if len(body) <= _SLICE
                else await anyio.to_thread.run_sync(_count_items, body))
    if too_many:
        raise MalformedBody(f"Request body with more than {MAX_ITEMS} fields or items")


async def decode(parse: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`parse(*args, **kwargs)` in a worker thread: the one way vendors decode a body."""
    return await anyio.to_thread.run_sync(partial(parse, *args, **kwargs))
