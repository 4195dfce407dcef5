"""Intake pages (issue 18): the public application form (`/ansok`, no sign-in, rate-limited),
and the coordinator's queue of applications (`/arbetsbord/intag`, "Ansökningar") with each
application's page, where the planning meeting is booked, moved, cancelled or marked as a
no-show, the plan is started (the applicant becomes a participant) or the application closed.
One route per action, so each is a row of the access matrix."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from marketplace import clock
from marketplace.addresses import normalise_email
from marketplace.auth import AuthUser, public, staff
from marketplace.controllers import client_address
from marketplace.errors import MarketplaceError, ValidationFailed
from marketplace.forms import field_errors, form_values, is_ticked, parse_form
from marketplace.notices import done
from marketplace.paging import PageNumber
from marketplace.views import page
from placements.schemas import intake as schemas
from placements.services import intake as services
from placements.services.candidates import normalise_personnummer

LABELS = {
    "first_name": "Förnamn",
    "last_name": "Efternamn",
    "personnummer": "Personnummer",
    "phone": "Telefonnummer",
    "email": "E-postadress",
    "message": "Vad vill du ha hjälp med? (frivilligt)",
}
STAFF_LABELS = {
    "channel": "Hur kom ansökan in?",
    **LABELS,
    "message": "Vad vill personen ha hjälp med?",
}
MEETING_LABELS = {
    "day": "Dag",
    "time": "Klockslag",
    "minutes": "Längd i minuter",
    "place": "Plats",
    "video_link": "Videolänk",
}
CLOSE_LABELS = {"reason": "Varför avslutas ansökan?"}
NO_CONSENT = (
    "Kryssa i rutan för att visa att du har läst hur uppgifterna behandlas och vill skicka ansökan."
)
CHECKS = {
    "personnummer": normalise_personnummer,
    "email": lambda v: normalise_email(v, "email", required=False),
}
PER_PAGE = 20


def _reachable(values: Any) -> list[tuple[str, str]]:
    """A phone number or an e-mail address is needed (the service checks it again)."""
    if not str(values.get("phone", "")).strip() and not str(values.get("email", "")).strip():
        return [("phone", services.UNREACHABLE)]
    return []


STAFF_CHANNELS = [("phone", "Telefon"), ("paper", "Papper")]


def _user(request: Request[Any, Any, Any]) -> AuthUser:
    user: AuthUser = request.user
    return user


def _texts() -> dict[str, Any]:
    return {
        "channel_text": services.CHANNEL_TEXT,
        "state_text": services.STATE_TEXT,
        "meeting_text": services.MEETING_STATUS_TEXT,
    }


# --- the public form ------------------------------------------------------------------------


def _apply_page(
    request: Request[Any, Any, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        "placements/intake/apply.html",
        request,
        status_code=status_code,
        values=values or {},
        errors=errors or {},
        labels=LABELS,
    )


@get("/ansok", guards=[public], include_in_schema=False, name="intake-form")
async def apply_form(request: Request[Any, Any, Any]) -> Template:
    """The public application form, with what happens to the data."""
    return _apply_page(request)


@post("/ansok", guards=[public], include_in_schema=False, status_code=200)
async def apply_submit(request: Request[Any, Any, Any]) -> Template:
    """Send the application; every wrong field is named at once, the consent box included."""
    values = await form_values(request)
    try:
        problems: dict[str, str] = {}
        try:
            data = parse_form(
                schemas.ApplicationIn,
                values,
                labels=LABELS,
                blank_is_empty=["phone", "email", "message"],
                checks=CHECKS,
                rules=_reachable,
            )
        except ValidationFailed as exc:
            problems.update(exc.errors or dict.fromkeys(exc.fields, exc.message))
        if not is_ticked(values, "consent"):
            problems["consent"] = NO_CONSENT
        if problems:
            raise ValidationFailed.every(problems)
        await services.throttle_public(client_address(request))
        await services.submit_public(data)
    except MarketplaceError as exc:
        refused = _apply_page(
            request, values, field_errors(exc, [*LABELS, "consent"]), status_code=exc.status_code
        )
        refused.headers.update(exc.headers)
        return refused
    return page(
        "placements/intake/applied.html",
        request,
        email=str(values.get("email", "")).strip(),
    )


# --- the coordinator's queue ----------------------------------------------------------------


@get("/arbetsbord/intag", guards=[staff], include_in_schema=False, name="intake-queue")
async def queue_page(
    request: Request[Any, Any, Any],
    sida: PageNumber = 1,
    visa: Annotated[str, QueryParameter(max_length=10)] = "",
) -> Template:
    """The applications by deadline for the planning meeting, overdue ones marked."""
    show_all = visa == "alla"
    items, total = await services.queue(
        _user(request), show_all=show_all, limit=PER_PAGE, offset=(sida - 1) * PER_PAGE
    )
    pages = max(1, -(-total // PER_PAGE))
    return page(
        "placements/intake/queue.html",
        request,
        items=items,
        total=total,
        page_no=sida,
        pages=pages,
        show_all=show_all,
        target=services.get_settings().planning_meeting_days,
        today=clock.today(),
        **_texts(),
    )


def _new_page(
    request: Request[Any, Any, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        "placements/intake/new.html",
        request,
        status_code=status_code,
        values=values or {"channel": "phone"},
        errors=errors or {},
        labels=STAFF_LABELS,
        channels=STAFF_CHANNELS,
    )


@get("/arbetsbord/intag/ny", guards=[staff], include_in_schema=False)
async def new_form(request: Request[Any, Any, Any]) -> Template:
    """Register an application received by phone or on paper."""
    return _new_page(request)


@post("/arbetsbord/intag/ny", guards=[staff], include_in_schema=False, status_code=303)
async def new_submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    values = await form_values(request)
    try:
        data = parse_form(
            schemas.StaffApplicationIn,
            values,
            labels=STAFF_LABELS,
            blank_is_empty=["phone", "email", "message"],
            checks=CHECKS,
            rules=_reachable,
        )
        application_id = await services.register(_user(request), data)
    except MarketplaceError as exc:
        return _new_page(request, values, field_errors(exc, STAFF_LABELS), exc.status_code)
    return Redirect(
        done(f"/arbetsbord/intag/{application_id}", "ansokan-registrerad"), status_code=303
    )


async def _detail(
    request: Request[Any, Any, Any],
    application_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    application = await services.read(_user(request), application_id)
    meeting = application.current_meeting
    defaults: dict[str, Any] = {"minutes": "60"}
    if meeting is not None:
        local = meeting.starts_at.astimezone(clock.STOCKHOLM)
        defaults = {
            "day": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "minutes": str(meeting.minutes),
            "place": meeting.place,
            "video_link": meeting.video_link,
        }
    return page(
        "placements/intake/detail.html",
        request,
        status_code=status_code,
        application=application,
        values=values or defaults,
        errors=errors or {},
        labels=MEETING_LABELS,
        close_labels=CLOSE_LABELS,
        now=clock.now(),
        **_texts(),
    )


@get("/arbetsbord/intag/{intake_id:int}", guards=[staff], include_in_schema=False)
async def detail_page(request: Request[Any, Any, Any], intake_id: FromPath[int]) -> Template:
    """One application, its meetings and what can be done next. Audited."""
    return await _detail(request, intake_id)


@post(
    "/arbetsbord/intag/{intake_id:int}/mote",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def book_submit(
    request: Request[Any, Any, Any], intake_id: FromPath[int]
) -> Template | Redirect:
    """Book the planning meeting, or move it; the applicant gets the invitation by mail."""
    application_id = intake_id
    values = await form_values(request)
    try:
        data = parse_form(
            schemas.MeetingIn,
            values,
            labels=MEETING_LABELS,
            blank_is_empty=["place", "video_link"],
            rules=lambda v: (
                [("place", services.NEEDS_PLACE)]
                if not str(v.get("place", "")).strip() and not str(v.get("video_link", "")).strip()
                else []
            ),
        )
        meeting, mailed = await services.book_meeting(_user(request), application_id, data)
    except MarketplaceError as exc:
        return await _detail(
            request,
            application_id,
            values=values,
            errors=field_errors(exc, MEETING_LABELS),
            status_code=exc.status_code,
        )
    code = "mote-bokat" if meeting.sequence == 0 else "mote-flyttat"
    if not mailed:
        code = "mote-bokat-utan-mejl"
    return Redirect(done(f"/arbetsbord/intag/{application_id}", code), status_code=303)


async def _action(
    request: Request[Any, Any, Any], application_id: int, action: str
) -> Template | Redirect:
    user = _user(request)
    values = await form_values(request)
    try:
        if action == "avboka":
            await services.cancel_meeting(user, application_id)
            target, code = f"/arbetsbord/intag/{application_id}", "mote-avbokat"
        elif action == "uteblev":
            await services.record_no_show(user, application_id)
            target, code = f"/arbetsbord/intag/{application_id}", "mote-uteblev"
        elif action == "plan":
            candidate_id, visible = await services.start_plan(user, application_id)
            if visible:
                target, code = f"/arbetsbord/deltagare/{candidate_id}/plan", "plan-upprattad"
            else:
                target, code = f"/arbetsbord/intag/{application_id}", "plan-kopplad"
        else:
            await services.close(user, application_id, str(values.get("reason", ""))[:2000])
            target, code = "/arbetsbord/intag", "ansokan-avslutad"
    except MarketplaceError as exc:
        return await _detail(
            request,
            application_id,
            errors={**field_errors(exc, CLOSE_LABELS), "_action": exc.message},
            status_code=exc.status_code,
        )
    return Redirect(done(target, code), status_code=303)


def _action_route(action: str) -> HTTPRouteHandler:
    """One route per action, so that each is its own row in the access matrix."""

    async def handler(
        request: Request[Any, Any, Any], intake_id: FromPath[int]
    ) -> Template | Redirect:
        return await _action(request, intake_id, action)

    handler.__name__ = handler.__qualname__ = f"intake_{action}"
    return post(
        f"/arbetsbord/intag/{{intake_id:int}}/{action}",
        guards=[staff],
        include_in_schema=False,
        status_code=303,
    )(handler)


ACTIONS = ("avboka", "uteblev", "plan", "avsluta")
ROUTES = [
    apply_form,
    apply_submit,
    queue_page,
    new_form,
    new_submit,
    detail_page,
    book_submit,
    *[_action_route(a) for a in ACTIONS],
]
