"""Request and response bodies of the back office: audit review, reports and register extracts.

Every report carries its `definition` in Swedish, so that a reader of the API, a CSV file or
the page knows exactly what was counted. A figure resting on fewer than 5 persons is `null`
and its path is listed in the report's `suppressed` (see `admin.services.disclosure`). Reports hold aggregates only: no names, no
personnummer, no free text, so analysts may read every one of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from employers.vocabulary import HostKind
from marketplace.kernel.dates import FrozenDateBounded
from placements.vocabulary import Track

ExportFormat = Literal["csv", "xlsx"]


# --- filters -------------------------------------------------------------------------------


class AskedFilters(FrozenDateBounded, kw_only=True, frozen=True):
    """What a report was asked for, as every answer echoes it: `start` and `end` are
    inclusive dates, and the coordinator is named by their number (`coordinator`, the
    filter's value: "Samordnare 2" is 2), the way pages and the API take them, never by
    the account's id."""

    start: dt.date
    end: dt.date
    track: Track | None = None
    coordinator: int | None = None
    host_kind: HostKind | None = None


class ReportFilters(AskedFilters, kw_only=True, frozen=True):
    """Which slice a report counts: what was asked, and the account of the chosen
    coordinator (`coordinator_id`), by which the counting selects candidates. The account
    id is the server's own: no answer shows it (`admin.reports.registry.Report.published`
    echoes `AskedFilters`, with the coordinator's number looked up from the account)."""

    coordinator_id: int | None = None

    def asked(self, coordinator: int | None) -> AskedFilters:
        """The filters as the answer echoes them, the coordinator by `coordinator`, their
        number (None when no coordinator is chosen)."""
        return AskedFilters(
            start=self.start,
            end=self.end,
            track=self.track,
            coordinator=coordinator if self.coordinator_id is not None else None,
            host_kind=self.host_kind,
        )


# --- reports -------------------------------------------------------------------------------


class ReferenceLine(msgspec.Struct):
    """A fixed comparison value drawn across a chart (the strategy's baselines)."""

    label: str
    value: float


class MonthFigure(msgspec.Struct):
    month: str  # YYYY-MM
    persons: int | None
    snapshot: int | None = None  # the figure as fixed by the month's KPI snapshot, if any


class ToWorkOrStudies(msgspec.Struct):
    definition: str
    filters: AskedFilters
    months: list[MonthFigure]
    total: int | None
    average_per_month: float | None
    references: list[ReferenceLine]
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class CategoryCount(msgspec.Struct):
    category: str
    label: str
    count: int | None


class ExitShares(msgspec.Struct):
    definition: str
    filters: AskedFilters
    exits: int | None
    to_work_or_studies: int | None
    share: float | None
    by_category: list[CategoryCount]
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class SettingCount(msgspec.Struct):
    setting: str
    label: str
    count: int | None


class RealWorkplaces(msgspec.Struct):
    definition: str
    filters: AskedFilters
    placements: int | None
    on_real_workplaces: int | None
    share: float | None
    target_share: float
    by_setting: list[SettingCount]
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class LeadTime(msgspec.Struct):
    count: int | None
    median_days: float | None


class LeadTimes(msgspec.Struct):
    definition: str
    filters: AskedFilters
    registration_to_first_proposal: LeadTime
    proposal_to_start: LeadTime
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class ClockStep(msgspec.Struct):
    """One step of the intake clock in one month: how many reached it, the median working
    days it took, and how many (and what share) did so within its target."""

    step: str
    label: str
    target_days: int
    count: int | None
    median_days: float | None
    within_target: int | None
    share: float | None


class ClockMonth(msgspec.Struct):
    month: str  # "YYYY-MM", the month the applications came in
    steps: list[ClockStep]


class IntakeClock(msgspec.Struct):
    definition: str
    filters: AskedFilters
    months: list[ClockMonth]
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class FlagCount(msgspec.Struct):
    kind: str
    label: str
    raised: int | None
    open_at_end: int | None


class LockIn(msgspec.Struct):
    definition: str
    filters: AskedFilters
    raised: int | None
    open_at_end: int | None
    by_kind: list[FlagCount]
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class FollowUpStatus(msgspec.Struct):
    days: int
    due: int | None
    done: int | None
    in_work_or_studies: int | None
    overdue: int | None
    share_done: float | None
    share_in_work_or_studies: float | None


class FollowUps(msgspec.Struct):
    definition: str
    filters: AskedFilters
    rows: list[FollowUpStatus]
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class AssessmentReturn(msgspec.Struct):
    definition: str
    filters: AskedFilters
    ended_placements: int | None
    returned: int | None
    rate: float | None
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class UnitCoverageRow(msgspec.Struct):
    host_id: int
    host_name: str
    target: int | None
    registered: int
    published: int
    used: int | None
    coverage: float | None
    gap: int | None


class UnitCoverage(msgspec.Struct):
    definition: str
    filters: AskedFilters
    year: int
    units: list[UnitCoverageRow]
    total_target: int
    total_published: int
    total_registered: int = 0
    total_coverage: float | None = None  # published of all units / their targets
    total_gap: int | None = None  # the units' gaps added up (one unit's surplus fills none)
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class LedgerRow(msgspec.Struct):
    host_id: int
    host_name: str
    host_kind: str
    placements: int | None
    hours: int | None
    assessments_returned: int | None
    went_to_work: int | None
    hired_by_host: int | None


class HostLedger(msgspec.Struct):
    definition: str
    filters: AskedFilters
    hosts: list[LedgerRow]
    suppressed: list[str] = msgspec.field(default_factory=list)  # paths of hidden cells
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


class ReportInfo(msgspec.Struct):
    name: str
    title: str
    definition: str


class FilterOption(msgspec.Struct):
    value: str
    label: str


class ReportCatalogue(msgspec.Struct):
    """The reports and the values their filters accept. `coordinators` are the values of
    the `coordinator` filter: each coordinator's number, never the account's id, labelled
    by name for staff and as "Samordnare N" for analysts, who receive no names."""

    reports: list[ReportInfo]
    tracks: list[FilterOption]
    host_kinds: list[FilterOption]
    coordinators: list[FilterOption]


class KpiSnapshotOut(msgspec.Struct):
    month: str
    figures: dict[str, float | None]  # whole numbers too (a JSON number either way)
    created_at: dt.datetime
    suppressed: list[str] = msgspec.field(default_factory=list)  # figures hidden (< 5)
    # Of those, the ones that are no count of 1–4 (read "dold", the others "färre än 5").
    protected: list[str] = msgspec.field(default_factory=list)


# --- audit ---------------------------------------------------------------------------------


class AuditRow(msgspec.Struct):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_label: str
    subject_type: str
    subject_id: int | None
    action: str
    detail: str


class AuditPage(msgspec.Struct):
    total: int
    limit: int
    offset: int
    items: list[AuditRow]


# --- register extract and erasure ----------------------------------------------------------


class RegisterField(msgspec.Struct):
    """One stored value: the column's name and the value as stored (dates in ISO form)."""

    name: str
    # Not `int | float`: in JSON Schema an integer is also a number, so a oneOf of both
    # rejects every whole number. Whole numbers are still sent as such.
    value: str | float | bool | None


class RegisterRow(msgspec.Struct):
    fields: list[RegisterField]


class RegisterSection(msgspec.Struct):
    """One table's rows about the person, every column, in the table's own order."""

    table: str
    title: str
    rows: list[RegisterRow]
    # Why the section is empty although rows may exist (health notes for other roles).
    note: str = ""


class RegisterExtract(msgspec.Struct):
    """Everything stored about one candidate (registerutdrag, GDPR art. 15)."""

    candidate_id: int
    produced_at: dt.datetime
    produced_by: str
    reason: str
    anonymised: bool
    sections: list[RegisterSection]


class AnonymiseResult(msgspec.Struct):
    candidate_id: int
    anonymised: bool
    already: bool
