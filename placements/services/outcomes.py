"""The end of a placement: the supervisor's structured assessment (in the app or through a
signed link), the participant's own view, the outcome at exit in Kolada's categories, and the
follow-ups at 90 and 180 days after the exit: after the day the placement ended (`exit_day`),
which the outcome's date may not come before.

The link itself is made and mailed by `assessment_links` when the placement ends
(`bookings.end`); this module, on top of the booking actions, reads and uses it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import msgspec

from employers.tables import Contact
from marketplace.kernel import clock
from marketplace.kernel.audit import record, record_many
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.kernel.settings import get_settings
from marketplace.kernel.sweeps import RowGuard
from placements import booking_states, date_rules, vocabulary
from placements.errors import LINK_INVALID, LinkRefused, link_payload
from placements.host_texts import assessment_problems
from placements.rows import AssessmentRow, BookingEnd, BookingRow, FollowUpRow, OutcomeRow
from placements.schemas import bookings as booking_schemas
from placements.schemas import outcomes as schemas
from placements.services import (
    assessment_links,
    booking_access,
    booking_mail,
    booking_moves,
    lockin,
)
from placements.services.candidates import (
    candidate_row,
    display_name,
    read_row_for,
    visible_coordinator_ids,
)
from placements.tables import Assessment, Candidate, FollowUp, Outcome, Slot

ENDED = booking_states.ENDED
FOLLOW_UP_DAYS = (90, 180)
CATEGORY_TEXT = vocabulary.OUTCOME_LABELS

# --- assessment ------------------------------------------------------------------------------


def _assessment_out(booking_id: int, row: AssessmentRow | None) -> schemas.Assessment:
    if row is None:  # nothing written yet: the empty form
        return schemas.Assessment(
            booking_id=booking_id,
            submitted=False,
            attendance="",
            tasks_mastered="",
            strengths="",
            recommendation="",
            comment="",
            participant_view="",
            submitted_at=None,
            submitted_by="",
        )
    return schemas.Assessment(
        booking_id=booking_id,
        submitted=row["submitted_at"] is not None,
        attendance=row["attendance"],
        tasks_mastered=row["tasks_mastered"],
        strengths=row["strengths"],
        recommendation=row["recommendation"],
        comment=row["comment"],
        participant_view=row["participant_view"],
        submitted_at=row["submitted_at"],
        submitted_by=row["submitted_by"],
    )


async def _assessment_row(booking_id: int) -> AssessmentRow | None:
    return cast(
        "AssessmentRow | None",
        await Assessment.select().where(Assessment.booking == booking_id).first(),
    )


async def _supervisor_of(booking: BookingRow) -> tuple[str, str]:
    """The booking's supervisor's (name, e-mail), or ("", "") when it names none."""
    if booking["supervisor"] is None:
        return "", ""
    contact = (
        await Contact.select(Contact.name, Contact.email)
        .where(Contact.id == booking["supervisor"])
        .first()
    )
    return (contact["name"], contact["email"]) if contact else ("", "")


async def assessment_notice(booking: BookingRow, user: AuthUser | None) -> tuple[str, str] | None:
    """The coordinator's mail about a submitted assessment, (subject, opening), in words true
    of whoever submitted it: the supervisor through the mailed link (`user` None) or signed in
    to the host portal, another host user, or staff for the host. None when the booking's own
    coordinator registered it: they need no mail about what they just did."""
    supervisor, supervisor_email = await _supervisor_of(booking)
    if user is None or (
        user.role == "host"
        and supervisor_email
        and user.email.strip().casefold() == supervisor_email.strip().casefold()
    ):
        where = "via länken i mejlet" if user is None else "i värdportalen"
        who = f"Handledaren {supervisor}" if supervisor else "Handledaren"
        return (
            "Handledarens bedömning har kommit in",
            f"{who} har skickat in sin bedömning av placeringen {where}.",
        )
    if user.role == "host":
        host = (
            await Slot.select(Slot.host.name.as_alias("name")).where(Slot.id == booking["slot"])
        ).pop()
        return (
            "Värdens bedömning har kommit in",
            f"{user.name} på {host['name']} har skickat in värdens bedömning av placeringen "
            "i värdportalen.",
        )
    if user.id == booking["coordinator"]:
        return None
    role = booking_moves.ROLE_TEXT.get(user.role, user.role)
    return (
        "Bedömningen har registrerats",
        f"{user.name} ({role}) har registrerat bedömningen av placeringen för värdens räkning.",
    )


async def _store_assessment(
    booking: BookingRow,
    data: schemas.AssessmentCreate,
    submitted_by: str,
    user: AuthUser | None,
) -> AssessmentRow:
    """Store the assessment, submitted, and tell the coordinator who sent it (`user`; None
    for the supervisor's link)."""
    if not booking_states.can("assess", booking["status"]):
        raise booking_moves.illegal(booking["status"], "assess")
    if problems := assessment_problems(msgspec.structs.asdict(data)):  # the API's too
        errors: dict[str, str] = {}
        for name, message in problems:
            errors.setdefault(name, message)
        raise ValidationFailed.every(errors)
    existing = await _assessment_row(booking["id"])
    if existing is not None and existing["submitted_at"] is not None:
        raise Conflict("Bedömningen är redan inskickad för den här placeringen.")
    values: dict[Any, Any] = {
        Assessment.attendance: data.attendance,
        Assessment.tasks_mastered: data.tasks_mastered,
        Assessment.strengths: data.strengths,
        Assessment.recommendation: data.recommendation,
        Assessment.comment: data.comment,
        Assessment.submitted_at: booking_access.now(),
        Assessment.submitted_by: submitted_by[:200],
    }
    if existing is None:
        await Assessment.insert(Assessment(booking=booking["id"]))
    await Assessment.update(values).where(Assessment.booking == booking["id"])
    notice = await assessment_notice(booking, user)
    if notice is not None:
        subject, opening = notice
        # Straight to the assessment on the booking's page.
        recipients = [
            dataclasses.replace(r, path=f"{r.path}#bedomning") if r.path else r
            for r in await booking_mail.coordinator_recipients(booking)
        ]
        await booking_mail.notify(
            recipients,
            subject,
            f"Hej!\n\n{opening}",
            kind="assessment.submitted",
            booking_id=booking["id"],
            action="Läs bedömningen",
        )
    row = await _assessment_row(booking["id"])
    assert row is not None
    return row


async def _shown_to(
    user: AuthUser, booking: BookingRow, out: schemas.Assessment
) -> schemas.Assessment:
    """The assessment as `user` may read it: the participant's view is for staff only, and a
    host reads the rest by `booking_access.host_reading` (no surname once it is long over)."""
    reading = await booking_access.host_reading(user, booking)
    if reading is None:
        return out
    out.participant_view = ""
    for name in ("tasks_mastered", "strengths", "comment", "submitted_by"):
        setattr(out, name, reading.text(getattr(out, name)))
    return out


async def submit_assessment(
    user: AuthUser, booking_id: int, data: schemas.AssessmentCreate
) -> schemas.Assessment:
    """The host user (or staff on the supervisor's behalf) submits the assessment, once."""
    async with write_transaction(booking_access.engine()):
        visible = await booking_access.booking_row_for(user, booking_id)
        if not await booking_access.may_act_as_host(user, visible):
            raise NotFound(booking_access.BOOKING_NOT_FOUND)
        booking = await booking_access.lock_booking(booking_id)
        row = await _store_assessment(booking, data, booking_moves.actor_label(user), user)
        await record(
            user, "assessment.submit", booking["candidate"], detail=f"bokning {booking_id}"
        )
        return await _shown_to(user, booking, _assessment_out(booking_id, row))


async def get_assessment_for(user: AuthUser, booking_id: int) -> schemas.Assessment:
    """The assessment (empty until submitted). The participant's view is for staff only."""
    async with write_transaction(booking_access.engine()):
        booking = await booking_access.booking_row_for(user, booking_id)
        await record(user, "assessment.read", booking["candidate"], detail=f"bokning {booking_id}")
        return await _shown_to(
            user, booking, _assessment_out(booking_id, await _assessment_row(booking_id))
        )


async def submitted_assessments(bookings: Sequence[booking_schemas.Booking]) -> set[int]:
    """Which of these bookings (read through the caller's own access, e.g. a list of their
    ended placements) have a submitted assessment, in one query. Only whether it was
    submitted is read, none of its content, so nothing is audited beyond the list itself.
    The host's home page read every ended placement's assessment on its own (seven queries
    and an audit row each, for a list that only grows)."""
    return await _bookings_having(Assessment, bookings, Assessment.submitted_at.is_not_null())


async def record_participant_view(
    user: AuthUser, booking_id: int, data: schemas.ParticipantView
) -> schemas.Assessment:
    """The coordinator records the participant's own view of the placement."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking = await booking_access.lock_booking(booking_id)
        if not booking_states.can("assess", booking["status"]):
            raise booking_moves.illegal(booking["status"], "assess")
        if await _assessment_row(booking_id) is None:
            await Assessment.insert(Assessment(booking=booking_id))
        await Assessment.update({Assessment.participant_view: data.text}).where(
            Assessment.booking == booking_id
        )
        await record(
            user,
            "assessment.participant_view",
            booking["candidate"],
            detail=f"bokning {booking_id}",
        )
        return _assessment_out(booking_id, await _assessment_row(booking_id))


async def _load_assessment_link(token: str) -> BookingRow:
    payload = link_payload(
        assessment_links.serializer(), token, get_settings().signing_link_days * 86400
    )
    if not isinstance(payload.get("b"), int):
        raise LinkRefused(LINK_INVALID, status_code=400)
    booking = await booking_access.booking_row(payload["b"])
    if booking is None or booking["status"] not in ENDED:
        raise LinkRefused("Placeringen finns inte längre.", status_code=410)
    existing = await _assessment_row(booking["id"])
    if existing is not None and existing["submitted_at"] is not None:
        raise LinkRefused(
            "Bedömningen är redan inskickad. Tack! Länken kan bara användas en gång.",
            status_code=410,
        )
    return booking


async def booking_for_assessment_link(token: str) -> tuple[str, str]:
    """(participant's name, supervisor's name) for a valid link; `LinkRefused` otherwise.

    The page names the participant, so the read is audited like any other."""
    booking = await _load_assessment_link(token)
    async with write_transaction(booking_access.engine()):
        candidate = await candidate_row(booking["candidate"])
        assert candidate is not None
        contact = None
        if booking["supervisor"] is not None:
            contact = (
                await Contact.select(Contact.name)
                .where(Contact.id == booking["supervisor"])
                .first()
            )
        await record(
            None,
            "assessment.read",
            booking["candidate"],
            detail=f"bokning {booking['id']} via länk (handledare)",
        )
        return display_name(candidate), contact["name"] if contact else ""


async def submit_assessment_by_link(token: str, data: schemas.AssessmentCreate) -> None:
    """The supervisor submits through the link; refused (and nothing stored) if used."""
    async with write_transaction(booking_access.engine()):
        booking = await _load_assessment_link(token)
        booking = await booking_access.lock_booking(int(booking["id"]))
        booking = await _load_assessment_link(token)
        name, _ = await _supervisor_of(booking)
        await _store_assessment(booking, data, f"{name} (handledare, via länk)", None)
        await record(
            None,
            "assessment.submit",
            booking["candidate"],
            detail=f"bokning {booking['id']} via länk",
        )


# --- outcome ---------------------------------------------------------------------------------


def check_work_rule(
    category: str, lasts_at_least_one_month: bool, municipal_labour_market_job: bool
) -> list[tuple[str, str]]:
    """Kolada's rule for "arbete", at exit and at each follow-up alike: employment on the
    regular labour market lasting at least one continuous month; a municipal labour-market
    job does not count."""
    if category != "arbete":
        return []
    if municipal_labour_market_job:
        return [
            (
                "municipal_labour_market_job",
                "En kommunal arbetsmarknadsanställning räknas inte som arbete enligt Kolada. "
                "Välj annan insats i stället.",
            )
        ]
    if not lasts_at_least_one_month:
        return [
            (
                "lasts_at_least_one_month",
                "Arbete räknas bara om anställningen varar minst en sammanhängande månad. "
                "Kryssa i att anställningen varar minst en månad, eller välj en annan "
                "kategori.",
            )
        ]
    return []


STUDIES_WITHOUT_CSN = (
    "Studier räknas bara om de ger rätt till studiestöd från CSN. Kryssa i att "
    "studierna ger rätt till studiemedel, eller välj en annan kategori."
)


def check_studies_rule(category: str, csn_eligible: bool) -> list[tuple[str, str]]:
    """Kolada's rule for "studier", at exit and at each follow-up alike: studies that give
    the right to student aid from CSN."""
    if category == "studier" and not csn_eligible:
        return [("csn_eligible", STUDIES_WITHOUT_CSN)]
    return []


EMPLOYMENT_BOXES_ONLY_FOR_WORK = (
    "Rutorna om anställningen gäller bara Arbete. Ta bort kryssen, eller välj Arbete."
)


def follow_up_problems(
    category: str,
    lasts_at_least_one_month: bool,
    municipal_labour_market_job: bool,
    csn_eligible: bool = False,
) -> list[tuple[str, str]]:
    """A follow-up's answer, every broken rule: Kolada's rules for "arbete" and "studier"
    (a tester saved "Studier" with no word of CSN, while the outcome form asks for it), and
    the employment boxes ticked with another category (they were saved as "Studier" and the
    ticks dropped without a word)."""
    found = check_work_rule(category, lasts_at_least_one_month, municipal_labour_market_job)
    found += check_studies_rule(category, csn_eligible)
    if category != "arbete":
        for name, ticked in (
            ("lasts_at_least_one_month", lasts_at_least_one_month),
            ("municipal_labour_market_job", municipal_labour_market_job),
        ):
            if ticked:
                found.append((name, EMPLOYMENT_BOXES_ONLY_FOR_WORK))
    return found


def _category_problems(data: schemas.OutcomeCreate) -> list[tuple[str, str]]:
    """Kolada's rules for what counts as work or studies, every broken one."""
    return category_problems(data.category, {f: getattr(data, f) for f in _FLAGS})


_FLAGS = (
    "subsidised",
    "hired_by_host",
    "lasts_at_least_one_month",
    "municipal_labour_market_job",
    "csn_eligible",
)


def category_problems(category: str, flags: Mapping[str, bool]) -> list[tuple[str, str]]:
    """Kolada's rules for what counts as work or studies, every broken one, for a category
    and its ticked boxes (`_FLAGS`; a box not given is not ticked)."""
    ticked = {f: bool(flags.get(f)) for f in _FLAGS}
    found = check_work_rule(
        category, ticked["lasts_at_least_one_month"], ticked["municipal_labour_market_job"]
    )
    if category != "arbete" and (ticked["subsidised"] or ticked["hired_by_host"]):
        found.append(
            (
                "subsidised" if ticked["subsidised"] else "hired_by_host",
                "Subventionerad anställning och anställd hos värden gäller bara utfallet arbete.",
            )
        )
    found += check_studies_rule(category, ticked["csn_eligible"])
    return found


REASON_MISSING = "Skriv varför utfallet rättas."


def outcome_dates(booking: BookingRow) -> dict[str, dt.date | None]:
    """The placement's days an outcome's date is checked against (the date table's
    "outcome"): the day it really started and the day it ended."""
    return {
        "placement_start": booking_access.actual_start_of(booking),
        "placement_end": booking_access.ended_on(booking),
    }


def outcome_form_rules(
    *, correction: bool = False, booking: BookingRow | None = None
) -> Callable[[Mapping[str, Any]], list[tuple[str, str]]]:
    """The outcome's rules for its form (`marketplace.kernel.forms.parse_form(rules=...)`): the date
    table's and Kolada's category rules, and for a correction its reason, so that the form
    lists them with its other errors; given the `booking`, its date is also checked against
    the placement's end. The service checks them all again."""
    dates = date_rules.form_rules("outcome", outcome_dates(booking) if booking else None)

    def run(typed: Mapping[str, Any]) -> list[tuple[str, str]]:
        found = dates(typed)
        category = typed.get("category")
        if isinstance(category, str) and category in CATEGORY_TEXT:
            found += category_problems(category, {f: bool(typed.get(f)) for f in _FLAGS})
        if correction and not str(typed.get("reason") or "").strip():
            found.append(("reason", REASON_MISSING))
        return found

    return run


def _check_outcome(
    data: schemas.OutcomeCreate,
    booking: BookingRow,
    extra: list[tuple[str, str]] | None = None,
) -> None:
    """The category rules and the date table's outcome rules (not in the future, not before
    the placement ended), reported together."""
    date_rules.check(
        "outcome",
        {"outcome_date": data.outcome_date},
        outcome_dates(booking),
        extra=[*_category_problems(data), *(extra or [])],
    )


def outcome_out(row: OutcomeRow) -> schemas.Outcome:
    return schemas.Outcome(
        id=row["id"],
        booking_id=row["booking"],
        candidate_id=row["candidate"],
        category=row["category"],
        category_text=CATEGORY_TEXT.get(row["category"], row["category"]),
        subsidised=row["subsidised"],
        hired_by_host=row["hired_by_host"],
        outcome_date=row["outcome_date"],
        note=row["note"],
        recorded_at=row["recorded_at"],
    )


def exit_day(outcome_date: dt.date, booking: BookingEnd | None) -> dt.date:
    """The day of exit that the follow-ups count from: the day the placement ended (DOMAIN.md:
    the outcome at exit, followed up 90 and 180 days after the exit). The outcome's date,
    which may come later (the first day of the job), moves nothing; it is the day only for an
    outcome with no ended placement behind it (one whose booking was removed)."""
    return (booking_access.ended_on(booking) if booking is not None else None) or outcome_date


def follow_up_due(exit_on: dt.date, days: int) -> dt.date:
    """The day a follow-up falls due: `days` (90 or 180) days after the exit."""
    return exit_on + dt.timedelta(days=days)


async def _ensure_follow_ups(outcome: OutcomeRow, exit_on: dt.date) -> int:
    """Create the follow-ups 90 and 180 days after `exit_on` of an outcome that lacks them."""
    have = {
        r["days"]
        for r in await FollowUp.select(FollowUp.days).where(FollowUp.outcome == outcome["id"])
    }
    created = 0
    for days in FOLLOW_UP_DAYS:
        if days in have:
            continue
        await FollowUp.insert(
            FollowUp(
                candidate=outcome["candidate"],
                outcome=outcome["id"],
                days=days,
                due_date=follow_up_due(exit_on, days),
            )
        )
        created += 1
    return created


async def record_outcome(
    user: AuthUser, booking_id: int, data: schemas.OutcomeCreate
) -> schemas.Outcome:
    """Record the outcome of an ended placement (once) and create its follow-ups."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking = await booking_access.lock_booking(booking_id)
        if not booking_states.can("outcome", booking["status"]):
            raise booking_moves.illegal(booking["status"], "outcome")
        if await Outcome.exists().where(Outcome.booking == booking_id):
            raise Conflict(
                "Utfallet för placeringen är redan registrerat. Rätta det om det är fel."
            )
        _check_outcome(data, booking)
        outcome = Outcome(
            candidate=booking["candidate"],
            booking=booking_id,
            category=data.category,
            subsidised=data.subsidised,
            hired_by_host=data.hired_by_host,
            outcome_date=data.outcome_date,
            note=data.note,
            recorded_by=user.id,
        )
        await outcome.save()
        row = await _outcome_row(outcome.id)
        assert row is not None
        await _ensure_follow_ups(row, exit_day(row["outcome_date"], booking))
        # Seen by a tester: the outcome was on the booking's page only. It stands in the
        # participant's timeline (the booking's events), moves their "Senast ändrad", and an
        # outcome of work or studies resolves a lock-in flag at once.
        await booking_moves.note_event(user, booking, f"Utfall registrerat: {_outcome_words(row)}")
        await _participant_changed(user, int(booking["candidate"]))
        await record(
            user,
            "outcome.create",
            booking["candidate"],
            detail=f"bokning {booking_id}: {data.category}",
        )
        return outcome_out(row)


async def _participant_changed(user: AuthUser, candidate_id: int) -> None:
    """The participant's record moved on: "Senast ändrad" says so, and a lock-in flag whose
    reason the outcome took away is resolved now (`lockin.resolve_gone`)."""
    await Candidate.update({Candidate.updated_at: booking_access.now()}).where(
        Candidate.id == candidate_id
    )
    await lockin.resolve_gone(user, candidate_id, clock.today())


async def _outcome_row(outcome_id: int) -> OutcomeRow | None:
    return cast("OutcomeRow | None", await Outcome.select().where(Outcome.id == outcome_id).first())


def _outcome_words(row: OutcomeRow) -> str:
    """An outcome as the history shows it: "Arbete 2026-03-02, subventionerad"."""
    words = f"{CATEGORY_TEXT.get(row['category'], row['category'])} {row['outcome_date']}"
    extras = [
        text
        for flag, text in (
            (row["subsidised"], "subventionerad"),
            (row["hired_by_host"], "anställd hos värden"),
        )
        if flag
    ]
    return ", ".join([words, *extras])


async def correct_outcome(
    user: AuthUser, booking_id: int, data: schemas.OutcomeCorrection
) -> schemas.Outcome:
    """Correct a recorded outcome (category, date, details) with a reason. The same rules as
    a new outcome hold (`_check_outcome`); the follow-ups stay, as they count from the day the
    placement ended (`exit_day`), not from the outcome's date; the audit log and the booking's
    history keep the values before and after."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    reason = data.reason.strip()
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking = await booking_access.lock_booking(booking_id)
        row = cast(
            "OutcomeRow | None",
            await Outcome.select().where(Outcome.booking == booking_id).first(),
        )
        if row is None:
            raise Conflict(
                "Placeringen har inget registrerat utfall att rätta. Registrera utfallet först."
            )
        _check_outcome(
            msgspec.convert(
                {k: getattr(data, k) for k in schemas.OutcomeCreate.__struct_fields__},
                schemas.OutcomeCreate,
            ),
            booking,
            [] if reason else [("reason", REASON_MISSING)],
        )
        before = _outcome_words(row)
        await Outcome.update(
            {
                Outcome.category: data.category,
                Outcome.outcome_date: data.outcome_date,
                Outcome.subsidised: data.subsidised,
                Outcome.hired_by_host: data.hired_by_host,
                Outcome.note: data.note,
            }
        ).where(Outcome.id == row["id"])
        fresh = await _outcome_row(row["id"])
        assert fresh is not None
        after = _outcome_words(fresh)
        await booking_moves.note_event(
            user, booking, f"Utfallet rättat: {before} → {after}. Skäl: {reason}"
        )
        await _participant_changed(user, int(booking["candidate"]))
        await record(
            user,
            "outcome.correct",
            booking["candidate"],
            detail=f"bokning {booking_id}: {before} → {after}. Skäl: {reason}",
        )
        return outcome_out(fresh)


async def create_due_follow_ups(today: dt.date, guard: RowGuard | None = None) -> int:
    """Make sure every outcome dated up to `today` has its two follow-ups, due 90 and 180
    days after the day its placement ended. Idempotent; the scheduler may call it any time.
    Returns how many follow-ups it created; an outcome that fails is logged and skipped (see
    `RowGuard`)."""
    created = 0
    guard = guard or RowGuard("follow-ups")
    rows = await Outcome.select(
        *Outcome.all_columns(),
        Outcome.booking._.status.as_alias("booking_status"),
        Outcome.booking._.end_date.as_alias("booking_end_date"),
        Outcome.booking._.ended_at.as_alias("booking_ended_at"),
    ).where(Outcome.outcome_date <= today)
    for row in rows:
        booking: BookingEnd | None = None
        if row["booking"] is not None:
            booking = {
                "status": row["booking_status"],
                "end_date": row["booking_end_date"],
                "ended_at": row["booking_ended_at"],
            }
        with guard.row(row["id"]):
            async with write_transaction(booking_access.engine()):
                outcome = cast("OutcomeRow", row)
                created += await _ensure_follow_ups(outcome, exit_day(row["outcome_date"], booking))
    return created


async def outcomes_of_booking(user: AuthUser, booking_id: int) -> list[schemas.Outcome]:
    """The outcome of a booking (a list: empty until recorded); staff only, audited."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    async with write_transaction(booking_access.engine()):
        booking = await booking_access.booking_row_for(user, booking_id)
        await record(user, "outcome.read", booking["candidate"], detail=f"bokning {booking_id}")
        rows = cast(
            "list[OutcomeRow]",
            await Outcome.select().where(Outcome.booking == booking_id).order_by(Outcome.id),
        )
        return [outcome_out(r) for r in rows]


async def bookings_with_outcomes(bookings: Sequence[booking_schemas.Booking]) -> set[int]:
    """Which of these bookings (read through the caller's own access, e.g. the workbench's
    ended placements) have an outcome recorded, in one query. Only whether one exists is
    read, not what it says, so nothing is audited beyond the list itself. The workbench read
    every ended placement's outcomes on its own (five queries and an audit row each, for a
    list that only grows)."""
    return await _bookings_having(Outcome, bookings)


async def _bookings_having(
    table: type[Assessment] | type[Outcome],
    bookings: Sequence[booking_schemas.Booking],
    *where: Any,
) -> set[int]:
    """The ids of these bookings that have a row in `table` (meeting `where`)."""
    ids = [b.id for b in bookings]
    if not ids:
        return set()
    query = table.select(table.booking).where(table.booking.is_in(ids), *where).distinct()
    return {int(r["booking"]) for r in await query}


# --- follow-ups ------------------------------------------------------------------------------


def _follow_up_out(row: FollowUpRow) -> schemas.FollowUp:
    return schemas.FollowUp(
        id=row["id"],
        candidate_id=row["candidate"],
        candidate_name=f"{row['first_name']} {row['last_name']}".strip(),
        outcome_id=row["outcome"],
        days=row["days"],
        due_date=row["due_date"],
        status=row["status"],
        result_category=row["result_category"],
        result_text=CATEGORY_TEXT.get(row["result_category"], row["result_category"]),
        note=row["note"],
        done_at=row["done_at"],
        done_by=row["done_by"],
    )


_FOLLOW_UP_COLUMNS: tuple[Any, ...] = (
    *FollowUp.all_columns(),
    FollowUp.candidate._.first_name.as_alias("first_name"),
    FollowUp.candidate._.last_name.as_alias("last_name"),
)


async def _follow_up_row(follow_up_id: int) -> FollowUpRow | None:
    return cast(
        "FollowUpRow | None",
        await FollowUp.select(*_FOLLOW_UP_COLUMNS).where(FollowUp.id == follow_up_id).first(),
    )


async def list_follow_ups_for(
    user: AuthUser,
    *,
    status: str | None = "due",
    due_by: dt.date | None = None,
    done_since: dt.datetime | None = None,
) -> list[schemas.FollowUp]:
    """Follow-ups of the candidates the caller may see, by due date (those done since
    `done_since`, with their answers, the latest first); audited per candidate."""
    if not user.is_staff:
        raise Forbidden("Bara samordnare ser uppföljningar.")
    async with write_transaction(booking_access.engine()):
        query = FollowUp.select(*_FOLLOW_UP_COLUMNS)
        allowed = await visible_coordinator_ids(user)
        if allowed is not None:
            query = query.where(FollowUp.candidate.coordinator.is_in(allowed or [0]))
        if status:
            query = query.where(FollowUp.status == status)
        if due_by:
            query = query.where(FollowUp.due_date <= due_by)
        if done_since:
            query = query.where(FollowUp.done_at >= done_since).order_by(
                FollowUp.done_at, ascending=False
            )
        rows = cast(
            "list[FollowUpRow]", await query.order_by(FollowUp.due_date).order_by(FollowUp.id)
        )
        await record_many(user, "follow_up.list", sorted({r["candidate"] for r in rows}))
        return [_follow_up_out(r) for r in rows]


async def complete_follow_up(
    user: AuthUser, follow_up_id: int, data: schemas.FollowUpDone
) -> schemas.FollowUp:
    """Record where the person is at a follow-up."""
    if not user.is_staff:
        raise NotFound("Uppföljningen finns inte.")
    async with write_transaction(booking_access.engine()):
        row = await _follow_up_row(follow_up_id)
        allowed = await visible_coordinator_ids(user)
        if row is None:
            raise NotFound("Uppföljningen finns inte.")
        owner = (
            await Candidate.select(Candidate.coordinator)
            .where(Candidate.id == row["candidate"])
            .first()
        )
        if allowed is not None and (owner is None or owner["coordinator"] not in allowed):
            raise NotFound("Uppföljningen finns inte.")
        if row["status"] == "done":
            raise Conflict("Uppföljningen är redan gjord.")
        found = follow_up_problems(
            data.result_category,
            data.lasts_at_least_one_month,
            data.municipal_labour_market_job,
            data.csn_eligible,
        )
        if found:
            raise date_rules.DateRulesFailed(found)
        await FollowUp.update(
            {
                FollowUp.status: "done",
                FollowUp.result_category: data.result_category,
                FollowUp.note: data.note,
                FollowUp.done_at: booking_access.now(),
                FollowUp.done_by: booking_moves.actor_label(user)[:200],
            }
        ).where(FollowUp.id == follow_up_id)
        await record(user, "follow_up.done", row["candidate"], detail=f"uppföljning {follow_up_id}")
        fresh = await _follow_up_row(follow_up_id)
        assert fresh is not None
        return _follow_up_out(fresh)


async def follow_ups_of_candidate(user: AuthUser, candidate_id: int) -> list[schemas.FollowUp]:
    """A participant's follow-ups, by due date, the done ones with their answers (what, when,
    by whom), for the staff who see the participant (else NotFound); the read is audited."""
    await read_row_for(user, candidate_id, "follow_up.list", detail="deltagarens uppföljningar")
    rows = cast(
        "list[FollowUpRow]",
        await FollowUp.select(*_FOLLOW_UP_COLUMNS)
        .where(FollowUp.candidate == candidate_id)
        .order_by(FollowUp.due_date)
        .order_by(FollowUp.id),
    )
    return [_follow_up_out(r) for r in rows]
