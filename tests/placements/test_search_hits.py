"""A hit on the search pages shows what a coordinator decides by: free places of all, hours a
week and the period."""

from __future__ import annotations

import datetime as dt

from placements.services import bookings, bump_slot_change
from placements.tables import Slot
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
