"""GET /events: filters, typo-tolerant search and keyset pages, answered by this ingress's
in-memory index (search/), which the catalog topic keeps current."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Response

from ingress.deps import Ctx
from ingress.errors import ApiError
from search.cursor import BadCursor, decode_cursor, encode_cursor
from search.listing import epoch_ms
from search.query import SORTS
from search.query import Query as Search
from search.text import normalize

router = APIRouter(tags=["events"])
Text = Annotated[str | None, Query(max_length=200)]


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", f"invalid {field}: {message}", {"field": field})


def instant(field: str, value: str | None, end_of_day: bool = False) -> int | None:
    """Epoch ms of an ISO date or date-time (UTC unless it says otherwise); a date alone
    means its whole day, so date_to=2030-01-31 includes that day's evening."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time.max if end_of_day else time.min, UTC)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise invalid(field, "expected an ISO-8601 date or date-time") from None
    if end_of_day and len(value) == 10:
        return epoch_ms(moment - timedelta(microseconds=999))
    return epoch_ms(moment)


@router.get("/events")
async def list_events(
    ctx: Ctx,
    q: Text = None,
    date_from: str | None = None,
    date_to: str | None = None,
    min_price: Annotated[float | None, Query(ge=0)] = None,
    max_price: Annotated[float | None, Query(ge=0)] = None,
    artist: Text = None,
    tag: Annotated[list[str] | None, Query(max_length=20)] = None,
    tag_mode: Literal["any", "all"] = "any",
    city: Text = None,
    venue_id: Text = None,
    available: bool | None = None,
    sort: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Response:
    """Events matching every filter given, one page at a time; `next_cursor` is null on the
    last page. Sorts: starts_at (default), price (the lowest seat-type price), relevance
    (default with q)."""
    start, end = instant("date_from", date_from), instant("date_to", date_to, end_of_day=True)
    if start is not None and end is not None and start > end:
        raise invalid("date_from", "date_from is after date_to")
    if min_price is not None and max_price is not None and min_price > max_price:
        raise invalid("min_price", "min_price is above max_price")
    order = sort or ("relevance" if q and q.strip() else "starts_at")
    if order not in SORTS:
        raise invalid("sort", f"sort must be one of {', '.join(SORTS)}")
    tags = tuple(sorted({normalize(t) for raw in tag or () for t in raw.split(",") if t.strip()}))
    search = Search(
        q=q or "",
        date_from=start,
        date_to=end,
        min_price=min_price,
        max_price=max_price,
        artist=normalize(artist) if artist else None,
        tags=tags,
        tag_mode=tag_mode,
        city=normalize(city) if city else None,
        venue_id=venue_id or None,
        available=available,
        sort=order,  # type: ignore[arg-type]
        limit=limit,
    )
    if cursor:
        try:
            search = replace(search, after=decode_cursor(cursor, search))
        except BadCursor as exc:
            raise invalid("cursor", str(exc)) from None
    page = ctx.search.index.search(search)
    items = [hit.listing.item(hit.seats_left) for hit in page.hits]
    last = page.hits[-1].key if page.hits and page.more else None
    body = {"items": items, "next_cursor": encode_cursor(search, last) if last else None}
    return Response(orjson.dumps(body), media_type="application/json")  # no re-encoding pass
