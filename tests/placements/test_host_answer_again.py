"""A host's answer sent again (Back and resubmit, a second tab) after the first one counted.

A host's day: "Avböj" again for a declined proposal, and "Acceptera" again for an accepted
one, were 409s under "Formuläret behöver rättas" with the coordinator's advice ("Föreslå
deltagaren för en annan plats"). The same answer again lands on the booking with a neutral
notice and changes nothing; another answer to an answered proposal says, in the host's
words, what was answered and when.
"""

from __future__ import annotations

import pytest

from marketplace.kernel.errors import Conflict
from placements.services import bookings
from placements.tables import Booking, BookingEvent
from tests.placements.bookingdata import make_world, propose
from tests.placements.test_attacks_signatures import csrf_of, login

HTML = {"accept": "text/html"}


async def _events(booking_id: int) -> int:
    return await BookingEvent.count().where(BookingEvent.booking == booking_id)


async def test_accept_again_lands_on_the_booking_with_a_notice(client):
    w = await make_world()
    booking_id = await propose(w)
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    shown = await client.get(url, headers=HTML)
    csrf = csrf_of(shown.text)
    first = await client.post(
        f"{url}/acceptera", data={"_csrf_token": csrf}, follow_redirects=False
    )
    assert first.status_code == 303
    events = await _events(booking_id)
    again = await client.post(
        f"{url}/acceptera", data={"_csrf_token": csrf}, follow_redirects=False
    )
    assert again.status_code == 303
    assert again.headers["location"] == f"{url}?klart=forslag-redan-accepterat"
    landing = await client.get(again.headers["location"], headers=HTML)
    assert "Ni har redan tackat ja till förslaget" in landing.text
    assert "Formuläret behöver rättas" not in landing.text
    assert await _events(booking_id) == events


async def test_decline_again_lands_on_the_booking_with_a_notice(client):
    w = await make_world()
    booking_id = await propose(w)
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    shown = await client.get(url, headers=HTML)
    data = {"_csrf_token": csrf_of(shown.text), "reason": "Ingen handledare den veckan"}
    first = await client.post(f"{url}/avboj", data=data, follow_redirects=False)
    assert first.status_code == 303
    for sent_from in ({}, {"fran": "bokningen"}):  # the start page's form, the booking's
        again = await client.post(
            f"{url}/avboj", data={**data, **sent_from}, follow_redirects=False
        )
        assert again.status_code == 303
        assert again.headers["location"] == f"{url}?klart=forslag-redan-avbojt"
        landing = await client.get(again.headers["location"], headers=HTML)
        assert "Ni har redan tackat nej till förslaget" in landing.text
        assert "Föreslå deltagaren" not in landing.text
    row = await Booking.select(Booking.decline_reason).where(Booking.id == booking_id).first()
    assert row is not None and row["decline_reason"] == "Ingen handledare den veckan"


async def test_another_answer_says_in_host_words_what_was_answered_and_when(client):
    w = await make_world()
    declined = await propose(w)
    await bookings.decline(w.host_user, declined, "Fullt")
    with pytest.raises(Conflict) as refused:
        await bookings.accept(w.host_user, declined)
    message = refused.value.message
    assert message.startswith("Ni tackade nej till förslaget ")
    assert " kl. " in message
    assert "Föreslå deltagaren" not in message
    assert "samordnaren" in message

    w2 = await make_world()
    accepted = await propose(w2)
    await bookings.accept(w2.host_user, accepted)
    await login(client, w2.host_user.username)
    url = f"/vard/bokningar/{accepted}"
    shown = await client.get(url, headers=HTML)
    refused_page = await client.post(
        f"{url}/avboj",
        data={"_csrf_token": csrf_of(shown.text), "reason": "Ångrar oss", "fran": "bokningen"},
        headers=HTML,
    )
    assert refused_page.status_code == 409
    assert "Ni tackade ja till förslaget " in refused_page.text
    assert "Överenskommelsen behöver undertecknas av alla parter först" not in refused_page.text
    assert "Avböjandet behöver rättas" not in refused_page.text
    assert "Formuläret behöver rättas" not in refused_page.text
    row = await Booking.select(Booking.status).where(Booking.id == accepted).first()
    assert row is not None and row["status"] == "accepted"
