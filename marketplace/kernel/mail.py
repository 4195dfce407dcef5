"""Mail and SMS: queueing in the outbox, Swedish templates, and delivery over SMTP (mail) or
an SMS gateway (`marketplace.kernel.sms`).

Notifications go to the outbox table in the caller's transaction, so a change and its mail
commit or roll back together. The `deliver-outbox` job (`deliver_outbox`) sends them:

- A deliverer *claims* a row with one conditional UPDATE (`pending` → `sending`, with a lease
  until `next_attempt_at`), so two deliverers can never both send one message.
- A row becomes `sent` only after the SMTP server accepted it. A failed send goes back to
  `pending` with exponential backoff (`attempts`, `next_attempt_at`); a row is never deleted.
- A claim whose deliverer died (kill -9 between claim and send) is released when its lease
  runs out. Had the server already accepted that one message, it goes out again: the stable
  `Message-ID` (one per outbox row) lets the receiving side drop the copy.
- A message may carry small text attachments (an iCalendar invitation): `queue_mail(...,
  attachments=[Attachment(...)])` keeps them in the row's `meta`, and the delivery adds each
  as a MIME part of its own.
- Messages queued with `digest=True` for a person at a host that chose the daily digest
  (`Host.digest_mail`) wait, and go out once a day as one digest mail.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import aiosmtplib
import httpx
import jinja2

from marketplace.kernel.addresses import UnsendableAddress, wire_address
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import is_sqlite, write_transaction
from marketplace.kernel.rows import AttachmentMeta, ClaimedRow, DueRow, MailMeta, MessageRow
from marketplace.kernel.settings import Settings
from marketplace.kernel.sms import SmsRefused, normalise_phone, send_sms, sms_client
from marketplace.kernel.tables import OutboxMessage

log = logging.getLogger("marketplace.kernel.mail")

TEMPLATE_DIR = Path(__file__).parent.parent / "templates" / "mail"
DELIVERY_BATCH = 200
SMTP_TIMEOUT_S = 30.0


# --- queueing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A small text attachment: an iCalendar file ("text/calendar; method=REQUEST"), say.

    `content_type` is "maintype/subtype", `params` its extra header parameters."""

    filename: str
    content_type: str
    content: str
    params: tuple[tuple[str, str], ...] = ()

    def to_meta(self) -> AttachmentMeta:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "content": self.content,
            "params": [list(p) for p in self.params],
        }

    @staticmethod
    def from_meta(raw: AttachmentMeta) -> Attachment:
        return Attachment(
            filename=str(raw["filename"]),
            content_type=str(raw["content_type"]),
            content=str(raw["content"]),
            params=tuple((str(k), str(v)) for k, v in raw.get("params", [])),
        )


async def queue_mail(
    recipient: str,
    subject: str,
    body_text: str,
    *,
    body_html: str = "",
    kind: str = "notice",
    recipient_user_id: int | None = None,
    candidate_id: int | None = None,
    dedupe_key: str | None = None,
    digest: bool = False,
    meta: MailMeta | None = None,
    attachments: list[Attachment] | None = None,
) -> bool:
    """Put one message in the outbox. With `dedupe_key`, a second call for the same key is a
    no-op (returns False), which keeps reminders idempotent.

    `candidate_id` names the participant the mail is to or about: the register extract and
    anonymisation find a person's mail by it, never by searching the text. The subject is
    kept on one line whatever it was built from (a header cannot hold a line break).
    """
    if dedupe_key and await OutboxMessage.exists().where(OutboxMessage.dedupe_key == dedupe_key):
        return False
    meta = meta.copy() if meta else {}
    if attachments:
        meta["attachments"] = [a.to_meta() for a in attachments]
    await OutboxMessage.insert(
        OutboxMessage(
            recipient=recipient.strip(),
            candidate=candidate_id,
            subject=" ".join(subject.split())[:300],
            body_text=body_text,
            body_html=body_html,
            kind=kind,
            recipient_user_id=recipient_user_id,
            dedupe_key=dedupe_key,
            digest=digest,
            meta=json.dumps(meta),
        )
    )
    return True


# --- templates -------------------------------------------------------------------------------


async def queue_sms(
    phone: str,
    message: str,
    *,
    kind: str = "notice",
    candidate_id: int | None = None,
    dedupe_key: str | None = None,
    meta: MailMeta | None = None,
) -> bool:
    """Put one SMS in the outbox, to `phone` as people write it (normalised to E.164 here:
    a number that cannot take an SMS raises `ValidationFailed` before anything is queued).
    Delivered by the same sweep as mail; `dedupe_key` and `candidate_id` as for `queue_mail`.
    """
    number = normalise_phone(phone)
    if dedupe_key and await OutboxMessage.exists().where(OutboxMessage.dedupe_key == dedupe_key):
        return False
    await OutboxMessage.insert(
        OutboxMessage(
            channel="sms",
            recipient=number,
            candidate=candidate_id,
            subject="",
            body_text=message.strip(),
            kind=kind,
            dedupe_key=dedupe_key,
            meta=json.dumps(meta or {}),
        )
    )
    return True


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def absolute_url(settings: Settings, path: str) -> str:
    """The public address of a page of the service, for links in mail."""
    return settings.base_url.rstrip("/") + "/" + path.lstrip("/")


def render_mail(template: str, settings: Settings, **context: Any) -> RenderedMail:
    """Render `mail/<template>.txt` and `.html`. The text template holds two blocks,
    `subject` and `body`. `link` in the context is made absolute against BASE_URL."""
    env = _environment()
    if "link" in context:
        context["link"] = absolute_url(settings, context["link"])
    context.setdefault("base_url", settings.base_url)
    text_template = env.get_template(f"{template}.txt")
    ctx = text_template.new_context(dict(context))
    subject = "".join(text_template.blocks["subject"](ctx)).strip()
    text = "".join(text_template.blocks["body"](ctx)).lstrip("\n")
    html = env.get_template(f"{template}.html").render(subject=subject, **context)
    return RenderedMail(subject=" ".join(subject.split()), text=text, html=html)


async def queue_template_mail(
    recipient: str,
    template: str,
    settings: Settings,
    *,
    recipient_user_id: int | None = None,
    candidate_id: int | None = None,
    dedupe_key: str | None = None,
    digest: bool = False,
    **context: Any,
) -> bool:
    """Render a Swedish template and queue it (see `queue_mail` for `dedupe_key`)."""
    if dedupe_key and await OutboxMessage.exists().where(OutboxMessage.dedupe_key == dedupe_key):
        return False
    mail = render_mail(template, settings, **context)
    meta: MailMeta = {"template": template}
    if "link" in context:
        meta["link"] = absolute_url(settings, context["link"])
    return await queue_mail(
        recipient,
        mail.subject,
        mail.text,
        body_html=mail.html,
        kind=template,
        recipient_user_id=recipient_user_id,
        candidate_id=candidate_id,
        dedupe_key=dedupe_key,
        digest=digest,
        meta=meta,
    )


# --- delivery --------------------------------------------------------------------------------


def backoff_seconds(attempts: int, settings: Settings) -> int:
    """Delay before attempt `attempts + 1`: base, 2 × base, 4 × base … capped."""
    exponent = min(max(attempts - 1, 0), 30)
    return int(min(settings.mail_retry_base_seconds * 2**exponent, settings.mail_retry_max_seconds))


def _message_id(row: MessageRow, settings: Settings) -> str:
    domain = urlsplit(settings.base_url).hostname or socket.getfqdn()
    created = row["created_at"].strftime("%Y%m%d%H%M%S")
    return f"<outbox-{row['id']}-{created}@{domain}>"


class UnbuildableMessage(ValueError):
    """An outbox row that no attempt can turn into a message (a broken header, no address)."""


class UnsendableRecipient(UnbuildableMessage):
    """An outbox row whose address no mail can be sent to: the address is to be corrected
    where it is stored, the mail server has nothing to do with it."""


def build_message(row: MessageRow, settings: Settings) -> EmailMessage:
    """The MIME message of one outbox row: text, plus HTML when there is one.

    Raises `UnbuildableMessage` when the row cannot become a valid message: such a row is
    marked failed with the reason and never holds up the others. An address no mail can go
    to (stored before `addresses.normalise_email` refused å, ä and ö before the @) is
    `UnsendableRecipient`, whose reason is the address's, in Swedish.
    """
    try:
        recipient = wire_address(row["recipient"])
    except UnsendableAddress as exc:
        raise UnsendableRecipient(str(exc)) from exc
    try:
        message = _build(row, recipient, settings)
        message.as_bytes()  # write it out now: a bad header fails here, not mid-send
    except Exception as exc:
        raise UnbuildableMessage(f"{type(exc).__name__}: {exc}") from exc
    to = message["To"]
    if not to.addresses or to.defects or any(not a.domain for a in to.addresses):
        raise UnbuildableMessage(f"Mottagarens adress är ogiltig: {row['recipient']!r}")
    return message


class _WrittenHeader(str):
    """A header value the message writes out as itself, in encoded words of its own.

    The email package's folding (Python 3.11) split a subject into encoded words with the
    space between two of them at the fold, where RFC 2047 says a reader drops it: a host's
    mail read "”Arbetsträning– fordon”". `email.header.Header` keeps every space inside an
    encoded word, so the text survives any fold; a display name is one encoded word before
    the address (`formataddr`). A server that takes SMTPUTF8 gets the text as it is. The
    policy hands a header with a `name` back as it is (`EmailPolicy.header_store_parse`),
    so reading it gives this string."""

    name: str
    written: str

    def __new__(cls, name: str, value: str, written: str) -> _WrittenHeader:
        header = super().__new__(cls, value)
        header.name, header.written = name, written
        return header

    def fold(self, *, policy: Policy) -> str:
        text = str(self) if getattr(policy, "utf8", False) else self.written
        return f"{self.name}: {text}{policy.linesep}"


def _subject(subject: str) -> str:
    """The Subject header: as it is in ASCII, else in encoded words that keep every space."""
    if subject.isascii():
        return subject
    written = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    return _WrittenHeader("Subject", subject, written)


def _sender(mail_from: str) -> str:
    """The From header: a display name outside ASCII as one encoded word before the address."""
    name, address = parseaddr(mail_from)
    if name.isascii() or not address:
        return mail_from
    return _WrittenHeader("From", mail_from, formataddr((name, address), charset="utf-8"))


def _build(row: MessageRow, recipient: str, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = _sender(settings.mail_from)
    message["To"] = recipient
    message["Subject"] = _subject(row["subject"])
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = _message_id(row, settings)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row["body_text"])
    if row["body_html"]:
        message.add_alternative(row["body_html"], subtype="html")
    for attachment in attachments_of(row):
        # Text attachments only (the content is a str): "text/calendar" → subtype "calendar".
        message.add_attachment(
            attachment.content,
            subtype=attachment.content_type.partition("/")[2],
            filename=attachment.filename,
            params=dict(attachment.params),
        )
    return message


def attachments_of(row: MessageRow) -> list[Attachment]:
    """The attachments kept in an outbox row's `meta` (none for most rows)."""
    raw = row.get("meta")
    meta = raw if isinstance(raw, dict) else json.loads(raw or "{}")
    return [Attachment.from_meta(a) for a in meta.get("attachments", [])]


async def _release_expired_leases(now: dt.datetime, settings: Settings) -> int:
    """Rows claimed by a deliverer that died go back to `pending`. A row that has used up
    its attempts is marked failed instead: a message that kills its deliverer each time
    cannot stay in `sending`, or come back, for ever."""
    expired = (OutboxMessage.status == "sending") & (OutboxMessage.next_attempt_at <= now)
    gave_up = await (
        OutboxMessage.update(
            {
                OutboxMessage.status: "failed",
                OutboxMessage.last_error: "Leveransen avbröts och försöken är slut.",
            }
        )
        .where(expired & (OutboxMessage.attempts >= settings.mail_max_attempts))
        .returning(OutboxMessage.id)
    )
    rows = await (
        OutboxMessage.update(
            {OutboxMessage.status: "pending", OutboxMessage.last_error: "Leveransen avbröts."}
        )
        .where(expired)
        .returning(OutboxMessage.id)
    )
    return len(rows) + len(gave_up)


DigestSource = Callable[[], Awaitable[set[str]]]
# Who chose the daily digest is a domain's knowledge (employers: hosts and their contacts);
# the domain registers its source here, so that the kernel imports no domain package.
_DIGEST_SOURCES: dict[str, DigestSource] = {}


def add_digest_source(name: str, source: DigestSource) -> None:
    """Register (or replace) a source of e-mail addresses that receive the daily digest."""
    _DIGEST_SOURCES[name] = source


async def digest_recipients() -> set[str]:
    """E-mail addresses (casefolded) that chose the digest, from every registered source."""
    found: set[str] = set()
    for source in _DIGEST_SOURCES.values():
        found |= await source()
    return found


async def _due_rows(now: dt.datetime, held: set[str], limit: int) -> list[DueRow]:
    """Pending rows due now, oldest first, leaving out those waiting for a digest."""
    query = (
        OutboxMessage.select(
            OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.digest, OutboxMessage.channel
        )
        .where(
            (OutboxMessage.status == "pending")
            & (OutboxMessage.next_attempt_at <= now)
            & OutboxMessage.digest.eq(False)
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    rows = cast("list[DueRow]", list(await query))
    # Digest-flagged mail to anyone not at a digest host goes out at once.
    digest_rows = cast(
        "list[DueRow]",
        await OutboxMessage.select(
            OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.digest, OutboxMessage.channel
        )
        .where(
            (OutboxMessage.status == "pending")
            & (OutboxMessage.next_attempt_at <= now)
            & OutboxMessage.digest.eq(True)
        )
        .order_by(OutboxMessage.id),
    )
    rows += [r for r in digest_rows if r["recipient"].strip().casefold() not in held]
    rows.sort(key=lambda r: r["id"])
    return rows[:limit]


async def _claim(row_id: int, now: dt.datetime, settings: Settings) -> ClaimedRow | None:
    """Take one pending row for this deliverer, or None if another took it first."""
    lease_until = now + dt.timedelta(seconds=settings.mail_lease_seconds)
    rows = await (
        OutboxMessage.update(
            {
                OutboxMessage.status: "sending",
                OutboxMessage.attempts: OutboxMessage.attempts + 1,
                OutboxMessage.next_attempt_at: lease_until,
            }
        )
        .where(
            (OutboxMessage.id == row_id)
            & (OutboxMessage.status == "pending")
            & (OutboxMessage.next_attempt_at <= now)
        )
        .returning(
            OutboxMessage.id,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.body_text,
            OutboxMessage.body_html,
            OutboxMessage.attempts,
            OutboxMessage.created_at,
            OutboxMessage.channel,
            OutboxMessage.meta,
        )
    )
    return cast("ClaimedRow", rows[0]) if rows else None


async def _mark_sent(row_id: int, now: dt.datetime) -> None:
    await OutboxMessage.update(
        {OutboxMessage.status: "sent", OutboxMessage.sent_at: now, OutboxMessage.last_error: ""}
    ).where((OutboxMessage.id == row_id) & (OutboxMessage.status == "sending"))


async def _mark_failed(row_id: int, now: dt.datetime, error: str) -> None:
    """A claimed row that can never be sent: failed, kept, with the reason."""
    await OutboxMessage.update(
        {
            OutboxMessage.status: "failed",
            OutboxMessage.next_attempt_at: now,
            OutboxMessage.last_error: error[:2000],
        }
    ).where((OutboxMessage.id == row_id) & (OutboxMessage.status == "sending"))


async def _mark_retry(
    row: ClaimedRow, now: dt.datetime, settings: Settings, error: str, *, permanent: bool
) -> str:
    """Put a claimed row back for a later attempt, or mark it failed (kept) when the server
    refuses it permanently and the attempts are used up. Returns the new status."""
    give_up = permanent and row["attempts"] >= settings.mail_max_attempts
    status = "failed" if give_up else "pending"
    delay = dt.timedelta(seconds=backoff_seconds(row["attempts"], settings))
    await OutboxMessage.update(
        {
            OutboxMessage.status: status,
            OutboxMessage.next_attempt_at: now + delay,
            OutboxMessage.last_error: error[:2000],
        }
    ).where((OutboxMessage.id == row["id"]) & (OutboxMessage.status == "sending"))
    return status


def _describe(exc: BaseException) -> tuple[str, bool]:
    """A one-line error and whether the server refused the message for good (5xx)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        return f"Mottagaren nekades: {exc}", all(c >= 500 for c in codes)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"SMTP {exc.code}: {exc.message}", exc.code >= 500
    return f"{type(exc).__name__}: {exc}", False


_CONNECTION_ERRORS = (
    OSError,
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
)


def _smtp_client(settings: Settings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_user or None,
        password=settings.smtp_password or None,
        start_tls=settings.smtp_starttls,
        timeout=SMTP_TIMEOUT_S,
    )


# Whether the last delivery run found the SMTP server unreachable (per process), so that an
# outage is logged once when it starts and once when it ends.
_SMTP_STATE = {"down": False}


async def deliver_outbox(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Send every due outbox message once over SMTP, and build the day's digests.

    Safe to run in several processes at once: each row is claimed by exactly one.
    """
    counts = {"sent": 0, "retried": 0, "failed": 0, "released": 0, "digests": 0}
    counts["released"] = await _release_expired_leases(now, settings)
    held = await digest_recipients()
    counts["digests"] = await build_digests(now, settings, held)
    due = await _due_rows(now, held, DELIVERY_BATCH)
    if not due:
        return counts
    smtp = _smtp_client(settings)
    connected = False
    sms: httpx.AsyncClient | None = None
    # A server that does not answer leaves the rest of its channel unclaimed for next time.
    sms_down = smtp_down = False
    for candidate in due:
        if sms_down if candidate["channel"] == "sms" else smtp_down:
            continue
        row = await _claim(candidate["id"], now, settings)
        if row is None:
            continue  # another deliverer has it
        if row["channel"] == "sms":
            sms = sms or sms_client(settings)
            outcome = await _deliver_sms(sms, row, now, settings)
            sms_down = outcome == "down"
            counts["retried" if sms_down else outcome] += 1
            continue
        try:
            message = build_message(row, settings)
        except UnsendableRecipient as exc:
            log.warning("Outbox message %s has an address no mail can go to", row["id"])
            await _mark_failed(row["id"], now, str(exc))
            counts["failed"] += 1
            continue
        except UnbuildableMessage as exc:
            log.warning("Outbox message %s cannot be built: %s", row["id"], exc)
            await _mark_failed(row["id"], now, f"Meddelandet kunde inte byggas: {exc}")
            counts["failed"] += 1
            continue
        try:
            if not connected:
                await smtp.connect()
                connected = True
            await smtp.send_message(message)
        except (ValueError, TypeError, UnicodeError) as exc:
            # aiosmtplib refused the message itself before sending it (an address it cannot
            # encode, say): no later attempt can do better.
            log.warning("Outbox message %s refused before sending: %s", row["id"], exc)
            await _mark_failed(row["id"], now, f"Meddelandet kunde inte skickas: {exc}")
            counts["failed"] += 1
            continue
        except (aiosmtplib.SMTPException, OSError) as exc:
            error, permanent = _describe(exc)
            status = await _mark_retry(row, now, settings, error, permanent=permanent)
            counts["failed" if status == "failed" else "retried"] += 1
            if isinstance(exc, _CONNECTION_ERRORS):
                # One line per outage, not one per delivery run.
                if not _SMTP_STATE["down"]:
                    log.warning(
                        "Mail cannot be sent: the SMTP server does not answer (%s). The mail "
                        "waits in the outbox and goes out when the server is back.",
                        error,
                    )
                _SMTP_STATE["down"] = True
                smtp_down = True  # the other mail stays pending, unclaimed, for next time
            continue
        await _mark_sent(row["id"], now)
        counts["sent"] += 1
        if _SMTP_STATE["down"]:
            _SMTP_STATE["down"] = False
            log.warning("The SMTP server answers again; queued mail is being sent.")
    if connected:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()
    if sms is not None:
        await sms.aclose()
    return counts


async def _deliver_sms(
    client: httpx.AsyncClient, row: ClaimedRow, now: dt.datetime, settings: Settings
) -> str:
    """Send one claimed SMS row; returns sent, retried or failed, or "down" (retried) when the
    gateway cannot be reached or is not configured, so that the other SMS wait unclaimed.
    """
    if not settings.sms_url:
        error = "Ingen sms-tjänst är inställd (SMS_URL)."
        await _mark_retry(row, now, settings, error, permanent=False)
        return "down"
    try:
        gateway_id = await send_sms(client, settings, row["recipient"], row["body_text"])
    except SmsRefused as exc:
        if exc.malformed:
            await _mark_failed(row["id"], now, str(exc))
            return "failed"
        status = await _mark_retry(row, now, settings, str(exc), permanent=exc.permanent)
        return "failed" if status == "failed" else "retried"
    except httpx.HTTPError as exc:
        error = f"SMS-tjänsten svarar inte: {type(exc).__name__}: {exc}"
        log.warning("SMS %s not sent: %s", row["id"], error)
        await _mark_retry(row, now, settings, error, permanent=False)
        return "down"
    await _mark_sent(row["id"], now)
    if gateway_id:
        log.info("SMS %s sent, gateway id %s", row["id"], gateway_id)
    return "sent"


# --- daily digest ----------------------------------------------------------------------------


async def build_digests(now: dt.datetime, settings: Settings, held: set[str]) -> int:
    """Once a day, from DIGEST_HOUR (Stockholm), gather each digest recipient's waiting
    messages into one new outbox message. Returns how many digests were queued."""
    local = now.astimezone(STOCKHOLM)
    if local.hour < settings.digest_hour or not held:
        return 0
    waiting = await OutboxMessage.select(OutboxMessage.recipient).where(
        (OutboxMessage.status == "pending") & OutboxMessage.digest.eq(True)
    )
    recipients = sorted(
        {r["recipient"] for r in waiting if r["recipient"].strip().casefold() in held}
    )
    built = 0
    for recipient in recipients:
        if await _build_one_digest(recipient, local.date(), settings):
            built += 1
    return built


_WAITING_SQLITE = (
    "SELECT id, subject, body_text, meta FROM mp_outbox "
    "WHERE status = 'pending' AND digest = {} AND recipient = {} ORDER BY id"
)
_WAITING_POSTGRES = _WAITING_SQLITE + " FOR UPDATE"


async def _build_one_digest(recipient: str, day: dt.date, settings: Settings) -> bool:
    key = f"digest:{recipient.strip().casefold()}:{day.isoformat()}"
    engine = OutboxMessage._meta.db
    async with write_transaction(engine):
        # Lock the waiting rows first: a concurrent builder waits here, then finds the
        # digest already made (and the rows no longer pending).
        rows = await OutboxMessage.raw(
            _WAITING_SQLITE if is_sqlite(engine) else _WAITING_POSTGRES, True, recipient
        )
        if not rows or await OutboxMessage.exists().where(OutboxMessage.dedupe_key == key):
            return False
        items = []
        for row in rows:
            meta = row["meta"] if isinstance(row["meta"], dict) else json.loads(row["meta"] or "{}")
            items.append(
                {"subject": row["subject"], "link": meta.get("link", ""), "text": row["body_text"]}
            )
        mail = render_mail("digest", settings, items=items, day=day)
        await OutboxMessage.insert(
            OutboxMessage(
                recipient=recipient,
                subject=mail.subject,
                body_text=mail.text,
                body_html=mail.html,
                kind="digest",
                dedupe_key=key,
                digest=False,
                meta=json.dumps({"template": "digest", "messages": [r["id"] for r in rows]}),
            )
        )
        ids = [r["id"] for r in rows]
        await OutboxMessage.update({OutboxMessage.status: "digested"}).where(
            OutboxMessage.id.is_in(ids) & (OutboxMessage.status == "pending")
        )
    return True
