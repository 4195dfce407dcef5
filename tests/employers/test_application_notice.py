"""A new host application is mailed to every active coordinator and admin (one mail each, with
a link to the applications page) and is checked against the existing hosts: the same
organisation number, or a very similar name in the same town, reads "möjlig dubblett av
<värd>" in the mail and on the applications page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from employers.rows import HostIdentity
from employers.services.applications import duplicates_among
from employers.services.orgnr import luhn_check_digit
from marketplace.kernel.mail import deliver_outbox
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import OutboxMessage, User
from tests.builders import make_host
from tests.conftest import login

HTML = {"accept": "text/html"}


def org_number(base: str) -> str:
    return base + luhn_check_digit(base)


def form(**changes: str) -> dict[str, str]:
    return {
        "org_name": "Vårgårda Ridklubb",
        "kind": "association",
        "org_number": org_number("802000000"),
        "town": "Vårgårda",
        "contact_name": "Stina Häst",
        "contact_email": "stina@ridklubb.example",
        "message": "Vi behöver hjälp i stallet.",
        **changes,
    }


@pytest.fixture
async def staff(make_user) -> dict[str, int]:
    ids = {}
    for role, name in (
        ("coordinator", "sara"),
        ("admin", "alva"),
        ("coordinator", "slutat"),
        ("analyst", "ana"),
        ("host", "hans"),
    ):
        user = await make_user(role, username=name, email=f"{name}@kommun.example.se")
        ids[name] = user.id
    await User.update({User.active: False}).where(User.username == "slutat")
    return ids


async def test_each_active_coordinator_and_admin_gets_one_mail_with_a_link(
    client, staff, make_client, smtp
):
    sent = await client.post("/api/v1/host-applications", json=form())
    assert sent.status_code == 201, sent.text
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "host_application.new")
    assert sorted(m["recipient"] for m in mails) == [
        "alva@kommun.example.se",
        "sara@kommun.example.se",
    ]
    assert all("Vårgårda Ridklubb" in m["subject"] for m in mails)
    assert not any("dubblett" in m["subject"] + m["body_text"] for m in mails)
    # Delivered over SMTP, the link opens the applications page for its reader.
    await deliver_outbox(dt.datetime.now(dt.UTC), smtp.settings())
    [received] = smtp.inbox.to("sara@kommun.example.se")
    link = re.search(r"https?://\S+", received.text)
    assert link is not None
    assert link.group(0) == get_settings().base_url + "/arbetsbord/ansokningar"
    coordinator = await make_client()
    await login(coordinator, "sara")
    page = await coordinator.get("/arbetsbord/ansokningar", headers=HTML)
    assert page.status_code == 200 and "Vårgårda Ridklubb" in page.text
    assert "dubblett" not in page.text.casefold()


async def test_a_likely_duplicate_is_named_in_the_mail_and_on_the_list(client, staff):
    await make_host("Vårgårda Bygg AB", "company", town="Vårgårda", org_number="556677-8899")
    await make_host("Ridklubben Vårgårda", "association", town="Alingsås")
    await make_host("Kommunen", "municipal_unit", town="Herrljunga")
    # A very similar name in the same town, without an organisation number.
    sent = await client.post(
        "/api/v1/host-applications",
        json=form(org_name="Vårgårda bygg", kind="company", org_number=""),
    )
    assert sent.status_code == 201, sent.text
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "host_application.new")
    assert len(mails) == 2
    for mail in mails:
        assert "möjlig dubblett av Vårgårda Bygg AB" in mail["subject"]
        assert "Möjlig dubblett av Vårgårda Bygg AB" in mail["body_text"]
        assert "Ridklubben" not in mail["body_text"]
    await login(client, "alva")
    page = await client.get("/arbetsbord/ansokningar", headers=HTML)
    assert "Möjlig dubblett av Vårgårda Bygg AB" in page.text
    listed = (await client.get("/api/v1/host-applications?status=pending")).json()
    assert listed[0]["possible_duplicates"] == ["Vårgårda Bygg AB"]


def test_duplicate_rules():
    hosts: list[HostIdentity] = [
        {"name": "Vårgårda Bygg AB", "org_number": "556677-8899", "town": "Vårgårda"},
        {"name": "Hemtjänst Norra", "org_number": "212000-1546", "town": "Vårgårda"},
        {"name": "Hemtjänst Södra", "org_number": "212000-1546", "town": "Vårgårda"},
    ]
    # The same organisation number, whatever the name.
    assert duplicates_among(hosts, "556677-8899", "Helt Annat Namn", "Borås") == [
        "Vårgårda Bygg AB"
    ]
    # A very similar name in the same town (case, legal form and word order aside).
    assert duplicates_among(hosts, "", "Bygg Vårgårda", "vårgårda") == ["Vårgårda Bygg AB"]
    assert duplicates_among(hosts, "", "Vargarda Byg AB", "Vårgårda") == ["Vårgårda Bygg AB"]
    # The same name in another town, or another name in the same town: not a duplicate.
    assert duplicates_among(hosts, "", "Vårgårda Bygg AB", "Alingsås") == []
    assert duplicates_among(hosts, "", "Vårgårda Måleri", "Vårgårda") == []
    assert duplicates_among(hosts, "", "Vårgårda Bygg", "") == []
    # Municipal units share a number: each is named once.
    assert duplicates_among(hosts, "212000-1546", "Hemtjänst Östra", "Vårgårda") == [
        "Hemtjänst Norra",
        "Hemtjänst Södra",
    ]
