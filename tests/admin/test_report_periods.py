"""Report periods are whole calendar months, so that no two periods differ by a day.

Before, the period was free: Jan 1–Mar 31 minus Jan 2–Mar 31 gave the exits of Jan 1, even
when they were 1–4 persons, since each report's own small-cell rule cannot see the other
report. Now a period is months ("2026-01"), or dates that name whole months; any other date
is a Swedish 400 naming its field (the API and its exports) or the form's error with the
default period's figures (the pages), and no report is published over any other period."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec
import pytest

from admin.reports import registry
from admin.reports.filters import check_whole_months, default_period, report_filters
from admin.schemas import ReportFilters
from marketplace.kernel import clock
from marketplace.kernel.errors import ValidationFailed
from tests.admin import reportdata
from tests.builders import make_candidate_row, make_follow_up, make_outcome
from tests.conftest import login

HTML = {"accept": "text/html"}
JAN_1 = dt.date(2026, 1, 1)


async def _exits(coordinator_id: int, day: dt.date, count: int, first: int = 0) -> None:
    for i in range(first, first + count):
        candidate = await make_candidate_row(
            coordinator_id, f"Person{i}", last_name="Test", email="", registered_at=JAN_1
        )
        await make_outcome(candidate, "arbete", day)


@pytest.fixture
async def analyst(client: Any, make_user: Any) -> Any:
    """An analyst signed in; 3 exits to work on 1 January 2026 and 10 later that month."""
    coordinator = await make_user("coordinator", username="sara")
    await make_user("analyst", username="anna")
    await _exits(coordinator.id, JAN_1, 3)
    await _exits(coordinator.id, dt.date(2026, 1, 20), 10, first=3)
    await login(client, "anna")
    return client


async def test_the_api_refuses_a_period_a_day_short_of_whole_months(analyst: Any) -> None:
    """Jan 1–Mar 31 is shown; Jan 2–Mar 31, which would differ from it by the 3 exits of
    1 January, is a 400 with nothing counted, in the report and in its export."""
    whole = await analyst.get("/api/v1/reports/exits?start=2026-01-01&end=2026-03-31")
    assert whole.status_code == 200 and whole.json()["exits"] == 13
    for report in registry.REPORTS:
        for query in ("start=2026-01-02&end=2026-03-31", "start=2026-01-01&end=2026-03-30"):
            for tail in ("", "/export?format=csv", "/export?format=xlsx"):
                answer = await analyst.get(f"/api/v1/reports/{report.slug}{tail}?{query}")
                assert answer.status_code == 400, (report.slug, tail, query)
                assert "exits" not in answer.text
    answer = (await analyst.get("/api/v1/reports/exits?start=2026-01-02&end=2026-03-31")).json()
    assert answer["fields"] == ["start"]
    assert "2026-01-02 är inte månadens första dag" in answer["detail"]
    assert "Välj månaden 2026-01 (ÅÅÅÅ-MM)" in answer["detail"]


async def test_the_api_names_both_wrong_ends_at_once(analyst: Any) -> None:
    answer = await analyst.get("/api/v1/reports/exits?start=2026-01-02&end=2026-03-30")
    body = answer.json()
    assert answer.status_code == 400 and body["fields"] == ["start", "end"]
    assert "2026-01-02 är inte månadens första dag" in body["detail"]
    assert "2026-03-30 är inte månadens sista dag" in body["detail"]
    assert "Välj månaden 2026-03" in body["detail"]


async def test_months_and_the_dates_that_name_them_are_the_same_period(analyst: Any) -> None:
    by_month = await analyst.get("/api/v1/reports/exits?start=2026-01&end=2026-03")
    by_date = await analyst.get("/api/v1/reports/exits?start=2026-01-01&end=2026-03-31")
    assert by_month.status_code == by_date.status_code == 200
    assert by_month.json() == by_date.json()
    assert by_month.json()["filters"]["start"] == "2026-01-01"
    assert by_month.json()["filters"]["end"] == "2026-03-31"
    february = await analyst.get("/api/v1/reports/exits?start=2028-02&end=2028-02")
    assert february.json()["filters"]["end"] == "2028-02-29"
    only_end = (await analyst.get("/api/v1/reports/exits?end=2026-03")).json()["filters"]
    assert (only_end["start"], only_end["end"]) == ("2026-03-01", "2026-03-31")


async def test_the_report_page_refuses_a_day_and_shows_no_figure_for_it(analyst: Any) -> None:
    """An old bookmark with a date inside a month: the page says which month to choose, at
    the field, and shows the default period's figures, never those of Jan 2–Mar 31."""
    page = await analyst.get("/rapporter?start=2026-01-02&end=2026-03-31", headers=HTML)
    assert page.status_code == 400
    shown = dict(re.findall(r'<span class="error" id="f-(\w+)-error">([^<]*)</span>', page.text))
    assert set(shown) == {"start"}
    assert "Välj månaden 2026-01 (ÅÅÅÅ-MM)" in shown["start"]
    first, last = default_period(clock.today())
    assert f'value="{first:%Y-%m}"' not in page.text or first == JAN_1
    exits = page.text.split('<section id="exits"', 1)[1].split("</section>", 1)[0]
    january_counted = first <= JAN_1 <= last
    assert ("<td>13</td>" in exits) == january_counted
    assert "<td>10</td>" not in exits  # the one-day difference is nowhere
    # Said beside the figures: they are the default period's, not the answer to the filter.
    notice = re.search(r'<p class="fallback" role="status" id="fallback">([^<]*)</p>', page.text)
    assert notice and f"gäller siffrorna nedan {first} – {last}." in notice[1]
    whole = await analyst.get("/rapporter?start=2026-01&end=2026-03", headers=HTML)
    assert whole.status_code == 200
    exits = whole.text.split('<section id="exits"', 1)[1].split("</section>", 1)[0]
    assert "<td>13</td>" in exits
    assert re.search(r'<input id="f-start" name="start" type="month" value="2026-01"', whole.text)
    assert "start=2026-01&amp;end=2026-03" in whole.text  # the export links keep months


async def test_the_dashboard_refuses_a_day_too(analyst: Any) -> None:
    page = await analyst.get("/oversikt?start=2026-01-01&end=2026-03-15", headers=HTML)
    assert page.status_code == 400
    shown = dict(re.findall(r'<span class="error" id="f-(\w+)-error">([^<]*)</span>', page.text))
    assert set(shown) == {"end"}
    assert "2026-03-15 är inte månadens sista dag" in shown["end"]
    first, last = default_period(clock.today())
    assert f"Tills det är rättat gäller siffrorna nedan {first} – {last}." in page.text
    fine = await analyst.get("/oversikt?start=2026-01&end=2026-03", headers=HTML)
    assert fine.status_code == 200
    assert 'id="fallback"' not in fine.text
    assert re.search(r'<input id="f-end" name="end" type="month" value="2026-03"', fine.text)


async def test_no_report_is_published_over_days(analyst: Any) -> None:
    """The registry checks the rule again: no caller can publish a day-level period."""
    day_level = ReportFilters(start=dt.date(2026, 1, 2), end=dt.date(2026, 3, 31))
    for report in registry.REPORTS:
        with pytest.raises(ValidationFailed):
            await report.published(day_level)
    months = ReportFilters(start=JAN_1, end=dt.date(2026, 3, 31))
    assert (await registry.BY_SLUG["exits"].published(months)).exits == 13


def test_every_accepted_period_is_whole_months() -> None:
    """Whatever two ends are typed, an accepted period starts on a first and ends on a
    last day: two accepted periods differ by whole months or not at all."""
    day = dt.date(2025, 12, 1)
    typed = []
    while day <= dt.date(2026, 3, 31):
        typed += [day.isoformat(), f"{day:%Y-%m}"]
        day += dt.timedelta(days=1)
    typed = sorted(set(typed))
    accepted = 0
    for start in typed:
        for end in typed:
            try:
                f = report_filters(start, end)
            except ValidationFailed:
                continue
            accepted += 1
            check_whole_months(f.start, f.end)
            assert f.start.day == 1
            assert (f.end + dt.timedelta(days=1)).day == 1
    # 10 pairs of months in order, each end typed two ways (the month, or its first or last day)
    assert accepted == 10 * 2 * 2
    f = report_filters(None, None)
    assert msgspec.structs.astuple(f)[:2] == default_period(clock.today())
    assert (f.end + dt.timedelta(days=1)).day == 1  # the running month counts whole


async def test_follow_ups_line_up_with_the_exits_months(client: Any, make_user: Any) -> None:
    """A follow-up is due 90 or 180 days after its exit. Counted by due day, the months of
    follow-ups were the exits' months shifted by days (due in February: exits of 3–30
    November), so exits of November minus 90-day follow-ups due in February gave the exits of
    1–2 November. Counted by the exit's month, both reports cover the same exits."""
    coordinator = await make_user("coordinator", username="sara")
    await make_user("analyst", username="anna")
    days = [dt.date(2025, 11, 1)] * 2 + [dt.date(2025, 11, 20)] * 6
    for i, day in enumerate(days):
        candidate = await make_candidate_row(
            coordinator.id, f"Person{i}", last_name="Test", email="", registered_at=day
        )
        outcome = await make_outcome(candidate, "arbete", day)
        for after in (90, 180):
            await make_follow_up(candidate, outcome, after, day + dt.timedelta(days=after))
    await login(client, "anna")

    async def figures(slug: str, month: str) -> dict[str, Any]:
        answer = await client.get(f"/api/v1/reports/{slug}?start={month}&end={month}")
        assert answer.status_code == 200
        return dict(answer.json())

    exits = await figures("exits", "2025-11")
    rows = {r["days"]: r for r in (await figures("follow-ups", "2025-11"))["rows"]}
    assert exits["exits"] == rows[90]["due"] == rows[180]["due"] == 8
    for month in ("2026-01", "2026-02", "2026-05"):  # where their due days fall
        rows = {r["days"]: r for r in (await figures("follow-ups", month))["rows"]}
        assert rows[90]["due"] == rows[180]["due"] == 0, month


async def test_follow_ups_not_yet_due_are_not_counted_in_the_running_month(
    client: Any, make_user: Any
) -> None:
    """Seen in a browser on 7 December: the December report showed "färre än 5" follow-ups
    as due, though December's exits are followed up in March and June, and the year's share
    done (50 % and 35.7 %) counted them as not done, with none late. A follow-up not yet due
    is neither done, late nor missing: the share done is of those that have fallen due, in
    the page's JSON and in the CSV alike."""
    coordinator = await make_user("coordinator", username="sara")
    await make_user("analyst", username="anna")
    today = clock.today()
    this_month = today.replace(day=1)
    earlier = today - dt.timedelta(days=200)  # both follow-ups due and done by now
    for i, day in enumerate([this_month] * 3 + [earlier] * 6):
        candidate = await make_candidate_row(
            coordinator.id, f"Person{i}", last_name="Test", email="", registered_at=day
        )
        outcome = await make_outcome(candidate, "arbete", day)
        for after in (90, 180):
            due = day + dt.timedelta(days=after)
            status = "done" if due <= today else "due"
            result = "arbete" if status == "done" else ""
            await make_follow_up(
                candidate, outcome, after, due, status=status, result_category=result
            )
    await login(client, "anna")

    async def rows(start: dt.date) -> dict[int, dict[str, Any]]:
        answer = await client.get(
            f"/api/v1/reports/follow-ups?start={start:%Y-%m}&end={today:%Y-%m}"
        )
        assert answer.status_code == 200, answer.text
        return {r["days"]: r for r in answer.json()["rows"]}

    running = await rows(this_month)
    for days in (90, 180):
        assert (running[days]["due"], running[days]["done"], running[days]["overdue"]) == (0, 0, 0)
        assert running[days]["share_done"] is None
    whole = await rows(earlier)
    for days in (90, 180):
        assert (whole[days]["due"], whole[days]["done"], whole[days]["overdue"]) == (6, 6, 0)
        assert whole[days]["share_done"] == 1.0
    export = await client.get(
        f"/api/v1/reports/follow-ups/export?format=csv&start={earlier:%Y-%m}&end={today:%Y-%m}"
    )
    assert export.status_code == 200
    table = reportdata.csv_table(export.content)
    lines = [";".join(row) for row in table]
    header = next(line for line in lines if line.startswith("Dagar efter avslut"))
    assert "Förfallna t.o.m. i dag" in header
    assert any(line.startswith("90;6;6;6;0;1") for line in lines), lines
    assert "färre än 5" not in str(table)


def test_a_month_outside_the_service_s_years_is_named_as_a_month():
    """The month fields' error spoke of dates ("ange ett datum mellan 2000-01-01 och
    2100-12-31") to someone choosing months; it names months now."""
    with pytest.raises(ValidationFailed) as refused:
        report_filters("1999-12", "2026-01")
    assert refused.value.fields == ["start"]
    assert "1999-12 går inte att ta emot: ange en månad mellan 2000-01 och 2100-12." in str(
        refused.value.message
    )
    with pytest.raises(ValidationFailed) as late:
        report_filters("2026-01", "2101-01")
    assert late.value.fields == ["end"] and "datum" not in str(late.value.message)


async def test_a_refused_choice_beside_a_good_period_is_named_in_the_notice(analyst: Any) -> None:
    """An unknown track (an edited address) is dropped, and the notice says so; the period
    typed holds."""
    for path in ("/rapporter", "/oversikt"):
        page = await analyst.get(f"{path}?start=2026-01&end=2026-03&track=xyz", headers=HTML)
        assert page.status_code == 400, path
        assert (
            "Tills det är rättat gäller siffrorna nedan 2026-01-01 – 2026-03-31, "
            "utan filter på spår." in page.text
        ), path
