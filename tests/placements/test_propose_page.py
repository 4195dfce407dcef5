"""The propose page: from a slot, the coordinator sees which of their participants suit it,
with the reasons, and picks one with one click."""

from __future__ import annotations

from marketplace.kernel.tables import AuditEntry
from marketplace.reference import places
from placements.services import bookings
from placements.tables import Slot
from search.taxonomy_cache import suggest_occupations
from tests.builders import (
    make_candidate,
    make_host,
    make_host_user,
    make_slot,
    make_supervisor,
)
from tests.conftest import login
from tests.placements.bookingdata import END, START, make_world, propose

HTML = {"accept": "text/html"}
LAGER = suggest_occupations("lagerarbetare", 1)[0].id


async def test_the_propose_page_lists_suited_participants_and_preselects_the_one_chosen(client):
    w = await make_world()
    await Slot.update({Slot.occupation_id: LAGER}).where(Slot.id == w.slot_id)
    # The slot stands in Vårgårda, where Selma lives.
    lat, lon = places.place("Vårgårda") or (0.0, 0.0)
    await Slot.update({Slot.town: "Vårgårda", Slot.latitude: lat, Slot.longitude: lon}).where(
        Slot.id == w.slot_id
    )
    suited = await make_candidate(
        w.coordinator,
        "Selma",
        wished_occupations=[LAGER],
        interests="lager",
        hours_available=40,
        home_town="Vårgårda",
    )
    # Wants fewer hours than the slot asks: a hard limit, never suggested.
    await make_candidate(w.coordinator, "Tove", wished_occupations=[LAGER], hours_available=10)
    await login(client, w.coordinator.username)
    before = await AuditEntry.count().where(AuditEntry.action == "candidate.match")
    page = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    assert page.status_code == 200
    assert "Deltagare som passar platsen" in page.text
    assert "Selma Andersson" in page.text
    assert "Tove Andersson</strong>" not in page.text
    # Living in the slot's own town reads so, not "0,0 km bort".
    assert "bor på platsens ort" in page.text and "0,0 km" not in page.text
    pick = f"/arbetsbord/platser/{w.slot_id}/foresla?deltagare={suited}#f-candidate_id"
    assert f'href="{pick}"' in page.text
    # Each participant shown is an audited read.
    assert await AuditEntry.count().where(AuditEntry.action == "candidate.match") > before
    chosen = await client.get(pick.split("#")[0], headers=HTML)
    assert f'<option value="{suited}" selected' in chosen.text


async def test_a_participant_placed_during_the_slots_period_is_said_so_and_listed_last(client):
    """A tester saw a participant with an agreed placement among those who suit a slot, and
    proposing them was refused. They are listed after the free ones, with the placement in
    the way and its period."""
    w = await make_world()
    await Slot.update({Slot.occupation_id: LAGER}).where(Slot.id == w.slot_id)
    placed, free = [
        await make_candidate(
            w.coordinator, name, wished_occupations=[LAGER], interests="lager", hours_available=40
        )
        for name in ("Julia", "Selma")
    ]
    other_host = await make_host("Snickeriet")
    other_slot = await make_slot(other_host, await make_supervisor(other_host), title="Träarbetare")
    booking = await propose(w, candidate_id=placed, slot_id=other_slot)
    await bookings.accept(await make_host_user(other_host), booking)
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    suited = page.text.split('id="suited-heading"')[1].split("</section>")[0]
    assert suited.index("Selma Andersson") < suited.index("Julia Andersson")
    said = f"Har redan en placering under platsens period: Träarbetare, {START} – {END}."
    assert said in suited and suited.count("Har redan en placering") == 1
    assert free


async def test_a_participant_already_proposed_for_the_slot_is_not_offered_again(client):
    """Seen in a coordinator's day: one booked on the slot for the spring was listed as
    suiting it; proposing them again is refused ("redan föreslagen")."""
    w = await make_world()
    await Slot.update({Slot.occupation_id: LAGER}).where(Slot.id == w.slot_id)
    here, other = [
        await make_candidate(
            w.coordinator, name, wished_occupations=[LAGER], interests="lager", hours_available=40
        )
        for name in ("Yusuf", "Selma")
    ]
    await propose(w, candidate_id=here)
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    suited = page.text.split('id="suited-heading"')[1].split("</section>")[0]
    assert "Selma Andersson" in suited and "Yusuf Andersson" not in suited
    assert other


async def test_a_closed_slot_suggests_nobody(client):
    w = await make_world()
    await Slot.update({Slot.status: "closed"}).where(Slot.id == w.slot_id)
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    assert page.status_code == 200
    assert "Deltagare som passar platsen" not in page.text


async def test_a_message_with_the_last_name_or_a_personnummer_is_refused_at_its_box(client):
    """The form comes back with what was typed and the reason at the message box; the
    box's hint says what the host sees."""
    import re
    from html import unescape

    from placements.host_texts import IDENTITY_TEXT as MESSAGE_IDENTITY
    from placements.services.bookings import MESSAGE_LAST_NAME
    from placements.tables import Booking
    from tests.placements.bookingdata import END, START
    from tests.placements.test_answer_pages import csrf_of
    from tests.placements.test_answer_pages import login as form_login

    w = await make_world()
    await form_login(client, w.coordinator.username)
    form = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    assert "efternamn och kontaktuppgifter först när värden har tackat ja" in form.text
    typed = "Aida Andersson (850709-9805) vill pröva lager."
    refused = await client.post(
        f"/arbetsbord/platser/{w.slot_id}/foresla",
        data={
            "_csrf_token": csrf_of(form.text),
            "candidate_id": str(w.candidate_id),
            "message": typed,
            "start_date": str(START),
            "end_date": str(END),
        },
    )
    assert refused.status_code == 400
    found = re.search(r'<span class="error" id="f-message-error">([^<]*)</span>', refused.text)
    assert found and unescape(found.group(1)) == f"{MESSAGE_IDENTITY} {MESSAGE_LAST_NAME}"
    assert typed in unescape(refused.text)
    assert await Booking.count() == 0


async def test_a_participant_without_consent_is_marked_and_refused_on_the_page(client):
    """Seen in the browser: a participant registered without consent was proposed and the
    host's contacts mailed. The list marks them; sending says what to do."""
    from html import unescape

    from placements.services.bookings import NO_CONSENT
    from placements.tables import Booking
    from tests.placements.test_answer_pages import csrf_of
    from tests.placements.test_answer_pages import login as form_login

    w = await make_world()
    nobody = await make_candidate(w.coordinator, "Cia", consent_date=None, consent_method="")
    await form_login(client, w.coordinator.username)
    form = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    assert f'<option value="{nobody}">Cia Andersson (samtycke saknas)</option>' in form.text
    refused = await client.post(
        f"/arbetsbord/platser/{w.slot_id}/foresla",
        data={"_csrf_token": csrf_of(form.text), "candidate_id": str(nobody), "message": "Hej"},
    )
    assert refused.status_code == 409
    assert NO_CONSENT in unescape(refused.text)
    # The refusal stands first, above the suited participants (at 375 px they filled the
    # screen and the refusal was out of sight).
    assert "Deltagare som passar platsen" in refused.text
    assert refused.text.index('id="error-summary"') < refused.text.index("Deltagare som passar")
    assert await Booking.count() == 0


async def test_a_participant_of_fewer_hours_than_the_slot_is_proposed_only_once_confirmed(client):
    """A tester proposed Julia (30 hours a week) for a slot of 40, with no word, and the
    agreement said "40 timmar i veckan". The proposal is refused with a warning naming both,
    at a box to tick; ticked, it is sent, and the placement is for the participant's hours."""
    from html import unescape

    from placements.services import bookings
    from placements.tables import Agreement, Booking
    from tests.placements.bookingdata import END, START
    from tests.placements.test_answer_pages import csrf_of
    from tests.placements.test_answer_pages import login as form_login

    w = await make_world()
    await Slot.update({Slot.hours_per_week: 40}).where(Slot.id == w.slot_id)
    julia = await make_candidate(w.coordinator, "Julia", hours_available=30)
    await form_login(client, w.coordinator.username)
    url = f"/arbetsbord/platser/{w.slot_id}/foresla"
    form = await client.get(url, headers=HTML)
    typed = {
        "_csrf_token": csrf_of(form.text),
        "candidate_id": str(julia),
        "message": "Julia vill prova lagerarbete.",
        "start_date": str(START),
        "end_date": str(END),
    }
    refused = await client.post(url, data=typed)
    assert refused.status_code == 409
    text = unescape(refused.text)
    assert 'id="hours-heading"' in refused.text
    assert "Julia kan arbeta 30 timmar i veckan, men platsen är på 40 timmar i veckan." in text
    assert 'name="confirm_hours"' in refused.text
    assert "Julia vill prova lagerarbete." in text  # what was typed is kept
    assert await Booking.count() == 0

    sent = await client.post(url, data={**typed, "confirm_hours": "1"}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    booking = await Booking.select(Booking.id).where(Booking.candidate == julia).first()
    assert booking is not None
    await bookings.accept(w.host_user, booking["id"])
    placed = await Booking.select(Booking.hours_per_week).where(Booking.id == booking["id"]).first()
    assert placed == {"hours_per_week": 30}
    agreement = (
        await Agreement.select(Agreement.weekly_schedule)
        .where(Agreement.booking == booking["id"])
        .first()
    )
    assert agreement == {"weekly_schedule": "30 timmar i veckan"}
