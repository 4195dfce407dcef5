"""Mail that has not gone out, and why: its address, or the mail server.

The Drift page said "e-postservern har inte tagit emot det" of a mail to
"åsa.öberg@vargarda.se", which no server ever saw: no mail can go to å, ä or ö before the @
(`marketplace.kernel.addresses`), and the delivery fails such a mail before it sends
anything. A mail whose address is the cause is told apart by the address itself
(`addresses.address_problem`, the rule the delivery uses), so a mail failed before that rule
had its own words is told right too. Whoever's record holds the address (a user, a
participant, a host's contact, an invitation, an application) is named with the page where the
address is corrected (`holders`), from every table that stores an address the outbox sends
to; the back office may read them all, as it sits above every package that stores one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from employers.tables import Contact, HostApplication, HostInvitation
from marketplace.kernel import auth
from marketplace.kernel.addresses import address_problem
from marketplace.kernel.tables import OutboxMessage, User
from placements.tables import Application, Candidate

Cause = Literal["address", "server", "connection", "message", "service"]
# How a mail's stored reason is introduced, by its cause; the server's and the connection's
# are its own words in English, shown as they came.
CAUSE_LABELS: dict[Cause, str] = {
    "address": "Mottagarens adress",
    "server": "Svaret från e-postservern (tekniskt, på engelska)",
    "connection": "Kontakten med e-postservern misslyckades (tekniskt, på engelska)",
    "message": "Tjänsten kunde inte bygga meddelandet (tekniskt)",
    "service": "Felorsak",
}
NOT_SENT_FOR_ADDRESS = "E-postservern har inte fått meddelandet: det skickades aldrig."
ADDRESS_GONE = (
    "Ingen sparad uppgift i tjänsten har längre den adressen, så den är troligen redan rättad. "
    "Skicka meddelandet på nytt därifrån det kom, till exempel en ny lösenordslänk."
)
AFTER_FIX = (
    "När en användares adress är rättad skickas användarens e-post från den senaste veckan "
    "som inte kom fram igen, till den nya adressen. Annars: skicka meddelandet på nytt "
    "därifrån det kom, till exempel en ny länk från deltagarens sida."
)
# How many failed addresses the Drift page lists by name; the rest are counted.
LISTED = 10
# How long a mail that failed for its address is worth sending once the address is
# corrected: the life of the longest link such a mail holds (a password link, an invitation).
RESEND_DAYS = 7
REFUSED = "Mottagaren nekades"  # how the delivery words a recipient the server refused


@dataclass(frozen=True)
class Failure:
    """Why a mail has not gone out: its cause, the words that introduce the reason, and the
    reason (Swedish for an address; the server's or the library's words otherwise, `lang`)."""

    cause: Cause
    label: str
    text: str
    lang: str = ""


def failure(channel: str, recipient: str, last_error: str) -> Failure | None:
    """Why a mail has not gone out, from its row; None when nothing has failed yet."""
    problem = address_problem(recipient) if channel == "mail" else None
    if problem:
        return Failure("address", CAUSE_LABELS["address"], problem)
    if not last_error:
        return None
    if channel != "mail":
        return Failure("service", CAUSE_LABELS["service"], last_error)
    if last_error.startswith(("SMTP ", REFUSED)):
        return Failure("server", CAUSE_LABELS["server"], last_error, "en")
    if last_error.startswith("Meddelandet kunde inte"):
        return Failure("message", CAUSE_LABELS["message"], last_error)
    if last_error.startswith(("Leveransen avbröts", "Adressen går inte")):
        return Failure("service", CAUSE_LABELS["service"], last_error)
    return Failure("connection", CAUSE_LABELS["connection"], last_error, "en")


@dataclass(frozen=True)
class Holder:
    """A record that holds an address: whose (`who`), the page where it is corrected
    (`href`) and what to do there (`fix`); `candidate_id` when it is a participant's, whose
    naming is a read of their record."""

    who: str
    href: str
    fix: str
    candidate_id: int | None = None


def _name(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


async def holders(addresses: Iterable[str]) -> list[Holder]:
    """Every stored record that holds one of `addresses` (as stored: lower-cased), users
    first, then participants, contacts, invitations not yet used, and applications."""
    wanted = sorted({a.strip().lower() for a in addresses if a.strip()})
    if not wanted:
        return []
    found: list[Holder] = []
    for u in await User.select(User.id, User.username, User.first_name, User.last_name).where(
        User.email.is_in(wanted)
    ):
        found.append(
            Holder(
                f"Användaren {_name(u['first_name'], u['last_name'])} ({u['username']})",
                f"/drift/anvandare/{u['id']}",
                "Rätta adressen på användarens sida",
            )
        )
    for c in await Candidate.select(Candidate.id, Candidate.first_name, Candidate.last_name).where(
        Candidate.email.is_in(wanted)
    ):
        found.append(
            Holder(
                f"Deltagaren {_name(c['first_name'], c['last_name'])}",
                f"/arbetsbord/deltagare/{c['id']}/profil",
                "Rätta adressen i deltagarens uppgifter",
                int(c["id"]),
            )
        )
    for k in await Contact.select(
        Contact.id, Contact.name, Contact.host._.name.as_alias("host_name")
    ).where(Contact.email.is_in(wanted)):
        found.append(
            Holder(
                f"Kontaktpersonen {k['name']} hos {k['host_name']}",
                f"/vard/kontakter/{k['id']}",
                "Rätta adressen på kontaktpersonens sida",
            )
        )
    for i in await HostInvitation.select(
        HostInvitation.name, HostInvitation.host, HostInvitation.host._.name.as_alias("host_name")
    ).where(HostInvitation.email.is_in(wanted) & HostInvitation.used_at.is_null()):
        found.append(
            Holder(
                _name("Inbjudan till", i["name"] or "en ny användare", "hos", i["host_name"]),
                f"/vard/organisation/{i['host']}",
                "Bjud in personen igen med rätt adress från organisationens sida",
            )
        )
    for h in await HostApplication.select(
        HostApplication.contact_name, HostApplication.org_name
    ).where(HostApplication.contact_email.is_in(wanted)):
        found.append(
            Holder(
                f"Kontaktpersonen {h['contact_name']} i ansökan från {h['org_name']}",
                "/arbetsbord/ansokningar",
                "Adressen går inte att ändra i en ansökan: nå kontaktpersonen per telefon",
            )
        )
    for a in await Application.select(
        Application.id, Application.first_name, Application.last_name
    ).where(Application.email.is_in(wanted)):
        found.append(
            Holder(
                f"Den sökande {_name(a['first_name'], a['last_name'])}",
                f"/arbetsbord/intag/{a['id']}",
                "Adressen går inte att ändra i en ansökan: nå den sökande per telefon",
            )
        )
    return found


@dataclass(frozen=True)
class AddressFailure:
    """A mail that failed for its address, as the Drift page lists it."""

    message_id: int
    recipient: str
    subject: str


@dataclass(frozen=True)
class MailTrouble:
    """Mail that has not gone out though it was tried: those failed for their address (the
    newest LISTED of them, and how many in all), and the others (pending after a failed
    attempt, or failed for good), with the newest one's time."""

    by_address: list[AddressFailure]
    by_address_count: int
    other_count: int
    other_newest: dt.datetime | None


async def mail_trouble() -> MailTrouble | None:
    """What the Drift page warns of; None when every tried mail has gone out."""
    stuck = (OutboxMessage.attempts > 0) & OutboxMessage.status.is_in(["pending", "failed"])
    if not await OutboxMessage.exists().where(stuck):
        return None
    failed_mail = (OutboxMessage.status == "failed") & (OutboxMessage.channel == "mail")
    recipients = {
        r["recipient"]
        for r in await OutboxMessage.select(OutboxMessage.recipient)
        .where(failed_mail & (OutboxMessage.attempts > 0))
        .distinct()
    }
    bad = sorted(r for r in recipients if address_problem(r))
    by_address = failed_mail & OutboxMessage.recipient.is_in(bad or [""])
    rows = (
        await OutboxMessage.select(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.subject)
        .where(by_address)
        .order_by(OutboxMessage.created_at, ascending=False)
        .order_by(OutboxMessage.id, ascending=False)
        .limit(LISTED)
    )
    others = (
        stuck
        & (
            OutboxMessage.recipient.not_in(bad)
            | (OutboxMessage.status != "failed")
            | (OutboxMessage.channel != "mail")
        )
        if bad
        else stuck
    )
    other_count = int(await OutboxMessage.count().where(others))
    newest = (
        await OutboxMessage.select(OutboxMessage.created_at)
        .where(others)
        .order_by(OutboxMessage.created_at, ascending=False)
        .first()
    )
    return MailTrouble(
        [AddressFailure(int(r["id"]), r["recipient"], r["subject"]) for r in rows],
        int(await OutboxMessage.count().where(by_address)) if bad else 0,
        other_count,
        (newest or {}).get("created_at"),
    )


def failed_for_address(recipient: str, last_error: str) -> bool:
    """Whether a failed mail failed for its address: one no mail can go to, or one the mail
    server refused (a wrong domain, an unknown mailbox)."""
    return bool(address_problem(recipient)) or last_error.startswith(REFUSED)


async def resend_to_corrected(user_id: int, old: str, new: str, now: dt.datetime) -> int:
    """Send again, to the user's corrected address `new`, the mails to that user that failed
    for their address `old` and are still worth having; how many. Called in the transaction
    that corrects the address.

    Still worth having: queued in the last RESEND_DAYS days, and, of the mails with a link to
    choose a password, only the newest and only while the user has a link that works (a new
    link ends the older ones, so an older mail's link would fail). Each mail is sent again
    as it is, in its own row (recipient changed, attempts back to none), so the outbox shows
    one mail that went out late to the right address, and the Drift page's warning of it ends
    when it goes. Mails to anyone else at the old address stay as they are: they are that
    record's to resend."""
    if not old or old.strip().lower() == new.strip().lower() or not new.strip():
        return 0
    rows = (
        await OutboxMessage.select(
            OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.last_error
        )
        .where(
            (OutboxMessage.recipient_user_id == user_id)
            & (OutboxMessage.channel == "mail")
            & (OutboxMessage.status == "failed")
            & (OutboxMessage.created_at >= now - dt.timedelta(days=RESEND_DAYS))
        )
        .order_by(OutboxMessage.created_at, ascending=False)
        .order_by(OutboxMessage.id, ascending=False)
    )
    wanted: list[int] = []
    password_link_seen = False
    for row in rows:
        if row["recipient"].strip().lower() != old.strip().lower():
            continue
        if not failed_for_address(row["recipient"], row["last_error"]):
            continue
        if row["kind"] == "password_link":
            if password_link_seen or not await auth.open_password_links(user_id):
                password_link_seen = True
                continue
            password_link_seen = True
        wanted.append(int(row["id"]))
    if wanted:
        await OutboxMessage.update(
            {
                OutboxMessage.recipient: new.strip(),
                OutboxMessage.status: "pending",
                OutboxMessage.attempts: 0,
                OutboxMessage.last_error: "",
                OutboxMessage.next_attempt_at: now,
                OutboxMessage.sent_at: None,
            }
        ).where(OutboxMessage.id.is_in(wanted))
    return len(wanted)
