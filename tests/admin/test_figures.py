"""Each figure has one definition and one kind, and the page, the chart, the API and the
exports say the same (issue 15, item 3: "wrong figures").

Two bugs are kept out here: an average of 0.33 persons a month (and the 0.6 baseline) shown
as "33,0 %" and "60,0 %", and a host given 6 hours in the analysts' ledger where the host's
own page gave 894 for the same placements. Every expected figure is worked out by hand in
the comments from the rows each test writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import typing
import zipfile
from typing import Any

import msgspec
import pytest

from admin import schemas
from admin.reports import placement_reports
from admin.services import reports
from marketplace.demo import load_demo
from marketplace.kernel import auth, clock, figures
from marketplace.kernel.tables import User
from placements.rows import PlacementHoursRow
from placements.services import ledger
from placements.tables import Booking
from tests.admin import reportdata
from tests.builders import (
    add_member,
    make_booking,
    make_candidate_row,
    make_host,
    make_outcome,
    make_slot,
)
from tests.conftest import login

HTML = {"accept": "text/html"}
NBSP = "\u00a0"

REPORT_TYPES = (
    schemas.ToWorkOrStudies,
    schemas.ExitShares,
    schemas.RealWorkplaces,
    schemas.LeadTimes,
    schemas.LockIn,
    schemas.FollowUps,
    schemas.AssessmentReturn,
    schemas.UnitCoverage,
    schemas.HostLedger,
)
NOT_FIGURES = {"host_id", "year"}  # identifiers, not figures


def _numeric_fields(struct: type, seen: set[type] | None = None) -> set[str]:
    """Names of the int and float fields of a report struct and the structs inside it."""
    seen = seen if seen is not None else set()
    if struct in seen:
        return set()
    seen.add(struct)
    names: set[str] = set()
    for name, hint in typing.get_type_hints(struct).items():
        if name in NOT_FIGURES:
            continue
        args = set(typing.get_args(hint)) | {hint}
        for arg in list(args):
            args |= set(typing.get_args(arg))
        if args & {int, float}:
            names.add(name)
        for arg in args:
            is_struct = isinstance(arg, type) and issubclass(arg, msgspec.Struct)
            if is_struct and arg not in (schemas.ReportFilters, schemas.AskedFilters):
                names |= _numeric_fields(arg, seen)
    return names


def test_every_figure_of_every_report_has_a_declared_kind():
    # A new figure with no declared kind would be written by a guess; there is no guessing.
    fields = set().union(*(_numeric_fields(t) for t in REPORT_TYPES))
    assert "average_per_month" in fields and "hours" in fields and "share" in fields
    assert fields - set(reports.FIGURE_KINDS) == set()
    assert set(reports.FIGURE_KINDS.values()) <= set(figures.KINDS)
    assert reports.kind_of("average_per_month") == "average"
    assert reports.kind_of("references.value") == "average"
    assert reports.kind_of("months[2026-01].persons") == "count"
    assert reports.kind_of("hosts[3].hours") == "hours"
    assert reports.kind_of("rows[90].share_done") == "share"


@pytest.mark.parametrize(
    ("value", "kind", "shown", "swedish", "rfc4180"),
    [
        (0.33, "average", "0,33", "0,33", "0.33"),  # persons a month: a number, not 33 %
        (0.6, "average", "0,6", "0,6", "0.6"),  # the 2016 baseline, not 60 %
        (1.75, "average", "1,75", "1,75", "1.75"),
        (0.6667, "share", f"66,7{NBSP}%", "0,6667", "0.6667"),  # a share: the fraction in files
        (1, "share", f"100,0{NBSP}%", "1", "1"),
        (894, "hours", "894", "894", "894"),
        (1234, "count", f"1{NBSP}234", "1234", "1234"),
        (12.5, "days", "12,5", "12,5", "12.5"),
        (12.0, "days", "12", "12", "12"),
    ],
)
def test_one_writer_per_kind(value, kind, shown, swedish, rfc4180):
    assert figures.text(value, kind) == shown
    assert figures.csv_number(value, "swedish") == swedish
    assert figures.csv_number(value, "rfc4180") == rfc4180
    assert figures.text(None, kind) == "–"
    assert figures.text("färre än 5", kind) == "färre än 5"


# --- the average per month ---------------------------------------------------------------


async def _five_to_work_in_march(make_user: Any) -> None:
    """Five persons with an outcome arbete on 2025-03-14; nothing else in 2025."""
    coordinator = await make_user("coordinator", username="sara")
    for i in range(5):
        candidate = await make_candidate_row(
            coordinator.id,
            f"Deltagare{i}",
            last_name="Testsson",
            email="",
            track="kompetens",
            registered_at=dt.date(2025, 1, 2),
        )
        await make_outcome(candidate, "arbete", dt.date(2025, 3, 14))


def _csv(content: bytes, variant: str) -> list[list[str]]:
    if variant == "swedish":
        assert content.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel looks for
        return reportdata.csv_table(content)
    assert not content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def _section(html: str, anchor: str) -> str:
    return html.split(anchor, 1)[1].split("</section>", 1)[0]


async def test_the_average_per_month_is_a_number_everywhere(client, make_user):
    # 2025: 12 months, 5 persons to work (all in March) -> total 5, average 5 / 12 = 0.4167,
    # rounded to 0.42. Five is not a small cell, so every figure is shown. The baselines are
    # 0.6 and 1.75 persons a month. None of them is a percentage.
    await _five_to_work_in_march(make_user)
    await make_user("admin", username="alva")
    await login(client, "alva")
    q = "start=2025-01-01&end=2025-12-31"

    api = (await client.get(f"/api/v1/reports/to-work-or-studies?{q}")).json()
    assert (api["total"], api["average_per_month"]) == (5, 0.42)
    assert [r["value"] for r in api["references"]] == [0.6, 1.75]

    page = (await client.get(f"/rapporter?{q}", headers=HTML)).text
    section = _section(page, 'id="to-work-or-studies"')
    assert '<th scope="row">Genomsnitt per månad</th><td>0,42</td>' in section
    assert "0,6</td>" in section and "1,75</td>" in section
    assert "%" not in re.sub(r"<p class=\"why\">.*?</p>", "", section, flags=re.S)

    board = (await client.get(f"/oversikt?{q}", headers=HTML)).text
    headline = board.split('id="headline-heading"', 1)[1].split("</section>", 1)[0]
    assert '<p class="figure">0,42</p>' in headline
    work = _section(board, 'id="work-heading"')
    assert "0,6</td>" in work and "1,75</td>" in work and "%" not in work

    for variant, average, baselines in (
        ("swedish", "0,42", ["0,6", "1,75"]),
        ("rfc4180", "0.42", ["0.6", "1.75"]),
    ):
        answer = await client.get(
            f"/api/v1/reports/to-work-or-studies/export?format=csv&variant={variant}&{q}"
        )
        assert answer.headers["content-type"].startswith("text/csv")
        rows = _csv(answer.content, variant)
        assert ["Genomsnitt per månad", average, ""] in rows
        assert [r[1] for r in rows if r[0].startswith(("Baslinje", "Januari"))] == baselines
        assert ["2025-03", "5", ""] in rows

    xlsx = await client.get(f"/api/v1/reports/to-work-or-studies/export?format=xlsx&{q}")
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert "<v>0.42</v>" in sheet and "<v>0.6</v>" in sheet  # numbers, not text
    assert 'formatCode="0.00"' in styles  # an average has two decimals in Excel...
    assert "%" not in styles  # ...and no cell of this report is formatted as a percentage


# --- the host's hours ----------------------------------------------------------------------


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 11, 0, tzinfo=dt.UTC)


async def _five_placements(make_user: Any) -> tuple[int, Any]:
    """One host, five ended placements in 2025 (hours worked out in the test)."""
    coordinator = await make_user("coordinator", username="sara")
    host = await make_host("Lagret i Vårgårda AB", "company")
    slots: dict[int, int] = {}
    for hours in (10, 20, 30):
        slots[hours] = await make_slot(
            host,
            title=f"Lagerarbete {hours} timmar",
            external_id=f"S{hours}",
            setting="open_workplace",
            hours=hours,
            capacity=5,
            description="",
        )
    d = dt.date
    rows = [
        # hours a week, status, agreed start, day it went active, end date
        (20, "completed", d(2025, 1, 6), d(2025, 1, 6), d(2025, 2, 2)),
        (30, "completed", d(2025, 2, 3), d(2025, 2, 10), d(2025, 3, 9)),  # went active late
        (30, "interrupted", d(2025, 3, 3), d(2025, 2, 17), d(2025, 3, 16)),  # set going early
        (20, "completed", d(2025, 4, 7), d(2025, 4, 7), d(2025, 4, 20)),
        (10, "completed", d(2025, 5, 5), d(2025, 5, 5), d(2025, 6, 1)),
    ]
    for i, (hours, status, start, went_active, end) in enumerate(rows):
        candidate = await make_candidate_row(
            coordinator.id,
            f"Deltagare{i}",
            last_name="Testsson",
            email="",
            track="kompetens",
            registered_at=d(2024, 12, 1),
        )
        await make_booking(
            slots[hours],
            candidate,
            coordinator.id,
            status=status,
            proposed_at=_noon(d(2024, 12, 15)),
            start_date=start,
            started_at=_noon(went_active),
            end_date=end,
            ended_at=_noon(end),
        )
    return host, coordinator


async def test_the_hours_of_a_host_are_the_same_on_every_page_api_and_file(client, make_user):
    # Hours = weekly hours x days run / 7, from the day it went active (no earlier than the
    # agreed start) to its end date, both days included:
    #   1: 20 h, 01-06..02-02 = 28 days -> 20 * 4 = 80
    #   2: 30 h, went active 02-10 (agreed 02-03), to 03-09 = 28 days -> 30 * 4 = 120
    #   3: 30 h, agreed 03-03 (set going 02-17), to 03-16 = 14 days -> 30 * 2 = 60
    #   4: 20 h, 04-07..04-20 = 14 days -> 20 * 2 = 40
    #   5: 10 h, 05-05..06-01 = 28 days -> 10 * 4 = 40
    # Total 340. (The host's page used to count 2 from 02-03, 35 days -> 150: 370 in all;
    # the analysts' ledger 3 from 02-17, 28 days -> 120: 400 in all.)
    host_id, coordinator = await _five_placements(make_user)
    host_user = await make_user("host", username="henrik")
    await add_member(host_user.id, host_id)
    q = "start=2025-01-01&end=2025-12-31"

    # The host's own ledger: service, API and page.
    await login(client, "henrik")
    own = (await client.get(f"/api/v1/hosts/{host_id}/ledger")).json()
    assert (own["placements_hosted"], own["hours"]) == (5, 340)
    home = (await client.get("/vard", headers=HTML)).text
    assert re.search(r"<dt>Timmar</dt><dd>340 ", home), home.split('id="vinst"')[1][:600]
    assert "tidigast det överenskomna startdatumet" in home  # the definition, with the figure
    # said once for the page, in a box to open; beside each figure, in a few words (a tester
    # read the whole definition repeated under each organisation).
    assert home.count("tidigast det överenskomna startdatumet") == 1
    assert "<summary>Hur timmarna räknas</summary>" in home
    assert "(timmar i veckan × veckor hittills)" in home

    # The analysts' host ledger: API, report page, dashboard, CSV (both variants), XLSX.
    await login(client, "sara")
    report = (await client.get(f"/api/v1/reports/host-ledger?{q}")).json()
    [row] = report["hosts"]
    assert (row["host_name"], row["placements"], row["hours"]) == ("Lagret i Vårgårda AB", 5, 340)
    assert ledger.HOURS_DEFINITION in report["definition"]
    page = (await client.get(f"/rapporter?{q}", headers=HTML)).text
    assert '<th scope="row">Lagret i Vårgårda AB</th><td>Företag</td><td>5</td><td>340</td>' in (
        _section(page, 'id="host-ledger"')
    )
    board = (await client.get(f"/oversikt?{q}", headers=HTML)).text
    assert '<td class="num">5</td><td class="num">340</td>' in _section(
        board, 'id="ledger-heading"'
    )
    for variant in ("swedish", "rfc4180"):
        answer = await client.get(
            f"/api/v1/reports/host-ledger/export?format=csv&variant={variant}&{q}"
        )
        rows = _csv(answer.content, variant)
        assert rows[1][:4] == ["Lagret i Vårgårda AB", "Företag", "5", "340"]
    xlsx = await client.get(f"/api/v1/reports/host-ledger/export?format=xlsx&{q}")
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        assert "<v>340</v>" in book.read("xl/worksheets/sheet1.xml").decode()

    # And the function both call, straight.
    figures_now = await ledger.host_ledger_for(coordinator_auth(coordinator), host_id)
    assert figures_now.hours == 340


def coordinator_auth(user: Any) -> Any:
    return auth.to_auth_user(user.to_dict(), "token", None)


def test_hours_of_a_running_placement_stop_at_today_or_its_planned_end():
    # 35 h a week, went active 2025-01-06, planned end 2025-12-31.
    row: PlacementHoursRow = {
        "status": "active",
        "started_at": _noon(dt.date(2025, 1, 6)),
        "start_date": dt.date(2025, 1, 6),
        "end_date": dt.date(2025, 12, 31),
        "ended_at": None,
        "hours_per_week": 35,
    }
    # Today 01-19: 14 days -> 35 * 2 = 70.
    assert ledger.placement_hours(row, dt.date(2025, 1, 19)) == 70
    # Past its planned end and still active: counted to 12-31, 360 days -> 35 * 360 / 7 = 1800.
    assert ledger.placement_hours(row, dt.date(2026, 2, 1)) == 1800
    # Set going on 2024-06-20, months before its agreed start: still counted from 01-06.
    early = row | {"started_at": _noon(dt.date(2024, 6, 20))}
    assert ledger.placement_hours(early, dt.date(2025, 1, 19)) == 70
    # Went active late, on 01-13: 7 days to 01-19 -> 35.
    late = row | {"started_at": _noon(dt.date(2025, 1, 13))}
    assert ledger.placement_hours(late, dt.date(2025, 1, 19)) == 35
    assert ledger.start_day(late) == dt.date(2025, 1, 13)
    # Not begun yet: no hours.
    assert ledger.placement_hours(row, dt.date(2025, 1, 1)) == 0


async def test_the_demo_hosts_have_the_same_hours_in_their_ledger_and_the_report():
    # The reported case: the demo's placement of 220 days gave 6 hours in the report (it
    # counted from the day the demo was seeded) and 894 on the host's page. The demo now
    # writes its history on the days it tells, and both read one definition.
    await load_demo()
    today = clock.today()
    period = schemas.ReportFilters(start=today.replace(year=today.year - 9), end=today)
    report = await placement_reports.host_ledger(period, today)
    admin_row = await User.select().where(User.role == "admin").first()
    assert admin_row is not None
    admin = auth.to_auth_user(admin_row, "token", None)
    assert report.hosts
    for row in report.hosts:
        own = await ledger.host_ledger_for(admin, row.host_id, today)
        assert (own.placements_hosted, own.hours) == (row.placements, row.hours), row.host_name
    # A running placement that began 220 days ago at 15-40 hours a week gives hundreds.
    longest = max(
        await Booking.select(Booking.start_date).where(Booking.status == "active"),
        key=lambda r: today - r["start_date"],
    )
    assert (today - longest["start_date"]).days == 220
    assert max(h.hours or 0 for h in report.hosts) >= round(15 * 221 / 7)
