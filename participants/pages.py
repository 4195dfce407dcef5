"""The participant's own pages under /mina-sidor: overview, plan, proposals, slots,
agreement, the end of a placement and my data. Every route is guarded by a participant
session (`participant_only`) and reads through `participants.services`, which touches only
the signed-in participant's rows. Every answer is `Cache-Control: no-store`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup

from marketplace.kernel.errors import Conflict, ValidationFailed
from marketplace.kernel.forms import (
    check_encoding,
    control_problems,
    refuse,
    without_control_characters,
)
from marketplace.kernel.i18n import DEFAULT, gettext_for, known
from marketplace.kernel.paging import MAX_PAGE, check_page
from marketplace.kernel.templating import in_swedish
from marketplace.reference import taxonomy
from participants import services
from participants.i18n import language_of
from participants.sessions import participant_only
from participants.views import HOME, participant_of, pdone, ppage
from placements.services import slots as slot_services
from placements.views.agreements import no_store
from search.queries import slot_query
from search.services import run_search

Query = Annotated[str, msgspec.Meta(max_length=200)]


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The posted text fields; a file sent in a crafted form is no text (one was stored as
    its name and type, "hostname - application/octet-stream", as a participant's view).
    Text that is no UTF-8 is refused, as on the staff's forms (`check_encoding`)."""
    await check_encoding(request)
    form = await request.form()
    return {k: v[:5000] for k, v in form.items() if isinstance(v, str)}


def _unreadable(
    request: Request[Any, Any, Any], form: dict[str, str], **labels: str
) -> dict[str, str]:
    """The fields of `labels` (the page's own words, in Swedish) whose text holds an invisible
    control character, each with its message in the participant's language: refused as the
    staff's forms refuse them (`marketplace.kernel.forms.round_trip`)."""
    _ = gettext_for(language_of(request))
    named = {name: _(label) for name, label in labels.items()}
    return control_problems(form, named, only=named, translate=_)


@get("/", include_in_schema=False, name="participant-home")
async def home(request: Request[Any, Any, Any]) -> Template:
    overview = await services.overview(participant_of(request))
    return ppage("participant/home.html", request, overview=overview)


@get("/plan", include_in_schema=False)
async def plan_page(request: Request[Any, Any, Any]) -> Template:
    overview = await services.plan(participant_of(request))
    return ppage("participant/plan.html", request, overview=overview)


def _language_names(lang: str) -> Callable[[str], Markup]:
    """How a proposal's reason names a language in a page in `lang`: in that language
    ("Arabic", "العربية"), or, when CLDR does not know it or the page is Swedish, by its
    Swedish name marked as Swedish."""

    def named(label: str) -> Markup:
        name = None if lang == DEFAULT else taxonomy.language_name(label, lang)
        return in_swedish(label) if name is None else Markup("%s") % name

    return named


async def _proposals_page(
    request: Request[Any, Any, Any],
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    failed: int | None = None,
    refusal: str = "",
    status_code: int = 200,
) -> Template:
    found = await services.proposals(participant_of(request))
    return ppage(
        "participant/proposals.html",
        request,
        status_code=status_code,
        proposals=found,
        language_name=_language_names(known(language_of(request))),
        errors=errors or {},
        values=values or {},
        failed=failed,
        refusal=refusal,
    )


@get("/forslag", include_in_schema=False)
async def proposals_page(request: Request[Any, Any, Any]) -> Template:
    return await _proposals_page(request)


@post("/forslag/{booking_id:int}/svar", include_in_schema=False, status_code=303)
async def answer(request: Request[Any, Any, Any], booking_id: FromPath[int]) -> Redirect | Template:
    form = await _form(request)
    unreadable = _unreadable(request, form, comment="Kommentar (behövs om du inte vill)")
    try:
        if unreadable:  # refused with the answer's own rule, nothing stored
            shown = without_control_characters(form)
            refuse(
                {
                    **services.answer_problems(shown.get("answer", ""), shown["comment"]),
                    **unreadable,
                }
            )
        status = await services.answer_proposal(
            participant_of(request), booking_id, form.get("answer", ""), form.get("comment", "")
        )
    except ValidationFailed as exc:
        return await _proposals_page(
            request,
            errors=exc.errors,
            values=without_control_characters(form),
            failed=booking_id,
            status_code=400,
        )
    except Conflict as exc:
        # The slot closed meanwhile, or the proposal was settled: said on the page, in the
        # participant's language, beside the proposal.
        return await _proposals_page(
            request, refusal=exc.message, failed=booking_id, status_code=exc.status_code
        )
    # A "vill inte" closes the proposal: the notice says so, not only that it is saved.
    notice = "svar-forslaget-stangt" if status == "withdrawn" else "svar-sparat"
    return Redirect(pdone(f"{HOME}/forslag", notice), status_code=303)


# Slots per page of the participant's search; `?sida=` pages on, with the words kept.
SLOTS_PER_PAGE = 20


def _page_number(raw: str) -> int:
    """The page asked for (`sida`): a number from 1 to MAX_PAGE; anything else (empty, "0",
    "-1", "abc", a huge number) is page 1 or the last allowed, never an error: a mistyped
    address still shows the slots."""
    raw = raw.strip()
    if not raw.isdecimal() or not raw.isascii():
        return 1
    return max(1, min(int(raw[:6]), MAX_PAGE))


def _search_address(q: str, page: int = 1) -> str:
    """The slot search at its words and page: the address a pager link, or the way back
    from marking a slot, opens."""
    params = {k: v for k, v in (("q", q), ("sida", str(page) if page > 1 else "")) if v}
    return f"{HOME}/platser?{urlencode(params)}" if params else f"{HOME}/platser"


@get("/platser", include_in_schema=False)
async def slots_page(
    request: Request[Any, Any, Any], q: FromQuery[Query] = "", sida: FromQuery[str] = ""
) -> Template:
    """The slots the words find, SLOTS_PER_PAGE at a time, best first: the number of hits,
    and links to the page before and after. A page past the last redirects to the last. Each hit
    shows its hours, period and description (`hit_facts`, as the staff search: one read
    for the page, not one per hit)."""
    participant = participant_of(request)
    words = q.strip()
    page = _page_number(sida)
    result = await run_search(
        slot_query(words, limit=SLOTS_PER_PAGE, offset=(page - 1) * SLOTS_PER_PAGE)
    )
    pages = check_page(page, result.total, SLOTS_PER_PAGE)
    return ppage(
        "participant/slots.html",
        request,
        q=q,
        hits=result.results,
        facts=await slot_services.hit_facts([h.id for h in result.results], description=True),
        total=result.total,
        page_number=page,
        pages=pages,
        per_page=SLOTS_PER_PAGE,
        previous_page=_search_address(words, page - 1) if page > 1 else "",
        next_page=_search_address(words, page + 1) if page < pages else "",
        marked=await services.interest_ids(participant),
        interests=await services.interests(participant),
    )


async def _back_to_search(request: Request[Any, Any, Any]) -> str:
    """The slot search the participant marked a slot from, with its words and page (the
    form sends them back): the list they were reading, not the list of every slot."""
    form = await _form(request)
    return _search_address(form.get("q", "").strip()[:200], _page_number(form.get("sida", "")))


@post("/platser/{slot_id:int}/intresse", include_in_schema=False, status_code=303)
async def mark_interest(request: Request[Any, Any, Any], slot_id: FromPath[int]) -> Redirect:
    await services.mark_interest(participant_of(request), slot_id)
    return Redirect(pdone(await _back_to_search(request), "intresse-sparat"), status_code=303)


@post("/platser/{slot_id:int}/intresse/ta-bort", include_in_schema=False, status_code=303)
async def remove_interest(request: Request[Any, Any, Any], slot_id: FromPath[int]) -> Redirect:
    await services.remove_interest(participant_of(request), slot_id)
    return Redirect(pdone(await _back_to_search(request), "intresse-borttaget"), status_code=303)


@get("/overenskommelse", include_in_schema=False)
async def agreement_page(request: Request[Any, Any, Any]) -> Template:
    found = await services.my_agreements(participant_of(request))
    return ppage("participant/agreement.html", request, agreements=found)


@post("/overenskommelse/{booking_id:int}/underteckna", include_in_schema=False, status_code=303)
async def sign(request: Request[Any, Any, Any], booking_id: FromPath[int]) -> Redirect:
    form = await _form(request)
    raw = form.get("version", "")
    version = int(raw) if raw.isdigit() and len(raw) < 6 else None
    await services.sign_agreement(participant_of(request), booking_id, version)
    return Redirect(pdone(f"{HOME}/overenskommelse", "undertecknad"), status_code=303)


async def _ended_page(
    request: Request[Any, Any, Any],
    *,
    errors: dict[str, str] | None = None,
    failed: int | None = None,
    typed: str | None = None,
    status_code: int = 200,
) -> Template:
    """The ended placements; a refused view (`failed`) shows again what was `typed`."""
    found = await services.ended_placements(participant_of(request))
    return ppage(
        "participant/ended.html",
        request,
        status_code=status_code,
        placements=found,
        errors=errors or {},
        failed=failed,
        typed=typed,
    )


@get("/avslutade", include_in_schema=False)
async def ended_page(request: Request[Any, Any, Any]) -> Template:
    return await _ended_page(request)


@post("/avslutade/{booking_id:int}", include_in_schema=False, status_code=303)
async def end_view(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Redirect | Template:
    form = await _form(request)
    try:
        refuse(
            _unreadable(request, form, text="Vad gick bra? Vad lärde du dig? Vad vill du göra nu?")
        )
        await services.give_end_view(participant_of(request), booking_id, form.get("text", ""))
    except ValidationFailed as exc:
        return await _ended_page(
            request,
            errors=exc.errors,
            failed=booking_id,
            typed=without_control_characters(form).get("text", ""),
            status_code=400,
        )
    return Redirect(pdone(f"{HOME}/avslutade", "synpunkter-sparade"), status_code=303)


def _readers_address(page: int) -> str:
    """A page of "who has read my data", at the list (it is below my data)."""
    return f"{HOME}/mina-uppgifter{f'?sida={page}' if page > 1 else ''}#who-title"


@get("/mina-uppgifter", include_in_schema=False)
async def my_data(request: Request[Any, Any, Any], sida: FromQuery[str] = "") -> Template:
    """My data first, then who has read it, services.READERS_PER_PAGE at a time (`?sida=`;
    a page number that is not one is the first page, one past the end the last)."""
    sections, readers = await services.my_data(
        participant_of(request), _page_number(sida), known(language_of(request))
    )
    return ppage(
        "participant/my_data.html",
        request,
        sections=sections,
        readers=readers,
        per_page=services.READERS_PER_PAGE,
        previous_page=_readers_address(readers.page - 1) if readers.page > 1 else "",
        next_page=_readers_address(readers.page + 1) if readers.page < readers.pages else "",
    )


PAGES = Router(
    path=HOME,
    guards=[participant_only],
    route_handlers=[
        home,
        plan_page,
        proposals_page,
        answer,
        slots_page,
        mark_interest,
        remove_interest,
        agreement_page,
        sign,
        ended_page,
        end_view,
        my_data,
    ],
    middleware=[no_store],
)
ROUTES: list[Any] = [PAGES]
