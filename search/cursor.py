"""Opaque keyset cursors: the sort key of the last item, bound to the query that made it."""

from __future__ import annotations

import base64
import binascii

import orjson

from search.query import Key, Query


class BadCursor(ValueError):
    """A cursor that is malformed or belongs to another query."""


def encode_cursor(query: Query, key: Key) -> str:
    raw = orjson.dumps({"f": query.fingerprint(), "k": list(key)})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, query: Query) -> Key:
    """The key inside `text`, if `text` was made for the same filters and sort as `query`."""
    try:
        data = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise BadCursor("not a cursor") from exc
    if not isinstance(data, dict) or data.get("f") != query.fingerprint():
        raise BadCursor("the cursor belongs to another query")
    key = data.get("k")
    width = 3 if query.sort == "relevance" else 2
    if not isinstance(key, list) or len(key) != width or not isinstance(key[-1], str):
        raise BadCursor("not a cursor")
    if not all(isinstance(part, int | float) and not isinstance(part, bool) for part in key[:-1]):
        raise BadCursor("not a cursor")
    return tuple(key)
