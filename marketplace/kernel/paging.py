"""The one paging rule of every list: `limit` and `offset` query parameters with bounds.

A page's list is sorted by a key in its address (`sortera=`, `ordning=`), one of the page's
sort box's choices; a key the box does not offer (an old bookmark, an edited address) shows
the list in the box's first order with a Swedish note at the box (`chosen_order`), not an
error page listing the keys: the rows are the same, only their order was unknown.

A limit below 1 (`limit=-1` meant "every row" to SQLite) or above `MAX_LIMIT`, and an offset
below 0 or past `MAX_OFFSET` (an offset past 64 bits made the driver fail), answer 400 naming
the parameter, before any query runs. Each list keeps its own default page size.

A page of an HTML list past its last (`?sida=999`, an offset past the last row: an old link,
an edited address) is no empty list under "sida 999 av 3": the list raises `PastLastPage`
(`check_page`, `check_offset`) and the app answers with a redirect (303) to the same address
at the last page, so the reader lands on rows and a pager that says where they are. A page
number that is no number, below 1 or past the parameter's bound stays a Swedish 400.
"""

from __future__ import annotations

from collections.abc import Sequence
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


class PastLastPage(Exception):
    """A list's page past its last was asked for: the app redirects (303) to the address
    with `param` set to `value`, the last page (or the last page's offset)."""

    def __init__(self, param: str, value: int) -> None:
        super().__init__(f"{param}={value}")
        self.param = param
        self.value = value


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill, `per_page` to a page; an empty list is one page."""
    return max(1, -(-total // per_page))


def check_page(asked: int, total: int, per_page: int, param: str = "sida") -> int:
    """The number of pages of a list of `total` rows; `PastLastPage` when the page `asked`
    (counted from 1, in the query parameter `param`) lies past the last."""
    pages = page_count(total, per_page)
    if asked > pages:
        raise PastLastPage(param, pages)
    return pages


def check_offset(offset: int, total: int, per_page: int, param: str = "offset") -> None:
    """`PastLastPage` when a list paged by `offset` starts past its last row (its last
    page's offset given), so an old "Äldre" link does not say the list is empty."""
    if offset > 0 and offset >= total:
        raise PastLastPage(param, (page_count(total, per_page) - 1) * per_page)


# A list's order in its address. Any text is taken (it is never stored nor shown): what the
# page does not offer is answered by `chosen_order`, so no length or choice is refused here.
OrderKey = Annotated[str | None, QueryParameter(description="Sorteringen, en av sidans val.")]


def chosen_order(asked: str | None, choices: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The order to show a list in, and the note at its sort box. `choices` are the sort
    box's (key, Swedish words), its default first. A key the box offers (or none) is taken
    without a note; any other gives the default and a note naming it in the box's words."""
    if not asked or asked in dict(choices):
        return asked or choices[0][0], ""
    default, words = choices[0]
    return default, (
        f"Sorteringen i sidans adress finns inte längre, så listan visas i ordningen "
        f"\u201d{words}\u201d. Välj en annan ordning i rutan."
    )


def chosen_filter(asked: str, choices: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The value of a list's filter box, and the note at it. `choices` are the box's (value,
    Swedish words), "every one" first. A value the box does not offer (an edited or old
    address) filters nothing, and the note says so in the box's words, as `chosen_order`
    does for a sort."""
    if not asked or asked in dict(choices):
        return asked, ""
    default, words = choices[0]
    return default, (
        f"Valet i sidans adress finns inte, så listan visas med \u201d{words}\u201d. Välj i rutan."
    )
