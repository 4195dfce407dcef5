"""Queueing mail. Notifications go to the outbox table in the caller's transaction; a
scheduled job delivers them over SMTP (see the scheduler), so a change and its mail commit
or roll back together."""

from __future__ import annotations

import json
from typing import Any

from marketplace.tables import OutboxMessage


async def queue_mail(
    recipient: str,
    subject: str,
    body_text: str,
    *,
    body_html: str = "",
    kind: str = "notice",
    recipient_user_id: int | None = None,
    dedupe_key: str | None = None,
    digest: bool = False,
    meta: dict[str, Any] | None = None,
) -> bool:
    """Put one message in the outbox. With `dedupe_key`, a second call for the same key is a
    no-op (returns False), which keeps reminders idempotent."""
    if dedupe_key and await OutboxMessage.exists().where(OutboxMessage.dedupe_key == dedupe_key):
        return False
    await OutboxMessage.insert(
        OutboxMessage(
            recipient=recipient,
            subject=subject[:300],
            body_text=body_text,
            body_html=body_html,
            kind=kind,
            recipient_user_id=recipient_user_id,
            dedupe_key=dedupe_key,
            digest=digest,
            meta=json.dumps(meta or {}),
        )
    )
    return True
