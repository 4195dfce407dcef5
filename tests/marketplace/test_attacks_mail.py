"""Attacks on mail (issue 13, item 7): a line break in a header value stopped mail for good.

A CR/LF in a slot title or a contact address made the message impossible to build; the
delivery run aborted and the claimed mails stayed in `sending`. Now such text is refused at
input, a subject is kept on one line when queued, and a row that cannot be built is marked
failed with its reason while the rest of the run is delivered (real SMTP server, aiosmtpd).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from marketplace.kernel.mail import deliver_outbox, queue_mail
from marketplace.kernel.tables import OutboxMessage
from tests.builders import add_member, make_host, make_outbox_message
from tests.conftest import login

MORNING = dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC)


async def _raw(recipient: str, subject: str, **extra) -> int:
    """An outbox row as old code or a direct write could have left it (no cleaning)."""
    return await make_outbox_message(recipient, subject, "Text", **extra)


async def _by_id() -> dict[int, dict]:
    return {r["id"]: r for r in await OutboxMessage.select().order_by(OutboxMessage.id)}


async def test_an_unbuildable_message_fails_with_its_reason_and_the_rest_go_out(smtp):
    settings = smtp.settings()
    with time_machine.travel(MORNING, tick=False):
        first = await _raw("forsta@example.se", "Första")
        bad_subject = await _raw("andra@example.se", "Kock\r\nBcc: alla@example.se")
        bad_recipient = await _raw("tredje@example.se\r\nBcc: alla@example.se", "Tredje")
        no_address = await _raw("inte en adress", "Fjärde")
        last = await _raw("femte@example.se", "Femte")
        result = await deliver_outbox(MORNING, settings)
    assert result["sent"] == 2 and result["failed"] == 3
    rows = await _by_id()
    assert [rows[i]["status"] for i in (first, last)] == ["sent", "sent"]
    for broken in (bad_subject, bad_recipient, no_address):
        assert rows[broken]["status"] == "failed"
    for broken in (bad_subject, bad_recipient):
        assert rows[broken]["last_error"].startswith("Meddelandet kunde inte byggas")
    # No address at all is said as the address's fault, in Swedish.
    assert rows[no_address]["last_error"] == (
        "Adressen går inte att skicka e-post till: den saknar en del före och efter @."
    )
    assert not await OutboxMessage.exists().where(OutboxMessage.status == "sending")
    assert sorted(r.recipients[0] for r in smtp.inbox.received) == [
        "femte@example.se",
        "forsta@example.se",
    ]
    assert all("Bcc" not in r.message for r in smtp.inbox.received)
    # The next run has nothing left to do and does not trip over the failed rows.
    later = MORNING + dt.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        again = await deliver_outbox(later, settings)
    assert again["sent"] == 0 and again["failed"] == 0
    assert len(smtp.inbox.received) == 2


async def test_mail_stuck_in_sending_is_recovered(smtp):
    """Rows left in `sending` by the old code (it aborted mid-run) come back when their
    lease runs out: a good one is delivered, a broken one is failed, and a row whose every
    attempt killed its deliverer is given up instead of coming back for ever."""
    settings = smtp.settings(mail_lease_seconds=300, mail_max_attempts=3)
    lease_over = MORNING - dt.timedelta(seconds=1)
    with time_machine.travel(MORNING, tick=False):
        good = await _raw("kvar@example.se", "Kvar", status="sending", attempts=1)
        broken = await _raw("x@example.se", "Rad\nBcc: y@example.se", status="sending", attempts=1)
        poison = await _raw("gift@example.se", "Gift", status="sending", attempts=3)
        await OutboxMessage.update({OutboxMessage.next_attempt_at: lease_over}, force=True)
        result = await deliver_outbox(MORNING, settings)
    rows = await _by_id()
    assert (rows[good]["status"], rows[broken]["status"], rows[poison]["status"]) == (
        "sent",
        "failed",
        "failed",
    )
    assert "försöken är slut" in rows[poison]["last_error"]
    assert result["released"] == 3 and result["sent"] == 1
    assert [r.recipients for r in smtp.inbox.received] == [["kvar@example.se"]]


async def test_a_subject_is_kept_on_one_line_when_queued(smtp):
    settings = smtp.settings()
    with time_machine.travel(MORNING, tick=False):
        await queue_mail(" ida@example.se ", "Plats: Kock\r\nBcc: alla@example.se", "Text")
        result = await deliver_outbox(MORNING, settings)
    assert result["sent"] == 1
    [mail] = smtp.inbox.received
    assert mail.recipients == ["ida@example.se"]
    assert mail.message["Subject"] == "Plats: Kock Bcc: alla@example.se"
    assert "Bcc" not in mail.message


@pytest.mark.parametrize("title", ["Kock\r\nBcc: alla@example.se", "Kock\nX", "Kock\rX"])
async def test_a_line_break_in_a_header_value_is_refused_at_input(client, make_user, title):
    user = await make_user("host", username="henrik")
    host = await make_host("Radbrytning AB", "company")
    await add_member(user.id, host)
    await login(client, "henrik")
    body = {"host_id": host, "kind": "praktik", "title": title, "town": "Vårgårda", "capacity": 1}
    created = await client.post("/api/v1/slots", json=body)
    assert created.status_code == 400
    assert created.json()["fields"] == ["title"]
    assert "radbrytningar" in created.json()["detail"]
    good = await client.post("/api/v1/slots", json={**body, "title": "Kock"})
    assert good.status_code == 201
    edited = await client.patch(f"/api/v1/slots/{good.json()['id']}", json={"title": title})
    assert edited.status_code == 400 and edited.json()["fields"] == ["title"]
    named = await client.patch(f"/api/v1/hosts/{host}", json={"name": title})
    assert named.status_code == 400 and named.json()["fields"] == ["name"]
    contact = await client.post(
        f"/api/v1/hosts/{host}/contacts", json={"name": title, "email": "kim@example.se"}
    )
    assert contact.status_code == 400 and contact.json()["fields"] == ["name"]


async def test_an_import_refuses_line_breaks_and_bad_supervisor_addresses():
    from employers.tables import Contact
    from placements import exchange
    from placements.tables import Slot

    def row(n: int, **extra) -> dict:
        return {
            "external_id": f"rad-{n}",
            "host": {"name": "Import AB", "kind": "company"},
            "kind": "praktik",
            "title": "Lagerarbetare",
            "town": "Vårgårda",
            "capacity": 1,
            **extra,
        }

    rows = [
        row(1, title="Kock\r\nBcc: alla@example.se"),
        row(2, supervisor={"name": "Maja", "email": "maja@example.se\nBcc: x@example.se"}),
        row(3, supervisor={"name": "Maja\nBerg", "email": "maja@example.se"}),
        row(4, supervisor={"name": "Maja Berg", "email": "Maja.Berg@Example.SE"}),
    ]
    import json as _json

    data = "".join(_json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    report = await exchange.import_slots(data, "jsonl")
    assert not report.written
    assert {(e.line, e.field) for e in report.errors} == {
        (1, "title"),
        (2, "supervisor.email"),
        (3, "supervisor.name"),
    }
    reasons = {e.field: e.reason for e in report.errors}
    assert reasons["title"] == "Får inte innehålla radbrytningar."
    assert reasons["supervisor.email"] == "Ska vara en e-postadress som namn@exempel.se."
    done = await exchange.import_slots(data, "jsonl", skip_bad_rows=True)
    assert done.created == 1 and await Slot.count() == 1
    assert [r["email"] for r in await Contact.select(Contact.email)] == ["maja.berg@example.se"]
