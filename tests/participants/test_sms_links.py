"""Sign-in and signing links by SMS, through a local gateway that speaks 46elks' API
(tests/smsutil.py): each link used once, a second use refused."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel.auth import AuthUser
from marketplace.kernel.mail import deliver_outbox
from marketplace.kernel.settings import get_settings
from participants import sessions
from placements.services import agreements, bookings
from placements.tables import Candidate, ParticipantLink, Signature
from tests.builders import make_candidate, make_user
from tests.mailutil import SmtpServer
from tests.participants.conftest import form_post, sign_in_by_link, signed_in
from tests.placements.bookingdata import make_world, propose, write_win_win
from tests.smsutil import PASSWORD, USER, SmsGateway

NUMBER = "+46701234567"  # the bookingdata participants' 070-123 45 67


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmsGateway]:
    """The gateway, and the service configured to send SMS through it."""
    server = SmsGateway()
    server.start()
    monkeypatch.setenv("SMS_URL", server.url)
    monkeypatch.setenv("SMS_USER", USER)
    monkeypatch.setenv("SMS_PASSWORD", PASSWORD)
    monkeypatch.setenv("SMS_FROM", "Vargarda")
    get_settings.cache_clear()
    yield server
    server.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


async def _deliver(smtp: SmtpServer) -> None:
    counts = await deliver_outbox(dt.datetime.now(dt.UTC), smtp.settings())
    assert counts["sent"] >= 1, counts


def _path(text: str, prefix: str) -> str:
    found = re.search(rf"https?://[^/\s]+({prefix}[A-Za-z0-9_.\-]+)", text)
    assert found, text
    return found.group(1)


async def _without_email(coordinator: AuthUser) -> int:
    candidate_id = await make_candidate(coordinator)
    await Candidate.update({Candidate.email: ""}).where(Candidate.id == candidate_id)
    return candidate_id


async def test_sign_in_link_by_sms_works_once(
    client: AsyncTestClient[Litestar], make_client, gateway: SmsGateway, smtp: SmtpServer
) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await _without_email(coordinator)
    sent = await sessions.send_sign_in_link(coordinator, candidate_id)
    assert sent.channel == "sms"
    await _deliver(smtp)
    [sms] = gateway.to(NUMBER)
    assert sms.sender == "Vargarda"
    assert "Aida" not in sms.message  # an SMS names no one
    path = _path(sms.message, "/mina-sidor/logga-in/lank/")
    assert await sign_in_by_link(client, path) == 303
    assert signed_in(client)
    other = await make_client()
    assert await sign_in_by_link(other, path) == 401
    link = await ParticipantLink.select().first()
    assert link is not None and link["channel"] == "sms"


async def test_sign_in_link_goes_both_ways_when_both_are_known(
    gateway: SmsGateway, smtp: SmtpServer
) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    sent = await sessions.send_sign_in_link(coordinator, candidate_id)
    assert sent.channel == "email,sms"
    await _deliver(smtp)
    assert len(gateway.to(NUMBER)) == 1
    assert len(smtp.inbox.received) == 1


async def test_no_address_and_no_mobile_is_refused(make_client, sign_in) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await _without_email(coordinator)
    staff = await make_client()
    await sign_in(staff, coordinator.username)
    refused = await form_post(staff, f"/arbetsbord/deltagare/{candidate_id}/inloggningslank")
    assert refused.status_code == 409
    assert "varken e-postadress eller mobilnummer" in refused.text
    assert not await ParticipantLink.exists()


async def test_signing_link_by_sms_works_once(
    client: AsyncTestClient[Litestar], gateway: SmsGateway, smtp: SmtpServer
) -> None:
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    sent = await agreements.send_signing_links(w.coordinator, booking_id)
    participant = next(s for s in sent.sent if s.party == "participant")
    assert participant.sent
    await _deliver(smtp)
    [sms] = gateway.to(NUMBER)
    path = _path(sms.message, "/underteckna/")
    page = await client.get(path, headers={"accept": "text/html"})
    assert page.status_code == 200
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    first = await form_post(client, path, {"version": version.group(1)})
    assert first.status_code in (200, 303), first.text
    sig = await Signature.select().where(Signature.party == "participant").first()
    assert sig is not None and sig["signed_at"] is not None and sig["method"] == "link"
    again = await form_post(client, path, {"version": version.group(1)})
    assert again.status_code == 410
