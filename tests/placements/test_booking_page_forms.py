"""The coordinator's booking page holds several forms (the host's answer by phone, the
agreement, the end, the outcome): each keeps its own words, and a refused one stays open and
names every mistake at once, the date rules with the rest.
"""

from __future__ import annotations

import datetime as dt
import re

from placements.services import bookings
from tests.builders import make_candidate
from tests.placements.bookingdata import (
    END,
    SECRET_ADAPTATION,
    SHARED_ADAPTATION,
    START,
    TODAY,
    give_adaptations,
    make_world,
    propose,
    sign_all,
    to_active,
)
from tests.placements.test_answer_pages import HTML, csrf_of, login, visible_text


def form_html(page: str, action: str) -> str:
    """The form that posts to `action` (the end of its address), tags and all."""
    found = re.search(rf'<form[^>]*action="[^"]*/{action}"[^>]*>(.*?)</form>', page, re.S)
    assert found, f"the page has the form {action}"
    return found.group(1)


def details_around(page: str, action: str) -> str:
    """The opening tag of the <details> that holds the form posting to `action`."""
    before = page.split(f'/{action}"', 1)[0]
    return before[before.rindex("<details") :].split(">", 1)[0]


async def test_the_outcome_forms_note_is_not_the_phone_calls(client):
    w = await make_world()
    booking_id = await to_active(w)
    await bookings.end(w.host_user, booking_id, "completed", TODAY)
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    outcome = visible_text(form_html(page.text, "utfall"))
    assert "Anteckning" in outcome
    assert "samtalet" not in visible_text(page.text)


async def test_a_phone_answer_with_a_wrong_period_stays_open_with_what_was_typed(client):
    w = await make_world()
    booking_id = await propose(w)
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert "open" not in details_around(page.text, "telefonsvar")
    refused = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/telefonsvar",
        data={
            "_csrf_token": csrf_of(page.text),
            "answer": "accept",
            "answered_by": "Karin Kontakt",
            "note": "Ja, men först efter sommaren.",
            "start_date": (END + dt.timedelta(days=10)).isoformat(),
        },
        headers=HTML,
    )
    assert refused.status_code == 400
    assert "ligger före startdatum" in visible_text(refused.text)
    assert "open" in details_around(refused.text, "telefonsvar")
    assert 'value="Karin Kontakt"' in form_html(refused.text, "telefonsvar")
    # The other forms on the page stay closed.
    assert "open" not in details_around(refused.text, "aterkalla")


async def test_the_agreement_form_names_a_wrong_period_with_its_other_mistakes(client):
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    refused = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/overenskommelse",
        data={
            "_csrf_token": csrf_of(page.text),
            "start_date": (END + dt.timedelta(days=10)).isoformat(),
            "end_date": END.isoformat(),
            "participant_goals": "x" * 5001,
        },
        headers=HTML,
    )
    assert refused.status_code == 400
    text = visible_text(refused.text)
    assert "Deltagarens mål får vara högst 5000 tecken." in text
    assert f"Slutdatum {END.isoformat()} ligger före startdatum" in text
    # An unchanged start in the past is not refused; a changed one is, with the rest.
    past = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/overenskommelse",
        data={
            "_csrf_token": csrf_of(page.text),
            "start_date": (TODAY - dt.timedelta(days=1)).isoformat(),
            "end_date": END.isoformat(),
            "participant_goals": "x" * 5001,
        },
        headers=HTML,
    )
    assert past.status_code == 400
    assert "har redan passerat" in visible_text(past.text)
    kept = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/overenskommelse",
        data={
            "_csrf_token": csrf_of(page.text),
            "start_date": START.isoformat(),
            "end_date": END.isoformat(),
            "participant_goals": "Lära sig plock och packning.",
        },
        follow_redirects=False,
    )
    assert kept.status_code == 303


async def test_the_agreements_adaptations_are_boxes_of_what_the_participant_shares(client):
    """A tester typed "Behöver pauser" into the agreement's adaptations and was refused: only
    what the participant agreed to share may stand there, and the form showed neither what
    that was nor where to change it. The form offers those as boxes and links to the
    participant's profile; what is not shared is not offered."""
    w = await make_world()
    await give_adaptations(w)
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    form = form_html(page.text, "overenskommelse")
    assert f'name="adaptations_shared" value="{SHARED_ADAPTATION}"' in form
    assert SECRET_ADAPTATION not in page.text
    assert f'href="/arbetsbord/deltagare/{w.candidate_id}/profil#f-adaptations"' in form
    saved = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/overenskommelse",
        data={
            "_csrf_token": csrf_of(page.text),
            "start_date": START.isoformat(),
            "end_date": END.isoformat(),
            "adaptations_shared": SHARED_ADAPTATION,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    ticked = form_html(shown.text, "overenskommelse")
    assert f'name="adaptations_shared" value="{SHARED_ADAPTATION}" checked' in ticked


async def test_an_agreed_placement_offers_to_start_only_from_its_start_date(client):
    w = await make_world(capacity=2)
    later = await propose(w)
    other = await make_candidate(w.coordinator, first_name="Bea")
    today = await propose(w, candidate_id=other, start=TODAY, end=END)
    for booking_id in (later, today):
        await bookings.accept(w.host_user, booking_id)
        await sign_all(w, booking_id)
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/bokningar/{later}", headers=HTML)
    assert f"/bokningar/{later}/starta" not in page.text
    assert f"Placeringen startar av sig själv {START.isoformat()}." in visible_text(page.text)
    page = await client.get(f"/arbetsbord/bokningar/{today}", headers=HTML)
    assert f"/bokningar/{today}/starta" in page.text
    assert "startar av sig själv" not in page.text
