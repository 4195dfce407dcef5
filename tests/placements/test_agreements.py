"""The win-win agreement: its contents, versions after signatures, signing in the app and
through signed, expiring, single-use links, and the printable page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from marketplace.kernel import clock
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import OutboxMessage
from placements.schemas import agreements as sa
from placements.schemas import candidates as sc
from placements.services import agreements, bookings, candidate_updates
from placements.tables import Agreement, Booking, Signature, Slot
from tests.builders import make_booking, timeline_notes
from tests.conftest import login
from tests.placements.bookingdata import (
    PNR,
    SECRET_ADAPTATION,
    SHARED_ADAPTATION,
    TODAY,
    give_adaptations,
    link_tokens,
    make_world,
    propose,
    sign_all,
    signatures_of,
    write_win_win,
)

MIDWAY = TODAY + dt.timedelta(days=30)  # within the accepted booking's period (today + 88)


async def accepted_booking(w, *, written: bool = True) -> int:
    """An accepted booking; `written`: with its win-win written, ready to sign."""
    await give_adaptations(w)
    booking_id = await propose(w, start=TODAY)  # it may start today
    await bookings.accept(w.host_user, booking_id)
    if written:
        await write_win_win(booking_id)
    return booking_id


async def test_draft_holds_the_contents_and_only_shared_adaptations():
    w = await make_world()
    booking_id = await accepted_booking(w, written=False)
    agreement = await agreements.get_agreement_for(w.coordinator, booking_id)
    assert agreement.version == 1
    assert agreement.status == "draft"
    assert agreement.adaptations_shared == [SHARED_ADAPTATION]
    assert agreement.insurance_text == get_settings().insurance_text
    # The participant has not agreed to share the plan goal: it stays out of the agreement
    # (tests/placements/test_attacks_consent.py covers the shared case).
    assert agreement.participant_goals == ""
    assert agreement.weekly_schedule == "30 timmar i veckan"
    assert agreement.supervisor_name == "Hanna Handledare"
    assert [s.party for s in agreement.signatures] == [
        "coordinator",
        "host",
        "supervisor",
        "participant",
    ]
    assert not agreement.fully_signed
    updated = await agreements.update_agreement(
        w.host_user,
        booking_id,
        sa.AgreementUpdate(
            host_gains="Hjälp med inventering och en möjlig rekrytering",
            tasks="Plock, pack och inventering",
            follow_up_meetings=[sa.FollowUpMeeting(date=MIDWAY, note="Halvtid")],
        ),
    )
    # No signature yet: edited in place, but under a new version number, so that a signature
    # given on the text before the edit is refused.
    assert updated.version == 2
    assert await Agreement.count().where(Agreement.booking == booking_id) == 1
    assert updated.host_gains.startswith("Hjälp med inventering")
    # A follow-up meeting outside the placement's period follows up nothing: refused, named.
    with pytest.raises(ValidationFailed) as outside:
        await agreements.update_agreement(
            w.coordinator,
            booking_id,
            sa.AgreementUpdate(follow_up_meetings=[sa.FollowUpMeeting(date=dt.date(2030, 4, 1))]),
        )
    assert outside.value.fields == ["follow_up_meetings"]
    assert "Uppföljningsmötet 2030-04-01 ligger utanför perioden" in outside.value.message
    with pytest.raises(ValidationFailed, match="godkänt att dela"):
        await agreements.update_agreement(
            w.coordinator,
            booking_id,
            sa.AgreementUpdate(adaptations_shared=[SHARED_ADAPTATION, SECRET_ADAPTATION]),
        )


async def test_a_change_before_any_signature_is_said_in_the_timeline():
    """Unsigned, a change keeps the one version row but moves its number, so that a signing
    page read before the change cannot sign the new text; the timeline said nothing of it,
    and the parties were asked to sign "version 3" of a text they had seen as version 1
    (helper-136). It names what changed, in Swedish."""
    w = await make_world()
    booking_id = await accepted_booking(w)
    changed = await agreements.update_agreement(
        w.coordinator,
        booking_id,
        sa.AgreementUpdate(tasks="Kassa och påfyllning", participant_goals="Arbeta i kassa"),
    )
    assert changed.version == 2
    assert await Agreement.count().where(Agreement.booking == booking_id) == 1
    notes = await timeline_notes(booking_id)
    assert (
        "Överenskommelsen ändrades (version 2): Uppgifter, deltagarens mål. Ingen hade skrivit"
        " under än." in notes
    ), notes


async def test_change_after_a_signature_makes_a_new_version_and_clears_signatures():
    w = await make_world()
    booking_id = await accepted_booking(w)
    await agreements.sign_in_app(w.coordinator, booking_id, seen_version=1)
    old_tokens = await link_tokens(w, booking_id)
    changed = await agreements.update_agreement(
        w.host_user, booking_id, sa.AgreementUpdate(tasks="Nya uppgifter: kassa")
    )
    assert changed.version == 2
    assert not any(s.signed for s in changed.signatures)
    versions = {
        r["version"]: r["status"]
        for r in await Agreement.select().where(Agreement.booking == booking_id)
    }
    assert versions == {1: "superseded", 2: "draft"}
    # The first version and its signature are kept as they were.
    old = await Agreement.select(Agreement.id).where(Agreement.version == 1).first()
    assert old is not None
    assert (
        await Signature.count().where(
            (Signature.agreement == old["id"]) & Signature.signed_at.is_not_null()
        )
        == 1
    )
    # Links to the old version no longer work.
    from placements.errors import LinkRefused

    with pytest.raises(LinkRefused):
        await agreements.sign_by_link(old_tokens["supervisor"], seen_version=1)
    # The coordinator's timeline says so: the status stayed, the signature went (helper-134).
    notes = await timeline_notes(booking_id)
    assert any(
        n.startswith("Överenskommelsen ändrades (version 2). Underskrifterna som redan fanns")
        for n in notes
    ), notes


async def test_change_after_everyone_signed_sends_the_booking_back_to_accepted():
    w = await make_world()
    booking_id = await accepted_booking(w)
    await sign_all(w, booking_id)
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row is not None
    assert row["status"] == "agreed"
    assert await OutboxMessage.count().where(OutboxMessage.kind == "booking.agreed") == 3
    await agreements.update_agreement(
        w.coordinator, booking_id, sa.AgreementUpdate(weekly_schedule="Mån–tor 8–14")
    )
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row is not None
    assert row["status"] == "accepted"
    with pytest.raises(Conflict):
        await bookings.start(w.host_user, booking_id)
    await sign_all(w, booking_id)
    assert (await bookings.start(w.host_user, booking_id)).status == "active"
    with pytest.raises(Conflict, match="pågående och kan inte ändras"):
        await agreements.update_agreement(
            w.coordinator, booking_id, sa.AgreementUpdate(tasks="För sent")
        )


async def test_signing_twice_in_the_app_is_409():
    w = await make_world()
    booking_id = await accepted_booking(w)
    await agreements.sign_in_app(w.host_user, booking_id, seen_version=1)
    with pytest.raises(Conflict, match="redan skrivit under"):
        await agreements.sign_in_app(w.host_user, booking_id, seen_version=1)


def csrf_of(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


async def signed_parties(booking_id: int) -> set[str]:
    return {p for p, r in (await signatures_of(booking_id)).items() if r["signed_at"]}


async def test_link_page_shows_agreement_and_signs_once(client):
    w = await make_world()
    await candidate_updates.update_candidate(
        w.coordinator, w.candidate_id, sc.CandidateUpdate(personnummer=PNR)
    )
    booking_id = await accepted_booking(w)
    tokens = await link_tokens(w, booking_id)
    mails = await OutboxMessage.select(OutboxMessage.body_text).where(
        OutboxMessage.kind == "agreement.link"
    )
    assert len(mails) == 2 and all("/underteckna/" in m["body_text"] for m in mails)

    url = f"/underteckna/{tokens['supervisor']}"
    shown = await client.get(url, headers={"accept": "text/html"})
    assert shown.status_code == 200
    assert "Jag godkänner" in shown.text
    assert "Trepartsöverenskommelse" in shown.text
    assert SHARED_ADAPTATION in shown.text and SECRET_ADAPTATION not in shown.text
    csrf = csrf_of(shown.text)

    without_csrf = await client.post(url, data={})
    assert without_csrf.status_code == 403
    assert await signed_parties(booking_id) == set()

    signed = await client.post(url, data={"_csrf_token": csrf, "version": "1"})
    assert signed.status_code == 200, signed.text
    assert "Tack" in signed.text
    assert await signed_parties(booking_id) == {"supervisor"}
    sig = (await signatures_of(booking_id))["supervisor"]
    assert sig["signer_label"] == "Hanna Handledare" and sig["link_nonce"] == ""

    # Seen by a tester: the supervisor who opened their signed link again read "Länken
    # fungerar inte … Inget har ändrats", as if the signature was lost. The page says when it
    # was signed and whom to ask, and nothing more of the participant than the link showed.
    signed_on = clock.local_date(sig["signed_at"]).isoformat()
    reused_get = await client.get(url, headers={"accept": "text/html"})
    reused = await client.post(url, data={"_csrf_token": csrf, "version": "1"})
    for used in (reused_get, reused):
        assert used.status_code == 410
        assert used.headers["cache-control"] == "no-store"
        assert "<h1>Länken är redan använd</h1>" in used.text
        assert f"Du har redan skrivit under överenskommelsen ({signed_on})." in used.text
        assert "Din underskrift är registrerad." in used.text
        assert (
            "Länken kan bara användas en gång. Behöver något ändras? Kontakta samordnaren "
            f'{w.coordinator.name}, <a href="mailto:{w.coordinator.email}">'
        ) in used.text
        for wrong in ("Länken fungerar inte", "Inget har ändrats", "förslaget", "redan använts"):
            assert wrong not in used.text
        for secret in (PNR, PNR.replace("-", ""), PNR[2:], "Andersson", SHARED_ADAPTATION):
            assert secret not in used.text
    assert (await signatures_of(booking_id))["supervisor"]["signed_at"] == sig["signed_at"]


async def test_a_signed_link_says_when_until_the_text_changes():
    """A link whose party has signed (through it or otherwise) says when, as a used link;
    once the text changed, the signature no longer stands and the link says that instead."""
    from placements.errors import LinkRefused

    w = await make_world()
    booking_id = await accepted_booking(w)
    tokens = await link_tokens(w, booking_id)
    await agreements.sign_by_link(tokens["supervisor"], seen_version=1)
    signed_at = (await signatures_of(booking_id))["supervisor"]["signed_at"]
    for use in (
        agreements.agreement_for_link(tokens["supervisor"]),
        agreements.sign_by_link(tokens["supervisor"], seen_version=1),
    ):
        with pytest.raises(LinkRefused) as used:
            await use
        assert used.value.used == "signature" and used.value.status_code == 410
        assert str(used.value) == (
            f"Du har redan skrivit under överenskommelsen ({clock.local_date(signed_at)}). "
            "Din underskrift är registrerad."
        )
        assert used.value.coordinator == (w.coordinator.name, w.coordinator.email)
        assert used.value.language == ""  # the supervisor's page is Swedish
    # The participant's link, unsigned, still opens.
    party, _agreement, _lang = await agreements.agreement_for_link(tokens["participant"])
    assert party == "participant"
    await agreements.update_agreement(
        w.host_user, booking_id, sa.AgreementUpdate(tasks="Nya uppgifter: kassa")
    )
    with pytest.raises(LinkRefused, match="har ändrats") as outdated:
        await agreements.agreement_for_link(tokens["supervisor"])
    assert not outdated.value.used and outdated.value.status_code == 410


async def test_tampered_link_is_refused_and_changes_nothing(client):
    w = await make_world()
    booking_id = await accepted_booking(w)
    token = (await link_tokens(w, booking_id))["participant"]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    shown = await client.get(f"/underteckna/{tampered}", headers={"accept": "text/html"})
    assert shown.status_code == 400
    assert "ogiltig" in shown.text
    page = await client.get(f"/underteckna/{token}", headers={"accept": "text/html"})
    posted = await client.post(f"/underteckna/{tampered}", data={"_csrf_token": csrf_of(page.text)})
    assert posted.status_code == 400
    assert await signed_parties(booking_id) == set()
    garbage = await client.get("/underteckna/inte-en-länk", headers={"accept": "text/html"})
    assert garbage.status_code == 400


async def test_expired_link_is_refused_and_changes_nothing(client):
    w = await make_world()
    booking_id = await accepted_booking(w)
    token = (await link_tokens(w, booking_id))["participant"]
    page = await client.get(f"/underteckna/{token}", headers={"accept": "text/html"})
    csrf = csrf_of(page.text)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=get_settings().signing_link_days + 1)
    with time_machine.travel(later, tick=True):
        shown = await client.get(f"/underteckna/{token}", headers={"accept": "text/html"})
        assert shown.status_code == 410
        assert "gått ut" in shown.text
        posted = await client.post(f"/underteckna/{token}", data={"_csrf_token": csrf})
        assert posted.status_code == 410
    assert await signed_parties(booking_id) == set()


async def test_all_four_signatures_through_api_and_links_make_it_agreed(client, make_client):
    w = await make_world()
    booking_id = await accepted_booking(w)
    await login(client, w.coordinator.username)
    host = await make_client()
    await login(host, w.host_user.username)
    sign = {"json": {"version": 1}}
    sign_url = f"/api/v1/bookings/{booking_id}/agreement/sign"
    assert (await client.post(sign_url, **sign)).status_code == 200
    assert (await host.post(sign_url, **sign)).status_code == 200
    links = await client.post(f"/api/v1/bookings/{booking_id}/agreement/links")
    assert links.status_code == 200
    # The answer says where each link went, never the link (the coordinator could sign).
    sent = links.json()["sent"]
    assert {link["party"] for link in sent} == {"supervisor", "participant"}
    assert all(link["sent"] and link["mailed_to"] for link in sent)
    assert "/underteckna/" not in links.text
    assert (await host.post(f"/api/v1/bookings/{booking_id}/agreement/links")).status_code == 403
    mails = await OutboxMessage.select(OutboxMessage.body_text).where(
        OutboxMessage.kind == "agreement.link"
    )
    for mail in mails:
        found = re.search(r"https?://\S+(/underteckna/\S+)", mail["body_text"])
        assert found
        path = found.group(1)
        # The link is the credential: any browser may open it (here the host's, for brevity).
        shown = await host.get(path, headers={"accept": "text/html"})
        token = csrf_of(shown.text)
        posted = await host.post(
            path, data={"_csrf_token": token, "version": "1"}, headers={"x-csrftoken": token}
        )
        assert posted.status_code == 200
    agreement = (await client.get(f"/api/v1/bookings/{booking_id}/agreement")).json()
    assert agreement["fully_signed"] and agreement["status"] == "signed"
    assert (await client.get(f"/api/v1/bookings/{booking_id}")).json()["status"] == "agreed"


async def test_printable_page_has_print_css_and_respects_access(client, make_client):
    w = await make_world()
    booking_id = await accepted_booking(w)
    await login(client, w.host_user.username)
    printable = await client.get(
        f"/bokningar/{booking_id}/overenskommelse", headers={"accept": "text/html"}
    )
    assert printable.status_code == 200
    assert "Trepartsöverenskommelse" in printable.text
    assert "Vad värden får ut av placeringen" in printable.text
    site_css = re.search(r'href="(/static/site\.css\?v=[0-9a-f]+)"', printable.text)
    assert site_css is not None
    css = await client.get(site_css.group(1))
    assert "@media print" in css.text and ".no-print" in css.text
    analyst = await make_client()
    from tests.builders import make_user

    a = await make_user("analyst")
    await login(analyst, a.username)
    denied = await analyst.get(
        f"/bokningar/{booking_id}/overenskommelse", headers={"accept": "text/html"}
    )
    assert denied.status_code == 403


async def test_a_booking_without_an_agreement_is_refused_with_a_404_not_a_crash(client):
    """A booking past the proposal with no agreement row (one from before agreements, or
    written outside the services) answers every agreement action with a Swedish 404."""
    w = await make_world()
    booking_id = await make_booking(
        w.slot_id,
        w.candidate_id,
        w.coordinator.id,
        status="accepted",
        start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=30),
    )
    actions = [
        agreements.update_agreement(
            w.coordinator, booking_id, sa.AgreementUpdate(participant_goals="Mål")
        ),
        agreements.sign_in_app(w.coordinator, booking_id, seen_version=1),
        agreements.record_paper_signature(
            w.coordinator, booking_id, sa.PaperSignature(party="participant", version=1)
        ),
        agreements.issue_signing_links(w.coordinator, booking_id),
    ]
    for action in actions:
        with pytest.raises(NotFound, match="ingen överenskommelse"):
            await action
    # The workbench shows the booking, and its signing form answers with the same 404.
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}")
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/underteckna", data={"_csrf_token": token.group(1)}
    )
    assert answer.status_code == 404, answer.text[:500]
    assert "ingen överenskommelse" in answer.text


async def test_a_written_weekly_schedule_is_not_emptied(client):
    """Seen in a host's walk: the host could save the agreement with its schedule emptied,
    and everyone was then asked to sign an agreement that said nothing of when the
    participant is there. The service, the API and both pages refuse it, with the form's
    other mistakes; the other fields may change as before."""
    w = await make_world()
    booking_id = await accepted_booking(w)
    with pytest.raises(ValidationFailed) as refused:
        await agreements.update_agreement(
            w.host_user, booking_id, sa.AgreementUpdate(weekly_schedule=" ", tasks="Plock")
        )
    assert refused.value.fields == ["weekly_schedule"]
    assert "Skriv schemat per vecka" in refused.value.message
    kept = await agreements.get_agreement_for(w.coordinator, booking_id)
    assert (kept.weekly_schedule, kept.version) == ("30 timmar i veckan", 1)
    await login(client, w.host_user.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers={"accept": "text/html"})
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    posted = await client.post(
        f"/vard/bokningar/{booking_id}/overenskommelse",
        data={
            "_csrf_token": token.group(1),
            "weekly_schedule": "",
            "tasks": "Plock",
            "host_gains": "",
        },
        headers={"accept": "text/html"},
    )
    assert posted.status_code == 400
    assert "Skriv schemat per vecka" in posted.text
    assert ">Plock</textarea>" in posted.text  # what was typed is kept
    changed = await agreements.update_agreement(
        w.host_user, booking_id, sa.AgreementUpdate(weekly_schedule="Mån–tor 9–14")
    )
    assert changed.weekly_schedule == "Mån–tor 9–14"


# --- the win-win: both sides written before anyone signs --------------------------------------


async def test_an_agreement_without_its_win_win_is_signed_by_no_one_and_sends_no_link():
    """Seen on the demo: version 1 said "Deltagarens mål –" and "Vad värden får –", and the
    coordinator signed it. Every way of signing, and the links, name every empty field."""
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    refusals = [
        agreements.sign_in_app(w.coordinator, booking_id, seen_version=1),
        agreements.sign_in_app(w.host_user, booking_id, seen_version=1),
        agreements.issue_signing_links(w.coordinator, booking_id),
        agreements.record_paper_signature(
            w.coordinator, booking_id, sa.PaperSignature(party="participant", version=1)
        ),
    ]
    for refused in refusals:
        with pytest.raises(agreements.NotWinWin) as caught:
            await refused
        assert caught.value.status_code == 409
        assert set(caught.value.errors) == {"participant_goals", "host_gains"}
        assert "deltagarens mål" in caught.value.message
        assert "vad värden får ut" in caught.value.message
    assert not any(s["signed_at"] for s in (await signatures_of(booking_id)).values())
    assert await OutboxMessage.count().where(OutboxMessage.kind == "agreement.link") == 0

    # Only the host's side missing: only it is named; written, the agreement is signed.
    await agreements.update_agreement(
        w.coordinator, booking_id, sa.AgreementUpdate(participant_goals="Pröva lagerarbete")
    )
    with pytest.raises(agreements.NotWinWin) as caught:
        await agreements.sign_in_app(w.coordinator, booking_id, seen_version=2)
    assert list(caught.value.errors) == ["host_gains"]
    await agreements.update_agreement(w.host_user, booking_id, sa.AgreementUpdate(host_gains="   "))
    with pytest.raises(agreements.NotWinWin):  # blank is not written
        await agreements.sign_in_app(w.coordinator, booking_id, seen_version=3)
    await agreements.update_agreement(
        w.host_user, booking_id, sa.AgreementUpdate(host_gains="Hjälp vid inleveranser")
    )
    signed = await agreements.sign_in_app(w.coordinator, booking_id, seen_version=4)
    assert next(s for s in signed.signatures if s.party == "coordinator").signed


async def test_the_draft_leaves_the_tasks_to_the_parties_not_the_advert():
    """The draft's tasks were the slot's advert ("Vi har funnits på orten sedan
    1980-talet…"): text written to draw applicants, which no one would sign as tasks."""
    w = await make_world()
    await Slot.update({Slot.description: "Vi har funnits på orten sedan 1980-talet."}).where(
        Slot.id == w.slot_id
    )
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    agreement = await agreements.get_agreement_for(w.coordinator, booking_id)
    assert agreement.tasks == ""
    assert agreement.host_gains == ""


HEADINGS = {
    "underteckna": "Överenskommelsen kan inte skrivas under ännu",
    "lankar": "Länkarna för underskrift kan inte skickas ännu",
}


async def test_the_coordinator_page_refuses_signing_and_links_at_the_empty_fields(client):
    from tests.placements.test_answer_pages import csrf_of
    from tests.placements.test_answer_pages import login as page_login

    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await agreements.update_agreement(
        w.host_user, booking_id, sa.AgreementUpdate(tasks="Plock och packning")
    )
    await page_login(client, w.coordinator.username)
    url = f"/arbetsbord/bokningar/{booking_id}"
    page = await client.get(url, headers={"accept": "text/html"})
    assert 'id="win-win-saknas"' in page.text  # said before the buttons are pressed
    # and the buttons cannot be pressed (a tester pressed them and met a 409 page).
    assert '<fieldset class="plain actions" disabled aria-describedby="win-win-saknas">' in (
        page.text
    )
    assert 'disabled aria-describedby="win-win-saknas">Registrera underskrift' in page.text
    for action, data in (("underteckna", {"version": "2"}), ("lankar", {})):
        refused = await client.post(
            f"{url}/{action}",
            data={"_csrf_token": csrf_of(page.text), **data},
            headers={"accept": "text/html"},
        )
        assert refused.status_code == 409, refused.text
        # Seen by a tester: the refusal stood under "Formuläret behöver rättas", though the
        # coordinator had pressed a button and filled in no form wrongly.
        heading = re.search(r'<div class="error-summary".*?<h2>(.*?)</h2>', refused.text, re.S)
        assert heading is not None
        assert heading.group(1) == HEADINGS[action]
        assert "Formuläret behöver rättas" not in refused.text
        # Both empty fields named at once, each linked to its box in the opened form, and
        # the form holds the agreement as stored (the button posted none of it).
        assert 'href="#f-participant_goals"' in refused.text
        assert 'href="#f-host_gains"' in refused.text
        assert "Skriv deltagarens mål" in refused.text
        assert "Plock och packning</textarea>" in refused.text
        assert re.search(r"<details open>\s*<summary>Ändra överenskommelsen", refused.text)
    # A paper signature of an agreement that cannot be signed yet is headed alike; one
    # whose form names no party is a form to correct, and says so.
    paper = await client.post(
        f"{url}/papper",
        data={"_csrf_token": csrf_of(page.text), "party": "supervisor", "version": "2"},
        headers={"accept": "text/html"},
    )
    assert paper.status_code == 409
    assert "<h2>Överenskommelsen kan inte skrivas under ännu</h2>" in paper.text
    no_party = await client.post(
        f"{url}/papper",
        data={"_csrf_token": csrf_of(page.text), "version": "2"},
        headers={"accept": "text/html"},
    )
    assert no_party.status_code == 400
    assert "<h2>Formuläret behöver rättas</h2>" in no_party.text
    assert not (await signatures_of(booking_id))["coordinator"]["signed_at"]
    await write_win_win(booking_id)
    page = await client.get(url, headers={"accept": "text/html"})
    assert 'id="win-win-saknas"' not in page.text
    assert "disabled" not in page.text.split('id="papper"')[0].split('id="agreement-heading"')[1]


def test_every_part_of_an_agreement_a_change_may_name_has_a_swedish_label():
    # The timeline names what changed; an internal field name must never reach it.
    from placements.vocabulary import AGREEMENT_FIELD_LABELS

    assert set(sa.AgreementUpdate.__struct_fields__) | {"supervisor"} == set(AGREEMENT_FIELD_LABELS)
