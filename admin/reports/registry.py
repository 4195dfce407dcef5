"""Every report as one entry: what the JSON API, the report page, the exports and the tests
iterate.

An entry names the report (its slug in `/api/v1/reports/{slug}`, which also gives the
operation id, and the API's description), the output Struct, the filters it honours, the fields
of figures about persons, and the chart the page draws, if any (`admin.reports.pictures`). The
rest it takes from the report's module (one per seam: `outcomes`, `placement_reports`,
`lock_in`, `follow_ups`, `coverage`, `intake_clock`), which keeps each report's parts side by
side: its Swedish title and definition (`<REPORT>_TITLE`, `<REPORT>_DEFINITION`), the query
that counts exactly, the small-cell rule that makes it publishable (`protect_<report>`, which
hides the figures about persons named in `person_figures` when they are 1–4, by the rules of
`marketplace.kernel.disclosure`) and the table's columns for the page, CSV and XLSX
(`<report>_columns`). Adding a report is adding an entry here; the slugs the API accepts
(`ReportName`), the routes, the page and the parametrised tests follow.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

import msgspec
from markupsafe import Markup

from admin import schemas
from admin.reports import (
    coverage,
    follow_ups,
    intake_clock,
    lock_in,
    outcomes,
    pictures,
    placement_reports,
)
from admin.reports.filters import check_whole_months, coordinator_problem
from admin.services import exports
from employers.vocabulary import HostKind
from marketplace.kernel.disclosure import (
    also_hidden,
    counts_of,
    hidden_counts,
    recorded_cells,
    slice_hidden,
)
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.tables import User
from marketplace.reference.words import fold
from placements.vocabulary import Track

Filter = str
"""A filter's name in `schemas.ReportFilters` (besides the period, which every report takes)."""


async def slice_values(name: Filter) -> list[Any]:
    """Every value the filter `name` may take: the tracks, the host kinds, the coordinators."""
    if name == "track":
        return list(get_args(Track))
    if name == "host_kind":
        return list(get_args(HostKind))
    rows = await User.select(User.id).where(User.role == "coordinator")
    return [int(r["id"]) for r in rows]


ALL_FILTERS: frozenset[Filter] = frozenset({"track", "coordinator_id", "host_kind"})
CANDIDATES: frozenset[Filter] = frozenset({"track", "coordinator_id"})


@dataclass(frozen=True)
class Report:
    """One report: how it is counted, protected, tabled, drawn and served."""

    slug: str
    summary: str
    """The API operation's description."""
    title: str
    definition: str
    """The report's Swedish title and definition (what exactly it counts), on the page, in
    the files, in the API's catalogue and in every answer."""
    struct: type[Any]
    query: Callable[[schemas.ReportFilters, dt.date | None], Awaitable[Any]]
    protect: Callable[[Any], Any]
    columns: Callable[[Any, exports.CellReader], exports.Columns]
    filters: frozenset[Filter]
    """The filters that narrow what it counts; the others are echoed and change nothing."""
    person_figures: frozenset[str]
    """Field names of the figures about persons: never 1–4 once protected."""
    chart: Callable[[str, Any], Markup | None] | None = None

    @property
    def operation_id(self) -> str:
        """The API operation's id: "report" and the slug's words (reportToWorkOrStudies)."""
        return "report" + "".join(word.title() for word in self.slug.split("-"))

    @property
    def file_stem(self) -> str:
        """The start of its files' names, in Swedish from its title (before any colon), in
        letters any system keeps: "Värdarnas liggare: …" → "vardarnas-liggare"."""
        return "-".join(re.findall(r"[a-z0-9]+", fold(self.title.split(":")[0]).lower()))

    async def run(self, f: schemas.ReportFilters, today: dt.date | None = None) -> Any:
        """The report counted exactly (for tests and the monthly snapshot, never published)."""
        return await self.query(f, today)

    async def published(self, f: schemas.ReportFilters, today: dt.date | None = None) -> Any:
        """The report as pages, files and the API may show it: over whole months only (the
        period rule of `admin.reports.filters`, checked here again so that no caller can
        publish a report whose period could be differenced by a day), protected."""
        check_whole_months(f.start, f.end)
        unknown = await coordinator_problem(f.coordinator_id)
        if unknown:
            raise ValidationFailed(unknown, fields=["coordinator_id"])
        exact = await self.query(f, today)
        forced = await self._hidden_for_other_slices(f, exact, today)
        if not forced:
            return self.protect(exact)
        with also_hidden(forced):
            return self.protect(exact)

    async def _hidden_for_other_slices(
        self, f: schemas.ReportFilters, exact: Any, today: dt.date | None
    ) -> set[str]:
        """The counts this report, filtered to one track, host kind or coordinator, hides so
        that another slice's 1–4 cannot be worked out from the whole minus the shown slices
        (`marketplace.kernel.disclosure.slice_hidden`; the other filters kept)."""
        forced: set[str] = set()
        for name in ("track", "host_kind", "coordinator_id"):
            chosen = getattr(f, name)
            if chosen is None or name not in self.filters:
                continue
            slices: dict[Any, dict[str, int]] = {}
            own: dict[Any, set[str]] = {}
            # In one order whatever the process: which of two equal slices is hidden must
            # not depend on the request, or each could be shown in turn.
            for value in sorted({*await slice_values(name), chosen}, key=str):
                counted = (
                    exact
                    if value == chosen
                    else await self.query(msgspec.structs.replace(f, **{name: value}), today)
                )
                with recorded_cells() as cells:
                    self.protect(counted)
                slices[value] = counts_of(cells)
                own[value] = hidden_counts(cells)
            # The counts the report without this filter hides beside a small one: the slices
            # add up to them.
            whole = await self.query(msgspec.structs.replace(f, **{name: None}), today)
            with recorded_cells() as cells:
                self.protect(whole)
            forced |= slice_hidden(slices, chosen, hidden_counts(cells), own)
        return forced

    def table(self, report: Any, coordinator: str = "") -> exports.Table:
        """The published report as the page's, the CSV's and the XLSX's table."""
        return exports.report_table(self.title, self.columns, report, coordinator)

    def picture(self, report: Any) -> Markup | None:
        """The page's chart of the published report, or None where the table says it best."""
        return None if self.chart is None else self.chart(self.title, report)


REPORTS: tuple[Report, ...] = (
    Report(
        slug="to-work-or-studies",
        summary="Persons to work or studies per month (Kolada), with the strategy's baselines.",
        title=outcomes.TO_WORK_OR_STUDIES_TITLE,
        definition=outcomes.TO_WORK_OR_STUDIES_DEFINITION,
        struct=schemas.ToWorkOrStudies,
        query=lambda f, today: outcomes.to_work_or_studies(f),
        protect=outcomes.protect_to_work_or_studies,
        columns=outcomes.to_work_or_studies_columns,
        filters=ALL_FILTERS,
        person_figures=frozenset({"persons", "snapshot", "total"}),
        chart=pictures.to_work_or_studies_chart,
    ),
    Report(
        slug="exits",
        summary="Share of exits to work or studies, and every exit by category.",
        title=outcomes.EXITS_TITLE,
        definition=outcomes.EXITS_DEFINITION,
        struct=schemas.ExitShares,
        query=lambda f, today: outcomes.exits(f),
        protect=outcomes.protect_exits,
        columns=outcomes.exits_columns,
        filters=ALL_FILTERS,
        person_figures=frozenset({"exits", "to_work_or_studies", "count"}),
        chart=pictures.exits_chart,
    ),
    Report(
        slug="real-workplaces",
        summary="Share of placements on real workplaces (the 85/15 figure).",
        title=placement_reports.REAL_WORKPLACES_TITLE,
        definition=placement_reports.REAL_WORKPLACES_DEFINITION,
        struct=schemas.RealWorkplaces,
        query=lambda f, today: placement_reports.real_workplaces(f),
        protect=placement_reports.protect_real_workplaces,
        columns=placement_reports.real_workplaces_columns,
        filters=ALL_FILTERS,
        person_figures=frozenset({"placements", "on_real_workplaces", "count"}),
        chart=pictures.real_workplaces_chart,
    ),
    Report(
        slug="lead-times",
        summary="Median days from registration to first proposal and from proposal to start.",
        title=placement_reports.LEAD_TIMES_TITLE,
        definition=placement_reports.LEAD_TIMES_DEFINITION,
        struct=schemas.LeadTimes,
        query=lambda f, today: placement_reports.lead_times(f),
        protect=placement_reports.protect_lead_times,
        columns=placement_reports.lead_times_columns,
        filters=ALL_FILTERS,
        person_figures=frozenset({"count"}),
    ),
    Report(
        slug="lock-in",
        summary="Lock-in flags raised in the period and open at its end.",
        title=lock_in.LOCK_IN_TITLE,
        definition=lock_in.LOCK_IN_DEFINITION,
        struct=schemas.LockIn,
        query=lambda f, today: lock_in.lock_in(f),
        protect=lock_in.protect_lock_in,
        columns=lock_in.lock_in_columns,
        filters=CANDIDATES,
        person_figures=frozenset({"raised", "open_at_end"}),
    ),
    Report(
        slug="follow-ups",
        summary="Follow-up status at 90 and 180 days after the period's exits, once fallen due.",
        title=follow_ups.FOLLOW_UPS_TITLE,
        definition=follow_ups.FOLLOW_UPS_DEFINITION,
        struct=schemas.FollowUps,
        query=follow_ups.follow_ups,
        protect=follow_ups.protect_follow_ups,
        columns=follow_ups.follow_ups_columns,
        filters=ALL_FILTERS,
        person_figures=frozenset({"due", "done", "in_work_or_studies", "overdue"}),
    ),
    Report(
        slug="assessments",
        summary="The supervisors' assessment return rate.",
        title=placement_reports.ASSESSMENTS_TITLE,
        definition=placement_reports.ASSESSMENTS_DEFINITION,
        struct=schemas.AssessmentReturn,
        query=lambda f, today: placement_reports.assessments(f),
        protect=placement_reports.protect_assessments,
        columns=placement_reports.assessments_columns,
        filters=ALL_FILTERS,
        person_figures=frozenset({"ended_placements", "returned"}),
    ),
    Report(
        slug="unit-coverage",
        summary="Municipal units' places against their yearly targets.",
        title=coverage.UNIT_COVERAGE_TITLE,
        definition=coverage.UNIT_COVERAGE_DEFINITION,
        struct=schemas.UnitCoverage,
        query=lambda f, today: coverage.unit_coverage(f),
        protect=coverage.protect_unit_coverage,
        columns=coverage.unit_coverage_columns,
        filters=CANDIDATES,
        person_figures=frozenset({"used"}),
        chart=pictures.unit_coverage_chart,
    ),
    Report(
        slug="host-ledger",
        summary="What each host gave and received in the period.",
        title=placement_reports.HOST_LEDGER_TITLE,
        definition=placement_reports.HOST_LEDGER_DEFINITION,
        struct=schemas.HostLedger,
        query=placement_reports.host_ledger,
        protect=placement_reports.protect_host_ledger,
        columns=placement_reports.host_ledger_columns,
        filters=ALL_FILTERS,
        person_figures=frozenset(
            {"placements", "assessments_returned", "went_to_work", "hired_by_host"}
        ),
    ),
    Report(
        slug="intake-clock",
        summary="The intake clock: per month received, median working days and share within "
        "target\nfor application → planning meeting → plan → first proposal → start of "
        "placement.",
        title=intake_clock.INTAKE_CLOCK_TITLE,
        definition=intake_clock.INTAKE_CLOCK_DEFINITION,
        struct=schemas.IntakeClock,
        query=lambda f, today: intake_clock.intake_clock(f),
        protect=intake_clock.protect_intake_clock,
        columns=intake_clock.intake_clock_columns,
        filters=frozenset(),
        person_figures=frozenset({"count", "within_target"}),
    ),
)

BY_SLUG: dict[str, Report] = {r.slug: r for r in REPORTS}
if TYPE_CHECKING:
    ReportName = str
else:
    ReportName = Literal[tuple(BY_SLUG)]
"""A report's slug where the API takes one (the export's path): the registry's slugs, in its
order, which the OpenAPI document lists and any other of which is a Swedish 400."""
_BY_STRUCT: dict[type[Any], Report] = {r.struct: r for r in REPORTS}


def protect(report: Any) -> Any:
    """A report as it may be published, whichever report it is (by its Struct)."""
    return _BY_STRUCT[type(report)].protect(report)
