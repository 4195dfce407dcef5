"""Which failed mails a corrected address brings back (`undelivered.resend_to_corrected`),
row by row: only the user's own mails to the old address that failed for that address.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from admin.services import undelivered
from marketplace.kernel.tables import OutboxMessage
from tests.builders import make_user

NOW = dt.datetime.now(dt.UTC)
OLD, NEW = "kim@gamla.example.se", "kim@nya.example.se"


async def _failed(user_id: int, recipient: str, error: str) -> int:
    row = OutboxMessage(
        recipient=recipient,
        recipient_user_id=user_id,
        subject="Påminnelse",
        body_text="Hej!",
        kind="notice",
        status="failed",
        attempts=5,
        last_error=error,
    )
    await row.save()
    return int(row.id)


async def test_only_mails_that_failed_for_the_old_address_are_sent_again():
    user = await make_user("coordinator")
    refused = await _failed(user.id, OLD, f"{undelivered.REFUSED}: 550 okänd brevlåda")
    busy = await _failed(user.id, OLD, "Servern svarade inte (timeout)")
    elsewhere = await _failed(user.id, "kim@tredje.example.se", f"{undelivered.REFUSED}: 550")
    # No old address, the same address, or no new one: nothing to send again.
    assert await undelivered.resend_to_corrected(user.id, "", NEW, NOW) == 0
    assert await undelivered.resend_to_corrected(user.id, OLD, OLD.upper(), NOW) == 0
    assert await undelivered.resend_to_corrected(user.id, OLD, " ", NOW) == 0
    assert await undelivered.resend_to_corrected(user.id, OLD, NEW, NOW) == 1
    rows = {
        r["id"]: (r["recipient"], r["status"])
        for r in await OutboxMessage.select(
            OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.status
        )
    }
    assert rows[refused] == (NEW, "pending")
    # A server that did not answer says nothing of the address; another address is not this
    # correction's to send to.
    assert rows[busy] == (OLD, "failed")
    assert rows[elsewhere] == ("kim@tredje.example.se", "failed")
