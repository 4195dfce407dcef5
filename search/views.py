"""Admins' pages for what the search knows and learns: the everyday words (add, see, remove),
the searches that found nothing or led nowhere (teach a word in one step), and the learned
lift (its pairs, and its switch)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect, Template

from marketplace.kernel.auth import AuthUser, admin_only
from marketplace.kernel.errors import MarketplaceError, ValidationFailed
from marketplace.kernel.forms import (
    control_problems,
    field_errors,
    form_values,
    is_ticked,
    refuse,
    without_control_characters,
)
from marketplace.kernel.notices import done
from marketplace.kernel.paging import (
    OrderKey,
    PageNumber,
    check_page,
    chosen_order,
    page_count,
)
from marketplace.kernel.settings import get_settings
from marketplace.kernel.views import page
from search import lift, usage, vocabulary
from search.schemas import EverydayWordIn

_PAGE = "search/everyday_words.html"
_CONFIRM = "search/everyday_word_remove.html"
_FIELDS = ("word", "targets")
_LABELS = {"word": "Vardagsord", "targets": "Står för"}


def _word_in(values: dict[str, Any]) -> EverydayWordIn:
    word = str(values.get("word") or "")
    targets = str(values.get("targets") or "")
    return EverydayWordIn(word=word[:200], targets=targets[:1000].split())


def _refuse_unreadable(values: dict[str, Any]) -> None:
    """The word and its targets holding an invisible control character are refused (no form
    helper reads them), with what else is wrong with them, as the page shows them."""
    unreadable = control_problems(values, _LABELS, only=_FIELDS)
    if unreadable:
        shown = without_control_characters(values)
        refuse({**vocabulary.word_problems(_word_in(shown)), **unreadable})


async def _page(
    request: Request[Any, Any, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        _PAGE,
        request,
        status_code=status_code,
        words=await vocabulary.list_words(),
        values=values or {},
        errors=errors or {},
        max_targets=vocabulary.MAX_TARGETS,
    )


@get("/drift/vardagsord", guards=[admin_only], include_in_schema=False, name="everyday-words")
async def everyday_words_page(request: Request[Any, Any, Any]) -> Template:
    """The added everyday words and the built-in ones, and a form to add one."""
    return await _page(request)


@post("/drift/vardagsord", guards=[admin_only], include_in_schema=False, status_code=303)
async def everyday_word_add(request: Request[AuthUser, Any, Any]) -> Template | Redirect:
    """Add an everyday word; on a mistake, the form comes back with what was typed."""
    values = await form_values(request)
    try:
        _refuse_unreadable(values)
        added = await vocabulary.add_word(request.user, _word_in(values))
    except MarketplaceError as exc:
        errors = field_errors(exc, _FIELDS)
        shown = without_control_characters(values)
        return await _page(request, shown, errors, status_code=exc.status_code)
    return Redirect(done("/drift/vardagsord", "ord-tillagt", ord=added.word), status_code=303)


@get(
    "/drift/vardagsord/{word:str}/ta-bort",
    guards=[admin_only],
    include_in_schema=False,
)
async def everyday_word_confirm(request: Request[Any, Any, Any], word: FromPath[str]) -> Template:
    """Ask before removing an added everyday word."""
    entry = await vocabulary.get_added_word(word)
    return page(_CONFIRM, request, entry=entry, errors={})


@post(
    "/drift/vardagsord/{word:str}/ta-bort",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def everyday_word_remove(
    request: Request[AuthUser, Any, Any], word: FromPath[str]
) -> Template | Redirect:
    """Remove an added everyday word, once the admin has ticked the confirmation."""
    entry = await vocabulary.get_added_word(word)
    if not is_ticked(await form_values(request), "confirm"):
        errors = {"confirm": "Kryssa i rutan för att bekräfta att ordet ska tas bort."}
        return page(_CONFIRM, request, status_code=400, entry=entry, errors=errors)
    await vocabulary.remove_word(request.user, entry.word)
    return Redirect(done("/drift/vardagsord", "ord-borttaget", ord=entry.word), status_code=303)


# --- searches that found nothing or led nowhere ----------------------------------------------

_MISSED = "search/missed_searches.html"
_LIFT = "search/learned_lift.html"
MISSED_PER_PAGE = 25
Choice = Annotated[str | None, Parameter(max_length=20)]
VIEW_SV = {
    "alla": "Hittade inget eller ledde ingenstans",
    "tomma": "Hittade inget",
    "ingenstans": "Ledde ingenstans",
}
SORT_SV = {"antal": "Flest sökningar", "senast": "Senast sökt", "ord": "Sökord (A–Ö)"}


def _choice(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else allowed[0]


def _suggested_word(meanings: list[tuple[str, vocabulary.KnownWord | None]]) -> str:
    """The word to teach from a search's words: the longest one the search does not know
    yet ("" when it knows them all: teaching would change nothing)."""
    unknown = [w for w, known in meanings if known is None and len(w) >= 2]
    return max(unknown, key=len) if unknown else ""


async def _missed_page(
    request: Request[Any, Any, Any],
    view: str,
    sort: str,
    page_number: int,
    *,
    taught: str | None = None,
    teach_for: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    sort_note: str = "",
    from_address: bool = False,
) -> Template:
    """The list's page `page_number`. `from_address`: the number came from the page's
    address (the GET), so a page past the last redirects to the last (`kernel.paging`); a
    refused teach form shows its own page again as it was posted."""
    result = await usage.missed_searches(
        view, sort, MISSED_PER_PAGE, (page_number - 1) * MISSED_PER_PAGE
    )
    if from_address:
        pages = check_page(page_number, result.total, MISSED_PER_PAGE)
    else:
        pages = page_count(result.total, MISSED_PER_PAGE)
    added = await vocabulary.added_words()
    meanings = {
        r.words: [(w, vocabulary.known_word(w, added)) for w in r.words.split()]
        for r in result.rows
    }
    return page(
        _MISSED,
        request,
        status_code=status_code,
        result=result,
        view=view,
        sort=sort,
        page_number=page_number,
        pages=pages,
        views=VIEW_SV,
        sorts=SORT_SV,
        sort_note=sort_note,
        meanings=meanings,
        suggested={words: _suggested_word(found) for words, found in meanings.items()},
        params=urlencode({"visa": view, "ordning": sort}),
        keep_days=get_settings().search_log_days,
        taught=taught,
        teach_for=teach_for,
        values=values or {},
        errors=errors or {},
        max_targets=vocabulary.MAX_TARGETS,
    )


@get("/drift/sokningar", guards=[admin_only], include_in_schema=False, name="missed-searches")
async def missed_searches_page(
    request: Request[Any, Any, Any],
    visa: FromQuery[Choice] = None,
    ordning: OrderKey = None,
    sida: PageNumber = 1,
) -> Template:
    """Logged searches, grouped by words, that found nothing or from which nothing was opened
    or proposed; each with a form to teach the search a word of it."""
    view = _choice(visa, usage.VIEWS)
    sort, sort_note = chosen_order(ordning, [(s, SORT_SV[s]) for s in usage.SORTS])
    return await _missed_page(request, view, sort, sida, sort_note=sort_note, from_address=True)


@post("/drift/sokningar/lar", guards=[admin_only], include_in_schema=False, status_code=303)
async def missed_search_teach(request: Request[AuthUser, Any, Any]) -> Template | Redirect:
    """Teach the search an everyday word from a logged search (audited as the word's addition);
    on a mistake the list comes back with the form as it was typed, at the same row."""
    values = await form_values(request)
    view = _choice(str(values.get("visa") or ""), usage.VIEWS)
    sort = _choice(str(values.get("ordning") or ""), usage.SORTS)
    raw_page = str(values.get("sida") or "1")
    page_number = int(raw_page) if raw_page.isdigit() and 1 <= int(raw_page) <= 1000 else 1
    try:
        _refuse_unreadable(values)
        added = await vocabulary.add_word(request.user, _word_in(values), source="från sökloggen")
    except MarketplaceError as exc:
        return await _missed_page(
            request,
            view,
            sort,
            page_number,
            teach_for=str(values.get("words") or "")[:200],
            values=without_control_characters(values),
            errors=field_errors(exc, _FIELDS),
            status_code=exc.status_code,
        )
    query = urlencode({"visa": view, "ordning": sort, "sida": page_number})
    return Redirect(
        done(f"/drift/sokningar?{query}", "ord-tillagt", ord=added.word), status_code=303
    )


# --- the learned lift ------------------------------------------------------------------------


@get("/drift/sokningar/lyft", guards=[admin_only], include_in_schema=False, name="learned-lift")
async def learned_lift_page(request: Request[Any, Any, Any]) -> Template:
    """The words that lift an occupation group, with the evidence, and the lift's switch."""
    settings = get_settings()
    return page(
        _LIFT,
        request,
        pairs=await lift.learned_pairs(settings),
        setting_on=settings.search_lift,
        switch_on=await lift.switch_on(),
        settings=settings,
        max_lift=round(lift.MAX_LIFT * 100),
    )


@post("/drift/sokningar/lyft", guards=[admin_only], include_in_schema=False, status_code=303)
async def learned_lift_switch(request: Request[AuthUser, Any, Any]) -> Redirect:
    """Turn the learned lift on or off for every worker (audited)."""
    raw = str((await form_values(request)).get("enabled") or "")
    if raw not in ("0", "1"):
        raise ValidationFailed("Välj om lyften ska vara på (1) eller av (0).", fields=["enabled"])
    enabled = raw == "1"
    await lift.set_switch(request.user, enabled)
    return Redirect(
        done("/drift/sokningar/lyft", "lyft-pa" if enabled else "lyft-av"), status_code=303
    )


ROUTES = [
    everyday_words_page,
    everyday_word_add,
    everyday_word_confirm,
    everyday_word_remove,
    missed_searches_page,
    missed_search_teach,
    learned_lift_page,
    learned_lift_switch,
]
