"""One figure twice in one report: the follow-ups due at 90 and at 180 days of the same exits.

Once 180 days have passed for all of a period's exits, both rows count the same exits. At 90
days 4 done and 4 not of 8 hid the 8 (two parts of 1–4 adding up to 8 are 4 and 4), while
the 180 days' row showed its 8 due, and its 8 overdue, with none done: the same 8 exits. The
overdue are a part of the due too: with nothing due today they are all those not done, and a
hidden done was the due less them."""

from __future__ import annotations

import datetime as dt

import pytest

from admin.reports.follow_ups import protect_follow_ups
from admin.schemas import FollowUps, FollowUpStatus, ReportFilters
from tests.builders import make_candidate_row, make_follow_up, make_outcome
from tests.conftest import login


@pytest.fixture
async def analyst_client(client, make_user):
    coordinator = await make_user("coordinator", username="sara")
    await make_user("analyst", username="anna")
    await login(client, "anna")
    client.coordinator_id = coordinator.id
    return client


async def test_follow_ups_due_at_90_and_180_days_of_the_same_exits_are_hidden_alike(
    analyst_client,
):
    """Eight exits in January 2024, long since followed up: at 90 days 4 done and 4 not,
    which hides the 8 due (two parts of 1–4 adding up to 8 are 4 and 4), while at 180 days
    none was done and the 8 due were shown, with 8 overdue: the same 8 exits."""
    client = analyst_client
    exit_day = dt.date(2024, 1, 15)
    for i in range(8):
        candidate = await make_candidate_row(client.coordinator_id, f"U{i}", email="")
        outcome = await make_outcome(candidate, "arbete", exit_day)
        await make_follow_up(
            candidate,
            outcome,
            90,
            exit_day + dt.timedelta(days=90),
            status="done" if i < 4 else "pending",
            result_category="arbete" if i < 4 else "",
        )
        await make_follow_up(candidate, outcome, 180, exit_day + dt.timedelta(days=180))
    answer = await client.get("/api/v1/reports/follow-ups?start=2024-01&end=2024-01")
    assert answer.status_code == 200
    body = answer.json()
    rows = {r["days"]: r for r in body["rows"]}
    assert rows[90]["due"] is None and rows[180]["due"] is None
    # And the 180 days' overdue, which with none done was the same 8.
    assert rows[180]["overdue"] is None


def _row(days: int, due: int, done: int, overdue: int) -> FollowUpStatus:
    return FollowUpStatus(
        days=days,
        due=due,
        done=done,
        in_work_or_studies=0,
        overdue=overdue,
        share_done=done / due if due else None,
        share_in_work_or_studies=0.0 if done else None,
    )


def test_a_hidden_done_is_not_the_due_less_the_overdue():
    """9 due, 3 done, 6 overdue: the 3 was hidden and the 6 shown beside the 9 (the part
    not done was a cell of its own, never shown, while the overdue said it)."""
    report = FollowUps(
        definition="",
        filters=ReportFilters(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31)),
        rows=[_row(90, 9, 3, 6), _row(180, 0, 0, 0)],
    )
    out = protect_follow_ups(report)
    row = out.rows[0]
    assert row.done is None
    assert row.due is None or row.overdue is None  # 9 − 6 would give the 3
    assert not any(p.endswith(".pending") for p in out.suppressed)
    # Partly due (fewer at 180 days): two figures, each protected by its own rules.
    partly = protect_follow_ups(
        FollowUps(
            definition="",
            filters=report.filters,
            rows=[_row(90, 8, 4, 4), _row(180, 6, 0, 6)],
        )
    )
    assert partly.rows[0].due is None and partly.rows[1].due == 6
