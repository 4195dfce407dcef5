"""Bookings: a coordinator proposes a participant for a slot, the host answers, the agreement is
signed, the placement runs and ends.

The state machine, a pure table in `placements.booking_states` (anything else answers 409
with a Swedish message; `transition` refuses any move the table lacks):

    awaiting_participant → proposed (the participant says "vill", or the coordinator sends
                           it on) | withdrawn (the participant says "vill inte", or the
                           coordinator withdraws it); the host sees none of it
    proposed → accepted | declined | withdrawn
    accepted → agreed (the current agreement version is fully signed) | withdrawn
    agreed   → active (on the start date, or started explicitly) | withdrawn
             → accepted (the agreement was changed after everyone signed)
    active   → completed | interrupted

Every transition runs in `write_transaction` with its rows locked (PostgreSQL), always in the
same order: participant, supervisor(s), slot, booking, then the change counter. Every write
that changes a placement's period, participant or supervisor, or makes it hold a seat, locks
through `lock_placement`, so that the capacity and overlap checks cannot interleave; the
database itself refuses two overlapping seat-holding placements of one participant (an
exclusion constraint on PostgreSQL, answered as a 409 by `placement_transaction`). Every transition records a
`BookingEvent`, an audit row for the participant, mail to the next actor, and bumps the
slot's change marker, since open seats may change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from employers.tables import Contact, HostMembership
from marketplace import clock
from marketplace.audit import record
from marketplace.auth import AuthUser
from marketplace.db import is_sqlite, write_transaction
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.mail import queue_mail
from marketplace.settings import get_settings
from marketplace.sweeps import RowGuard
from marketplace.tables import User
from placements import booking_states, date_rules, vocabulary
from placements.schemas import bookings as schemas
from placements.services import SEAT_HOLDING, capacity
from placements.services import bump_slot_change as bump_slot_change
from placements.services.candidates import (
    HIDDEN_FROM_HOST,
    display_name,
    host_ids_of,
    visible_coordinator_ids,
)
from placements.services.capacity import overlaps
from placements.tables import Agreement, Booking, BookingEvent, Candidate, Signature, Slot

BOOKING_NOT_FOUND = "Bokningen finns inte, eller så har du inte tillgång till den."
DEFAULT_LENGTH = dt.timedelta(days=89)
PARTIES = ("coordinator", "host", "supervisor", "participant")

STATUS_TEXT = vocabulary.BOOKING_STATUS_LABELS  # one wording for pages, mails and the API
ACTION_TEXT = {
    "accept": "accepteras",
    "decline": "avböjas",
    "withdraw": "återkallas",
    "start": "startas",
    "end": "avslutas",
    "agree": "bli överenskommen",
    "sign": "undertecknas",
    "change": "ändras",
    "outcome": "få ett utfall",
    "assess": "bedömas",
    "answer": "besvaras",
    "all_signed": "bli överenskommen",
    "change_agreement": "ändras",
    "complete": "avslutas",
    "interrupt": "avbrytas",
    "report_attendance": "få närvaro rapporterad",
    "send_to_host": "skickas till värden",
    "participant_yes": "besvaras",
    "participant_no": "besvaras",
}
WHAT_NOW = {
    "awaiting_participant": "Deltagaren behöver först svara, eller så skickar du förslaget "
    "till värden utan att vänta.",
    "proposed": "Värden behöver först svara på förslaget.",
    "accepted": "Överenskommelsen behöver undertecknas av alla parter först.",
    "declined": "Föreslå deltagaren för en annan plats i stället.",
    "withdrawn": "Gör ett nytt förslag om placeringen ska bli av.",
    "agreed": "Placeringen startar på startdagen.",
    "active": "Avsluta placeringen när den är klar.",
    "completed": "Placeringen är redan avslutad; registrera utfallet.",
    "interrupted": "Placeringen är redan avbruten; registrera utfallet.",
}


def illegal(status: str, action: str) -> Conflict:
    """The 409 for a transition the state machine does not allow, saying what to do instead."""
    return Conflict(
        f"Bokningen är {STATUS_TEXT.get(status, status)} och kan inte "
        f"{ACTION_TEXT.get(action, action)}. {WHAT_NOW.get(status, '')}".strip()
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def engine() -> Any:
    return Booking._meta.db


# --- access ----------------------------------------------------------------------------------


async def may_act_as_host(user: AuthUser, booking: dict[str, Any]) -> bool:
    """Host users of the slot's host, and staff (who act for any host)."""
    if user.is_staff:
        return True
    if user.role != "host":
        return False
    host_id = await _host_of_slot(int(booking["slot"]))
    return host_id in await host_ids_of(user)


async def _host_of_slot(slot_id: int) -> int:
    row = await Slot.select(Slot.host).where(Slot.id == slot_id).first()
    assert row is not None
    return int(row["host"])


async def booking_row_for(user: AuthUser, booking_id: int) -> dict[str, Any]:
    """The booking row if the caller may see it; NotFound otherwise (another org's too).

    Staff see bookings of the candidates they may see; host users see bookings on their
    organisations' slots (withdrawn proposals disappear from their view); analysts none.
    """
    row = await Booking.select().where(Booking.id == booking_id).first()
    if row is None:
        raise NotFound(BOOKING_NOT_FOUND)
    if user.is_staff:
        allowed = await visible_coordinator_ids(user)
        if allowed is None:
            return row
        owner = (
            await Candidate.select(Candidate.coordinator)
            .where(Candidate.id == row["candidate"])
            .first()
        )
        if owner is not None and owner["coordinator"] in allowed:
            return row
        raise NotFound(BOOKING_NOT_FOUND)
    if (
        user.role == "host"
        and row["status"] not in HIDDEN_FROM_HOST
        and await _host_of_slot(int(row["slot"])) in await host_ids_of(user)
    ):
        return row
    raise NotFound(BOOKING_NOT_FOUND)


OVERLAP_TEXT = (
    "Deltagaren har redan en placering under samma period. En deltagare kan inte ha två "
    "placeringar samtidigt."
)
CHANGED_MEANWHILE = "Bokningen ändrades av någon annan samtidigt. Ladda om sidan och försök igen."
# The PostgreSQL exclusion constraint against overlapping seat-holding placements of one
# participant (placements migration 2026-12-03T17:30:00).
NO_OVERLAP_CONSTRAINT = "pl_booking_no_overlap"


def _overlap_violation(exc: BaseException) -> bool:
    try:
        from asyncpg.exceptions import ExclusionViolationError
    except ImportError:  # pragma: no cover - asyncpg comes with piccolo[postgres]
        return False
    return isinstance(exc, ExclusionViolationError)


@contextlib.asynccontextmanager
async def placement_transaction() -> AsyncIterator[Any]:
    """`write_transaction` for writes that change a placement: the database's own guard
    against overlapping placements answers 409 in Swedish, never 500."""
    try:
        async with write_transaction(engine()) as txn:
            yield txn
    except Exception as exc:
        if _overlap_violation(exc):
            raise Conflict(OVERLAP_TEXT) from None
        raise


_FOR_UPDATE = {
    "pl_candidate": "SELECT id FROM pl_candidate WHERE id = {} FOR UPDATE",
    "emp_contact": "SELECT id FROM emp_contact WHERE id = {} FOR UPDATE",
    "pl_slot": "SELECT id FROM pl_slot WHERE id = {} FOR UPDATE",
    "pl_booking": "SELECT id FROM pl_booking WHERE id = {} FOR UPDATE",
}


async def _for_update(table: str, row_id: int) -> None:
    await Booking.raw(_FOR_UPDATE[table], row_id)


async def lock_placement(booking_id: int, *, new_supervisor: int | None = None) -> dict[str, Any]:
    """Inside a write transaction: lock every row that a placement's capacity and overlap
    checks depend on, and return the booking fresh. The one lock order for them all:

        participant → supervisor(s), by id → slot → booking

    Call it from every write that changes a booking's period, participant or supervisor, or
    makes it hold a seat (accept, agreement period change, start, end). `new_supervisor` is a
    supervisor the write is about to give the booking (accept takes the slot's). SQLite needs
    no row locks: `write_transaction` already serialises its writers.

    If the booking's participant, supervisor or slot changed between reading them and
    locking, the caller gets a 409 asking to try again (locking more now would break the
    order)."""
    head = (
        await Booking.select(Booking.slot, Booking.candidate, Booking.supervisor)
        .where(Booking.id == booking_id)
        .first()
    )
    if head is None:
        raise NotFound(BOOKING_NOT_FOUND)
    if not is_sqlite(engine()):
        await _for_update("pl_candidate", int(head["candidate"]))
        for contact_id in sorted({c for c in (head["supervisor"], new_supervisor) if c}):
            await _for_update("emp_contact", int(contact_id))
        await _for_update("pl_slot", int(head["slot"]))
        await _for_update("pl_booking", booking_id)
    row = await Booking.select().where(Booking.id == booking_id).first()
    assert row is not None
    if (row["slot"], row["candidate"], row["supervisor"]) != (
        head["slot"],
        head["candidate"],
        head["supervisor"],
    ):
        raise Conflict(CHANGED_MEANWHILE)
    return row


async def lock_booking(booking_id: int) -> dict[str, Any]:
    """Inside a write transaction: lock the slot, then the booking, and return it fresh (for
    writes that change neither period, participant nor supervisor; see `lock_placement`)."""
    head = await Booking.select(Booking.slot).where(Booking.id == booking_id).first()
    if head is None:
        raise NotFound(BOOKING_NOT_FOUND)
    if not is_sqlite(engine()):
        await Slot.raw("SELECT id FROM pl_slot WHERE id = {} FOR UPDATE", head["slot"])
        await Booking.raw("SELECT id FROM pl_booking WHERE id = {} FOR UPDATE", booking_id)
    row = await Booking.select().where(Booking.id == booking_id).first()
    assert row is not None
    return row


# --- output ----------------------------------------------------------------------------------


async def booking_out(row: dict[str, Any], *, with_events: bool = False) -> schemas.Booking:
    slot = (
        await Slot.select(Slot.title, Slot.host, Slot.host.name.as_alias("host_name"))
        .where(Slot.id == row["slot"])
        .first()
    )
    assert slot is not None
    candidate = (
        await Candidate.select(Candidate.first_name, Candidate.last_name)
        .where(Candidate.id == row["candidate"])
        .first()
    )
    assert candidate is not None
    supervisor = ""
    if row["supervisor"] is not None:
        contact = await Contact.select(Contact.name).where(Contact.id == row["supervisor"]).first()
        supervisor = contact["name"] if contact else ""
    events: list[schemas.BookingEvent] = []
    if with_events:
        rows = (
            await BookingEvent.select()
            .where(BookingEvent.booking == row["id"])
            .order_by(BookingEvent.at)
            .order_by(BookingEvent.id)
        )
        events = [
            schemas.BookingEvent(
                at=e["at"],
                actor=e["actor_label"],
                from_status=e["from_status"],
                to_status=e["to_status"],
                note=e["note"],
                to_status_text=STATUS_TEXT.get(e["to_status"], e["to_status"]),
            )
            for e in rows
        ]
    return schemas.Booking(
        id=row["id"],
        status=row["status"],
        status_text=STATUS_TEXT.get(row["status"], row["status"]),
        slot_id=row["slot"],
        slot_title=slot["title"],
        host_id=slot["host"],
        host_name=slot["host_name"] or "",
        participant=schemas.Participant(id=row["candidate"], name=display_name(candidate)),
        coordinator_id=row["coordinator"],
        supervisor_id=row["supervisor"],
        supervisor_name=supervisor,
        message=row["message"],
        decline_reason=row["decline_reason"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        proposed_at=row["proposed_at"],
        decided_at=row["decided_at"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        events=events,
    )


async def get_booking_for(user: AuthUser, booking_id: int) -> schemas.Booking:
    """One booking with its timeline, if the caller may see it; the read is audited."""
    async with write_transaction(engine()):
        row = await booking_row_for(user, booking_id)
        await record(user, "booking.read", row["candidate"], detail=f"bokning {booking_id}")
        return await booking_out(row, with_events=True)


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
    async with write_transaction(engine()):
        where: list[Any] = []
        if user.is_staff:
            allowed = await visible_coordinator_ids(user)
            if allowed is not None:
                where.append(Booking.candidate.coordinator.is_in(allowed or [0]))
        elif user.role == "host":
            where.append(Booking.slot.host.is_in(await host_ids_of(user) or [0]))
            where.append(Booking.status.not_in(list(HIDDEN_FROM_HOST)))
        else:
            raise Forbidden("Din roll ser inga bokningar.")
        if status:
            where.append(Booking.status == status)
        if slot_id is not None:
            where.append(Booking.slot == slot_id)
        if candidate_id is not None:
            where.append(Booking.candidate == candidate_id)
        query = Booking.select()
        count = Booking.count()
        for clause in where:
            query = query.where(clause)
            count = count.where(clause)
        rows = (
            await query.order_by(Booking.proposed_at, ascending=False)
            .order_by(Booking.id, ascending=False)
            .limit(limit)
            .offset(offset)
        )
        total = await count
        for candidate in sorted({r["candidate"] for r in rows}):
            await record(user, "booking.list", candidate)
        return schemas.BookingPage(
            total=total,
            limit=limit,
            offset=offset,
            items=[await booking_out(r) for r in rows],
        )


# --- notifications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """One person a booking mail goes to, and what that person may open.

    `path` is the page of this booking the recipient can open (the host portal for host
    users, the workbench for staff); None for a party without an account, whose mail
    carries their own link in the text or none at all. Only `staff` recipients are told
    the participant's first name.
    """

    email: str
    user_id: int | None = None
    path: str | None = None
    staff: bool = False


def host_booking_path(booking_id: int) -> str:
    return f"/vard/bokningar/{booking_id}"


def staff_booking_path(booking_id: int) -> str:
    return f"/arbetsbord/bokningar/{booking_id}"


async def host_user_recipients(slot_id: int, booking_id: int | None = None) -> list[Recipient]:
    """The active host users of the slot's organisation, linked to the booking's page in
    the host portal."""
    host_id = await _host_of_slot(slot_id)
    rows = await HostMembership.select(
        HostMembership.user.email.as_alias("email"),
        HostMembership.user.id.as_alias("uid"),
        HostMembership.user.active.as_alias("active"),
    ).where(HostMembership.host == host_id)
    path = host_booking_path(booking_id) if booking_id is not None else "/vard"
    return [Recipient(r["email"], int(r["uid"]), path) for r in rows if r["email"] and r["active"]]


async def coordinator_recipients(booking: dict[str, Any]) -> list[Recipient]:
    """The booking's coordinator, linked to the booking's page on the workbench."""
    if booking["coordinator"] is None:
        return []
    row = await User.select(User.email, User.id).where(User.id == booking["coordinator"]).first()
    if not row or not row["email"]:
        return []
    return [Recipient(row["email"], int(row["id"]), staff_booking_path(booking["id"]), True)]


async def supervisor_recipient(
    contact_id: int | None, booking: dict[str, Any] | None = None
) -> list[Recipient]:
    """The supervisor. One who also signs in as a user of the booking's host gets the host
    portal page; one without an account gets no page link (they only have their own)."""
    if contact_id is None:
        return []
    row = await Contact.select(Contact.email, Contact.host).where(Contact.id == contact_id).first()
    if not row or not row["email"]:
        return []
    if booking is not None:
        member = (
            await HostMembership.select(HostMembership.user.id.as_alias("uid"))
            .where(
                (HostMembership.host == row["host"])
                & (HostMembership.user.email == row["email"])
                & (HostMembership.user.active == True)  # noqa: E712
            )
            .first()
        )
        if member is not None:
            return [Recipient(row["email"], int(member["uid"]), host_booking_path(booking["id"]))]
    return [Recipient(row["email"])]


async def placement_words(booking_id: int) -> dict[str, Any]:
    """What a mail names a placement by: the slot's title, the host's name, the period and
    the participant's first name (told to staff only)."""
    row = (
        await Booking.select(
            Booking.candidate,
            Booking.start_date,
            Booking.end_date,
            Booking.slot.title.as_alias("title"),
            Booking.slot._.host._.name.as_alias("host_name"),
            Booking.candidate.first_name.as_alias("first_name"),
        )
        .where(Booking.id == booking_id)
        .first()
    )
    if row is None:
        return {"candidate": None, "title": "", "host": "", "period": "", "first_name": ""}
    period = (
        f"{row['start_date']} – {row['end_date']}" if row["start_date"] and row["end_date"] else ""
    )
    return {
        "candidate": row["candidate"],
        "title": row["title"] or "",
        "host": row["host_name"] or "",
        "period": period,
        "first_name": row["first_name"] or "",
    }


def place_name(words: dict[str, Any]) -> str:
    """“Lagerarbetare” hos Vårgårda Bygg AB: the placement, in words, for any recipient."""
    return f"”{words['title']}” hos {words['host']}" if words["host"] else f"”{words['title']}”"


async def notify(
    recipients: Iterable[Recipient],
    subject: str,
    body: str,
    *,
    kind: str,
    booking_id: int,
    action: str = "Öppna bokningen",
) -> None:
    """Queue one mail per recipient. The mail names the placement in words (the slot and
    the host, the period, and the participant's first name for staff only) and links each
    recipient straight to the booking's page they can open. Mail never carries a
    personnummer or health data; access is checked on the page."""
    seen: set[str] = set()
    words = await placement_words(booking_id)
    place = place_name(words)
    for recipient in recipients:
        key = recipient.email.strip().casefold()
        if key in seen:
            continue
        seen.add(key)
        lines = [body.rstrip("\n"), "", f"Plats: {place}"]
        if words["period"]:
            lines.append(f"Period: {words['period']}")
        if recipient.staff and words["first_name"]:
            lines.append(f"Deltagare: {words['first_name']}")
        meta: dict[str, Any] = {"booking_id": booking_id}
        if recipient.path:
            url = service_link(recipient.path)
            lines.append(f"{action}: {url}")
            meta["link"] = url
        await queue_mail(
            recipient.email,
            f"{subject}: {place}",
            "\n".join(lines) + "\n",
            kind=kind,
            recipient_user_id=recipient.user_id,
            candidate_id=words["candidate"],
            meta=meta,
        )


def service_link(path: str) -> str:
    return f"{get_settings().base_url}{path}"


# --- transitions -----------------------------------------------------------------------------


# A role as a page names it, after the person's name in the timeline and on signatures.
ROLE_TEXT = {
    "coordinator": "samordnare",
    "admin": "administratör",
    "host": "värd",
    "analyst": "analytiker",
}


def actor_label(user: AuthUser | None, fallback: str = "systemet") -> str:
    return f"{user.name} ({ROLE_TEXT.get(user.role, user.role)})" if user else fallback


async def transition(
    booking: dict[str, Any],
    to_status: str,
    actor: AuthUser | None,
    *,
    note: str = "",
    label: str | None = None,
    changes: dict[Any, Any] | None = None,
) -> None:
    """Move a locked booking to `to_status`: the row, its event, the audit row, the marker.
    A move the state graph lacks (`booking_states.EDGES`) is refused with a 409."""
    if not booking_states.is_edge(booking["status"], to_status):
        before = booking["status"]
        raise Conflict(
            f"Bokningen är {STATUS_TEXT.get(before, before)} och kan inte bli "
            f"{STATUS_TEXT.get(to_status, to_status)}. {WHAT_NOW.get(before, '')}".strip()
        )
    stamp = now()
    values: dict[Any, Any] = {Booking.status: to_status, Booking.updated_at: stamp}
    values.update(changes or {})
    await Booking.update(values).where(Booking.id == booking["id"])
    await BookingEvent.insert(
        BookingEvent(
            booking=booking["id"],
            at=stamp,
            actor_id=actor.id if actor else None,
            actor_label=label or actor_label(actor),
            from_status=booking["status"],
            to_status=to_status,
            note=note[:2000],
        )
    )
    await record(
        actor,
        f"booking.{to_status}",
        booking["candidate"],
        detail=f"bokning {booking['id']}: {booking['status']} → {to_status}",
    )
    await bump_slot_change(int(booking["slot"]))
    booking["status"] = to_status


async def _warn_if_full(slot: dict[str, Any], start: dt.date, end: dt.date) -> None:
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


class CapacityWarning(Conflict):
    """A proposal the host could not accept as it stands; sent only once confirmed."""

    def __init__(self, message: str, *, suggestion: tuple[dt.date, dt.date] | None) -> None:
        super().__init__(message, fields=["confirm_capacity"])
        self.suggestion = suggestion


async def propose(user: AuthUser, data: schemas.BookingCreate) -> schemas.Booking:
    """A coordinator proposes a participant for a published slot; the host users are told."""
    if not user.is_staff:
        raise Forbidden("Bara samordnare kan föreslå deltagare.")
    async with write_transaction(engine()):
        candidate = await Candidate.select().where(Candidate.id == data.candidate_id).first()
        allowed = await visible_coordinator_ids(user)
        if candidate is None or (allowed is not None and candidate["coordinator"] not in allowed):
            raise NotFound("Deltagaren finns inte, eller så har du inte tillgång till hen.")
        if candidate["status"] != "active":
            raise Conflict(
                "Deltagarens ärende är inte aktivt. Återaktivera ärendet innan du föreslår en plats."
            )
        slot = await Slot.select().where(Slot.id == data.slot_id).first()
        if slot is None:
            raise NotFound("Platsen finns inte.")
        if slot["status"] != "published":
            raise Conflict("Platsen är inte publicerad och tar inte emot förslag just nu.")
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
        date_rules.check(
            "proposal", {"start_date": start, "end_date": end}, today=today, extra=outside
        )
        if await Booking.exists().where(
            (Booking.slot == slot["id"])
            & (Booking.candidate == candidate["id"])
            & Booking.status.is_in([booking_states.AWAITING, "proposed", *SEAT_HOLDING])
        ):
            raise Conflict("Deltagaren är redan föreslagen för den här platsen.")
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
                actor_label=actor_label(user),
                from_status="",
                to_status=status,
                note=data.message[:2000],
            )
        )
        await record(user, f"booking.{status}", candidate["id"], detail=f"bokning {booking_id}")
        if status == "proposed":
            await tell_host_of_proposal(booking_id)
        row = await Booking.select().where(Booking.id == booking_id).first()
        assert row is not None
        return await booking_out(row, with_events=True)


async def tell_host_of_proposal(booking_id: int) -> None:
    """The host hears of a proposal: its users by mail, linked to the portal; a host whose
    users do not sign in gets single-use answer links (contact person and supervisor).
    Called when a proposal is made, or when one the participant answered first is sent on."""
    from placements.services import answers

    booking = (
        await Booking.select(Booking.slot, Booking.start_date, Booking.end_date)
        .where(Booking.id == booking_id)
        .first()
    )
    assert booking is not None
    slot = await Slot.select().where(Slot.id == booking["slot"]).first()
    assert slot is not None
    host_users = await host_user_recipients(slot["id"], booking_id)
    await notify(
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
        await answers.send_proposal_links(booking_id, slot)


async def send_to_host(user: AuthUser, booking_id: int, note: str = "") -> schemas.Booking:
    """The coordinator sends a proposal the participant answers first on to the host without
    waiting for the answer; the host is told as of any proposal."""
    if not user.is_staff:
        raise NotFound(BOOKING_NOT_FOUND)
    async with write_transaction(engine()):
        await booking_row_for(user, booking_id)
        booking = await lock_booking(booking_id)
        await move(
            booking,
            "send_to_host",
            user,
            note=note or "Skickat till värden utan att vänta på deltagarens svar.",
        )
        return await _fresh(booking_id)


async def move(
    booking: dict[str, Any],
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
        raise illegal(before, action)
    after = booking_states.next_status(action, before)
    if after == before:
        return after
    await transition(booking, after, actor, note=note, label=label)
    if before == booking_states.AWAITING and after == "proposed":
        await tell_host_of_proposal(int(booking["id"]))
    return after


async def _overlapping(where: Any, start: dt.date, end: dt.date, exclude: int) -> int:
    rows = await Booking.select(Booking.start_date, Booking.end_date).where(
        where & Booking.status.is_in(list(SEAT_HOLDING)) & (Booking.id != exclude)
    )
    return sum(1 for r in rows if overlaps(r["start_date"], r["end_date"], start, end))


NO_SUPERVISOR = "Platsen saknar handledare. Välj en av organisationens handledare."


async def accept(
    user: AuthUser, booking_id: int, choice: schemas.AcceptRequest | None = None
) -> schemas.Booking:
    """The host accepts a proposal (see `accept_locked`): with the slot's supervisor, or
    another of the host's who has room, for the proposed period or another inside the
    slot's dates. Drafts the agreement and tells the coordinator."""
    async with placement_transaction():
        visible = await booking_row_for(user, booking_id)
        if not await may_act_as_host(user, visible):
            raise NotFound(BOOKING_NOT_FOUND)
        await accept_locked(booking_id, user, choice or schemas.AcceptRequest())
        return await _fresh(booking_id)


def _accepted_period(
    booking: dict[str, Any], slot: dict[str, Any], choice: schemas.AcceptRequest
) -> tuple[dt.date, dt.date]:
    """The period the host accepts: the proposed one, or the one the host proposes instead
    (inside the slot's dates, not starting in the past, and not ending before it starts)."""
    start = choice.start_date or booking["start_date"]
    end = choice.end_date or booking["end_date"]
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
) -> dict[str, Any]:
    """Inside `placement_transaction`: accept a proposal and return the accepted row.

    Holds under concurrency: the seat, the supervisor's supervision capacity and the
    participant's other placements are checked with the participant, supervisor, slot and
    booking rows locked (`lock_placement`). A refusal names the field to change and what
    would fit: another supervisor with room, or the earliest period with room. `actor` is
    None for an answer through a link, named then by `label`."""
    from placements.services.agreements import draft_agreement
    from placements.services.slots import booking_refusal

    head = await Booking.select(Booking.slot).where(Booking.id == booking_id).first()
    if head is None:
        raise NotFound(BOOKING_NOT_FOUND)
    slot_head = await Slot.select(Slot.supervisor).where(Slot.id == head["slot"]).first()
    assert slot_head is not None
    supervisor_id = choice.supervisor_id or slot_head["supervisor"]
    booking = await lock_placement(booking_id, new_supervisor=supervisor_id)
    if not booking_states.can("accept", booking["status"]):
        raise illegal(booking["status"], "accept")
    slot = await Slot.select().where(Slot.id == booking["slot"]).first()
    assert slot is not None
    if choice.supervisor_id is None and slot["supervisor"] != slot_head["supervisor"]:
        raise Conflict(CHANGED_MEANWHILE)
    start, end = _accepted_period(booking, slot, choice)
    refusal = await booking_refusal(slot["id"], supervisor_id=supervisor_id)
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
    taken = await _overlapping(Booking.slot == slot["id"], start, end, booking_id)
    if taken >= slot["capacity"]:
        room = await capacity.room_for(slot, start, end, booking_id)
        raise Conflict(
            f"Platsen har ingen ledig plats under perioden {period}. "
            f"{capacity.suggestion_text(room)} Föreslå en annan period, eller avböj förslaget.",
            fields=["start_date"],
        )
    guided = await _overlapping(Booking.supervisor == supervisor_id, start, end, booking_id)
    if guided >= contact["supervision_capacity"]:
        room = await capacity.room_for(slot, start, end, booking_id)
        others = [s.name for s in room.supervisors if s.has_room and s.id != supervisor_id]
        instead = (
            f"Välj en annan handledare med plats: {', '.join(others)}."
            if others
            else "Ingen annan handledare hos er har plats under perioden. "
            f"{capacity.suggestion_text(room)} Föreslå en annan period, eller avböj förslaget."
        )
        raise Conflict(
            f"Handledaren {contact['name']} handleder redan så många deltagare som hen har "
            f"plats för under perioden {period}. {instead}",
            fields=["supervisor_id"],
        )
    if await _overlapping(Booking.candidate == booking["candidate"], start, end, booking_id):
        raise Conflict(OVERLAP_TEXT, fields=["start_date"])
    changes = _accept_changes(booking, slot, supervisor_id, contact["name"], start, end)
    await transition(
        booking,
        "accepted",
        actor,
        label=label,
        note="\n".join(p for p in (note, *changes) if p),
        changes={
            Booking.decided_at: now(),
            Booking.supervisor: supervisor_id,
            Booking.start_date: start,
            Booking.end_date: end,
        },
    )
    booking.update(supervisor=supervisor_id, start_date=start, end_date=end)
    await draft_agreement(booking, actor)
    await notify(
        await coordinator_recipients(booking),
        "Förslaget är accepterat",
        f"Hej!\n\nVärden har accepterat förslaget till platsen ”{slot['title']}”. "
        + "".join(f"{c} " for c in changes)
        + "Gå igenom överenskommelsen och skicka den för underskrift.",
        kind="booking.accepted",
        booking_id=booking_id,
    )
    return booking


def _accept_changes(
    booking: dict[str, Any],
    slot: dict[str, Any],
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
    async with write_transaction(engine()):
        visible = await booking_row_for(user, booking_id)
        if not await may_act_as_host(user, visible):
            raise NotFound(BOOKING_NOT_FOUND)
        await decline_locked(booking_id, user, reason)
        return await _fresh(booking_id)


async def decline_locked(
    booking_id: int,
    actor: AuthUser | None,
    reason: str,
    *,
    label: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    """Inside a write transaction: lock and decline a proposal with the host's reason, and
    tell the coordinator. `actor` is None for an answer through a link, named by `label`."""
    booking = await lock_booking(booking_id)
    if not booking_states.can("decline", booking["status"]):
        raise illegal(booking["status"], "decline")
    await transition(
        booking,
        "declined",
        actor,
        label=label,
        note=note or reason,
        changes={Booking.decided_at: now(), Booking.decline_reason: reason},
    )
    await notify(
        await coordinator_recipients(booking),
        "Förslaget har avböjts",
        f"Hej!\n\nVärden avböjde förslaget. Skäl: {reason}\n\n"
        "Hitta en annan plats åt deltagaren från bokningens sida.",
        kind="booking.declined",
        booking_id=booking_id,
    )
    return booking


async def _fresh(booking_id: int) -> schemas.Booking:
    row = await Booking.select().where(Booking.id == booking_id).first()
    assert row is not None
    return await booking_out(row, with_events=True)


async def withdraw(user: AuthUser, booking_id: int, reason: str = "") -> schemas.Booking:
    """The coordinator withdraws a booking before it is active; the host users are told."""
    from placements.services import answers

    if not user.is_staff:
        raise NotFound(BOOKING_NOT_FOUND)
    async with write_transaction(engine()):
        await booking_row_for(user, booking_id)
        booking = await lock_booking(booking_id)
        before = booking["status"]
        await move(booking, "withdraw", user, note=reason)
        await Agreement.update({Agreement.status: "cancelled"}).where(
            (Agreement.booking == booking_id) & (Agreement.status != "superseded")
        )
        if before in booking_states.UNSEEN_BY_HOST:
            return await _fresh(booking_id)  # the host never heard of it: nothing to tell
        await notify(
            [
                # A withdrawn booking leaves the host's view: the portal's start page.
                *(await host_user_recipients(booking["slot"])),
                *(await supervisor_recipient(booking["supervisor"])),
                # Whoever was mailed a link to answer (a host without users).
                *(await answers.open_link_recipients(booking_id)),
            ],
            "Förslaget har återkallats",
            "Hej!\n\nSamordnaren har återkallat förslaget. Platsen är ledig igen."
            f"{(' Skäl: ' + reason) if reason else ''}",
            kind="booking.withdrawn",
            booking_id=booking_id,
            action="Se era platser och förslag",
        )
        return await _fresh(booking_id)


async def fully_signed(booking_id: int) -> bool:
    """True when the booking's current agreement version carries every party's signature."""
    agreement = (
        await Agreement.select(Agreement.id)
        .where((Agreement.booking == booking_id) & (Agreement.status != "superseded"))
        .order_by(Agreement.version, ascending=False)
        .first()
    )
    if agreement is None:
        return False
    rows = await Signature.select(Signature.party, Signature.signed_at).where(
        Signature.agreement == agreement["id"]
    )
    signed = {r["party"] for r in rows if r["signed_at"] is not None}
    return signed >= set(PARTIES)


async def _start_locked(
    booking: dict[str, Any], actor: AuthUser | None, today: dt.date | None = None
) -> None:
    if not booking_states.can("start", booking["status"]):
        raise illegal(booking["status"], "start")
    # Started on or after the start date, never before (the date table).
    date_rules.check("start", {"start_date": booking["start_date"]}, today=today)
    if not await fully_signed(booking["id"]):
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
    await transition(
        booking,
        "active",
        actor,
        label=None if actor else "systemet (startdag)",
        changes={Booking.started_at: now()},
    )
    recipients = [
        *(await coordinator_recipients(booking)),
        *(await supervisor_recipient(booking["supervisor"], booking)),
    ]
    await notify(
        recipients,
        "Placeringen har startat",
        f"Hej!\n\nPlaceringen har startat {booking['start_date']}. "
        f"Planerat slut: {booking['end_date']}.",
        kind="booking.active",
        booking_id=booking["id"],
    )


def actual_start_of(booking: dict[str, Any]) -> dt.date | None:
    """The day a placement really started: its start date, or the day it was started when
    that was earlier."""
    start_date: dt.date | None = booking["start_date"]
    started = clock.local_date(booking["started_at"]) if booking.get("started_at") else None
    if started and start_date:
        return min(started, start_date)
    return started or start_date


async def start(user: AuthUser, booking_id: int) -> schemas.Booking:
    """Start an agreed placement now (the host or the coordinator)."""
    async with placement_transaction():
        visible = await booking_row_for(user, booking_id)
        if not await may_act_as_host(user, visible):
            raise NotFound(BOOKING_NOT_FOUND)
        booking = await lock_placement(booking_id)
        await _start_locked(booking, user)
        return await _fresh(booking_id)


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
                async with placement_transaction():
                    booking = await lock_placement(int(row["id"]))
                    if not booking_states.can("start", booking["status"]) or not (
                        await fully_signed(booking["id"])
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
    outcome, and the supervisor gets a link to the end-of-placement assessment."""
    from placements.services.outcomes import send_assessment_link

    if result not in ("completed", "interrupted"):
        raise ValidationFailed(
            "Ange hur placeringen slutade: genomförd (completed) eller avbruten (interrupted).",
            fields=["result"],
        )
    async with placement_transaction():
        visible = await booking_row_for(user, booking_id)
        if not await may_act_as_host(user, visible):
            raise NotFound(BOOKING_NOT_FOUND)
        booking = await lock_placement(booking_id)
        if not booking_states.can(booking_states.end_action(result), booking["status"]):
            raise illegal(booking["status"], "end")
        ended_on = end_date or clock.today()
        actual_start = actual_start_of(booking)
        date_rules.check("end", {"end_date": ended_on}, {"actual_start": actual_start})
        changes: dict[Any, Any] = {Booking.ended_at: now(), Booking.end_date: ended_on}
        if booking["start_date"] and actual_start and actual_start < booking["start_date"]:
            # Started before its start date (allowed before the date table): the period
            # becomes what really happened, so that it never ends before it starts.
            changes[Booking.start_date] = actual_start
        await transition(booking, result, user, note=reason, changes=changes)
        await notify(
            await coordinator_recipients(booking),
            "Placeringen är avslutad – registrera utfallet",
            f"Hej!\n\nPlaceringen är {STATUS_TEXT[result]} ({ended_on}). Registrera "
            "deltagarens utfall på bokningens sida.",
            kind=f"booking.{result}",
            booking_id=booking_id,
        )
        await send_assessment_link(booking)
        return await _fresh(booking_id)
