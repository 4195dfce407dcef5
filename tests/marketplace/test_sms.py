"""SMS through the outbox to a local gateway that speaks 46elks' API: numbers, delivery once,
outages, refusals and bad rows that never hold up the rest."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.mail import deliver_outbox, queue_mail, queue_sms
from marketplace.kernel.settings import SettingsError, load_settings
from marketplace.kernel.sms import is_mobile, normalise_phone, sms_enabled
from marketplace.kernel.tables import OutboxMessage
from tests.builders import make_outbox_message
from tests.smsutil import SmsGateway

MORNING = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    server = SmsGateway()
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "written",
    ["070-123 45 67", "0701234567", "+46 70 123 45 67", "0046701234567", " 070 1234567 "],
)
def test_a_swedish_mobile_number_as_people_write_it_becomes_e164(written):
    assert normalise_phone(written) == "+46701234567"
    assert is_mobile(written)


def test_a_foreign_mobile_number_keeps_its_country():
    assert normalise_phone("+47 412 34 567") == "+4741234567"


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("", "Skriv ett mobilnummer"),
        ("hej", "inte ett giltigt telefonnummer"),
        ("070-12", "inte ett giltigt telefonnummer"),
        ("0322-60 00 00", "inte ett mobilnummer"),
    ],
)
def test_a_number_that_cannot_take_an_sms_is_refused_in_swedish_at_its_field(written, words):
    with pytest.raises(ValidationFailed) as caught:
        normalise_phone(written, field="mobile")
    assert caught.value.fields == ["mobile"]
    assert words in caught.value.errors["mobile"]
    assert not is_mobile(written)


def test_sms_is_off_until_a_gateway_is_set():
    settings = load_settings({"SECRET_KEY": "x" * 40})
    assert not sms_enabled(settings)
    assert sms_enabled(dataclasses.replace(settings, sms_url="https://api.46elks.com"))


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"SMS_URL": "ftp://gateway"}, "SMS_URL ska börja med http"),
        ({"SMS_FROM": "Vårgårda kommun"}, "SMS_FROM ska vara"),
        ({"SMS_FROM": "AB"}, "SMS_FROM ska vara"),
    ],
)
def test_wrong_sms_settings_are_refused_with_a_swedish_reason(env, words):
    with pytest.raises(SettingsError, match=words):
        load_settings({"SECRET_KEY": "x" * 40} | env)


async def test_an_sms_reaches_the_gateway_once_with_sender_number_and_text(gateway):
    settings = gateway.settings()
    with time_machine.travel(MORNING, tick=False):
        assert await queue_sms("070-123 45 67", "Din inloggningslänk: https://x.se/a", kind="t")
        first = await deliver_outbox(MORNING, settings)
        again = await deliver_outbox(MORNING, settings)
    assert first["sent"] == 1 and again["sent"] == 0
    [sms] = gateway.received
    assert (sms.sender, sms.to, sms.message) == (
        "Vargarda",
        "+46701234567",
        "Din inloggningslänk: https://x.se/a",
    )
    [row] = await OutboxMessage.select().where(OutboxMessage.channel == "sms")
    assert row["status"] == "sent" and row["recipient"] == "+46701234567"


async def test_a_number_that_cannot_take_an_sms_queues_nothing():
    with pytest.raises(ValidationFailed):
        await queue_sms("0322-60 00 00", "Hej", kind="t")
    assert await OutboxMessage.count() == 0


async def test_dedupe_key_queues_one_sms(gateway):
    assert await queue_sms("0701234567", "Påminnelse", dedupe_key="k1")
    assert not await queue_sms("0701234567", "Påminnelse", dedupe_key="k1")
    assert await OutboxMessage.count() == 1


async def test_gateway_down_loses_nothing_mail_still_goes_and_each_sms_goes_once_later(
    gateway, smtp
):
    settings = dataclasses.replace(
        gateway.settings(), smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_starttls=False
    )
    gateway.stop()
    with time_machine.travel(MORNING, tick=False):
        await queue_sms("0701234567", "Första")
        await queue_sms("0709876543", "Andra")
        await queue_mail("person@example.se", "Ämne", "Hej!")
        down = await deliver_outbox(MORNING, settings)
    assert down["sent"] == 1 and down["retried"] == 1  # the mail; one SMS tried, one waits
    assert [m.recipients for m in smtp.inbox.received] == [["person@example.se"]]
    sms_rows = await OutboxMessage.select().where(OutboxMessage.channel == "sms")
    assert {r["status"] for r in sms_rows} == {"pending"}
    assert sorted(r["attempts"] for r in sms_rows) == [0, 1]
    assert any("svarar inte" in r["last_error"] for r in sms_rows)
    gateway.start()
    later = MORNING + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert (await deliver_outbox(later, settings))["sent"] == 2
        assert (await deliver_outbox(later, settings))["sent"] == 0
    assert sorted(s.message for s in gateway.received) == ["Andra", "Första"]


async def test_a_gateway_error_is_retried_with_backoff(gateway):
    settings = gateway.settings()
    gateway.fail(500)
    with time_machine.travel(MORNING, tick=False):
        await queue_sms("0701234567", "Hej")
        assert (await deliver_outbox(MORNING, settings))["retried"] == 1
    [row] = await OutboxMessage.select()
    assert row["status"] == "pending"
    assert row["next_attempt_at"] == MORNING + dt.timedelta(seconds=60)
    assert "500" in row["last_error"]
    gateway.fail(0)
    later = MORNING + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        assert (await deliver_outbox(later, settings))["sent"] == 1


async def test_wrong_credentials_are_kept_as_failed_after_the_last_attempt(gateway):
    settings = gateway.settings(sms_password="fel", mail_max_attempts=2)
    now = MORNING
    with time_machine.travel(now, tick=False):
        await queue_sms("0701234567", "Hej")
    for _ in range(2):
        with time_machine.travel(now, tick=False):
            await deliver_outbox(now, settings)
        now += dt.timedelta(hours=7)
    [row] = await OutboxMessage.select()
    assert row["status"] == "failed" and "401" in row["last_error"]
    assert gateway.received == []


async def test_a_malformed_row_fails_at_once_and_the_next_sms_still_goes(gateway):
    settings = gateway.settings()
    with time_machine.travel(MORNING, tick=False):
        for recipient, text in [("0701234567", "Trasig"), ("+46701234567", "x" * 2000)]:
            await make_outbox_message(recipient, "", text, channel="sms")
        await queue_sms("0709876543", "Hel")
        counts = await deliver_outbox(MORNING, settings)
    assert counts["failed"] == 2 and counts["sent"] == 1
    assert [s.message for s in gateway.received] == ["Hel"]
    failed = await OutboxMessage.select().where(OutboxMessage.status == "failed")
    assert {("+46…" in r["last_error"]) or ("för lång" in r["last_error"]) for r in failed} == {
        True
    }


async def test_without_a_gateway_sms_wait_in_the_outbox(gateway):
    settings = gateway.settings(sms_url="")
    with time_machine.travel(MORNING, tick=False):
        await queue_sms("0701234567", "Hej")
        await queue_sms("0709876543", "Hej igen")
        counts = await deliver_outbox(MORNING, settings)
    assert counts["sent"] == 0 and counts["retried"] == 1
    assert {r["status"] for r in await OutboxMessage.select()} == {"pending"}
    assert gateway.received == []


async def test_two_deliverers_at_once_send_each_sms_once(gateway):
    settings = gateway.settings()
    with time_machine.travel(MORNING, tick=False):
        for n in range(6):
            await queue_sms(f"070123456{n}", f"Meddelande {n}")
        await asyncio.gather(deliver_outbox(MORNING, settings), deliver_outbox(MORNING, settings))
    assert sorted(s.message for s in gateway.received) == [f"Meddelande {n}" for n in range(6)]


async def test_an_smtp_outage_does_not_hold_up_sms(gateway):
    settings = gateway.settings(smtp_host="127.0.0.1", smtp_port=1, smtp_starttls=False)
    with time_machine.travel(MORNING, tick=False):
        await queue_mail("person@example.se", "Ämne", "Hej!")
        await queue_mail("annan@example.se", "Ämne", "Hej!")
        await queue_sms("0701234567", "Kommer fram ändå")
        counts = await deliver_outbox(MORNING, settings)
    assert counts["sent"] == 1 and counts["retried"] == 1
    assert [s.message for s in gateway.received] == ["Kommer fram ändå"]
    mails = await OutboxMessage.select().where(OutboxMessage.channel == "mail")
    assert sorted(m["attempts"] for m in mails) == [0, 1]
