"""A hit on the search pages shows what a coordinator decides by: free places of all, hours a
week and the period."""

from __future__ import annotations

import datetime as dt

from placements.services import bookings, bump_slot_change
from placements.tables import Slot
from tests.conftest import login
from tests.placements.bookingdata import make_world, propose

HTML = {"accept": "text/html"}


async def test_hits_show_free_places_hours_and_period(client):
    w = await make_world(capacity=2)
    await Slot.update(
        {Slot.start_date: dt.date(2030, 3, 1), Slot.end_date: dt.date(2030, 6, 30)}
    ).where(Slot.id == w.slot_id)
    booking = await propose(w)
    await bookings.accept(w.host_user, booking)
    await bump_slot_change(w.slot_id)
    await login(client, w.coordinator.username)
    page = await client.get("/arbetsbord/platser?q=lagerarbetare", headers=HTML)
    assert page.status_code == 200
    assert "Lagerarbetare" in page.text
    assert "1 ledig plats av 2" in page.text
    assert "30 tim/vecka" in page.text
    assert "2030-03-01 – 2030-06-30" in page.text
    public = await client.get("/platser?q=lagerarbetare", headers=HTML)
    assert "1 ledig plats av 2" in public.text
