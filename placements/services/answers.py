"""A host's answer to a proposal when no one at the host signs in: by a single-use link, or
by phone, recorded by the coordinator.

Most hosts have no user account. A proposal to such a host mails its contact person (and
the slot's supervisor, when they have an address) a link of their own, the way France's
Immersion Facilitée lets an employer answer without an account. The link opens a page that
shows what the host needs to decide (the slot, the period, the hours, the coordinator's
message, and of the participant only the first name and the adaptations the participant
agreed to share: a link can be forwarded, so it shows no contact details), and lets the
host accept (choosing another supervisor or period if the proposed one has no room) or
decline with a reason.

A link is a random token of which only the hash is stored (`marketplace.kernel.tokens`, as the
host invitations). It works once, until `SIGNING_LINK_DAYS` have passed, until a newer link
to the same address replaces it (reminders send fresh ones), and only while the proposal is
open. Using it is claimed inside the accept's own transaction, so a refused accept (no room)
leaves the link usable and two uses can never both succeed. Every read and answer is
audited with whose link it was; the answer shows in the booking's timeline, and the
coordinator is told.

A host may also answer by phone: the coordinator records the answer, who gave it and a
note, as its own action (`record_phone_answer`), audited and shown in the timeline.

Issuing and mailing the links is `answer_links`, below the booking actions that send them;
answering through one accepts or declines through those actions (`bookings.accept_locked`,
`bookings.decline_locked`), so this module sits on top of them.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import msgspec

from marketplace.kernel import clock
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.tokens import token_hash
from placements import booking_states
from placements.errors import LINK_INVALID, LinkRefused
from placements.rows import AnswerLinkRow, BookingRow, SlotRow
from placements.schemas import bookings as schemas
from placements.services import (
    answer_links,
    booking_access,
    booking_moves,
    bookings,
    capacity,
    ledger,
)
from placements.services.candidates import candidate_row, host_participant_out
from placements.tables import AnswerLink, Slot

INVALID = LINK_INVALID
WRONG_BOOKING = (
    "Länken hör inte till det här förslaget. Använd länken precis som den står i mejlet."
)
# What a used link's page says (`agreements/used.html` adds that a link works once and whom
# to ask if something should change).
USED = "Ert svar med den här länken är registrerat."
ANSWERED = {"accepted": "tackade ja till", "declined": "tackade nej till"}
REPLACED = "Länken har ersatts av en nyare länk. Använd länken i det senaste mejlet."
EXPIRED = (
    "Länken har gått ut. Kontakta samordnaren på kommunen, som kan skicka en ny länk eller "
    "ta emot ert svar per telefon."
)
CLOSED = "Förslaget är redan besvarat eller återkallat. Ni behöver inte göra något mer."


def used_text(link: AnswerLinkRow) -> str:
    """What a used link's page says to its holder: the answer given through it and when
    (only what the holder did themselves, no more of the proposal), else `USED`."""
    said = ANSWERED.get(link["answer"])
    if said is None or link["used_at"] is None:
        return USED
    return (
        f"Ni {said} förslaget {clock.local_date(link['used_at']).isoformat()} med den här "
        "länken. Svaret är registrerat och samordnaren är meddelad."
    )


async def resend_links(user: AuthUser, booking_id: int) -> list[schemas.AnswerLinkSent]:
    """Staff mail fresh answer links for an open proposal (the old ones stop working).
    Refused (409) when someone at the host signs in or no one has an e-mail address."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    async with write_transaction(booking_access.engine()):
        await booking_access.booking_row_for(user, booking_id)
        booking = await booking_access.lock_booking(booking_id)
        if not booking_states.can("answer", booking["status"]):
            raise booking_moves.illegal(booking["status"], "answer")
        slot = await bookings.slot_row(booking["slot"])
        assert slot is not None
        if await answer_links.host_has_users(int(slot["host"])):
            raise Conflict(
                "Någon hos värden loggar in och svarar på förslaget i tjänsten. Länkar skickas "
                "bara till värdar utan konto."
            )
        if not await answer_links.send_proposal_links(booking_id, slot):
            raise Conflict(
                "Ingen hos värden har en e-postadress. Lägg till en adress för kontaktpersonen, "
                "eller ring värden och registrera svaret per telefon."
            )
        await record(
            user, "booking.answer_links", booking["candidate"], detail=f"bokning {booking_id}"
        )
        return await links_of(booking_id)


async def links_of(booking_id: int) -> list[schemas.AnswerLinkSent]:
    """The answer links mailed for a booking, newest first (never the links themselves)."""
    rows = (
        await AnswerLink.select()
        .where(AnswerLink.booking == booking_id)
        .order_by(AnswerLink.id, ascending=False)
    )
    return [
        schemas.AnswerLinkSent(
            name=r["name"],
            email=r["email"],
            sent_at=r["created_at"],
            expires_at=r["expires_at"],
            used_at=r["used_at"],
            replaced=r["replaced_at"] is not None,
            answer=r["answer"],
        )
        for r in rows
    ]


async def links_for(
    user: AuthUser, booking_id: int, *, audit: bool = True
) -> list[schemas.AnswerLinkSent]:
    """`links_of` for a booking the caller may see as staff; the read is audited (a page
    that has audited its read of the booking passes `audit=False`)."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    async with write_transaction(booking_access.engine()):
        row = await booking_access.booking_row_for(user, booking_id)
        if audit:
            await record(
                user, "booking.answer_links.read", row["candidate"], detail=f"bokning {booking_id}"
            )
        return await links_of(booking_id)


# --- using a link ----------------------------------------------------------------------------


async def _load(booking_id: int, token: str) -> tuple[AnswerLinkRow, BookingRow]:
    """(link, booking) behind a link, or `LinkRefused` saying why it no longer works."""
    link = cast(
        "AnswerLinkRow | None",
        await AnswerLink.select().where(AnswerLink.token_hash == token_hash(token)).first(),
    )
    if link is None:
        raise LinkRefused(INVALID, status_code=400)
    if link["booking"] != booking_id:
        raise LinkRefused(WRONG_BOOKING, status_code=400)
    if link["used_at"] is not None:
        booking = await booking_access.booking_row(booking_id)
        raise LinkRefused(
            used_text(link),
            used="answer",
            coordinator=await booking_access.coordinator_contact(
                booking["coordinator"] if booking else None
            ),
        )
    if link["replaced_at"] is not None:
        raise LinkRefused(REPLACED)
    if link["expires_at"] <= booking_access.now():
        raise LinkRefused(EXPIRED)
    booking = await booking_access.booking_row(booking_id)
    if booking is None or booking["status"] != "proposed":
        raise LinkRefused(CLOSED)
    return link, booking


async def check_link(booking_id: int, token: str) -> None:
    """`LinkRefused` unless the link still works (nothing is read or recorded)."""
    await _load(booking_id, token)


def _who(link: AnswerLinkRow) -> str:
    return f"{link['name'] or link['email']} (värden, via e-postlänk)"


class AnswerPage(msgspec.Struct, kw_only=True):
    """What a link's page shows: what the host needs to decide, and no more."""

    booking_id: int
    recipient_name: str
    host_name: str
    slot_title: str
    slot_kind: str
    town: str
    hours_per_week: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    message: str
    participant_first_name: str
    shared_adaptations: list[str]
    coordinator_name: str
    coordinator_email: str
    expires_at: dt.datetime
    options: schemas.AcceptOptions


async def page_for_link(booking_id: int, token: str) -> AnswerPage:
    """The proposal behind a valid link (`LinkRefused` otherwise); the read is audited."""
    async with write_transaction(booking_access.engine()):
        link, booking = await _load(booking_id, token)
        slot = await bookings.slot_row(booking["slot"])
        candidate = await candidate_row(booking["candidate"])
        host = (
            await Slot.select(Slot.host.name.as_alias("name"))
            .where(Slot.id == booking["slot"])
            .first()
        )
        assert slot is not None and candidate is not None and host is not None
        # The same rule as the portal's (a link can be forwarded, and the booking is only
        # proposed): the first name and the shared adaptations, no contact details.
        view = booking_states.host_view(booking["status"], booking["ended_at"], clock.now())
        participant = host_participant_out(candidate, view)
        coordinator_name, coordinator_email = await booking_access.coordinator_contact(
            booking["coordinator"]
        )
        await record(
            None,
            "booking.read",
            booking["candidate"],
            detail=f"bokning {booking_id} via svarslänk till {link['name'] or link['email']}",
        )
        return AnswerPage(
            booking_id=booking_id,
            recipient_name=link["name"],
            host_name=host["name"] or "",
            slot_title=slot["title"],
            slot_kind=slot["kind"],
            town=slot["town"],
            hours_per_week=ledger.weekly_hours(booking["hours_per_week"], slot["hours_per_week"]),
            start_date=booking["start_date"],
            end_date=booking["end_date"],
            message=booking["message"],
            participant_first_name=participant.first_name,
            shared_adaptations=participant.shared_adaptations,
            coordinator_name=coordinator_name,
            coordinator_email=coordinator_email,
            expires_at=link["expires_at"],
            options=await accept_options(booking, slot),
        )


async def _claim(link: AnswerLinkRow, answer: str) -> None:
    """Mark the link used, once: a second use, even a concurrent one, finds it taken."""
    claimed = (
        await AnswerLink.update(
            {AnswerLink.used_at: booking_access.now(), AnswerLink.answer: answer}
        )
        .where(
            (AnswerLink.id == link["id"])
            & AnswerLink.used_at.is_null()
            & AnswerLink.replaced_at.is_null()
        )
        .returning(AnswerLink.id)
    )
    if not claimed:
        raise LinkRefused(USED, used="answer")


async def accept_by_link(
    booking_id: int, token: str, choice: schemas.AcceptRequest
) -> schemas.Booking:
    """Accept through a link: valid, unexpired, unused, for this booking, else `LinkRefused`
    and no change. A refusal for lack of room changes nothing and leaves the link usable."""
    async with booking_access.placement_transaction():
        link, booking = await _load(booking_id, token)
        await _claim(link, "accepted")
        await bookings.accept_locked(booking_id, None, choice, label=_who(link))
        await record(
            None,
            "booking.answer_link.accept",
            booking["candidate"],
            detail=f"bokning {booking_id}: accepterad via svarslänk till "
            f"{link['name']} <{link['email']}>",
        )
        return await booking_access.booking_out(await _row(booking_id), None)


async def decline_by_link(booking_id: int, token: str, reason: str) -> schemas.Booking:
    """Decline through a link with the host's reason (required); the coordinator is told."""
    async with write_transaction(booking_access.engine()):
        link, booking = await _load(booking_id, token)
        await _claim(link, "declined")
        await bookings.decline_locked(booking_id, None, reason, label=_who(link))
        await record(
            None,
            "booking.answer_link.decline",
            booking["candidate"],
            detail=f"bokning {booking_id}: avböjd via svarslänk till "
            f"{link['name']} <{link['email']}>",
        )
        return await booking_access.booking_out(await _row(booking_id), None)


async def _row(booking_id: int) -> BookingRow:
    row = await booking_access.booking_row(booking_id)
    assert row is not None
    return row


# --- the choices while accepting -------------------------------------------------------------


async def accept_options(
    booking: BookingRow, slot: SlotRow, *, to_host: bool = True
) -> schemas.AcceptOptions:
    """The supervisors the host may choose, with their room during the proposed period, and
    whether (and why not) the proposal fits as it stands: said to the host, or
    (`to_host=False`) to the coordinator, who reads what the host can do."""
    start, end = booking["start_date"], booking["end_date"]
    room = await capacity.room_for(slot, start, end, int(booking["id"]))
    fits = room.fits_as_proposed
    problem = ""
    if not fits:
        problem = capacity.shortage_text(room, start, end)
        if room.seats_free > 0 and room.others_with_room:
            problem += (
                " Välj en annan handledare som har plats."
                if to_host
                else " Värden kan välja en annan handledare som har plats."
            )
        else:
            problem += f" {capacity.way_forward_text(room, to_host=to_host)}"
    suggestion = room.suggestion
    return schemas.AcceptOptions(
        booking_id=int(booking["id"]),
        start_date=start,
        end_date=end,
        slot_start_date=slot["start_date"],
        slot_end_date=slot["end_date"],
        seats_free=room.seats_free,
        slot_supervisor_id=slot["supervisor"],
        supervisors=[
            schemas.SupervisorChoice(
                id=s.id,
                name=s.name,
                capacity=s.capacity,
                guided=s.guided,
                free=s.free,
                is_slot_supervisor=s.id == slot["supervisor"],
            )
            for s in room.supervisors
        ],
        fits=fits,
        problem=problem,
        suggested_start=suggestion[0] if suggestion else None,
        suggested_end=suggestion[1] if suggestion else None,
    )


async def accept_options_for(
    user: AuthUser, booking_id: int, *, audit: bool = True
) -> schemas.AcceptOptions:
    """`accept_options` of a booking the caller may answer for the host; the read is
    audited (a page that has audited its read of the booking passes `audit=False`)."""
    async with write_transaction(booking_access.engine()):
        row = await booking_access.booking_row_for(user, booking_id)
        if not await booking_access.may_act_as_host(user, row):
            raise NotFound(booking_access.BOOKING_NOT_FOUND)
        slot = await bookings.slot_row(row["slot"])
        assert slot is not None
        if audit:
            await record(
                user, "booking.accept_options", row["candidate"], detail=f"bokning {booking_id}"
            )
        return await accept_options(row, slot, to_host=user.role == "host")


# --- by phone --------------------------------------------------------------------------------


async def record_phone_answer(
    user: AuthUser, booking_id: int, data: schemas.PhoneAnswer
) -> schemas.Booking:
    """Staff record the host's answer given by phone: who answered, what was said, and who
    took the call. It acts as the host's own answer would (an accept checks room the same
    way and may name another supervisor or period), is audited as a phone answer, and
    shows in the timeline as "Svar per telefon"."""
    if not user.is_staff:
        raise NotFound(booking_access.BOOKING_NOT_FOUND)
    answered_by = " ".join(data.answered_by.split())
    note = data.note.strip()
    if not answered_by or not note:
        raise ValidationFailed(
            "Skriv vem hos värden som svarade och vad som sades.",
            fields=["answered_by" if not answered_by else "note"],
        )
    said = f"Svar per telefon från {answered_by}, antecknat av {user.name}: {note}"
    async with booking_access.placement_transaction():
        visible = await booking_access.booking_row_for(user, booking_id)
        if data.answer == "accept":
            await bookings.accept_locked(
                booking_id,
                user,
                schemas.AcceptRequest(
                    supervisor_id=data.supervisor_id,
                    start_date=data.start_date,
                    end_date=data.end_date,
                ),
                note=said,
            )
        else:
            await bookings.decline_locked(booking_id, user, note, note=said)
        await record(
            user,
            "booking.phone_answer",
            visible["candidate"],
            detail=f"bokning {booking_id}: "
            f"{'accepterad' if data.answer == 'accept' else 'avböjd'} per telefon, "
            f"svar från {answered_by}",
        )
        return await booking_access.booking_out(await _row(booking_id), user, with_events=True)
