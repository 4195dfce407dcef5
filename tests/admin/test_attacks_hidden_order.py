"""A hostile analyst's report (A2): the host ledger's rows were sorted by the exact number of
placements before protection, so the order gave away what "färre än 5" hid.

At /rapporter for 2026 the ledger read Bygg 5, then Däck, Hemtjänst Norra, Kostenheten and
Daglig verksamhet Verkstaden, all "färre än 5". By name Daglig comes before Hemtjänst: it
was last because it had fewest. With "Placeringar totalt 14" in the 85/15 report the four
hidden ones added up to 9 with Däck ≥ Hemtjänst ≥ Kostenheten > Daglig ≥ 1, so Daglig was 1,
and a month and a track filter that still showed the row pointed at one person.

Rows (and the dashboard's bars) now come in an order that rests on what is shown: the shown
counts, largest first, then every row whose count is hidden, by name."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from html import escape

import msgspec
import pytest

from admin.reports import placement_reports
from admin.schemas import HostLedger, LedgerRow, ReportFilters
from marketplace.kernel.db import swedish_key
from tests.builders import make_booking, make_candidate_row, make_host, make_slot
from tests.conftest import login

YEAR = "start=2026-01&end=2026-12"
HTML = {"accept": "text/html"}
STARTED = dt.date(2026, 2, 2)

# The tester's ledger: Bygg 5, Däck 4, Hemtjänst 2, Kostenheten 2, Daglig 1 (14 in all).
HOSTS = (
    ("Vårgårda Bygg AB", "company", "open_workplace", 5),
    ("Vårgårda Däck & Service AB", "company", "open_workplace", 4),
    ("Vårgårda kommun, Hemtjänst Norra", "municipal_unit", "municipal_workplace", 2),
    ("Vårgårda kommun, Kostenheten", "municipal_unit", "municipal_workplace", 2),
    ("Vårgårda kommun, Daglig verksamhet Verkstaden", "municipal_unit", "sheltered", 1),
)


async def placements_at(coordinator_id: int, hosts=HOSTS, track: str = "kompetens") -> None:
    """Each host's placements, all started on STARTED."""
    for name, kind, setting, count in hosts:
        slot = await make_slot(await make_host(name, kind), capacity=20, setting=setting)
        for i in range(count):
            candidate = await make_candidate_row(
                coordinator_id, f"P{slot}x{i}", last_name="Test", email="", track=track
            )
            await make_booking(
                slot,
                candidate,
                coordinator_id,
                status="completed",
                started_at=dt.datetime(2026, 2, 2, 12, tzinfo=dt.UTC),
                start_date=STARTED,
                end_date=STARTED + dt.timedelta(days=20),
                ended_at=dt.datetime(2026, 2, 22, 12, tzinfo=dt.UTC),
            )


@pytest.fixture
async def analyst_client(client, make_user):
    coordinator = await make_user("coordinator", username="sara")
    await make_user("analyst", username="anna")
    await login(client, "anna")
    client.coordinator_id = coordinator.id
    return client


def expected_order(hosts: list[tuple[str, int | None]]) -> list[str]:
    """Shown counts largest first (ties by name), then the hidden ones by name."""
    shown = sorted(
        (h for h in hosts if h[1] is not None), key=lambda h: (-(h[1] or 0), swedish_key(h[0]))
    )
    hidden = sorted((h for h in hosts if h[1] is None), key=lambda h: swedish_key(h[0]))
    return [name for name, _ in shown + hidden]


async def test_the_ledger_s_order_rests_on_what_it_shows(analyst_client):
    client = analyst_client
    await placements_at(client.coordinator_id)
    body = (await client.get(f"/api/v1/reports/host-ledger?{YEAR}")).json()
    rows = [(h["host_name"], h["placements"]) for h in body["hosts"]]
    assert len(rows) == 5
    assert [name for name, _ in rows] == expected_order(rows), rows
    # Daglig verksamhet (1 placement) is no longer last among the hidden: by name it comes
    # before Hemtjänst Norra (2) and Kostenheten (2).
    names = [name for name, count in rows if count is None]
    assert names.index("Vårgårda kommun, Daglig verksamhet Verkstaden") < names.index(
        "Vårgårda kommun, Hemtjänst Norra"
    )
    # The files and the page list them in the same order.
    answer = await client.get(f"/api/v1/reports/host-ledger/export?format=csv&{YEAR}")
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    in_file = [row[0] for row in table if row and row[0].startswith("Vårgårda")]
    assert in_file == [name for name, _ in rows]
    page = (await client.get(f"/rapporter?{YEAR}", headers=HTML)).text
    section = page.split('id="host-ledger"', 1)[1].split("</section>", 1)[0]
    where = [section.index(f">{escape(name)}<") for name, _ in rows]
    assert where == sorted(where)


async def test_the_dashboard_s_bars_and_table_of_hosts_follow_the_shown_order(analyst_client):
    client = analyst_client
    await placements_at(client.coordinator_id)
    body = (await client.get(f"/api/v1/reports/host-ledger?{YEAR}")).json()
    names = [h["host_name"] for h in body["hosts"]]
    board = (await client.get(f"/oversikt?{YEAR}", headers=HTML)).text
    section = board.split('id="ledger-heading"', 1)[1].split("</section>", 1)[0]
    chart, table = section.split("<table", 1)
    for part in (chart, table):
        # Each name once in the table; the chart cuts its labels but keeps whole names in
        # the bars' titles.
        where = [part.index(escape(name)) for name in names]
        assert where == sorted(where), (names, part)
    # The caption says what the order is, not "the twelve with most placements".
    assert "flest placeringar under perioden." not in section


def _ledger(counts: dict[str, int]) -> HostLedger:
    return HostLedger(
        definition="",
        filters=ReportFilters(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)),
        hosts=[
            LedgerRow(
                host_id=i,
                host_name=name,
                host_kind="company",
                placements=n,
                hours=10 * n,
                assessments_returned=0,
                went_to_work=0,
                hired_by_host=0,
            )
            for i, (name, n) in enumerate(counts.items(), start=1)
        ],
    )


def test_hidden_counts_do_not_move_a_row():
    """Random ledgers: the published order is the shown counts' and the names', and two
    ledgers that publish the same cells publish them in the same order, whatever the hidden
    counts are."""
    rng = random.Random(2)
    names = [f"Värd {letter}" for letter in "ÖABÅCDÄE"]
    for _ in range(500):
        counts = {n: rng.choice([1, 2, 3, 4, 5, 6, 9, 20]) for n in rng.sample(names, 6)}
        out = placement_reports.protect_host_ledger(_ledger(counts))
        rows = [(h.host_name, h.placements) for h in out.hosts]
        assert [name for name, _ in rows] == expected_order(rows), counts
        # The same ledger with its hidden counts of 1–4 shuffled among the hidden hosts.
        small = [n for n, c in counts.items() if 0 < c < 5]
        shuffled = dict(counts)
        for name, value in zip(small, rng.sample([counts[n] for n in small], len(small))):
            shuffled[name] = value
        again = placement_reports.protect_host_ledger(_ledger(shuffled))
        if [msgspec.to_builtins(h) for h in again.hosts if h.placements is not None] == [
            msgspec.to_builtins(h) for h in out.hosts if h.placements is not None
        ]:
            assert [h.host_name for h in again.hosts] == [h.host_name for h in out.hosts]
