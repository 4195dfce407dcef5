"""A hit on the search pages shows what a coordinator decides by: free places of all, hours a
week and the period."""

from __future__ import annotations

import datetime as dt

import pytest

from employers.tables import Contact
from placements.services import bookings, bump_slot_change
from placements.tables import Slot
from tests.builders import make_contact
from tests.conftest import login
from tests.placements.bookingdata import END, START, make_world, propose

HTML = {"accept": "text/html"}


async def test_hits_show_free_places_hours_and_period(client):
    w = await make_world(capacity=2)
    start, end = START - dt.timedelta(days=7), END + dt.timedelta(days=30)
    await Slot.update({Slot.start_date: start, Slot.end_date: end}).where(Slot.id == w.slot_id)
    booking = await propose(w)
    await bookings.accept(w.host_user, booking)
    await bump_slot_change(w.slot_id)
    await login(client, w.coordinator.username)
    page = await client.get("/arbetsbord/platser?q=lagerarbetare", headers=HTML)
    assert page.status_code == 200
    assert "Lagerarbetare" in page.text
    assert "1 ledig plats av 2" in page.text
    assert "30 tim/vecka" in page.text
    assert f"{start} – {end}" in page.text
    public = await client.get("/platser?q=lagerarbetare", headers=HTML)
    assert "1 ledig plats av 2" in public.text


async def test_a_hit_says_when_no_supervisor_is_free_though_a_seat_is(client):
    """Seen in the browser: the search said "1 ledig plats av 2" for a slot whose only
    supervisor guided as many as they could; the propose page then warned. The hit says it,
    until another supervisor of the host has room."""
    w = await make_world(capacity=2, supervision=1)
    booking = await propose(w)
    await bookings.accept(w.host_user, booking)
    await bump_slot_change(w.slot_id)
    await login(client, w.coordinator.username)
    page = await client.get("/arbetsbord/platser?q=lagerarbetare", headers=HTML)
    assert "1 ledig plats av 2, men <strong>ingen handledare är ledig just nu</strong>" in (
        page.text
    )
    # The slot's own page says so, and the page that proposes a participant, before the
    # proposal is written.
    slot_page = await client.get(f"/platser/{w.slot_id}", headers=HTML)
    assert "1 av 2, men <strong>ingen handledare är ledig just nu</strong>" in slot_page.text
    propose_page = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    assert "Ingen handledare hos värden har plats just nu." in propose_page.text
    await make_contact(w.host_id, "Olle Handledare", capacity=1)
    again = await client.get("/arbetsbord/platser?q=lagerarbetare", headers=HTML)
    assert "1 ledig plats av 2" in again.text and "ingen handledare" not in again.text
    propose_page = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    assert "Ingen handledare hos värden har plats" not in propose_page.text


async def test_a_slot_without_a_supervisor_is_no_free_place(client):
    """Seen on the demo: a slot with no supervisor said "1 ledig plats av 1" with no warning,
    and the proposal written to it was refused ("Platsen har ingen handledare som kan ta
    emot deltagaren"). The hit and the propose page say it first; a supervisor of the host
    with room takes the warning away."""
    w = await make_world(supervision=1)
    await Contact.update({Contact.supervision_capacity: 0}).where(Contact.id == w.supervisor_id)
    await Slot.update({Slot.supervisor: None}).where(Slot.id == w.slot_id)
    await bump_slot_change(w.slot_id)
    await login(client, w.coordinator.username)
    page = await client.get("/arbetsbord/platser?q=lagerarbetare", headers=HTML)
    assert "1 ledig plats av 1, men <strong>ingen handledare är ledig just nu</strong>" in (
        page.text
    )
    propose_page = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    assert "Platsen har ingen handledare, och ingen annan handledare hos värden har plats" in (
        propose_page.text
    )
    # What the page warned of is what the proposal meets.
    with pytest.raises(bookings.CapacityWarning, match="ingen handledare"):
        await propose(w)

    await Contact.update({Contact.supervision_capacity: 1}).where(Contact.id == w.supervisor_id)
    page = await client.get("/arbetsbord/platser?q=lagerarbetare", headers=HTML)
    assert "1 ledig plats av 1" in page.text and "ingen handledare" not in page.text
    propose_page = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    assert 'id="ingen-handledare"' not in propose_page.text
    await propose(w)  # the host names its supervisor with room when accepting


async def test_a_slot_opened_from_the_workbench_search_leads_back_to_it(client):
    """Seen in the browser: a coordinator who opened a hit landed on the public page, whose
    breadcrumb led to the public search, out of the workbench."""
    w = await make_world()
    public = await client.get(f"/platser/{w.slot_id}", headers=HTML)
    assert '<p class="breadcrumbs"><a href="/platser">Sök praktikplats</a>' in public.text
    await login(client, w.coordinator.username)
    staff = await client.get(f"/platser/{w.slot_id}", headers=HTML)
    assert '<a href="/arbetsbord/platser">Sök platser att föreslå</a>' in staff.text
    assert '<p class="breadcrumbs"><a href="/platser">' not in staff.text


async def test_the_way_back_from_a_hit_keeps_the_search_words_and_page(client):
    """Seen in the browser: the breadcrumb back to the workbench's search led to an empty
    form, and the coordinator typed the search again."""
    import re
    from html import unescape

    w = await make_world()
    await bump_slot_change(w.slot_id)
    await login(client, w.coordinator.username)
    hits = await client.get("/arbetsbord/platser?q=lagerarbetare", headers=HTML)
    link = re.search(rf'href="(/platser/{w.slot_id}[^"]*)"', hits.text)
    assert link is not None and "fran=" in link.group(1)
    slot = await client.get(unescape(link.group(1)), headers=HTML)
    back = re.search(
        r'<a href="(/arbetsbord/platser\?[^"]*)">Tillbaka till sökningen</a>', slot.text
    )
    assert back is not None
    again = await client.get(unescape(back.group(1)), headers=HTML)
    assert 'value="lagerarbetare"' in again.text and "Lagerarbetare" in again.text
