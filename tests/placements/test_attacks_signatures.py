"""Issue 13, items 4 and 5: what a signature is given on, and who can give it.

4. A signature lands only on the text the signer was shown. Every change gives the agreement a
   new version number; every way of signing (link page, coordinator page, host page, API,
   paper) names the version it was shown, and a submit for another version is refused (409)
   with the new text shown. The signature records its version.
5. Staff cannot sign for others. `POST …/agreement/links` and the workbench say to whom each
   link was mailed, never the link. A paper signature is its own action, recorded with who
   registered it, shown as "på papper, registrerad av …" and audited.
"""

from __future__ import annotations

import re

import pytest

from marketplace.kernel.tables import AuditEntry, OutboxMessage
from placements.schemas import agreements as sa
from placements.services import agreements, bookings
from placements.tables import Signature
from tests.conftest import login as api_login
from tests.placements.bookingdata import (
    link_tokens,
    make_world,
    propose,
    signatures_of,
    write_win_win,
)

NEW_TASKS = "Nya uppgifter: nattskift i kylrummet"


async def accepted(w) -> int:
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    return booking_id


async def login(client, username: str) -> None:
    """Sign in, then act as a browser: forms carry the page's CSRF field, not the API header."""
    await api_login(client, username)
    client.headers.pop("x-csrftoken", None)


async def form_post(client, url: str, page_html: str, data: dict[str, str]):
    """Post a page's form as a browser would: with the page's CSRF field, no API header."""
    header = client.headers.pop("x-csrftoken", None)
    try:
        return await client.post(url, data={"_csrf_token": csrf_of(page_html), **data})
    finally:
        if header is not None:
            client.headers["x-csrftoken"] = header


def csrf_of(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def version_in_form(html: str) -> int:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "the signing form carries the version it shows"
    return int(match.group(1))


async def edit_tasks(w, booking_id: int) -> None:
    await agreements.update_agreement(w.host_user, booking_id, sa.AgreementUpdate(tasks=NEW_TASKS))


# --- 4: the version a signer was shown ---------------------------------------------------------


async def test_link_opened_before_an_edit_cannot_sign_the_edited_text(client):
    w = await make_world()
    booking_id = await accepted(w)
    token = (await link_tokens(w, booking_id))["participant"]
    url = f"/underteckna/{token}"
    opened = await client.get(url, headers={"accept": "text/html"})
    assert opened.status_code == 200
    seen = version_in_form(opened.text)
    assert NEW_TASKS not in opened.text

    # The host edits the unsigned draft while the participant reads: in place, new version.
    await edit_tasks(w, booking_id)
    stale = await client.post(url, data={"_csrf_token": csrf_of(opened.text), "version": seen})
    assert stale.status_code == 409
    assert "har ändrats sedan du läste den" in stale.text
    assert NEW_TASKS in stale.text, "the new text is shown"
    assert (await signatures_of(booking_id))["participant"]["signed_at"] is None
    # Without a version nothing is signed either.
    missing = await client.post(url, data={"_csrf_token": csrf_of(stale.text)})
    assert missing.status_code == 409
    assert (await signatures_of(booking_id))["participant"]["signed_at"] is None

    # Having read the new text, the participant signs it; the signature records its version.
    fresh = version_in_form(stale.text)
    assert fresh == seen + 1
    signed = await client.post(url, data={"_csrf_token": csrf_of(stale.text), "version": fresh})
    assert signed.status_code == 200, signed.text
    sig = (await signatures_of(booking_id))["participant"]
    assert sig["signed_at"] is not None
    assert sig["signed_version"] == fresh and sig["method"] == "link"


async def test_service_refuses_a_link_signature_on_another_version():
    w = await make_world()
    booking_id = await accepted(w)
    token = (await link_tokens(w, booking_id))["supervisor"]
    await edit_tasks(w, booking_id)
    with pytest.raises(agreements.StaleVersion) as refused:
        await agreements.sign_by_link(token, seen_version=1)
    assert refused.value.status_code == 409 and refused.value.current == 2
    assert (await signatures_of(booking_id))["supervisor"]["signed_at"] is None


async def test_api_signature_names_its_version(client, make_client):
    w = await make_world()
    booking_id = await accepted(w)
    await api_login(client, w.coordinator.username)
    url = f"/api/v1/bookings/{booking_id}/agreement/sign"
    no_version = await client.post(url)
    assert no_version.status_code == 400
    await edit_tasks(w, booking_id)
    stale = await client.post(url, json={"version": 1})
    assert stale.status_code == 409
    assert "version 2" in stale.json()["detail"]
    assert (await signatures_of(booking_id))["coordinator"]["signed_at"] is None
    ok = await client.post(url, json={"version": 2})
    assert ok.status_code == 200
    coordinator = next(s for s in ok.json()["signatures"] if s["party"] == "coordinator")
    assert coordinator["signed"] and coordinator["method"] == "app"
    assert (await signatures_of(booking_id))["coordinator"]["signed_version"] == 2


async def test_coordinator_and_host_pages_refuse_a_stale_version_and_show_the_new_text(
    client, make_client
):
    w = await make_world()
    booking_id = await accepted(w)
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers={"accept": "text/html"})
    seen = version_in_form(page.text)
    host = await make_client()
    await login(host, w.host_user.username)
    host_page = await host.get(f"/vard/bokningar/{booking_id}", headers={"accept": "text/html"})
    host_seen = version_in_form(host_page.text)

    await edit_tasks(w, booking_id)
    stale = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/underteckna",
        data={"_csrf_token": csrf_of(page.text), "version": seen},
    )
    assert stale.status_code == 409
    assert "har ändrats sedan du läste den" in stale.text and NEW_TASKS in stale.text
    host_stale = await host.post(
        f"/vard/bokningar/{booking_id}/underteckna",
        data={"_csrf_token": csrf_of(host_page.text), "version": host_seen},
    )
    assert host_stale.status_code == 409
    assert "har ändrats sedan du läste den" in host_stale.text and NEW_TASKS in host_stale.text
    signatures = await signatures_of(booking_id)
    assert signatures["coordinator"]["signed_at"] is None
    assert signatures["host"]["signed_at"] is None


# --- 5: links go only to their party; paper signatures are their own action -----------------


async def test_links_response_and_page_never_hold_a_link(client):
    w = await make_world()
    booking_id = await accepted(w)
    await api_login(client, w.coordinator.username)
    answer = await client.post(f"/api/v1/bookings/{booking_id}/agreement/links")
    assert answer.status_code == 200
    mails = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.body_text).where(
        OutboxMessage.kind == "agreement.link"
    )
    tokens = [re.search(r"/underteckna/(\S+)", m["body_text"]).group(1) for m in mails]  # type: ignore[union-attr]
    assert len(tokens) == 2
    assert "/underteckna/" not in answer.text
    assert not any(t in answer.text for t in tokens)
    sent = {s["party"]: s["mailed_to"] for s in answer.json()["sent"]}
    assert set(sent) == {"supervisor", "participant"}
    assert set(sent.values()) == {m["recipient"] for m in mails}

    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers={"accept": "text/html"})
    shown = await form_post(client, f"/arbetsbord/bokningar/{booking_id}/lankar", page.text, {})
    # Post, redirect, get: the page is the booking's own, which a reload opens again (the
    # post's answer at /lankar gave 405 when reloaded), and says to whom, never the link.
    assert shown.status_code == 200
    assert shown.history and shown.history[0].status_code == 303
    assert shown.url.path == f"/arbetsbord/bokningar/{booking_id}"
    assert "Länkarna för underskrift är skickade." in shown.text
    assert "skickad till" in shown.text
    assert "/underteckna/" not in shown.text
    again = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers={"accept": "text/html"})
    assert again.text.count('class="signing-link-sent"') == 2
    assert "skickad till" in again.text and "/underteckna/" not in again.text
    assert "Länkarna för underskrift är skickade." not in again.text
    later = await OutboxMessage.select(OutboxMessage.body_text).where(
        OutboxMessage.kind == "agreement.link"
    )
    assert not any(
        re.search(r"/underteckna/(\S+)", m["body_text"]).group(1) in shown_page.text  # type: ignore[union-attr]
        for m in later
        for shown_page in (shown, again)
    )


async def test_paper_signature_is_its_own_audited_action(client, make_client):
    w = await make_world()
    booking_id = await accepted(w)
    await api_login(client, w.coordinator.username)
    url = f"/api/v1/bookings/{booking_id}/agreement/paper-signature"
    host = await make_client()
    await api_login(host, w.host_user.username)
    assert (await host.post(url, json={"party": "participant", "version": 1})).status_code == 403
    # Only the parties who sign by link can sign on paper; staff sign as themselves.
    assert (await client.post(url, json={"party": "host", "version": 1})).status_code == 400
    assert (await client.post(url, json={"party": "participant", "version": 7})).status_code == 409

    recorded = await client.post(url, json={"party": "participant", "version": 1})
    assert recorded.status_code == 200, recorded.text
    participant = next(s for s in recorded.json()["signatures"] if s["party"] == "participant")
    assert participant["signed"] and participant["method"] == "paper"
    assert participant["recorded_by"] == f"{w.coordinator.name}"
    sig = (await signatures_of(booking_id))["participant"]
    assert sig["recorded_by_id"] == w.coordinator.id and sig["signed_version"] == 1
    assert sig["user"] is None, "the recorder did not sign as themselves"
    audit = await AuditEntry.select().where(AuditEntry.action == "agreement.sign.paper")
    assert len(audit) == 1 and audit[0]["actor_id"] == w.coordinator.id
    assert "på papper, registrerad av" in audit[0]["detail"]
    assert (await client.post(url, json={"party": "participant", "version": 1})).status_code == 409

    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers={"accept": "text/html"})
    assert "på papper, registrerad av" in page.text
    printable = await client.get(
        f"/bokningar/{booking_id}/overenskommelse", headers={"accept": "text/html"}
    )
    assert "på papper, registrerad av" in printable.text


async def test_paper_signature_from_the_workbench_form(client):
    w = await make_world()
    booking_id = await accepted(w)
    await api_login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers={"accept": "text/html"})
    assert "Registrera underskrift på papper" in page.text
    done = await form_post(
        client,
        f"/arbetsbord/bokningar/{booking_id}/papper",
        page.text,
        {"party": "supervisor", "version": "1"},
    )
    assert done.status_code in (200, 303)
    sig = (await signatures_of(booking_id))["supervisor"]
    assert sig["method"] == "paper" and sig["recorded_by_id"] == w.coordinator.id
    assert await Signature.count().where(Signature.method == "paper") == 1
