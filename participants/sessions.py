"""Participant sessions and single-use sign-in links.

A participant is no user: they sign in to their own pages only, with e-ID (`participants.oidc`)
or with a link their coordinator sends. Their session is apart from staff sessions (cookie
`mp_deltagare`, table `pl_participant_session`) but built the same way as
`marketplace.kernel.auth`'s: the ID is minted at sign-in only, only its SHA-256 is stored, and the
idle and absolute timeouts of staff sessions apply. A staff cookie never opens a participant
page and a participant cookie never opens a staff page: the two are different cookies,
resolved by different code.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler

from marketplace.kernel.audit import record
from marketplace.kernel.auth import (
    PARTICIPANT_SESSION_COOKIE,
    AuthUser,
    session_lapsed,
    touch_session,
)
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.controllers import session_cookie as kernel_session_cookie
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, NotFound, TooManyRequests, Unauthenticated
from marketplace.kernel.mail import queue_mail, queue_sms
from marketplace.kernel.settings import Settings, get_settings
from marketplace.kernel.sms import is_mobile, sms_enabled
from marketplace.kernel.tokens import new_token, token_hash
from participants import i18n
from participants.i18n import N_
from placements.services import booking_access
from placements.services import candidates as candidate_service
from placements.services.booking_mail import service_link
from placements.tables import Candidate, ParticipantLink, ParticipantSession

SESSION_COOKIE = PARTICIPANT_SESSION_COOKIE
SIGN_IN_PATH = "/mina-sidor/logga-in"

LINK_REFUSED = N_(
    "Länken fungerar inte. Den kan vara använd, för gammal eller ersatt av en nyare. Be din "
    "samordnare om en ny länk, eller logga in med e-legitimation."
)
# Where e-ID sign-in is off, the refusal does not send the person to it.
LINK_REFUSED_NO_EID = N_(
    "Länken fungerar inte. Den kan vara använd, för gammal eller ersatt av en nyare. Be din "
    "samordnare om en ny länk."
)


SIGN_IN_NEEDED = N_(
    "Du behöver logga in på Mina sidor, med e-legitimation eller med länken från din samordnare."
)
# Where e-ID sign-in is off (the demo), the page sends no one to it.
SIGN_IN_BY_LINK = N_("Du behöver logga in på Mina sidor med länken från din samordnare.")


def _link_refused() -> Unauthenticated:
    return Unauthenticated(LINK_REFUSED if get_settings().oidc_enabled else LINK_REFUSED_NO_EID)


LINKS_PER_HOUR = 5
"""Sign-in links one participant may be sent within an hour: each is an SMS and a mail, and a
script (or a stuck button) must not flood their phone."""
TOO_MANY_LINKS = (
    "Deltagaren har fått {count} inloggningslänkar den senaste timmen. Vänta {minutes} "
    "minuter innan du skickar en till, så att deltagarens telefon och e-post inte fylls av "
    "länkar. {latest}"
)
LATEST_WORKS = "Den senaste länken fungerar till klockan {until}, om den inte redan har använts."
LATEST_GONE = "Den senaste länken är redan använd eller har gått ut."
NO_ADDRESS = (
    "Deltagaren har varken e-postadress eller mobilnummer som tar emot sms. Lägg till en "
    "adress eller ett mobilnummer i deltagarens uppgifter först."
)


class Participant(msgspec.Struct, frozen=True):
    """Who is signed in to /mina-sidor: one participant, as the pages see them."""

    candidate_id: int
    first_name: str
    session_id: int
    method: str

    @property
    def audit_label(self) -> str:
        """How the audit log names the participant: by their record, never by name."""
        return f"deltagaren själv (deltagare {self.candidate_id})"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def session_cookie(raw: str, *, expire: bool = False) -> Cookie:
    """The participant's session cookie: the staff cookie's rules under its own name."""
    return kernel_session_cookie(raw, expire=expire, key=SESSION_COOKIE)


async def may_sign_in(candidate_id: int) -> bool:
    """A participant whose record is anonymised, or who has left, has no pages."""
    row = (
        await Candidate.select(Candidate.status, Candidate.anonymised_at)
        .where(Candidate.id == candidate_id)
        .first()
    )
    return row is not None and row["anonymised_at"] is None and row["status"] != "exited"


async def start_session(candidate_id: int, method: str, previous_raw: str | None = None) -> str:
    """Mint a new session for the participant (ending the previous one); return its raw ID."""
    if previous_raw:
        await end_session(previous_raw)
    raw = secrets.token_urlsafe(32)
    await ParticipantSession.insert(
        ParticipantSession(token_hash=token_hash(raw), candidate=candidate_id, method=method)
    )
    return raw


async def end_session(raw: str) -> None:
    await ParticipantSession.delete().where(ParticipantSession.token_hash == token_hash(raw))


async def resolve_session(raw: str, settings: Settings) -> Participant | None:
    """The participant behind a cookie, or None if unknown, timed out or no longer allowed."""
    session = (
        await ParticipantSession.select(
            ParticipantSession.id,
            ParticipantSession.candidate,
            ParticipantSession.method,
            ParticipantSession.created_at,
            ParticipantSession.last_seen_at,
            ParticipantSession.candidate.first_name,
            ParticipantSession.candidate.status,
            ParticipantSession.candidate.anonymised_at,
        )
        .where(ParticipantSession.token_hash == token_hash(raw))
        .first()
    )
    if session is None:
        return None
    now = _now()
    gone = session["candidate.anonymised_at"] is not None or session["candidate.status"] == "exited"
    if gone or session_lapsed(session, settings, now):
        await ParticipantSession.delete().where(ParticipantSession.id == session["id"])
        return None
    await touch_session(ParticipantSession, session, now)
    return Participant(
        candidate_id=int(session["candidate"]),
        first_name=session["candidate.first_name"],
        session_id=int(session["id"]),
        method=session["method"],
    )


# --- the guard --------------------------------------------------------------------------------


def current_participant(connection: ASGIConnection[Any, Any, Any, Any]) -> Participant | None:
    found = connection.scope.get("participant")
    return found if isinstance(found, Participant) else None


async def participant_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """The guard of every participant page: a participant session, or 401.

    Staff sessions and API tokens do not count: a coordinator reads a participant's record on
    the workbench, audited as staff, never through the participant's own pages."""
    raw = connection.cookies.get(SESSION_COOKIE)
    participant = await resolve_session(raw, get_settings()) if raw else None
    if participant is None:
        raise Unauthenticated(SIGN_IN_NEEDED if get_settings().oidc_enabled else SIGN_IN_BY_LINK)
    connection.scope["participant"] = participant  # type: ignore[typeddict-unknown-key]


async def participant_record(participant: Participant, action: str, detail: str = "") -> None:
    """One audit row for something the participant read or did on their own pages."""
    await record(
        None,
        action,
        participant.candidate_id,
        detail=detail,
        label=participant.audit_label,
    )


# --- the participant's language ----------------------------------------------------------------


async def stored_language(candidate_id: int) -> str:
    """The language the participant chose before, or "" when they never chose one."""
    row = await Candidate.select(Candidate.language).where(Candidate.id == candidate_id).first()
    lang = row["language"] if row else ""
    return lang if lang in i18n.LANGUAGES else ""


async def remember_language(participant: Participant, lang: str) -> None:
    """Keep the participant's choice on their record: it follows them to another device at
    the next sign-in, and the texts sent to them use it."""
    if lang not in i18n.LANGUAGES:
        return
    async with write_transaction(Candidate._meta.db):
        await Candidate.update({Candidate.language: lang}).where(
            (Candidate.id == participant.candidate_id) & (Candidate.language != lang)
        )
        await participant_record(participant, "participant.language", lang)


# --- single-use sign-in links -------------------------------------------------------------------


def link_path(token: str) -> str:
    return f"{SIGN_IN_PATH}/lank/{token}"


class LinkSent(msgspec.Struct, frozen=True):
    channel: str
    expires_at: dt.datetime


async def send_sign_in_link(user: AuthUser, candidate_id: int) -> LinkSent:
    """The participant's own coordinator (or an admin) sends a single-use sign-in link.

    A newer link replaces the older ones; the link works for PARTICIPANT_LINK_MINUTES and
    once. It goes by SMS to a mobile number when an SMS gateway is configured (many
    participants have no e-mail), and by e-mail to an address; at least one is needed.
    Audited."""
    settings = get_settings()
    async with write_transaction(Candidate._meta.db):
        # Sends at once take turns on the participant's row: each counts the links the others
        # wrote (the cap) and replaces them (one live link). A change of the address or the
        # mobile number takes the same lock (`candidate_updates.update_candidate`), and the
        # row is read only once the lock is held: a link goes to the address the participant
        # has when it is written, and a change that commits later voids it.
        await booking_access.lock_candidate(candidate_id)
        row = await candidate_service.read_row_for(
            user, candidate_id, "participant.link", "inloggningslänk till Mina sidor"
        )
        if row["anonymised_at"] is not None or row["status"] == "exited":
            raise Conflict("Deltagaren är avslutad och har inga egna sidor.")
        by_sms = sms_enabled(settings) and is_mobile(row["phone"])
        if not row["email"] and not by_sms:
            raise Conflict(NO_ADDRESS, fields=["email", "phone"])
        channels = ",".join(c for c, on in (("email", bool(row["email"])), ("sms", by_sms)) if on)
        stamp = _now()
        await _refuse_a_flood(candidate_id, stamp)
        token, expires = await _new_link(candidate_id, channels, user.id, stamp)
        until = expires.astimezone(STOCKHOLM).strftime("%H:%M")
        chosen = row["language"] if row["language"] in i18n.LANGUAGES else ""
        # The link names the language chosen before, so that its page opens in it on a
        # phone that never chose one (an Arabic speaker's link opened in Swedish).
        url = service_link(link_path(token) + (f"?sprak={chosen}" if chosen else ""))
        unit = get_settings().unit_name  # who runs the service (UNIT_NAME), in every language
        # In the language the participant chose on their pages (Swedish until they choose).
        _ = i18n.gettext_for(chosen or "sv")
        if by_sms:
            # An SMS names no one (a phone can be read by others): the link is the message.
            await queue_sms(
                row["phone"],
                _(
                    "Din länk till Mina sidor hos %(unit)s. Den fungerar en gång, till "
                    "klockan %(until)s: %(url)s"
                )
                % {"unit": unit, "until": until, "url": url},
                kind="participant.link",
                candidate_id=candidate_id,
            )
        if row["email"]:
            await queue_mail(
                row["email"],
                _("Din länk till Mina sidor"),
                _(
                    "Hej %(name)s!\n\nHär är din länk till Mina sidor hos %(unit)s. Den "
                    "fungerar en gång, till klockan %(until)s.\n\n%(url)s\n\n%(sender)s\n"
                )
                % {
                    "name": row["first_name"],
                    "unit": unit,
                    "until": until,
                    "url": url,
                    "sender": _sent_by(user, _, unit),
                },
                kind="participant.link",
                candidate_id=candidate_id,
            )
    return LinkSent(channel=channels, expires_at=expires)


async def _new_link(
    candidate_id: int, channel: str, sent_by: int | None, stamp: dt.datetime
) -> tuple[str, dt.datetime]:
    """Write a new link for the participant, replacing the ones not yet used; return its raw
    token (never stored) and when it stops working. The caller holds the participant's row."""
    await ParticipantLink.update({ParticipantLink.replaced_at: stamp}).where(
        (ParticipantLink.candidate == candidate_id)
        & ParticipantLink.used_at.is_null()
        & ParticipantLink.replaced_at.is_null()
    )
    token, digest = new_token()
    expires = stamp + dt.timedelta(minutes=get_settings().participant_link_minutes)
    await ParticipantLink.insert(
        ParticipantLink(
            candidate=candidate_id,
            token_hash=digest,
            channel=channel,
            sent_by=sent_by,
            created_at=stamp,
            expires_at=expires,
        )
    )
    return token, expires


class DemoLink(msgspec.Struct, frozen=True):
    first_name: str
    last_name: str
    url: str
    expires_at: dt.datetime


async def demo_sign_in_link(candidate_id: int) -> DemoLink:
    """A sign-in link for a demo participant, returned instead of sent: the demo's people
    have made-up addresses, so a link sent to them reaches no one, and without it nobody can
    see the participant's side of the demo. The same link as a coordinator sends (single use,
    PARTICIPANT_LINK_MINUTES, replacing older ones), audited. Only `marketplace demo` and
    `serve --demo` call this, for the demo's own participants (`marketplace.demo`)."""
    async with write_transaction(Candidate._meta.db):
        await booking_access.lock_candidate(candidate_id)
        row = (
            await Candidate.select(Candidate.first_name, Candidate.last_name, Candidate.language)
            .where(Candidate.id == candidate_id)
            .first()
        )
        if row is None or not await may_sign_in(candidate_id):
            raise Conflict("Deltagaren är avslutad och har inga egna sidor.")
        token, expires = await _new_link(candidate_id, "demo", None, _now())
        await record(None, "participant.demo_link", candidate_id, label="demodata")
    chosen = row["language"] if row["language"] in i18n.LANGUAGES else ""
    return DemoLink(
        first_name=row["first_name"],
        last_name=row["last_name"],
        url=service_link(link_path(token) + (f"?sprak={chosen}" if chosen else "")),
        expires_at=expires,
    )


def _sent_by(user: AuthUser, _: Callable[[str], str], unit: str) -> str:
    """Who sent the link, for the mail's last line. The participant did not ask the service
    for it (no page sends a link on a participant's asking): their coordinator, or an admin of
    the unit, pressed the button. "Har du inte bett om länken? Då kan du strunta i det här
    mejlet." read as if the mail could be a stranger's doing."""
    if user.role == "coordinator":
        return _("Din samordnare har skickat länken till dig.")
    return _("%(unit)s har skickat länken till dig.") % {"unit": unit}


async def _refuse_a_flood(candidate_id: int, now: dt.datetime) -> None:
    """429 once the participant was sent LINKS_PER_HOUR links within the last hour (counted
    in the database, so every worker counts the same), with the wait until the oldest of
    them leaves the hour."""
    window = dt.timedelta(hours=1)
    sent = await ParticipantLink.select(
        ParticipantLink.created_at,
        ParticipantLink.used_at,
        ParticipantLink.replaced_at,
        ParticipantLink.expires_at,
    ).where(
        (ParticipantLink.candidate == candidate_id) & (ParticipantLink.created_at > now - window)
    )
    if len(sent) < LINKS_PER_HOUR:
        return
    oldest = min(r["created_at"] for r in sent)
    wait = max(1, int((oldest + window - now).total_seconds()))
    # Whether the newest link still works (it said so of a link the participant had used).
    newest = max(sent, key=lambda r: r["created_at"])
    works = (
        newest["used_at"] is None and newest["replaced_at"] is None and newest["expires_at"] > now
    )
    latest = (
        LATEST_WORKS.format(until=newest["expires_at"].astimezone(STOCKHOLM).strftime("%H:%M"))
        if works
        else LATEST_GONE
    )
    raise TooManyRequests(
        TOO_MANY_LINKS.format(count=len(sent), minutes=max(1, (wait + 59) // 60), latest=latest),
        retry_after=wait,
    )


async def use_sign_in_link(token: str) -> int:
    """Spend a sign-in link: the participant's id, or 401 when it is not (or no longer) good.

    The claim is one conditional UPDATE, so two uses of one link can never both succeed."""
    if not token or len(token) > 200:
        raise _link_refused()
    rows = (
        await ParticipantLink.update({ParticipantLink.used_at: _now()})
        .where(
            (ParticipantLink.token_hash == token_hash(token))
            & ParticipantLink.used_at.is_null()
            & ParticipantLink.replaced_at.is_null()
            & (ParticipantLink.expires_at > _now())
        )
        .returning(ParticipantLink.candidate)
    )
    if not rows or not await may_sign_in(int(rows[0]["candidate"])):
        raise _link_refused()
    return int(rows[0]["candidate"])


async def candidate_for_personnummer(personnummer: str) -> int:
    """The participant an e-ID's personnummer belongs to, or NotFound: no record, no access."""
    try:
        pnr = candidate_service.normalise_personnummer(personnummer)
    except Exception:
        raise NotFound(NO_RECORD) from None
    rows = (
        await Candidate.select(Candidate.id)
        .where(
            (Candidate.personnummer == pnr)
            & Candidate.anonymised_at.is_null()
            & (Candidate.status != "exited")
        )
        .order_by(Candidate.id)
    )
    if len(rows) != 1:
        raise NotFound(NO_RECORD)
    return int(rows[0]["id"])


# `%(unit)s`: UNIT_NAME, filled in where the page shows it (participant/refused.html).
NO_RECORD = N_(
    "Vi hittar ingen deltagare med ditt personnummer hos %(unit)s. Mina sidor är till "
    "för dig som är inskriven hos oss. Kontakta %(unit)s om du tror att det är fel."
)
