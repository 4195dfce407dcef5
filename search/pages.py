"""Search pages: the public slot search (`/platser`) and the coordinators' slot search on the
workbench (`/arbetsbord/platser`), with filters and explanations, and a published slot's own
page (`/platser/{id}`), opened from the hits.

Both searches run the same service as `GET /api/v1/slots/search` through
`search.queries.slot_query`; an htmx request gets only the result list, so filters update the
hits in place while the page still works without scripts. The slot's page is here because it
notes in the search log that a search's hit was opened (`sokning`); what it shows is the
slots' (`placements.services.slots.get_public_slot`, template `placements/public/slot.html`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from marketplace.kernel import i18n
from marketplace.kernel.auth import (
    PARTICIPANT_SESSION_COOKIE,
    AuthUser,
    current_user,
    public,
    staff,
)
from marketplace.kernel.controllers import client_address
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.i18n import N_, Translate
from marketplace.kernel.paging import PageNumber, check_page
from marketplace.kernel.templating import label, ltr_numbers
from marketplace.kernel.views import (
    ERROR_FRAMES,
    ErrorFrame,
    PublicErrors,
    nobody_more,
    page,
    public_frame,
)
from marketplace.reference import places
from placements.services import slots as slot_services
from placements.tables import SLOT_KINDS, TRACKS
from search import usage
from search.queries import slot_query, wrong_choices
from search.schemas import MAX_SEARCH_LENGTH, MAX_TOWN_LENGTH
from search.services import run_search

PAGE_SIZE = 10
DISTANCES = (5, 10, 25, 50, 100)
HOURS = (10, 20, 30, 40)


# Texts the public pages show from other packages' vocabularies (a slot's setting on its
# page, `employers.vocabulary.SETTING_LABELS`), so that the catalogs have them too; a slot's
# kind and tracks are in them already (`participants.i18n.SHOWN_FROM_ELSEWHERE`, my data).
SHOWN_FROM_ELSEWHERE = (
    N_("Arbetsplats på den öppna arbetsmarknaden"),
    N_("Ordinarie kommunal arbetsplats"),
    N_("Skyddad verksamhet"),
)
WITHIN_KM = N_("Inom %(km)s km")
# A plural pair (`search_options`): "10 ساعات" but "20 ساعة" in Arabic.
HOURS_TEXT = i18n.N_plural("%(hours)s timme", "%(hours)s timmar")


def search_options(translate: Translate = i18n.swedish, lang: str = i18n.DEFAULT) -> dict[str, Any]:
    """The choices the filter form offers, as (value, text) pairs in the page's language
    (`translate` and `lang`, Swedish by default), and the longest texts its boxes take."""
    _ = translate
    counted = i18n.ngettext_for(lang)
    return {
        "max_search_length": MAX_SEARCH_LENGTH,
        "max_town_length": MAX_TOWN_LENGTH,
        "kinds": [(k, _(label(k, "slot_kind"))) for k in SLOT_KINDS],
        "tracks": [(t, _(label(t, "track"))) for t in TRACKS],
        "distances": [(d, _(WITHIN_KM) % {"km": d}) for d in DISTANCES],
        "hours": [(h, counted(*HOURS_TEXT, h) % {"hours": h}) for h in HOURS],
    }


# The search's boxes a person types in, each with its longest text and the message past it.
TYPED_LIMITS = {
    "q": (
        N_(
            "Sökningen får vara högst %(limit)s tecken lång, den här är %(length)s. "
            "Korta den och sök igen."
        ),
        MAX_SEARCH_LENGTH,
    ),
    "town": (
        N_(
            "Orten får vara högst %(limit)s tecken lång, den här är %(length)s. "
            "Korta den och sök igen."
        ),
        MAX_TOWN_LENGTH,
    ),
}


def too_long(values: dict[str, str], translate: Translate = i18n.swedish) -> dict[str, str]:
    """The message at each box whose text is longer than the search takes: said on the page,
    with the text kept, not a bare 400 that loses it (the boxes' `maxlength` stops typing
    there, not a pasted address)."""
    return {
        name: translate(message) % {"limit": limit, "length": len(values[name])}
        for name, (message, limit) in TYPED_LIMITS.items()
        if len(values[name]) > limit
    }


def _int_or_none(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


# The filters' boxes that take a whole number, each with its highest value and the message
# at the box for anything else (an edited address: the boxes offer only good values).
NUMBER_FILTERS = {
    "distance": (
        1000,
        N_(
            "Avstånd från orten: välj ett avstånd i listan, till exempel \u201dInom 10 km\u201d, "
            "eller \u201dBara orten\u201d."
        ),
    ),
    "max_hours": (
        168,
        N_(
            "Högst timmar i veckan: välj i listan, till exempel \u201d20 timmar\u201d, eller "
            "\u201dAlla omfattningar\u201d."
        ),
    ),
}
DISTANCE_WITHOUT_TOWN = N_(
    "Avståndet räknas från en ort: skriv orten i rutan Ort, eller välj \u201dBara orten\u201d."
)
UNKNOWN_TOWN = N_(
    "Orten %(town)s finns inte i ortslistan; sök utan avstånd eller välj en annan ort."
)


def wrong_filters(values: dict[str, str], translate: Translate = i18n.swedish) -> dict[str, str]:
    """The message at each filter whose value the search does not take (a kind or track it
    does not know, a number filter's value no whole number in its range), and at the distance
    when there is no town to count it from: all of them said at once, none silently left out."""
    errors = {
        name: message
        for name, (highest, message) in NUMBER_FILTERS.items()
        if values[name].strip() and not 1 <= (_int_or_none(values[name]) or 0) <= highest
    }
    errors |= wrong_choices(values["kind"] or None, values["track"] or None)
    if values["distance"].strip() and not values["town"].strip():
        errors.setdefault("distance", DISTANCE_WITHOUT_TOWN)
    return {name: translate(message) for name, message in errors.items()}


async def search_context(
    q: str,
    kind: str | None,
    track: str | None,
    town: str | None,
    distance: str | None,
    max_hours: str | None,
    page_number: int,
    user: AuthUser | None = None,
    ref: str | None = None,
    address: str = "",
    translate: Translate = i18n.swedish,
    lang: str = i18n.DEFAULT,
) -> dict[str, Any]:
    """Run a search from the form's values; a search or a town too long (`too_long`) or an
    invalid filter (`wrong_filters`, and the kind and track `slot_query` refuses) becomes a
    message at its box, the page shown again, not an error page. The messages, the filters'
    options and the hits' reasons are in the page's language (`translate`; numbers in parts
    isolated left to right, `ltr_numbers`).

    A search with words gets a reference (`search_ref`) that the hits' links and the pager
    carry; the first page of a new search also brings `log_task`, which writes it to the
    search log (`search/usage.py`) after the answer is sent. Later pages reuse the reference.
    """
    values = {
        "q": q,
        "kind": kind or "",
        "track": track or "",
        "town": town or "",
        "distance": distance or "",
        "max_hours": max_hours or "",
    }
    radius = _int_or_none(distance)
    errors = too_long(values, translate) | wrong_filters(values, translate)
    result = None
    try:
        query = slot_query(
            q.strip(),
            limit=PAGE_SIZE,
            offset=(page_number - 1) * PAGE_SIZE,
            # A wrong kind or track is said above; the other filters are still checked.
            kind=None if "kind" in errors else kind or None,
            track=None if "track" in errors else track or None,
            town=(town or "").strip() or None,
            radius_km=float(radius) if radius and (town or "").strip() else None,
            max_hours=_int_or_none(max_hours),
        )
        result = None if errors else await run_search(query, translate)
    except ValidationFailed as exc:
        wrong = exc.fields[0] if exc.fields else ""
        # A filter's message stands at its own box; the rest at the search box.
        field = {"radius_km": "distance", "near": "town"}.get(
            wrong, wrong if wrong in ("kind", "track") else "q"
        )
        if field == "distance":
            question = places.did_you_mean(town or "", translate)
            message = translate(UNKNOWN_TOWN) % {"town": town} + (
                f" {question}" if question else ""
            )
            field = "town"
        else:
            message = translate(exc.message)
        errors.setdefault(field, message)
    errors = {name: ltr_numbers(message) for name, message in errors.items()}
    total = result.total if result else 0
    filtered = any(values[k] for k in ("kind", "track", "town", "distance", "max_hours"))
    unfiltered_total = 0
    if result is not None and not total and filtered and q.strip():
        # Nothing with the filters chosen: the words alone may still find slots, and "Prova
        # färre filter" left the coordinator to guess which filter to drop. Say how many.
        unfiltered_total = (await run_search(slot_query(q.strip(), limit=1))).total
    # A page past the last (an old link, an edited address) goes to the last page's address
    # (303), so that the address, the pager and "sida 6 av 6" agree, as in every list.
    pages = check_page(page_number, total, PAGE_SIZE) if result is not None else 1
    search_ref = usage.valid_ref(ref) if page_number > 1 else None
    log_task = None
    if result is not None and search_ref is None and usage.query_words(q):
        search_ref = usage.new_ref()
        log_task = BackgroundTask(
            usage.record_search_quietly, search_ref, q, total, filtered, user, address
        )
    carried = {k: v for k, v in values.items() if v}
    if search_ref:
        carried["sokning"] = search_ref
    params = urlencode(carried)
    return {
        "search_action": "/platser",
        "values": values,
        "errors": errors,
        "result": result,
        "facts": await slot_services.hit_facts([h.id for h in result.results]) if result else {},
        "page_number": min(page_number, pages),
        "pages": pages,
        "params": params,
        "unfiltered_total": unfiltered_total,
        "unfiltered_params": urlencode({"q": q.strip()}),
        "search_ref": search_ref,
        "log_task": log_task,
        **search_options(translate, lang),
    }


async def _searched(
    request: Request[Any, Any, Any],
    # The search and the town are as long as typed: past their limits the page says so
    # (`too_long`), with the text kept.
    q: FromQuery[str] = "",
    kind: Annotated[str | None, QueryParameter(max_length=20)] = None,
    track: Annotated[str | None, QueryParameter(max_length=20)] = None,
    town: FromQuery[str | None] = None,
    distance: Annotated[str | None, QueryParameter(max_length=5)] = None,
    max_hours: Annotated[str | None, QueryParameter(max_length=5)] = None,
    sida: PageNumber = 1,
    sokning: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> dict[str, Any]:
    """The search the filter form's query asks for, read and run the same way for both
    search pages (a dependency, so the query's fields and limits are declared once), in the
    page's language (`public_frame`: Swedish on the workbench, whose users are signed in)."""
    frame = public_frame(request)
    searched = await search_context(
        q,
        kind,
        track,
        town,
        distance,
        max_hours,
        sida,
        current_user(request),
        sokning,
        client_address(request),
        frame["_"],
        frame["lang"],
    )
    return {**frame, **searched}


_SEARCHED = {"searched": Provide(_searched)}


@get(
    "/platser",
    guards=[public],
    include_in_schema=False,
    name="slot_search_page",
    dependencies=_SEARCHED,
)
async def search_page(
    request: Request[Any, Any, Any], searched: NamedDependency[dict[str, Any]]
) -> Template:
    return search_page_response(request, "search/public_search.html", searched)


def search_page_response(
    request: Request[Any, Any, Any], template: str, context: dict[str, Any]
) -> Template:
    """The search page (or, for htmx, its result list), logging the search once it is sent.
    A search the page refused answers 400 with the page; htmx's result list answers 200, as
    htmx swaps in no 4xx answer (it would leave the last search's hits standing)."""
    task = context.pop("log_task", None)
    status_code = 400 if context["errors"] else 200
    if request.headers.get("hx-request") == "true":
        template, status_code = "search/_results.html", 200
        context["results_only"] = True
    response = page(template, request, status_code=status_code, **context)
    response.background = task
    return response


@get("/arbetsbord/platser", guards=[staff], include_in_schema=False, dependencies=_SEARCHED)
async def workbench_search(
    request: Request[Any, Any, Any], searched: NamedDependency[dict[str, Any]]
) -> Template:
    searched["search_action"] = "/arbetsbord/platser"
    return search_page_response(request, "search/workbench_search.html", searched)


@get("/platser/{slot_id:int}", guards=[public], include_in_schema=False, name="slot_page")
async def slot_page(
    request: Request[Any, Any, Any],
    slot_id: FromPath[int],
    sokning: Annotated[str | None, QueryParameter(max_length=40)] = None,
    fran: Annotated[str | None, QueryParameter(max_length=1000)] = None,
) -> Template:
    """One slot. Opened from a search's hits (`sokning`), the search log notes the open;
    opened from the workbench's search, `fran` is that search's query string, so that the
    breadcrumb leads back to the same hits (the search words and page), not an empty form."""
    slot = await slot_services.get_public_slot(slot_id)
    frame = public_frame(request)
    ref = usage.valid_ref(sokning)
    back = fran if fran and fran.isprintable() else None
    facts = await slot_services.hit_facts([slot_id])
    response = page(
        "placements/public/slot.html",
        request,
        slot=slot,
        search_ref=ref,
        back_query=back,
        # As its hit said: a seat is free, but no supervisor of the host has room.
        no_supervisor_free=slot_id in facts and facts[slot_id].no_supervisor_free,
        # A participant signed in on Mina sidor has a coordinator: no offer to apply for one.
        participant=bool(request.cookies.get(PARTICIPANT_SESSION_COOKIE)),
        **frame,
    )
    if ref is not None:
        user = current_user(request)
        response.background = BackgroundTask(usage.record_event_quietly, ref, "open", slot_id, user)
    return response


# The error pages of the public search and a slot's page in another language than Swedish:
# a closed slot's old link, or an address with a choice the search does not take. The
# message is the status's, in the page's language (the specific Swedish one is the site's
# page, for a Swedish reader and for staff).
ERROR_HEADINGS = {404: N_("Sidan finns inte"), 400: N_("Något behöver rättas")}
ERROR_TEXTS = {
    404: N_("Platsen finns inte, eller är inte längre publicerad."),
    400: N_("Adressen har ett val som sökningen inte kan läsa. Sök igen i formuläret."),
}
ERROR_OTHER = N_("Försök igen om en stund.")


PUBLIC_ERRORS = PublicErrors(
    public_frame,
    ("/platser", N_("Till sökningen")),
    ERROR_HEADINGS,
    ERROR_TEXTS,
    ERROR_OTHER,
)


ERROR_FRAMES.append(ErrorFrame("/platser", PUBLIC_ERRORS.render, nobody_more))

ROUTES = [search_page, workbench_search, slot_page]
