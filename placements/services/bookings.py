"""Bookings: a coordinator proposes a participant for a slot, the host answers, the agreement is
signed, the placement runs and ends. The actions (propose, accept, decline, withdraw, start,
end) each own their side effects: the agreement's draft, the answer links, the assessment
link, the mail.

The state machine, a pure table in `placements.booking_states` (anything else answers 409
with a Swedish message; `booking_moves.transition` refuses any move the table lacks):

    awaiting_participant → proposed (the participant says "vill", or the coordinator sends
                           it on) | withdrawn (the participant says "vill inte", or the
                           coordinator withdraws it); the host sees none of it
    proposed → accepted | declined | withdrawn (the coordinator withdraws it, or the
                                                participant says "vill inte"; the host is
                                                told it is withdrawn, not why)
    accepted → agreed (the current agreement version is fully signed) | withdrawn
    agreed   → active (on the start date, or started explicitly) | withdrawn
             → accepted (the agreement was changed after everyone signed)
    active   → completed | interrupted

The booking core is a one-way stack, each layer importing only those below it:

    booking_states (pure)
      → booking_access (who may see and act, locks, output) → booking_mail (notifications)
      → booking_moves (one status change as one write)
      → agreement_versions, answer_links, assessment_links (what an action writes or sends)
      → bookings (the actions)
      → agreements, answers, outcomes, attendance (on top)

Every transition runs in `write_transaction` with its rows locked (PostgreSQL), always in the
same order: participant, supervisor(s), slot, booking, then the change counter. Every write
that changes a placement's period, participant or supervisor, or makes it hold a seat, locks
through `booking_access.lock_placement`, so that the capacity and overlap checks cannot
interleave; the database itself refuses two overlapping seat-holding placements of one
participant (an exclusion constraint on PostgreSQL, answered as a 409 by
`booking_access.placement_transaction`). Every transition records a `BookingEvent`, an audit
row for the participant, mail to the next actor, and bumps the slot's change marker, since
open seats may change.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from employers.tables import Contact
from marketplace.kernel import clock
from marketplace.kernel.audit import record, record_many
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.kernel.i18n import gettext_for
from marketplace.kernel.mail import queue_mail, queue_sms
from marketplace.kernel.settings import get_settings
from marketplace.kernel.sms import sms_number
from marketplace.kernel.sweeps import RowGuard
from placements import booking_states, date_rules
from placements.host_texts import host_text_problems
from placements.rows import BookingRow, CandidateRow, SlotRoom, SlotRow
from placements.schemas import bookings as schemas
from placements.services import (
    SEAT_HOLDING,
    agreement_versions,
    answer_links,
    assessment_links,
    attendance,
    booking_access,
    booking_mail,
    booking_moves,
    capacity,
    lockin,
    slots,
)
from placements.services.candidates import (
    host_ids_of,
    visible_coordinator_ids,
)
from placements.services.capacity import overlaps
from placements.services.slots import booking_refusal
from placements.tables import Agreement, Booking, BookingEvent, Candidate, Slot

DEFAULT_LENGTH = dt.timedelta(days=89)


async def get_booking_for(user: AuthUser, booking_id: int) -> schemas.Booking:
    """One booking with its timeline, if the caller may see it; the read is audited."""
    async with write_transaction(booking_access.engine()):
        row = await booking_access.booking_row_for(user, booking_id)
        await record(user, "booking.read", row["candidate"], detail=f"bokning {booking_id}")
        return await booking_access.booking_out(row, user, with_events=True)


async def _visible_bookings(user: AuthUser) -> list[Any]:
    """The where-clauses that limit bookings to those the caller may see."""
    where: list[Any] = []
    if user.is_staff:
        allowed = await visible_coordinator_ids(user)
        if allowed is not None:
            where.append(Booking.candidate.coordinator.is_in(allowed or [0]))
    elif user.role == "host":
        where.append(Booking.slot.host.is_in(await host_ids_of(user) or [0]))
        seen = booking_states.statuses_host_sees(booking_states.HostView.FIRST_NAME)
        where.append(Booking.status.is_in(list(seen)))
    else:
        raise Forbidden("Din roll ser inga bokningar.")
    return where


def _newest_first(where: list[Any], limit: int, offset: int = 0) -> Any:
    query = Booking.select()
    for clause in where:
        query = query.where(clause)
    return (
        query.order_by(Booking.proposed_at, ascending=False)
        .order_by(Booking.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )


async def list_bookings_for(
    user: AuthUser,
    *,
    status: str | None = None,
    slot_id: int | None = None,
    candidate_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> schemas.BookingPage:
    """The bookings the caller may see, newest first; each participant shown is audited."""
    async with write_transaction(booking_access.engine()):
        where = await _visible_bookings(user)
        if status:
            where.append(Booking.status == status)
        if slot_id is not None:
            where.append(Booking.slot == slot_id)
        if candidate_id is not None:
            where.append(Booking.candidate == candidate_id)
        rows = cast("list[BookingRow]", await _newest_first(where, limit, offset))
        count = Booking.count()
        for clause in where:
            count = count.where(clause)
        total = await count
        await record_many(user, "booking.list", sorted({r["candidate"] for r in rows}))
        return schemas.BookingPage(
            total=total,
            limit=limit,
            offset=offset,
            items=await booking_access.bookings_out(rows, user),
        )


async def bookings_by_status_for(
    user: AuthUser, statuses: list[str], *, limit_each: int = 100
) -> dict[str, list[schemas.Booking]]:
    """The newest `limit_each` bookings of each status that the caller may see, for a home
    page that lists several statuses: one transaction and one audit batch for them all, not
    one of each per status (on SQLite each is a write and a sync to disk)."""
    async with write_transaction(booking_access.engine()):
        where = await _visible_bookings(user)
        rows: dict[str, list[BookingRow]] = {}
        for status in statuses:
            query = _newest_first([*where, Booking.status == status], limit_each)
            rows[status] = cast("list[BookingRow]", await query)
        every = [r for found in rows.values() for r in found]
        await record_many(user, "booking.list", sorted({r["candidate"] for r in every}))
        out = iter(await booking_access.bookings_out(every, user))
        return {status: [next(out) for _ in found] for status, found in rows.items()}


async def _warn_if_full(slot: SlotRoom, start: dt.date, end: dt.date) -> None:
    """Refuse (409, `confirm_capacity`) a proposal the host could not accept as it stands:
    no free seat, or the slot's supervisor already guides as many as they can during the
    period. The coordinator may confirm and send it anyway (the host can then choose
    another supervisor or period), or choose another period."""
    room = await capacity.room_for(slot, start, end)
    if room.fits_as_proposed:
        return
    if room.slot_supervisor is None and room.fits_with_another_supervisor:
        return  # no supervisor named yet: the host names one with room when accepting
    parts = [capacity.shortage_text(room, start, end)]
    if room.seats_free > 0 and room.others_with_room:
        names = ", ".join(s.name for s in room.others_with_room)
        parts.append(
            f"Värden har andra handledare med plats ({names}) och kan välja en av dem när "
            "förslaget accepteras."
        )
    elif room.seats_free > 0:
        parts.append("Ingen annan handledare hos värden har plats under perioden.")
    parts.append(capacity.suggestion_text(room))
    parts.append("Välj en annan period, eller kryssa i att du vill skicka förslaget ändå.")
    raise CapacityWarning(" ".join(parts), suggestion=room.suggestion)


def fewer_hours(slot: SlotRow, candidate: CandidateRow) -> int | None:
    """The participant's weekly hours when they are fewer than the slot asks, else None."""
    can, asks = candidate["hours_available"], slot["hours_per_week"]
    return can if can is not None and asks is not None and can < asks else None


def _warn_if_too_many_hours(slot: SlotRow, candidate: CandidateRow) -> None:
    """Refuse (409, `confirm_hours`) a proposal whose slot asks more hours a week than the
    participant can work: a tester proposed a participant of 30 hours to a slot of 40, with
    no word, and the agreement said 40. Once confirmed, the placement's hours are the
    participant's (`accept_locked`)."""
    can = fewer_hours(slot, candidate)
    if can is None:
        return
    raise HoursWarning(
        f"{candidate['first_name']} kan arbeta {can} timmar i veckan, men platsen är på "
        f"{slot['hours_per_week']} timmar i veckan. Välj en annan deltagare, eller kryssa i "
        f"att du vill skicka förslaget ändå: då blir placeringen {can} timmar i veckan, och "
        "schemat skrivs in i överenskommelsen."
    )


class HoursWarning(Conflict):
    """A proposal of more weekly hours than the participant can work; sent once confirmed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, fields=["confirm_hours"])


class CapacityWarning(Conflict):
    """A proposal the host could not accept as it stands; sent only once confirmed."""

    def __init__(self, message: str, *, suggestion: tuple[dt.date, dt.date] | None) -> None:
        super().__init__(message, fields=["confirm_capacity"])
        self.suggestion = suggestion


# The message goes to the host, who until it accepts sees the participant's first name only.
# The participant's consent covers the coordinator's contacting hosts about a place (the
# participant form says so): without it recorded, no host is told about the participant.
NO_CONSENT = (
    "Deltagarens samtycke är inte registrerat. Samtycket gäller att samordnaren kontaktar "
    "värdar om en plats: registrera det på deltagarens sida innan du föreslår en plats."
)
MESSAGE_LAST_NAME = (
    "Skriv bara deltagarens förnamn i meddelandet: värden ser efternamnet först när "
    "förslaget är accepterat."
)


def message_problems(message: str, candidate: CandidateRow) -> list[tuple[str, str]]:
    """What the coordinator's message to the host may not say (each as (field, message)):
    what any text for the host may not (`host_texts`: a personnummer-like number, health),
    or the participant's last name before the host has accepted."""
    problems = host_text_problems("message", message)
    if _names(message, candidate["last_name"].strip()):
        problems.append(("message", MESSAGE_LAST_NAME))
    return problems


# A last name this short is often a word too ("Ek", "Lind", "Berg"): written in small
# letters it is the word ("en ek vid entrén"), and only with its capital the name.
_SHORT_NAME = 4


def _names(message: str, last: str) -> bool:
    """Whether the message says the last name: as a whole word, in any case, or, for a
    short name, with its capital (a coordinator who wrote of an oak was refused)."""
    if len(last) < 2:
        return False
    pattern = rf"(?<!\w){re.escape(last)}(?!\w)"
    if len(last) > _SHORT_NAME:
        return re.search(pattern, message, re.IGNORECASE) is not None
    capital = last[:1].upper() + last[1:].lower()
    return any(m.group(0) in (capital, last.upper()) for m in re.finditer(pattern, message, re.I))


# A participant's booking on a slot that stops a second proposal of them to it.
OPEN_ON_SLOT = (booking_states.AWAITING, "proposed", *SEAT_HOLDING)


async def propose(user: AuthUser, data: schemas.BookingCreate) -> schemas.Booking:
    """A coordinator proposes a participant for a published slot; the host users are told."""
    if not user.is_staff:
        raise Forbidden("Bara samordnare kan föreslå deltagare.")
    async with write_transaction(booking_access.engine()):
        candidate = cast(
            "CandidateRow | None",
            await Candidate.select().where(Candidate.id == data.candidate_id).first(),
        )
        allowed = await visible_coordinator_ids(user)
        if candidate is None or (allowed is not None and candidate["coordinator"] not in allowed):
            raise NotFound("Deltagaren finns inte, eller så har du inte tillgång till hen.")
        if candidate["status"] != "active":
            raise Conflict(
                "Deltagarens ärende är inte aktivt. Återaktivera ärendet innan du föreslår en plats."
            )
        if candidate["consent_date"] is None:
            raise Conflict(NO_CONSENT)
        slot = await slot_row(data.slot_id)
        if slot is None:
            raise NotFound("Platsen finns inte.")
        if not slots.takes_proposals(slot["status"]):
            raise Conflict(slots.PROPOSALS_CLOSED)
        today = date_rules.rules_today()
        # A running slot's proposals start today at the earliest (the date table).
        start = data.start_date or max(slot["start_date"] or today, today)
        end = data.end_date or slot["end_date"] or start + DEFAULT_LENGTH
        outside: list[tuple[str, str]] = []
        if (slot["start_date"] and start < slot["start_date"]) or (
            slot["end_date"] and end > slot["end_date"]
        ):
            outside.append(
                (
                    "start_date",
                    "Perioden måste ligga inom platsens period "
                    f"({capacity.period_text(slot['start_date'], slot['end_date'])}).",
                )
            )
        outside += message_problems(data.message, candidate)
        date_rules.check(
            "proposal", {"start_date": start, "end_date": end}, today=today, extra=outside
        )
        if await Booking.exists().where(
            (Booking.slot == slot["id"])
            & (Booking.candidate == candidate["id"])
            & Booking.status.is_in(list(OPEN_ON_SLOT))
        ):
            raise Conflict("Deltagaren är redan föreslagen för den här platsen.")
        held = await capacity.first_overlapping(Booking.candidate == candidate["id"], start, end)
        if held is not None:
            # Refused here, where the coordinator can see why; the host would only learn it
            # when accepting (and that the participant is placed elsewhere). The message
            # names the placement in the way and its period, not the one proposed.
            title = await Slot.select(Slot.title).where(Slot.id == held["slot"]).first()
            raise Conflict(
                f"Deltagaren har redan en placering som krockar med perioden "
                f"{capacity.period_text(start, end)}: "
                f"{title['title'] if title else 'en annan plats'}, "
                f"{capacity.period_text(held['start_date'], held['end_date'])}. Föreslå en "
                "period som inte delar någon dag med den, eller avsluta den placeringen först.",
                fields=["start_date"],
            )
        if not data.confirm_hours:
            _warn_if_too_many_hours(slot, candidate)
        if not data.confirm_capacity:
            await _warn_if_full(slot, start, end)
        status = booking_states.AWAITING if data.participant_first else "proposed"
        booking = Booking(
            slot=slot["id"],
            candidate=candidate["id"],
            coordinator=candidate["coordinator"] or user.id,
            status=status,
            message=data.message,
            start_date=start,
            end_date=end,
        )
        await booking.save()
        booking_id = int(booking.id)
        await BookingEvent.insert(
            BookingEvent(
                booking=booking_id,
                actor_id=user.id,
                actor_label=booking_moves.actor_label(user),
                from_status="",
                to_status=status,
                note=data.message[:2000],
            )
        )
        await record(user, f"booking.{status}", candidate["id"], detail=f"bokning {booking_id}")
        if status == "proposed":
            await tell_host_of_proposal(booking_id)
        else:
            await tell_participant_of_proposal(candidate)
        return await booking_access.fresh_booking(booking_id, user)


async def slot_row(slot_id: int) -> SlotRow | None:
    """The slot's row, every column (None if there is none)."""
    return cast("SlotRow | None", await Slot.select().where(Slot.id == slot_id).first())


async def tell_host_of_proposal(booking_id: int) -> None:
    """The host hears of a proposal: its users by mail, linked to the portal; a host whose
    users do not sign in gets single-use answer links (contact person and supervisor).
    Called when a proposal is made, or when one the participant answered first is sent on."""
    booking = (
        await Booking.select(Booking.slot, Booking.start_date, Booking.end_date)
        .where(Booking.id == booking_id)
        .first()
    )
    assert booking is not None
    slot = await slot_row(booking["slot"])
    assert slot is not None
    host_users = await booking_mail.host_user_recipients(slot["id"], booking_id)
    await booking_mail.notify(
        host_users,
        "Ny deltagare föreslagen",
        f"Hej!\n\nEn samordnare föreslår en deltagare för er plats ”{slot['title']}” "
        f"({booking['start_date']} – {booking['end_date']}). Tacka ja, eller tacka nej med en "
        "kort motivering.",
        kind="booking.proposed",
        booking_id=booking_id,
        action="Svara på förslaget",
    )
    if not host_users:
        # No one at the host signs in: the contact person and the supervisor get a
        # single-use link each, to answer without an account.
        await answer_links.send_proposal_links(booking_id, slot)


# Where a participant answers a proposal: their pages, through sign-in (e-ID or a link).
PARTICIPANT_SIGN_IN = "/mina-sidor/logga-in"


async def tell_participant_of_proposal(candidate: CandidateRow) -> None:
    """The participant hears that a proposal waits for their answer on their own pages (a
    proposal they answer first, `awaiting_participant`): by SMS where SMS is on and they
    have a mobile number, and by mail to an address, in the language they chose. It names
    no slot, host or period, only where to answer: the pages show the proposal once they
    have signed in. Queued in the proposal's transaction, so one is never without the other.
    A participant with neither hears of it from their coordinator."""
    _ = gettext_for(candidate["language"])
    url = booking_mail.service_link(PARTICIPANT_SIGN_IN)
    number = sms_number(candidate["phone"], get_settings())
    if number:
        # An SMS names no one (a phone can be read by others): where to answer, nothing more.
        await queue_sms(
            number,
            _(
                "Du har fått ett förslag på praktik. Logga in på Mina sidor och svara om du vill "
                "ha platsen: %(url)s"
            )
            % {"url": url},
            kind="participant.proposal",
            candidate_id=candidate["id"],
        )
    if candidate["email"]:
        await queue_mail(
            candidate["email"],
            _("Ett förslag på praktik till dig"),
            _(
                "Hej %(name)s!\n\nDin samordnare har ett förslag på praktik till dig. Logga in "
                "på Mina sidor och läs förslaget under ”Förslag till mig”. Där svarar du om du "
                "vill ha platsen.\n\n%(url)s\n"
            )
            % {"name": candidate["first_name"], "url": url},
            kind="participant.proposal",
            candidate_id=candidate["id"],
        )


async def send_to_host(user: AuthUser, booking_id: int, note: str = "") -> schemas.Booking:
    """The coordinator sends a proposal the participant answers first on to the host without
    waiting for the answer; the host is told as of any proposal."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking = await booking_access.lock_booking(booking_id)
        await move(
            booking,
            "send_to_host",
            user,
            note=note or "Skickat till värden utan att vänta på deltagarens svar.",
        )
        return await booking_access.fresh_booking(booking_id, user)


async def move(
    booking: BookingRow,
    action: str,
    actor: AuthUser | None,
    *,
    note: str = "",
    label: str | None = None,
) -> str:
    """Inside a write transaction, with the booking locked: apply one of the transitions of
    `placements.booking_states` (409 when it is illegal from the booking's status), and tell
    the host when the proposal reaches it. Returns the new status."""
    before = booking["status"]
    if not booking_states.can(action, before):
        raise booking_moves.illegal(before, action)
    after = booking_states.next_status(action, before)
    if after == before:
        return after
    reaches_host = before == booking_states.AWAITING and after == "proposed"
    if reaches_host and not await slots.slot_takes_proposals(int(booking["slot"])):
        # The slot closed (or was paused) while the proposal waited for the participant.
        raise Conflict(slots.PROPOSALS_CLOSED)
    await booking_moves.transition(booking, after, actor, note=note, label=label)
    if reaches_host:
        await tell_host_of_proposal(int(booking["id"]))
    return after


NO_SUPERVISOR = "Platsen saknar handledare. Välj en av organisationens handledare."
NO_PERIOD = "Förslaget saknar period. Ange start- och slutdatum."


HOST_OVERLAP_TEXT = (
    "Deltagaren kan inte börja hos er under den perioden. Välj en annan period, eller kontakta "
    "samordnaren."
)


# The statuses of a proposal the host said yes to (and what came of it).
ACCEPTED_SINCE = ("accepted", "agreed", "active", "completed", "interrupted")


class SameAnswerAgain(Conflict):
    """The host's answer to a proposal it has already given (Back and resubmit, a second
    tab): the first one counted and nothing changes, so the page lands on the booking with
    a neutral notice (`notice`, a code of `marketplace.kernel.notices`), not an error."""

    def __init__(self, message: str, notice: str) -> None:
        super().__init__(message)
        self.notice = notice


def answered_refusal(booking: BookingRow, action: str) -> Conflict | None:
    """Why the host cannot give `action` ("accept" or "decline") to a proposal that is no
    longer open, said to the host (to "ni") with when it was answered; None while it is
    open, or in a status that is no answer (left to the state table's `illegal`). The
    answer it gave before is a `SameAnswerAgain`. The coordinator's advice that the state
    table gives ("Föreslå deltagaren för en annan plats") is no step a host can take; staff
    acting for a host keep the state table's words."""
    status = booking["status"]
    decided = booking["decided_at"]
    when = f" {clock.moment_text(decided)}" if decided is not None else ""
    if status == "declined":
        if action == "decline":
            return SameAnswerAgain(
                f"Ni har redan tackat nej till förslaget{when}.", "forslag-redan-avbojt"
            )
        return Conflict(
            f"Ni tackade nej till förslaget{when}, så det kan inte accepteras nu. Vill ni ändå "
            "ta emot deltagaren, kontakta samordnaren."
        )
    if status in ACCEPTED_SINCE:
        if action == "accept":
            return SameAnswerAgain(
                f"Ni har redan tackat ja till förslaget{when}.", "forslag-redan-accepterat"
            )
        return Conflict(
            f"Ni tackade ja till förslaget{when}, så det kan inte avböjas nu. Kan ni inte ta "
            "emot deltagaren ändå, kontakta samordnaren."
        )
    if status == "withdrawn":
        return Conflict(
            "Samordnaren har återkallat förslaget, så det behöver inget svar. Inget har ändrats."
        )
    return None


async def accept(
    user: AuthUser, booking_id: int, choice: schemas.AcceptRequest | None = None
) -> schemas.Booking:
    """The host accepts a proposal (see `accept_locked`): with the slot's supervisor, or
    another of the host's who has room, for the proposed period or another inside the
    slot's dates. Drafts the agreement and tells the coordinator."""
    async with booking_access.placement_transaction():
        visible = await booking_access.booking_row_for(user, booking_id)
        if not await booking_access.may_act_as_host(user, visible):
            raise NotFound(booking_access.BOOKING_NOT_FOUND)
        if user.role == "host" and (answered := answered_refusal(visible, "accept")):
            raise answered
        await accept_locked(booking_id, user, choice or schemas.AcceptRequest())
        return await booking_access.fresh_booking(booking_id, user)


def _accepted_period(
    booking: BookingRow, slot: SlotRow, choice: schemas.AcceptRequest
) -> tuple[dt.date, dt.date]:
    """The period the host accepts: the proposed one, or the one the host proposes instead
    (inside the slot's dates, not starting in the past, and not ending before it starts)."""
    start = choice.start_date or booking["start_date"]
    end = choice.end_date or booking["end_date"]
    if start is None or end is None:
        # A proposal always has a period (`propose`); one without is refused, never a 500.
        raise ValidationFailed(NO_PERIOD, fields=["start_date" if start is None else "end_date"])
    if (start, end) == (booking["start_date"], booking["end_date"]):
        return start, end
    outside: list[tuple[str, str]] = []
    if (slot["start_date"] and start < slot["start_date"]) or (
        slot["end_date"] and end > slot["end_date"]
    ):
        outside.append(
            (
                "start_date",
                "Perioden måste ligga inom platsens period "
                f"({capacity.period_text(slot['start_date'], slot['end_date'])}).",
            )
        )
    date_rules.check("proposal", {"start_date": start, "end_date": end}, extra=outside)
    return start, end


async def accept_locked(
    booking_id: int,
    actor: AuthUser | None,
    choice: schemas.AcceptRequest,
    *,
    label: str | None = None,
    note: str = "",
) -> BookingRow:
    """Inside `placement_transaction`: accept a proposal and return the accepted row.

    Holds under concurrency: the seat, the supervisor's supervision capacity and the
    participant's other placements are checked with the participant, supervisor, slot and
    booking rows locked (`lock_placement`). A refusal names the field to change and what
    would fit: another supervisor with room, or the earliest period with room. `actor` is
    None for an answer through a link, named then by `label`."""
    head = await Booking.select(Booking.slot).where(Booking.id == booking_id).first()
    if head is None:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    slot_head = await Slot.select(Slot.supervisor).where(Slot.id == head["slot"]).first()
    assert slot_head is not None
    supervisor_id = choice.supervisor_id or slot_head["supervisor"]
    booking = await booking_access.lock_placement(booking_id, new_supervisor=supervisor_id)
    if not booking_states.can("accept", booking["status"]):
        raise booking_moves.illegal(booking["status"], "accept")
    slot = await slot_row(booking["slot"])
    assert slot is not None
    if choice.supervisor_id is None and slot["supervisor"] != slot_head["supervisor"]:
        raise Conflict(booking_access.CHANGED_MEANWHILE)
    start, end = _accepted_period(booking, slot, choice)
    to_host = actor is None or not actor.is_staff  # staff register the host's answer
    refusal = await booking_refusal(slot["id"], supervisor_id=supervisor_id, to_host=to_host)
    if refusal is not None or supervisor_id is None:
        raise Conflict(refusal or NO_SUPERVISOR, fields=["supervisor_id"])
    contact = (
        await Contact.select(
            Contact.name, Contact.supervision_capacity, Contact.is_supervisor, Contact.host
        )
        .where(Contact.id == supervisor_id)
        .first()
    )
    if contact is None or not contact["is_supervisor"] or contact["host"] != slot["host"]:
        raise ValidationFailed("Välj en av organisationens handledare.", fields=["supervisor_id"])
    period = capacity.period_text(start, end)
    taken = await capacity.overlapping(Booking.slot == slot["id"], start, end, booking_id)
    if taken >= slot["capacity"]:
        room = await capacity.room_for(slot, start, end, booking_id)
        raise Conflict(
            f"Platsen har ingen ledig plats under perioden {period}. "
            f"{capacity.way_forward_text(room)}",
            fields=["start_date"],
        )
    guided = await capacity.overlapping(Booking.supervisor == supervisor_id, start, end, booking_id)
    if guided >= contact["supervision_capacity"]:
        room = await capacity.room_for(slot, start, end, booking_id)
        others = [s.name for s in room.supervisors if s.has_room and s.id != supervisor_id]
        instead = (
            f"Välj en annan handledare med plats: {', '.join(others)}."
            if others
            else "Ingen annan handledare hos er har plats under perioden. "
            f"{capacity.way_forward_text(room)}"
        )
        raise Conflict(
            f"Handledaren {contact['name']} handleder redan så många deltagare som hen har "
            f"plats för under perioden {period}. {instead}",
            fields=["supervisor_id"],
        )
    if await capacity.overlapping(
        Booking.candidate == booking["candidate"], start, end, booking_id
    ):
        # A host is not told that the participant is placed elsewhere, only what to do.
        staff = actor is not None and actor.is_staff
        text = booking_access.OVERLAP_TEXT if staff else HOST_OVERLAP_TEXT
        raise Conflict(text, fields=["start_date"])
    changes = _accept_changes(booking, slot, supervisor_id, contact["name"], start, end)
    # A participant proposed for more hours than they can work (confirmed by the
    # coordinator, `_warn_if_too_many_hours`) is placed for their own hours: the agreement
    # never silently asks more of them.
    hours = slot["hours_per_week"]
    candidate = cast(
        "CandidateRow | None",
        await Candidate.select().where(Candidate.id == booking["candidate"]).first(),
    )
    if candidate is not None and (fewer := fewer_hours(slot, candidate)) is not None:
        hours = fewer
    await booking_moves.transition(
        booking,
        "accepted",
        actor,
        label=label,
        note="\n".join(p for p in (note, *changes) if p),
        changes={
            Booking.decided_at: booking_access.now(),
            Booking.supervisor: supervisor_id,
            Booking.start_date: start,
            Booking.end_date: end,
            # The hours agreed are the slot's now: a later edit of the slot must not rewrite
            # the hours this placement has given (the ledger, the attendance statement).
            Booking.hours_per_week: hours,
        },
    )
    booking["supervisor"], booking["start_date"], booking["end_date"] = supervisor_id, start, end
    booking["hours_per_week"] = hours
    await agreement_versions.draft_agreement(booking, actor)
    await booking_mail.notify(
        await booking_mail.coordinator_recipients(booking),
        "Förslaget är accepterat",
        f"Hej!\n\nVärden har accepterat förslaget till platsen ”{slot['title']}”. "
        + "".join(f"{c} " for c in changes)
        + "Gå igenom överenskommelsen och skicka den för underskrift.",
        kind="booking.accepted",
        booking_id=booking_id,
        actor=actor,
    )
    return booking


def _accept_changes(
    booking: BookingRow,
    slot: SlotRow,
    supervisor_id: int,
    supervisor_name: str,
    start: dt.date,
    end: dt.date,
) -> list[str]:
    """What the host changed while accepting, in words for the timeline and the mail."""
    changes = []
    if slot["supervisor"] is not None and supervisor_id != slot["supervisor"]:
        changes.append(f"Värden valde handledaren {supervisor_name} i stället för platsens.")
    elif slot["supervisor"] is None:
        changes.append(f"Värden valde handledaren {supervisor_name}.")
    if (start, end) != (booking["start_date"], booking["end_date"]):
        changes.append(
            f"Värden accepterade perioden {capacity.period_text(start, end)} i stället för "
            f"den föreslagna {capacity.period_text(booking['start_date'], booking['end_date'])}."
        )
    return changes


async def decline(user: AuthUser, booking_id: int, reason: str) -> schemas.Booking:
    """The host declines a proposal with a reason; the coordinator is told."""
    async with write_transaction(booking_access.engine()):
        visible = await booking_access.booking_row_for(user, booking_id)
        if not await booking_access.may_act_as_host(user, visible):
            raise NotFound(booking_access.BOOKING_NOT_FOUND)
        if user.role == "host" and (answered := answered_refusal(visible, "decline")):
            raise answered
        await decline_locked(booking_id, user, reason)
        return await booking_access.fresh_booking(booking_id, user)


async def decline_locked(
    booking_id: int,
    actor: AuthUser | None,
    reason: str,
    *,
    label: str | None = None,
    note: str = "",
) -> BookingRow:
    """Inside a write transaction: lock and decline a proposal with the host's reason, and
    tell the coordinator. `actor` is None for an answer through a link, named by `label`."""
    booking = await booking_access.lock_booking(booking_id)
    if not booking_states.can("decline", booking["status"]):
        raise booking_moves.illegal(booking["status"], "decline")
    await booking_moves.transition(
        booking,
        "declined",
        actor,
        label=label,
        note=note or reason,
        changes={Booking.decided_at: booking_access.now(), Booking.decline_reason: reason},
    )
    await booking_mail.notify(
        await booking_mail.coordinator_recipients(booking),
        "Förslaget har avböjts",
        f"Hej!\n\nVärden avböjde förslaget. Skäl: {reason}\n\n"
        "Hitta en annan plats åt deltagaren från bokningens sida.",
        kind="booking.declined",
        booking_id=booking_id,
        actor=actor,
    )
    return booking


WITHDRAW_NEEDS_REASON = (
    "Skriv ett skäl: värden har redan tackat ja till placeringen och får veta varför den "
    "återkallas."
)


def withdraw_problems(status: str, reason: str) -> list[tuple[str, str]]:
    """What a withdrawal from `status` lacks: once the host has said yes (and perhaps
    signed), a reason, since they are told why it ends. The service and the page's form
    (with its other mistakes) ask the same."""
    if status in ("accepted", "agreed") and not reason.strip():
        return [("reason", WITHDRAW_NEEDS_REASON)]
    return []


async def withdraw(user: AuthUser, booking_id: int, reason: str = "") -> schemas.Booking:
    """The coordinator withdraws a booking before it is active; the host users are told.
    Once the host has accepted, a reason is required (they are told it)."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking = await booking_access.lock_booking(booking_id)
        before = booking["status"]
        if found := withdraw_problems(before, reason):
            raise ValidationFailed.listed(found)
        await move(booking, "withdraw", user, note=reason)
        await Agreement.update({Agreement.status: "cancelled"}).where(
            (Agreement.booking == booking_id) & (Agreement.status != "superseded")
        )
        if before in booking_states.UNSEEN_BY_HOST:
            return await booking_access.fresh_booking(
                booking_id, user
            )  # the host never heard of it: nothing to tell
        await tell_host_of_withdrawal(
            booking,
            "Samordnaren har återkallat förslaget. Platsen är ledig igen."
            f"{(' Skäl: ' + reason) if reason else ''}",
        )
        return await booking_access.fresh_booking(booking_id, user)


async def tell_host_of_withdrawal(booking: BookingRow, text: str) -> None:
    """Inside the withdrawal's transaction: the host's users, the supervisor and whoever was
    mailed a link to answer are told that the booking is withdrawn, in `text`."""
    await booking_mail.notify(
        [
            # A withdrawn booking leaves the host's view: the portal's start page.
            *(await booking_mail.host_user_recipients(booking["slot"])),
            *(await booking_mail.supervisor_recipient(booking["supervisor"])),
            # Whoever was mailed a link to answer (a host without users).
            *(await answer_links.open_link_recipients(int(booking["id"]))),
        ],
        "Förslaget har återkallats",
        f"Hej!\n\n{text}",
        kind="booking.withdrawn",
        booking_id=int(booking["id"]),
        action="Se era platser och förslag",
    )


async def _start_locked(
    booking: BookingRow, actor: AuthUser | None, today: dt.date | None = None
) -> None:
    if not booking_states.can("start", booking["status"]):
        raise booking_moves.illegal(booking["status"], "start")
    # Started on or after the start date, never before (the date table).
    date_rules.check("start", {"start_date": booking["start_date"]}, today=today)
    if not await agreement_versions.fully_signed(booking["id"]):
        raise Conflict("Överenskommelsen är inte undertecknad av alla parter ännu.")
    active = await Booking.select(Booking.start_date, Booking.end_date).where(
        (Booking.candidate == booking["candidate"])
        & (Booking.status == "active")
        & (Booking.id != booking["id"])
    )
    if any(
        overlaps(r["start_date"], r["end_date"], booking["start_date"], booking["end_date"])
        for r in active
    ):
        raise Conflict("Deltagaren har redan en pågående placering under samma period.")
    await booking_moves.transition(
        booking,
        "active",
        actor,
        label=None if actor else "systemet (startdag)",
        changes={Booking.started_at: booking_access.now()},
    )
    recipients = [
        *(await booking_mail.coordinator_recipients(booking)),
        *(await booking_mail.supervisor_recipient(booking["supervisor"], booking)),
    ]
    await booking_mail.notify(
        recipients,
        "Placeringen har startat",
        f"Hej!\n\nPlaceringen har startat {booking['start_date']}. "
        f"Planerat slut: {booking['end_date']}.",
        kind="booking.active",
        booking_id=booking["id"],
        actor=actor,
    )


async def start(user: AuthUser, booking_id: int) -> schemas.Booking:
    """Start an agreed placement now (the host or the coordinator)."""
    async with booking_access.placement_transaction():
        visible = await booking_access.booking_row_for(user, booking_id)
        if not await booking_access.may_act_as_host(user, visible):
            raise NotFound(booking_access.BOOKING_NOT_FOUND)
        booking = await booking_access.lock_placement(booking_id)
        await _start_locked(booking, user)
        return await booking_access.fresh_booking(booking_id, user)


async def activate_due(today: dt.date, guard: RowGuard | None = None) -> int:
    """Start every agreed, fully signed placement whose start date has come. Idempotent:
    the scheduler may call it any number of times a day. Returns how many started; a row
    that fails is logged and skipped (`guard`), and the others still start."""
    guard = guard or RowGuard("activate-due")
    rows = await Booking.select(Booking.id).where(
        (Booking.status == "agreed") & (Booking.start_date <= today)
    )
    started = 0
    for row in rows:
        with guard.row(row["id"]):
            try:
                async with booking_access.placement_transaction():
                    booking = await booking_access.lock_placement(int(row["id"]))
                    if not booking_states.can("start", booking["status"]) or not (
                        await agreement_versions.fully_signed(booking["id"])
                    ):
                        continue
                    await _start_locked(booking, None, today)
            except Conflict:
                continue
            started += 1
    return started


async def end(
    user: AuthUser,
    booking_id: int,
    result: str,
    end_date: dt.date | None = None,
    reason: str = "",
) -> schemas.Booking:
    """End an active placement as completed or interrupted. The coordinator is asked for the
    outcome, and the supervisor gets a link to the end-of-placement assessment. An end date
    before days already reported as attendance is refused at `end_date`
    (`attendance.end_problems`)."""
    if result not in ("completed", "interrupted"):
        raise ValidationFailed(
            "Ange hur placeringen slutade: genomförd (completed) eller avbruten (interrupted).",
            fields=["result"],
        )
    async with booking_access.placement_transaction():
        visible = await booking_access.booking_row_for(user, booking_id)
        if not await booking_access.may_act_as_host(user, visible):
            raise NotFound(booking_access.BOOKING_NOT_FOUND)
        booking = await booking_access.lock_placement(booking_id)
        if not booking_states.can(booking_states.end_action(result), booking["status"]):
            raise booking_moves.illegal(booking["status"], "end")
        ended_on = end_date or clock.today()
        actual_start = booking_access.actual_start_of(booking)
        date_rules.check("end", {"end_date": ended_on}, {"actual_start": actual_start})
        if found := await attendance.end_problems(booking, ended_on, date_rules.rules_today()):
            raise ValidationFailed.listed(found)
        changes: dict[Any, Any] = {
            Booking.ended_at: booking_access.now(),
            Booking.end_date: ended_on,
        }
        if booking["start_date"] and actual_start and actual_start < booking["start_date"]:
            # Started before its start date (allowed before the date table): the period
            # becomes what really happened, so that it never ends before it starts.
            changes[Booking.start_date] = actual_start
        await booking_moves.transition(booking, result, user, note=reason, changes=changes)
        # The participant's record changed with it: the list's "Senast ändrad", and a
        # lock-in flag for a placement that has now ended goes at once, not at the next sweep.
        await Candidate.update({Candidate.updated_at: booking_access.now()}).where(
            Candidate.id == booking["candidate"]
        )
        await lockin.resolve_gone(user, int(booking["candidate"]), clock.today())
        misfits = attendance.misfit_text(await attendance.misfit_weeks(booking_id))
        await booking_mail.notify(
            await booking_mail.coordinator_recipients(booking),
            "Placeringen är avslutad – registrera utfallet",
            f"Hej!\n\nPlaceringen är {booking_access.STATUS_TEXT[result]} ({ended_on}). Registrera "
            f"deltagarens utfall på bokningens sida.{misfits}",
            kind=f"booking.{result}",
            booking_id=booking_id,
            actor=user,
        )
        await assessment_links.send_assessment_link(booking)
        return await booking_access.fresh_booking(booking_id, user)
