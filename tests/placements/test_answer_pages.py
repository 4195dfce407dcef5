"""Issue 15, items 1 and 2, over HTTP: the page behind a host's single-use answer link
(expired, reused, another booking's, decline with a reason), the coordinator's phone answer,
the capacity warning when proposing, and the host portal's accept with another supervisor.

Every page is Swedish: no internal name (a snake_case field) in what a person reads, and a
message after each action.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator

import pytest
from litestar import Litestar

from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from marketplace.kernel.tokens import token_hash
from placements.services import bookings
from placements.tables import AnswerLink, Booking, BookingEvent, Slot
from tests.builders import make_candidate, make_supervisor
from tests.conftest import login as api_login
from tests.inloop import InLoopClient
from tests.placements.bookingdata import END, START, TODAY, make_world, propose
from tests.placements.test_answers import links_mailed, unlinked_world

HTML = {"accept": "text/html"}
INTERNAL = re.compile(r"\b[a-z]+_[a-z_]+\b")


async def login(client, username: str) -> None:
    """Sign in as a browser would for its forms: the form's token, not the API header."""
    await api_login(client, username)
    client.headers.pop("x-csrftoken", None)


def csrf_of(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def visible_text(page: str) -> str:
    """What a person reads: the <main> element without tags, scripts or attributes."""
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def no_internal_names(page: str) -> None:
    found = INTERNAL.findall(visible_text(page))
    assert not found, found


def no_store(response) -> bool:
    return "no-store" in response.headers.get("cache-control", "")


async def test_a_host_without_an_account_accepts_through_the_link_once(client):
    u = await unlinked_world()
    booking_id = await propose(u.w)
    token = (await links_mailed(booking_id))["karin@bygg.example.se"]
    url = f"/forslag/{booking_id}/svar/{token}"
    shown = await client.get(url, headers=HTML)
    assert shown.status_code == 200 and no_store(shown)
    text = visible_text(shown.text)
    assert "Lagerarbetare" in text and "Aida" in text and "Andersson" not in text
    assert "Hanna Handledare – plats för 5 till (platsens handledare)" in text
    no_internal_names(shown.text)
    csrf = csrf_of(shown.text)

    # Without the confirmation nothing is accepted, and the page says what to do.
    unconfirmed = await client.post(f"{url}/acceptera", data={"_csrf_token": csrf})
    assert unconfirmed.status_code == 400 and no_store(unconfirmed)
    assert "Kryssa i rutan för att bekräfta" in unconfirmed.text
    no_internal_names(unconfirmed.text)
    # Seen in the browser: another period ending before it starts was said only after the
    # box was ticked. Both at once.
    both = await client.post(
        f"{url}/acceptera",
        data={"_csrf_token": csrf, "start_date": "2030-03-20", "end_date": "2030-02-01"},
    )
    assert both.status_code == 400
    assert "Kryssa i rutan för att bekräfta" in both.text
    assert 'id="f-end_date-error"' in both.text
    status = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert status == {"status": "proposed"}

    accepted = await client.post(
        f"{url}/acceptera", data={"_csrf_token": csrf, "confirm": "1", "supervisor_id": ""}
    )
    assert accepted.status_code == 200 and no_store(accepted)
    assert "Tack! Ni har tackat ja" in accepted.text
    assert 'role="status"' in accepted.text
    no_internal_names(accepted.text)
    status = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert status == {"status": "accepted"}

    # Seen by a tester: the host who opened their used link again read "Länken fungerar
    # inte … Inget har ändrats", as if the answer was lost. The page says it is registered.
    reused = await client.post(f"{url}/acceptera", data={"_csrf_token": csrf, "confirm": "1"})
    assert reused.status_code == 410 and no_store(reused)
    again = await client.get(url, headers=HTML)
    assert again.status_code == 410
    for used in (reused, again):
        text = visible_text(used.text)
        assert "Länken är redan använd" in text
        assert f"Ni tackade ja till förslaget {TODAY.isoformat()} med den här länken." in text
        assert "Svaret är registrerat" in text
        assert "Länken fungerar inte" not in text and "Inget har ändrats" not in text
        assert 'href="/logga-in"' in used.text
        # Whom to ask, as the link's page named them; said once.
        assert (
            "Länken kan bara användas en gång. Behöver något ändras? Kontakta samordnaren "
            f'{u.w.coordinator.name}, <a href="mailto:{u.w.coordinator.email}">'
        ) in used.text
        assert text.count("bara användas en gång") == 1
        # The page speaks to the host organisation as its other pages do ("ni").
        assert "Du behöver" not in text and "din samordnare" not in text
        no_internal_names(used.text)


async def test_expired_and_foreign_links_are_refused_with_a_clear_page(client):
    u = await unlinked_world()
    booking_id = await propose(u.w)
    other = await propose(u.w, candidate_id=await make_candidate(u.w.coordinator, "Bo"))
    token = (await links_mailed(booking_id))["karin@bygg.example.se"]

    wrong_booking = await client.get(f"/forslag/{other}/svar/{token}", headers=HTML)
    assert wrong_booking.status_code == 400 and no_store(wrong_booking)
    assert "hör inte till det här förslaget" in wrong_booking.text
    garbage = await client.get(f"/forslag/{booking_id}/svar/inte-en-länk", headers=HTML)
    assert garbage.status_code == 400 and "ogiltig" in garbage.text
    too_long = await client.get(f"/forslag/{booking_id}/svar/{'x' * 600}", headers=HTML)
    assert too_long.status_code == 400

    shown = await client.get(f"/forslag/{booking_id}/svar/{token}", headers=HTML)
    await AnswerLink.update(
        {AnswerLink.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(AnswerLink.token_hash == token_hash(token))
    expired = await client.post(
        f"/forslag/{booking_id}/svar/{token}/acceptera",
        data={"_csrf_token": csrf_of(shown.text), "confirm": "1"},
    )
    assert expired.status_code == 410 and no_store(expired)
    assert "gått ut" in expired.text
    # Unknown and expired links keep the neutral page: nothing is said of an answer.
    for neutral in (expired, garbage, wrong_booking):
        assert "Länken fungerar inte" in neutral.text and "Inget har ändrats" in neutral.text
        assert "redan använd" not in neutral.text and "tackade" not in neutral.text
    for booking in (booking_id, other):
        row = await Booking.select(Booking.status).where(Booking.id == booking).first()
        assert row == {"status": "proposed"}


async def test_declining_through_the_link_needs_a_reason(client):
    u = await unlinked_world()
    booking_id = await propose(u.w)
    token = (await links_mailed(booking_id))["karin@bygg.example.se"]
    url = f"/forslag/{booking_id}/svar/{token}"
    csrf = csrf_of((await client.get(url, headers=HTML)).text)
    blank = await client.post(f"{url}/avboj", data={"_csrf_token": csrf, "reason": "  "})
    assert blank.status_code == 400
    assert "Skriv varför ni avböjer" in blank.text and 'aria-invalid="true"' in blank.text
    declined = await client.post(
        f"{url}/avboj", data={"_csrf_token": csrf, "reason": "Vi flyttar lagret i vår."}
    )
    assert declined.status_code == 200 and "Tack för ert svar" in declined.text
    row = (
        await Booking.select(Booking.status, Booking.decline_reason)
        .where(Booking.id == booking_id)
        .first()
    )
    assert row == {"status": "declined", "decline_reason": "Vi flyttar lagret i vår."}
    reused = await client.post(f"{url}/avboj", data={"_csrf_token": csrf, "reason": "Igen"})
    assert reused.status_code == 410
    assert f"Ni tackade nej till förslaget {TODAY.isoformat()}" in reused.text
    assert "Länken är redan använd" in reused.text and "Inget har ändrats" not in reused.text


async def test_the_link_page_offers_another_supervisor_when_the_slots_is_full(client):
    u = await unlinked_world(supervision=1)
    first = await propose(u.w)
    await bookings.accept(u.w.coordinator, first)
    second = await propose(
        u.w, candidate_id=await make_candidate(u.w.coordinator, "Bo"), confirm=True
    )
    token = (await links_mailed(second))["karin@bygg.example.se"]
    url = f"/forslag/{second}/svar/{token}"
    shown = await client.get(url, headers=HTML)
    text = visible_text(shown.text)
    assert "Förslaget går inte att ta emot precis som det är" in text
    assert "Hanna Handledare – fullbokad under perioden (platsens handledare)" in text
    # Another supervisor with room is chosen for the host already.
    assert re.search(rf'<option value="{u.other_supervisor}" selected>', shown.text)
    refused = await client.post(
        f"{url}/acceptera",
        data={
            "_csrf_token": csrf_of(shown.text),
            "confirm": "1",
            "supervisor_id": str(u.w.supervisor_id),
        },
    )
    assert refused.status_code == 409
    assert 'id="f-supervisor_id-error"' in refused.text and "Olle Ordförande" in refused.text
    accepted = await client.post(
        f"{url}/acceptera",
        data={
            "_csrf_token": csrf_of(refused.text),
            "confirm": "1",
            "supervisor_id": str(u.other_supervisor),
        },
    )
    assert accepted.status_code == 200 and "Olle Ordförande" in accepted.text


async def test_the_coordinator_records_a_phone_answer_shown_in_the_history(client):
    u = await unlinked_world()
    booking_id = await propose(u.w)
    await login(client, u.w.coordinator.username)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert "Förslaget skickades med en personlig engångslänk till" in page.text
    assert "karin@bygg.example.se" in page.text and "Svar per telefon" in page.text
    assert f"/forslag/{booking_id}/svar/" not in page.text  # the link is the host's alone
    no_internal_names(page.text)
    missing = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/telefonsvar",
        data={"_csrf_token": csrf_of(page.text), "answer": "accept", "note": "Ja"},
    )
    assert missing.status_code == 400
    # A question is answered: "Vem hos värden svarade? måste fyllas i." said it wrongly.
    assert "Svara på frågan ”Vem hos värden svarade?”." in missing.text
    no_internal_names(missing.text)
    done = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/telefonsvar",
        data={
            "_csrf_token": csrf_of(page.text),
            "answer": "accept",
            "answered_by": "Karin Kontakt",
            "note": "Tackade ja i telefon, börjar som planerat.",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert (
        done.headers["location"]
        == f"/arbetsbord/bokningar/{booking_id}?klart=telefonsvar-registrerat"
    )
    after = await client.get(done.headers["location"], headers=HTML)
    text = visible_text(after.text)
    assert "Värdens svar per telefon är registrerat" in text
    assert "accepterad" in text and "Svar per telefon från Karin Kontakt, antecknat av" in text
    no_internal_names(after.text)
    assert await AuditEntry.count().where(AuditEntry.action == "booking.phone_answer") == 1


async def test_the_phone_answer_api_and_the_link_list(client):
    u = await unlinked_world()
    booking_id = await propose(u.w)
    await api_login(client, u.w.coordinator.username)
    links = await client.get(f"/api/v1/bookings/{booking_id}/answer-links")
    assert links.status_code == 200
    emails = sorted(link["email"] for link in links.json())
    assert len(emails) == 2 and "karin@bygg.example.se" in emails
    assert all(set(link) >= {"sent_at", "expires_at", "used_at"} for link in links.json())
    assert not any("token" in key for link in links.json() for key in link)
    resent = await client.post(f"/api/v1/bookings/{booking_id}/answer-links")
    assert resent.status_code == 200 and len(resent.json()) == 4
    assert sum(1 for link in resent.json() if link["replaced"]) == 2
    answered = await client.post(
        f"/api/v1/bookings/{booking_id}/phone-answer",
        json={"answer": "decline", "answered_by": "Karin Kontakt", "note": "Fullt i vår."},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "declined"
    assert answered.json()["events"][-1]["to_status_text"] == "avböjd"
    bad = await client.post(
        f"/api/v1/bookings/{booking_id}/phone-answer",
        json={"answer": "kanske", "answered_by": "Karin", "note": "?"},
    )
    assert bad.status_code == 400


async def test_proposing_to_a_full_supervisor_warns_in_swedish_and_sends_once_confirmed(client):
    w = await make_world(capacity=3, supervision=1)
    first = await propose(w)
    await bookings.accept(w.host_user, first)
    bo = await make_candidate(w.coordinator, "Bo")
    await login(client, w.coordinator.username)
    form = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    fields = {
        "_csrf_token": csrf_of(form.text),
        "candidate_id": str(bo),
        "message": "Bo vill pröva lager.",
        "start_date": str(START),
        "end_date": str(END),
    }
    warned = await client.post(f"/arbetsbord/platser/{w.slot_id}/foresla", data=fields)
    assert warned.status_code == 409
    text = visible_text(warned.text)
    assert "Handledaren Hanna Handledare handleder redan 1 deltagare" in text
    assert f"Första period med plats: {END + dt.timedelta(days=1)}" in text
    assert "Jag har läst varningen och vill skicka förslaget ändå" in text
    assert 'value="Bo vill pröva lager."' not in warned.text  # a textarea keeps it as text
    assert "Bo vill pröva lager." in warned.text  # what was typed is kept
    no_internal_names(warned.text)
    assert await Booking.count().where(Booking.candidate == bo) == 0
    sent = await client.post(
        f"/arbetsbord/platser/{w.slot_id}/foresla",
        data={**fields, "confirm_capacity": "1"},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?klart=forslag-skickat")
    page = await client.get(sent.headers["location"], headers=HTML)
    assert "Förslaget är skickat till värden." in page.text
    assert "Värdens användare svarar på förslaget när de loggar in" in page.text


async def test_the_host_portal_accepts_with_another_supervisor_instead_of_a_bare_409(client):
    w = await make_world(capacity=2, supervision=1)
    other = await make_supervisor(w.host_id, capacity=1, name="Olle Ordförande")
    first = await propose(w)
    await bookings.accept(w.host_user, first)
    second = await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"), confirm=True)
    await login(client, w.host_user.username)
    home = await client.get("/vard", headers=HTML)
    assert "Välj en annan handledare eller period" in home.text
    page = await client.get(f"/vard/bokningar/{second}", headers=HTML)
    assert "Olle Ordförande – plats för 1 till" in visible_text(page.text)
    no_internal_names(page.text)
    refused = await client.post(
        f"/vard/bokningar/{second}/acceptera",
        data={"_csrf_token": csrf_of(page.text), "supervisor_id": str(w.supervisor_id)},
    )
    assert refused.status_code == 409
    assert "Välj en annan handledare med plats: Olle Ordförande" in refused.text
    assert 'aria-invalid="true"' in refused.text
    done = await client.post(
        f"/vard/bokningar/{second}/acceptera",
        data={"_csrf_token": csrf_of(page.text), "supervisor_id": str(other)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith(
        "?klart=forslag-accepterat"
    )
    after = await client.get(done.headers["location"], headers=HTML)
    assert "Ni har accepterat förslaget" in after.text
    event = (
        await BookingEvent.select(BookingEvent.note)
        .where((BookingEvent.booking == second) & (BookingEvent.to_status == "accepted"))
        .first()
    )
    assert event is not None and "Olle Ordförande" in event["note"]


async def test_the_accept_api_takes_a_supervisor_and_lists_the_options(client):
    w = await make_world(capacity=2, supervision=1)
    other = await make_supervisor(w.host_id, capacity=1, name="Olle Ordförande")
    first = await propose(w)
    await bookings.accept(w.host_user, first)
    second = await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"), confirm=True)
    await api_login(client, w.host_user.username)
    options = await client.get(f"/api/v1/bookings/{second}/accept-options")
    assert options.status_code == 200
    assert options.json()["fits"] is False
    assert {s["name"]: s["free"] for s in options.json()["supervisors"]} == {
        "Hanna Handledare": 0,
        "Olle Ordförande": 1,
    }
    bare = await client.post(f"/api/v1/bookings/{second}/accept")
    assert bare.status_code == 409 and bare.json()["fields"] == ["supervisor_id"]
    accepted = await client.post(f"/api/v1/bookings/{second}/accept", json={"supervisor_id": other})
    assert accepted.status_code == 200 and accepted.json()["supervisor_id"] == other


# --- who proposes: the unit of the settings -----------------------------------------------------

OTHER_MUNICIPALITY = {
    "ORGANISATION_NAME": "Herrljunga kommun",
    "UNIT_NAME": "Arbetsmarknadsenheten",
}


@pytest.fixture
def other_municipality(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in OTHER_MUNICIPALITY.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_the_link_mail_and_page_name_the_unit_of_the_settings(
    other_municipality: None, next_app: Callable[[], Litestar]
) -> None:
    u = await unlinked_world()
    booking_id = await propose(u.w)
    mail = await OutboxMessage.select(OutboxMessage.body_text, OutboxMessage.body_html).where(
        (OutboxMessage.kind == "booking.answer_link")
        & (OutboxMessage.recipient == "karin@bygg.example.se")
    )
    assert len(mail) == 1
    said = " ".join(mail[0]["body_text"].split())
    assert "En samordnare på Arbetsmarknadsenheten i Herrljunga kommun föreslår en deltagare" in (
        said
    )
    assert "kompetenscent" not in (mail[0]["body_text"] + mail[0]["body_html"]).lower()

    token = (await links_mailed(booking_id))["karin@bygg.example.se"]
    async with InLoopClient(app=next_app(), base_url="http://testserver.local") as client:
        shown = await client.get(f"/forslag/{booking_id}/svar/{token}", headers=HTML)
    assert shown.status_code == 200
    text = " ".join(visible_text(shown.text).split())
    assert (
        "En samordnare på Arbetsmarknadsenheten i Herrljunga kommun föreslår en deltagare för "
        "er plats hos Vårgårda Bygg AB." in text
    )
    assert "kompetenscent" not in shown.text.lower()


async def test_the_link_page_shows_the_slots_hours_as_they_are_now(client):
    """A proposal has no hours of its own until the host accepts: the page shows the slot's."""
    u = await unlinked_world()
    booking_id = await propose(u.w)
    await Slot.update({Slot.hours_per_week: 25}).where(Slot.id == u.w.slot_id)
    token = (await links_mailed(booking_id))["karin@bygg.example.se"]
    shown = await client.get(f"/forslag/{booking_id}/svar/{token}", headers=HTML)
    assert "<dt>Timmar i veckan</dt><dd>25</dd>" in shown.text


def test_a_used_link_without_a_known_answer_says_it_was_used():
    """A used link whose answer was not stored with it (links used before the answer was
    kept) says the general words for a used link, not an answer nobody knows."""
    from placements.services import answers

    used = {"answer": "", "used_at": None}
    assert answers.used_text(used) == answers.USED  # type: ignore[arg-type]
