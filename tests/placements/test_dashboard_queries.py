"""The home pages' lists of ended placements cost the same whatever their length.

The workbench lists the ended placements whose outcome is not recorded, the host's home page
those whose assessment is not submitted. Both read each ended placement on its own (five and
seven queries, and an audit row, each), for lists that only grow; now one query answers which
have one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from marketplace.kernel.tables import User
from placements.services import bookings as booking_services
from placements.services import outcomes as outcome_services
from tests.builders import (
    make_assessment,
    make_booking,
    make_candidate_row,
    make_contact,
    make_host,
    make_host_user,
    make_outcome,
    make_slot,
    make_user,
)
from tests.conftest import login

START, END = dt.date(2030, 3, 2), dt.date(2030, 5, 29)


@asynccontextmanager
async def counted_queries() -> AsyncIterator[list[str]]:
    """The queries Piccolo runs meanwhile, in any event loop (the app's too)."""
    engine_class = type(User._meta.db)
    queries: list[str] = []
    original = engine_class.run_querystring

    async def counted(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        queries.append(str(querystring))
        return await original(self, querystring, in_pool=in_pool)

    engine_class.run_querystring = counted  # type: ignore[method-assign]
    try:
        yield queries
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]


async def _world() -> tuple[Any, Any, Callable[..., Awaitable[tuple[int, int]]]]:
    coordinator = await make_user("coordinator", username="hemsida")
    host = await make_host("Lager AB", "company")
    host_user = await make_host_user(host, username="hemvard")
    hanna = await make_contact(host, "Hanna Handledare", capacity=50)
    slot = await make_slot(host, hanna, capacity=50)

    async def ended(first_name: str, status: str = "completed") -> tuple[int, int]:
        """An ended placement of a new participant: (booking, participant)."""
        candidate = await make_candidate_row(coordinator.id, first_name)
        booking = await make_booking(
            slot,
            candidate,
            coordinator.id,
            supervisor=hanna,
            status=status,
            start_date=START,
            end_date=END,
        )
        return booking, candidate

    return coordinator, host_user, ended


async def test_which_ended_placements_have_an_outcome_or_an_assessment() -> None:
    coordinator, host_user, ended = await _world()
    with_outcome, aida = await ended("Aida")
    assessed, _ = await ended("Bodil", "interrupted")
    neither, _ = await ended("Cecilia")
    draft_only, _ = await ended("Dana")
    await make_outcome(aida, "arbete", END, booking_id=with_outcome)
    await make_outcome(aida, "studier", END, booking_id=with_outcome)
    await make_assessment(assessed, submitted_at=dt.datetime(2030, 6, 1, tzinfo=dt.UTC))
    await make_assessment(draft_only)  # begun, not submitted

    for user in (coordinator, host_user):
        listed = (await booking_services.list_bookings_for(user, limit=50)).items
        assert {b.id for b in listed} == {with_outcome, assessed, neither, draft_only}
        assert await outcome_services.bookings_with_outcomes(listed) == {with_outcome}
        assert await outcome_services.submitted_assessments(listed) == {assessed}
    assert await outcome_services.bookings_with_outcomes([]) == set()
    assert await outcome_services.submitted_assessments([]) == set()


async def test_the_home_pages_cost_the_same_with_more_ended_placements(client, make_client):
    coordinator, host_user, ended = await _world()
    staff = client
    await login(staff, coordinator.username)
    host = await make_client()
    await login(host, host_user.username)

    async def costs() -> tuple[int, int, str, str]:
        async with counted_queries() as workbench:
            answer = await staff.get("/arbetsbord", headers={"accept": "text/html"})
            assert answer.status_code == 200
        async with counted_queries() as home:
            host_answer = await host.get("/vard", headers={"accept": "text/html"})
            assert host_answer.status_code == 200
        return len(workbench), len(home), answer.text, host_answer.text

    await ended("Aida")
    await ended("Bodil", "interrupted")  # each list non-empty: an empty one skips its reads
    few = await costs()
    for n in range(6):
        await ended(f"Extra{n}", "interrupted" if n % 2 else "completed")
    many = await costs()
    assert many[:2] == few[:2], (few[:2], many[:2])
    # And the seven new ones are listed as waiting for an outcome and an assessment.
    for n in range(6):
        assert f"Extra{n}" in many[2]
    assert many[3].count("Extra") >= 6


async def test_the_lists_by_status_are_the_lists_one_status_at_a_time() -> None:
    """The home pages read their lists of several statuses in one transaction with one audit
    batch; each list is what asking for its status alone gives, for staff and for the host
    (who never sees a proposal the participant answers first)."""
    coordinator, host_user, ended = await _world()
    await ended("Aida")
    await ended("Bodil", "interrupted")
    await ended("Cissi", "active")
    await ended("Doris", "proposed")
    await ended("Edna", "awaiting_participant")
    statuses = ["awaiting_participant", "proposed", "active", "completed", "interrupted"]
    for user in (coordinator, host_user):
        lists = await booking_services.bookings_by_status_for(user, statuses)
        assert list(lists) == statuses
        for status in statuses:
            alone = (await booking_services.list_bookings_for(user, status=status)).items
            assert [b.id for b in lists[status]] == [b.id for b in alone], (user.role, status)
            assert lists[status] == alone
        assert len(lists["awaiting_participant"]) == (0 if user.role == "host" else 1)
    capped = await booking_services.bookings_by_status_for(coordinator, ["completed"], limit_each=1)
    assert len(capped["completed"]) == 1
    async with counted_queries() as queries:
        await booking_services.bookings_by_status_for(host_user, statuses)
    writes = [q for q in queries if q.lstrip().upper().startswith("INSERT")]
    assert len(writes) == 1, writes  # one audit batch for every participant shown


async def test_the_lists_by_status_are_for_staff_and_hosts_only() -> None:
    import pytest

    from marketplace.kernel.errors import Forbidden

    analyst = await make_user("analyst", username="siffror")
    with pytest.raises(Forbidden):
        await booking_services.bookings_by_status_for(analyst, ["proposed"])
