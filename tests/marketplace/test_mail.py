"""Outbox delivery over a real SMTP server on loopback: recipients, links, retries, digests."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import time_machine

from marketplace.kernel.mail import deliver_outbox, queue_mail, queue_template_mail, render_mail
from marketplace.kernel.tables import OutboxMessage
from tests import builders

# 09:00 in Stockholm (UTC+1 in January).
MORNING = dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC)


async def statuses() -> dict[str, str]:
    rows = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.status)
    return {r["recipient"]: r["status"] for r in rows}


async def test_render_is_swedish_escaped_and_links_to_base_url(smtp):
    settings = smtp.settings(base_url="https://praktik.vargarda.se")
    mail = render_mail(
        "proposal_reminder", settings, slot_title="Kök & <servering>", days=4, link="/vard/x/7"
    )
    assert (
        mail.subject
        == "Påminnelse: ett förslag till platsen ”Kök & <servering>” väntar på ert svar"
    )
    assert "https://praktik.vargarda.se/vard/x/7" in mail.text
    assert '<a href="https://praktik.vargarda.se/vard/x/7">' in mail.html
    assert "Kök &amp; &lt;servering&gt;" in mail.html
    assert '<html lang="sv">' in mail.html


async def test_mail_arrives_once_with_recipient_text_html_and_link(smtp):
    settings = smtp.settings(base_url="https://praktik.vargarda.se")
    with time_machine.travel(MORNING, tick=False):
        await queue_template_mail(
            "sara@kommun.example.se",
            "follow_up_due",
            settings,
            days=90,
            exit_date="2025-10-17",
            due_date="2026-01-15",
            link="/arbetsbord/deltagare/12#uppfoljning-3",
        )
        first = await deliver_outbox(MORNING, settings)
        second = await deliver_outbox(MORNING, settings)
    assert first["sent"] == 1 and second["sent"] == 0
    [mail] = smtp.inbox.received
    assert mail.recipients == ["sara@kommun.example.se"]
    assert mail.message["Subject"] == "Dags för uppföljning efter 90 dagar"
    assert mail.message["Message-ID"].startswith("<outbox-")
    link = "https://praktik.vargarda.se/arbetsbord/deltagare/12#uppfoljning-3"
    assert link in mail.text
    assert f'href="{link}"' in mail.html
    [row] = await OutboxMessage.select()
    assert row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"] == MORNING


async def test_server_down_loses_nothing_and_back_up_delivers_each_once(smtp):
    settings = smtp.settings()
    smtp.stop()
    with time_machine.travel(MORNING, tick=False):
        for n in range(3):
            await queue_mail(f"person{n}@example.se", f"Meddelande {n}", "Hej!")
        down = await deliver_outbox(MORNING, settings)
        assert down["sent"] == 0 and down["retried"] == 1  # the first failure stops the batch
        assert set((await statuses()).values()) == {"pending"}
        [failed] = await OutboxMessage.select().where(OutboxMessage.attempts == 1)
        assert failed["next_attempt_at"] == MORNING + dt.timedelta(seconds=60)
        assert failed["last_error"]
    later = MORNING + dt.timedelta(seconds=30)
    with time_machine.travel(later, tick=False):
        await deliver_outbox(later, settings)  # still down
    smtp.start()
    back = MORNING + dt.timedelta(minutes=5)
    with time_machine.travel(back, tick=False):
        assert (await deliver_outbox(back, settings))["sent"] == 3
        assert (await deliver_outbox(back, settings))["sent"] == 0
    assert sorted(r.recipients[0] for r in smtp.inbox.received) == [
        "person0@example.se",
        "person1@example.se",
        "person2@example.se",
    ]
    assert set((await statuses()).values()) == {"sent"}


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(smtp):
    settings = smtp.settings()
    smtp.stop()
    handler = _Lines()
    logging.getLogger("marketplace").addHandler(handler)
    moment = MORNING
    with time_machine.travel(moment, tick=False):
        await queue_mail("a@example.se", "Ämne", "Text")
    for _ in range(3):  # three failed runs, each retrying the due message
        with time_machine.travel(moment, tick=False):
            assert (await deliver_outbox(moment, settings))["retried"] == 1
        [row] = await OutboxMessage.select()
        moment = row["next_attempt_at"]
    smtp.start()
    with time_machine.travel(moment, tick=False):
        assert (await deliver_outbox(moment, settings))["sent"] == 1
    logging.getLogger("marketplace").removeHandler(handler)
    lines = handler.lines
    assert sum("does not answer" in line for line in lines) == 1, lines
    assert sum("answers again" in line for line in lines) == 1


async def test_backoff_doubles_between_attempts(smtp):
    settings = smtp.settings()
    smtp.stop()
    with time_machine.travel(MORNING, tick=False):
        await queue_mail("a@example.se", "Ämne", "Text")
    moment = MORNING
    delays = []
    for _ in range(4):
        with time_machine.travel(moment, tick=False):
            await deliver_outbox(moment, settings)
        [row] = await OutboxMessage.select()
        delays.append((row["next_attempt_at"] - moment).total_seconds())
        moment = row["next_attempt_at"]
    assert delays == [60, 120, 240, 480]


async def test_two_deliverers_at_once_send_each_message_once(smtp):
    settings = smtp.settings()
    with time_machine.travel(MORNING, tick=False):
        for n in range(20):
            await queue_mail(f"p{n}@example.se", f"Meddelande {n}", "Hej!")
        results = await asyncio.gather(
            deliver_outbox(MORNING, settings), deliver_outbox(MORNING, settings)
        )
    assert sum(r["sent"] for r in results) == 20
    assert len(smtp.inbox.received) == 20
    assert len({r.recipients[0] for r in smtp.inbox.received}) == 20


async def test_claim_of_a_dead_deliverer_is_retried_after_its_lease(smtp):
    settings = smtp.settings(mail_lease_seconds=300)
    with time_machine.travel(MORNING, tick=False):
        await queue_mail("kvar@example.se", "Ämne", "Text")
        # A deliverer claimed the row, then died before sending.
        await OutboxMessage.update(
            {
                OutboxMessage.status: "sending",
                OutboxMessage.attempts: 1,
                OutboxMessage.next_attempt_at: MORNING + dt.timedelta(seconds=300),
            },
            force=True,
        )
        assert (await deliver_outbox(MORNING, settings))["sent"] == 0
    after = MORNING + dt.timedelta(seconds=301)
    with time_machine.travel(after, tick=False):
        result = await deliver_outbox(after, settings)
    assert result["released"] == 1 and result["sent"] == 1
    assert [r.recipients for r in smtp.inbox.received] == [["kvar@example.se"]]


async def test_refused_recipient_is_kept_as_failed_after_max_attempts(smtp):
    settings = smtp.settings(mail_max_attempts=2)
    smtp.inbox.refuse_code = 550
    with time_machine.travel(MORNING, tick=False):
        await queue_mail("finns-inte@example.se", "Ämne", "Text")
    moment = MORNING
    for _ in range(3):
        with time_machine.travel(moment, tick=False):
            await deliver_outbox(moment, settings)
        moment += dt.timedelta(hours=1)
    [row] = await OutboxMessage.select()
    assert row["status"] == "failed"
    assert row["attempts"] == 2
    assert "550" in row["last_error"]


async def test_digest_host_gets_one_daily_digest_others_get_mail_at_once(smtp, make_user):
    settings = smtp.settings(digest_hour=7)
    digest_host = await builders.make_host("Kostenheten", digest=True)
    host_user = await make_user("host", username="kosten", email="kost@vard.example.se")
    await builders.add_member(host_user.id, digest_host)
    supervisor_email = "hanna@kost.example.se"
    await builders.make_contact(digest_host, email=supervisor_email)
    early = dt.datetime(2026, 1, 15, 5, 0, tzinfo=dt.UTC)  # 06:00 in Stockholm
    with time_machine.travel(early, tick=False):
        for n, link in enumerate(("/vard/bokningar/1", "/vard/bokningar/2")):
            await queue_template_mail(
                "kost@vard.example.se",
                "proposal_reminder",
                settings,
                digest=True,
                slot_title=f"Kökshjälp {n}",
                days=3,
                link=link,
            )
        await queue_template_mail(
            supervisor_email,
            "assessment_reminder",
            settings,
            digest=True,
            name="Hanna",
            slot_title="Kökshjälp",
            end_date="2026-01-10",
            link="/bedomning/abc",
        )
        await queue_mail("annan@example.se", "Direkt", "Skickas direkt", digest=True)
        result = await deliver_outbox(early, settings)
    assert result == {"sent": 1, "retried": 0, "failed": 0, "released": 0, "digests": 0}
    assert [r.recipients for r in smtp.inbox.received] == [["annan@example.se"]]

    at_eight = dt.datetime(2026, 1, 15, 7, 0, tzinfo=dt.UTC)
    with time_machine.travel(at_eight, tick=False):
        result = await deliver_outbox(at_eight, settings)
        again = await deliver_outbox(at_eight, settings)
    assert result["digests"] == 2 and result["sent"] == 2
    assert again["digests"] == 0 and again["sent"] == 0
    [digest] = smtp.inbox.to("kost@vard.example.se")
    assert digest.message["Subject"] == "Dagens sammanfattning från Praktikplatser (2026-01-15)"
    assert "Kökshjälp 0" in digest.text and "Kökshjälp 1" in digest.text
    assert "http://127.0.0.1:8000/vard/bokningar/2" in digest.html
    assert len(smtp.inbox.to(supervisor_email)) == 1

    # Later the same day: it waits for tomorrow's digest.
    noon = dt.datetime(2026, 1, 15, 11, 0, tzinfo=dt.UTC)
    with time_machine.travel(noon, tick=False):
        await queue_mail("kost@vard.example.se", "Nytt förslag", "Text", digest=True)
        assert (await deliver_outbox(noon, settings))["sent"] == 0
    tomorrow = dt.datetime(2026, 1, 16, 7, 0, tzinfo=dt.UTC)
    with time_machine.travel(tomorrow, tick=False):
        assert (await deliver_outbox(tomorrow, settings))["sent"] == 1
    assert len(smtp.inbox.to("kost@vard.example.se")) == 2
    waiting = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.digest.eq(True))
    assert {r["status"] for r in waiting} == {"digested", "sent"}


# A host's mail read "”Arbetsträning– fordon”": the space before "–" fell at the fold
# between two encoded words, where RFC 2047 ignores whitespace.
HOST_SUBJECT = "Ny deltagare föreslagen: ”Arbetsträning – fordon” hos Vårgårda Däck & Service AB"


async def test_a_subject_and_a_display_name_arrive_exactly_as_written(smtp):
    """Long subjects with å, ä, ö, dashes and quotes, a space put at every position in turn
    (so that a space falls at every place a fold can), each delivered to the real server and
    decoded there, and the sender's display name beside them."""
    subjects = [HOST_SUBJECT]
    subjects += [HOST_SUBJECT[:i] + " " + HOST_SUBJECT[i:] for i in range(len(HOST_SUBJECT) + 1)]
    subjects += [HOST_SUBJECT[:i] + "  " + HOST_SUBJECT[i:] for i in range(0, 80, 7)]
    subjects += [HOST_SUBJECT.replace(" ", "ö ")[:150], "Ämne", "Plain ASCII subject " * 6]
    settings = smtp.settings(
        mail_from="Arbetsmarknadsenheten i Vårgårda – praktik <noreply@vargarda.se>"
    )
    with time_machine.travel(MORNING, tick=False):
        for n, subject in enumerate(subjects):
            await queue_mail(f"vard{n}@example.se", subject, "Hej!")
        sent = await deliver_outbox(MORNING, settings)
    assert sent["sent"] == len(subjects)
    stored = {r["recipient"]: r["subject"] for r in await OutboxMessage.select()}
    for n, subject in enumerate(subjects):
        [mail] = smtp.inbox.to(f"vard{n}@example.se")
        # The outbox keeps a subject on one line with single spaces (`queue_mail`).
        assert stored[f"vard{n}@example.se"] == " ".join(subject.split())
        assert str(mail.message["Subject"]) == " ".join(subject.split()), n
        assert mail.message["From"].addresses[0].display_name == (
            "Arbetsmarknadsenheten i Vårgårda – praktik"
        )
        assert mail.message["From"].addresses[0].addr_spec == "noreply@vargarda.se"
