"""The coordinator's mail when an assessment comes in says who sent it. It read "Handledarens
bedömning har kommit in" whoever submitted: the supervisor through the mailed link, the
supervisor or another host user signed in to the host portal, or staff for the host. Each mail
is delivered over SMTP and links the coordinator to the assessment on the booking's page."""

from __future__ import annotations

import datetime as dt
import re

import msgspec

from employers.tables import Contact
from marketplace.kernel.mail import deliver_outbox
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import OutboxMessage, User
from placements.schemas import outcomes as so
from placements.services import assessment_links, bookings, outcomes
from placements.tables import Assessment
from tests.builders import make_host_user, make_user
from tests.conftest import login
from tests.mailutil import Received, SmtpServer
from tests.placements.bookingdata import TODAY, World, make_world, to_active

ASSESSMENT = so.AssessmentCreate(attendance="god", recommendation="would_hire")
HTML = {"accept": "text/html"}


async def _ended(w: World) -> int:
    booking_id = await to_active(w)
    await bookings.end(w.host_user, booking_id, "completed", TODAY)
    return booking_id


async def _mail_to_coordinator(smtp: SmtpServer, w: World) -> Received:
    await deliver_outbox(dt.datetime.now(dt.UTC), smtp.settings())
    [mail] = [
        r
        for r in smtp.inbox.to(w.coordinator.email)
        if str(r.message["subject"]).startswith(("Handledarens", "Värdens", "Bedömningen"))
    ]
    return mail


def _link(mail: Received, booking_id: int) -> str:
    found = re.search(r"Läs bedömningen: (\S+)", mail.text)
    assert found is not None, mail.text
    assert found.group(1) == (
        f"{get_settings().base_url}/arbetsbord/bokningar/{booking_id}#bedomning"
    )
    return found.group(1).removeprefix(get_settings().base_url)


async def test_the_supervisor_through_the_link_is_named(smtp, client):
    w = await make_world()
    booking_id = await _ended(w)
    await outcomes.submit_assessment_by_link(
        assessment_links.assessment_token(booking_id), ASSESSMENT
    )
    mail = await _mail_to_coordinator(smtp, w)
    assert str(mail.message["subject"]).startswith("Handledarens bedömning har kommit in: ")
    assert (
        "Handledaren Hanna Handledare har skickat in sin bedömning av placeringen via länken "
        "i mejlet." in mail.text
    )
    # The link opens the booking's page at the assessment, which says who sent it.
    path = _link(mail, booking_id)
    await login(client, w.coordinator.username)
    page = await client.get(path.split("#")[0], headers=HTML)
    assert page.status_code == 200
    assert 'id="bedomning"' in page.text
    assert "av Hanna Handledare (handledare, via länk)" in page.text


async def test_the_supervisor_signed_in_to_the_host_portal_is_named(smtp):
    w = await make_world()
    booking_id = await _ended(w)
    contact = await Contact.select(Contact.email).where(Contact.id == w.supervisor_id).first()
    assert contact is not None and contact["email"]
    # The supervisor has an account at the host too, under the same address (in capitals).
    supervisor = await make_host_user(w.host_id, username="hanna")
    address = str(contact["email"]).upper()
    await User.update({User.email: address}).where(User.id == supervisor.id)
    signed_in = msgspec.structs.replace(supervisor, email=address)
    await outcomes.submit_assessment(signed_in, booking_id, ASSESSMENT)
    mail = await _mail_to_coordinator(smtp, w)
    assert str(mail.message["subject"]).startswith("Handledarens bedömning har kommit in: ")
    assert (
        "Handledaren Hanna Handledare har skickat in sin bedömning av placeringen i "
        "värdportalen." in mail.text
    )
    _link(mail, booking_id)


async def test_another_host_user_sends_the_hosts_assessment(smtp):
    w = await make_world()
    booking_id = await _ended(w)
    await outcomes.submit_assessment(w.host_user, booking_id, ASSESSMENT)
    mail = await _mail_to_coordinator(smtp, w)
    subject = str(mail.message["subject"])
    assert subject.startswith("Värdens bedömning har kommit in: ")
    assert "Handledaren" not in mail.text
    assert (
        f"{w.host_user.name} på Hemtjänst Norra har skickat in värdens bedömning av "
        "placeringen i värdportalen." in mail.text
    )
    _link(mail, booking_id)


async def test_staff_registering_it_for_the_host_is_named_and_the_coordinator_gets_no_echo(
    smtp,
):
    w = await make_world()
    booking_id = await _ended(w)
    admin = await make_user("admin")
    await outcomes.submit_assessment(admin, booking_id, ASSESSMENT)
    mail = await _mail_to_coordinator(smtp, w)
    assert str(mail.message["subject"]).startswith("Bedömningen har registrerats: ")
    assert (
        f"{admin.name} (administratör) har registrerat bedömningen av placeringen för "
        "värdens räkning." in mail.text
    )
    _link(mail, booking_id)
    # The booking's own coordinator registering it is not mailed about it.
    other = await _ended(w)
    before = await OutboxMessage.count().where(OutboxMessage.kind == "assessment.submitted")
    await outcomes.submit_assessment(w.coordinator, other, ASSESSMENT)
    assert await Assessment.exists().where(
        (Assessment.booking == other) & Assessment.submitted_at.is_not_null()
    )
    after = await OutboxMessage.count().where(OutboxMessage.kind == "assessment.submitted")
    assert after == before
