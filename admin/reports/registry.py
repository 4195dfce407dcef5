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
(`ReportName`), the routes, the page and the parametrised tests follow. An entry that
publishes a figure another report (or the monthly snapshot) publishes too names those cells
(`shared`): `Report.published` protects the reports so linked together
(`admin.reports.linking`), so that one figure has one protection wherever it is shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

import msgspec
from markupsafe import Markup

from admin import schemas
from admin.reports import (
    coverage,
    follow_ups,
    intake_clock,
    linking,
    lock_in,
    outcomes,
    pictures,
    placement_reports,
    snapshot,
)
from admin.reports.filters import check_whole_months, coordinator_number, coordinator_problem
from admin.services import exports
from admin.services.disclosure import protect_kpi_snapshot, protect_snapshot
from admin.services.reports import month_bounds
from employers.vocabulary import HostKind
from marketplace.kernel.disclosure import also_hidden
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.tables import User
from marketplace.reference.words import fold
from placements.tables import Candidate
from placements.vocabulary import Track

Filter = str
"""A filter's name in `schemas.ReportFilters` (besides the period, which every report takes)."""


async def slice_values(name: Filter) -> list[Any]:
    """Every value the filter `name` may take: the tracks, the host kinds, the coordinators."""
    if name == "track":
        return list(get_args(Track))
    if name == "host_kind":
        return list(get_args(HostKind))
    # The coordinators, and anyone who still coordinates a participant though their role
    # changed (an analyst now): their participants are in the whole, so their slice is one
    # of those the whole is made of (a leftover 1 was the whole minus the coordinators').
    rows = await User.select(User.id).where(User.role == "coordinator")
    kept = (
        await Candidate.select(Candidate.coordinator)
        .where(Candidate.coordinator.is_not_null())
        .distinct()
    )
    return sorted({int(r["id"]) for r in rows} | {int(r["coordinator"]) for r in kept})


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
    shared: Mapping[str, str] = field(default_factory=dict)
    """Its cells (by path) that publish a figure another report, or the month's snapshot,
    publishes too for the same period and filters, by the figure's name: protected alike
    (`admin.reports.linking`). A path may be a cell it never shows (the host ledger's sum)."""
    shared_by_host_kind: Mapping[str, str] = field(default_factory=dict)
    """Without a host kind chosen: cells ("kinds[{kind}].placements") that publish a figure
    of each host kind, the one the linked reports show with that host kind chosen."""

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
        publish a report whose period could be differenced by a day), protected by its own
        rules, with the reports that share a figure with it, and against the other slices of
        each filter chosen (`admin.reports.linking`)."""
        check_whole_months(f.start, f.end)
        unknown = await coordinator_problem(f.coordinator_id)
        if unknown:
            raise ValidationFailed(unknown, fields=["coordinator_id"])
        counting = linking.current(today) or new_linking(today)
        forced = await counting.forced_for(self.slug, f)
        exact = await counting.exact(counting.node(self.slug, f))
        with also_hidden(forced):
            report = self.protect(exact)
        # Counted without the filters it does not honour; it says what was asked, in the
        # asker's terms: the coordinator by number, never the account's id.
        number = await coordinator_number(f.coordinator_id)
        return msgspec.structs.replace(report, filters=f.asked(number))

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
        shared={"total": "persons_to_work_or_studies"},
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
        shared={"exits": "exits", "to_work_or_studies": "exits_to_work_or_studies"},
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
        shared={
            "placements": "placements_started",
            "on_real_workplaces": "placements_on_real_workplaces",
        },
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
        shared={
            "proposal_to_start.count": "placements_started",
            "registration_to_first_proposal.count": "first_proposals",
        },
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
        shared={"raised": "lock_in_raised", "open_at_end": "lock_in_open_at_end"},
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
        shared={"ended_placements": "ended_placements", "returned": "assessments_returned"},
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
        shared={"placements": "placements_started"},
        shared_by_host_kind={"kinds[{kind}].placements": "placements_started"},
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


SNAPSHOT = linking.Figures(
    slug="snapshot",
    filters=ALL_FILTERS,
    query=snapshot.stored_figures,
    protect=protect_snapshot,
    shared={name: name for name in snapshot.SHARED_FIGURES},
)
"""A month's fixed figures, linked with the reports of that month without filters."""
LINKED: tuple[linking.Linkable, ...] = (*REPORTS, SNAPSHOT)


def new_linking(today: dt.date | None = None) -> linking.Linking:
    """A fresh count of the linked reports (`admin.reports.linking`)."""
    return linking.Linking(LINKED, slice_values, today)


@contextmanager
def counted_together(today: dt.date | None = None) -> Iterator[linking.Linking]:
    """Within this block, the reports published count each report over each set of filters
    once, for the day `today` (a page that shows many of them)."""
    with linking.counted_together(new_linking(today)) as counting:
        yield counting


async def published_snapshot(
    fixed: schemas.KpiSnapshotOut, today: dt.date | None = None
) -> schemas.KpiSnapshotOut:
    """A month's fixed figures as they may be published: by the snapshot's own rules, and
    with the reports of that month without filters, which show the same figures."""
    start, end = month_bounds(fixed.month)
    counting = linking.current(today) or new_linking(today)
    forced = await counting.forced_for(SNAPSHOT.slug, schemas.ReportFilters(start=start, end=end))
    with also_hidden(forced):
        return protect_kpi_snapshot(fixed)
