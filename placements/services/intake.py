"""Intake (issue 18): applications for support, the planning meeting, and the participant an
application becomes.

- An application comes in through the public form (`submit_public`, rate-limited per
  address), a coordinator's registration of a call or a paper form (`register`), or the
  municipality's e-service (`import_eservice`, idempotent on the e-service's reference). The
  personnummer is validated as a participant's (`candidates.normalise_personnummer`).
- Its planning meeting should be held within `PLANNING_MEETING_DAYS` working days of the
  day it came in (`deadline_of`, `placements.working_days`). The queue lists the open
  applications by deadline (oldest first), marking those past it.
- Booking a meeting mails the applicant an invitation with a calendar file; moving it mails
  an update of the same event (same UID, higher SEQUENCE); cancelling mails METHOD:CANCEL
  (`placements.meeting_calendar`). A no-show is recorded on the meeting and the application
  needs a meeting again.
- Starting the plan ("plan upprättad") marks the meeting held and makes the applicant a
  participant: a new one, or, when a participant with the same personnummer exists, that
  one (never a second). If that participant belongs to a coordinator the caller may not see,
  the application is joined to it all the same and that coordinator is mailed (without a
  name): the applicant asked for support, and two records of one person help nobody.
  The plan is made at the meeting, so it cannot be started before the meeting has begun (a
  meeting "held" tomorrow kept its invitation and counted in the intake clock). Nor is an
  application joined to a participant of another name on the number alone: the number may
  be mistyped (a coordinator corrects it on the application, `correct_personnummer`), or
  the person may have changed name, which the coordinator confirms (`same_person`). The
  refusal says that the names differ, never the participant's name.
- A participant made from the public form gave consent by ticking its box, without
  e-legitimation: the consent method says so ("webbformular"), not "digitalt".
- An application stores the language it was written in (`language`: the public form's, in
  Swedish, English or Arabic; Swedish for the other channels). The invitations by mail, SMS
  and calendar file are in it, and a participant made from a web application who has chosen
  no language is given it.

The queue is the team's: every coordinator and admin sees the open applications. Every read
of an application (the queue's rows too) and every change is audited, with subject type
"intake". The mail names no one but the recipient's own meeting.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit

from marketplace.kernel import clock
from marketplace.kernel.addresses import normalise_email, single_line
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import is_sqlite, write_transaction
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.i18n import N_, Translate, direction, gettext_for, known, swedish
from marketplace.kernel.mail import Attachment, queue_mail, queue_sms, render_mail
from marketplace.kernel.ratelimit import spend
from marketplace.kernel.settings import get_settings
from marketplace.kernel.sms import sms_number
from marketplace.kernel.tables import User
from placements import meeting_calendar
from placements.rows import ApplicationClock, ApplicationRow, PlanningMeetingRow, QueueRow
from placements.schemas import intake as schemas
from placements.services.candidates import (
    normalise_personnummer,
    same_personnummer,
    visible_coordinator_ids,
)
from placements.tables import Application, Candidate, PlanningMeeting
from placements.working_days import working_days_after

SUBJECT = "intake"
OPEN = ("received", "meeting_booked")
NOT_FOUND = "Ansökan finns inte."
CHANNEL_TEXT = {
    "web": "Webbformulär",
    "phone": "Telefon",
    "paper": "Papper",
    "eservice": "E-tjänst",
}
STATE_TEXT = {
    "received": "Inkommen",
    "meeting_booked": "Planeringsmöte bokat",
    "plan_started": "Plan upprättad",
    "closed": "Avslutad",
}
MEETING_STATUS_TEXT = {
    "booked": "Bokat",
    "held": "Genomfört",
    "cancelled": "Avbokat",
    "no_show": "Uteblev",
}
# How the applicant gave the consent the participant's record holds: the public form's ticked
# box (no sign-in, no e-legitimation), the e-service, a call or a paper form.
CONSENT_METHOD = {
    "web": "webbformular",
    "eservice": "digitalt",
    "phone": "muntligt",
    "paper": "skriftligt",
}
# The public form needs no account: each address may send this many applications an hour.
APPLICATIONS_PER_ADDRESS_PER_HOUR = 10
_WINDOW_S = 3600
WEEKDAYS = (
    N_("måndag"),
    N_("tisdag"),
    N_("onsdag"),
    N_("torsdag"),
    N_("fredag"),
    N_("lördag"),
    N_("söndag"),
)
# The language staff see an application was written in.
LANGUAGE_TEXT = {"sv": "svenska", "en": "engelska", "ar": "arabiska"}
UNREACHABLE = N_("Ange ett telefonnummer eller en e-postadress, så att vi kan nå dig.")
# The same rule on the coordinator's registration form, said to the coordinator.
UNREACHABLE_STAFF = "Ange ett telefonnummer eller en e-postadress, så att ni kan nå den sökande."
NEEDS_PLACE = "Ange en plats eller en videolänk för mötet."
BAD_LINK = "Videolänken ska börja med https://."
PAST_MEETING = "Mötet kan inte bokas bakåt i tiden. Välj en tid som inte har passerat."
FAR_MEETING = "Mötet kan bokas högst 90 dagar fram."
# A planning meeting is held in working hours: a time at night is a slip ("03:00" for "13:00").
MEETING_HOURS = (7, 20)
NIGHT_MEETING = "Välj en tid mellan 07:00 och 20:00 (svensk tid): mötet hålls på dagtid."
NOT_OPEN = "Ansökan är redan {state}, och kan inte ändras så."
NO_MEETING = "Det finns inget bokat planeringsmöte."
MEETING_FIRST = "Boka planeringsmötet först: planen upprättas på mötet."
NOT_HELD_YET = (
    "Planeringsmötet är bokat till {when} och har inte hållits än. Tryck på ”Planen är "
    "upprättad” efter mötet. Blir mötet inte av, avboka det, så får sökande en avbokning. Har "
    "planen redan upprättats på annat sätt, avsluta ansökan med det som skäl: då avbokas mötet "
    "och sökande får besked."
)
# Said without the participant's name: it may be another coordinator's participant.
NAME_DIFFERS = (
    "Namnet i ansökan, {name}, är inte namnet på deltagaren med samma personnummer. "
    "Personnumret kan vara felskrivet, eller så har personen bytt namn. Kontrollera "
    "personnumret med sökande. Är det fel, rätta det under ”Rätta personnumret”. Är det samma "
    "person, kryssa i rutan ”Ja, det är samma person” och tryck på ”Planen är upprättad” igen."
)


def engine() -> Any:
    return Application._meta.db


def now() -> dt.datetime:
    return clock.now()


def deadline_of(received_at: dt.datetime, days: int | None = None) -> dt.date:
    """The last working day the planning meeting should be held on: the `days`-th working
    day after the (Swedish) day the application came in."""
    target = get_settings().planning_meeting_days if days is None else days
    return working_days_after(clock.local_date(received_at), target)


def _overdue(row: ApplicationClock, meeting_at: dt.datetime | None, today: dt.date) -> bool:
    deadline = deadline_of(row["received_at"])
    if row["state"] == "received":
        return today > deadline
    if row["state"] == "meeting_booked" and meeting_at is not None:
        return clock.local_date(meeting_at) > deadline
    return False


# --- coming in --------------------------------------------------------------------------------


async def throttle_public(client: str, _: Translate = swedish) -> None:
    """Count one application from `client`; 429 with Retry-After once over budget (the
    refusal in the form's language, `_`)."""
    await spend(
        f"intake:client:{client}",
        APPLICATIONS_PER_ADDRESS_PER_HOUR,
        _WINDOW_S,
        _(
            "Vi har tagit emot många ansökningar härifrån på kort tid. Vänta {minutes} minuter "
            "och försök igen, eller ring {unit} på {phone}."
        )
        .replace("{unit}", get_settings().unit_name)
        .replace("{phone}", get_settings().contact_phone),
    )


def clean(data: schemas.ApplicationIn, unreachable: str = UNREACHABLE) -> dict[str, str]:
    """The contact data checked and normalised; every wrong field named at once
    (`unreachable`: what to say when there is no way to reach the applicant)."""
    errors: dict[str, str] = {}
    out: dict[str, str] = {}
    for field, label in (("first_name", "Förnamnet"), ("last_name", "Efternamnet")):
        try:
            out[field] = single_line(getattr(data, field).strip(), field, label=label)
        except ValidationFailed as exc:
            errors[field] = exc.errors.get(field, exc.message)
    try:
        out["personnummer"] = normalise_personnummer(data.personnummer)
    except ValidationFailed as exc:
        errors["personnummer"] = exc.errors.get("personnummer", exc.message)
    try:
        out["email"] = normalise_email(data.email, "email", required=False)
    except ValidationFailed as exc:
        errors["email"] = exc.errors.get("email", exc.message)
    out["phone"] = " ".join(data.phone.split())
    if not out["phone"] and not data.email.strip():
        errors["phone"] = unreachable
    out["message"] = data.message.strip()
    if errors:
        raise ValidationFailed.every(errors)
    return out


async def _insert(
    values: dict[str, str],
    channel: str,
    received_at: dt.datetime,
    *,
    registered_by: int | None = None,
    external_id: str = "",
    language: str = "sv",
) -> int:
    rows = await Application.insert(
        Application(
            received_at=received_at,
            channel=channel,
            state="received",
            first_name=values["first_name"],
            last_name=values["last_name"],
            personnummer=values["personnummer"],
            phone=values["phone"],
            email=values["email"],
            message=values["message"],
            language=known(language),
            external_id=external_id,
            registered_by=registered_by,
        )
    ).returning(Application.id)
    return int(rows[0]["id"])


# How long an identical application through the public form is taken for the same form
# sent again.
SAME_FORM_WINDOW = dt.timedelta(minutes=30)


async def submit_public(data: schemas.ApplicationIn, language: str = "sv") -> int:
    """A resident's application through the public form (no account), written in `language`
    (sv, en or ar; what is sent to the applicant is in it).

    The same form sent again (the thank-you page reloaded, which re-sends the POST; a double
    click) is the application already received: nothing is written and its id is returned.
    Sent again means identical in every field and language, through the form, within
    `SAME_FORM_WINDOW`, while no coordinator has taken the first one further (state
    received); anything else from the same person is a new application, which the queue
    marks as one more from the same personnummer."""
    values = clean(data)
    async with write_transaction(engine()):
        same = await _sent_before(values, known(language))
        if same is not None:
            return same
        application_id = await _insert(values, "web", now(), language=language)
        await record(
            None, "intake.submit", application_id, subject_type=SUBJECT, detail="webbformulär"
        )
    return application_id


async def _sent_before(values: dict[str, str], language: str) -> int | None:
    """Inside a write transaction: the newest application through the form, within
    `SAME_FORM_WINDOW` and still only received, identical to `values` in `language`. On PostgreSQL the sends of one
    person take turns on an advisory lock named by the personnummer and the name (SQLite's
    writers take turns anyway), so that two sends at once write one row."""
    who = f"{values['personnummer']}:{values['first_name']}:{values['last_name']}"
    if not is_sqlite(engine()):
        await Application.raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"apply:{who}")
    same = (
        await Application.select(Application.id)
        .where(
            (Application.channel == "web")
            & (Application.state == "received")
            & (Application.received_at >= now() - SAME_FORM_WINDOW)
            & (Application.personnummer == values["personnummer"])
            & (Application.first_name == values["first_name"])
            & (Application.last_name == values["last_name"])
            & (Application.phone == values["phone"])
            & (Application.email == values["email"])
            & (Application.message == values["message"])
            & (Application.language == language)
        )
        .order_by(Application.id, ascending=False)
        .first()
    )
    return int(same["id"]) if same is not None else None


def _require_staff(user: AuthUser) -> None:
    if not user.is_staff:
        raise NotFound(NOT_FOUND)


async def register(user: AuthUser, data: schemas.StaffApplicationIn) -> int:
    """An application a coordinator received by phone or on paper, received now."""
    _require_staff(user)
    values = clean(data, UNREACHABLE_STAFF)
    async with write_transaction(engine()):
        application_id = await _insert(
            values, data.channel, now(), registered_by=user.id, language=data.language
        )
        await record(
            user,
            "intake.register",
            application_id,
            subject_type=SUBJECT,
            detail=CHANNEL_TEXT[data.channel],
        )
    return application_id


def _check_received(received_at: dt.datetime) -> dt.datetime:
    if received_at.tzinfo is None:
        raise ValidationFailed(
            "Mottagningstiden måste ha en tidszon, till exempel 2026-12-04T09:30:00+01:00.",
            fields=["received_at"],
        )
    current = now()
    if received_at > current + dt.timedelta(minutes=5):
        raise ValidationFailed("Mottagningstiden ligger i framtiden.", fields=["received_at"])
    if received_at < current - dt.timedelta(days=366):
        raise ValidationFailed(
            "Mottagningstiden ligger mer än ett år bakåt.", fields=["received_at"]
        )
    return received_at.astimezone(dt.UTC)


async def import_eservice(
    user: AuthUser, data: schemas.EServiceApplication
) -> schemas.ApplicationReceipt:
    """One application from the e-service; the same `external_id` again is the same
    application (nothing written, `created` False)."""
    _require_staff(user)
    problems: dict[str, str] = {}
    try:
        values = clean(data)
    except ValidationFailed as exc:
        problems.update(exc.errors)
    try:
        received_at = _check_received(data.received_at)
    except ValidationFailed as exc:
        problems.update(exc.errors or dict.fromkeys(exc.fields, exc.message))
    if problems:
        raise ValidationFailed.every(problems)
    external_id = data.external_id.strip()
    async with write_transaction(engine()):
        existing = (
            await Application.select(Application.id, Application.state, Application.received_at)
            .where((Application.channel == "eservice") & (Application.external_id == external_id))
            .first()
        )
        if existing is not None:
            application_id, created = int(existing["id"]), False
            state, received_at = existing["state"], existing["received_at"]
        else:
            application_id = await _insert(
                values,
                "eservice",
                received_at,
                registered_by=user.id,
                external_id=external_id,
                language=data.language,
            )
            created, state = True, "received"
        await record(
            user,
            "intake.import",
            application_id,
            subject_type=SUBJECT,
            detail="e-tjänst" + ("" if created else ", redan mottagen"),
        )
    return schemas.ApplicationReceipt(
        id=application_id,
        state=state,
        received_at=received_at,
        meeting_deadline=deadline_of(received_at),
        created=created,
    )


# --- the queue and the application --------------------------------------------------------------


async def _booked_meetings(application_ids: list[int]) -> dict[int, PlanningMeetingRow]:
    if not application_ids:
        return {}
    rows = cast(
        "list[PlanningMeetingRow]",
        await PlanningMeeting.select().where(
            PlanningMeeting.application.is_in(application_ids)
            & (PlanningMeeting.status == "booked")
        ),
    )
    return {int(r["application"]): r for r in rows}


async def queue(
    user: AuthUser, *, show_all: bool = False, limit: int = 20, offset: int = 0
) -> tuple[list[schemas.QueueItem], int]:
    """A page of the applications, by deadline (the oldest first: the deadline follows the
    day received), with the total. Open ones only unless `show_all`. Each row shown is a
    read, audited."""
    _require_staff(user)
    where = Application.state.is_in(list(OPEN)) if not show_all else await _visible_to(user)
    count_query = Application.count()
    query = Application.select(
        Application.id,
        Application.first_name,
        Application.last_name,
        Application.channel,
        Application.language,
        Application.state,
        Application.received_at,
    )
    if where is not None:
        count_query = count_query.where(where)
        query = query.where(where)
    total = await count_query
    rows = cast(
        "list[QueueRow]",
        await query.order_by(Application.received_at)
        .order_by(Application.id)
        .limit(limit)
        .offset(offset),
    )
    meetings = await _booked_meetings([int(r["id"]) for r in rows])
    twins = await _same_person([int(r["id"]) for r in rows])
    today = clock.today()
    items = []
    async with write_transaction(engine()):
        for row in rows:
            meeting = meetings.get(int(row["id"]))
            meeting_at = meeting["starts_at"] if meeting else None
            items.append(
                schemas.QueueItem(
                    id=int(row["id"]),
                    name=f"{row['first_name']} {row['last_name']}",
                    channel=row["channel"],
                    language=known(row["language"]),
                    state=row["state"],
                    received_at=row["received_at"],
                    deadline=deadline_of(row["received_at"]),
                    overdue=_overdue(row, meeting_at, today),
                    meeting_at=meeting_at,
                    same_person=twins.get(int(row["id"]), []),
                )
            )
            await record(user, "intake.list", int(row["id"]), subject_type=SUBJECT)
    return items, int(total)


def _meeting_out(row: PlanningMeetingRow) -> schemas.Meeting:
    return schemas.Meeting(
        id=int(row["id"]),
        starts_at=row["starts_at"],
        minutes=row["minutes"],
        place=row["place"],
        video_link=row["video_link"],
        status=row["status"],
        sequence=row["sequence"],
        uid=row["uid"],
    )


async def _row(application_id: int) -> ApplicationRow:
    row = cast(
        "ApplicationRow | None",
        await Application.select().where(Application.id == application_id).first(),
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


async def _out(row: ApplicationRow) -> schemas.Application:
    meetings = cast(
        "list[PlanningMeetingRow]",
        await PlanningMeeting.select()
        .where(PlanningMeeting.application == row["id"])
        .order_by(PlanningMeeting.starts_at, ascending=False),
    )
    current = next((m for m in meetings if m["status"] == "booked"), None)
    return schemas.Application(
        id=int(row["id"]),
        first_name=row["first_name"],
        last_name=row["last_name"],
        personnummer=row["personnummer"],
        phone=row["phone"],
        email=row["email"],
        message=row["message"],
        channel=row["channel"],
        state=row["state"],
        received_at=row["received_at"],
        deadline=deadline_of(row["received_at"]),
        overdue=_overdue(row, current["starts_at"] if current else None, clock.today()),
        candidate_id=row["candidate"],
        close_reason=row["close_reason"],
        meetings=[_meeting_out(m) for m in meetings],
        current_meeting=_meeting_out(current) if current else None,
        language=known(row["language"]),
    )


async def read(user: AuthUser, application_id: int) -> schemas.Application:
    """The whole application, for staff; the read is audited."""
    _require_staff(user)
    async with write_transaction(engine()):
        row = await _row(application_id)
        allowed = await visible_coordinator_ids(user)
        if row["candidate"] is not None and allowed is not None:
            # The application became a participant of a coordinator the caller may not
            # see: it is that participant's record now.
            owner = (
                await Candidate.select(Candidate.coordinator)
                .where(Candidate.id == row["candidate"])
                .first()
            )
            if owner is not None and owner["coordinator"] not in allowed:
                raise NotFound(NOT_FOUND)
        await record(user, "intake.read", application_id, subject_type=SUBJECT)
        out = await _out(row)
        out.same_person = (await _same_person([application_id])).get(application_id, [])
        if row["state"] in OPEN and row["personnummer"]:
            seen, hidden = await same_personnummer(user, row["personnummer"])
            out.known_participant = bool(seen or hidden)
            joined = await _participant_with(row["personnummer"])
            out.name_differs = joined is not None and names_differ(row, joined)
        return out


async def _participant_with(personnummer: str) -> dict[str, Any] | None:
    """The participant a plan joins the application to: the first one with the personnummer
    who is not anonymised (None when there is none)."""
    return cast(
        "dict[str, Any] | None",
        await Candidate.select(
            Candidate.id, Candidate.coordinator, Candidate.first_name, Candidate.last_name
        )
        .where((Candidate.personnummer == personnummer) & Candidate.anonymised_at.is_null())
        .order_by(Candidate.id)
        .first(),
    )


def _name_key(first_name: str, last_name: str) -> str:
    """A name as compared: case, width, spaces and hyphens do not count ("Anna-Karin
    LINDQVIST" is "anna karin lindqvist"); letters do ("Åsa" is not "Asa")."""
    text = unicodedata.normalize("NFKC", f"{first_name} {last_name}").casefold()
    return " ".join(_NAME_BREAKS.split(text)).strip()


_NAME_BREAKS = re.compile(r"[\s\-\u2010-\u2015]+")


def names_differ(application: Mapping[str, Any], participant: Mapping[str, Any]) -> bool:
    """Whether the applicant's name is another than the participant's (the same personnummer
    with another name: a mistyped number, or a name changed since)."""
    return _name_key(application["first_name"], application["last_name"]) != _name_key(
        participant["first_name"], participant["last_name"]
    )


async def _visible_to(user: AuthUser) -> Any:
    """Which applications, open or closed, a staff user may list: all for an admin; for a
    coordinator those not made into a participant of a coordinator they may not see."""
    allowed = await visible_coordinator_ids(user)
    if allowed is None:
        return None
    return Application.candidate.is_null() | Application.candidate.coordinator.is_in(allowed or [0])


async def _same_person(application_ids: list[int]) -> dict[int, list[int]]:
    """For each of the applications, the other open applications with its personnummer (one
    resident who applied twice: the coordinators close one)."""
    if not application_ids:
        return {}
    rows = await Application.select(Application.id, Application.personnummer).where(
        Application.id.is_in(application_ids) & (Application.personnummer != "")
    )
    numbers = {int(r["id"]): r["personnummer"] for r in rows}
    if not numbers:
        return {}
    others = await Application.select(Application.id, Application.personnummer).where(
        Application.personnummer.is_in(sorted(set(numbers.values())))
        & Application.state.is_in(list(OPEN))
    )
    out: dict[int, list[int]] = {}
    for app_id, number in numbers.items():
        twins = sorted(
            int(r["id"]) for r in others if r["personnummer"] == number and r["id"] != app_id
        )
        if twins:
            out[app_id] = twins
    return out


# --- the planning meeting ---------------------------------------------------------------------


def meeting_start(data: schemas.MeetingIn) -> dt.datetime:
    hour, minute = (int(p) for p in data.time.split(":"))
    return dt.datetime.combine(data.day, dt.time(hour, minute), tzinfo=clock.STOCKHOLM)


def check_meeting(data: schemas.MeetingIn, current: dt.datetime | None = None) -> dt.datetime:
    """The meeting's start (UTC), or `ValidationFailed` naming every problem."""
    current = current or now()
    starts = meeting_start(data)
    errors = dict(
        meeting_problems(
            data.day, data.time, data.place, data.video_link, current.astimezone(clock.STOCKHOLM)
        )
    )
    if errors:
        raise ValidationFailed.every(errors)
    return starts.astimezone(dt.UTC)


def meeting_problems(
    day: dt.date | None,
    time: str | None,
    place: str,
    video_link: str,
    current: dt.datetime | None = None,
) -> list[tuple[str, str]]:
    """Every problem of a meeting's fields as (field, message), of those known (`day` and
    `time` None when the form could not read them): not before now and at most 90 days
    ahead, in the day's hours, a place or a link, and a link that is one https address. The
    form asks this with its own checks, so that one answer names them all; `check_meeting`
    asks it again."""
    current = (current or now()).astimezone(clock.STOCKHOLM)
    found: list[tuple[str, str]] = []
    clock_time: dt.time | None = None
    if time is not None:
        hour, minute = (int(p) for p in time.split(":"))
        clock_time = dt.time(hour, minute)
        if not MEETING_HOURS[0] <= hour < MEETING_HOURS[1]:
            found.append(("time", NIGHT_MEETING))
    if day is not None:
        starts = dt.datetime.combine(day, clock_time or dt.time(23, 59), tzinfo=clock.STOCKHOLM)
        if starts < current:
            found.append(("day", PAST_MEETING))
        elif dt.datetime.combine(day, clock_time or dt.time(0), tzinfo=clock.STOCKHOLM) > (
            current + dt.timedelta(days=90)
        ):
            found.append(("day", FAR_MEETING))
    if not place.strip() and not video_link.strip():
        found.append(("place", NEEDS_PLACE))
    link = video_link.strip()
    if link and (not link.startswith("https://") or len(link.split()) != 1):
        found.append(("video_link", BAD_LINK))
    return found


def _uid() -> str:
    domain = urlsplit(get_settings().base_url).hostname or "praktikplatser.local"
    return f"planeringsmote-{secrets.token_hex(12)}@{domain}"


_SMS_TEXTS = {
    "new": N_("Du är välkommen till ett planeringsmöte %(when)s%(where)s."),
    "changed": N_("Ditt planeringsmöte är flyttat till %(when)s%(where)s."),
    "cancelled": N_("Ditt planeringsmöte %(when)s är inställt. Vi hör av oss."),
}


def _when(starts_at: dt.datetime, _: Translate) -> str:
    """The meeting's Swedish day and time ("tisdag 2026-12-08 kl. 09:30"), in words
    of the applicant's language."""
    local = starts_at.astimezone(clock.STOCKHOLM)
    return _("%(weekday)s %(day)s kl. %(time)s") % {
        "weekday": _(WEEKDAYS[local.weekday()]),
        "day": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
    }


def _applicant_gettext(application: ApplicationRow) -> Translate:
    """The catalog of the language the application was written in."""
    return gettext_for(known(application["language"]))


async def _sms_invitation(
    application: ApplicationRow, meeting: PlanningMeetingRow, kind: str
) -> bool:
    """The invitation by SMS too, when SMS is set up and the applicant has a mobile number.
    It names no one; the place or the video link says where."""
    number = sms_number(application["phone"], get_settings())
    if not number:
        return False
    _ = _applicant_gettext(application)
    where = meeting["place"] or meeting["video_link"]
    text = _(_SMS_TEXTS[kind]) % {
        "when": _when(meeting["starts_at"], _),
        # The place after the time, with the language's own comma (Arabic's "،").
        "where": _(", %(place)s") % {"place": where} if where else "",
    }
    return await queue_sms(
        number,
        text,
        kind="planning_meeting",
        dedupe_key=f"planning-meeting-sms:{meeting['uid']}:{meeting['sequence']}:{kind}",
    )


async def _send_invitation(
    application: ApplicationRow, meeting: PlanningMeetingRow, kind: str
) -> bool:
    """Mail the applicant the invitation (`kind`: new, changed, cancelled) with the calendar
    file, and send it by SMS too where that is possible (`_sms_invitation`), both in the
    language the application was written in. Nothing is mailed to an applicant without an
    e-mail address."""
    texted = await _sms_invitation(application, meeting, kind)
    if not application["email"]:
        return texted
    settings = get_settings()
    _ = _applicant_gettext(application)
    lang = known(application["language"])
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    ics = meeting_calendar.meeting_ics(
        uid=meeting["uid"],
        sequence=meeting["sequence"],
        method=method,
        starts_at=meeting["starts_at"],
        minutes=meeting["minutes"],
        place=meeting["place"],
        video_link=meeting["video_link"],
        organizer=settings.mail_from.rsplit("<", 1)[-1].rstrip(">").strip(),
        organizer_name=settings.unit_name,
        attendee=application["email"],
        stamp=now(),
        summary=_(meeting_calendar.SUMMARY) % {"unit": settings.unit_name},
    )
    mail = render_mail(
        "planning_meeting",
        settings,
        _=_,
        lang=lang,
        dir=direction(lang),
        kind=kind,
        when=_when(meeting["starts_at"], _),
        minutes=meeting["minutes"],
        place=meeting["place"],
        video_link=meeting["video_link"],
        unit=settings.unit_name,
    )
    return await queue_mail(
        application["email"],
        mail.subject,
        mail.text,
        body_html=mail.html,
        kind="planning_meeting",
        dedupe_key=f"planning-meeting:{meeting['uid']}:{meeting['sequence']}:{kind}",
        meta={"template": "planning_meeting", "method": method},
        attachments=[
            Attachment(
                filename=_("planeringsmote.ics"),
                content_type="text/calendar",
                content=ics,
                params=(("method", method),),
            )
        ],
    )


async def _lock_open(application_id: int) -> ApplicationRow:
    """Inside a write transaction: lock the application (on SQLite the transaction's
    BEGIN IMMEDIATE already holds the database) and return it fresh, if it is still open.
    Without the lock, two coordinators booking at once made two meetings, and two plans
    two participants, on PostgreSQL."""
    if not is_sqlite(engine()):
        await Application.raw(
            "SELECT id FROM pl_application WHERE id = {} FOR UPDATE", application_id
        )
    row = await _row(application_id)
    if row["state"] not in OPEN:
        raise Conflict(NOT_OPEN.format(state=STATE_TEXT[row["state"]].lower()))
    return row


async def book_meeting(
    user: AuthUser, application_id: int, data: schemas.MeetingIn
) -> tuple[schemas.Meeting, bool]:
    """Book the planning meeting, or move the one booked (same event, next SEQUENCE); the
    applicant is mailed either way. Returns the meeting and whether a mail was queued."""
    _require_staff(user)
    starts = check_meeting(data)
    async with write_transaction(engine()):
        application = await _lock_open(application_id)
        booked = await _booked_meeting_of(application_id)
        place, video_link = data.place.strip(), data.video_link.strip()
        if booked is None:
            rows = await PlanningMeeting.insert(
                PlanningMeeting(
                    application=application_id,
                    uid=_uid(),
                    sequence=0,
                    status="booked",
                    booked_by=user.id,
                    starts_at=starts,
                    minutes=data.minutes,
                    place=place,
                    video_link=video_link,
                )
            ).returning(PlanningMeeting.id)
            meeting_id, kind, action = int(rows[0]["id"]), "new", "intake.meeting_book"
        else:
            meeting_id, kind, action = int(booked["id"]), "changed", "intake.meeting_change"
            await PlanningMeeting.update(
                {
                    PlanningMeeting.starts_at: starts,
                    PlanningMeeting.minutes: data.minutes,
                    PlanningMeeting.place: place,
                    PlanningMeeting.video_link: video_link,
                    PlanningMeeting.sequence: PlanningMeeting.sequence + 1,
                    PlanningMeeting.updated_at: now(),
                }
            ).where(PlanningMeeting.id == meeting_id)
        await Application.update(
            {
                Application.state: "meeting_booked",
                Application.coordinator: application["coordinator"] or user.id,
                Application.updated_at: now(),
            }
        ).where(Application.id == application_id)
        meeting = await _meeting(meeting_id)
        assert meeting is not None
        mailed = await _send_invitation(application, meeting, kind)
        await record(
            user,
            action,
            application_id,
            subject_type=SUBJECT,
            detail=f"möte {meeting_id}, {clock.local_date(starts).isoformat()}",
        )
        return _meeting_out(meeting), mailed


async def _meeting(meeting_id: int) -> PlanningMeetingRow | None:
    return cast(
        "PlanningMeetingRow | None",
        await PlanningMeeting.select().where(PlanningMeeting.id == meeting_id).first(),
    )


async def _booked_meeting_of(application_id: int) -> PlanningMeetingRow | None:
    """The application's booked meeting, if it has one."""
    return cast(
        "PlanningMeetingRow | None",
        await PlanningMeeting.select()
        .where(
            (PlanningMeeting.application == application_id) & (PlanningMeeting.status == "booked")
        )
        .first(),
    )


async def _booked(application_id: int) -> PlanningMeetingRow:
    meeting = await _booked_meeting_of(application_id)
    if meeting is None:
        raise Conflict(NO_MEETING)
    return meeting


async def cancel_meeting(user: AuthUser, application_id: int) -> bool:
    """Cancel the booked meeting (the applicant gets METHOD:CANCEL); the application needs a
    meeting again. Returns whether a mail was queued."""
    _require_staff(user)
    async with write_transaction(engine()):
        application = await _lock_open(application_id)
        meeting = await _booked(application_id)
        await PlanningMeeting.update(
            {
                PlanningMeeting.status: "cancelled",
                PlanningMeeting.sequence: PlanningMeeting.sequence + 1,
                PlanningMeeting.updated_at: now(),
            }
        ).where(PlanningMeeting.id == meeting["id"])
        await Application.update(
            {Application.state: "received", Application.updated_at: now()}
        ).where(Application.id == application_id)
        cancelled = await _meeting(meeting["id"])
        assert cancelled is not None
        mailed = await _send_invitation(application, cancelled, "cancelled")
        await record(
            user,
            "intake.meeting_cancel",
            application_id,
            subject_type=SUBJECT,
            detail=f"möte {meeting['id']}",
        )
        return mailed


async def record_no_show(user: AuthUser, application_id: int) -> None:
    """The applicant did not come: the meeting is marked so, and the application needs a
    new meeting (its deadline stays the first one's: the clock does not restart)."""
    _require_staff(user)
    async with write_transaction(engine()):
        await _lock_open(application_id)
        meeting = await _booked(application_id)
        if meeting["starts_at"] > now():
            raise Conflict("Mötet har inte börjat än. Avboka det i stället om det inte blir av.")
        await PlanningMeeting.update(
            {PlanningMeeting.status: "no_show", PlanningMeeting.updated_at: now()}
        ).where(PlanningMeeting.id == meeting["id"])
        await Application.update(
            {Application.state: "received", Application.updated_at: now()}
        ).where(Application.id == application_id)
        await record(
            user,
            "intake.no_show",
            application_id,
            subject_type=SUBJECT,
            detail=f"möte {meeting['id']}",
        )


async def correct_personnummer(user: AuthUser, application_id: int, personnummer: str) -> bool:
    """Correct an open application's personnummer (mistyped on a paper form or in a call),
    checked as any participant's; the plan then joins the participant with the corrected
    number, if any. Audited without the number. Returns whether it changed."""
    _require_staff(user)
    corrected = normalise_personnummer(personnummer)
    async with write_transaction(engine()):
        application = await _lock_open(application_id)
        if application["personnummer"] == corrected:
            return False
        await Application.update(
            {Application.personnummer: corrected, Application.updated_at: now()}
        ).where(Application.id == application_id)
        await record(
            user,
            "intake.correct_personnummer",
            application_id,
            subject_type=SUBJECT,
            detail="personnumret rättat",
        )
        return True


# --- the plan: the application becomes a participant -----------------------------------------


async def _notify_owner(
    candidate_id: int, coordinator_id: int | None, application_id: int, *, renamed: bool = False
) -> None:
    """Mail the participant's coordinator that a colleague's plan joined an application to
    their participant (`renamed`: under another name, which the colleague confirmed)."""
    if coordinator_id is None:
        return
    owner = await User.select(User.id, User.email).where(User.id == coordinator_id).first()
    if owner is None or not owner["email"]:
        return
    link = get_settings().base_url.rstrip("/") + f"/arbetsbord/deltagare/{candidate_id}"
    renamed_text = (
        "\nNamnet i ansökan var ett annat än deltagarens; kollegan bekräftade att det är samma "
        "person (till exempel efter ett namnbyte). Se över deltagarens uppgifter.\n"
        if renamed
        else ""
    )
    await queue_mail(
        owner["email"],
        "En ansökan har kopplats till en av dina deltagare",
        "Hej!\n\nEn ny ansökan om stöd (ansökan "
        f"{application_id}) gällde en person som redan är din deltagare. Planen upprättades "
        "av en kollega, och ansökan är nu kopplad till deltagaren:\n\n"
        f"{link}\n{renamed_text}",
        kind="intake_joined",
        recipient_user_id=int(owner["id"]),
        candidate_id=candidate_id,
        dedupe_key=f"intake-joined:{application_id}",
    )


def _chosen_language(application: ApplicationRow) -> str:
    """The language the applicant chose, for the participant's record: the one the public
    form was written in, or another than Swedish asked for by phone, on paper or in the
    e-service; "" for Swedish there, which is only the default, no one's choice."""
    lang = known(application["language"])
    return lang if application["channel"] == "web" or lang != "sv" else ""


async def start_plan(
    user: AuthUser, application_id: int, *, same_person: bool = False
) -> tuple[int, bool]:
    """The plan is made at the meeting: the meeting is held, the application "plan
    upprättad", and the applicant a participant (a new one, or the existing one with the
    same personnummer). Returns (participant id, whether the caller may open it).

    Refused (409, nothing changed) before the meeting has begun (`NOT_HELD_YET`), and when
    the participant with the personnummer has another name than the applicant, unless the
    caller confirms with `same_person` that it is the same person (`NAME_DIFFERS`)."""
    _require_staff(user)
    async with write_transaction(engine()):
        application = await _lock_open(application_id)
        if application["state"] != "meeting_booked":
            raise Conflict(MEETING_FIRST)
        meeting = await _booked(application_id)
        if meeting["starts_at"] > now():
            raise Conflict(NOT_HELD_YET.format(when=_when(meeting["starts_at"], swedish)))
        existing = None
        if application["personnummer"]:
            existing = await _participant_with(application["personnummer"])
        renamed = existing is not None and names_differ(application, existing)
        if renamed and not same_person:
            raise Conflict(
                NAME_DIFFERS.format(name=f"{application['first_name']} {application['last_name']}"),
                fields=["same_person"],
            )
        today = clock.today()
        language = _chosen_language(application)
        if existing is not None:
            candidate_id = int(existing["id"])
            allowed = await visible_coordinator_ids(user)
            visible = allowed is None or existing["coordinator"] in allowed
            await record(
                user,
                "intake.joined_participant",
                application_id,
                subject_type=SUBJECT,
                detail=f"deltagare {candidate_id}"
                + (", annat namn i ansökan, bekräftat samma person" if renamed else ""),
            )
            if not visible:
                await _notify_owner(
                    candidate_id, existing["coordinator"], application_id, renamed=renamed
                )
            if language:
                # The language the application was written in, for one who never chose one.
                await Candidate.update({Candidate.language: language}).where(
                    (Candidate.id == candidate_id) & (Candidate.language == "")
                )
        else:
            coordinator = user.id if user.role == "coordinator" else application["coordinator"]
            rows = await Candidate.insert(
                Candidate(
                    first_name=application["first_name"],
                    last_name=application["last_name"],
                    personnummer=application["personnummer"],
                    email=application["email"],
                    phone=application["phone"],
                    interests=application["message"],
                    coordinator=coordinator,
                    registered_at=today,
                    consent_date=clock.local_date(application["received_at"]),
                    consent_method=CONSENT_METHOD[application["channel"]],
                    language=language,
                )
            ).returning(Candidate.id)
            candidate_id = int(rows[0]["id"])
            visible = True
            await record(
                user, "candidate.create", candidate_id, detail=f"från ansökan {application_id}"
            )
        await PlanningMeeting.update(
            {PlanningMeeting.status: "held", PlanningMeeting.updated_at: now()}
        ).where(PlanningMeeting.id == meeting["id"])
        await Application.update(
            {
                Application.state: "plan_started",
                Application.candidate: candidate_id,
                Application.plan_started_at: now(),
                Application.updated_at: now(),
            }
        ).where(Application.id == application_id)
        await record(
            user,
            "intake.plan_start",
            application_id,
            subject_type=SUBJECT,
            detail=f"deltagare {candidate_id}",
        )
        return candidate_id, visible


async def close(user: AuthUser, application_id: int, reason: str) -> None:
    """Close an application without a plan (withdrawn, not reached, not in the target group),
    with the reason; a booked meeting is cancelled and the applicant told."""
    _require_staff(user)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Skriv varför ansökan avslutas.", fields=["reason"])
    async with write_transaction(engine()):
        application = await _lock_open(application_id)
        meeting = await _booked_meeting_of(application_id)
        if meeting is not None:
            await PlanningMeeting.update(
                {
                    PlanningMeeting.status: "cancelled",
                    PlanningMeeting.sequence: PlanningMeeting.sequence + 1,
                }
            ).where(PlanningMeeting.id == meeting["id"])
            cancelled = await _meeting(meeting["id"])
            assert cancelled is not None
            await _send_invitation(application, cancelled, "cancelled")
        await Application.update(
            {
                Application.state: "closed",
                Application.closed_at: now(),
                Application.close_reason: reason[:2000],
                Application.updated_at: now(),
            }
        ).where(Application.id == application_id)
        await record(user, "intake.close", application_id, subject_type=SUBJECT)
