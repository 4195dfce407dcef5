"""Every report is one registry entry (issue 14), and every entry is tested the same way: it
answers on the API, in its exports and on the report page; it honours the filters its entry
declares and only those; it refuses a bad filter with a Swedish 400; and no figure about
persons it publishes is 1–4 (the small-cell rule).

The data set is `tests.admin.reportdata` (January–March 2026), where most figures are small,
so the rule has cells to hide."""

from __future__ import annotations

import re
import typing
from typing import Any

import msgspec
import pytest

from admin.reports import registry
from admin.reports.filters import REVERSED, TOO_LONG
from placements.tables import Application, PlanningMeeting
from tests.admin import reportdata
from tests.admin.reportdata import FOLLOW_UPS_DUE, PERIOD, TODAY
from tests.conftest import login

HTML = {"accept": "text/html"}
Q = "start=2026-01-01&end=2026-03-31"
EVERY_REPORT = [pytest.param(r, id=r.slug) for r in registry.REPORTS]


@pytest.fixture
async def data(make_user: Any) -> reportdata.Data:
    """The report data set, and three applications in February 2026 whose planning meeting
    was held the next day (the intake clock's figures)."""
    built = await reportdata.build(make_user)
    for number, day in enumerate((2, 3, 4), start=1):
        application = Application(
            first_name=f"Sökande{number}",
            last_name="Klocka",
            received_at=reportdata.noon(2026, 2, day),
            state="meeting_booked",
        )
        await application.save()
        await PlanningMeeting(
            application=application.id,
            uid=f"klocka{number}@example.org",
            starts_at=reportdata.noon(2026, 2, day + 1),
            status="held",
        ).save()
    return built


def test_the_registry_holds_every_report_once_and_the_api_takes_exactly_its_slugs() -> None:
    """The slugs are declared once, in the entries; the API's `ReportName` (the export's
    path, its OpenAPI enum) is made from them."""
    slugs = [r.slug for r in registry.REPORTS]
    assert len(set(slugs)) == len(slugs) == len(registry.BY_SLUG)
    assert list(typing.get_args(registry.ReportName)) == slugs
    assert len({r.struct for r in registry.REPORTS}) == len(registry.REPORTS)
    assert len({r.operation_id for r in registry.REPORTS}) == len(registry.REPORTS)
    assert registry.BY_SLUG["to-work-or-studies"].operation_id == "reportToWorkOrStudies"
    for report in registry.REPORTS:
        assert report.filters <= registry.ALL_FILTERS
        assert report.person_figures and report.title and report.definition


async def test_the_export_documents_the_registry_slugs_and_refuses_any_other(
    client: Any, make_user: Any
) -> None:
    slugs = [r.slug for r in registry.REPORTS]
    document = (await client.get("/schema/openapi.json")).json()
    parameters = document["paths"]["/api/v1/reports/{name}/export"]["get"]["parameters"]
    assert next(p for p in parameters if p["name"] == "name")["schema"]["enum"] == slugs
    await make_user("analyst", username="ana")
    await login(client, "ana")
    unknown = await client.get(f"/api/v1/reports/okand/export?{Q}")
    assert (unknown.status_code, unknown.json()["fields"]) == (400, ["name"])
    assert all(f"”{slug}”" in unknown.json()["detail"] for slug in slugs)


@pytest.mark.parametrize("report", EVERY_REPORT)
async def test_every_report_answers_on_the_api_its_exports_and_the_page(
    client: Any, data: reportdata.Data, report: registry.Report
) -> None:
    await login(client, "sara")
    published = await report.published(PERIOD)
    answer = await client.get(f"/api/v1/reports/{report.slug}?{Q}")
    assert answer.status_code == 200
    assert answer.content == msgspec.json.encode(published)
    assert answer.json()["definition"] == report.definition
    table = report.table(published)
    exported = await client.get(f"/api/v1/reports/{report.slug}/export?format=csv&{Q}")
    assert exported.status_code == 200
    rows = reportdata.csv_table(exported.content)
    assert rows[0] == table.headers
    assert len(rows) == 1 + len(table.rows)
    xlsx = await client.get(f"/api/v1/reports/{report.slug}/export?format=xlsx&{Q}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    page = await client.get(f"/rapporter?{Q}", headers=HTML)
    assert page.status_code == 200
    section = re.search(rf'<section id="{report.slug}".*?</section>', page.text, re.S)
    assert section is not None
    assert f'<h2 id="{report.slug}-h">{report.title}</h2>' in section.group(0)
    headers = re.findall(r'<th scope="col">([^<]*)</th>', section.group(0))
    assert headers == table.headers
    assert f"/api/v1/reports/{report.slug}/export?format=xlsx" in section.group(0)
    catalogue = (await client.get("/api/v1/reports")).json()
    assert {"name": report.slug, "title": report.title, "definition": report.definition} in (
        catalogue["reports"]
    )


def _without_filters(report: Any) -> bytes:
    """The report's figures, without the echo of the filters it was asked for."""
    return msgspec.json.encode(msgspec.structs.replace(report, filters=PERIOD))


@pytest.mark.parametrize("report", EVERY_REPORT)
async def test_every_report_honours_the_filters_its_entry_declares_and_only_those(
    data: reportdata.Data, report: registry.Report
) -> None:
    """A filter the entry declares changes the figures (each choice below selects fewer
    people or bookings than the whole period has); one it does not declare is echoed and
    changes nothing. The follow-ups are asked for when they have fallen due."""
    today = FOLLOW_UPS_DUE if report.slug == "follow-ups" else TODAY
    everything = await report.run(PERIOD, today)
    narrowing = {
        "track": "vägledning",
        "coordinator_id": data.coordinators["c2"],
        "host_kind": "association",
    }
    for name, value in narrowing.items():
        chosen = msgspec.structs.replace(PERIOD, **{name: value})
        narrowed = await report.run(chosen, today)
        assert narrowed.filters == chosen
        changed = _without_filters(narrowed) != _without_filters(everything)
        assert changed == (name in report.filters), name


@pytest.mark.parametrize("report", EVERY_REPORT)
async def test_every_report_refuses_a_bad_filter_in_swedish(
    client: Any, make_user: Any, report: registry.Report
) -> None:
    await make_user("analyst", username="ana")
    await login(client, "ana")
    url = f"/api/v1/reports/{report.slug}"
    reversed_ = await client.get(f"{url}?start=2026-03&end=2026-01")
    assert reversed_.status_code == 400
    assert (reversed_.json()["detail"], reversed_.json()["fields"]) == (REVERSED, ["end"])
    too_long = await client.get(f"{url}?start=2000-01&end=2026-01")
    assert too_long.status_code == 400
    assert (too_long.json()["detail"], too_long.json()["fields"]) == (TOO_LONG, ["start", "end"])
    for query, field in (
        ("track=okänt", "track"),
        ("host_kind=slott", "host_kind"),
        ("coordinator_id=tre", "coordinator_id"),
        ("start=2026-02-30", "start"),
    ):
        answer = await client.get(f"{url}?{query}")
        assert answer.status_code == 400, query
        body = answer.json()
        assert field in str(body), query
        assert re.search(r"[åäöÅÄÖ]|ange|välj|ska", body["detail"]), body
    for suffix in ("/export?format=pdf", "/export?variant=excel"):
        assert (await client.get(f"{url}{suffix}")).status_code == 400


@pytest.mark.parametrize("report", EVERY_REPORT)
async def test_every_report_echoes_the_coordinator_by_number_never_the_account_id(
    client: Any, make_user: Any, report: registry.Report
) -> None:
    """A tester's day: the API answered `filters.coordinator_id`, the account's id, for a
    coordinator the page and the filter name by number. Asked by number or (an older client)
    by the account's id, the answer says the number; the files name the coordinator as the
    filter list does, and the snapshots carry no filter at all."""
    await make_user("admin", username="alva")  # so that no account id equals a number
    await make_user("coordinator", username="sara")
    omar = await make_user("coordinator", username="omar")
    await make_user("analyst", username="ana")
    await login(client, "ana")
    url = f"/api/v1/reports/{report.slug}"
    for query in ("coordinator=2", f"coordinator_id={omar.id}"):
        filters = (await client.get(f"{url}?{Q}&{query}")).json()["filters"]
        assert filters == {
            "start": "2026-01-01",
            "end": "2026-03-31",
            "track": None,
            "coordinator": 2,
            "host_kind": None,
        }, query
    assert (await client.get(f"{url}?{Q}")).json()["filters"]["coordinator"] is None
    export = await client.get(f"{url}/export?format=xlsx&{Q}&coordinator_id={omar.id}")
    assert export.status_code == 200
    assert "_samordnare-2.xlsx" in export.headers["content-disposition"]
    schema = (await client.get("/schema/openapi.json")).json()
    assert "coordinator_id" not in str(schema["components"]["schemas"]["AskedFilters"])
    snapshots = await client.get("/api/v1/reports/snapshots")
    assert snapshots.status_code == 200 and "coordinator" not in snapshots.text


def _person_figures(value: Any, names: frozenset[str], path: str = "") -> list[tuple[str, Any]]:
    """Every figure about persons in a report's JSON, with its path."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in names and not isinstance(inner, dict | list):
                found.append((f"{path}.{key}", inner))
            elif key != "filters":
                found += _person_figures(inner, names, f"{path}.{key}")
    elif isinstance(value, list):
        for number, inner in enumerate(value):
            found += _person_figures(inner, names, f"{path}[{number}]")
    return found


@pytest.mark.parametrize("report", EVERY_REPORT)
async def test_no_report_shows_a_figure_about_fewer_than_five_persons(
    client: Any, data: reportdata.Data, report: registry.Report
) -> None:
    """Counted exactly, the data set has figures of 1–4 persons; published, none is left, in
    the API, the CSV or on the page."""
    await login(client, "sara")
    raw = _person_figures(msgspec.to_builtins(await report.run(PERIOD)), report.person_figures)
    body = (await client.get(f"/api/v1/reports/{report.slug}?{Q}")).json()
    shown = _person_figures(body, report.person_figures)
    assert [path for path, _ in shown] == [path for path, _ in raw]
    assert all(value is None or value == 0 or value >= 5 for _, value in shown), shown
    small = {path for path, value in raw if value is not None and 0 < value < 5}
    assert small, "the data set gives this report no small figure to hide"
    assert all(value is None for path, value in shown if path in small)
    assert body["suppressed"]
    exported = await client.get(f"/api/v1/reports/{report.slug}/export?format=csv&{Q}")
    assert "färre än 5" in exported.content.decode("utf-8-sig")
    page = await client.get(f"/rapporter?{Q}", headers=HTML)
    section = re.search(rf'<section id="{report.slug}".*?</section>', page.text, re.S)
    assert section is not None and "färre än 5" in section.group(0)


@pytest.mark.parametrize(
    ("query", "message", "fields"),
    [
        ("start=2026-03&end=2026-01", REVERSED, ["end"]),
        ("start=2000-01&end=2026-01", TOO_LONG, ["start", "end"]),
    ],
    ids=["reversed", "over-ten-years"],
)
async def test_the_api_the_report_page_and_the_dashboard_share_one_period_rule(
    client: Any, make_user: Any, query: str, message: str, fields: list[str]
) -> None:
    """The period is checked by one rule (`admin.reports.filters.report_filters`). The
    dashboard used to have its own: no ten-year cap and other words for a reversed period."""
    await make_user("analyst", username="ana")
    await login(client, "ana")
    api = await client.get(f"/api/v1/reports/exits?{query}")
    assert (api.status_code, api.json()["detail"], api.json()["fields"]) == (400, message, fields)
    for path in ("/rapporter", "/oversikt"):
        page = await client.get(f"{path}?{query}", headers=HTML)
        assert page.status_code == 400, path
        shown = dict(
            re.findall(r'<span class="error" id="f-(\w+)-error">([^<]*)</span>', page.text)
        )
        assert shown[fields[0]] == message, path
        assert f'<form method="get" action="{path}"' in page.text
