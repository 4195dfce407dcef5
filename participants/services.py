"""What the participant's own pages read and do. Every function takes the signed-in
`Participant` and touches only that participant's rows: a booking, slot interest or agreement
of anyone else is NotFound. Every read of the participant's record is audited as the
participant's own (`participant_record`), like a staff read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from admin.services import register
from admin.services.audit_text import action_text
from admin.services.register_text import EXTRACT_LABELS as EXTRACT_LABELS
from admin.services.register_text import taxonomy_names as _names
from admin.services.register_text import words_text as _words
from marketplace.kernel.audit import record_many
from marketplace.kernel.auth import user_name
from marketplace.kernel.clock import today
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.forms import FIELD_LABELS
from marketplace.kernel.paging import page_count
from marketplace.kernel.tables import AuditEntry, User
from marketplace.kernel.templating import LABELS, when
from marketplace.reference import taxonomy
from participants.i18n import LANGUAGES, N_
from participants.sessions import Participant, participant_record
from placements import booking_states
from placements.rows import BookingRow, CandidateRow, NamedHostSlotRow, SharedAssessment
from placements.schemas import agreements as agreement_schemas
from placements.services import (
    agreement_versions,
    agreements,
    booking_access,
    booking_mail,
    bookings,
    ledger,
    outcomes,
    slots,
)
from placements.tables import (
    Agreement,
    Assessment,
    AttendanceWeek,
    Booking,
    Candidate,
    FollowUp,
    LocalAgreement,
    ParticipantAnswer,
    ParticipantInterest,
    PlanActivity,
    Slot,
)
from placements.vocabulary import ATTENDANCE_LABELS
from search import services as search

NOT_YOURS = "Det finns inget sådant hos dig."
COMMENT_MAX = 1000
ANSWERS = ("yes", "no")
# Proposals the participant can answer: one the host has, or one awaiting the answer first.
OPEN = (booking_states.AWAITING, "proposed")
# A proposal closed by my own "vill inte" before the host saw it (it is withdrawn then).
CLOSED_BY_ME = N_("stängt – du svarade att du inte vill")
FOLLOW_UP_TEXT = {90: N_("Uppföljning efter 90 dagar"), 180: N_("Uppföljning efter 180 dagar")}


def _engine() -> Any:
    return Candidate._meta.db


async def _candidate(participant: Participant) -> CandidateRow:
    row = await Candidate.select().where(Candidate.id == participant.candidate_id).first()
    if row is None:
        raise NotFound(NOT_YOURS)
    return cast("CandidateRow", dict(row))


async def _own_booking(
    participant: Participant, booking_id: int, *, withdrawn: bool = False
) -> BookingRow:
    """One of the participant's own bookings (not a withdrawn one, unless `withdrawn`: an
    answer to a proposal withdrawn while the page was open is told it is settled, not that
    the proposal does not exist), else NotFound."""
    mine = (Booking.id == booking_id) & (Booking.candidate == participant.candidate_id)
    row = (
        await Booking.select()
        .where(mine if withdrawn else mine & (Booking.status != "withdrawn"))
        .first()
    )
    if row is None:
        raise NotFound(NOT_YOURS)
    return cast("BookingRow", dict(row))


# --- the plan, meetings and follow-ups ------------------------------------------------------------


@dataclass
class Activity:
    title: str
    start: dt.date | None
    end: dt.date | None
    status: str
    follow_up: str


@dataclass
class Meeting:
    day: dt.date
    what: str
    where: str = ""


@dataclass
class AttendanceWeekRow:
    """One reported week of my placement: days present and absent, by reason."""

    title: str
    week_start: dt.date
    present: int
    sick: int
    leave: int
    unexcused: int
    other: int


@dataclass
class Overview:
    first_name: str
    plan_goal: str
    activities: list[Activity]
    meetings: list[Meeting]
    open_proposals: int
    interests: int
    to_sign: list[int]
    attendance: list[AttendanceWeekRow] = field(default_factory=list)


# How many reported weeks the overview shows, newest first (about a placement's two months).
ATTENDANCE_WEEKS = 10


async def _attendance(candidate_id: int) -> list[AttendanceWeekRow]:
    """The weeks my supervisor (or coordinator) reported for my placements, newest first: I
    could not see my own attendance anywhere but in the register extract."""
    rows = (
        await AttendanceWeek.select(
            AttendanceWeek.booking._.slot._.title.as_alias("title"),
            AttendanceWeek.week_start,
            AttendanceWeek.days_present,
            AttendanceWeek.days_sick,
            AttendanceWeek.days_leave,
            AttendanceWeek.days_unexcused,
            AttendanceWeek.days_other,
        )
        .where(AttendanceWeek.booking.candidate == candidate_id)
        .order_by(AttendanceWeek.week_start, ascending=False)
        .limit(ATTENDANCE_WEEKS)
    )
    return [
        AttendanceWeekRow(
            r["title"] or "",
            r["week_start"],
            r["days_present"],
            r["days_sick"],
            r["days_leave"],
            r["days_unexcused"],
            r["days_other"],
        )
        for r in rows
    ]


async def _activities(candidate_id: int) -> list[Activity]:
    rows = await PlanActivity.select().where(PlanActivity.candidate == candidate_id)
    rows.sort(key=lambda r: (r["planned_start"] or dt.date.max, r["id"]))
    return [
        Activity(r["title"], r["planned_start"], r["planned_end"], r["status"], r["follow_up"])
        for r in rows
    ]


async def _meetings(candidate_id: int) -> list[Meeting]:
    """Follow-up meetings of my current agreements and my follow-ups, from today on."""
    day = today()
    found: list[Meeting] = []
    rows = await Agreement.select(
        Agreement.follow_up_meetings, Agreement.booking._.slot._.title.as_alias("title")
    ).where(
        (Agreement.booking.candidate == candidate_id)
        & Agreement.status.not_in(["superseded", "cancelled"])
        & Agreement.booking.status.is_in(["accepted", "agreed", "active"])
    )
    for row in rows:
        meetings = row["follow_up_meetings"]
        for m in json.loads(meetings) if isinstance(meetings, str) else meetings or []:
            when = dt.date.fromisoformat(str(m.get("date", ""))[:10]) if m.get("date") else None
            if when and when >= day:
                found.append(Meeting(when, m.get("note") or N_("Uppföljningsmöte"), row["title"]))
    for f in await FollowUp.select().where(
        (FollowUp.candidate == candidate_id) & (FollowUp.status == "due")
    ):
        found.append(Meeting(f["due_date"], FOLLOW_UP_TEXT.get(f["days"], N_("Uppföljning"))))
    found.sort(key=lambda m: m.day)
    return found


async def overview(participant: Participant) -> Overview:
    async with write_transaction(_engine()):
        row = await _candidate(participant)
        await participant_record(participant, "participant.overview")
        cid = participant.candidate_id
        # Open proposals I have not answered yet: one I said "vill" to waits for the host,
        # not for me (the overview kept counting it as waiting for my answer).
        open_ids = [
            r["id"]
            for r in await Booking.select(Booking.id).where(
                (Booking.candidate == cid) & Booking.status.is_in(list(OPEN))
            )
        ]
        answered = {
            r["booking"]
            for r in await ParticipantAnswer.select(ParticipantAnswer.booking).where(
                ParticipantAnswer.booking.is_in(open_ids or [-1])
            )
        }
        open_proposals = len([i for i in open_ids if i not in answered])
        interests = await ParticipantInterest.count().where(ParticipantInterest.candidate == cid)
        to_sign = [b.booking_id for b in await _agreements(cid) if b.may_sign]
        return Overview(
            first_name=row["first_name"],
            plan_goal=row["plan_goal"],
            activities=await _activities(cid),
            meetings=await _meetings(cid),
            open_proposals=open_proposals,
            interests=interests,
            to_sign=to_sign,
            attendance=await _attendance(cid),
        )


async def plan(participant: Participant) -> Overview:
    """The arbetsmarknadsplan with its activities and dates, and the meetings ahead."""
    async with write_transaction(_engine()):
        row = await _candidate(participant)
        await participant_record(participant, "participant.plan")
        cid = participant.candidate_id
        return Overview(
            first_name=row["first_name"],
            plan_goal=row["plan_goal"],
            activities=await _activities(cid),
            meetings=await _meetings(cid),
            open_proposals=0,
            interests=0,
            to_sign=[],
        )


# --- proposals and my answers ---------------------------------------------------------------------


@dataclass
class Proposal:
    booking_id: int
    status: str
    status_text: str
    slot_id: int
    title: str
    host_name: str
    town: str
    hours_per_week: int | None
    start: dt.date | None
    end: dt.date | None
    message: str
    reasons: list[search.Reason]
    answer: str
    comment: str
    answered_at: dt.datetime | None
    slot_open: bool = True  # the slot takes proposals (`slots.takes_proposals`)


async def proposals(participant: Participant) -> list[Proposal]:
    """Proposals made for me (open ones first), with the matching's reasons and my answer."""
    async with write_transaction(_engine()):
        row = await _candidate(participant)
        await participant_record(participant, "participant.proposals")
        rows = (
            await Booking.select(
                Booking.id,
                Booking.status,
                Booking.slot,
                Booking.start_date,
                Booking.end_date,
                Booking.message,
                Booking.hours_per_week,
            )
            .where(Booking.candidate == participant.candidate_id)
            .order_by(Booking.proposed_at, ascending=False)
        )
        answers = {
            a["booking"]: a
            for a in await ParticipantAnswer.select().where(
                ParticipantAnswer.booking.is_in([r["id"] for r in rows] or [-1])
            )
        }
        # A withdrawn proposal is gone, unless I closed it myself by saying "vill inte".
        rows = [
            r
            for r in rows
            if r["status"] != "withdrawn" or answers.get(r["id"], {}).get("answer") == "no"
        ]
        out: list[Proposal] = []
        for b in rows:
            slot = cast(
                "NamedHostSlotRow | None",
                await Slot.select(*Slot.all_columns(), Slot.host.name.as_alias("host_name"))
                .where(Slot.id == b["slot"])
                .first(),
            )
            assert slot is not None
            mine = answers.get(b["id"], {})
            out.append(
                Proposal(
                    booking_id=b["id"],
                    status=b["status"],
                    status_text=CLOSED_BY_ME
                    if b["status"] == "withdrawn"
                    else LABELS["booking_status"].get(b["status"], b["status"]),
                    slot_id=b["slot"],
                    title=slot["title"],
                    host_name=slot["host_name"] or "",
                    town=slot["town"],
                    hours_per_week=ledger.weekly_hours(b["hours_per_week"], slot["hours_per_week"]),
                    start=b["start_date"],
                    end=b["end_date"],
                    message=b["message"],
                    reasons=search.reasons_for_slot(row, slot),
                    answer=mine.get("answer", ""),
                    comment=mine.get("comment", ""),
                    answered_at=mine.get("answered_at"),
                    slot_open=slots.takes_proposals(slot["status"]),
                )
            )
        out.sort(key=lambda p: p.status not in OPEN)
        return out


def answer_problems(answer: str, comment: str) -> dict[str, str]:
    """What is wrong with an answer to a proposal, per field (the messages to translate): the
    answer's rule, asked by the service and by the page (which says it with the rest)."""
    problems: dict[str, str] = {}
    if answer not in ANSWERS:
        problems["answer"] = N_("Välj om du vill eller inte vill ha platsen.")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        problems["comment"] = N_("Skriv högst 1000 tecken.")
    elif answer == "no" and not comment:
        problems["comment"] = N_(
            "Skriv kort varför du inte vill, så kan din samordnare hjälpa dig."
        )
    return problems


async def answer_proposal(
    participant: Participant, booking_id: int, answer: str, comment: str
) -> str:
    """My answer to an open proposal: "vill" (yes) or "vill inte" (no), with a comment
    (needed for "vill inte", so the coordinator knows why). The coordinator is told.
    Returns the proposal's status after the answer.

    A proposal moves on my answer (`placements.booking_states`): one I answer first (the
    host has not seen it) goes to the host on "vill"; "vill inte" closes it, unseen by the
    host, or withdrawn from the host, who is told it is withdrawn but not why. A "vill" for a slot
    that no longer takes proposals (closed or paused meanwhile: the rule of the coordinator's
    own proposal, `slots.takes_proposals`) is refused with `SlotClosed`: nothing is stored or
    sent to the host, and the coordinator is told, to propose another slot."""
    problems = answer_problems(answer, comment)
    if problems:
        raise ValidationFailed(" ".join(problems.values()), fields=list(problems), errors=problems)
    comment = comment.strip()
    closed = False
    async with write_transaction(_engine()):
        await _own_booking(participant, booking_id, withdrawn=True)
        booking = await booking_access.lock_booking(booking_id)  # the slot's row first
        action = booking_states.participant_action(answer)
        if not booking_states.can(action, booking["status"]):
            raise Conflict(ALREADY_SETTLED)
        stamp = dt.datetime.now(dt.UTC)
        if answer == "yes" and not await slots.slot_takes_proposals(booking["slot"]):
            closed = True
            await _tell_coordinator_the_slot_closed(participant, booking, stamp)
        else:
            await _record_answer(participant, booking, answer, comment, stamp)
    if closed:
        # Raised once the coordinator's notice is committed.
        raise SlotClosed(SLOT_CLOSED)
    return str(booking["status"])


async def _record_answer(
    participant: Participant, booking: BookingRow, answer: str, comment: str, stamp: dt.datetime
) -> None:
    """Inside the answer's transaction, the booking locked: store the answer, move the
    booking on it, and tell the coordinator (a few times a day at most)."""
    booking_id = int(booking["id"])
    action = booking_states.participant_action(answer)
    existing = (
        await ParticipantAnswer.select(
            ParticipantAnswer.id, ParticipantAnswer.answer, ParticipantAnswer.comment
        )
        .where(ParticipantAnswer.booking == booking_id)
        .first()
    )
    moves = booking_states.next_status(action, booking["status"]) != booking["status"]
    if existing and (existing["answer"], existing["comment"]) == (answer, comment) and not moves:
        return  # the same answer sent again (a reload, a double click): nothing new
    values: dict[Any, Any] = {
        ParticipantAnswer.answer: answer,
        ParticipantAnswer.comment: comment,
        ParticipantAnswer.answered_at: stamp,
    }
    if existing:
        await ParticipantAnswer.update(values).where(ParticipantAnswer.id == existing["id"])
    else:
        await ParticipantAnswer.insert(
            ParticipantAnswer(booking=booking_id, answer=answer, comment=comment, answered_at=stamp)
        )
    word = "vill" if answer == "yes" else "vill inte"
    await participant_record(participant, "participant.answer", f"bokning {booking_id}: {word}")
    mail_again = moves or await _answers_today(participant, booking_id, stamp) <= (
        ANSWER_MAILS_PER_DAY
    )
    # "vill inte" after "vill" is said as a change of mind, on the timeline and in the mail.
    changed = bool(existing and existing["answer"] != answer)
    said = f"ändrade sitt svar till ”{word}”" if changed else f"svarade ”{word}”"
    before = booking["status"]
    after = await bookings.move(
        booking,
        action,
        None,
        # The comment (only a "vill inte" has it on the timeline) stays off a timeline the
        # host can read: a "vill inte" withdraws the proposal from the host's view.
        note=f"Deltagaren {said}" + (f": {comment}" if comment and answer == "no" else "."),
        label=participant.audit_label,
    )
    if before == after:
        then = "Läs svaret och kommentaren på bokningens sida."
    elif after == "proposed":
        then = "Förslaget har nu skickats till värden."
    elif before == "proposed":
        await bookings.tell_host_of_withdrawal(
            booking, "Förslaget har återkallats. Platsen är ledig igen."
        )
        then = (
            "Förslaget är återkallat, så värden kan inte längre tacka ja. Värden har fått "
            "veta att det är återkallat, men inte varför. Läs kommentaren på bokningens sida."
        )
    else:
        then = "Förslaget är stängt och värden har aldrig sett det. Läs kommentaren på bokningens sida."
    if not mail_again:
        return  # recorded; the coordinator reads the newest answer on the booking's page
    await booking_mail.notify(
        await booking_mail.coordinator_recipients(booking),
        "Deltagaren har svarat på ett förslag",
        "Hej!\n\nDeltagaren har "
        + (f"ändrat sitt svar till ”{word}”" if changed else f"svarat ”{word}”")
        + f" på förslaget. {then}",
        kind="participant.answer",
        booking_id=booking_id,
    )


class SlotClosed(Conflict):
    """A "vill" for a slot that no longer takes proposals: refused, the coordinator told."""


SLOT_CLOSED = N_(
    "Platsen tar inte längre emot deltagare, så ditt svar har inte skickats till "
    "arbetsplatsen. Din samordnare har fått veta att du ville ha platsen och kan föreslå en "
    "annan plats till dig."
)
CLOSED_DETAIL = "vill, men platsen tar inte emot förslag"


async def _tell_coordinator_the_slot_closed(
    participant: Participant, booking: BookingRow, stamp: dt.datetime
) -> None:
    """Inside the answer's transaction: the audit row, and a mail to the coordinator (within
    the day's cap on mails about the proposal's answers). Nothing is stored on the booking,
    whose timeline the host may read."""
    booking_id = int(booking["id"])
    await participant_record(
        participant, "participant.answer", f"bokning {booking_id}: {CLOSED_DETAIL}"
    )
    if await _answers_today(participant, booking_id, stamp) > ANSWER_MAILS_PER_DAY:
        return
    if booking["status"] == booking_states.AWAITING:
        then = (
            "Värden har inte sett förslaget. Föreslå en annan plats, eller skicka förslaget "
            "till värden när platsen är publicerad igen."
        )
    else:
        then = (
            "Värden kan inte acceptera förslaget medan platsen inte är publicerad. Föreslå en "
            "annan plats."
        )
    await booking_mail.notify(
        await booking_mail.coordinator_recipients(booking),
        "Deltagaren vill ha en plats som inte längre är öppen",
        "Hej!\n\nDeltagaren svarade ”vill” på förslaget, men platsen tar inte emot förslag "
        "just nu (den är stängd, pausad eller inte publicerad). Svaret har inte skickats "
        f"vidare och förslaget står kvar som det var. {then}",
        kind="participant.answer",
        booking_id=booking_id,
    )


ANSWER_MAILS_PER_DAY = 3
"""Mails to the coordinator about one proposal's answers within a day: a participant who
changes their mind again and again (or a script) must not flood the coordinator's inbox.
Every answer is still recorded and shown on the booking's page; a move of the booking (to the
host, or closed) is always told."""


async def _answers_today(participant: Participant, booking_id: int, now: dt.datetime) -> int:
    """The participant's answers to the proposal within the last day, this one included."""
    found = await AuditEntry.count().where(
        (AuditEntry.subject_type == "candidate")
        & (AuditEntry.subject_id == participant.candidate_id)
        & (AuditEntry.action == "participant.answer")
        & AuditEntry.detail.like(f"bokning {booking_id}: %")
        & (AuditEntry.at > now - dt.timedelta(days=1))
    )
    return int(found)


ALREADY_SETTLED = N_("Förslaget är redan avgjort. Prata med din samordnare om du ångrar dig.")


# --- slots I am interested in ----------------------------------------------------------------------


async def interest_ids(participant: Participant) -> set[int]:
    rows = await ParticipantInterest.select(ParticipantInterest.slot).where(
        ParticipantInterest.candidate == participant.candidate_id
    )
    return {int(r["slot"]) for r in rows}


@dataclass
class InterestItem:
    slot_id: int
    title: str
    town: str
    host_name: str
    status: str


async def interests(participant: Participant) -> list[InterestItem]:
    rows = (
        await ParticipantInterest.select(
            ParticipantInterest.slot,
            ParticipantInterest.slot.title.as_alias("title"),
            ParticipantInterest.slot.town.as_alias("town"),
            ParticipantInterest.slot.status.as_alias("status"),
            ParticipantInterest.slot._.host._.name.as_alias("host_name"),
        )
        .where(ParticipantInterest.candidate == participant.candidate_id)
        .order_by(ParticipantInterest.created_at, ascending=False)
    )
    return [
        InterestItem(int(r["slot"]), r["title"], r["town"], r["host_name"] or "", r["status"])
        for r in rows
    ]


async def mark_interest(participant: Participant, slot_id: int) -> None:
    """Mark a published slot as interesting (again is a no-op); the coordinator sees it."""
    async with write_transaction(_engine()):
        await booking_access.lock_candidate(participant.candidate_id)
        slot = (
            await Slot.select(Slot.id)
            .where((Slot.id == slot_id) & (Slot.status == "published"))
            .first()
        )
        if slot is None:
            raise NotFound("Platsen finns inte eller tar inte emot intresse just nu.")
        if await ParticipantInterest.exists().where(
            (ParticipantInterest.candidate == participant.candidate_id)
            & (ParticipantInterest.slot == slot_id)
        ):
            return
        await ParticipantInterest.insert(
            ParticipantInterest(candidate=participant.candidate_id, slot=slot_id)
        )
        await participant_record(participant, "participant.interest", f"plats {slot_id}")


async def remove_interest(participant: Participant, slot_id: int) -> None:
    async with write_transaction(_engine()):
        removed = (
            await ParticipantInterest.delete()
            .where(
                (ParticipantInterest.candidate == participant.candidate_id)
                & (ParticipantInterest.slot == slot_id)
            )
            .returning(ParticipantInterest.id)
        )
        if not removed:
            raise NotFound(NOT_YOURS)
        await participant_record(participant, "participant.interest_remove", f"plats {slot_id}")


# --- my agreements -----------------------------------------------------------------------------------


@dataclass
class MyAgreement:
    booking_id: int
    status: str
    current: agreement_schemas.Agreement
    versions: list[agreement_schemas.Agreement]
    may_sign: bool
    signed_by_me: bool


async def _agreements(candidate_id: int) -> list[MyAgreement]:
    rows = (
        await Booking.select(Booking.id, Booking.status)
        .where(
            (Booking.candidate == candidate_id)
            & Booking.status.is_in(["accepted", "agreed", "active", "completed", "interrupted"])
        )
        .order_by(Booking.id, ascending=False)
    )
    out: list[MyAgreement] = []
    for b in rows:
        versions = [
            await agreements.agreement_out(v) for v in await agreement_versions.versions_of(b["id"])
        ]
        if not versions:
            continue
        current = versions[0]
        mine = next(s for s in current.signatures if s.party == "participant")
        # An agreement not yet saying what both sides gain cannot be signed: no button, and
        # nothing "to sign" on the overview, until the coordinator and the host write it.
        written = not agreements.win_win_missing(
            {"participant_goals": current.participant_goals, "host_gains": current.host_gains}
        )
        may_sign = (
            b["status"] == "accepted"
            and current.status not in ("superseded", "cancelled")
            and not mine.signed
            and written
        )
        out.append(MyAgreement(b["id"], b["status"], current, versions, may_sign, mine.signed))
    return out


async def my_agreements(participant: Participant) -> list[MyAgreement]:
    async with write_transaction(_engine()):
        found = await _agreements(participant.candidate_id)
        await record_many(
            None,
            "agreement.read",
            [participant.candidate_id] * len(found),
            details=[f"bokning {item.booking_id}, Mina sidor" for item in found],
            label=participant.audit_label,
        )
        return found


async def sign_agreement(participant: Participant, booking_id: int, version: int | None) -> None:
    """I sign the current version of my agreement in the app (the version I was shown)."""
    async with write_transaction(_engine()):
        await _own_booking(participant, booking_id)
        booking = await booking_access.lock_booking(booking_id)
        if booking["status"] != "accepted":
            raise Conflict("Överenskommelsen går inte att skriva under nu.")
        row = await agreement_versions.current_agreement_row(booking_id)
        if row is None:
            raise NotFound(NOT_YOURS)
        candidate = await _candidate(participant)
        await agreements.sign_as_participant(
            booking,
            row,
            f"{candidate['first_name']} {candidate['last_name']}".strip(),
            seen_version=version,
            label=participant.audit_label,
        )


# --- the end of a placement: my view beside the supervisor's assessment --------------------------------


@dataclass
class EndView:
    booking_id: int
    title: str
    host_name: str
    start: dt.date | None
    end: dt.date | None
    assessment: SharedAssessment | None = None
    my_view: str = ""


async def ended_placements(participant: Participant) -> list[EndView]:
    async with write_transaction(_engine()):
        rows = await Booking.select(
            Booking.id,
            Booking.start_date,
            Booking.end_date,
            Booking.slot.title.as_alias("title"),
            Booking.slot._.host._.name.as_alias("host_name"),
        ).where(
            (Booking.candidate == participant.candidate_id)
            & Booking.status.is_in(list(outcomes.ENDED))
        )
        out = []
        for b in rows:
            a = await Assessment.select().where(Assessment.booking == b["id"]).first() or {}
            shown: SharedAssessment | None = None
            if a.get("submitted_at") is not None:
                shown = {
                    # The word, not its code ("mycket_god" stood on the page).
                    "attendance": ATTENDANCE_LABELS.get(a["attendance"], ""),
                    "tasks_mastered": a["tasks_mastered"],
                    "strengths": a["strengths"],
                    "recommendation": a["recommendation"],
                    "comment": a["comment"],
                }
            out.append(
                EndView(
                    b["id"],
                    b["title"],
                    b["host_name"] or "",
                    b["start_date"],
                    b["end_date"],
                    shown,
                    a.get("participant_view", ""),
                )
            )
            await participant_record(participant, "participant.end_read", f"bokning {b['id']}")
        return out


async def give_end_view(participant: Participant, booking_id: int, text: str) -> None:
    text = text.strip()
    if not text or len(text) > 3000:
        problem = N_("Skriv några ord om din praktik (högst 3000 tecken).")
        raise ValidationFailed(problem, fields=["text"], errors={"text": problem})
    async with write_transaction(_engine()):
        await _own_booking(participant, booking_id)
        # The booking's lock, as the coordinator's and the supervisor's writes of the
        # assessment take it: two sends at once must not both add the assessment's row.
        booking = await booking_access.lock_booking(booking_id)
        if booking["status"] not in outcomes.ENDED:
            raise Conflict("Du kan skriva om praktiken när den är avslutad.")
        if not await Assessment.exists().where(Assessment.booking == booking_id):
            await Assessment.insert(Assessment(booking=booking_id))
        await Assessment.update({Assessment.participant_view: text}).where(
            Assessment.booking == booking_id
        )
        await participant_record(participant, "participant.end_view", f"bokning {booking_id}")


# --- my data: the register extract and who has read my record ------------------------------------------


SKIPPED_FIELDS = {"id", "token_hash", "link_nonce", "key_hash", "dedupe_key", "meta", "body_html"}


@dataclass
class ReadableSection:
    """One table of the extract as my page shows it. The title, the note and each field's
    label are the service's own Swedish words, translated on the page; each row is
    (label, value, worded): a worded value is one of the service's words too (a status,
    "Ja"), translated; any other is my data, shown as stored."""

    title: str
    note: str
    rows: list[list[tuple[str, str, bool]]]
    # What I can do about what the section holds (the service's words, translated).
    hint: str = ""


@dataclass
class Reader:
    """One read or change of my record, or a run of them: when, by whom (a staff user's
    `name`, shown as stored, and `who`, their role or who else it was, in the service's
    words) and what."""

    at: dt.datetime
    name: str
    who: str
    what: str
    # How many reads of this kind by this reader in a row, and the first (`at` is the last).
    times: int = 1
    first_at: dt.datetime | None = None


@dataclass
class Readers:
    """One page of who has read or changed my record, newest first: `page` of `pages`
    (READERS_PER_PAGE a page), of `total` in all."""

    rows: list[Reader]
    total: int
    page: int
    pages: int


# Reads of my record a page of "who has read my data" shows. The list grows by every read
# by someone else (staff, a host, the service), and unpaged it made the page thousands of
# pixels long on a phone; it also stopped at 200 without saying so.
READERS_PER_PAGE = 20


async def my_data(
    participant: Participant, readers_page: int = 1, lang: str = "sv"
) -> tuple[list[ReadableSection], Readers]:
    """My register extract in words, and page `readers_page` of who has read my record (a
    page past the last is the last). The languages I speak are named in the page's `lang`
    where CLDR knows them ("Arabic", "العربية"), as the service's own words are."""
    extract = await register.own_extract(participant.candidate_id, participant.audit_label)
    named = await _what_rows_name(participant.candidate_id, extract.sections)
    coordinators = await _coordinator_names(extract.sections)
    sections: list[ReadableSection] = []
    for section in extract.sections:
        if section.table == AuditEntry._meta.tablename:
            continue  # shown as "who has read my record", below
        codes = CODED.get(section.table, {})
        labels = {**FIELD_LABELS, **MORE_LABELS.get(section.table, {})}
        hidden = SKIPPED_FIELDS | INTERNAL.get(section.table, set())
        rows = [
            named(section.table, row)
            + [
                (labels[f.name], coordinators.get(f.value, ""), False)
                if f.name == "coordinator"
                else (labels[f.name], *_fact(f.value, codes.get(f.name), f.name, lang))
                for f in row.fields
                if f.name in labels and f.name not in hidden and f.value not in (None, "", "[]")
            ]
            for row in section.rows
        ]
        title = OWN_TITLES.get(section.table, section.title)
        hint = OWN_HINTS.get(section.table, "") if rows else ""
        sections.append(ReadableSection(title, section.note, rows, hint))
    return sections, await readers(participant, readers_page)


Fact = tuple[str, str, bool]


async def _coordinator_names(sections: list[Any]) -> dict[Any, str]:
    """My coordinators' names by the number a row holds ("Samordnare: 2" read as a code)."""
    ids = {
        f.value
        for s in sections
        for r in s.rows
        for f in r.fields
        if f.name == "coordinator" and isinstance(f.value, int)
    }
    rows = await User.select(User.id, User.first_name, User.last_name, User.username).where(
        User.id.is_in(sorted(ids) or [-1])
    )
    return {r["id"]: user_name(r) for r in rows}


def _number(row: Any, name: str) -> int | None:
    """A row's field that holds another row's number (an id), or None."""
    value = next((f.value for f in row.fields if f.name == name), None)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


async def _what_rows_name(
    candidate_id: int, sections: list[Any]
) -> Callable[[str, Any], list[Fact]]:
    """The facts that say what a row of the extract is about, where the row holds only
    another row's number: the place and workplace of a proposal or placement (and of its
    events, agreement, signatures, assessment, attendance and outcome), and the agency and
    local agreement of a consent. Without them two proposals read the same, and a consent
    did not say to whom it was given."""
    places = {
        int(r["id"]): ", ".join(p for p in (r["title"], r["host_name"]) if p)
        for r in await Booking.select(
            Booking.id,
            Booking.slot._.title.as_alias("title"),
            Booking.slot._.host._.name.as_alias("host_name"),
        ).where(Booking.candidate == candidate_id)
    }
    by_table = {s.table: s.rows for s in sections}
    agreement_booking = {
        _number(r, "id"): _number(r, "booking") for r in by_table.get("pl_agreement", [])
    }
    local_ids = [
        n for r in by_table.get("pl_partner_consent", []) if (n := _number(r, "agreement"))
    ]
    partners = {
        int(r["id"]): (r["agency_name"], r["name"])
        for r in await LocalAgreement.select(
            LocalAgreement.id,
            LocalAgreement.name,
            LocalAgreement.agency._.name.as_alias("agency_name"),
        ).where(LocalAgreement.id.is_in(local_ids or [-1]))
    }

    def named(table: str, row: Any) -> list[Fact]:
        if table == "pl_partner_consent":
            agency, agreement = partners.get(_number(row, "agreement") or -1, ("", ""))
            return [
                (label, value, False)
                for label, value in (
                    (N_("Myndighet"), agency),
                    (N_("Lokal överenskommelse"), agreement),
                )
                if value
            ]
        if table == "pl_booking":
            booking = _number(row, "id")
        elif table == "pl_signature":
            booking = agreement_booking.get(_number(row, "agreement"))
        else:
            booking = _number(row, "booking")
        place = places.get(booking or -1, "")
        return [(N_("Plats"), place, False)] if place else []

    return named


# What the extract holds about me that the staff forms' labels (FIELD_LABELS) do not name,
# per table: without these, "allt som finns sparat om dig" left out my languages, home town,
# interests and experience, a mail's subject, and when a signature was made.
MORE_LABELS: dict[str, dict[str, str]] = {
    "pl_candidate": {
        "plan_goal_shareable": "Du godkänner att värden får se målet",
        "languages": "Språk jag talar",
        "home_town": "Hemort",
        "interests": "Intressen",
        "experience": "Erfarenhet",
        "hours_available": "Timmar i veckan",
        "max_commute_km": "Längsta resväg (km)",
        "plan_goal": "Mål i planen",
    },
    "pl_booking_event": {"at": "Tid", "to_status": "Nytt läge"},
    "pl_lock_in_flag": {"kind": "Vad flaggan gäller"},
    "pl_agreement": {
        "tasks": "Arbetsuppgifter",
        "weekly_schedule": "Tider",
        "participant_goals": "Dina mål",
    },
    "pl_assessment": {
        "strengths": "Styrkor",
        "participant_view": "Min syn på praktiken",
        "tasks_mastered": "Uppgifter du klarade",
    },
    "pl_attendance_week": {
        "week_start": "Veckan från",
        "days_present": "Dagar på plats",
        "days_sick": "Dagar sjuk",
        "days_leave": "Dagar ledig, beviljad frånvaro",
        "days_unexcused": "Dagar med ogiltig eller oanmäld frånvaro",
        "days_other": "Dagar med annan frånvaro",
    },
    "pl_signature": {
        "signed_at": "Underskriven",
        "signed_version": "Version som skrevs under",
        "method": "Hur underskriften gjordes",
    },
    "pl_follow_up": {"result_category": "Din sysselsättning vid uppföljningen"},
    "pl_partner_consent": {
        "given_on": "Dag då samtycket gavs",
        "method": "Hur samtycket gavs",
        "shares_outcome": "Myndigheten får se ditt utfall efter placeringen",
        "shares_attendance": "Myndigheten får se din närvaro under placeringen",
        # Withdrawn by me, or replaced by a newer consent to the same agency.
        "withdrawn_on": "Dag då samtycket slutade gälla",
    },
    "mp_outbox": {
        "subject": "Ämne",
        "created_at": "Skapat",
        "sent_at": "Skickat",
        "channel": "Skickat som",
    },
}
# Labels are by field name and come first from the staff forms (`FIELD_LABELS`), whose
# words are for another field of that name or speak of "deltagaren": a mail's channel read
# "Hur kom ansökan in?", a signature's method "Hur samtycket gavs". Every field of mine a
# staff form names otherwise is given its own words above.
# What I can do about a section's data, below it: a consent says nothing of how it ends.
OWN_HINTS: dict[str, str] = {
    "pl_partner_consent": N_(
        "Du kan när som helst återkalla ett samtycke. Säg till din samordnare, så får "
        "myndigheten inte längre se dina uppgifter från den dagen."
    ),
}
# Section titles that speak of me as "deltagaren" in the coordinator's extract.
OWN_TITLES: dict[str, str] = {
    "pl_candidate": "Om dig",
    "mp_outbox": "E-post och sms till dig eller om dig",
}
# Fields that are the service's own bookkeeping (a code, a staff user's number), not
# something about me in words: left out of the page.
INTERNAL: dict[str, set[str]] = {
    "pl_booking_event": {"actor_id"},
    "pl_partner_consent": {"replaced_by"},  # another row's number
    "mp_outbox": {"kind"},
}
# Timestamps, shown in Stockholm time to the minute (the extract holds them in ISO form).
TIMES = {"at", "created_at", "sent_at", "signed_at"}
# Stored lists of taxonomy ids, shown by their labels (not '["4Y6u_JPp_jas"]').
TAXONOMY_LISTS = {"wished_occupations", "skills", "languages"}

# Fields whose stored codes are shown in Swedish words, per table of the extract.
CODED: dict[str, dict[str, str]] = {
    "pl_candidate": {
        "status": "candidate_status",
        "track": "track",
        "consent_method": "consent_method",
    },
    "pl_booking": {"status": "booking_status"},
    "pl_plan_activity": {"status": "activity_status"},
    "pl_assessment": {"attendance": "attendance", "recommendation": "recommendation"},
    "pl_signature": {"party": "party", "method": "signature_method"},
    "pl_outcome": {"category": "outcome"},
    "pl_follow_up": {"status": "follow_up_status", "result_category": "outcome"},
    "pl_partner_consent": {"method": "consent_method"},
    "pl_lock_in_flag": {"kind": "lock_in_kind"},
    "pl_booking_event": {"to_status": "booking_status"},
    "pl_agreement": {"status": "agreement_status"},
    "mp_outbox": {"status": "mail_status", "channel": "message_channel"},
}
# Stored lists of my own words (adaptations: '[{"text": …, "shareable": true}]'), shown as
# the words, not as the stored form.
WORD_LISTS = {"adaptations", "adaptations_shared"}


def _languages_in(stored: str, lang: str) -> str | None:
    """The stored language ids named in `lang`; None unless CLDR names every one of them
    (then the Swedish labels are shown as stored)."""
    try:
        ids = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(ids, list):
        return None
    labels = taxonomy.languages()
    names = [taxonomy.language_name(labels.get(str(i), str(i)), lang) for i in ids]
    if not names or any(n is None for n in names):
        return None
    return ("، " if lang == "ar" else ", ").join(n for n in names if n)  # Arabic's own comma


def _fact(value: Any, vocabulary: str | None, name: str, lang: str = "sv") -> tuple[str, bool]:
    """A stored value as my page shows it, and whether it is one of the service's words
    (translated on the page) rather than my data (shown as stored)."""
    if name == "languages" and lang != "sv" and isinstance(value, str):
        named = _languages_in(value, lang)
        if named is not None:
            return named, True
    worded = value is True or value is False or bool(vocabulary and isinstance(value, str))
    worded = worded or name == "language"  # the language's own name ("English")
    return _value(value, vocabulary, name), worded


def _value(value: Any, vocabulary: str | None = None, name: str = "") -> str:
    if name in WORD_LISTS and isinstance(value, str):
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if isinstance(items, list):
            return _words(items)
    if name in TAXONOMY_LISTS and isinstance(value, str):
        try:
            ids = json.loads(value)
        except ValueError:
            ids = None
        if isinstance(ids, list):
            return _names([str(i) for i in ids], name)
    if name == "language" and isinstance(value, str):
        return LANGUAGES.get(value, (value, ""))[0]
    if name in TIMES and isinstance(value, str):
        try:
            return when(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if vocabulary and isinstance(value, str):
        words = LABELS.get(vocabulary) or EXTRACT_LABELS[vocabulary]
        return str(words.get(value, value))
    if value is True:
        return "Ja"
    if value is False:
        return "Nej"
    return str(value)


# What was done with my record, said to me ("Dina uppgifter lästa"), where the log review's
# words (`audit_text.ACTIONS`) speak of "deltagaren" ("Deltagaren läst").
OWN_ACTIONS: dict[str, str] = {
    "agreement.consent": "Överenskommelsen ändrad efter ditt samtycke",
    "agreement.sign.own_pages": "Du skrev under överenskommelsen på Mina sidor",
    "assessment.participant_view": "Bedömningen visad för dig",
    "candidate.anonymise": "Dina uppgifter anonymiserade",
    "candidate.create": "Du registrerades",
    "candidate.match": "Du matchades mot platser",
    "candidate.read": "Dina uppgifter lästa",
    "candidate.update": "Dina uppgifter ändrade",
    "participant.answer": "Du svarade på ett förslag på Mina sidor",
    "participant.end_read": "Du läste om en avslutad praktik på Mina sidor",
    "participant.end_view": "Din egen bild av praktiken sparad på Mina sidor",
    "participant.interest": "Du visade intresse för en plats på Mina sidor",
    "participant.interest_remove": "Du tog bort ett intresse på Mina sidor",
    "participant.interests_read": "Dina intressen lästa",
    "participant.language": "Du valde språk på Mina sidor",
    "participant.overview": "Du läste översikten på Mina sidor",
    "participant.plan": "Du läste planen på Mina sidor",
    "participant.proposals": "Du läste förslagen på Mina sidor",
    "participant.sign_in": "Du loggade in på Mina sidor",
    "participant.sign_out": "Du loggade ut från Mina sidor",
    "participant.read": "Dina uppgifter lästa av värden",
    "partner.list": "Du listades för en partnerkontakt",
    "partner.read": "Dina placeringar lästa av en partnerkontakt",
}


# Runs of one reader's one kind of read or change, newest first: a coordinator's list of
# bookings reads every participant on it each time it is opened, and those reads, one line
# each, filled the list (119 lines for 7 participants in the demo). Consecutive reads by the
# same reader of the same kind (the gaps-and-islands difference of two row numbers) are one
# line with the first and last time and how many. Window functions: SQLite 3.25+ and
# PostgreSQL alike.
_READER_RUNS = """
WITH mine AS (
    SELECT id, at, actor_id, actor_label, action,
        ROW_NUMBER() OVER (ORDER BY id DESC)
        - ROW_NUMBER() OVER (PARTITION BY actor_id, actor_label, action ORDER BY id DESC)
        AS run
    FROM mp_audit
    WHERE subject_type = 'candidate' AND subject_id = {}
        AND (actor_id IS NOT NULL OR actor_label <> {})
), runs AS (
    SELECT actor_id, actor_label, action, MAX(at) AS last_at, MIN(at) AS first_at,
        COUNT(*) AS times, MAX(id) AS newest
    FROM mine
    GROUP BY actor_id, actor_label, action, run
)
SELECT *, COUNT(*) OVER () AS runs FROM runs ORDER BY newest DESC LIMIT {} OFFSET {}
"""


def _timestamp(value: Any) -> dt.datetime:
    """A time from a raw query: SQLite gives the stored text, PostgreSQL a datetime."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


async def readers(participant: Participant, page: int = 1) -> Readers:
    """Who else has read or changed my record, newest first, from the audit log, a page of
    READERS_PER_PAGE at a time: staff by name and role, a host's user by their
    organisation's role, the service itself, or someone with a link. One reader's
    consecutive reads of one kind are one line, with how many and from when to when.

    What I read and did on my own pages is audited like any read, but left out here (the
    page says so): each of my visits is a read, and the list, which is there to show which
    staff read my data, filled with my own visits, a page of twenty of them after a few
    days. The count and the pages are of what is listed."""
    key = (participant.candidate_id, participant.audit_label)
    page = max(page, 1)
    rows = await AuditEntry.raw(_READER_RUNS, *key, READERS_PER_PAGE, (page - 1) * READERS_PER_PAGE)
    if not rows and page > 1:  # a page past the last is the last
        first = await AuditEntry.raw(_READER_RUNS, *key, 1, 0)
        page = page_count(int(first[0]["runs"]), READERS_PER_PAGE) if first else 1
        rows = await AuditEntry.raw(
            _READER_RUNS, *key, READERS_PER_PAGE, (page - 1) * READERS_PER_PAGE
        )
    total = int(rows[0]["runs"]) if rows else 0
    pages = page_count(total, READERS_PER_PAGE)
    ids = {r["actor_id"] for r in rows if r["actor_id"] is not None}
    users = {
        u["id"]: u
        for u in await User.select(User.id, User.first_name, User.last_name, User.role).where(
            User.id.is_in(list(ids) or [-1])
        )
    }
    out = []
    for r in rows:
        user = users.get(r["actor_id"])
        name = ""
        if user is not None:
            who = LABELS["role"].get(user["role"], N_("Personal"))
            if user["role"] != "host":
                name = f"{user['first_name']} {user['last_name']}".strip()
        elif r["actor_label"] == "system":
            who = N_("Tjänsten, automatiskt")
        else:
            who = N_("Någon med en länk från kommunen")
        what = OWN_ACTIONS.get(r["action"]) or action_text(r["action"])
        if what == r["action"]:  # an action the log review has no words for: not its code
            what = N_("Uppgifterna lästa eller ändrade")
        times = int(r["times"])
        first = _timestamp(r["first_at"]) if times > 1 else None
        out.append(Reader(_timestamp(r["last_at"]), name, who, what, times, first))
    return Readers(out, total, page, pages)
