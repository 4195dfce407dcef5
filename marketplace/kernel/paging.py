"""The one paging rule of every list: `limit` and `offset` query parameters with bounds.

A limit below 1 (`limit=-1` meant "every row" to SQLite) or above `MAX_LIMIT`, and an offset
below 0 or past `MAX_OFFSET` (an offset past 64 bits made the driver fail), answer 400 naming
the parameter, before any query runs. Each list keeps its own default page size.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

MAX_LIMIT = 200
# Nobody pages a million rows deep; a filter finds them sooner. Far below SQL's 64-bit bound.
MAX_OFFSET = 1_000_000
# Pages of HTML lists count from 1 (`sida`), with the page size the page chooses.
MAX_PAGE = 1000

Limit = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_LIMIT, description=f"Antal rader per sida, 1–{MAX_LIMIT}."),
]
Offset = Annotated[
    int,
    QueryParameter(ge=0, le=MAX_OFFSET, description=f"Antal rader att hoppa över, 0–{MAX_OFFSET}."),
]
PageNumber = Annotated[
    int, QueryParameter(ge=1, le=MAX_PAGE, description=f"Sidnummer, 1–{MAX_PAGE}.")
]
