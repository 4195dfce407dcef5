"""The placements sweeps: each, run twice at the same moment, has its effect once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from marketplace.kernel.tables import OutboxMessage
from marketplace.scheduler import RunResult, run_job
from placements.services import seats_taken
from placements.tables import (
    Booking,
    BookingEvent,
    ChangeCounter,
    FollowUp,
    LockInFlag,
    Slot,
)
from tests import builders

# 11:00 in Stockholm on 10 March 2026.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)
BASE = "http://127.0.0.1:8000"


async def run_twice(name: str, now: dt.datetime = NOW) -> tuple[RunResult, RunResult]:
    with time_machine.travel(now, tick=False):
        first = await run_job(name, worker="test")
        second = await run_job(name, worker="test")
    assert first.outcome == second.outcome == "ok", (first.error, second.error)
    return first, second


async def outbox(kind: str | None = None) -> list[dict]:
    query = OutboxMessage.select().order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(await query)


@pytest.fixture
async def world(make_user):
    """A host with two host users and a supervisor, a coordinator and a participant."""
    coordinator = await make_user("coordinator", username="sara", email="sara@kommun.example.se")
    host_id = await builders.make_host("Hemtjänst Norra")
    users = [
        await make_user("host", username="henrik", email="henrik@vard.example.se"),
        await make_user("host", username="hedda", email="hedda@vard.example.se"),
    ]
    for user in users:
        await builders.add_member(user.id, host_id)
    supervisor = await builders.make_contact(host_id, email="hanna@vard.example.se", name="Hanna")
    slot_id = await builders.make_slot(host_id, supervisor)
    candidate = await builders.make_candidate_row(coordinator.id)
    return {
        "coordinator": coordinator,
        "host": host_id,
        "supervisor": supervisor,
        "slot": slot_id,
        "candidate": candidate,
    }


async def test_expire_slots_closes_past_slots_once_and_bumps_search_marker_once(world):
    yesterday = TODAY - dt.timedelta(days=1)
    past = await builders.make_slot(world["host"], title="Förr", end=yesterday)
    today = await builders.make_slot(world["host"], title="I dag", end=TODAY)
    draft = await builders.make_slot(world["host"], title="Utkast", status="draft", end=yesterday)
    first, second = await run_twice("expire-slots")
    assert (first.counts, second.counts) == (
        {"closed": 1, "recounted": 0},
        {"closed": 0, "recounted": 0},
    )
    status = {r["id"]: r for r in await Slot.select(Slot.id, Slot.status, Slot.change_seq)}
    assert status[past]["status"] == "closed"
    assert status[today]["status"] == "published"
    assert status[draft]["status"] == "draft"
    [counter] = await ChangeCounter.select(ChangeCounter.value)
    assert counter["value"] == 1 and status[past]["change_seq"] == 1


async def test_a_placement_past_its_end_frees_its_place_in_the_search_the_day_after(world):
    """Free places count from today on, so a running placement whose last day was yesterday
    frees its place today without any change to the slot: the sweep stamps the slot once,
    so that every worker's index counts it again ("only free places" found it full)."""
    long_ago = NOW - dt.timedelta(days=40)
    await Slot.update({Slot.updated_at: long_ago, Slot.capacity: 1}).where(Slot.id == world["slot"])
    other = await builders.make_slot(world["host"], title="Annan", capacity=1)
    await Slot.update({Slot.updated_at: long_ago}).where(Slot.id == other)
    someone_else = await builders.make_candidate_row(world["coordinator"].id, first_name="Bo")
    for slot, candidate, last_day in (
        (world["slot"], world["candidate"], TODAY - dt.timedelta(days=1)),
        (other, someone_else, TODAY),
    ):
        await builders.make_booking(
            slot,
            candidate,
            world["coordinator"].id,
            status="active",
            start_date=TODAY - dt.timedelta(days=30),
            end_date=last_day,
        )
    with time_machine.travel(NOW, tick=False):
        assert await seats_taken([world["slot"], other]) == {other: 1}
    first, second = await run_twice("expire-slots")
    assert (first.counts["recounted"], second.counts["recounted"]) == (1, 0)
    stamped = {r["id"]: r["change_seq"] for r in await Slot.select(Slot.id, Slot.change_seq)}
    assert stamped[world["slot"]] == 1 and stamped[other] == 0


async def test_proposal_reminder_to_each_host_user_once_per_period(world):
    old = await builders.make_booking(
        world["slot"],
        world["candidate"],
        world["coordinator"].id,
        status="proposed",
        proposed_at=NOW - dt.timedelta(days=4),
    )
    other = await builders.make_candidate_row(world["coordinator"].id, first_name="Bo")
    await builders.make_booking(
        world["slot"],
        other,
        world["coordinator"].id,
        status="proposed",
        proposed_at=NOW - dt.timedelta(days=1),
    )
    first, second = await run_twice("remind-proposals")
    assert first.counts["queued"] == 2 and second.counts["queued"] == 0
    mails = await outbox("proposal_reminder")
    assert sorted(m["recipient"] for m in mails) == [
        "hedda@vard.example.se",
        "henrik@vard.example.se",
    ]
    assert all(m["digest"] for m in mails)
    assert f"{BASE}/vard/bokningar/{old}" in mails[0]["body_text"]
    assert "Lagerarbetare" in mails[0]["subject"]
    assert "Aida" not in mails[0]["body_text"] + mails[0]["body_html"]  # no names in mail
    # Three days later the second reminder; after the third, no more.
    await run_twice("remind-proposals", NOW + dt.timedelta(days=3))
    assert await reminders_about(old) == 4
    await run_twice("remind-proposals", NOW + dt.timedelta(days=6))
    await run_twice("remind-proposals", NOW + dt.timedelta(days=30))
    assert await reminders_about(old) == 6


async def test_no_reminder_for_a_proposal_the_host_has_not_seen_or_just_got(world):
    """One the participant answers first is not the host's until it is sent on, and its
    reminder counts from then."""
    waiting = await builders.make_booking(
        world["slot"],
        world["candidate"],
        world["coordinator"].id,
        status="awaiting_participant",
        proposed_at=NOW - dt.timedelta(days=10),
    )
    other = await builders.make_candidate_row(world["coordinator"].id, first_name="Bo")
    sent_on = await builders.make_booking(
        world["slot"],
        other,
        world["coordinator"].id,
        status="proposed",
        proposed_at=NOW - dt.timedelta(days=10),
    )
    await builders.make_booking_event(
        sent_on, "awaiting_participant", "proposed", at=NOW - dt.timedelta(days=1)
    )
    first, _ = await run_twice("remind-proposals")
    assert first.counts["queued"] == 0
    assert await reminders_about(waiting) == 0 and await reminders_about(sent_on) == 0
    await run_twice("remind-proposals", NOW + dt.timedelta(days=3))
    assert await reminders_about(waiting) == 0 and await reminders_about(sent_on) == 2


async def reminders_about(booking_id: int) -> int:
    return await OutboxMessage.count().where(
        OutboxMessage.dedupe_key.like(f"proposal-reminder:{booking_id}:%")
    )


async def agreement(booking_id: int, created: dt.datetime, signed: set[str]) -> int:
    agreement_id = await builders.make_agreement(booking_id, created_at=created)
    for party in ("coordinator", "host", "supervisor", "participant"):
        await builders.make_signature(
            agreement_id, party, signed_at=created if party in signed else None
        )
    return agreement_id


async def test_unsigned_agreement_reminds_host_users_and_tells_coordinator_about_link_parties(
    world,
):
    booking = await builders.make_booking(
        world["slot"],
        world["candidate"],
        world["coordinator"].id,
        status="accepted",
        supervisor=world["supervisor"],
    )
    await agreement(booking, NOW - dt.timedelta(days=4), {"coordinator"})
    fresh = await builders.make_booking(
        world["slot"],
        await builders.make_candidate_row(world["coordinator"].id, first_name="Bo"),
        world["coordinator"].id,
        status="accepted",
    )
    await agreement(fresh, NOW - dt.timedelta(days=1), set())
    first, second = await run_twice("remind-signatures")
    assert first.counts == {"waiting": 1, "queued": 3} and second.counts["queued"] == 0
    hosts = await outbox("signature_reminder")
    assert sorted(m["recipient"] for m in hosts) == [
        "hedda@vard.example.se",
        "henrik@vard.example.se",
    ]
    assert f"{BASE}/vard/bokningar/{booking}#overenskommelse" in hosts[0]["body_text"]
    [missing] = await outbox("signature_missing")
    assert missing["recipient"] == "sara@kommun.example.se"
    assert "handledaren och deltagaren" in missing["body_text"]
    assert f"{BASE}/arbetsbord/bokningar/{booking}#overenskommelse" in missing["body_text"]


async def test_follow_ups_created_once_and_coordinator_reminded_when_due(world):
    # Due 90 and 180 days after the placement ended, not after the outcome's later date.
    exit_date = TODAY - dt.timedelta(days=100)
    booking = await builders.make_booking(
        world["slot"],
        world["candidate"],
        world["coordinator"].id,
        status="completed",
        end_date=exit_date,
    )
    outcome_date = exit_date + dt.timedelta(days=6)
    await builders.make_outcome(world["candidate"], "arbete", outcome_date, booking_id=booking)
    _first, second = await run_twice("follow-ups")
    assert second.counts == {"created": 0, "reminded": 0}
    follow_ups = await FollowUp.select().order_by(FollowUp.days)
    assert [(f["days"], f["due_date"]) for f in follow_ups] == [
        (90, exit_date + dt.timedelta(days=90)),
        (180, exit_date + dt.timedelta(days=180)),
    ]
    [mail] = await outbox("follow_up_due")
    assert mail["recipient"] == "sara@kommun.example.se"
    assert mail["subject"] == "Dags för uppföljning efter 90 dagar"
    assert f"(avslut {exit_date})" in mail["body_text"]
    assert f"{exit_date + dt.timedelta(days=90)}" in mail["body_text"]
    assert f"{BASE}/arbetsbord/deltagare/{world['candidate']}#uppfoljning-" in mail["body_text"]
    await run_twice("follow-ups", NOW + dt.timedelta(days=80))
    assert [m["subject"] for m in await outbox("follow_up_due")] == [
        "Dags för uppföljning efter 90 dagar",
        "Dags för uppföljning efter 180 dagar",
    ]
    assert await FollowUp.count() == 2


async def test_missing_assessment_reminds_supervisor_once_with_a_working_link(world, client):
    ended = await builders.make_booking(
        world["slot"],
        world["candidate"],
        world["coordinator"].id,
        status="completed",
        supervisor=world["supervisor"],
        end_date=TODAY - dt.timedelta(days=3),
    )
    assessed = await builders.make_booking(
        world["slot"],
        await builders.make_candidate_row(world["coordinator"].id, first_name="Bo"),
        world["coordinator"].id,
        status="completed",
        supervisor=world["supervisor"],
        end_date=TODAY - dt.timedelta(days=3),
    )
    await builders.make_assessment(assessed, attendance="good", submitted_at=NOW)
    first, second = await run_twice("remind-assessments")
    assert first.counts["queued"] == 1 and second.counts["queued"] == 0
    [mail] = await outbox("assessment_reminder")
    assert mail["recipient"] == "hanna@vard.example.se"
    assert "Hej Hanna!" in mail["body_text"]
    link = next(w for w in mail["body_text"].split() if "/bedomning/" in w)
    assert link.startswith(f"{BASE}/bedomning/")
    assert ended  # the other booking is the one reminded about


async def test_lock_in_flagged_once_and_coordinator_told_once(world):
    await builders.make_booking(
        world["slot"],
        world["candidate"],
        world["coordinator"].id,
        status="active",
        start_date=TODAY - dt.timedelta(days=220),
        end_date=TODAY + dt.timedelta(days=30),
    )
    first, second = await run_twice("flag-lock-in")
    assert first.counts["flagged"] == 1 and first.counts["notified"] == 1
    assert second.counts == {"flagged": 0, "resolved": 0, "notified": 0}
    [flag] = await LockInFlag.select()
    assert flag["kind"] == "long_placement" and flag["resolved_at"] is None
    [mail] = await outbox("lock_in_flag")
    assert mail["recipient"] == "sara@kommun.example.se"
    assert f"{BASE}/arbetsbord/deltagare/{world['candidate']}" in mail["body_text"]


async def test_agreed_placement_starts_on_its_start_date_once(world):
    booking = await builders.make_booking(
        world["slot"],
        world["candidate"],
        world["coordinator"].id,
        status="agreed",
        supervisor=world["supervisor"],
        start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=60),
    )
    await agreement(
        booking, NOW - dt.timedelta(days=5), {"coordinator", "host", "supervisor", "participant"}
    )
    later = await builders.make_booking(
        world["slot"],
        await builders.make_candidate_row(world["coordinator"].id, first_name="Bo"),
        world["coordinator"].id,
        status="agreed",
        start_date=TODAY + dt.timedelta(days=1),
    )
    first, second = await run_twice("activate-placements")
    assert (first.counts, second.counts) == ({"started": 1}, {"started": 0})
    statuses = {r["id"]: r["status"] for r in await Booking.select(Booking.id, Booking.status)}
    assert statuses == {booking: "active", later: "agreed"}
    events = await BookingEvent.select().where(BookingEvent.to_status == "active")
    assert len(events) == 1
