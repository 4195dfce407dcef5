"""Intake pages (issue 18): the public application form (`/ansok`, no sign-in, rate-limited),
and the coordinator's queue of applications (`/arbetsbord/intag`, "Ansökningar") with each
application's page, where the planning meeting is booked, moved, cancelled (once a ticked box
confirms it) or marked as a no-show, the personnummer corrected, the plan is started once the
meeting has begun (the applicant becomes a participant) or the application closed. One route
per action, so each is a row of the access matrix.

The public form and its confirmation speak the applicant's language (Swedish, English or
Arabic, chosen with the participant pages' switch and kept in its cookie) on the participant
pages' frame (`agreements.language_frame`): the labels, the texts and every message a refused
form shows (`Form.translate`). The application stores that language; the coordinator's pages
stay Swedish."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, partial
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from marketplace.kernel import clock
from marketplace.kernel.addresses import normalise_email
from marketplace.kernel.auth import public, signed_in_user, staff
from marketplace.kernel.controllers import client_address
from marketplace.kernel.errors import said_once
from marketplace.kernel.forms import (
    ACTION,
    Form,
    Landing,
    confirmed,
    form_values,
    free_text,
    is_ticked,
    round_trip,
    without_control_characters,
)
from marketplace.kernel.i18n import DEFAULT, LANGUAGES, N_, gettext_for
from marketplace.kernel.notices import NOTICES
from marketplace.kernel.paging import PageNumber, check_page
from marketplace.kernel.settings import get_settings
from marketplace.kernel.templating import ltr_numbers
from marketplace.kernel.views import (
    ERROR_FRAMES,
    ErrorFrame,
    PublicErrors,
    action_posts,
    form_page,
    language_cookie,
    nobody_more,
    page,
)
from placements import date_rules
from placements.schemas import intake as schemas
from placements.services import intake as services
from placements.services.candidates import normalise_personnummer
from placements.views.agreements import language_frame

LABELS = {
    "first_name": N_("Förnamn"),
    "last_name": N_("Efternamn"),
    "personnummer": N_("Personnummer"),
    "phone": N_("Telefonnummer"),
    "email": N_("E-postadress"),
    "message": N_("Vad vill du ha hjälp med? (frivilligt)"),
}
# The form's messages name the message box in a word: "Vad vill du ha hjälp med?
# (frivilligt) får vara högst 3000 tecken" read as two sentences.
FORM_LABELS = {**LABELS, "message": N_("Meddelandet")}
STAFF_LABELS = {
    "channel": "Hur kom ansökan in?",
    **LABELS,
    "message": "Vad personen vill ha hjälp med",
    "language": "Språk för inbjudan (sms och e-post)",
}
MEETING_LABELS = {
    "day": "Dag",
    "time": "Klockslag",
    "minutes": "Längd i minuter",
    "place": "Plats",
    "video_link": "Videolänk",
}
CLOSE_LABELS = {"reason": "Varför avslutas ansökan?"}
PERSONNUMMER_LABELS = {"personnummer": "Personnummer"}
# Cancelling mails the applicant at once and cannot be taken back: a box to tick first, checked
# here (it holds without JavaScript); the button stood right beside "Planen är upprättad".
CANCEL_BOX = "confirm_cancel"
CANCEL_UNCONFIRMED = (
    "Kryssa i rutan ”Ja, avboka mötet” för att avboka. Sökande får en avbokning direkt, och "
    "ansökan behöver ett nytt möte."
)
CANCEL_FORM = confirmed(CANCEL_BOX, CANCEL_UNCONFIRMED)
# The box that says the applicant is the participant with the personnummer, under another
# name (`services.NAME_DIFFERS`).
SAME_PERSON_BOX = "same_person"
NO_CONSENT = N_(
    "Kryssa i rutan för att visa att du har läst hur uppgifterna behandlas och vill skicka ansökan."
)
# What the service may still refuse once the public form is parsed (a name sent with a line
# break), for the catalogs: the form shows it in its language.
SERVICE_MESSAGES = (
    N_("Förnamnet får inte innehålla radbrytningar. Skriv allt på en rad."),
    N_("Efternamnet får inte innehålla radbrytningar. Skriv allt på en rad."),
)
CHECKS = {
    "personnummer": normalise_personnummer,
    "email": lambda v: normalise_email(v, "email", required=False),
}
PER_PAGE = 20


def _reachable(values: Any, said: str = services.UNREACHABLE) -> list[tuple[str, str]]:
    """A phone number or an e-mail address is needed (the service checks it again)."""
    if not str(values.get("phone", "")).strip() and not str(values.get("email", "")).strip():
        return [("phone", said)]
    return []


def _reachable_staff(values: Any) -> list[tuple[str, str]]:
    return _reachable(values, services.UNREACHABLE_STAFF)


STAFF_CHANNELS = [("phone", "Telefon"), ("paper", "Papper")]


def _meeting_rules(values: Any) -> list[tuple[str, str]]:
    """The meeting's rules on the fields the form could read (the service checks them
    again), said with the form's own problems: a time at night, a day passed, no place."""
    time = values.get("time")
    valid_time = isinstance(time, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time)
    return services.meeting_problems(
        date_rules.as_day(values.get("day")),
        time if valid_time else None,
        str(values.get("place") or ""),
        str(values.get("video_link") or ""),
    )


APPLY_FORM = Form(
    schemas.ApplicationIn,
    labels=FORM_LABELS,
    blank_is_empty=["phone", "email", "message"],
    checks=CHECKS,
    rules=_reachable,
    boxes={"consent": NO_CONSENT},
)


@cache
def apply_form_in(lang: str) -> Form[schemas.ApplicationIn]:
    """The public form in a language: its labels, and every message it gives, translated."""
    if lang == DEFAULT:
        return APPLY_FORM
    _ = gettext_for(lang)

    def email(value: str) -> str:
        return normalise_email(
            value, "email", required=False, label=_("E-postadressen"), translate=_
        )

    return Form(
        schemas.ApplicationIn,
        labels={name: _(label) for name, label in FORM_LABELS.items()},
        blank_is_empty=APPLY_FORM.blank_is_empty,
        checks={**CHECKS, "email": email},
        rules=_reachable,
        boxes=APPLY_FORM.boxes,
        translate=_,
    )


STAFF_FORM = Form(
    schemas.StaffApplicationIn,
    labels=STAFF_LABELS,
    blank_is_empty=["phone", "email", "message"],
    checks=CHECKS,
    rules=_reachable_staff,
)
MEETING_FORM = Form(
    schemas.MeetingIn,
    labels=MEETING_LABELS,
    blank_is_empty=["place", "video_link"],
    rules=_meeting_rules,
)
PERSONNUMMER_FORM = Form(
    schemas.PersonnummerIn,
    labels=PERSONNUMMER_LABELS,
    checks={"personnummer": normalise_personnummer},
)


def _same_person(values: Any) -> bool:
    """The plan's one box: the coordinator confirms that the applicant is the participant
    with the personnummer, though the names differ (absent: not confirmed)."""
    return is_ticked(values, SAME_PERSON_BOX)


def _texts() -> dict[str, Any]:
    return {
        "channel_text": services.CHANNEL_TEXT,
        "state_text": services.STATE_TEXT,
        "meeting_text": services.MEETING_STATUS_TEXT,
        "language_text": services.LANGUAGE_TEXT,
    }


# --- the public form ------------------------------------------------------------------------


def _apply_page(request: Request[Any, Any, Any], frame: dict[str, Any]) -> Callable[..., Template]:
    """The form in the frame's language; a message still in Swedish (the service's, after
    the form was parsed) is translated as it is shown."""
    _ = frame["_"]
    labels = {name: _(label) for name, label in LABELS.items()}
    show = form_page("placements/intake/apply.html", request, labels, **frame)

    def shown(
        *,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        # Isolated numbers: an example personnummer in an Arabic message kept its order.
        translated = {name: ltr_numbers(_(message)) for name, message in (errors or {}).items()}
        answer = show(values=values, errors=translated, status_code=status_code)
        # Too many applications from here: nothing in the form is wrong.
        answer.context["summary_heading"] = (
            _("Försök igen senare") if status_code == 429 else _("Formuläret behöver rättas")
        )
        return answer

    return shown


APPLY_PATH = "/ansok"

# The language chosen on the form's page: `app.js` posts the form itself with it, so that what
# was typed is shown again in the new language (the frame's switch leaves the page, and an
# address of its own must never carry a personnummer). Without script the switch leaves the
# page as on any other.
SWITCH = "byt_sprak"


def _switched(request: Request[Any, Any, Any], values: dict[str, Any]) -> Template:
    """The form again in the language chosen (the last one sent: a double click sends it
    twice), as typed, nothing checked or sent, the choice kept; a language the pages do not
    have changes nothing."""
    asked = values[SWITCH]
    last = asked[-1] if isinstance(asked, list) else asked
    chosen = last if last in LANGUAGES else None
    frame = language_frame(request, DEFAULT, chosen=chosen)
    if chosen:
        frame["notice"] = frame["_"](NOTICES["sprak-valt"].text)
    typed = {k: v for k, v in without_control_characters(values).items() if k != SWITCH}
    answer = _apply_page(request, frame)(values=typed)
    if chosen:
        answer.cookies.append(language_cookie(chosen))
    return answer


# The errors a resident may meet on the form, in the language this browser chose: most
# often a form that stood open too long (its token expired: 403). In Swedish, and for
# staff, the site's own page answers.
APPLY_ERROR_HEADINGS = {
    403: N_("Ansökan kunde inte skickas"),
    404: N_("Sidan finns inte"),
    429: N_("Försök igen senare"),
}
APPLY_ERROR_OTHER = N_("Något gick fel. Försök igen om en stund.")


# An applicant's frame: the participant pages', in the language this browser chose.
APPLY_ERRORS = PublicErrors(
    lambda request: language_frame(request, DEFAULT),
    (APPLY_PATH, N_("Till ansökan")),
    APPLY_ERROR_HEADINGS,
    {},
    APPLY_ERROR_OTHER,
)
ERROR_FRAMES.append(ErrorFrame(APPLY_PATH, APPLY_ERRORS.render, nobody_more))


@get(APPLY_PATH, guards=[public], include_in_schema=False, name="intake-form")
async def apply_form(request: Request[Any, Any, Any]) -> Template:
    """The public application form, with what happens to the data, in the language this
    browser chose (Swedish until it chooses)."""
    return _apply_page(request, language_frame(request, DEFAULT))()


@post(APPLY_PATH, guards=[public], include_in_schema=False, status_code=200)
async def apply_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    """Send the application, stored with the form's language; every wrong field is named at
    once, the consent box included."""
    values = await form_values(request)
    if SWITCH in values:  # a switch is never a send: twice (a double click) or odd
        return _switched(request, values)
    frame = language_frame(request, DEFAULT)

    async def send(data: schemas.ApplicationIn) -> Template:
        await services.throttle_public(client_address(request), frame["_"])
        await services.submit_public(data, frame["lang"])
        return page(
            "placements/intake/applied.html",
            request,
            email=data.email.strip(),
            no_switch=True,
            **frame,
        )

    return await round_trip(
        request, apply_form_in(frame["lang"]), send, _apply_page(request, frame)
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
        signed_in_user(request), show_all=show_all, limit=PER_PAGE, offset=(sida - 1) * PER_PAGE
    )
    pages = check_page(sida, total, PER_PAGE)
    return page(
        "placements/intake/queue.html",
        request,
        items=items,
        total=total,
        page_no=sida,
        pages=pages,
        show_all=show_all,
        target=get_settings().planning_meeting_days,
        today=clock.today(),
        **_texts(),
    )


def _new_page(request: Request[Any, Any, Any]) -> Callable[..., Template]:
    return form_page(
        "placements/intake/new.html",
        request,
        STAFF_LABELS,
        blank={"channel": "phone", "language": "sv"},
        channels=STAFF_CHANNELS,
        languages=[(code, text.capitalize()) for code, text in services.LANGUAGE_TEXT.items()],
    )


@get("/arbetsbord/intag/ny", guards=[staff], include_in_schema=False)
async def new_form(request: Request[Any, Any, Any]) -> Template:
    """Register an application received by phone or on paper."""
    return _new_page(request)()


@post("/arbetsbord/intag/ny", guards=[staff], include_in_schema=False, status_code=303)
async def new_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    async def register(data: schemas.StaffApplicationIn) -> Landing:
        application_id = await services.register(signed_in_user(request), data)
        return f"/arbetsbord/intag/{application_id}", "ansokan-registrerad"

    return await round_trip(request, STAFF_FORM, register, _new_page(request))


async def _detail(
    request: Request[Any, Any, Any],
    application_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    correction: dict[str, Any] | None = None,
) -> Template:
    """The application's page; `values` are the meeting form's, `correction` the
    personnummer form's, as typed when a post was refused."""
    application = await services.read(signed_in_user(request), application_id)
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
        personnummer_labels=PERSONNUMMER_LABELS,
        correction=correction or {"personnummer": application.personnummer},
        now=clock.now(),
        **_texts(),
    )


@get("/arbetsbord/intag/{intake_id:int}", guards=[staff], include_in_schema=False)
async def detail_page(request: Request[Any, Any, Any], intake_id: FromPath[int]) -> Template:
    """One application, its meetings and what can be done next. Audited."""
    return await _detail(request, intake_id)


# The POST route of one action on an application.
_intake_post = action_posts("/arbetsbord/intag/{intake_id:int}", staff)


async def _refused_action(
    request: Request[Any, Any, Any],
    application_id: int,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int,
) -> Template:
    """An action's refusal, shown once at the top of the application's page."""
    message = said_once(errors)
    return await _detail(
        request, application_id, errors={**errors, "_action": message}, status_code=status_code
    )


@_intake_post("mote")
async def book_submit(request: Request[Any, Any, Any], intake_id: FromPath[int]) -> Response[Any]:
    """Book the planning meeting, or move it; the applicant gets the invitation by mail."""

    async def book(data: schemas.MeetingIn) -> Landing:
        meeting, mailed = await services.book_meeting(signed_in_user(request), intake_id, data)
        code = "mote-bokat" if meeting.sequence == 0 else "mote-flyttat"
        return f"/arbetsbord/intag/{intake_id}", code if mailed else "mote-bokat-utan-mejl"

    return await round_trip(request, MEETING_FORM, book, partial(_detail, request, intake_id))


@_intake_post("avboka")
async def intake_avboka(request: Request[Any, Any, Any], intake_id: FromPath[int]) -> Response[Any]:
    """Cancel the planning meeting once the box confirms it; the applicant is mailed the
    cancellation. Unticked, the page shows the box with the reason, and nothing changes."""

    async def cancel(_: object) -> Landing:
        await services.cancel_meeting(signed_in_user(request), intake_id)
        return f"/arbetsbord/intag/{intake_id}", "mote-avbokat"

    return await round_trip(
        request, CANCEL_FORM, cancel, partial(_refused_action, request, intake_id)
    )


@_intake_post("uteblev")
async def intake_uteblev(
    request: Request[Any, Any, Any], intake_id: FromPath[int]
) -> Response[Any]:
    """The applicant did not come: the application goes back to "inkommen"."""

    async def no_show(_: object) -> Landing:
        await services.record_no_show(signed_in_user(request), intake_id)
        return f"/arbetsbord/intag/{intake_id}", "mote-uteblev"

    return await round_trip(request, ACTION, no_show, partial(_refused_action, request, intake_id))


@_intake_post("plan")
async def intake_plan(request: Request[Any, Any, Any], intake_id: FromPath[int]) -> Response[Any]:
    """Start the plan once the meeting has begun: the applicant becomes a participant (or
    joins the one with the same personnummer, whose coordinator is told when the caller may
    not see it; under another name only with the box "Ja, det är samma person" ticked)."""

    async def start(same_person: bool) -> Landing:
        candidate_id, visible = await services.start_plan(
            signed_in_user(request), intake_id, same_person=same_person
        )
        if visible:
            return f"/arbetsbord/deltagare/{candidate_id}/plan", "plan-upprattad"
        # The application is that participant's record now, which the caller may not open.
        return "/arbetsbord/intag", "plan-kopplad"

    return await round_trip(
        request,
        _same_person,
        start,
        partial(_refused_action, request, intake_id),
        fields=[SAME_PERSON_BOX],
    )


@_intake_post("personnummer")
async def intake_personnummer(
    request: Request[Any, Any, Any], intake_id: FromPath[int]
) -> Response[Any]:
    """Correct the open application's personnummer (a mistyped number: the plan would have
    joined another person's participant record)."""

    async def correct(data: schemas.PersonnummerIn) -> Landing:
        changed = await services.correct_personnummer(
            signed_in_user(request), intake_id, data.personnummer
        )
        return f"/arbetsbord/intag/{intake_id}", (
            "personnummer-rattat" if changed else "personnummer-samma"
        )

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        return await _detail(
            request,
            intake_id,
            errors={**errors, "_action": said_once(errors)},
            status_code=status_code,
            correction=values,
        )

    return await round_trip(request, PERSONNUMMER_FORM, correct, refused)


_close_reason = free_text("reason")


@_intake_post("avsluta")
async def intake_avsluta(
    request: Request[Any, Any, Any], intake_id: FromPath[int]
) -> Response[Any]:
    """Close the application with the reason given."""

    async def close(reason: str) -> Landing:
        await services.close(signed_in_user(request), intake_id, reason)
        return "/arbetsbord/intag", "ansokan-avslutad"

    return await round_trip(
        request,
        _close_reason,
        close,
        partial(_refused_action, request, intake_id),
        fields=CLOSE_LABELS,
    )


ROUTES = [
    apply_form,
    apply_submit,
    queue_page,
    new_form,
    new_submit,
    detail_page,
    book_submit,
    intake_avboka,
    intake_uteblev,
    intake_plan,
    intake_personnummer,
    intake_avsluta,
]
