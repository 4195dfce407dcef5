"""The host portal (`/vard`): the host's organisations, slots, proposals, agreements,
placements, assessments and win-win ledger.

It lives in `placements` because it shows slots and bookings; the organisation and supervisor
pages are in `employers/views.py`. Every action calls one service; the pages only arrange.
The slot form's occupation pickers (what the host typed, and three occupations suggested from
the title and description) are served by the search (`search.occupation_pages`); the form's
own "Föreslå yrke" without JavaScript asks the suggester the app factory hands it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Protocol

from litestar import Request, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from employers.services import contacts as contact_services
from employers.services import hosts as host_services
from marketplace.auth import AuthUser, requires
from marketplace.errors import MarketplaceError, NotFound, ValidationFailed
from marketplace.forms import field_errors, form_values, is_ticked, parse_form
from marketplace.notices import done
from marketplace.reference import taxonomy
from marketplace.templating import LABELS
from marketplace.views import page
from placements import date_rules
from placements.schemas import agreements as agreement_schemas
from placements.schemas import bookings as booking_schemas
from placements.schemas import outcomes as outcome_schemas
from placements.schemas import slots as slot_schemas
from placements.services import agreements as agreement_services
from placements.services import answers as answer_services
from placements.services import attendance as attendance_services
from placements.services import bookings as booking_services
from placements.services import candidates as candidate_services
from placements.services import ledger as ledger_services
from placements.services import outcomes as outcome_services
from placements.services import slots as slot_services
from placements.views import attendance as attendance_views

host_only = requires("host")
# The slot form also serves admins, who edit any host's slots here (the back office's job),
# through the same service rules and audit as the host.
slot_editors = requires("host", "admin")

SLOT_LABELS = {
    "kind": "Typ av plats",
    "title": "Rubrik",
    "occupation_id": "Yrke",
    "description": "Beskrivning",
    "skills": "Kompetenser",
    "town": "Ort",
    "capacity": "Antal platser",
    "hours_per_week": "Timmar i veckan",
    "tracks": "Passar spåren",
    "adaptations": "Anpassningar som finns",
    "supervisor_id": "Handledare",
    "driving_licence": "Körkort krävs",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "setting": "Typ av arbetsplats",
}
SLOT_CREATE_LABELS = {**SLOT_LABELS, "host_id": "Organisation"}
ASSESSMENT_LABELS = {
    "attendance": "Närvaro",
    "tasks_mastered": "Uppgifter deltagaren klarade",
    "strengths": "Styrkor",
    "recommendation": "Rekommendation",
    "comment": "Övrigt",
}
# What a host writes into the agreement; the period, the participant's goals and what is shared
# about the participant stay the coordinator's.
HOST_AGREEMENT_LABELS = {
    "weekly_schedule": "Schema per vecka",
    "tasks": "Uppgifter",
    "host_gains": "Vad ni får ut av placeringen",
}
STATUS_ACTIONS = {
    "publicera": "publish",
    "pausa": "pause",
    "stang": "close",
    "oppna": "reopen",
}
CLOSE_UNCONFIRMED = (
    "Kryssa i rutan ”Ja, jag vill stänga platsen” för att stänga den. "
    "En stängd plats kan inte publiceras igen."
)
OPEN_FOR_HOST = ("accepted", "agreed", "active")
ENDED = ("completed", "interrupted")


def _user(request: Request[Any, Any, Any]) -> AuthUser:
    user = request.user
    assert isinstance(user, AuthUser)
    return user


async def _bookings(user: AuthUser, status: str) -> list[Any]:
    return (await booking_services.list_bookings_for(user, status=status, limit=100)).items


async def _home_context(user: AuthUser) -> dict[str, Any]:
    _, organisations = await host_services.list_hosts_for(user, limit=100)
    slots = (await slot_services.list_managed_slots(user, limit=200)).items
    proposals = await _bookings(user, "proposed")
    # A proposal the slot's supervisor has no room for is answered on its own page, where
    # the host picks another supervisor or period.
    fits = {
        b.id: (await answer_services.accept_options_for(user, b.id, audit=False)).fits
        for b in proposals
    }
    to_sign = []
    for booking in await _bookings(user, "accepted"):
        agreement = await agreement_services.get_agreement_for(user, booking.id)
        host_signed = any(s.party == "host" and s.signed for s in agreement.signatures)
        to_sign.append((booking, agreement, host_signed))
    placements = await _bookings(user, "agreed") + await _bookings(user, "active")
    ended = await _bookings(user, "completed") + await _bookings(user, "interrupted")
    to_assess = []
    for booking in ended:
        assessment = await outcome_services.get_assessment_for(user, booking.id)
        if not assessment.submitted:
            to_assess.append(booking)
    ledgers = [await ledger_services.host_ledger_for(user, h.id) for h in organisations]
    return {
        "organisations": organisations,
        "slots": slots,
        "proposals": proposals,
        "fits": fits,
        "to_sign": to_sign,
        "placements": placements,
        "to_assess": to_assess,
        "ledgers": ledgers,
        "hours_definition": ledger_services.HOURS_DEFINITION,
    }


@get("/vard", guards=[host_only], include_in_schema=False, name="host_home")
async def host_home(request: Request[Any, Any, Any]) -> Template:
    context = await _home_context(_user(request))
    return page("placements/host/home.html", request, errors={}, **context)


# --- slots -----------------------------------------------------------------------------------


def _slot_values(slot: slot_schemas.Slot) -> dict[str, Any]:
    """A slot as the form's values."""
    return {
        "kind": slot.kind,
        "title": slot.title,
        "occupation_id": slot.occupation.id if slot.occupation else "",
        "occupation_label": slot.occupation.label if slot.occupation else "",
        "description": slot.description,
        "skills": [s.label for s in slot.skills],
        "town": slot.town,
        "capacity": str(slot.capacity),
        "hours_per_week": "" if slot.hours_per_week is None else str(slot.hours_per_week),
        "tracks": list(slot.tracks),
        "adaptations": "\n".join(slot.adaptations),
        "supervisor_id": str(slot.supervisor.id) if slot.supervisor else "",
        "driving_licence": "1" if slot.driving_licence else "",
        "start_date": slot.start_date.isoformat() if slot.start_date else "",
        "end_date": slot.end_date.isoformat() if slot.end_date else "",
        "setting": slot.setting,
    }


def skill_suggestions(occupation_id: str) -> list[str]:
    """Skill labels the taxonomy relates to the occupation's SSYK-4 group."""
    occupation = taxonomy.occupation(occupation_id) if occupation_id else None
    group = taxonomy.groups().get(occupation.group_id) if occupation else None
    if group is None:
        return []
    labels = taxonomy.skills()
    return sorted({labels[s] for s in group.skill_ids if s in labels})[:30]


async def _slot_form_context(
    user: AuthUser, host_id: int, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    host = await host_services.get_host(user, host_id)
    supervisors = [
        (c.id, c.name)
        for c in await contact_services.list_contacts(user, host_id)
        if c.is_supervisor and c.active
    ]
    chosen = values.get("skills") or []
    chosen = [chosen] if isinstance(chosen, str) else chosen
    suggestions = skill_suggestions(str(values.get("occupation_id") or ""))
    chosen_occupation = taxonomy.occupation(str(values.get("occupation_id") or ""))
    if chosen_occupation is not None:
        values = {**values, "occupation_label": chosen_occupation.label}
    return {
        "host": host,
        "values": values,
        "errors": errors,
        "labels": SLOT_LABELS,
        "supervisors": supervisors,
        "kinds": list(LABELS["slot_kind"].items()),
        "tracks": list(LABELS["track"].items()),
        "settings": list(LABELS["setting"].items()),
        "skill_options": [(s, s) for s in dict.fromkeys([*chosen, *suggestions])],
    }


def _parse_slot(
    cls: type[Any], values: dict[str, Any], labels: dict[str, str] = SLOT_LABELS
) -> Any:
    return parse_form(
        cls,
        values,
        labels=labels,
        lists=["skills", "tracks", "adaptations"],
        flags=["driving_licence"],
        blank_is_none=[
            "occupation_id",
            "hours_per_week",
            "supervisor_id",
            "start_date",
            "end_date",
            "setting",
        ],
        blank_is_empty=["description", "town"],
        rules=date_rules.form_rules("slot"),
    )


# The slot form's "Föreslå yrke" button: without JavaScript it posts the whole form, which is
# shown again with three suggested occupations and nothing saved; with htmx it asks
# `/vard/yrkesforslag` (served by the search: `search.occupation_pages`) for them only.
SUGGEST_BUTTON = "foresla_yrke"


class OccupationSuggester(Protocol):
    """Suggested occupations for a slot's title and description (each with the `id`, `label`,
    `group_label` and `words` that `placements/host/_occupation_choices.html` shows), and
    why there are none ("" when there are some)."""

    async def __call__(self, title: str, description: str) -> tuple[Sequence[Any], str]: ...


_suggester: OccupationSuggester | None = None


def use_occupation_suggester(suggester: OccupationSuggester) -> None:
    """Give the slot form its occupation suggestions. The app factory hands it the search's
    (`search.occupation_pages.slot_form_suggestions`), since `placements` never imports `search`."""
    global _suggester
    _suggester = suggester


async def _occupation_suggestions(values: dict[str, Any]) -> tuple[Sequence[Any], str]:
    """Suggested occupations for the form's title and description, or why there are none."""
    if _suggester is None:
        raise RuntimeError("The slot form has no occupation suggester (see create_app).")
    return await _suggester(str(values.get("title") or ""), str(values.get("description") or ""))


async def _form_with_suggestions(
    request: Request[Any, Any, Any],
    user: AuthUser,
    host_id: int,
    slot: slot_schemas.Slot | None,
    values: dict[str, Any],
) -> Template:
    suggestions, problem = await _occupation_suggestions(values)
    errors = {"title": problem} if problem else {}
    context = await _slot_form_context(user, host_id, values, errors)
    return page(
        "placements/host/slot_form.html",
        request,
        status_code=400 if problem else 200,
        slot=slot,
        occupation_suggestions=suggestions,
        **context,
    )


@get("/vard/platser/ny", guards=[slot_editors], include_in_schema=False, name="slot_new")
async def slot_new(
    request: Request[Any, Any, Any], host_id: Annotated[int, QueryParameter(ge=1)]
) -> Template:
    values = {"kind": "praktik", "capacity": "1", "host_id": str(host_id)}
    context = await _slot_form_context(_user(request), host_id, values, {})
    return page("placements/host/slot_form.html", request, slot=None, **context)


@post("/vard/platser/ny", guards=[slot_editors], include_in_schema=False, status_code=303)
async def slot_create(request: Request[Any, Any, Any]) -> Template | Redirect:
    user = _user(request)
    values = await form_values(request)
    try:
        host_id = int(str(values.get("host_id", "0")))
    except ValueError:
        raise NotFound("Välj organisationen platsen hör till.") from None
    if is_ticked(values, SUGGEST_BUTTON):
        return await _form_with_suggestions(request, user, host_id, None, values)
    try:
        data = _parse_slot(
            slot_schemas.SlotCreate, {**values, "host_id": str(host_id)}, SLOT_CREATE_LABELS
        )
        slot = await slot_services.create_slot(user, data)
    except MarketplaceError as exc:
        context = await _slot_form_context(user, host_id, values, field_errors(exc, SLOT_LABELS))
        return page(
            "placements/host/slot_form.html",
            request,
            status_code=exc.status_code,
            slot=None,
            **context,
        )
    return Redirect(done(f"/vard/platser/{slot.id}", "plats-sparad"), status_code=303)


@get("/vard/platser/{slot_id:int}", guards=[slot_editors], include_in_schema=False)
async def slot_edit(
    request: Request[Any, Any, Any],
    slot_id: FromPath[int],
) -> Template:
    user = _user(request)
    slot = await slot_services.get_slot(user, slot_id)
    context = await _slot_form_context(user, slot.host.id, _slot_values(slot), {})
    return page("placements/host/slot_form.html", request, slot=slot, **context)


@post(
    "/vard/platser/{slot_id:int}", guards=[slot_editors], include_in_schema=False, status_code=303
)
async def slot_update(
    request: Request[Any, Any, Any], slot_id: FromPath[int]
) -> Template | Redirect:
    user = _user(request)
    slot = await slot_services.get_slot(user, slot_id)
    values = await form_values(request)
    if is_ticked(values, SUGGEST_BUTTON):
        return await _form_with_suggestions(request, user, slot.host.id, slot, values)
    try:
        data = _parse_slot(slot_schemas.SlotUpdate, values)
        await slot_services.update_slot(user, slot_id, data)
    except MarketplaceError as exc:
        context = await _slot_form_context(
            user, slot.host.id, values, field_errors(exc, SLOT_LABELS)
        )
        return page(
            "placements/host/slot_form.html",
            request,
            status_code=exc.status_code,
            slot=slot,
            **context,
        )
    return Redirect(done(f"/vard/platser/{slot_id}", "plats-sparad"), status_code=303)


async def slot_status(
    request: Request[Any, Any, Any], slot_id: int, action: str
) -> Template | Redirect:
    user = _user(request)
    try:
        # Closing takes the slot off the market for good, so the host ticks a box first;
        # the check is on the server, so it holds without JavaScript too.
        if action == "stang" and not is_ticked(await form_values(request), "confirm"):
            await slot_services.get_slot_for(user, slot_id)  # 404 before any hint
            raise ValidationFailed(CLOSE_UNCONFIRMED, fields=["confirm"])
        await slot_services.change_status(user, slot_id, STATUS_ACTIONS[action])
    except MarketplaceError as exc:
        slot = await slot_services.get_slot(user, slot_id)
        context = await _slot_form_context(user, slot.host.id, _slot_values(slot), {})
        context["errors"] = (
            {"confirm": exc.message} if exc.fields == ["confirm"] else {"_form": exc.message}
        )
        return page(
            "placements/host/slot_form.html",
            request,
            status_code=exc.status_code,
            slot=slot,
            **context,
        )
    notice = {
        "publicera": "plats-publicerad",
        "pausa": "plats-pausad",
        "stang": "plats-stangd",
        "oppna": "plats-oppnad",
    }
    return Redirect(done(f"/vard/platser/{slot_id}", notice[action]), status_code=303)


def _slot_status_route(action: str) -> HTTPRouteHandler:
    """One route per status action, so that each is its own row in the access matrix."""

    async def handler(
        request: Request[Any, Any, Any], slot_id: FromPath[int]
    ) -> Template | Redirect:
        return await slot_status(request, slot_id, action)

    handler.__name__ = handler.__qualname__ = f"slot_{action}"
    return post(
        f"/vard/platser/{{slot_id:int}}/{action}",
        guards=[slot_editors],
        include_in_schema=False,
        status_code=303,
    )(handler)


SLOT_STATUS_ROUTES = [_slot_status_route(action) for action in STATUS_ACTIONS]


@get("/vard/kompetenser", guards=[slot_editors], include_in_schema=False)
async def skill_options(
    request: Request[Any, Any, Any],
    occupation_id: Annotated[str, QueryParameter(max_length=20)] = "",
) -> Template:
    """htmx: the taxonomy's skills for the chosen occupation, as checkboxes."""
    options = [(s, s) for s in skill_suggestions(occupation_id)]
    return page(
        "placements/host/_skills.html",
        request,
        skill_options=options,
        values={"skills": []},
        errors={},
        labels=SLOT_LABELS,
    )


# --- proposals, agreements, placements, assessments --------------------------------------------


ACCEPT_LABELS = {"supervisor_id": "Handledare", "start_date": "Startdatum", "end_date": "Slutdatum"}


@post(
    "/vard/bokningar/{booking_id:int}/acceptera",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_accept(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Template | Redirect:
    """Accept, with the slot's supervisor or another with room, for the proposed period or
    another; a refusal shows the proposal again with the reason and what would fit."""
    user = _user(request)
    values = await form_values(request)
    try:
        choice = parse_form(
            booking_schemas.AcceptRequest,
            values,
            labels=ACCEPT_LABELS,
            blank_is_none=list(ACCEPT_LABELS),
        )
        await booking_services.accept(user, booking_id, choice)
    except MarketplaceError as exc:
        context = await _booking_context(user, booking_id)
        return page(
            "placements/host/booking.html",
            request,
            status_code=exc.status_code,
            values=values,
            errors=field_errors(exc, ACCEPT_LABELS),
            **context,
        )
    return Redirect(done(f"/vard/bokningar/{booking_id}", "forslag-accepterat"), status_code=303)


@post(
    "/vard/bokningar/{booking_id:int}/avboj",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_decline(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Template | Redirect:
    user = _user(request)
    values = await form_values(request)
    reason = str(values.get("reason", "")).strip()[:2000]
    try:
        if not reason:
            raise ValidationFailed(
                "Skriv varför ni avböjer, så kan samordnaren hitta en bättre plats.",
                fields=["reason"],
            )
        await booking_services.decline(user, booking_id, reason)
    except MarketplaceError as exc:
        return page(
            "placements/host/home.html",
            request,
            status_code=exc.status_code,
            errors={booking_id: exc.message},
            **await _home_context(user),
        )
    return Redirect(done("/vard#forslag", "forslag-avbojt"), status_code=303)


async def _booking_context(user: AuthUser, booking_id: int) -> dict[str, Any]:
    booking = await booking_services.get_booking_for(user, booking_id)
    participant = await candidate_services.get_participant_for_host(user, booking.participant.id)
    agreement = None
    if booking.status not in ("proposed", "declined", "withdrawn"):
        agreement = await agreement_services.get_agreement_for(user, booking_id)
    assessment = None
    if booking.status in ENDED:
        assessment = await outcome_services.get_assessment_for(user, booking_id)
    options = None
    if booking.status == "proposed":
        options = await answer_services.accept_options_for(user, booking_id, audit=False)
    presence = None
    if booking.status in attendance_services.REPORTABLE:
        presence = await attendance_services.attendance_for(user, booking_id)
    return {
        **attendance_views.context(presence, f"/vard/bokningar/{booking_id}/narvaro"),
        "booking": booking,
        "options": options,
        "participant": participant,
        "agreement": agreement,
        "assessment": assessment,
        "attendance": list(LABELS["attendance"].items()),
        "recommendations": list(LABELS["recommendation"].items()),
        "labels": ASSESSMENT_LABELS,
        "agreement_labels": HOST_AGREEMENT_LABELS,
        "agreement_values": {k: getattr(agreement, k) for k in HOST_AGREEMENT_LABELS}
        if agreement
        else {},
    }


@get("/vard/bokningar/{booking_id:int}", guards=[host_only], include_in_schema=False)
async def booking_page(request: Request[Any, Any, Any], booking_id: FromPath[int]) -> Template:
    context = await _booking_context(_user(request), booking_id)
    return page(
        "placements/host/booking.html",
        request,
        values={},
        errors={},
        **context,
    )


@post(
    "/vard/bokningar/{booking_id:int}/underteckna",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_sign(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Redirect | Template:
    user = _user(request)
    seen = agreement_services.form_version(await form_values(request))
    try:
        await agreement_services.sign_in_app(user, booking_id, seen_version=seen)
    except agreement_services.StaleVersion as exc:
        # The text changed since the page was shown: show the new text, sign nothing.
        context = await _booking_context(user, booking_id)
        return page(
            "placements/host/booking.html",
            request,
            status_code=exc.status_code,
            values={},
            errors={"_form": exc.message},
            **context,
        )
    return Redirect(
        done(f"/vard/bokningar/{booking_id}#overenskommelse", "overenskommelse-undertecknad"),
        status_code=303,
    )


@post(
    "/vard/bokningar/{booking_id:int}/overenskommelse",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_agreement(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Template | Redirect:
    """The host completes the agreement: the schedule, the tasks and what the host gains. After
    any signature the change is a new version that every party signs again."""
    user = _user(request)
    values = await form_values(request)
    try:
        data = parse_form(
            agreement_schemas.AgreementUpdate,
            values,
            labels=HOST_AGREEMENT_LABELS,
            blank_is_empty=list(HOST_AGREEMENT_LABELS),
        )
        await agreement_services.update_agreement(user, booking_id, data)
    except MarketplaceError as exc:
        context = await _booking_context(user, booking_id)
        context["agreement_values"] = values
        return page(
            "placements/host/booking.html",
            request,
            status_code=exc.status_code,
            values={},
            errors=field_errors(exc, HOST_AGREEMENT_LABELS),
            **context,
        )
    return Redirect(
        done(f"/vard/bokningar/{booking_id}#overenskommelse", "overenskommelse-sparad"),
        status_code=303,
    )


@post(
    "/vard/bokningar/{booking_id:int}/bedomning",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_assess(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Template | Redirect:
    user = _user(request)
    values = await form_values(request)
    try:
        data = parse_form(
            outcome_schemas.AssessmentCreate,
            values,
            labels=ASSESSMENT_LABELS,
            blank_is_empty=["tasks_mastered", "strengths", "comment"],
        )
        await outcome_services.submit_assessment(user, booking_id, data)
    except MarketplaceError as exc:
        context = await _booking_context(user, booking_id)
        return page(
            "placements/host/booking.html",
            request,
            status_code=exc.status_code,
            values=values,
            errors=field_errors(exc, ASSESSMENT_LABELS),
            **context,
        )
    return Redirect(
        done(f"/vard/bokningar/{booking_id}#bedomning", "bedomning-skickad"), status_code=303
    )


@post(
    "/vard/bokningar/{booking_id:int}/narvaro",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_attendance(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Template | Redirect:
    """The supervisor reports a week's attendance: days present, days absent by reason."""
    user = _user(request)
    values = await form_values(request)
    try:
        data = attendance_views.parse_report(values)
        await attendance_services.record_week(user, booking_id, data, source="host")
    except MarketplaceError as exc:
        context = await _booking_context(user, booking_id)
        return page(
            "placements/host/booking.html",
            request,
            status_code=exc.status_code,
            values=values,
            errors=field_errors(exc, attendance_views.LABELS),
            **context,
        )
    return Redirect(
        done(f"/vard/bokningar/{booking_id}#narvaro", "narvaro-sparad"), status_code=303
    )


ROUTES = [
    host_home,
    slot_new,
    slot_create,
    slot_edit,
    slot_update,
    *SLOT_STATUS_ROUTES,
    skill_options,
    booking_accept,
    booking_decline,
    booking_page,
    booking_sign,
    booking_agreement,
    booking_assess,
    booking_attendance,
]
