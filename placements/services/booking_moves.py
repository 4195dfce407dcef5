"""A booking's status change as one write (`transition`): the row, its event in the
timeline, the audit row and the slot's change marker; and the Swedish 409 (`illegal`) for a
move the state table (`placements.booking_states`) does not allow, saying what to do instead.
"""

from __future__ import annotations

from typing import Any

from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.errors import Conflict
from placements import booking_states
from placements.rows import BookingRow
from placements.services import bump_slot_change
from placements.services.booking_access import STATUS_TEXT, now
from placements.tables import Booking, BookingEvent

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


# A role as a page names it, after the person's name in the timeline and on signatures.
ROLE_TEXT = {
    "coordinator": "samordnare",
    "admin": "administratör",
    "host": "värd",
    "analyst": "analytiker",
}


def actor_label(user: AuthUser | None, fallback: str = "systemet") -> str:
    return f"{user.name} ({ROLE_TEXT.get(user.role, user.role)})" if user else fallback


async def note_event(user: AuthUser, booking: BookingRow, note: str) -> None:
    """A line in the booking's timeline ("Händelser") whose status stays: an outcome recorded
    or corrected, a week's attendance replaced or withdrawn with the figures it held. What
    staff wrote there is never the host's to read (`HostReading`)."""
    await BookingEvent.insert(
        BookingEvent(
            booking=booking["id"],
            actor_id=user.id,
            actor_label=actor_label(user),
            from_status=booking["status"],
            to_status=booking["status"],
            note=note[:2000],
        )
    )


async def transition(
    booking: BookingRow,
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
