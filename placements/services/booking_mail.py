"""Mail about a booking: who it goes to (`Recipient`: the host's users, the coordinator, the
supervisor), and `notify`, which names the placement in words and links each recipient to
the booking's page they can open. Every booking write that tells someone uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from employers.tables import Contact, HostMembership
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.i18n import Translate, swedish
from marketplace.kernel.mail import queue_mail
from marketplace.kernel.rows import MailMeta
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import User
from placements.rows import BookingRow, PlacementWords
from placements.services.booking_access import host_of_slot
from placements.tables import Booking


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
    host_id = await host_of_slot(slot_id)
    rows = await HostMembership.select(
        HostMembership.user.email.as_alias("email"),
        HostMembership.user.id.as_alias("uid"),
        HostMembership.user.active.as_alias("active"),
    ).where(HostMembership.host == host_id)
    path = host_booking_path(booking_id) if booking_id is not None else "/vard"
    return [Recipient(r["email"], int(r["uid"]), path) for r in rows if r["email"] and r["active"]]


async def coordinator_recipients(booking: BookingRow) -> list[Recipient]:
    """The booking's coordinator, linked to the booking's page on the workbench."""
    if booking["coordinator"] is None:
        return []
    row = await User.select(User.email, User.id).where(User.id == booking["coordinator"]).first()
    if not row or not row["email"]:
        return []
    return [Recipient(row["email"], int(row["id"]), staff_booking_path(booking["id"]), True)]


async def supervisor_recipient(
    contact_id: int | None, booking: BookingRow | None = None
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


async def placement_words(booking_id: int) -> PlacementWords:
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


def place_name(words: PlacementWords, _: Translate = swedish) -> str:
    """“Lagerarbetare” hos Vårgårda Bygg AB: the placement, in words, for any recipient (in
    the participant's language for a participant)."""
    if not words["host"]:
        return f"”{words['title']}”"
    return _("”%(title)s” hos %(host)s") % {"title": words["title"], "host": words["host"]}


async def notify(
    recipients: Iterable[Recipient],
    subject: str,
    body: str,
    *,
    kind: str,
    booking_id: int,
    action: str = "Öppna bokningen",
    translate: Translate = swedish,
    actor: AuthUser | None = None,
) -> None:
    """Queue one mail per recipient. The mail names the placement in words (the slot and
    the host, the period, and the participant's first name for staff only) and links each
    recipient straight to the booking's page they can open. Mail never carries a
    personnummer or health data; access is checked on the page.

    `translate` is the participant's catalog for a mail to the participant, so that the lines
    added here ("Plats", "Period") are in their language like the subject and body the
    caller translated; everyone else reads Swedish.

    Nobody is told of what they did themselves: the `actor`'s own account gets no mail (a
    coordinator who took the host's answer on the telephone was mailed that it was
    accepted)."""
    _ = translate
    seen: set[str] = set()
    words = await placement_words(booking_id)
    place = place_name(words, _)
    for recipient in recipients:
        if actor is not None and recipient.user_id == actor.id:
            continue
        key = recipient.email.strip().casefold()
        if key in seen:
            continue
        seen.add(key)
        lines = [body.rstrip("\n"), "", _("Plats: %(place)s") % {"place": place}]
        if words["period"]:
            lines.append(_("Period: %(period)s") % {"period": words["period"]})
        if recipient.staff and words["first_name"]:
            lines.append(f"Deltagare: {words['first_name']}")
        meta: MailMeta = {"booking_id": booking_id}
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
