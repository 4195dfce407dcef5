"""The coordinator's workbench (`/arbetsbord`): one way in to the participants, the slots and
the agreements. My candidates with lock-in flags, the agreement editor with each signature's
status and the links to send, and the follow-ups and outcomes that are due.

The pages built on matching (a participant's page with the slots that suit them, and the
propose page with the participants who suit a slot) and the slot search are served by the
search (`search.matching_pages`, `search.pages`), which `placements` never imports; they take
their placements parts from here (`candidate_context`, `propose_context`, `propose_from_form`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser, signed_in_user, staff
from marketplace.kernel.errors import NotFound, ValidationFailed
from marketplace.kernel.forms import (
    ACTION,
    Form,
    Landing,
    NoFields,
    field_errors,
    form_values,
    is_ticked,
    parse_form,
    rerender_as,
    round_trip,
    without_control_characters,
)
from marketplace.kernel.notices import done
from marketplace.kernel.paging import OrderKey, PageNumber, check_page, chosen_order, page_count
from marketplace.kernel.templating import LABELS
from marketplace.kernel.views import action_posts, page
from marketplace.reference import taxonomy
from placements import booking_states, date_rules, vocabulary
from placements.rows import BookingRow
from placements.schemas import agreements as agreement_schemas
from placements.schemas import bookings as booking_schemas
from placements.schemas import candidates as candidate_schemas
from placements.schemas import outcomes as outcome_schemas
from placements.services import agreements as agreement_services
from placements.services import answer_links, booking_access
from placements.services import answers as answer_services
from placements.services import attendance as attendance_services
from placements.services import bookings as booking_services
from placements.services import candidates as candidate_services
from placements.services import lockin as lockin_services
from placements.services import outcomes as outcome_services
from placements.services import partners as partner_services
from placements.services import slots as slot_services
from placements.services import supervisors as supervisor_services
from placements.services.own_pages import own_pages_of
from placements.services.people_search import looks_like_identity_number
from placements.views import attendance as attendance_views

T = TypeVar("T")
Req = Request[Any, Any, Any]
BookingId = FromPath[int]

PROPOSE_LABELS = {
    "candidate_id": "Deltagare",
    "message": "Meddelande till värden",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "confirm_capacity": "Skicka förslaget ändå",
    "confirm_hours": "Skicka förslaget ändå, för deltagarens timmar",
    "participant_first": "Låt deltagaren svara först",
}
PHONE_LABELS = {
    "answer": "Värdens svar",
    "answered_by": "Vem hos värden svarade?",
    "note": "Anteckning om samtalet",
    "supervisor_id": "Handledare",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
}
AGREEMENT_LABELS = vocabulary.AGREEMENT_FIELD_LABELS
PAPER_LABELS = {
    "party": "Vem skrev under på papper?",
    "version": "Version",
    "signer_name": "Vem skrev under för värden?",
}
END_LABELS = {
    "result": "Hur slutade placeringen?",
    "end_date": "Slutdatum",
    "reason": "Skäl",
    "confirm_end": "Bekräftelse",
}
END_UNCONFIRMED = (
    "Kryssa i rutan ”Ja, avsluta placeringen” för att avsluta. En avslutad placering kan inte "
    "startas igen."
)
OUTCOME_LABELS = {
    "category": "Utfall",
    "outcome_date": "Datum för utfallet",
    "subsidised": "Subventionerad anställning",
    "hired_by_host": "Anställd hos värden",
    "lasts_at_least_one_month": "Anställningen varar minst en månad i följd",
    "municipal_labour_market_job": "Kommunal arbetsmarknadsanställning",
    "csn_eligible": "Studierna ger rätt till studiemedel (CSN)",
    "note": "Anteckning",
}


@dataclass(frozen=True)
class FollowUpForm:
    """A follow-up form the service refused: which one, what was typed, and why."""

    id: int
    values: dict[str, Any]
    errors: dict[str, str]


CORRECTION_LABELS = {**OUTCOME_LABELS, "reason": "Varför rättas utfallet?"}
FOLLOW_UP_LABELS = {
    "result_category": "Var är personen nu?",
    "lasts_at_least_one_month": "Anställningen varar minst en månad i följd",
    "municipal_labour_market_job": "Kommunal arbetsmarknadsanställning",
    "csn_eligible": OUTCOME_LABELS["csn_eligible"],
    "note": "Anteckning",
}
FOLLOW_UP_FLAGS = ["lasts_at_least_one_month", "municipal_labour_market_job", "csn_eligible"]
OUTCOME_FLAGS = [
    "subsidised",
    "hired_by_host",
    "lasts_at_least_one_month",
    "municipal_labour_market_job",
    "csn_eligible",
]
ENDED = ("completed", "interrupted")


def _outcome_options() -> list[tuple[str, str]]:
    return list(LABELS["outcome"].items())


async def _bookings(user: AuthUser, **filters: Any) -> list[booking_schemas.Booking]:
    return (await booking_services.list_bookings_for(user, limit=100, **filters)).items


# The participant list: 20 a page, in the order chosen by `sortera` (Swedish keys in the
# URL, "-" first for descending) mapped to the service's sort keys.
CANDIDATES_PER_PAGE = 20
# The workbench lists the follow-ups due within FOLLOW_UPS_AHEAD, each with its form, and
# those done within the last FOLLOW_UPS_DONE_SHOWN, with their answers.
FOLLOW_UPS_AHEAD = dt.timedelta(days=14)
FOLLOW_UPS_DONE_SHOWN = dt.timedelta(days=30)
PAGE_SORTS = {"namn": "name", "inskriven": "registered", "status": "status", "andrad": "updated"}
# Every order the list takes is a choice of the sort box (the headings' too: "-status" is
# the status heading's second click), the default first.
SORT_CHOICES = [
    ("namn", "Namn, A–Ö"),
    ("-namn", "Namn, Ö–A"),
    ("-inskriven", "Inskriven, nyast först"),
    ("inskriven", "Inskriven, äldst först"),
    ("status", "Status"),
    ("-status", "Status, omvänd ordning"),
    ("-andrad", "Senast ändrad först"),
    ("andrad", "Längst sedan ändrad först"),
]
# The list's columns that sort: (column key, heading, the order a first click gives).
SORT_COLUMNS = [
    ("namn", "Namn", "namn"),
    ("status", "Status", "status"),
    ("inskriven", "Inskriven", "-inskriven"),
    ("andrad", "Senast ändrad", "-andrad"),
]
# The list's address holds names only; the API's message names its own search, not this box.
PERSONNUMMER_IN_ADDRESS = (
    "Personnummer söks inte från sidans adress, så att numret inte sparas i webbläsarens "
    "historik. Skriv hela numret i sökrutan och tryck på Sök."
)
# The number is not shown again (the page holds no personnummer it was not asked for), so the
# message says how to go on: type it anew, or the person is someone else's participant.
NO_SUCH_PERSONNUMMER = (
    "Ingen av de deltagare du har tillgång till har det personnumret. Numret visas inte "
    "igen: skriv det på nytt om en siffra blev fel (10 eller 12 siffror, t.ex. "
    "19121212-1212). Hör personen till en annan samordnare syns hen inte här."
)


def wrong_list_filters(status: str, flaggade: str) -> dict[str, str]:
    """The message at each of the list's filter boxes whose value in the address the box
    does not offer (an edited or old address), in the box's words."""
    errors = {}
    statuses = LABELS["candidate_status"]
    if status and status not in statuses:
        words = ", ".join(f"\u201d{word}\u201d" for word in statuses.values())
        errors["status"] = f"Status: välj {words} eller \u201dAlla\u201d i listan."
    if flaggade not in ("", "0", "1"):
        errors["flaggade"] = (
            "Bara de med inlåsningsflagga: kryssa i rutan för att se bara dem, eller lämna den tom."
        )
    return errors


def page_links(current: int, pages: int) -> list[int | None]:
    """The page numbers to link: the first, the last and two either side of the current one;
    None where pages are left out."""
    shown = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and links[-1] is not None and number - links[-1] > 1:
            links.append(None)
        links.append(number)
    return links


def _list_query(q: str, status: str, flaggade: int, sortera: str) -> str:
    params = {"q": q, "flaggade": "1" if flaggade else "", "sortera": sortera}
    # The status goes along even when blank ("Alla"): left out, it means "active".
    return urlencode({"status": status, **{k: v for k, v in params.items() if v}})


def _href(query: str) -> str:
    """The list's URL with `query`, ready for one more parameter."""
    return f"/arbetsbord?{query}&" if query else "/arbetsbord?"


async def _workbench_page(
    request: Request[Any, Any, Any],
    *,
    q: str = "",
    status: str = "active",
    flaggade: int = 0,
    sortera: str = "namn",
    sort_note: str = "",
    sida: int = 1,
    found: candidate_schemas.CandidatePage | None = None,
    by_personnummer: bool = False,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    follow_up: FollowUpForm | None = None,
) -> Template:
    """The workbench; its participant list is `found` (a personnummer search) when given,
    else the page `sida` of the list filtered and sorted as asked. `follow_up` is a refused
    follow-up form, shown again with what was typed and its errors."""
    user = signed_in_user(request)
    flags = await lockin_services.list_lock_in_flags_for(user)
    flagged = {f.candidate_id: f for f in flags}
    if found is None and not errors:
        found = await candidate_services.list_candidates_for(
            user,
            status=status or None,
            q=q.strip() or None,
            sort=("-" if sortera.startswith("-") else "") + PAGE_SORTS[sortera.lstrip("-")],
            limit=CANDIDATES_PER_PAGE,
            offset=(sida - 1) * CANDIDATES_PER_PAGE,
            only_ids=flagged if flaggade else None,
        )
        # Past the last page (an old link, an edited address, a list that shrank): to the
        # last page, filters and order kept (`kernel.paging`); nothing was read to audit.
        check_page(sida, found.total, CANDIDATES_PER_PAGE)
    total = found.total if found else 0
    pages = page_count(total, CANDIDATES_PER_PAGE)
    other_statuses = 0
    if total == 0 and status and q.strip() and not by_personnummer and not errors:
        # "astrom" under "Aktiv" found nothing, and nothing said that Kevin Åström is
        # "Vilande": say how many the name finds under every status, with a link to them.
        other_statuses = await candidate_services.count_by_name_for(
            user, q, only_ids=flagged if flaggade else None
        )
    similar_name = None
    if total == 0 and not other_statuses and q.strip() and not by_personnummer and not errors:
        # "hadad" found nobody under any status, and Ali Haddad is there: offer the name.
        similar_name = await candidate_services.similar_name_for(
            user, q, only_ids=flagged if flaggade else None
        )
    today = clock.today()
    follow_ups = await outcome_services.list_follow_ups_for(user, due_by=today + FOLLOW_UPS_AHEAD)
    # Those just done, with their answers: saved, a follow-up left the list above and was
    # shown nowhere.
    follow_ups_done = await outcome_services.list_follow_ups_for(
        user, status="done", done_since=clock.now() - FOLLOW_UPS_DONE_SHOWN
    )
    lists = await booking_services.bookings_by_status_for(
        user,
        [
            booking_states.AWAITING,
            "proposed",
            "accepted",
            "agreed",
            "active",
            "completed",
            "interrupted",
        ],
    )
    active = lists["active"]
    absence_alerts = await attendance_services.alerts_among(user, [b.id for b in active])
    ended = lists["completed"] + lists["interrupted"]
    recorded = await outcome_services.bookings_with_outcomes(ended)
    to_record = [booking for booking in ended if booking.id not in recorded]
    return page(
        "placements/workbench/home.html",
        request,
        status_code=status_code,
        candidates=found.items if found else [],
        total=total,
        # "Mina deltagare (n)" counts the coordinator's list; a personnummer's hits, or a page
        # whose number in the address was refused (nothing listed), are no such count.
        list_count=None if by_personnummer or errors else total,
        page_number=sida,
        pages=pages,
        page_links=page_links(min(sida, pages), pages),
        page_href=_href(_list_query(q, status, flaggade, sortera)),
        other_statuses=other_statuses,
        all_statuses_href=f"/arbetsbord?{_list_query(q, '', flaggade, sortera)}",
        similar_name=similar_name,
        similar_name_href=f"/arbetsbord?{_list_query(similar_name, '', flaggade, sortera)}"
        if similar_name
        else None,
        sort_href=_href(_list_query(q, status, flaggade, "")),
        sortera=sortera,
        sort_columns=SORT_COLUMNS,
        by_personnummer=by_personnummer,
        flagged=flagged,
        flags=flags,
        values={"q": q, "status": status, "flaggade": "1" if flaggade else "", "sortera": sortera},
        statuses=list(LABELS["candidate_status"].items()),
        sort_choices=SORT_CHOICES,
        sort_note=sort_note,
        awaiting_participant=lists[booking_states.AWAITING],
        proposals=lists["proposed"],
        awaiting_signatures=lists["accepted"],
        # Signed by all and not started yet: listed nowhere, the coming starts were unseen.
        starting=sorted(lists["agreed"], key=lambda b: (b.start_date or dt.date.max, b.id)),
        active=active,
        absence_alerts=absence_alerts,
        follow_ups=follow_ups,
        follow_ups_done=follow_ups_done,
        follow_ups_done_days=FOLLOW_UPS_DONE_SHOWN.days,
        to_record=to_record,
        outcome_options=_outcome_options(),
        today=today,
        errors=errors or {},
        follow_up=follow_up,
    )


@get("/arbetsbord", guards=[staff], include_in_schema=False, name="workbench")
async def workbench(
    request: Request[Any, Any, Any],
    q: Annotated[str, QueryParameter(max_length=100)] = "",
    status: Annotated[str, QueryParameter(max_length=20)] = "active",
    flaggade: Annotated[str, QueryParameter(max_length=20)] = "",
    sortera: OrderKey = None,
    sida: PageNumber = 1,
) -> Template:
    """The workbench with the participant list, filtered, sorted and paged by the URL. An
    order the sort box does not offer shows the list in name order, said at the box. A
    personnummer is never searched from the URL (it must not stand in one): it is refused
    (400, nothing looked up or audited) with a message beside the search box, which posts to
    `/arbetsbord/deltagare/sok`. A status or a flag filter the form does not offer is said at
    its box (400), the other values kept, nothing listed."""
    order, sort_note = chosen_order(sortera, SORT_CHOICES)
    errors = wrong_list_filters(status, flaggade)
    if looks_like_identity_number(q):
        # The number is not shown again either: it must not stay in the page.
        q, errors = "", {"q": PERSONNUMMER_IN_ADDRESS, **errors}
    if errors:
        return await _workbench_page(
            request,
            q=q,
            status=status,
            flaggade=1 if flaggade == "1" else 0,
            sortera=order,
            sort_note=sort_note,
            errors=errors,
            status_code=400,
        )
    return await _workbench_page(
        request,
        q=q,
        status=status,
        flaggade=int(flaggade or 0),
        sortera=order,
        sort_note=sort_note,
        sida=sida,
    )


@post("/arbetsbord/deltagare/sok", guards=[staff], include_in_schema=False, status_code=303)
async def candidate_search(request: Request[Any, Any, Any]) -> Template | Redirect:
    """The participant search box. A personnummer (written in any accepted form) is looked
    up exactly and audited: one match opens that participant's page, else the list says
    nothing was found. Anything else is a name, and the list is shown filtered by the URL."""
    values = await form_values(request)

    def text(name: str, default: str = "") -> str:
        value = values.get(name, default)
        return str(value[-1] if isinstance(value, list) else value)[:100]

    q = text("q").strip()
    status = text("status", "active")
    status = status if status in LABELS["candidate_status"] or status == "" else "active"
    flaggade = 1 if is_ticked(values, "flaggade") else 0
    sortera, _ = chosen_order(text("sortera"), SORT_CHOICES)
    if looks_like_identity_number(q):
        found = await candidate_services.find_by_personnummer(signed_in_user(request), q)
        if found.total == 1:
            return Redirect(f"/arbetsbord/deltagare/{found.items[0].id}", status_code=303)
        return await _workbench_page(
            request,
            status=status,
            flaggade=flaggade,
            sortera=sortera,
            found=found,
            by_personnummer=True,
            errors={} if found.items else {"q": NO_SUCH_PERSONNUMMER},
            status_code=200,
        )
    return Redirect(f"/arbetsbord?{_list_query(q, status, flaggade, sortera)}", status_code=303)


async def candidate_context(user: AuthUser, candidate_id: int) -> dict[str, Any]:
    """A participant's page (`placements/workbench/candidate.html`) but for the slots that
    suit them: the profile, plan, consents, own pages, timeline and lock-in flags. The page
    itself, with the matching, is served by the search (`search.matching_pages`)."""
    candidate = await candidate_services.get_candidate_for(user, candidate_id)
    plan = await candidate_services.get_plan_for(user, candidate_id)
    timeline = [
        await booking_services.get_booking_for(user, b.id)
        for b in await _bookings(user, candidate_id=candidate_id)
    ]
    flags = [
        f
        for f in await lockin_services.list_lock_in_flags_for(user)
        if f.candidate_id == candidate_id
    ]
    wished = [taxonomy.occupation(o) for o in candidate.wished_occupations]
    skills = taxonomy.skills()
    today = clock.today()
    return {
        "candidate": candidate,
        "follow_ups": await outcome_services.follow_ups_of_candidate(user, candidate_id),
        "follow_up_today": today,
        "follow_up_form_by": today + FOLLOW_UPS_AHEAD,
        # Read under the page's own audited read of the participant (candidate.read).
        "partner_consents": await partner_services.consents_of(candidate_id),
        "own_pages": await own_pages_of(candidate_id),
        "plan": plan,
        "timeline": timeline,
        "flags": flags,
        "wished_labels": [o.label for o in wished if o is not None],
        "skill_labels": [skills.get(s, s) for s in candidate.skills],
        "language_labels": [taxonomy.languages().get(x, x) for x in candidate.languages],
    }


NO_CONSENT_OPTION = " (samtycke saknas)"


# --- the propose flow (its pages, with the participants who suit the slot, are the search's:
# `search.matching_pages`) ---------------------------------------------------------------------


async def propose_context(user: AuthUser, slot_id: int) -> dict[str, Any]:
    """The propose page's slot, the caller's active participants to choose from, and labels."""
    slot = await slot_services.get_slot(user, slot_id)
    mine = (await candidate_services.list_candidates_for(user, status="active", limit=500)).items
    return {
        "slot": slot,
        # A participant without a registered consent cannot be proposed (`bookings.propose`):
        # the list says so before the form is sent.
        "candidate_options": [
            (c.id, f"{c.first_name} {c.last_name}{'' if c.consented else NO_CONSENT_OPTION}")
            for c in mine
        ],
        "labels": PROPOSE_LABELS,
    }


async def propose_from_form(user: AuthUser, slot_id: int, values: dict[str, Any]) -> str:
    """Propose a participant for the slot from the propose form's fields; returns the booking
    page to land on, with its notice. A refusal is the service's `MarketplaceError` (a
    `bookings.CapacityWarning` when the host could not accept it as it stands)."""
    data = parse_form(
        booking_schemas.BookingCreate,
        {**values, "slot_id": str(slot_id)},
        labels={**PROPOSE_LABELS, "slot_id": "Plats"},
        flags=["confirm_capacity", "confirm_hours", "participant_first"],
        blank_is_none=["start_date", "end_date"],
        blank_is_empty=["message"],
        rules=date_rules.form_rules("proposal"),
    )
    booking = await booking_services.propose(user, data)
    return done(
        f"/arbetsbord/bokningar/{booking.id}",
        "forslag-till-deltagaren" if data.participant_first else "forslag-skickat",
    )


# --- one booking: agreement editor, signatures and links, start, end, outcome ------------------


def _agreement_values(agreement: agreement_schemas.Agreement | None) -> dict[str, Any]:
    if agreement is None:
        return {}
    return {
        "start_date": agreement.start_date.isoformat() if agreement.start_date else "",
        "end_date": agreement.end_date.isoformat() if agreement.end_date else "",
        "weekly_schedule": agreement.weekly_schedule,
        "tasks": agreement.tasks,
        "participant_goals": agreement.participant_goals,
        "host_gains": agreement.host_gains,
        "adaptations_shared": list(agreement.adaptations_shared),
    }


async def _booking_context(
    user: AuthUser,
    booking_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    booking = await booking_services.get_booking_for(user, booking_id)
    agreement = None
    if booking.status not in (booking_states.AWAITING, "proposed", "declined", "withdrawn"):
        try:
            agreement = await agreement_services.get_agreement_for(user, booking_id)
        except NotFound:  # a booking without an agreement row: the rest of it is shown
            agreement = None
    outcomes = await outcome_services.outcomes_of_booking(user, booking_id)
    follow_ups: list[outcome_schemas.FollowUp] = []
    if outcomes:
        recorded = {o.id for o in outcomes}
        follow_ups = [
            f
            for f in await outcome_services.follow_ups_of_candidate(user, booking.participant.id)
            if f.outcome_id in recorded
        ]
    assessment = None
    if booking.status in ENDED:
        assessment = await outcome_services.get_assessment_for(user, booking_id)
    options = None
    host_has_users = await answer_links.host_has_users(booking.host_id)
    if booking.status == "proposed":
        options = await answer_services.accept_options_for(user, booking_id, audit=False)
    presence = None
    if booking.status in attendance_services.REPORTABLE:
        presence = await attendance_services.attendance_for(user, booking_id)
    own = await own_pages_of(booking.participant.id)
    host_signer, host_signers = "", list[str]()
    if agreement is not None and not host_has_users and booking.status == "accepted":
        row = await booking_access.booking_row_for(user, booking_id)
        host_signer, host_signers = await answer_links.host_signer_choices(row)
    return {
        **attendance_views.context(presence, f"/arbetsbord/bokningar/{booking_id}/narvaro"),
        "supervisor_change": await supervisor_services.change_options(user, booking_id),
        "contacts_link": f"/vard/organisation/{booking.host_id}#kontakter",
        "booking": booking,
        "participant_answer": own.answers.get(booking_id),
        "agreement": agreement,
        "outcomes": outcomes,
        "follow_ups": follow_ups,
        "follow_up_today": clock.today(),
        "follow_up_form_by": clock.today() + FOLLOW_UPS_AHEAD,
        "assessment": assessment,
        "links": await agreement_services.links_sent(booking_id) if agreement else [],
        "answer_links": await answer_services.links_for(user, booking_id, audit=False),
        "host_has_users": host_has_users,
        # A paper signature for the host is in the name the coordinator chooses.
        "host_signer": host_signer,
        "host_signers": host_signers,
        "options": options,
        # What the participant agreed to share with hosts: the agreement's boxes to tick.
        "shareable": await _shareable(booking.participant.id) if agreement else [],
        "values": values if values is not None else _agreement_values(agreement),
        "errors": errors or {},
        "labels": {
            **AGREEMENT_LABELS,
            **END_LABELS,
            **CORRECTION_LABELS,
            **PAPER_LABELS,
            **attendance_views.LABELS,
        },
        # Apart, as its "note" is the call's, not the outcome's "Anteckning".
        "phone_labels": PHONE_LABELS,
        "end_labels": END_LABELS,
        "outcome_options": _outcome_options(),
        "outcome_values": _outcome_values(outcomes[0]) if outcomes else {},
        "today": clock.today().isoformat(),
    }


async def _shareable(candidate_id: int) -> list[tuple[str, str]]:
    """The adaptations a participant agreed to share with hosts, as (value, text) boxes."""
    row = await candidate_services.candidate_row(candidate_id)
    return [(a, a) for a in candidate_services.shareable_adaptations(row)] if row else []


def _outcome_values(outcome: outcome_schemas.Outcome) -> dict[str, Any]:
    """The recorded outcome as the correction form starts from."""
    return {
        "category": outcome.category,
        "outcome_date": outcome.outcome_date.isoformat(),
        "subsidised": "1" if outcome.subsidised else "",
        "hired_by_host": "1" if outcome.hired_by_host else "",
        # Recorded as work or studies, the rule's confirmation was given then.
        "lasts_at_least_one_month": "1" if outcome.category == "arbete" else "",
        "csn_eligible": "1" if outcome.category == "studier" else "",
        "note": outcome.note,
    }


async def _booking_page(
    request: Request[Any, Any, Any],
    booking_id: int,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error_heading: str = "",
) -> Template:
    """The booking page as the signed-in coordinator sees it: plain, or with a refused
    form's values and messages (under `error_heading` when no form was filled in wrong)."""
    context = await _booking_context(
        signed_in_user(request), booking_id, values=values, errors=errors
    )
    return page(
        "placements/workbench/booking.html",
        request,
        status_code=status_code,
        error_heading=error_heading,
        **context,
    )


@get("/arbetsbord/bokningar/{booking_id:int}", guards=[staff], include_in_schema=False)
async def booking_page(request: Request[Any, Any, Any], booking_id: FromPath[int]) -> Template:
    return await _booking_page(request, booking_id)


# --- the booking page's actions: one route and one handler each -----------------------------

AGREEMENT_FORM = Form(
    agreement_schemas.AgreementUpdate,
    labels=AGREEMENT_LABELS,
    # Ticked boxes, one adaptation each: a comma inside one is part of it.
    lines=["adaptations_shared"],
    blank_is_empty=["weekly_schedule", "tasks", "participant_goals", "host_gains"],
    # Its date rules come with the agreement as it stands (`booking_agreement`): the form
    # posts the unchanged period too, and "not in the past" holds only for a changed date.
)
PAPER_FORM = Form(agreement_schemas.PaperSignature, labels=PAPER_LABELS)
END_NEEDS_REASON = "Skriv kort varför placeringen avbröts."
_end_dates = date_rules.form_rules("end")


def _end_rules(
    typed: Mapping[str, Any], dates: Callable[[Mapping[str, Any]], list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """The end's date rules, and a reason for a placement that broke off: the form's hint
    says one is needed, and the coordinator follows up on it (it stays optional in the API,
    as before)."""
    found = list(dates(typed))
    if typed.get("result") == "interrupted" and not str(typed.get("reason") or "").strip():
        found.append(("reason", END_NEEDS_REASON))
    return found


def end_form(booking: BookingRow) -> Form[booking_schemas.EndRequest]:
    """`END_FORM` for one placement: its end date is also checked against the day it really
    started, with the form's other problems (seen in the browser: an end before the start
    was said only after the missing reason had been written)."""
    start = booking_access.actual_start_of(booking)
    dates = date_rules.form_rules("end", {"actual_start": start})
    return dataclasses.replace(END_FORM, rules=partial(_end_rules, dates=dates))


# Ending cannot be undone, so the coordinator (or the host) ticks a box first (checked here,
# on the server); a form error and a missing tick are reported together.
END_FORM = Form(
    booking_schemas.EndRequest,
    labels={k: v for k, v in END_LABELS.items() if k != "confirm_end"},
    blank_is_none=["end_date"],
    blank_is_empty=["reason"],
    rules=partial(_end_rules, dates=_end_dates),
    boxes={"confirm_end": END_UNCONFIRMED},
)
OUTCOME_FORM = Form(
    outcome_schemas.OutcomeCreate,
    labels=OUTCOME_LABELS,
    flags=OUTCOME_FLAGS,
    blank_is_empty=["note"],
    rules=outcome_services.outcome_form_rules(),
)
CORRECTION_FORM = Form(
    outcome_schemas.OutcomeCorrection,
    labels=CORRECTION_LABELS,
    flags=OUTCOME_FLAGS,
    blank_is_empty=["note", "reason"],
    rules=outcome_services.outcome_form_rules(correction=True),
)
PHONE_FORM = Form(
    booking_schemas.PhoneAnswer,
    labels=PHONE_LABELS,
    blank_is_none=["supervisor_id", "start_date", "end_date"],
)
WITHDRAW_LABELS = {"reason": "Skäl"}
WITHDRAW_UNCONFIRMED = (
    "Kryssa i rutan ”Ja, återkalla förslaget” för att återkalla. Ett återkallat förslag kan "
    "inte tas tillbaka."
)
# Withdrawing cannot be undone (a signed agreement is cancelled with it): a box to tick first,
# as for ending a placement; the service asks for a reason once the host has said yes.
WITHDRAW_FORM = Form(
    booking_schemas.WithdrawRequest,
    labels=WITHDRAW_LABELS,
    blank_is_empty=["reason"],
    boxes={"confirm_withdraw": WITHDRAW_UNCONFIRMED},
)


async def _booking_round_trip(
    request: Req,
    booking_id: int,
    parse: Callable[[dict[str, Any]], T],
    act: Callable[[AuthUser, int, T], Awaitable[object]],
    notice: str,
    *,
    fields: Iterable[str] | None = None,
    section: str = "",
    stored_values: bool = False,
    refusal_heading: str = "",
) -> Response[Any]:
    """One action on the booking page, through `forms.round_trip`: parse the post, call the
    service as the signed-in coordinator (`act(user, booking_id, parsed)`) and land on the
    booking page with `notice` (at its `section`, an element id, if given); a refusal shows
    the page again with what was typed and every message, at its status. A button whose
    refusal names the agreement's fields (`stored_values`) shows the agreement as stored in
    its form: the post typed none of it, and an empty form saved would empty the agreement.
    A refusal that is not a form's mistake (not a 400: an agreement that cannot be signed
    yet) is headed `refusal_heading`, if given, not "Formuläret behöver rättas"."""

    async def run(data: T) -> Landing:
        await act(signed_in_user(request), booking_id, data)
        return f"/arbetsbord/bokningar/{booking_id}" + (f"#{section}" if section else ""), notice

    async def show(*, status_code: int = 200, **shown: Any) -> Template:
        heading = refusal_heading if status_code != 400 else ""
        return await _booking_page(
            request, booking_id, status_code=status_code, error_heading=heading, **shown
        )

    refused = rerender_as(show, values=None) if stored_values else show
    return await round_trip(request, parse, run, refused, fields=fields)


def _without_data(
    act: Callable[[AuthUser, int], Awaitable[object]],
) -> Callable[[AuthUser, int, NoFields], Awaitable[object]]:
    """A service that takes the user and the booking only (`act(user, booking_id)`), as the
    action of a button whose form has no fields."""

    async def run(user: AuthUser, booking: int, _: NoFields) -> object:
        return await act(user, booking)

    return run


# The POST route of one action on the booking page.
_booking_post = action_posts("/arbetsbord/bokningar/{booking_id:int}", staff)


@_booking_post("overenskommelse")
async def booking_agreement(request: Req, booking_id: BookingId) -> Response[Any]:
    """Save the agreement's terms; after a signature the change is a new version. A broken
    date rule is said with the form's other mistakes (the service's rule, read here for the
    agreement as it stands)."""
    rules = await agreement_services.period_rules(signed_in_user(request), booking_id)
    form = dataclasses.replace(AGREEMENT_FORM, rules=rules)
    act = agreement_services.update_agreement
    return await _booking_round_trip(request, booking_id, form, act, "overenskommelse-sparad")


# The box, ticked, confirms a change that voids signatures (`supervisor_form` requires it
# then); the service asks again under its lock.
SUPERVISOR_FORM = Form(
    booking_schemas.SupervisorChange,
    labels={"supervisor_id": "Ny handledare", "confirm_resign": "Bekräftelse"},
    flags=["confirm_resign"],
)


async def supervisor_form(booking: BookingRow) -> Form[booking_schemas.SupervisorChange]:
    """`SUPERVISOR_FORM` for one placement: when the change would void signatures given, it
    acts only once "Ja, jag vill byta handledare" is ticked (asked as the form is sent, so a
    signature given since the page was shown is asked about too)."""
    if await supervisor_services.voids_signatures(booking):
        return dataclasses.replace(
            SUPERVISOR_FORM, boxes={"confirm_resign": supervisor_services.RESIGN_UNCONFIRMED}
        )
    return SUPERVISOR_FORM


@_booking_post("handledare")
async def booking_supervisor(request: Req, booking_id: BookingId) -> Response[Any]:
    """Give the placement another of the host's supervisors, for the host."""

    async def change(user: AuthUser, booking: int, data: booking_schemas.SupervisorChange) -> None:
        await supervisor_services.change_supervisor(
            user, booking, data.supervisor_id, confirm_resign=data.confirm_resign
        )

    user = signed_in_user(request)
    form = await supervisor_form(await booking_access.booking_row_for(user, booking_id))
    return await _booking_round_trip(
        request, booking_id, form, change, "handledare-bytt", section="handledare"
    )


# An agreement refused for signing (`agreements.NotWinWin`) names these fields of its form.
WIN_WIN_FIELDS = tuple(agreement_services.WIN_WIN_MISSING)
# The headings above a refused signature or sending of links: the coordinator pressed a
# button, and "Formuläret behöver rättas" read as if a form had been filled in wrong.
NOT_SIGNABLE_HEADING = "Överenskommelsen kan inte skrivas under ännu"
LINKS_NOT_SENT_HEADING = "Länkarna för underskrift kan inte skickas ännu"


@_booking_post("underteckna")
async def booking_sign(request: Req, booking_id: BookingId) -> Response[Any]:
    """Sign the agreement in the app, the version the page showed (a newer one is refused)."""

    async def sign(user: AuthUser, booking: int, seen: int | None) -> None:
        await agreement_services.sign_in_app(user, booking, seen_version=seen)

    parse = agreement_services.form_version
    return await _booking_round_trip(
        request,
        booking_id,
        parse,
        sign,
        "overenskommelse-undertecknad",
        fields=WIN_WIN_FIELDS,
        stored_values=True,
        refusal_heading=NOT_SIGNABLE_HEADING,
    )


@_booking_post("lankar")
async def booking_signing_links(request: Req, booking_id: BookingId) -> Response[Any]:
    """Mail new signing links to those who have not signed, and land on the booking page,
    which says to whom each went (never the link; `agreements.links_sent`). A redirect, not
    a page of its own: the address of a post's answer gave 405 when reloaded or reopened."""
    send = _without_data(agreement_services.send_signing_links)
    return await _booking_round_trip(
        request,
        booking_id,
        ACTION,
        send,
        "lankar-skickade",
        fields=WIN_WIN_FIELDS,
        section="lankar",
        stored_values=True,
        refusal_heading=LINKS_NOT_SENT_HEADING,
    )


@_booking_post("papper")
async def booking_paper_signature(request: Req, booking_id: BookingId) -> Response[Any]:
    """Record a signature given on paper."""
    act = agreement_services.record_paper_signature
    return await _booking_round_trip(
        request,
        booking_id,
        PAPER_FORM,
        act,
        "pappersunderskrift-registrerad",
        refusal_heading=NOT_SIGNABLE_HEADING,
    )


@_booking_post("starta")
async def booking_start(request: Req, booking_id: BookingId) -> Response[Any]:
    """Start the agreed placement now."""
    start = _without_data(booking_services.start)
    return await _booking_round_trip(request, booking_id, ACTION, start, "placering-startad")


@_booking_post("avsluta")
async def booking_end(request: Req, booking_id: BookingId) -> Response[Any]:
    """End the placement (completed or interrupted), once the box is ticked."""

    async def end(user: AuthUser, booking: int, data: booking_schemas.EndRequest) -> None:
        await booking_services.end(user, booking, data.result, data.end_date, data.reason)

    row = await booking_access.booking_row_for(signed_in_user(request), booking_id)
    form = end_form(row)
    return await _booking_round_trip(request, booking_id, form, end, "placering-avslutad")


@_booking_post("utfall")
async def booking_outcome(request: Req, booking_id: BookingId) -> Response[Any]:
    """Record the placement's outcome. A date before the placement ended is said with the
    form's other mistakes (the service's rule, read here for the placement as it stands)."""
    row = await booking_access.booking_row_for(signed_in_user(request), booking_id)
    form = dataclasses.replace(OUTCOME_FORM, rules=outcome_services.outcome_form_rules(booking=row))
    act = outcome_services.record_outcome
    return await _booking_round_trip(request, booking_id, form, act, "utfall-registrerat")


@_booking_post("ratta-utfall")
async def booking_correct_outcome(request: Req, booking_id: BookingId) -> Response[Any]:
    """Correct the recorded outcome, with the reason, by the same rules as `booking_outcome`."""
    row = await booking_access.booking_row_for(signed_in_user(request), booking_id)
    form = dataclasses.replace(
        CORRECTION_FORM,
        rules=outcome_services.outcome_form_rules(correction=True, booking=row),
    )
    act = outcome_services.correct_outcome
    return await _booking_round_trip(request, booking_id, form, act, "utfall-rattat")


@_booking_post("aterkalla")
async def booking_withdraw(request: Req, booking_id: BookingId) -> Response[Any]:
    """Withdraw the booking before it is active, with a reason; the host is told. An
    unticked box and a missing reason are said together (the service's rule, read here
    for the booking as it stands)."""
    booking = await booking_access.booking_row_for(signed_in_user(request), booking_id)
    form = dataclasses.replace(
        WITHDRAW_FORM,
        rules=lambda typed: booking_services.withdraw_problems(
            booking["status"], str(typed.get("reason") or "")
        ),
    )
    return await _booking_round_trip(
        request,
        booking_id,
        lambda values: form(values).reason,
        booking_services.withdraw,
        "forslag-aterkallat",
        fields=WITHDRAW_FORM.fields,
    )


@_booking_post("skicka-till-vard")
async def booking_send_to_host(request: Req, booking_id: BookingId) -> Response[Any]:
    """Send a proposal the participant answers first on to the host without waiting."""
    send = _without_data(booking_services.send_to_host)
    return await _booking_round_trip(request, booking_id, ACTION, send, "forslag-skickat")


@_booking_post("telefonsvar")
async def booking_phone_answer(request: Req, booking_id: BookingId) -> Response[Any]:
    """Record the host's answer given on the telephone."""
    act = answer_services.record_phone_answer
    return await _booking_round_trip(
        request, booking_id, PHONE_FORM, act, "telefonsvar-registrerat"
    )


@_booking_post("svarslankar")
async def booking_resend_answer_links(request: Req, booking_id: BookingId) -> Response[Any]:
    """Mail the host fresh answer links for an open proposal (the old ones stop working)."""
    resend = _without_data(answer_services.resend_links)
    return await _booking_round_trip(request, booking_id, ACTION, resend, "svarslankar-skickade")


@_booking_post("narvaro")
async def booking_attendance(request: Req, booking_id: BookingId) -> Response[Any]:
    """Report a week's attendance for the participant. The days are checked against the
    placement's period with the form's other rules (the service's rule, read here for the
    booking as it stands)."""
    booking = await booking_access.booking_row_for(signed_in_user(request), booking_id)
    act = partial(attendance_services.record_week, source="coordinator")
    parse = await attendance_views.report_parser(booking)
    fields = attendance_views.LABELS
    return await _booking_round_trip(
        request, booking_id, parse, act, "narvaro-sparad", fields=fields
    )


@_booking_post("narvaro/{week:date}/ta-bort")
async def booking_attendance_withdraw(
    request: Req, booking_id: BookingId, week: FromPath[dt.date]
) -> Response[Any]:
    """Withdraw a week's report once its box is ticked (`attendance.withdraw_week`)."""

    async def withdraw(user: AuthUser, booking: int, _: NoFields) -> object:
        return await attendance_services.withdraw_week(user, booking, week)

    form = attendance_views.withdraw_form(week)
    return await _booking_round_trip(request, booking_id, form, withdraw, "narvaro-borttagen")


# One route per action, so that each is its own row in the access matrix.
BOOKING_ACTION_ROUTES = [
    booking_agreement,
    booking_supervisor,
    booking_sign,
    booking_signing_links,
    booking_paper_signature,
    booking_start,
    booking_end,
    booking_outcome,
    booking_correct_outcome,
    booking_withdraw,
    booking_send_to_host,
    booking_phone_answer,
    booking_resend_answer_links,
    booking_attendance,
    booking_attendance_withdraw,
]


NO_CATEGORY = "Välj var personen är nu innan du sparar uppföljningen."


def _follow_up_rules(typed: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The follow-up's rules (Kolada's for "arbete"), listed with the form's other errors;
    the service checks them again. Without a category, there is nothing to check yet."""
    category = str(typed.get("result_category") or "")
    if not category:
        return []
    return outcome_services.follow_up_problems(
        category,
        bool(typed.get("lasts_at_least_one_month")),
        bool(typed.get("municipal_labour_market_job")),
        bool(typed.get("csn_eligible")),
    )


@post(
    "/arbetsbord/uppfoljningar/{follow_up_id:int}",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def follow_up_done(
    request: Request[Any, Any, Any], follow_up_id: FromPath[int]
) -> Template | Redirect:
    user = signed_in_user(request)
    values = await form_values(request)
    try:
        try:
            data = parse_form(
                outcome_schemas.FollowUpDone,
                values,
                labels=FOLLOW_UP_LABELS,
                flags=FOLLOW_UP_FLAGS,
                blank_is_empty=["note"],
                rules=_follow_up_rules,
            )
        except ValidationFailed as exc:
            found = exc.errors or dict.fromkeys(exc.fields, exc.message)
            if "result_category" in found:
                # Said with the rest of what is wrong, in the words of this form.
                raise ValidationFailed.every({**found, "result_category": NO_CATEGORY}) from None
            raise
        await outcome_services.complete_follow_up(user, follow_up_id, data)
    except ValidationFailed as exc:
        # The workbench again, this follow-up's form with what was typed and why it was refused.
        refused = FollowUpForm(
            id=follow_up_id,
            values=without_control_characters(values),
            errors=field_errors(exc, FOLLOW_UP_LABELS),
        )
        return await _workbench_page(request, follow_up=refused, status_code=exc.status_code)
    return Redirect(done("/arbetsbord#uppfoljningar", "uppfoljning-sparad"), status_code=303)


ROUTES = [
    workbench,
    candidate_search,
    booking_page,
    *BOOKING_ACTION_ROUTES,
    follow_up_done,
]
