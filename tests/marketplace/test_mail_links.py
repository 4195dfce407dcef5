"""Every mail names its placement in words and links each recipient straight to a page that
recipient can open: host users to the host portal, the coordinator to the workbench, a party
without an account to their own link only. Mail links use the port `serve` really runs on."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlsplit

import time_machine

from marketplace.kernel.mail import deliver_outbox
from marketplace.kernel.settings import get_settings, load_settings, serve_base_url
from marketplace.kernel.tables import OutboxMessage, User
from placements.schemas import agreements as sa
from placements.schemas import outcomes as so
from placements.services import agreements, assessment_links, bookings, outcomes
from tests.builders import make_candidate
from tests.conftest import login
from tests.placements.bookingdata import (
    TODAY,
    World,
    current_version,
    make_world,
    propose,
    sign_all,
    write_win_win,
)

URL = re.compile(r"https?://\S+")


def test_serve_uses_its_own_port_for_mail_links_unless_base_url_is_set():
    assert serve_base_url("127.0.0.1", 8123, env={}) == "http://127.0.0.1:8123"
    assert serve_base_url("0.0.0.0", 9000, env={}) == "http://127.0.0.1:9000"
    assert serve_base_url("::1", 9001, env={}) == "http://[::1]:9001"
    explicit = {"BASE_URL": "https://praktik.vargarda.se/"}
    assert serve_base_url("127.0.0.1", 8123, env=explicit) == "https://praktik.vargarda.se"
    # The settings read what `serve` puts in the environment.
    env = {"BASE_URL": serve_base_url("127.0.0.1", 8123, env={}), "VAR_DIR": "var"}
    assert load_settings(env).base_url == "http://127.0.0.1:8123"


async def _whole_day() -> tuple[World, dict[str, int]]:
    """A placement from proposal to assessment, plus a declined and a withdrawn proposal, so
    that every booking mail is queued at least once."""
    w = await make_world()
    booking_id = await propose(w, start=TODAY)  # a placement starts on its start date
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    await agreements.sign_in_app(
        w.coordinator, booking_id, seen_version=await current_version(booking_id)
    )
    # A change after a signature: "Överenskommelsen har ändrats" to coordinator and host.
    await agreements.update_agreement(
        w.coordinator, booking_id, sa.AgreementUpdate(weekly_schedule="25 timmar i veckan")
    )
    await sign_all(w, booking_id)
    await bookings.start(w.host_user, booking_id)
    with time_machine.travel(dt.datetime(2030, 4, 1, 10, tzinfo=dt.UTC), tick=False):
        await bookings.end(w.host_user, booking_id, "completed")
    await outcomes.submit_assessment_by_link(
        assessment_links.assessment_token(booking_id),
        so.AssessmentCreate(
            attendance="god",
            tasks_mastered="Plock och pack",
            strengths="Noggrann",
            recommendation="would_hire",
            comment="",
        ),
    )
    declined = await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"))
    await bookings.decline(w.host_user, declined, "Vi har inte tid just nu.")
    withdrawn = await propose(w, candidate_id=await make_candidate(w.coordinator, "Cia"))
    await bookings.withdraw(w.coordinator, withdrawn, "Deltagaren fick jobb.")
    return w, {"placed": booking_id, "declined": declined, "withdrawn": withdrawn}


def _service_paths(text: str) -> list[str]:
    base = get_settings().base_url.rstrip("/")
    paths = []
    for url in URL.findall(text):
        url = url.rstrip(".,)")
        if url.startswith(base + "/"):
            parts = urlsplit(url)
            query = f"?{parts.query}" if parts.query else ""
            paths.append(parts.path + query + (f"#{parts.fragment}" if parts.fragment else ""))
    return paths


async def test_every_booking_mail_names_the_place_and_links_to_a_page_its_recipient_opens(
    make_client,
):
    w, ids = await _whole_day()
    mails = await OutboxMessage.select().where(OutboxMessage.kind.like("booking.%"))
    mails += await OutboxMessage.select().where(
        OutboxMessage.kind.like("agreement.%") | OutboxMessage.kind.like("assessment.%")
    )
    kinds = {m["kind"] for m in mails}
    assert {
        "booking.proposed",
        "booking.accepted",
        "booking.declined",
        "booking.withdrawn",
        "booking.active",
        "booking.completed",
        "booking.agreed",
        "agreement.changed",
        "agreement.link",
        "assessment.link",
        "assessment.submitted",
    } <= kinds
    users = {r["id"]: r for r in await User.select(User.id, User.role, User.username, User.email)}
    clients: dict[int, Any] = {}
    anonymous = await make_client()
    opened: set[tuple[str, str]] = set()
    for mail in mails:
        text = mail["subject"] + "\n" + mail["body_text"]
        assert not re.search(r"bokning \d+", text, re.IGNORECASE), text
        assert "”Lagerarbetare” hos Hemtjänst Norra" in mail["subject"], mail["subject"]
        assert "Hemtjänst Norra" in mail["body_text"]
        assert "/arbetsbord\n" not in mail["body_text"]
        # No participant's surname to anyone but the participant; first names to staff only.
        if not mail["recipient"].endswith("@deltagare.example.se"):
            assert "Andersson" not in text
        paths = _service_paths(mail["body_text"])
        user_id = mail["recipient_user_id"]
        if user_id is None:
            # A party without an account: only their own link, never a page behind a sign-in.
            assert all(p.startswith(("/underteckna/", "/bedomning/")) for p in paths), paths
            for first in ("Aida", "Bo", "Cia"):
                assert f"Deltagare: {first}" not in mail["body_text"]
            continue
        user = users[user_id]
        assert paths, f"{mail['kind']} to {user['role']} has no link"
        meta = json.loads(mail["meta"]) if isinstance(mail["meta"], str) else mail["meta"]
        assert meta["link"].endswith(paths[-1])
        if user["role"] == "host" and mail["kind"] == "booking.withdrawn":
            # The booking leaves the host's view when withdrawn: the portal's start page.
            assert paths == ["/vard"], paths
        elif user["role"] == "host":
            assert all(p.startswith("/vard/bokningar/") for p in paths), paths
            for first in ("Aida", "Bo", "Cia"):
                assert first not in text
        else:
            assert all(p.startswith("/arbetsbord/bokningar/") for p in paths), paths
            assert re.search(r"Deltagare: (Aida|Bo|Cia)\b", mail["body_text"])
        if user_id not in clients:
            clients[user_id] = await make_client()
            await login(clients[user_id], user["username"])
        for path in paths:
            if (user["username"], path) in opened or path.endswith(f"/{ids['withdrawn']}"):
                continue  # (the withdrawn proposal has left the host's view since)
            page = await clients[user_id].get(path, headers={"accept": "text/html"})
            assert page.status_code == 200, (mail["kind"], user["role"], path, page.status_code)
            opened.add((user["username"], path))
    # The host's "Överenskommelsen har ändrats" goes to the agreement's page in the portal.
    changed = await OutboxMessage.select().where(
        (OutboxMessage.kind == "agreement.changed") & (OutboxMessage.recipient == w.host_user.email)
    )
    assert len(changed) == 1
    assert f"/vard/bokningar/{ids['placed']}" in changed[0]["body_text"]
    # The assessment link opens without an account.
    assessment = await anonymous.get(
        f"/bedomning/{assessment_links.assessment_token(ids['declined'])}",
        headers={"accept": "text/html"},
    )
    assert assessment.status_code in (200, 404, 409, 410)


async def test_signing_links_and_their_logs_speak_swedish():
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    links = await agreements.send_signing_links(w.coordinator, booking_id)
    assert {s.party_text for s in links.sent} == {"Handledare", "Deltagare"}
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "agreement.link")
    bodies = " ".join(m["body_text"] for m in mails)
    assert "som handledaren" in bodies and "som deltagaren" in bodies
    assert "supervisor" not in bodies and "participant" not in bodies
    await sign_all(w, booking_id)
    from marketplace.kernel.tables import AuditEntry

    details = [
        r["detail"]
        for r in await AuditEntry.select(AuditEntry.detail).where(
            AuditEntry.action.is_in(["agreement.sign", "agreement.read"])
        )
    ]
    assert details
    assert not any("supervisor" in d or "participant" in d for d in details), details
    assert any("handledaren" in d for d in details)


async def test_the_agreement_changed_mail_reaches_the_host_over_smtp_with_a_portal_link(
    smtp, client
):
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    # Each party changes the text the other signed: the other is told (nobody is told of
    # their own change).
    await agreements.sign_in_app(
        w.coordinator, booking_id, seen_version=await current_version(booking_id)
    )
    await agreements.update_agreement(
        w.host_user, booking_id, sa.AgreementUpdate(tasks="Plock och pack")
    )
    await agreements.sign_in_app(
        w.host_user, booking_id, seen_version=await current_version(booking_id)
    )
    await agreements.update_agreement(
        w.coordinator, booking_id, sa.AgreementUpdate(tasks="Plock, pack och inventering")
    )
    await OutboxMessage.update({OutboxMessage.status: "sent"}).where(
        OutboxMessage.kind != "agreement.changed"
    )
    counts = await deliver_outbox(dt.datetime.now(dt.UTC), smtp.settings())
    assert counts["sent"] == 2
    [received] = smtp.inbox.to(w.host_user.email)
    assert "”Lagerarbetare” hos Hemtjänst Norra" in received.message["Subject"]
    paths = _service_paths(received.text)
    assert paths == [f"/vard/bokningar/{booking_id}"]
    await login(client, w.host_user.username)
    page = await client.get(paths[0], headers={"accept": "text/html"})
    assert page.status_code == 200
    [to_coordinator] = smtp.inbox.to(w.coordinator.email)
    assert _service_paths(to_coordinator.text) == [f"/arbetsbord/bokningar/{booking_id}"]
    assert "Deltagare: Aida" in to_coordinator.text


async def test_reminder_links_open_for_their_recipients(make_client):
    from placements import jobs

    w = await make_world()
    signing = await propose(w)
    await bookings.accept(w.host_user, signing)
    await write_win_win(signing)
    waiting = await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"), confirm=True)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    await jobs.remind_proposals(later, get_settings())
    await jobs.remind_signatures(later, get_settings())
    mails = await OutboxMessage.select().where(
        OutboxMessage.kind.is_in(["proposal_reminder", "signature_reminder", "signature_missing"])
    )
    assert {m["kind"] for m in mails} == {
        "proposal_reminder",
        "signature_reminder",
        "signature_missing",
    }
    users = {r["id"]: r for r in await User.select(User.id, User.username, User.role)}
    for mail in mails:
        if mail["kind"] != "proposal_reminder":
            assert "”Lagerarbetare” hos Hemtjänst Norra" in mail["subject"], mail["subject"]
        user = users[mail["recipient_user_id"]]
        # (the footer also points at the start page, to sign in)
        [path] = [p for p in _service_paths(mail["body_text"]) if p != "/"]
        expected = signing if mail["kind"] != "proposal_reminder" else waiting
        page_path, _, anchor = path.partition("#")
        prefix = "/vard/bokningar/" if user["role"] == "host" else "/arbetsbord/bokningar/"
        assert page_path == f"{prefix}{expected}", (mail["kind"], path)
        client = await make_client()
        await login(client, user["username"])
        page = await client.get(page_path, headers={"accept": "text/html"})
        assert page.status_code == 200, (mail["kind"], path)
        if mail["kind"] != "proposal_reminder":
            assert anchor == "overenskommelse" and f'id="{anchor}"' in page.text
