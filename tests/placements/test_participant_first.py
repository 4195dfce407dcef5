"""A proposal the participant answers first (issue 17): the host sees nothing of it until the
participant says "vill" or the coordinator sends it on; then the host is told as of any
proposal. Illegal steps answer 409 in Swedish."""

from __future__ import annotations

from marketplace.kernel.tables import OutboxMessage
from placements.services import bookings
from placements.tables import Booking, BookingEvent
from tests.conftest import login
from tests.placements.bookingdata import END, START, make_world
from tests.placements.test_answer_pages import csrf_of
from tests.placements.test_answer_pages import login as browser_login

HTML = {"accept": "text/html"}


# The participant is told that a proposal waits for their answer (in their language, naming
# nothing: tests/participants/test_sent_in_language.py); the host is told nothing.
TOLD_PARTICIPANT = ["participant.proposal"]  # by mail (SMS is off here)


async def kinds() -> list[str]:
    return sorted(r["kind"] for r in await OutboxMessage.select(OutboxMessage.kind))


async def _propose_first(client, w) -> int:
    response = await client.post(
        "/api/v1/bookings/",
        json={
            "slot_id": w.slot_id,
            "candidate_id": w.candidate_id,
            "message": "Aida vill pröva lager.",
            "start_date": str(START),
            "end_date": str(END),
            "participant_first": True,
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "awaiting_participant"
    assert response.json()["status_text"] == "väntar på deltagarens svar"
    return int(response.json()["id"])


async def test_the_host_sees_nothing_until_it_is_sent_on(client, make_client):
    w = await make_world()
    await login(client, w.coordinator.username)
    host = await make_client()
    await login(host, w.host_user.username)
    booking_id = await _propose_first(client, w)
    assert "booking.proposed" not in await kinds()  # no mail, no answer links
    # Not in the host's API, portal, lists or the participant's record.
    assert (await host.get(f"/api/v1/bookings/{booking_id}")).status_code == 404
    assert (await host.get("/api/v1/bookings/")).json()["items"] == []
    listed = await host.get("/api/v1/bookings/?status=awaiting_participant")
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert (await host.post(f"/api/v1/bookings/{booking_id}/accept")).status_code == 404
    assert (await host.get(f"/vard/bokningar/{booking_id}", headers=HTML)).status_code == 404
    assert "Aida" not in (await host.get("/vard", headers=HTML)).text
    assert (await host.get(f"/api/v1/participants/{w.candidate_id}")).status_code == 404
    # The coordinator sees it waiting, with the way on.
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert "Deltagaren svarar först" in page.text and "skicka-till-vard" in page.text
    home = await client.get("/arbetsbord", headers=HTML)
    assert "Väntar på deltagarens svar" in home.text
    # A host cannot send it on; the coordinator can, and the host is told as usual.
    assert (await host.post(f"/api/v1/bookings/{booking_id}/send-to-host")).status_code == 403
    sent = await client.post(f"/api/v1/bookings/{booking_id}/send-to-host", json={})
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "proposed"
    assert await kinds() == ["booking.proposed", *TOLD_PARTICIPANT]
    assert (await host.get(f"/api/v1/bookings/{booking_id}")).status_code == 200
    events = [(e["from_status"], e["to_status"]) for e in sent.json()["events"]]
    assert events == [("", "awaiting_participant"), ("awaiting_participant", "proposed")]
    # Sending it on twice is a clear 409, never a 500.
    again = await client.post(f"/api/v1/bookings/{booking_id}/send-to-host", json={})
    assert again.status_code == 409
    assert "Bokningen är föreslagen och kan inte skickas till värden" in again.json()["detail"]


async def test_withdrawn_before_the_host_saw_it_tells_the_host_nothing(client):
    w = await make_world()
    await login(client, w.coordinator.username)
    booking_id = await _propose_first(client, w)
    withdrawn = await client.post(
        f"/api/v1/bookings/{booking_id}/withdraw", json={"reason": "Annan plats"}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert await kinds() == TOLD_PARTICIPANT
    refused = await client.post(f"/api/v1/bookings/{booking_id}/send-to-host", json={})
    assert refused.status_code == 409
    assert "återkallad" in refused.json()["detail"]


async def test_the_workbench_form_and_buttons(client):
    w = await make_world()
    await browser_login(client, w.coordinator.username)
    form = await client.get(f"/arbetsbord/platser/{w.slot_id}/foresla", headers=HTML)
    assert "Låt deltagaren svara först – värden ser förslaget först när" in form.text
    proposed = await client.post(
        f"/arbetsbord/platser/{w.slot_id}/foresla",
        data={
            "_csrf_token": csrf_of(form.text),
            "candidate_id": str(w.candidate_id),
            "start_date": str(START),
            "end_date": str(END),
            "participant_first": "1",
        },
        follow_redirects=False,
    )
    assert proposed.status_code == 303, proposed.text
    assert "forslag-till-deltagaren" in proposed.headers["location"]
    proposed = await client.get(proposed.headers["location"], headers=HTML)
    assert "Förslaget väntar på deltagarens svar på Mina sidor" in proposed.text
    row = await Booking.select(Booking.id, Booking.status).first()
    assert row is not None and row["status"] == "awaiting_participant"
    assert await kinds() == TOLD_PARTICIPANT
    page = await client.get(f"/arbetsbord/bokningar/{row['id']}", headers=HTML)
    token = csrf_of(page.text)
    sent = await client.post(
        f"/arbetsbord/bokningar/{row['id']}/skicka-till-vard",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert await kinds() == ["booking.proposed", *TOLD_PARTICIPANT]
    # The booking page says the participant's own answer is missing, not nothing.
    after = await client.get(f"/arbetsbord/bokningar/{row['id']}", headers=HTML)
    assert "Förslaget skickades till värden utan att vänta på deltagarens svar." in after.text
    assert "utan att vänta på deltagarens svar" not in page.text
    twice = await client.post(
        f"/arbetsbord/bokningar/{row['id']}/skicka-till-vard",
        data={"_csrf_token": token},
    )
    assert twice.status_code == 409 and "kan inte skickas till värden" in twice.text


async def test_a_proposal_sent_on_counts_against_a_second_one(client):
    w = await make_world()
    await login(client, w.coordinator.username)
    await _propose_first(client, w)
    second = await client.post(
        "/api/v1/bookings/",
        json={"slot_id": w.slot_id, "candidate_id": w.candidate_id, "participant_first": True},
    )
    assert second.status_code == 409
    assert "redan föreslagen" in second.json()["detail"]


async def test_service_refuses_others_and_records_the_step():
    w = await make_world()
    from placements.schemas import bookings as sb

    booking = await bookings.propose(
        w.coordinator,
        sb.BookingCreate(
            slot_id=w.slot_id,
            candidate_id=w.candidate_id,
            start_date=START,
            end_date=END,
            participant_first=True,
        ),
    )
    try:
        await bookings.send_to_host(w.host_user, booking.id)
    except Exception as exc:
        assert type(exc).__name__ == "NotFound"
    else:  # pragma: no cover
        raise AssertionError("a host user sent a proposal on")
    await bookings.send_to_host(w.coordinator, booking.id, "Bråttom")
    notes = [e["note"] for e in await BookingEvent.select(BookingEvent.note)]
    assert "Bråttom" in notes


async def test_a_host_without_users_gets_its_answer_links_only_once_sent_on():
    from placements.schemas import bookings as sb
    from tests.placements.test_answers import links_mailed, unlinked_world

    u = await unlinked_world()
    booking = await bookings.propose(
        u.w.coordinator,
        sb.BookingCreate(
            slot_id=u.w.slot_id,
            candidate_id=u.w.candidate_id,
            start_date=START,
            end_date=END,
            participant_first=True,
        ),
    )
    assert await links_mailed(booking.id) == {}
    await bookings.send_to_host(u.w.coordinator, booking.id)
    assert "karin@bygg.example.se" in await links_mailed(booking.id)
