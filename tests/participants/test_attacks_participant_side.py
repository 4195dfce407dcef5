"""Attacks on the participant's own pages and their sign-in.

A double click (or a script) that sends the same form several times at once must leave one
row, as one click does.

On PostgreSQL two transactions that both read "not there yet" both insert, unless they queue
on a row lock first; on SQLite `write_transaction` already queues every writer. Each race
runs on both engines, with a pool on PostgreSQL so that each request has a connection of its
own at once (production serves with a pool too).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pytest
from piccolo.engine.postgres import PostgresEngine

from admin.services import register
from marketplace.kernel.db import is_sqlite
from marketplace.kernel.errors import TooManyRequests
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import OutboxMessage
from participants import services, sessions
from participants.sessions import Participant
from placements.schemas.candidates import CandidateUpdate
from placements.services import candidate_updates
from placements.tables import (
    Assessment,
    Booking,
    Candidate,
    ParticipantAnswer,
    ParticipantInterest,
    ParticipantLink,
    ParticipantSession,
)
from tests.builders import make_candidate, make_user
from tests.participants.conftest import form_post, mailed_link, sign_in_by_link, signed_in
from tests.placements.bookingdata import make_world, propose

RACERS = 4
ROUNDS = 5


@pytest.fixture
async def pool() -> AsyncIterator[None]:
    engine = Booking._meta.db
    if is_sqlite(engine):
        yield
        return
    assert isinstance(engine, PostgresEngine)
    await engine.start_connection_pool(min_size=2, max_size=RACERS + 2)
    try:
        yield
    finally:
        await engine.close_connection_pool()


async def _participant(candidate_id: int) -> Participant:
    raw = await sessions.start_session(candidate_id, "link")
    found = await sessions.resolve_session(raw, get_settings())
    assert found is not None
    return found


async def _at_once(make: Any) -> list[Any]:
    racers: list[Awaitable[Any]] = [make() for _ in range(RACERS)]
    return await asyncio.gather(*racers, return_exceptions=True)


async def test_marking_a_slot_many_times_at_once_keeps_one_interest(pool: None) -> None:
    w = await make_world()
    me = await _participant(w.candidate_id)
    for _ in range(ROUNDS):
        results = await _at_once(lambda: services.mark_interest(me, w.slot_id))
        assert all(r is None for r in results), results
        assert await ParticipantInterest.count() == 1
        assert len(await services.interests(me)) == 1
        await services.remove_interest(me, w.slot_id)
        assert await ParticipantInterest.count() == 0


async def test_sending_the_end_view_many_times_at_once_keeps_one_assessment(pool: None) -> None:
    w = await make_world()
    booking_id = await propose(w)
    await Booking.update({Booking.status: "completed"}).where(Booking.id == booking_id)
    me = await _participant(w.candidate_id)
    for round_ in range(ROUNDS):
        await Assessment.delete().where(Assessment.booking == booking_id)
        text = f"Jag lärde mig mycket ({round_})."
        results = await _at_once(lambda: services.give_end_view(me, booking_id, text))
        assert all(r is None for r in results), results
        rows = await Assessment.select().where(Assessment.booking == booking_id)
        assert len(rows) == 1, rows
        assert rows[0]["participant_view"] == text


# --- sign-in links: a number is not flooded -------------------------------------------------------


async def test_sign_in_links_cannot_flood_the_participants_phone(make_client, sign_in) -> None:
    """Every press of "skicka inloggningslänk" queued another SMS and mail: a script with a
    coordinator's session (or a stuck button) could send the participant's phone hundreds
    of texts. A few an hour go out; then a clear 429 in Swedish, and nothing is queued."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    staff = await make_client()
    await sign_in(staff, coordinator.username)
    path = f"/arbetsbord/deltagare/{candidate_id}/inloggningslank"
    for _ in range(sessions.LINKS_PER_HOUR):
        assert (await form_post(staff, path)).status_code == 303
    queued = await OutboxMessage.count().where(OutboxMessage.kind == "participant.link")
    refused = await form_post(staff, path)
    assert refused.status_code == 429, refused.text
    assert "inloggningslänkar" in refused.text and int(refused.headers["retry-after"]) > 0
    assert await OutboxMessage.count().where(OutboxMessage.kind == "participant.link") == queued
    assert await ParticipantLink.count() == sessions.LINKS_PER_HOUR
    # The newest link sent still works: the refusal replaced nothing, and says until when.
    assert await ParticipantLink.count().where(ParticipantLink.replaced_at.is_null()) == 1
    assert "Den senaste länken fungerar till klockan" in refused.text
    # Once the participant has used it, the refusal no longer says it works (seen in use:
    # "Den senaste länken fungerar fortfarande" of a used link).
    await ParticipantLink.update({ParticipantLink.used_at: dt.datetime.now(dt.UTC)}).where(
        ParticipantLink.replaced_at.is_null()
    )
    used = await form_post(staff, path)
    assert used.status_code == 429
    assert "Den senaste länken är redan använd eller har gått ut." in used.text


# --- answers to a proposal: the coordinator's inbox is not flooded ---------------------------------


async def _answer_mails(booking_id: int) -> int:
    return await OutboxMessage.count().where(
        (OutboxMessage.kind == "participant.answer")
        & OutboxMessage.body_text.like(f"%/bokningar/{booking_id}%")
    )


async def test_answering_a_proposal_over_and_over_does_not_flood_the_coordinator(client) -> None:
    """Each post of "vill"/"vill inte" on a proposal the host has mailed the coordinator: the
    same answer sent again (a reload, a double click, a script) mailed again, and so did
    every change, without end. The same answer again now changes nothing; changes (of the
    comment; a "vill inte" closes the proposal) are recorded, but the coordinator is mailed a
    few times a day at most, and always when the answer closes the proposal."""
    w = await make_world()
    booking_id = await propose(w)
    client.cookies.set(
        sessions.SESSION_COOKIE, await sessions.start_session(w.candidate_id, "link")
    )
    path = f"/mina-sidor/forslag/{booking_id}/svar"
    assert (await form_post(client, path, {"answer": "yes"})).status_code == 303
    assert await _answer_mails(booking_id) == 1
    for _ in range(5):
        assert (await form_post(client, path, {"answer": "yes"})).status_code == 303
    assert await _answer_mails(booking_id) == 1
    for i in range(20):
        data = {"answer": "yes", "comment": f"Ja {i}"}
        assert (await form_post(client, path, data)).status_code == 303
    assert await _answer_mails(booking_id) == services.ANSWER_MAILS_PER_DAY
    # The last answer is what the coordinator reads on the booking's page.
    row = await ParticipantAnswer.select().where(ParticipantAnswer.booking == booking_id).first()
    assert row is not None and (row["answer"], row["comment"]) == ("yes", "Ja 19")
    # A "vill inte" closes the proposal: the coordinator is told, past the day's cap.
    no = {"answer": "no", "comment": "Nej tack"}
    assert (await form_post(client, path, no)).status_code == 303
    assert await _answer_mails(booking_id) == services.ANSWER_MAILS_PER_DAY + 1


async def test_an_answer_that_is_no_utf8_is_refused_and_nothing_stored(client) -> None:
    """Broken bytes ("%ff%fe") were read as "\ufffd\ufffd" and stored; the comment is
    refused in the participant's language, and the answer is not recorded."""
    w = await make_world()
    booking_id = await propose(w)
    client.cookies.set(
        sessions.SESSION_COOKIE, await sessions.start_session(w.candidate_id, "link")
    )
    client.cookies.set("mp_sprak", "en")
    await client.get("/", headers={"accept": "text/html"})
    refused = await client.post(
        f"/mina-sidor/forslag/{booking_id}/svar",
        content=b"answer=yes&comment=%ff%fe",
        headers={
            "x-csrftoken": client.cookies.get("mp_csrf") or "",
            "accept": "text/html",
            "content-type": "application/x-www-form-urlencoded",
        },
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert "not encoded as UTF-8" in refused.text
    assert not await ParticipantAnswer.exists().where(ParticipantAnswer.booking == booking_id)


# --- a link sent to the wrong address ---------------------------------------------------------------


async def test_a_link_sent_to_a_wrong_address_stops_working_when_the_address_is_corrected(
    client, make_client
) -> None:
    """The coordinator mistyped the e-mail address, sent a sign-in link, and corrected the
    address. The stranger who got the link could still sign in with it for its whole life
    (up to PARTICIPANT_LINK_MINUTES), and kept the session it gave until the timeouts.
    A change of the address, the mobile number or the personnummer now voids the links not
    yet used and ends the participant's sessions: they sign in again, as the right person."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    # The stranger spent one link already; another waits in their inbox.
    await sessions.send_sign_in_link(coordinator, candidate_id)
    spent_client = await make_client()
    assert await sign_in_by_link(spent_client, await mailed_link(candidate_id)) == 303
    await sessions.send_sign_in_link(coordinator, candidate_id)
    waiting = await mailed_link(candidate_id)
    await candidate_updates.update_candidate(
        coordinator, candidate_id, CandidateUpdate(email="ratt@example.org")
    )
    assert await sign_in_by_link(client, waiting) == 401
    assert not signed_in(client)
    page = await spent_client.get(
        "/mina-sidor", headers={"accept": "text/html"}, follow_redirects=False
    )
    assert (page.status_code, page.headers["location"]) == (303, "/mina-sidor/logga-in")
    assert not await ParticipantSession.exists()


async def test_a_change_of_other_fields_keeps_the_participant_signed_in(client) -> None:
    """Sending the same address again (a form sends every field) is no change."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    assert await sign_in_by_link(client, await mailed_link(candidate_id)) == 303
    row = await Candidate.select(Candidate.email, Candidate.phone).first()
    assert row is not None
    await candidate_updates.update_candidate(
        coordinator,
        candidate_id,
        CandidateUpdate(home_town="Alingsås", email=row["email"], phone=row["phone"]),
    )
    page = await client.get("/mina-sidor", headers={"accept": "text/html"})
    assert page.status_code == 200


# --- my data: the mails about me carry no live link -------------------------------------------------


async def test_my_own_extract_holds_no_live_single_use_link() -> None:
    """The extract behind /mina-sidor/mina-uppgifter lists every mail queued about the
    participant, and mails to the supervisor or the host about the placement (their signing,
    answer and assessment links) are among them. The coordinator's extract hides each link's
    secret; the participant's own kept them, so only the page's choice of fields stood between
    a participant and signing as their supervisor. The own extract hides them too."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    token = (await mailed_link(candidate_id)).rsplit("/", 1)[1]
    extract = await register.own_extract(candidate_id, "deltagaren själv")
    values = [str(f.value) for s in extract.sections for r in s.rows for f in r.fields]
    assert any("/mina-sidor/logga-in/lank/" in v for v in values)
    assert not any(token in v for v in values)


async def test_sign_in_links_sent_all_at_once_keep_to_the_cap(pool: None) -> None:
    """A script that presses the button many times at once: on PostgreSQL every request
    counted the links before any of the others had written theirs."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    racers = [sessions.send_sign_in_link(coordinator, candidate_id) for _ in range(12)]
    results = await asyncio.gather(*racers, return_exceptions=True)
    refused = [r for r in results if isinstance(r, TooManyRequests)]
    assert len(results) - len(refused) == sessions.LINKS_PER_HOUR, results
    assert await ParticipantLink.count() == sessions.LINKS_PER_HOUR
    assert await ParticipantLink.count().where(ParticipantLink.replaced_at.is_null()) == 1


# --- a link sent at the moment the address changes ---------------------------------------------------


async def _waiting_for_a_lock(other_task: asyncio.Task[Any]) -> None:
    """Until the other task waits for the participant's row (PostgreSQL: a backend waits on
    a lock; SQLite: the task queues for the writer's lock)."""
    engine = Booking._meta.db
    for _ in range(200):
        assert not other_task.done(), other_task
        if is_sqlite(engine):
            await asyncio.sleep(0.05)
            return
        rows = await Booking.raw(
            "SELECT count(*) AS n FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if rows[0]["n"]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the other task never waited for the participant's row")


async def _sent_to(candidate_id: int) -> list[tuple[str, str]]:
    """(recipient, link path) of every sign-in link mail to the participant, oldest first."""
    rows = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.body_text).where(
        (OutboxMessage.candidate == candidate_id) & (OutboxMessage.kind == "participant.link")
    )
    return [
        (r["recipient"], "/mina-sidor/" + r["body_text"].split("/mina-sidor/", 1)[1].split()[0])
        for r in rows
    ]


async def test_a_link_sent_while_the_address_changes_goes_to_the_new_address(
    pool: None, client, monkeypatch
) -> None:
    """The coordinator corrects the participant's e-mail address while a sign-in link is
    being sent (a colleague's click, a second tab). On PostgreSQL the send read the old
    address before it took the participant's row lock, waited for the change to commit,
    and then wrote a live link and mailed it to the old address, after the change had
    voided the links. The change now takes the same lock first, and the send reads the
    address only once it holds the lock: its link goes to the new address."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    old = (await Candidate.select(Candidate.email).first() or {})["email"]
    changed = asyncio.Event()
    go_on = asyncio.Event()
    end_sign_ins = candidate_updates._end_sign_ins

    async def held_open(cid: int) -> None:
        await end_sign_ins(cid)
        changed.set()
        await go_on.wait()  # the change's transaction stays open, its row lock held

    monkeypatch.setattr(candidate_updates, "_end_sign_ins", held_open)
    change = asyncio.create_task(
        candidate_updates.update_candidate(
            coordinator, candidate_id, CandidateUpdate(email="ratt@example.org")
        )
    )
    await changed.wait()
    send = asyncio.create_task(sessions.send_sign_in_link(coordinator, candidate_id))
    await _waiting_for_a_lock(send)
    go_on.set()
    await change
    await send
    [(recipient, path)] = await _sent_to(candidate_id)
    assert recipient == "ratt@example.org" != old
    assert await sign_in_by_link(client, path) == 303


async def test_a_link_sent_just_before_the_address_changes_stops_working(
    pool: None, client, monkeypatch
) -> None:
    """The other order: the send holds the participant's row when the change comes. The
    change waits for it, and then voids the link that went to the old address."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    old = (await Candidate.select(Candidate.email).first() or {})["email"]
    counted = asyncio.Event()
    go_on = asyncio.Event()
    refuse_a_flood = sessions._refuse_a_flood

    async def held_open(cid: int, now: Any) -> None:
        await refuse_a_flood(cid, now)
        counted.set()
        await go_on.wait()  # the send's transaction stays open, the row lock held

    monkeypatch.setattr(sessions, "_refuse_a_flood", held_open)
    send = asyncio.create_task(sessions.send_sign_in_link(coordinator, candidate_id))
    await counted.wait()
    change = asyncio.create_task(
        candidate_updates.update_candidate(
            coordinator, candidate_id, CandidateUpdate(email="ratt@example.org")
        )
    )
    await _waiting_for_a_lock(change)
    go_on.set()
    await send
    await change
    [(recipient, path)] = await _sent_to(candidate_id)
    assert recipient == old
    assert await sign_in_by_link(client, path) == 401
    assert not signed_in(client)
