"""Bookings from proposal to end: the state machine, who may act, notifications, the timeline,
capacity (seats, supervision, the participant's own calendar) and the scheduler's start."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any, cast

import pytest

from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.tables import OutboxMessage
from placements.rows import BookingRow, SlotRow
from placements.schemas import bookings as sb
from placements.services import bookings
from placements.tables import Booking, BookingEvent, ChangeCounter, Slot
from tests.builders import make_candidate, make_host, make_host_user, make_slot, make_supervisor
from tests.conftest import login
from tests.placements.bookingdata import (
    ACTIVE_END,
    ACTIVE_START,
    END,
    START,
    TODAY,
    make_world,
    propose,
    sign_all,
    to_active,
)


async def outbox(kind: str) -> list[str]:
    rows = await OutboxMessage.select(OutboxMessage.recipient).where(OutboxMessage.kind == kind)
    return sorted(r["recipient"] for r in rows)


async def test_whole_flow_through_the_api_with_events_and_mail(client, make_client):
    w = await make_world()
    await login(client, w.coordinator.username)
    host = await make_client()
    await login(host, w.host_user.username)

    proposed = await client.post(
        "/api/v1/bookings/",
        json={
            "slot_id": w.slot_id,
            "candidate_id": w.candidate_id,
            "message": "Aida vill pröva lager.",
            "start_date": str(ACTIVE_START),
            "end_date": str(ACTIVE_END),
        },
    )
    assert proposed.status_code == 201, proposed.text
    booking_id = proposed.json()["id"]
    assert proposed.json()["status"] == "proposed"
    assert await outbox("booking.proposed") == [w.host_user.email]

    seen_by_host = await host.get("/api/v1/bookings/")
    assert [b["id"] for b in seen_by_host.json()["items"]] == [booking_id]
    # A proposal names the participant to the host by the first name only.
    assert seen_by_host.json()["items"][0]["participant"]["name"] == "Aida"

    marker_before = (await ChangeCounter.select().first()) or {"value": 0}
    accepted = await host.post(f"/api/v1/bookings/{booking_id}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["supervisor_id"] == w.supervisor_id
    assert accepted.json()["participant"]["name"] == "Aida Andersson"
    assert await outbox("booking.accepted") == [w.coordinator.email]
    marker_after = await ChangeCounter.select().first()
    assert marker_after is not None
    assert marker_after["value"] > marker_before["value"]
    slot = await Slot.select(Slot.change_seq).where(Slot.id == w.slot_id).first()
    assert slot is not None
    assert slot["change_seq"] == marker_after["value"]

    # Starting before everyone signed is refused.
    early = await host.post(f"/api/v1/bookings/{booking_id}/start")
    assert early.status_code == 409
    assert "undertecknas" in early.json()["detail"] or "accepterad" in early.json()["detail"]

    await sign_all(w, booking_id)
    agreed = await client.get(f"/api/v1/bookings/{booking_id}")
    assert agreed.json()["status"] == "agreed"

    started = await host.post(f"/api/v1/bookings/{booking_id}/start")
    assert started.status_code == 200
    assert started.json()["status"] == "active"

    ended = await host.post(
        f"/api/v1/bookings/{booking_id}/end", json={"result": "completed", "end_date": str(TODAY)}
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "completed"
    assert await outbox("booking.completed") == [w.coordinator.email]
    assert len(await outbox("assessment.link")) == 1

    timeline = (await client.get(f"/api/v1/bookings/{booking_id}")).json()["events"]
    assert [(e["from_status"], e["to_status"]) for e in timeline] == [
        ("", "proposed"),
        ("proposed", "accepted"),
        ("accepted", "agreed"),
        ("agreed", "active"),
        ("active", "completed"),
    ]
    assert all(e["actor"] and e["at"] for e in timeline)


@pytest.mark.parametrize(
    ("reach", "action"),
    [
        ("proposed", "start"),
        ("proposed", "end"),
        ("accepted", "accept"),
        ("accepted", "decline"),
        ("declined", "accept"),
        ("declined", "withdraw"),
        ("withdrawn", "accept"),
        ("active", "withdraw"),
        ("active", "accept"),
        ("completed", "start"),
        ("completed", "withdraw"),
        ("completed", "end"),
    ],
)
async def test_illegal_transitions_are_409_in_swedish(client, reach, action):
    w = await make_world()
    booking_id = await propose(w, start=ACTIVE_START, end=ACTIVE_END)
    if reach in ("accepted", "active", "completed"):
        await bookings.accept(w.host_user, booking_id)
    if reach in ("active", "completed"):
        await sign_all(w, booking_id)
        await bookings.start(w.host_user, booking_id)
    if reach == "completed":
        await bookings.end(w.host_user, booking_id, "completed", TODAY)
    if reach == "declined":
        await bookings.decline(w.host_user, booking_id, "Ingen handledare ledig")
    if reach == "withdrawn":
        await bookings.withdraw(w.coordinator, booking_id)
    before = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert before is not None
    await login(client, w.coordinator.username)
    body = {
        "decline": {"reason": "Nej"},
        "withdraw": {"reason": ""},
        "end": {"result": "completed"},
    }.get(action)
    response = await client.post(f"/api/v1/bookings/{booking_id}/{action}", json=body)
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert detail.startswith("Bokningen är ")
    assert "kan inte" in detail
    after = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert after is not None
    assert after == before


async def test_decline_with_reason_and_withdraw_notify_the_next_actor():
    w = await make_world(capacity=2)
    first = await propose(w)
    declined = await bookings.decline(w.host_user, first, "Vi har inventering den veckan.")
    assert declined.status == "declined"
    assert declined.decline_reason == "Vi har inventering den veckan."
    assert await outbox("booking.declined") == [w.coordinator.email]

    other = await make_candidate(w.coordinator, "Bo")
    second = await propose(w, candidate_id=other)
    await bookings.accept(w.host_user, second)
    withdrawn = await bookings.withdraw(w.coordinator, second, "Bo fick jobb.")
    assert withdrawn.status == "withdrawn"
    recipients = await outbox("booking.withdrawn")
    assert w.host_user.email in recipients and len(recipients) == 2  # host user + supervisor
    # A withdrawn booking frees the seat and disappears from the host's view.
    with pytest.raises(NotFound):
        await bookings.get_booking_for(w.host_user, second)


async def test_withdrawing_what_the_host_accepted_needs_a_reason_and_on_the_page_a_tick(client):
    """A withdrawal cannot be undone and cancels the agreement: once the host has said yes
    the host is told why (a reason is required, API and page alike), and the page asks for
    a tick first, as ending a placement does; nothing changes until both are there."""
    w = await make_world(capacity=2)
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    with pytest.raises(ValidationFailed) as refused:
        await bookings.withdraw(w.coordinator, booking_id, "  ")
    assert refused.value.fields == ["reason"]
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)  # a browser: the form carries its CSRF field
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers={"accept": "text/html"})
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None and "Ja, återkalla förslaget" in page.text
    url = f"/arbetsbord/bokningar/{booking_id}/aterkalla"
    html = {"accept": "text/html"}
    form = {"_csrf_token": token.group(1)}
    unticked = await client.post(url, data={**form, "reason": "Fick jobb"}, headers=html)
    assert unticked.status_code == 400
    assert "Kryssa i rutan ”Ja, återkalla förslaget”" in unticked.text
    assert 'value="Fick jobb"' in unticked.text  # what was typed is kept
    # Neither ticked nor a reason: both said in the one answer, not one after the other.
    empty = await client.post(url, data=form, headers=html)
    assert "Kryssa i rutan" in empty.text and "Skriv ett skäl" in empty.text
    no_reason = await client.post(url, data={**form, "confirm_withdraw": "on"}, headers=html)
    assert no_reason.status_code == 400 and "Skriv ett skäl" in no_reason.text
    status = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert status == {"status": "accepted"}
    done = await client.post(
        url, data={**form, "reason": "Fick jobb", "confirm_withdraw": "on"}, headers=html
    )
    assert done.status_code in (200, 303), done.text
    status = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert status == {"status": "withdrawn"}
    # Before the host has said yes, the API needs no reason.
    fresh = await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"))
    assert (await bookings.withdraw(w.coordinator, fresh)).status == "withdrawn"


async def test_two_withdrawals_at_once_withdraw_once_and_tell_the_host_once():
    w = await make_world(capacity=2)
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    answers = await asyncio.gather(
        bookings.withdraw(w.coordinator, booking_id, "Fick jobb"),
        bookings.withdraw(w.coordinator, booking_id, "Fick jobb"),
        return_exceptions=True,
    )
    assert sorted(type(a).__name__ for a in answers) == ["Booking", "Conflict"]
    assert len(await outbox("booking.withdrawn")) == 2  # the host user and the supervisor


async def test_host_cannot_withdraw_and_other_host_gets_404(client, make_client):
    w = await make_world()
    booking_id = await propose(w)
    stranger_host = await make_host("Annan AB")
    stranger = await make_host_user(stranger_host)
    other = await make_client()
    await login(other, stranger.username)
    assert (await other.get(f"/api/v1/bookings/{booking_id}")).status_code == 404
    assert (await other.post(f"/api/v1/bookings/{booking_id}/accept")).status_code == 404
    await login(client, w.host_user.username)
    withdraw = await client.post(f"/api/v1/bookings/{booking_id}/withdraw", json={})
    assert withdraw.status_code == 403
    status = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert status is not None
    assert status["status"] == "proposed"


async def test_slot_without_supervisor_cannot_accept():
    w = await make_world()
    bare_slot = await make_slot(w.host_id, None, title="Kock")
    booking_id = await propose(w, slot_id=bare_slot)
    with pytest.raises(Conflict, match="handledare"):
        await bookings.accept(w.host_user, booking_id)
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row is not None
    assert row["status"] == "proposed"


async def test_seats_count_only_overlapping_seat_holders():
    w = await make_world(capacity=1)
    first = await propose(w)
    await bookings.accept(w.host_user, first)
    overlapping = await propose(
        w,
        candidate_id=await make_candidate(w.coordinator, "Bo"),
        start=END - dt.timedelta(days=10),
        end=END,
        confirm=True,
    )
    with pytest.raises(Conflict, match="ingen ledig plats"):
        await bookings.accept(w.host_user, overlapping)
    later = await propose(
        w,
        candidate_id=await make_candidate(w.coordinator, "Cia"),
        start=END + dt.timedelta(days=1),
        end=END + dt.timedelta(days=40),
    )
    assert (await bookings.accept(w.host_user, later)).status == "accepted"
    # Withdrawing the first frees its period for the waiting proposal.
    await bookings.withdraw(w.coordinator, first, "Fick jobb")
    assert (await bookings.accept(w.host_user, overlapping)).status == "accepted"


async def test_supervision_capacity_holds_across_slots():
    w = await make_world(capacity=1, supervision=1)
    second_slot = await make_slot(w.host_id, w.supervisor_id, title="Butik")
    first = await propose(w)
    await bookings.accept(w.host_user, first)
    other = await propose(
        w, candidate_id=await make_candidate(w.coordinator, "Bo"), slot_id=second_slot, confirm=True
    )
    with pytest.raises(Conflict, match="Handledaren"):
        await bookings.accept(w.host_user, other)


async def test_a_candidate_cannot_hold_two_overlapping_placements():
    w = await make_world()
    other_host = await make_host("Kostenheten")
    other_slot = await make_slot(other_host, await make_supervisor(other_host), title="Kök")
    other_host_user = await make_host_user(other_host)
    first = await propose(w)
    second = await propose(w, slot_id=other_slot)
    await bookings.accept(w.host_user, first)
    # The host is told what to do, not that the participant is placed elsewhere.
    with pytest.raises(Conflict) as refused:
        await bookings.accept(other_host_user, second)
    assert refused.value.message == bookings.HOST_OVERLAP_TEXT
    assert "placering" not in refused.value.message
    # Staff accepting for the host are told why.
    with pytest.raises(Conflict, match="två placeringar samtidigt"):
        await bookings.accept(w.coordinator, second)
    # And a new proposal over the accepted placement's period is refused when it is made.
    third_slot = await make_slot(other_host, await make_supervisor(other_host), title="Disk")
    with pytest.raises(Conflict, match="har redan en placering som krockar") as early:
        await propose(w, slot_id=third_slot)
    assert early.value.fields == ["start_date"]
    # It names the placement in the way and that placement's own period (a tester read the
    # proposed period as if the participant were booked on the wrong dates).
    held = await Booking.select(Booking.start_date, Booking.end_date).where(Booking.id == first)
    slot_row = await Slot.select(Slot.title).where(Slot.id == w.slot_id).first()
    assert slot_row is not None
    slot_title = slot_row["title"]
    period = f"{held[0]['start_date']} – {held[0]['end_date']}"
    assert f": {slot_title}, {period}." in early.value.message


async def test_activate_due_starts_signed_bookings_on_their_start_date_once():
    w = await make_world(capacity=3)
    signed = await propose(w)
    await bookings.accept(w.host_user, signed)
    await sign_all(w, signed)
    unsigned = await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"))
    await bookings.accept(w.host_user, unsigned)

    assert await bookings.activate_due(START - dt.timedelta(days=1)) == 0
    assert await bookings.activate_due(START) == 1
    assert await bookings.activate_due(START) == 0
    statuses = {r["id"]: r["status"] for r in await Booking.select(Booking.id, Booking.status)}
    assert statuses == {signed: "active", unsigned: "accepted"}
    event = (
        await BookingEvent.select()
        .where((BookingEvent.booking == signed) & (BookingEvent.to_status == "active"))
        .first()
    )
    assert event is not None
    assert event["actor_id"] is None and "startdag" in event["actor_label"]


async def test_interrupted_placement_records_actual_end_date():
    w = await make_world()
    booking_id = await to_active(w)
    ended = await bookings.end(w.coordinator, booking_id, "interrupted", TODAY, "Flyttade")
    assert ended.status == "interrupted"
    assert ended.end_date == TODAY
    with pytest.raises(Exception, match="före dagen placeringen startade"):
        w2 = await make_world()
        other = await to_active(w2)
        await bookings.end(w2.coordinator, other, "completed", TODAY - dt.timedelta(days=1))


async def test_proposal_rules():
    w = await make_world()
    await propose(w)
    with pytest.raises(Conflict, match="redan föreslagen"):
        await propose(w)
    paused = await make_candidate(w.coordinator, "Bo", status="paused")
    with pytest.raises(Conflict, match="inte aktivt"):
        await propose(w, candidate_id=paused)
    # Seen in the browser: a participant registered without consent was proposed, and the
    # host's contacts were mailed. The consent covers contacting hosts: none, no proposal.
    unconsented = await make_candidate(w.coordinator, "Cia", consent_date=None, consent_method="")
    outbox = await OutboxMessage.count()
    with pytest.raises(Conflict, match="samtycke är inte registrerat"):
        await propose(w, candidate_id=unconsented)
    assert await OutboxMessage.count() == outbox
    draft = await make_slot(
        w.host_id,
        title="Utkast",
        status="draft",
        hours=None,
        description="",
        town="",
        external_id="d",
    )
    with pytest.raises(Conflict, match="inte publicerad"):
        await bookings.propose(
            w.coordinator, sb.BookingCreate(slot_id=draft, candidate_id=w.candidate_id)
        )


def test_accepting_a_proposal_without_a_period_is_refused_in_swedish():
    """A proposal always gets a period (`propose`); one without it is refused with a 400 that
    names the missing date, never a 500. Pure: the refusal comes before any read."""
    booking = cast("BookingRow", {"start_date": None, "end_date": dt.date(2030, 5, 29)})
    slot = cast("SlotRow", {"start_date": None, "end_date": None})
    with pytest.raises(ValidationFailed) as refused:
        bookings._accepted_period(booking, slot, sb.AcceptRequest())
    assert str(refused.value) == bookings.NO_PERIOD
    assert refused.value.fields == ["start_date"]


async def test_a_list_of_bookings_is_read_in_three_queries_whatever_its_length(make_user):
    from marketplace.kernel.auth import to_auth_user
    from marketplace.kernel.tables import User
    from placements.services import booking_access
    from tests.builders import make_booking, make_candidate_row, make_contact

    coordinator = await make_user("coordinator", username="lista")
    host = await make_host("Lager AB", "company")
    hanna = await make_contact(host, "Hanna Handledare")
    slots = [await make_slot(host, hanna, title=f"Plats {n}", capacity=9) for n in range(2)]
    for n in range(6):
        candidate = await make_candidate_row(coordinator.id, f"Deltagare{n}")
        supervisor = {"supervisor": hanna} if n % 2 else {}
        await make_booking(slots[n % 2], candidate, coordinator.id, **supervisor)
    rows = cast("list[BookingRow]", await Booking.select().order_by(Booking.id))
    staff = to_auth_user(coordinator.to_dict(), "token", None)
    one_at_a_time = [await booking_access.booking_out(r, staff) for r in rows]

    engine_class = type(User._meta.db)
    queries: list[str] = []
    original = engine_class.run_querystring

    async def counted(self, querystring, in_pool=True):
        queries.append(str(querystring))
        return await original(self, querystring, in_pool=in_pool)

    engine_class.run_querystring = counted  # type: ignore[method-assign]
    try:
        listed = await booking_access.bookings_out(rows, staff)
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]
    assert listed == one_at_a_time
    assert {b.supervisor_name for b in listed} == {"", "Hanna Handledare"}
    assert len(queries) == 3, queries
    assert await booking_access.bookings_out([], staff) == []


async def test_the_message_to_the_host_never_carries_a_personnummer_or_the_last_name():
    """The host sees the participant's first name only until it accepts, and never the
    personnummer: a message that says either is refused at its box, with every other
    problem of the proposal, and nothing is proposed. A phone number is no personnummer."""
    from placements.host_texts import IDENTITY_TEXT as MESSAGE_IDENTITY
    from placements.services.bookings import MESSAGE_LAST_NAME

    w = await make_world()

    async def proposing(message: str, start: dt.date = START) -> object:
        data = sb.BookingCreate(
            candidate_id=w.candidate_id,
            slot_id=w.slot_id,
            start_date=start,
            end_date=END,
            message=message,
        )
        return await bookings.propose(w.coordinator, data)

    for message, expected in (
        ("Aida, 850709-9805, vill jobba förmiddagar.", MESSAGE_IDENTITY),
        ("Personnummer 19850709 9805.", MESSAGE_IDENTITY),
        ("Aida Andersson vill jobba förmiddagar.", MESSAGE_LAST_NAME),
        ("aida andersson, 850709-9805", f"{MESSAGE_IDENTITY} {MESSAGE_LAST_NAME}"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await proposing(message)
        assert refused.value.errors == {"message": expected}, message
    # Every problem at once: a start before today beside the message's.
    with pytest.raises(ValidationFailed) as refused:
        await proposing("850709-9805", start=TODAY - dt.timedelta(days=3))
    assert set(refused.value.errors) == {"start_date", "message"}
    assert await Booking.count() == 0
    # A wrong check digit is no excuse: the number still says who the participant is.
    with pytest.raises(ValidationFailed) as refused:
        await proposing("Aida, helst före 850709-1234.")
    assert refused.value.errors == {"message": MESSAGE_IDENTITY}
    # Numbers that are no personnummer, and a first name, pass.
    await proposing("Aida nås på 070-123 45 67 eller 0701234567, org.nr 556677-8899.")
    assert await Booking.count() == 1


def test_a_short_last_name_is_the_name_only_with_its_capital():
    """Seen in use: a participant named Ek could not be proposed with a message about the
    oak by the entrance. A last name of four letters or fewer is often a word too: in small
    letters it is the word, with its capital (or in capitals) the name; a longer name is the
    name in any case."""
    from placements.services.bookings import MESSAGE_LAST_NAME, message_problems

    def said(message: str, last: str) -> bool:
        row: Any = {"last_name": last}
        return ("message", MESSAGE_LAST_NAME) in message_problems(message, row)

    assert not said("Samling vid den stora eken, sedan en ek till.", "Ek")
    assert said("Aida Ek vill börja i mars.", "Ek")
    assert said("AIDA EK", "Ek")
    assert not said("Hon gillar att gå i berg och dal.", "Berg")
    assert said("Aida Berg", "Berg")
    assert said("aida andersson", "Andersson")
    assert not said("Ekdahl är värdens chef.", "Ek")
