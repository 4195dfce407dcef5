"""Answer links for a host without users: who gets one (its contact persons and the slot's
supervisor), issuing one (a random token of which only the hash is stored, replacing any
earlier link to the same address) and mailing them when a proposal reaches the host; who
signs for such a host; and who to tell when the proposal is withdrawn.

Below the booking actions, which send the links (`bookings.tell_host_of_proposal`,
`bookings.withdraw`); using a link to answer is `answers`, on top of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from employers.tables import Contact, HostMembership
from marketplace.kernel.clock import local_date
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tokens import new_token
from placements.rows import BookingRow, SlotHosting, SlotRow
from placements.services import booking_access, booking_mail
from placements.tables import AnswerLink, Slot


def answer_path(booking_id: int, token: str) -> str:
    """The page a link opens (its actions are this path plus /acceptera or /avboj)."""
    return f"/forslag/{booking_id}/svar/{token}"


def link_days() -> int:
    return get_settings().signing_link_days


# --- who gets a link -------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRecipient:
    contact_id: int | None
    name: str
    email: str


async def host_has_users(host_id: int) -> bool:
    """True when someone active signs in for the host (they answer in the host portal)."""
    return bool(
        await HostMembership.exists().where(
            (HostMembership.host == host_id)
            & (HostMembership.user._.active == True)  # noqa: E712 - Piccolo needs ==
            & (HostMembership.user.email != "")
        )
    )


async def link_recipients(slot: SlotHosting) -> list[LinkRecipient]:
    """Who at a host without users gets an answer link: its public contact persons (its
    other contacts who are not supervisors, if it names none) and the slot's supervisor, each
    with an e-mail address, once per address. Empty for a host whose users answer in the
    portal."""
    if await host_has_users(int(slot["host"])):
        return []
    contacts = (
        await Contact.select(
            Contact.id,
            Contact.name,
            Contact.email,
            Contact.is_public_contact,
            Contact.is_supervisor,
            Contact.active,
        )
        .where((Contact.host == slot["host"]) & (Contact.email != ""))
        .order_by(Contact.id)
    )
    active = [c for c in contacts if c["active"]]
    chosen = [c for c in active if c["is_public_contact"]] or [
        c for c in active if not c["is_supervisor"]
    ]
    chosen += [c for c in active if c["id"] == slot["supervisor"]]
    found: dict[str, LinkRecipient] = {}
    for c in chosen:
        found.setdefault(
            c["email"].strip().casefold(), LinkRecipient(int(c["id"]), c["name"], c["email"])
        )
    return list(found.values())


# --- issuing ---------------------------------------------------------------------------------


async def issue_link(booking_id: int, recipient: LinkRecipient) -> tuple[str, dt.datetime]:
    """Inside a write transaction: a new link for the recipient, replacing any earlier one to
    the same address for this booking. Returns (the path with the token, when it expires)."""
    stamp = booking_access.now()
    await AnswerLink.update({AnswerLink.replaced_at: stamp}).where(
        (AnswerLink.booking == booking_id)
        & (AnswerLink.email == recipient.email)
        & AnswerLink.used_at.is_null()
        & AnswerLink.replaced_at.is_null()
    )
    token, digest = new_token()
    expires = stamp + dt.timedelta(days=link_days())
    await AnswerLink.insert(
        AnswerLink(
            booking=booking_id,
            contact=recipient.contact_id,
            name=recipient.name[:200],
            email=recipient.email,
            token_hash=digest,
            created_at=stamp,
            expires_at=expires,
        )
    )
    return answer_path(booking_id, token), expires


def _until(expires: dt.datetime) -> str:
    return local_date(expires).isoformat()


async def send_proposal_links(booking_id: int, slot: SlotRow) -> int:
    """Inside the proposal's transaction: mail each link recipient a link of their own.
    Returns how many were mailed (0 when the host has users, or no one has an address)."""
    sent = 0
    settings = get_settings()  # who runs the service (UNIT_NAME, ORGANISATION_NAME)
    for recipient in await link_recipients(slot):
        path, expires = await issue_link(booking_id, recipient)
        await booking_mail.notify(
            [booking_mail.Recipient(recipient.email, None, path)],
            "Ny deltagare föreslagen",
            f"Hej {recipient.name}!\n\nEn samordnare på {settings.unit_name} i "
            f"{settings.organisation_name} föreslår en deltagare för er plats ”{slot['title']}”. "
            "Ni svarar utan inloggning: läs förslaget och tacka ja, eller tacka nej med en kort "
            "motivering, på sidan som "
            f"länken nedan öppnar. Länken är personlig, gäller till och med {_until(expires)} "
            "och kan användas en gång.",
            kind="booking.answer_link",
            booking_id=booking_id,
            action="Svara på förslaget",
        )
        sent += 1
    return sent


async def host_signer(booking: BookingRow) -> tuple[str, str]:
    """(name, email) of who signs for a host without users: the person who accepted the
    proposal through their link, else the host's contact person (as `link_recipients`)."""
    answered = (
        await AnswerLink.select(AnswerLink.name, AnswerLink.email)
        .where((AnswerLink.booking == booking["id"]) & (AnswerLink.answer == "accepted"))
        .first()
    )
    if answered is not None:
        return answered["name"], answered["email"]
    slot = cast(
        "SlotHosting | None",
        await Slot.select(Slot.host, Slot.supervisor).where(Slot.id == booking["slot"]).first(),
    )
    assert slot is not None
    found = await link_recipients(slot)
    return (found[0].name, found[0].email) if found else ("", "")


async def host_signer_choices(booking: BookingRow) -> tuple[str, list[str]]:
    """Who may have signed for the host on paper: (the name to suggest, the names to choose
    from). The names are the host's active contacts, the one who accepted by link first. The
    suggestion is that person, or the host's only contact; with several and no answer by
    link, none: a tester saw a paper signature put in the name of a contact the
    coordinator never chose."""
    answered = (
        await AnswerLink.select(AnswerLink.name)
        .where((AnswerLink.booking == booking["id"]) & (AnswerLink.answer == "accepted"))
        .first()
    )
    slot = await Slot.select(Slot.host).where(Slot.id == booking["slot"]).first()
    assert slot is not None
    contacts = await (
        Contact.select(Contact.name)
        .where((Contact.host == slot["host"]) & (Contact.active == True))  # noqa: E712
        .order_by(Contact.id)
    )
    first = [answered["name"].strip()] if answered and answered["name"].strip() else []
    names = list(dict.fromkeys([*first, *(c["name"].strip() for c in contacts)]))
    names = [n for n in names if n]
    if first:
        return first[0], names
    return (names[0] if len(names) == 1 else ""), names


async def open_link_recipients(booking_id: int) -> list[booking_mail.Recipient]:
    """Everyone who was mailed a link for this booking (to tell them it was withdrawn)."""
    rows = await AnswerLink.select(AnswerLink.email).where(AnswerLink.booking == booking_id)
    return [booking_mail.Recipient(e) for e in dict.fromkeys(r["email"] for r in rows)]
