"""The outbox rows the mail delivery selects and passes between its functions, and the
`meta` a message keeps, as `TypedDict`s.

As in `placements.rows`: Piccolo hands every row back as `dict[str, Any]`; the delivery says
which shape it got where it selects (`typing.cast`) and every function after that takes the
shape; so do the admins' user and audit pages with theirs. The JSON column `meta` is its text, as both engines hand it back; `MailMeta` is what
the text holds. `tests/marketplace/test_rows.py` checks the rows against the table. Pure: no
database.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict


class AuditEntryRow(TypedDict):
    """An audit row (`mp_audit`), every column."""

    id: int
    at: dt.datetime
    actor_id: int | None
    actor_label: str
    subject_type: str
    subject_id: int | None
    action: str
    detail: str


class PasswordLinkRow(TypedDict):
    """A link to set a password (`mp_password_link`), every column."""

    id: int
    user: int
    token_hash: str
    created_by: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None


class AttachmentMeta(TypedDict):
    """An attachment as `meta` keeps it (`mail.Attachment.to_meta`)."""

    filename: str
    content_type: str
    content: str
    params: list[list[str]]


class MailMeta(TypedDict, total=False):
    """What a message's `meta` may hold: the template it was rendered from and its link, its
    attachments, the messages a digest gathered, and the ids of what it is about (for the
    people who read the outbox)."""

    template: str
    link: str
    attachments: list[AttachmentMeta]
    messages: list[int]
    method: str
    booking_id: int
    application_id: int
    host_id: int
    invitation_id: int


class DueRow(TypedDict):
    """A message due for delivery, before it is claimed (`mail._due_rows`)."""

    id: int
    recipient: str
    digest: bool
    channel: str


class MessageRow(TypedDict):
    """What a mail is built from (`mail.build_message`)."""

    id: int
    recipient: str
    subject: str
    body_text: str
    body_html: str
    created_at: dt.datetime
    meta: str


class ClaimedRow(MessageRow):
    """A message a deliverer claimed (`mail._claim`): the mail, its channel and attempts."""

    attempts: int
    channel: str


class OutboxRow(ClaimedRow):
    """A message in the outbox (`mp_outbox`), every column."""

    recipient_user_id: int | None
    candidate: int | None
    kind: str
    dedupe_key: str | None
    digest: bool
    status: str
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str
