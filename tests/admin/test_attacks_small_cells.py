"""Issue 13, item 8: analysts could single people out. One-day windows with coordinator and
track filters showed single exits with their category (sjukskrivning included).

Every figure resting on fewer than 5 persons is hidden, in the API (null + `suppressed`),
the report page, the dashboard and its charts, CSV and XLSX; a hidden cell cannot be
worked out from a total minus the shown cells."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile

import pytest

from admin import jobs
from admin.reports import registry
from admin.schemas import CategoryCount, ExitShares, ReportFilters
from tests.admin import reportdata
from tests.builders import make_candidate_row, make_outcome
from tests.conftest import login

DAY = dt.date(2026, 2, 10)
# Reports cover whole months: the exits of DAY are the month's only ones.
Q = f"start={DAY:%Y-%m}&end={DAY:%Y-%m}"
HTML = {"accept": "text/html"}


async def exits_on_day(coordinator_id: int, *, sick: int, work: int) -> None:
    """`sick` persons exit to sjukskrivning and `work` to arbete, all on DAY."""
    for i, category in enumerate(["sjukskrivning"] * sick + ["arbete"] * work):
        candidate = await make_candidate_row(
            coordinator_id,
            f"Person{i}",
            last_name="Test",
            email="",
            registered_at=dt.date(2025, 9, 1),
            track="hälsa",
        )
        await make_outcome(candidate, category, DAY)


@pytest.fixture
async def analyst_client(client, make_user):
    coordinator = await make_user("coordinator", username="sara")
    await make_user("analyst", username="anna")
    await login(client, "anna")
    client.coordinator_id = coordinator.id
    return client


async def _xlsx_strings(client, name: str, query: str) -> str:
    answer = await client.get(f"/api/v1/reports/{name}/export?format=xlsx&{query}")
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
        return book.read("xl/sharedStrings.xml").decode()


async def _csv_rows(client, name: str, query: str) -> list[list[str]]:
    answer = await client.get(f"/api/v1/reports/{name}/export?format=csv&{query}")
    assert answer.status_code == 200
    return reportdata.csv_table(answer.content)


async def test_four_sick_exits_are_hidden_everywhere(analyst_client):
    client = analyst_client
    await exits_on_day(client.coordinator_id, sick=4, work=10)
    query = f"{Q}&coordinator_id={client.coordinator_id}&track=hälsa"
    # JSON: null and flagged.
    body = (await client.get(f"/api/v1/reports/exits?{query}")).json()
    counts = {c["category"]: c["count"] for c in body["by_category"]}
    assert counts["sjukskrivning"] is None
    assert "by_category[sjukskrivning].count" in body["suppressed"]
    # No differencing: the total is shown, so a second cell (arbete, the smallest ≥ 5) is
    # hidden too, and the partial sum and share that would give it away.
    assert body["exits"] == 14
    assert counts["arbete"] is None and body["to_work_or_studies"] is None
    assert body["share"] is None
    # The 10 to work is hidden only to protect the 4: it reads "dold", never "färre än 5"
    # (that would be untrue), and so do the partial sum and the share resting on it.
    assert "by_category[arbete].count" in body["protected"]
    assert "by_category[sjukskrivning].count" not in body["protected"]
    assert {"to_work_or_studies", "share"} <= set(body["protected"])
    shown = sum(c for c in counts.values() if c is not None)
    hidden = [k for k, c in counts.items() if c is None]
    assert body["exits"] - shown == 14 and len(hidden) >= 2
    # CSV and XLSX: "färre än 5", never the 4.
    rows = await _csv_rows(client, "exits", query)
    assert ["Sjukskrivning", "färre än 5"] in rows
    assert ["Arbete", "dold"] in rows, rows
    assert not any(row[1] in ("4", "10") for row in rows[1:])
    assert "<t>färre än 5</t>" in await _xlsx_strings(client, "exits", query)
    assert "Sekretess" in await _xlsx_strings(client, "exits", query)
    # The report page: the table, the chart and the rule.
    page = await client.get(f"/rapporter?{query}", headers=HTML)
    section = page.text.split('id="exits"', 1)[1].split("</section>", 1)[0]
    assert "<td>färre än 5</td>" in section
    assert "<td>4</td>" not in section
    assert "Sjukskrivning: färre än 5" in section  # the chart's bar text
    assert "Sjukskrivning: 4" not in section
    assert "Arbete: dold" in section and "<td>dold</td>" in section
    assert "ett antal på 1–4 personer visas inte" in page.text
    # The dashboard (no coordinator filter there, but track and a one-day window).
    board = await client.get(f"/oversikt?{Q}&track=hälsa", headers=HTML)
    assert board.status_code == 200
    exits_section = board.text.split('id="exits-heading"', 1)[1].split("</section>", 1)[0]
    assert "Sjukskrivning: färre än 5</title>" in exits_section  # whole labels, not cut
    assert "Sjukskriv: 4" not in exits_section
    assert '<td class="num">färre än 5</td>' in exits_section
    assert '<td class="num">4</td>' not in exits_section
    assert "Arbete: dold</title>" in exits_section
    assert "ett antal på 1–4 personer visas inte" in board.text


async def test_five_are_shown(analyst_client):
    client = analyst_client
    await exits_on_day(client.coordinator_id, sick=5, work=10)
    query = f"{Q}&coordinator_id={client.coordinator_id}"
    body = (await client.get(f"/api/v1/reports/exits?{query}")).json()
    counts = {c["category"]: c["count"] for c in body["by_category"]}
    assert (counts["sjukskrivning"], counts["arbete"], body["exits"]) == (5, 10, 15)
    assert body["share"] == pytest.approx(0.6667)
    assert body["suppressed"] == []
    rows = await _csv_rows(client, "exits", query)
    assert ["Sjukskrivning", "5"] in rows
    assert "färre än 5" not in str(rows)
    assert "<t>färre än 5</t>" not in await _xlsx_strings(client, "exits", query)
    page = await client.get(f"/rapporter?{query}", headers=HTML)
    section = page.text.split('id="exits"', 1)[1].split("</section>", 1)[0]
    assert "<td>5</td>" in section and "Sjukskrivning: 5" in section
    board = await client.get(f"/oversikt?{Q}", headers=HTML)
    exits_section = board.text.split('id="exits-heading"', 1)[1].split("</section>", 1)[0]
    assert '<td class="num">5</td>' in exits_section


async def test_a_share_over_fewer_than_five_is_hidden(analyst_client):
    client = analyst_client
    await exits_on_day(client.coordinator_id, sick=0, work=3)
    body = (await client.get(f"/api/v1/reports/exits?{Q}")).json()
    assert (body["exits"], body["to_work_or_studies"], body["share"]) == (None, None, None)
    assert {"exits", "to_work_or_studies", "share"} <= set(body["suppressed"])
    # Zero is shown: it singles no one out.
    assert {c["category"]: c["count"] for c in body["by_category"]}["studier"] == 0


async def test_snapshot_figures_are_hidden_too(analyst_client):
    client = analyst_client
    await exits_on_day(client.coordinator_id, sick=1, work=3)
    await jobs.snapshot_month("2026-02", dt.date(2026, 3, 15))
    snaps = (await client.get("/api/v1/reports/snapshots")).json()
    figures = snaps[0]["figures"]
    assert figures["exits"] == figures["persons_to_work_or_studies"] is None
    assert figures["share_exits_to_work_or_studies"] is None
    assert {"exits", "persons_to_work_or_studies"} <= set(snaps[0]["suppressed"])
    # The month's line in the live report hides its fixed figure as well.
    body = (
        await client.get("/api/v1/reports/to-work-or-studies?start=2026-02-01&end=2026-02-28")
    ).json()
    assert body["months"] == [{"month": "2026-02", "persons": None, "snapshot": None}]
    assert body["total"] is None and body["average_per_month"] is None


async def test_a_month_without_a_month_end_figure_is_not_said_to_hide_one(analyst_client):
    # Its count of persons is hidden; the month has no fixed figure, so its cell reads "–",
    # not "dold" (the API listed it as protected, as if a figure existed).
    client = analyst_client
    await exits_on_day(client.coordinator_id, sick=1, work=3)
    query = "start=2026-02-01&end=2026-02-28"
    body = (await client.get(f"/api/v1/reports/to-work-or-studies?{query}")).json()
    assert body["months"] == [{"month": "2026-02", "persons": None, "snapshot": None}]
    assert "months[2026-02].persons" in body["suppressed"]
    assert not any("snapshot" in p for p in body["suppressed"])
    page = await client.get(f"/rapporter?{query}", headers=HTML)
    row = page.text.split('id="to-work-or-studies"', 1)[1].split("2026-02", 1)[1]
    assert "dold" not in row.split("</tr>", 1)[0]


def _report(counts: dict[str, int]) -> ExitShares:
    progress = counts.get("arbete", 0) + counts.get("studier", 0)
    total = sum(counts.values())
    return ExitShares(
        definition="",
        filters=ReportFilters(start=DAY, end=DAY),
        exits=total,
        to_work_or_studies=progress,
        share=round(progress / total, 4) if total else None,
        by_category=[CategoryCount(category=c, label=c, count=n) for c, n in counts.items()],
    )


def test_no_hidden_cell_can_be_worked_out_from_what_is_shown():
    """Random breakdowns: whatever is shown, each hidden small cell stays undetermined."""
    rng = random.Random(13)
    categories = ["arbete", "studier", "annan_insats", "sjukskrivning", "flyttat", "okant"]
    for _ in range(2000):
        counts = {c: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 20]) for c in categories}
        raw = _report(counts)
        out = registry.protect(raw)
        cells = {c.category: c.count for c in out.by_category}
        small = [c for c, n in counts.items() if 0 < n < 5]
        assert all(cells[c] is None for c in small), counts
        if not small:
            continue
        hidden = [c for c, v in cells.items() if v is None]
        if out.exits is not None:
            # The total minus the shown cells is the sum of the hidden ones: that sum must
            # mix at least one small cell with one of 5 or more, else it would give it away.
            assert any(counts[c] >= 5 for c in hidden), counts
        progress_cells = [c for c in ("arbete", "studier") if cells[c] is None]
        if progress_cells:
            assert out.to_work_or_studies is None and out.share is None


async def test_host_ledger_hides_small_figures_from_those_who_do_not_see_the_persons(
    client, make_client, make_user
):
    # The reported leak: an analyst saw the agreements' "host gains" texts of a host whose
    # figures were hidden (one text per signed agreement: their number is a lower bound of
    # the hidden count), and a coordinator saw every figure, also of other coordinators'
    # participants (whether one person placed there went on to work).
    from placements.schemas import outcomes as so
    from placements.services import bookings, outcomes
    from placements.tables import Agreement
    from tests.placements.bookingdata import make_world, to_active

    w = await make_world(capacity=2)
    start, end = dt.date(2019, 1, 7), dt.date(2019, 2, 3)  # a placement that ran in 2019
    booking_id = await to_active(w, start=start, end=end)
    await Agreement.update({Agreement.host_gains: "Rekrytering till lagret"}).where(
        Agreement.booking == booking_id
    )
    await bookings.end(w.host_user, booking_id, "completed", end)
    await outcomes.record_outcome(
        w.coordinator,
        booking_id,
        so.OutcomeCreate(category="arbete", outcome_date=end, lasts_at_least_one_month=True),
    )
    await make_user("analyst", username="anna")
    await make_user("coordinator", username="kim")  # not the participant's coordinator
    for reader in ("anna", "kim"):
        await login(client, reader)
        seen = (await client.get(f"/api/v1/hosts/{w.host_id}/ledger")).json()
        assert seen["placements_hosted"] is None and seen["went_to_work"] is None, reader
        assert seen["hours"] is None and seen["assessments_due"] is None
        assert seen["host_gains"] == []
        assert {"placements_hosted", "went_to_work", "hours", "host_gains"} <= set(
            seen["suppressed"]
        )
        assert "host_gains" in seen["protected"]  # no count: it reads "dold"
    await make_user("admin", username="ada")
    for reader in (w.host_user.username, "ada"):
        other = await make_client()
        await login(other, reader)
        own = (await other.get(f"/api/v1/hosts/{w.host_id}/ledger")).json()
        assert (own["placements_hosted"], own["went_to_work"], own["suppressed"]) == (1, 1, [])
        assert own["host_gains"] == ["Rekrytering till lagret"]


async def test_a_small_slice_cannot_be_worked_out_from_the_other_slices(analyst_client):
    """Seen from outside: 13 exits in all, 6 in one track and 5 in another, "färre än 5" in
    the third, which 13 − 6 − 5 gave as 2. The tracks add up to the whole, so a track's
    report hides every count that another track hides as 1–4 (a zero stays shown)."""
    client = analyst_client
    for track, count in (("hälsa", 2), ("kompetens", 6), ("vägledning", 5)):
        for i in range(count):
            candidate = await make_candidate_row(
                client.coordinator_id,
                f"{track}{i}",
                last_name="Test",
                email="",
                registered_at=dt.date(2025, 9, 1),
                track=track,
            )
            await make_outcome(candidate, "arbete", DAY)

    async def exits(track: str | None = None) -> dict:
        query = Q + (f"&track={track}" if track else "")
        answer = await client.get(f"/api/v1/reports/exits?{query}")
        assert answer.status_code == 200
        return answer.json()

    assert (await exits())["exits"] == 13  # the whole is shown
    assert (await exits("hälsa"))["exits"] is None  # 2: färre än 5
    # The smallest other slice of 5 or more is hidden too ("dold"), and what rests on it: the
    # whole minus the shown slice is then 7, Hälsa and Vägledning together.
    body = await exits("vägledning")
    assert body["exits"] is None and "exits" in body["protected"]
    assert body["share"] is None
    assert (await exits("kompetens"))["exits"] == 6
    # Without a small slice nothing more is hidden: the coordinator's report is the whole.
    mine = await client.get(f"/api/v1/reports/exits?{Q}&coordinator_id={client.coordinator_id}")
    assert mine.json()["exits"] == 13
    # The exact counts, for the monthly snapshot and tests, are not touched.
    exact = await registry.BY_SLUG["exits"].run(
        ReportFilters(start=DAY.replace(day=1), end=DAY.replace(day=28), track="kompetens")
    )
    assert exact.exits == 6


def test_slices_are_a_group_like_a_report_s_own_parts():
    from marketplace.kernel.disclosure import slice_hidden

    slices = {"a": {"n": 2, "m": 9}, "b": {"n": 6, "m": 9}, "c": {"n": 5, "m": 0}}
    assert slice_hidden(slices, "c") == {"n"}  # the smallest other of 5 or more
    assert slice_hidden(slices, "b") == set()
    assert slice_hidden(slices, "a") == set()  # its own 1-4 it hides itself
    # Equal slices: one of them, the same whichever is asked.
    even = {"a": {"n": 2}, "b": {"n": 6}, "c": {"n": 6}}
    assert (slice_hidden(even, "b"), slice_hidden(even, "c")) == ({"n"}, set())
    # Two small ones that the whole would give away (1 and 1 in a whole of 2 with a zero)
    # hide the rest too.
    tiny = {"a": {"n": 1}, "b": {"n": 1}, "c": {"n": 5}}
    assert slice_hidden(tiny, "c") == {"n"}


def test_a_count_the_whole_hides_beside_a_small_one_is_not_the_sum_of_shown_slices():
    from marketplace.kernel.disclosure import slice_hidden

    # Open workplaces: hidden in the unfiltered report (beside a small count), 9 for
    # companies, 0 for the rest. The companies' slice hides it; the zeros stay.
    slices = {"company": {"open": 9}, "municipal_unit": {"open": 0}, "association": {"open": 0}}
    assert slice_hidden(slices, "company", {"open"}) == {"open"}
    assert slice_hidden(slices, "municipal_unit", {"open"}) == set()
    # Two slices of 5 or more: the smaller one, the same whichever is asked.
    two = {"a": {"open": 9}, "b": {"open": 6}, "c": {"open": 0}}
    assert [slice_hidden(two, k, {"open"}) for k in "abc"] == [set(), {"open"}, set()]
    # A slice that hides its own 1–4 already keeps the sum unknown.
    small = {"a": {"open": 9}, "b": {"open": 2}}
    assert slice_hidden(small, "a", {"open"}) == slice_hidden(small, "a")


async def test_the_85_15_report_of_one_host_kind_keeps_what_the_whole_hides(analyst_client):
    """Seen by an analyst: a count /rapporter hid beside a small one ("dold") was shown
    whole in a host kind's report, with every other host kind at 0, which gave it back. Here
    2 placements in sheltered work at a company hide the 6 at municipal workplaces in the
    whole (17 − 9 open = 8 would give the 2 beside them); the municipal units' report, whose
    6 are all of them, must not show them."""
    from tests.builders import make_booking, make_host, make_slot

    client = analyst_client
    company = await make_host("Lager AB", "company")
    slots = (
        (await make_slot(company, capacity=20, setting="open_workplace"), 9),
        (await make_slot(company, capacity=20, setting="sheltered"), 2),
        (
            await make_slot(
                await make_host("Parkenheten", "municipal_unit"),
                capacity=20,
                setting="municipal_workplace",
            ),
            6,
        ),
    )
    for slot, n in slots:
        for i in range(n):
            candidate = await make_candidate_row(
                client.coordinator_id, f"P{slot}x{i}", last_name="Test", email=""
            )
            await make_booking(
                slot,
                candidate,
                client.coordinator_id,
                status="completed",
                start_date=DAY,
                end_date=DAY + dt.timedelta(days=20),
            )

    async def report(host_kind: str | None = None) -> dict:
        query = Q + (f"&host_kind={host_kind}" if host_kind else "")
        answer = await client.get(f"/api/v1/reports/real-workplaces?{query}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def count(body: dict, setting: str) -> int | None:
        return next(c["count"] for c in body["by_setting"] if c["setting"] == setting)

    whole = await report()
    assert whole["placements"] == 17 and count(whole, "open_workplace") == 9
    assert count(whole, "sheltered") is None and count(whole, "municipal_workplace") is None
    units = await report("municipal_unit")
    assert count(units, "municipal_workplace") is None
    assert "by_setting[municipal_workplace].count" in units["protected"]
    # The slices of a host kind with none of them show their zero.
    assert count(await report("association"), "municipal_workplace") == 0


async def place(coordinator_id: int, host: str, kind: str, setting: str, count: int) -> None:
    """`count` placements at the host `host`, each of its own participant, started on DAY."""
    from tests.builders import make_booking, make_host, make_slot

    slot = await make_slot(await make_host(host, kind), capacity=20, setting=setting)
    for i in range(count):
        candidate = await make_candidate_row(
            coordinator_id, f"{host}{i}", last_name="Test", email=""
        )
        await make_booking(
            slot,
            candidate,
            coordinator_id,
            status="completed",
            start_date=DAY,
            end_date=DAY + dt.timedelta(days=20),
        )


# By name: Bygg, Daglig, Däck, Hemtjänst, Kostenheten. By placements: Bygg 5, Däck 4,
# Hemtjänst 3, Kostenheten 2, Daglig 1.
WORKSHOP = (
    ("Bygg AB", "company", "open_workplace", 5),
    ("Däck AB", "company", "open_workplace", 4),
    ("Hemtjänst Norra", "municipal_unit", "municipal_workplace", 3),
    ("Kostenheten", "municipal_unit", "municipal_workplace", 2),
    ("Daglig verksamhet Verkstaden", "association", "sheltered", 1),
)
BY_NAME = [
    "Bygg AB",
    "Daglig verksamhet Verkstaden",
    "Däck AB",
    "Hemtjänst Norra",
    "Kostenheten",
]


async def test_the_host_ledger_s_order_tells_nothing_its_cells_hide(analyst_client):
    """Seen by an analyst: the ledger was sorted by the exact number of placements, so four
    hosts at "färre än 5" came in the order of their hidden counts. Daglig verksamhet last,
    after Hemtjänst, said it had the fewest; with the total of 14 shown by the 85/15 report
    the four made 9, which only Daglig = 1 fits. The rows go in Swedish alphabetical order,
    on the page, in the files and in the API, whatever the counts."""
    client = analyst_client
    for host in WORKSHOP:
        await place(client.coordinator_id, *host)
    body = (await client.get(f"/api/v1/reports/host-ledger?{Q}")).json()
    assert [h["host_name"] for h in body["hosts"]] == BY_NAME
    assert [h["placements"] for h in body["hosts"]][1:] == [None] * 4
    rows = await _csv_rows(client, "host-ledger", Q)
    assert [row[0] for row in rows if row and row[0] in BY_NAME] == BY_NAME
    page = await client.get(f"/rapporter?{Q}", headers=HTML)
    section = page.text.split('id="host-ledger"', 1)[1].split("</section>", 1)[0]
    assert sorted(BY_NAME, key=section.index) == BY_NAME
    # The dashboard's chart of the busiest hosts ranks only what it shows: the counts shown,
    # then the hidden ones by name, never by what they hide.
    board = await client.get(f"/oversikt?{Q}", headers=HTML)
    ledger = board.text.split('id="ledger-heading"', 1)[1].split("</section>", 1)[0]
    chart, table = ledger.split('class="table-wrap"', 1)
    assert sorted(BY_NAME, key=table.index) == BY_NAME
    assert sorted(BY_NAME, key=chart.index) == BY_NAME


@pytest.mark.parametrize(
    "hosts",
    [
        # 5 + 1: the 85/15 report hides its total of 6, which would give the 1 (5 hidden
        # beside it as "dold" and 6 − 5).
        (
            ("Bygg AB", "company", "open_workplace", 5),
            ("Daglig verksamhet", "association", "sheltered", 1),
        ),
        # The municipal units' 6 are hidden for the whole's sake (slices), and with them their
        # total, the units' only placements.
        (
            ("Lager AB", "company", "open_workplace", 9),
            ("Lager AB skyddat", "company", "sheltered", 2),
            ("Parkenheten", "municipal_unit", "municipal_workplace", 6),
        ),
    ],
)
async def test_the_placements_started_are_hidden_alike_in_every_report(analyst_client, hosts):
    """Seen by an analyst: "Placeringar totalt" of the 85/15 report and "Förslag till start"
    of the lead times count the same placements (started in the period). The 85/15 report
    hid its total to protect its split by setting, and the lead times showed it (9 for the
    companies, whose open-workplace figure was the hidden one). One figure is hidden in every
    report that shows it, or shown the same in all of them."""
    client = analyst_client
    for host in hosts:
        await place(client.coordinator_id, *host)
    hidden_somewhere = False
    for narrowed in ("", "&host_kind=company", "&host_kind=municipal_unit", "&track=hälsa"):
        real = (await client.get(f"/api/v1/reports/real-workplaces?{Q}{narrowed}")).json()
        lead = (await client.get(f"/api/v1/reports/lead-times?{Q}{narrowed}")).json()
        started = lead["proposal_to_start"]["count"]
        assert started == real["placements"], narrowed
        if started is None and real["placements"] is None:
            hidden_somewhere = True
            is_protected = "placements" in real["protected"]
            assert ("proposal_to_start.count" in lead["protected"]) == is_protected
    assert hidden_somewhere
    # The unfiltered 6 or the units' 6: "dold" on the page and in the files too.
    narrowed = "" if len(hosts) == 2 else "&host_kind=municipal_unit"
    rows = await _csv_rows(client, "lead-times", Q + narrowed)
    assert next(row for row in rows if row[0] == "Förslag till start")[1] == "dold"
    page = await client.get(f"/rapporter?{Q}{narrowed}", headers=HTML)
    section = page.text.split('id="lead-times"', 1)[1].split("</section>", 1)[0]
    assert "<td>6</td>" not in section and "<td>dold</td>" in section


async def test_a_host_s_hidden_placements_are_not_the_total_minus_the_shown_hosts(
    analyst_client,
):
    """The hosts' placements add up to the placements started, which the 85/15 report and
    the lead times show (19 here). With Bygg's 10 and Kostenheten's 7 shown beside Daglig's
    "färre än 5", 19 − 17 gave the 2. The hosts are a group, as a report's own parts are:
    the smallest shown host of 5 or more is hidden too ("dold"), with its hours."""
    client = analyst_client
    await place(client.coordinator_id, "Bygg AB", "company", "open_workplace", 10)
    await place(client.coordinator_id, "Kostenheten", "municipal_unit", "municipal_workplace", 7)
    await place(client.coordinator_id, "Daglig verksamhet", "association", "sheltered", 2)
    real = (await client.get(f"/api/v1/reports/real-workplaces?{Q}")).json()
    assert real["placements"] == 19
    body = (await client.get(f"/api/v1/reports/host-ledger?{Q}")).json()
    hosts = {h["host_name"]: h for h in body["hosts"]}
    key = {name: f"hosts[{h['host_id']}]" for name, h in hosts.items()}
    assert hosts["Bygg AB"]["placements"] == 10
    assert hosts["Daglig verksamhet"]["placements"] is None
    assert f"{key['Daglig verksamhet']}.placements" not in body["protected"]  # färre än 5
    assert hosts["Kostenheten"]["placements"] is None
    assert hosts["Kostenheten"]["hours"] is None
    assert f"{key['Kostenheten']}.placements" in body["protected"]  # dold
    # The total itself is no cell of the ledger: nothing names it.
    assert "placements" not in body["suppressed"]
    rows = await _csv_rows(client, "host-ledger", Q)
    assert next(row for row in rows if row[0] == "Kostenheten")[2] == "dold"


async def test_a_former_coordinators_participants_stay_a_slice_of_the_whole(
    analyst_client, make_user
):
    """Seen by a helper: a coordinator became an analyst, one participant left with them.
    The slices of the coordinator filter were then only today's coordinators, and the whole
    minus the one chosen gave that participant's 1 (14 placements in all, 13 for Sara)."""
    from marketplace.kernel.tables import User
    from tests.builders import make_booking, make_host, make_slot

    client = analyst_client
    former = await make_user("coordinator", username="olle")
    slot = await make_slot(await make_host("Lager AB", "company"), capacity=20)
    for i, coordinator in enumerate([client.coordinator_id] * 13 + [former.id]):
        candidate = await make_candidate_row(coordinator, f"P{i}", email="")
        await make_booking(
            slot,
            candidate,
            coordinator,
            status="active",
            started_at=dt.datetime(2026, 2, 10, 12, tzinfo=dt.UTC),
            start_date=dt.date(2026, 2, 10),
        )
    await User.update({User.role: "analyst"}).where(User.id == former.id)
    query = "start=2026-02&end=2026-02"
    whole = (await client.get(f"/api/v1/reports/real-workplaces?{query}")).json()
    mine = (
        await client.get(
            f"/api/v1/reports/real-workplaces?{query}&coordinator_id={client.coordinator_id}"
        )
    ).json()
    assert whole["placements"] == 14
    assert mine["placements"] is None and "placements" in mine["protected"]
    # Theirs, asked for by the former coordinator's id, is hidden as a 1.
    theirs = (
        await client.get(f"/api/v1/reports/real-workplaces?{query}&coordinator_id={former.id}")
    ).json()
    assert theirs["placements"] is None
