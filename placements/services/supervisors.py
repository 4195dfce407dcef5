"""Changing a placement's supervisor (handledare) after the host accepted.

A supervisor who leaves, falls ill or is ended as a contact must not leave the placement
waiting for them: the host (or staff, acting for it) chooses another active supervisor of the
host who has room during the placement's period.

- Before the placement starts (accepted, agreed), the agreement names the supervisor: it is
  changed as any other field is (`agreement_versions.write_change`): unsigned, in place, and the
  old supervisor's signing link stops working (if one had gone out, the new supervisor gets a
  link of their own at once); signed by anyone, a new version that every party signs again.
- While it runs (active), the signed agreement stays as it was signed; the booking's supervisor
  is the one who reports attendance and assesses from now on, and the timeline says who took
  over from whom.

The write locks what an accept locks (`booking_access.lock_placement`), so that two changes,
or a change and an accept, cannot both take a supervisor's last place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from employers.services.contacts import Holding
from employers.tables import Contact
from marketplace.kernel import clock
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import swedish_order
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from placements import booking_states
from placements.rows import BookingRow
from placements.schemas import bookings as schemas
from placements.services import (
    agreement_versions,
    agreements,
    booking_access,
    booking_mail,
    booking_moves,
    bump_slot_change,
    bump_slot_changes,
    capacity,
)
from placements.tables import Booking, BookingEvent, Signature, Slot
from placements.vocabulary import BOOKING_STATUS_LABELS, SLOT_STATUS_LABELS

# The statuses in which a booking has a supervisor who may be replaced.
CHANGEABLE = ("accepted", "agreed", "active")
NOT_NOW = (
    "Handledaren kan bytas från det att värden har accepterat förslaget tills placeringen är "
    "avslutad."
)
SAME = "Den handledaren har redan placeringen. Välj en annan handledare i listan."
NOT_A_SUPERVISOR = "Välj en av värdens aktiva handledare i listan."


@dataclass(frozen=True)
class ChangeOptions:
    """What the booking page offers: the current supervisor, whether they still supervise
    at the host (an ended contact leaves the placement without one), and the others."""

    current: str
    current_active: bool
    choices: list[capacity.SupervisorLoad]
    # A change now voids signatures given (`voids_signatures`): the page asks for a tick first.
    voids_signatures: bool = False
    # The supervisor the signed agreement names when another took over a running placement
    # ("" when it names the current one): the page says so rather than let the two disagree.
    signed_names: str = ""

    @property
    def options(self) -> list[tuple[int, str]]:
        """The choices as a select lists them: who, and their room during the period."""
        return [
            (
                s.id,
                f"{s.name} – "
                + (f"plats för {s.free} till" if s.has_room else "fullbokad under perioden"),
            )
            for s in self.choices
        ]


async def change_options(user: AuthUser, booking_id: int) -> ChangeOptions | None:
    """The supervisors the caller may give the booking instead of its own, with their room
    during the placement's period (this placement not counted); None when the booking's
    status lets no one change it or the caller may not act for the host."""
    booking = await booking_access.booking_row_for(user, booking_id)
    if booking["status"] not in CHANGEABLE or not await booking_access.may_act_as_host(
        user, booking
    ):
        return None
    host_id = await booking_access.host_of_slot(int(booking["slot"]))
    loads = await capacity.supervisor_loads(
        host_id, booking["start_date"], booking["end_date"], int(booking["id"])
    )
    agreement = await agreement_versions.current_agreement_row(int(booking["id"]))
    named = agreement["supervisor"] if agreement is not None else None
    return ChangeOptions(
        current=await _name(booking["supervisor"]),
        # Still one of the host's active supervisors (`supervisor_loads` lists only those).
        current_active=any(s.id == booking["supervisor"] for s in loads),
        choices=[s for s in loads if s.id != booking["supervisor"]],
        voids_signatures=await voids_signatures(booking),
        signed_names=await _name(named) if named and named != booking["supervisor"] else "",
    )


RESIGN_UNCONFIRMED = (
    "Kryssa i rutan ”Ja, jag vill byta handledare” för att byta. Någon har redan skrivit "
    "under överenskommelsen: med en ny handledare blir den en ny version som alla parter "
    "behöver skriva under igen, också deltagaren."
)


async def signatures_voided(booking: BookingRow) -> list[tuple[str, dt.datetime]]:
    """The signatures (party, when signed) that changing the supervisor now voids, in the
    parties' order: before the start the agreement names the supervisor, and a change after
    anyone signed is a new version that every party signs again (an agreed placement is then
    accepted again until they have). Empty when the change voids none."""
    if booking["status"] not in booking_states.EDITABLE:
        return []
    agreement = await agreement_versions.current_agreement_row(int(booking["id"]))
    if agreement is None:
        return []
    rows = await Signature.select(Signature.party, Signature.signed_at).where(
        (Signature.agreement == agreement["id"]) & Signature.signed_at.is_not_null()
    )
    order = list(agreements.PARTY_LABEL)
    found = [(r["party"], r["signed_at"]) for r in rows]
    return sorted(found, key=lambda s: order.index(s[0]) if s[0] in order else len(order))


async def voids_signatures(booking: BookingRow) -> bool:
    """Whether changing the supervisor now voids signatures (`signatures_voided`)."""
    return bool(await signatures_voided(booking))


def resign_conflict(voided: list[tuple[str, dt.datetime]]) -> Conflict:
    """The refusal (409, `confirm_resign`) of a change that would void `voided` without the
    change being confirmed: the JSON API asked nothing before (the page has its box), and
    signatures given were voided silently. Names whose signatures would be voided."""
    named = ", ".join(
        f"{agreements.PARTY_LABEL.get(party, party)} ({clock.local_date(at).isoformat()})"
        for party, at in voided
    )
    return Conflict(
        "Bytet av handledare gör överenskommelsen till en ny version, och underskrifterna som "
        f"redan finns slutar gälla: {named}. Alla parter behöver då skriva under igen, också "
        "deltagaren. Bekräfta bytet (”Ja, jag vill byta handledare”) för att byta ändå.",
        fields=["confirm_resign"],
    )


async def without_supervisor(bookings: Sequence[schemas.Booking]) -> set[int]:
    """The ids of those bookings whose supervisor is gone: none, or a contact who was ended
    or no longer supervises (the host's lists mark them, so that no placement waits)."""
    ids = {b.supervisor_id for b in bookings if b.supervisor_id is not None}
    supervising = {
        int(r["id"])
        for r in (
            await Contact.select(Contact.id).where(
                Contact.id.is_in(sorted(ids))
                & (Contact.active == True)  # noqa: E712 - Piccolo needs ==
                & (Contact.is_supervisor == True)  # noqa: E712
            )
            if ids
            else []
        )
    }
    return {b.id for b in bookings if b.supervisor_id not in supervising}


async def change_supervisor(
    user: AuthUser, booking_id: int, contact_id: int, *, confirm_resign: bool = False
) -> schemas.Booking:
    """Give the booking another supervisor (see the module's docstring). The new supervisor
    must be an active supervisor of the slot's host with room during the period; the
    coordinator, the host's users and the new supervisor are told. A change that voids
    signatures given is made only when `confirm_resign` (`resign_conflict` otherwise),
    checked under the lock, so that a signature given meanwhile is asked about too."""
    async with booking_access.placement_transaction():
        visible = await booking_access.booking_row_for(user, booking_id)
        if not await booking_access.may_act_as_host(user, visible):
            raise NotFound(booking_access.BOOKING_NOT_FOUND)
        booking = await booking_access.lock_placement(booking_id, new_supervisor=contact_id)
        if booking["status"] not in CHANGEABLE:
            raise Conflict(NOT_NOW)
        if contact_id == booking["supervisor"]:
            raise ValidationFailed(SAME, fields=["supervisor_id"])
        if not confirm_resign and (voided := await signatures_voided(booking)):
            raise resign_conflict(voided)
        start, end = booking["start_date"], booking["end_date"]
        # The host's active supervisors with their room, as the page lists them.
        host_id = await booking_access.host_of_slot(int(booking["slot"]))
        loads = await capacity.supervisor_loads(host_id, start, end, booking_id)
        new = next((s for s in loads if s.id == contact_id), None)
        if new is None:
            raise ValidationFailed(NOT_A_SUPERVISOR, fields=["supervisor_id"])
        if not new.has_room:
            raise ValidationFailed(
                f"{new.name} har inte plats för fler deltagare under perioden "
                f"{capacity.period_text(start, end)}. Välj en annan handledare, eller ge "
                f"{new.name} fler platser under Kontakter och handledare.",
                fields=["supervisor_id"],
            )
        old_name = await _name(booking["supervisor"])
        await Booking.update(
            {Booking.supervisor: contact_id, Booking.updated_at: booking_access.now()}
        ).where(Booking.id == booking_id)
        link_was_sent = False
        if booking["status"] in booking_states.EDITABLE:
            link_was_sent = await _change_agreement(user, booking, contact_id)
        note = (
            f"Handledaren byttes från {old_name} till {new.name}."
            if old_name
            else f"{new.name} blev handledare."
        )
        await BookingEvent.insert(
            BookingEvent(
                booking=booking_id,
                at=booking_access.now(),
                actor_id=user.id,
                actor_label=booking_moves.actor_label(user),
                from_status=booking["status"],
                to_status=booking["status"],
                note=note,
            )
        )
        await record(
            user,
            "booking.supervisor",
            booking["candidate"],
            detail=f"bokning {booking_id}: handledare {booking['supervisor']} → {contact_id}",
        )
        await bump_slot_change(int(booking["slot"]))
        fresh = await booking_access.booking_row(booking_id)
        assert fresh is not None
        active = booking["status"] == "active"
        await booking_mail.notify(
            [
                *(await booking_mail.coordinator_recipients(fresh)),
                *(await booking_mail.host_user_recipients(fresh["slot"], booking_id)),
                *(await booking_mail.supervisor_recipient(contact_id, fresh)),
            ],
            "Placeringen har fått en ny handledare",
            f"Hej!\n\n{note} "
            + (
                "Den nya handledaren rapporterar närvaron och gör bedömningen när "
                "placeringen är slut."
                if active
                else "Överenskommelsen anger nu den nya handledaren, som skriver under den."
            ),
            kind="booking.supervisor",
            booking_id=booking_id,
            actor=user,
        )
        out = await booking_access.booking_out(fresh, user, with_events=True)
    if link_was_sent:
        # The old supervisor had a link to sign: the new one gets theirs, unasked.
        await agreements.send_supervisor_link(user, booking_id)
    return out


async def _change_agreement(user: AuthUser, booking: BookingRow, contact_id: int) -> bool:
    """The agreement names the new supervisor. Unsigned, it is changed in place and the old
    supervisor's signing link stops working; signed by anyone, a new version is made. True
    when a link had gone to the old supervisor of the agreement changed in place."""
    agreement = await agreement_versions.current_agreement_row(int(booking["id"]))
    if agreement is None:
        return False
    agreement_id = await agreement_versions.write_change(
        user, booking, agreement, {"supervisor": contact_id}
    )
    if agreement_id != agreement["id"]:
        return False
    old_link = (Signature.agreement == agreement_id) & (Signature.party == "supervisor")
    sent = await Signature.exists().where(
        old_link & Signature.signed_at.is_null() & Signature.link_sent_at.is_not_null()
    )
    await Signature.update({Signature.link_nonce: "", Signature.link_sent_at: None}).where(
        old_link & Signature.signed_at.is_null()
    )
    return bool(sent)


async def _name(contact_id: int | None) -> str:
    if contact_id is None:
        return ""
    row = await Contact.select(Contact.name).where(Contact.id == contact_id).first()
    return str(row["name"]) if row else ""


async def hand_over_slots(from_contact: int, to_contact: int) -> tuple[int, int]:
    """Inside the transaction that ends `from_contact`: `to_contact` (checked by the caller:
    another active supervisor of the same host) supervises every slot it supervised, the
    closed ones too (a host's day: a closed slot left without a supervisor could not be
    published again once reopened). Returns how many were open and how many closed; their
    change numbers move, so the search sees them."""
    rows = await Slot.select(Slot.id, Slot.status).where(Slot.supervisor == from_contact)
    ids = [int(r["id"]) for r in rows]
    if ids:
        await Slot.update({Slot.supervisor: to_contact}).where(Slot.id.is_in(ids))
        await bump_slot_changes(ids)
    closed = sum(1 for r in rows if r["status"] == "closed")
    return len(ids) - closed, closed


async def contact_holdings(contact_id: int) -> list[Holding]:
    """What the contact supervises now, for their page before they are ended: the placements
    that have not ended (by start), then the slots, the closed ones last (each by title).
    Ending the contact leaves each without a supervisor until the host chooses another (a
    successor takes over every slot at once: `hand_over_slots`)."""
    placements = await (
        Booking.select(
            Booking.id,
            Booking.status,
            Booking.start_date,
            Booking.end_date,
            Booking.slot.title.as_alias("title"),
        )
        .where((Booking.supervisor == contact_id) & Booking.status.is_in(list(CHANGEABLE)))
        .order_by(Booking.start_date)
        .order_by(Booking.id)
    )
    slots = await (
        Slot.select(Slot.id, Slot.title, Slot.status)
        .where(Slot.supervisor == contact_id)
        .order_by(swedish_order(Slot.title))
        .order_by(Slot.id)
    )
    return [
        *(
            Holding(
                "placement",
                int(b["id"]),
                f"Placering som {b['title']}, {_period(b['start_date'], b['end_date'])} "
                f"({BOOKING_STATUS_LABELS[b['status']]})",
            )
            for b in placements
        ),
        *(
            Holding(
                "slot",
                int(r["id"]),
                f"Platsen {r['title']} ({SLOT_STATUS_LABELS[r['status']].lower()})",
                closed=r["status"] == "closed",
            )
            for r in sorted(slots, key=lambda r: r["status"] == "closed")
        ),
    ]


def _period(start: object, end: object) -> str:
    return f"{start or 'startdag ej bestämd'} – {end or 'tills vidare'}"
