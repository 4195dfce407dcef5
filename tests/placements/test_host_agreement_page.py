"""The host completes the agreement in the portal (issue 15: a host's day had no way to write
the schedule, the tasks or what the host gains, though the agreement asks for them).

The form on `/vard/bokningar/{id}` changes only those three; the period, the participant's
goals and what is shared about the participant stay the coordinator's. A change after any
signature is a new version that every party signs again. A bad value keeps what was typed
and names its field.
"""

from __future__ import annotations

import re

from placements.services import agreement_versions, agreements, bookings
from placements.tables import Agreement, Booking
from tests.placements.bookingdata import (
    current_version,
    make_world,
    propose,
    signatures_of,
    write_win_win,
)
from tests.placements.test_attacks_signatures import csrf_of, login

HTML = {"accept": "text/html"}


async def test_the_host_writes_schedule_tasks_and_gains_and_nothing_else(client):
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    shown = await client.get(url, headers=HTML)
    assert shown.status_code == 200
    assert "Ändra överenskommelsen" in shown.text
    before = await agreement_versions.current_agreement_row(booking_id)
    assert before is not None

    saved = await client.post(
        f"{url}/overenskommelse",
        data={
            "_csrf_token": csrf_of(shown.text),
            "weekly_schedule": "Måndag–torsdag 9–14",
            "tasks": "Plock och packning",
            "host_gains": "Hjälp under högsäsongen",
            "participant_goals": "Ändrat av värden",  # not the host's: ignored
            "start_date": "2031-01-01",  # nor this
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"].startswith(f"{url}?klart=overenskommelse")
    after = await agreement_versions.current_agreement_row(booking_id)
    assert after is not None
    assert after["weekly_schedule"] == "Måndag–torsdag 9–14"
    assert after["tasks"] == "Plock och packning"
    assert after["host_gains"] == "Hjälp under högsäsongen"
    assert after["participant_goals"] == before["participant_goals"]
    assert after["start_date"] == before["start_date"]
    landing = await client.get(saved.headers["location"], headers=HTML)
    assert "Överenskommelsen är sparad" in landing.text
    assert "Måndag–torsdag 9–14" in landing.text


async def test_a_change_after_a_signature_is_a_new_version_signed_again(client):
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    version = await current_version(booking_id)
    await agreements.sign_in_app(w.coordinator, booking_id, seen_version=version)
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    shown = await client.get(url, headers=HTML)
    saved = await client.post(
        f"{url}/overenskommelse",
        data={"_csrf_token": csrf_of(shown.text), "tasks": "Nya uppgifter i kylrummet"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert await current_version(booking_id) > version
    assert (await signatures_of(booking_id))["coordinator"]["signed_at"] is None
    versions = await Agreement.count().where(Agreement.booking == booking_id)
    assert versions == 2  # the signed text is kept as it was


async def test_a_bad_value_keeps_what_was_typed_and_a_proposal_has_no_agreement(client):
    w = await make_world()
    booking_id = await propose(w)
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    shown = await client.get(url, headers=HTML)
    assert "Ändra överenskommelsen" not in shown.text  # proposed: nothing to complete yet
    refused = await client.post(
        f"{url}/overenskommelse",
        data={"_csrf_token": csrf_of(shown.text), "tasks": "Plock"},
    )
    assert refused.status_code == 409
    assert (await Booking.select(Booking.status).where(Booking.id == booking_id).first()) == {
        "status": "proposed"
    }

    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    before = await agreement_versions.current_agreement_row(booking_id)
    shown = await client.get(url, headers=HTML)
    too_long = "x" * 5001
    bad = await client.post(
        f"{url}/overenskommelse",
        data={
            "_csrf_token": csrf_of(shown.text),
            "weekly_schedule": "Tisdagar",
            "tasks": too_long,
        },
    )
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.text and "Uppgifter" in bad.text
    assert "Tisdagar" in bad.text  # what was typed is kept
    visible = re.sub(r"<[^>]+>", " ", bad.text.split('id="main"', 1)[1])
    assert "tasks" not in visible  # no internal name on the page
    assert await agreement_versions.current_agreement_row(booking_id) == before  # nothing saved
