"""The back office's scheduled sweeps, run the way the scheduler runs them."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from admin.jobs import get_snapshot
from marketplace.kernel.settings import get_settings
from marketplace.scheduler import job_specs, run_job
from placements.tables import Candidate, Outcome
from tests.admin import reportdata


@pytest.fixture
async def data(make_user):
    return await reportdata.build(make_user)


def at(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 9, 0, tzinfo=dt.UTC)


async def test_admin_sweeps_are_registered():
    assert {"snapshot-kpis", "apply-retention"} <= set(job_specs())


async def test_retention_job_twice_at_once_anonymises_exactly_those_past_the_limit(data):
    settings = dataclasses.replace(get_settings(), retention_years=2)
    # A exited 2026-02-25: not due on 2028-02-24, due on 2028-02-25.
    early = await run_job("apply-retention", now=at(2028, 2, 24), settings=settings)
    assert (early.outcome, early.counts) == ("ok", {"anonymised": 0})
    first, second = await asyncio.gather(
        run_job("apply-retention", now=at(2028, 2, 25), settings=settings),
        run_job("apply-retention", now=at(2028, 2, 25), settings=settings),
    )
    assert first.outcome == second.outcome == "ok"
    assert first.counts["anonymised"] + second.counts["anonymised"] == 1
    rows = await Candidate.select(Candidate.id).where(Candidate.anonymised_at.is_not_null())
    assert [r["id"] for r in rows] == [data.candidates["A"]]


async def test_kpi_snapshot_job_fixes_last_month_once(data):
    first = await run_job("snapshot-kpis", now=at(2026, 4, 2))
    assert (first.outcome, first.counts) == ("ok", {"created": 1})
    stored = await get_snapshot("2026-03")
    assert stored is not None
    # A late outcome changes the live figure for March, not the snapshot.
    await Outcome.update({Outcome.outcome_date: dt.date(2026, 3, 20)}).where(
        Outcome.id == next(iter(data.outcomes.values()))
    )
    again = await run_job("snapshot-kpis", now=at(2026, 4, 3))
    assert again.counts == {"created": 0}
    assert await get_snapshot("2026-03") == stored
