"""The outbox page (`/drift/utkorg`): every mail the service has queued, newest first, for
admins, searched by recipient or subject and filtered by status. In development, where no
mail server may be running, it is where sent mail is seen.

Reading one mail writes an audit row: against the participant it concerns (the outbox row
names them in `candidate`), as every other read of a participant's data does, else against
the user it went to. The secret of every single-use link is hidden from the page in every
environment (`admin.services.link_secrets`).

Why a mail has not gone out is said by its cause (`admin.services.undelivered.failure`): a
mail failed for its address is said in Swedish, and its page names whose record holds the
address and where it is corrected (a participant named there is a read of their record,
audited as the mail's is); the server's own answer is shown as it came, in English.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from admin.services import undelivered
from admin.services.link_secrets import hide_link_tokens
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser, admin_only, current_user
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import NotFound
from marketplace.kernel.paging import check_page
from marketplace.kernel.tables import OutboxMessage
from placements.services import people_search

PER_PAGE = 50
# A search longer than any address and subject together finds nothing more.
MAX_QUERY = 500
MESSAGE_NOT_FOUND = "Meddelandet finns inte i utkorgen."
STATUS_TEXT = {
    "pending": "Väntar på att skickas",
    "sending": "Skickas just nu",
    "sent": "Skickat",
    "failed": "Kunde inte skickas",
    "digested": "Ingår i en dagssammanfattning",
}
READ_ACTION = "outbox.read"
_LIST_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.created_at,
    OutboxMessage.channel,
    OutboxMessage.recipient,
    OutboxMessage.subject,
    OutboxMessage.status,
    OutboxMessage.attempts,
    OutboxMessage.sent_at,
    OutboxMessage.last_error,
)


def _page(
    template: str, request: Request[Any, Any, Any], *, status_code: int = 200, **context: Any
) -> Template:
    return Template(
        template,
        context={
            "user": current_user(request),
            "request": request,
            "status_text": STATUS_TEXT,
            "local": _local,
            "failure": undelivered.failure,
            **context,
        },
        status_code=status_code,
    )


def _local(moment: dt.datetime | None) -> str:
    """A time in Swedish local time, to the second; a dash for none."""
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S") if moment else "–"


@get("/drift/utkorg", guards=[admin_only], include_in_schema=False, name="outbox-page")
async def outbox_page(
    request: Request[AuthUser, Any, Any],
    sok: Annotated[str, QueryParameter(max_length=MAX_QUERY)] = "",
    status: Annotated[str, QueryParameter(max_length=20)] = "",
    sida: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
) -> Template:
    """Every queued mail, newest first, a page at a time: recipient, subject, status, times
    and the reason of a failure; those whose recipient or subject hold every word searched
    for (å, ä and ö optional, as the name search), and of one status if chosen (an unknown
    status is no filter). The body is shown when a mail is opened."""
    words = people_search.query_words(sok)
    chosen = status if status in STATUS_TEXT else ""
    where: list[Any] = []
    if words:
        where.append(
            people_search.text_matches([OutboxMessage.recipient, OutboxMessage.subject], words)
        )
    if chosen:
        where.append(OutboxMessage.status == chosen)
    count, query = OutboxMessage.count(), OutboxMessage.select(*_LIST_COLUMNS)
    if where:
        count, query = count.where(*where), query.where(*where)
    total = int(await count)
    all_mail = total if not where else int(await OutboxMessage.count())
    pages = check_page(sida, total, PER_PAGE)
    page_no = sida
    rows = (
        await query.order_by(OutboxMessage.created_at, ascending=False)
        .order_by(OutboxMessage.id, ascending=False)
        .limit(PER_PAGE)
        .offset((page_no - 1) * PER_PAGE)
    )
    return _page(
        "admin/outbox.html",
        request,
        rows=rows,
        total=total,
        all_mail=all_mail,
        page_no=page_no,
        pages=pages,
        filters={"sok": sok.strip(), "status": chosen},
        filtered=bool(where),
        query=urlencode({"sok": sok.strip(), "status": chosen}),
        status_choices=[("", "Alla"), *STATUS_TEXT.items()],
    )


@get(
    "/drift/utkorg/{message_id:int}",
    guards=[admin_only],
    include_in_schema=False,
    name="outbox-message",
)
async def outbox_message(
    request: Request[AuthUser, Any, Any], message_id: FromPath[int]
) -> Template:
    """One mail with its text, the secret of every single-use link hidden, in every
    environment: a password link read here let an admin set another user's password and act
    as them (in development, where the links were shown). Every read leaves an audit row:
    against the participant a mail concerns, else the user it went to."""
    async with write_transaction(OutboxMessage._meta.db):
        row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
        if row is None:
            raise NotFound(MESSAGE_NOT_FOUND)
        detail = f"utkorgens meddelande {message_id}"
        if row["candidate"] is not None:
            await record(request.user, READ_ACTION, int(row["candidate"]), detail=detail)
        else:
            user_id = row["recipient_user_id"]
            await record(
                request.user,
                READ_ACTION,
                int(user_id) if user_id is not None else None,
                subject_type="user",
                detail=detail,
            )
        failed = undelivered.failure(row["channel"], row["recipient"], row["last_error"])
        holders: list[undelivered.Holder] = []
        if failed is not None and failed.cause == "address":
            holders = await undelivered.holders([row["recipient"]])
            for holder in holders:
                if holder.candidate_id is not None and holder.candidate_id != row["candidate"]:
                    await record(request.user, READ_ACTION, holder.candidate_id, detail=detail)
    row = {**row, "body_text": hide_link_tokens(row["body_text"])}
    return _page(
        "admin/outbox_message.html",
        request,
        mail=row,
        links_hidden=True,
        failed=failed,
        holders=holders,
        not_sent=undelivered.NOT_SENT_FOR_ADDRESS,
        address_gone=undelivered.ADDRESS_GONE,
        after_fix=undelivered.AFTER_FIX,
    )


ROUTES = [outbox_page, outbox_message]
