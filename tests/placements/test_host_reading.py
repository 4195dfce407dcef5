"""What a host may read about a booking, in every answer: one rule (`booking_access.HostReading`).

Seen in a host's walk: the page of a placement interrupted more than 90 days before showed the
participant by the first name only, but `/api/v1/bookings/{id}` still named them in full in its
timeline ("Elin Holm (via länk)") and carried the coordinator's reason for the interruption
("Sjuk": health information the host's page never shows). Now the timeline, the attendance and
the assessment follow the page's rule: what staff wrote is never the host's, and once the
placement is long over no text names the participant by the surname.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from marketplace.kernel import clock
from placements import booking_states
from placements.booking_states import HostView
from placements.schemas import attendance as sat
from placements.schemas import outcomes as so
from placements.services import attendance, bookings, outcomes
from placements.services.booking_access import HostReading
from placements.tables import Booking
from tests.conftest import login
from tests.placements.bookingdata import TODAY, World, make_world, to_active

SURNAME = "Andersson"  # the participant of `make_world` is Aida Andersson
HEALTH_NOTE = "Sjuk, migrän"


async def _ended_long_ago(booking_id: int) -> None:
    days = booking_states.HOST_CONTACT_DAYS
    await Booking.update({Booking.ended_at: clock.now() - dt.timedelta(days=days + 1)}).where(
        Booking.id == booking_id
    )


async def _interrupted_by_coordinator(w: World) -> int:
    booking_id = await to_active(w)
    await bookings.end(w.coordinator, booking_id, "interrupted", TODAY, HEALTH_NOTE)
    return booking_id


async def test_the_timeline_names_the_participant_in_full_to_staff(client):
    """The premise of the tests below: the timeline does carry the full name and the note."""
    w = await make_world()
    booking_id = await _interrupted_by_coordinator(w)
    await _ended_long_ago(booking_id)
    await login(client, w.coordinator.username)
    body = (await client.get(f"/api/v1/bookings/{booking_id}")).text
    assert f"Aida {SURNAME}" in body and HEALTH_NOTE in body


async def test_the_coordinators_note_never_reaches_the_host(client):
    w = await make_world()
    booking_id = await _interrupted_by_coordinator(w)
    await login(client, w.host_user.username)
    answer = await client.get(f"/api/v1/bookings/{booking_id}")
    assert answer.status_code == 200
    assert HEALTH_NOTE not in answer.text
    interrupted = [e for e in answer.json()["events"] if e["to_status"] == "interrupted"]
    assert interrupted and interrupted[0]["note"] == ""
    # Within the 90 days the host still reads the participant's full name.
    assert f"Aida {SURNAME}" in answer.text


async def test_the_hosts_own_reason_stays_in_its_timeline(client):
    w = await make_world()
    booking_id = await to_active(w)
    await bookings.end(w.host_user, booking_id, "interrupted", TODAY, "Vi fick stänga lagret.")
    await login(client, w.host_user.username)
    events = (await client.get(f"/api/v1/bookings/{booking_id}")).json()["events"]
    assert any(e["note"] == "Vi fick stänga lagret." for e in events)


async def test_long_after_the_end_no_answer_names_the_participant_by_the_surname(client):
    w = await make_world()
    booking_id = await _interrupted_by_coordinator(w)
    await _ended_long_ago(booking_id)
    await login(client, w.host_user.username)
    one = await client.get(f"/api/v1/bookings/{booking_id}")
    assert one.status_code == 200
    assert SURNAME not in one.text and HEALTH_NOTE not in one.text
    assert one.json()["participant"]["name"] == "Aida"
    assert any("Aida" in e["actor"] for e in one.json()["events"])
    listed = await client.get("/api/v1/bookings")
    assert listed.status_code == 200 and booking_id in [b["id"] for b in listed.json()["items"]]
    assert SURNAME not in listed.text
    # The proposal's message to the host is the host's to read, by the first name only now.
    await Booking.update({Booking.message: f"Aida {SURNAME} vill pröva lager."}).where(
        Booking.id == booking_id
    )
    again = await client.get(f"/api/v1/bookings/{booking_id}")
    assert again.json()["message"] == "Aida vill pröva lager." and SURNAME not in again.text
    assert (await client.get(f"/api/v1/bookings/{booking_id}/agreement")).status_code == 404


async def test_attendance_keeps_the_coordinators_note_and_long_after_the_surname(client):
    w = await make_world()
    booking_id = await to_active(w)
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    await attendance.record_week(
        w.coordinator,
        booking_id,
        sat.WeekReport(week_start=monday, days_sick=1, absence_note=HEALTH_NOTE),
        source="coordinator",
    )
    await login(client, w.host_user.username)
    answer = await client.get(f"/api/v1/bookings/{booking_id}/attendance")
    assert answer.status_code == 200 and answer.json()["weeks"][0]["days_sick"] == 1
    assert HEALTH_NOTE not in answer.text
    await attendance.record_week(
        w.host_user,
        booking_id,
        sat.WeekReport(week_start=monday, days_other=1, absence_note=f"Aida {SURNAME} var ledig"),
        source="host",
    )
    assert "var ledig" in (await client.get(f"/api/v1/bookings/{booking_id}/attendance")).text
    await bookings.end(w.host_user, booking_id, "completed", TODAY)
    await _ended_long_ago(booking_id)
    old = await client.get(f"/api/v1/bookings/{booking_id}/attendance")
    assert old.status_code == 200 and SURNAME not in old.text
    assert old.json()["weeks"][0]["note"] == "Aida var ledig"


async def test_the_assessment_long_after_the_end_names_the_participant_by_the_first_name(client):
    w = await make_world()
    booking_id = await to_active(w)
    await bookings.end(w.host_user, booking_id, "completed", TODAY)
    await outcomes.submit_assessment(
        w.host_user,
        booking_id,
        so.AssessmentCreate(
            attendance="god",
            strengths=f"Aida {SURNAME} lärde sig truck snabbt.",
            recommendation="would_hire",
        ),
    )
    await login(client, w.host_user.username)
    recent = await client.get(f"/api/v1/bookings/{booking_id}/assessment")
    assert f"Aida {SURNAME} lärde sig" in recent.json()["strengths"]
    await _ended_long_ago(booking_id)
    old = await client.get(f"/api/v1/bookings/{booking_id}/assessment")
    assert old.status_code == 200 and SURNAME not in old.text
    assert old.json()["strengths"] == "Aida lärde sig truck snabbt."
    assert old.json()["recommendation"] == "would_hire"


def test_the_rule_reads_a_surname_out_of_any_text():
    long_over = HostReading(view=HostView.FIRST_NAME, first_name="Elin", last_name="Holm")
    assert long_over.text("Elin Holm (via länk)") == "Elin (via länk)"
    assert long_over.text("elin  holm skrev under") == "Elin skrev under"
    assert long_over.text("Fru Holm ringde") == "Fru … ringde"
    assert long_over.text("Holmberg ringde") == "Holmberg ringde"  # another word, kept
    assert long_over.text("Sjuk", staff_wrote=True) == ""
    placed = HostReading(view=HostView.PLACEMENT, first_name="Elin", last_name="Holm")
    assert placed.text("Elin Holm (via länk)") == "Elin Holm (via länk)"
    assert placed.text("Sjuk", staff_wrote=True) == ""
