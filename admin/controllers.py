"""JSON API of the back office: reports and their exports, audit review, register extracts.

Reports are for analysts, coordinators and admins, and hold aggregates only. Audit review and
anonymisation are for admins. A register extract is for an admin or the candidate's own
coordinator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_200_OK

from admin import jobs, schemas
from admin.services import audit, disclosure, exports, register, reports
from employers import vocabulary as employer_vocabulary
from marketplace import clock
from marketplace.auth import AuthUser, active_coordinators, admin_only, requires, staff
from marketplace.dates import check_date
from marketplace.errors import ValidationFailed
from marketplace.figures import CsvVariant
from marketplace.paging import Limit, Offset

report_readers = requires("admin", "coordinator", "analyst")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ReportExportOperation(Operation):
    """Documents a report export's answer as the CSV or XLSX file it is, not as JSON."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            ok.content = {m: OpenAPIMediaType(schema=binary) for m in ("text/csv", XLSX)}


def report_filters(
    start: dt.date | None,
    end: dt.date | None,
    track: schemas.Track | None,
    coordinator_id: int | None,
    host_kind: employer_vocabulary.HostKind | None,
) -> schemas.ReportFilters:
    """Validated filters; a missing period means the last twelve months."""
    check_date(start, "start")
    check_date(end, "end")
    default_start, default_end = reports.default_period(clock.today())
    start = start or (default_start if end is None else end.replace(day=1))
    end = end or default_end
    if end < start:
        raise ValidationFailed(
            "Periodens slutdatum måste vara samma dag som eller efter startdatumet.",
            fields=["end"],
        )
    if (end - start).days > 366 * 10:
        raise ValidationFailed("Välj en period på högst tio år.", fields=["start", "end"])
    return schemas.ReportFilters(
        start=start, end=end, track=track, coordinator_id=coordinator_id, host_kind=host_kind
    )


async def coordinator_label(user: AuthUser, coordinator_id: int | None) -> str:
    """The chosen coordinator as this reader's filter list names them ("" if none)."""
    if coordinator_id is None:
        return ""
    for option in await coordinator_options(user):
        if option.value == str(coordinator_id):
            return option.label
    return ""


async def coordinator_options(user: AuthUser) -> list[schemas.FilterOption]:
    """Coordinators to filter by: by name for staff; for analysts by a running number in the
    list (Samordnare 1, 2, …), never by name or by the account's internal id."""
    return [
        schemas.FilterOption(
            value=str(coordinator_id),
            label=f"Samordnare {number}" if user.role == "analyst" else name,
        )
        for number, (coordinator_id, name) in enumerate(await active_coordinators(), start=1)
    ]


def provide_report_filters(
    start: FromQuery[dt.date | None] = None,
    end: FromQuery[dt.date | None] = None,
    track: FromQuery[schemas.Track | None] = None,
    coordinator_id: FromQuery[int | None] = None,
    host_kind: FromQuery[employer_vocabulary.HostKind | None] = None,
) -> schemas.ReportFilters:
    """The filters every report takes, from the query string (a Litestar dependency)."""
    return report_filters(start, end, track, coordinator_id, host_kind)


class ReportController(Controller):
    path = "/api/v1/reports"
    guards = [report_readers]
    tags = ["reports"]
    dependencies = {"filters": Provide(provide_report_filters, sync_to_thread=False)}

    @get("/", operation_id="listReports")
    async def catalogue(self, request: Request[AuthUser, Any, Any]) -> schemas.ReportCatalogue:
        """The reports with their definitions, and the values each filter accepts."""
        return schemas.ReportCatalogue(
            reports=[
                schemas.ReportInfo(name=name, title=title, definition=text)
                for name, (title, text) in reports.DEFINITIONS.items()
            ],
            tracks=[
                schemas.FilterOption(value=k, label=v) for k, v in reports.TRACK_LABELS.items()
            ],
            host_kinds=[
                schemas.FilterOption(value=k, label=v) for k, v in reports.HOST_KIND_LABELS.items()
            ],
            coordinators=await coordinator_options(request.user),
        )

    @get("/to-work-or-studies", operation_id="reportToWorkOrStudies")
    async def to_work_or_studies(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.ToWorkOrStudies:
        """Persons to work or studies per month (Kolada), with the strategy's baselines."""
        return disclosure.protect(await reports.to_work_or_studies(filters))

    @get("/exits", operation_id="reportExits")
    async def exits(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.ExitShares:
        """Share of exits to work or studies, and every exit by category."""
        return disclosure.protect(await reports.exits(filters))

    @get("/real-workplaces", operation_id="reportRealWorkplaces")
    async def real_workplaces(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.RealWorkplaces:
        """Share of placements on real workplaces (the 85/15 figure)."""
        return disclosure.protect(await reports.real_workplaces(filters))

    @get("/lead-times", operation_id="reportLeadTimes")
    async def lead_times(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.LeadTimes:
        """Median days from registration to first proposal and from proposal to start."""
        return disclosure.protect(await reports.lead_times(filters))

    @get("/intake-clock", operation_id="reportIntakeClock")
    async def intake_clock(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.IntakeClock:
        """The intake clock: per month received, median working days and share within target
        for application → planning meeting → plan → first proposal → start of placement."""
        return disclosure.protect(await reports.intake_clock(filters))

    @get("/lock-in", operation_id="reportLockIn")
    async def lock_in(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.LockIn:
        """Lock-in flags raised in the period and open at its end."""
        return disclosure.protect(await reports.lock_in(filters))

    @get("/follow-ups", operation_id="reportFollowUps")
    async def follow_ups(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.FollowUps:
        """Follow-up status at 90 and 180 days after exit."""
        return disclosure.protect(await reports.follow_ups(filters))

    @get("/assessments", operation_id="reportAssessments")
    async def assessments(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.AssessmentReturn:
        """The supervisors' assessment return rate."""
        return disclosure.protect(await reports.assessments(filters))

    @get("/unit-coverage", operation_id="reportUnitCoverage")
    async def unit_coverage(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.UnitCoverage:
        """Municipal units' places against their yearly targets."""
        return disclosure.protect(await reports.unit_coverage(filters))

    @get("/host-ledger", operation_id="reportHostLedger")
    async def host_ledger(
        self,
        filters: NamedDependency[schemas.ReportFilters],
    ) -> schemas.HostLedger:
        """What each host gave and received in the period."""
        return disclosure.protect(await reports.host_ledger(filters))

    @get("/{name:str}/export", operation_id="exportReport", operation_class=ReportExportOperation)
    async def export(
        self,
        request: Request[AuthUser, Any, Any],
        name: FromPath[schemas.ReportName],
        filters: NamedDependency[schemas.ReportFilters],
        format: FromQuery[schemas.ExportFormat] = "csv",
        variant: FromQuery[CsvVariant] = "swedish",
    ) -> Response[bytes]:
        """One report as CSV or XLSX, with its definition and filters in the file.

        CSV comes as `variant=swedish` (the default: semicolons, decimal comma, UTF-8 with a
        byte order mark, for Excel set to Swedish) or `variant=rfc4180` (commas, decimal
        point, UTF-8 without a byte order mark, for programs). A share is a fraction (0,6667)
        in both."""
        table = exports.report_table(
            name,
            await disclosure.published(name, filters),
            await coordinator_label(request.user, filters.coordinator_id),
        )
        filename = f"{name}_{filters.start.isoformat()}_{filters.end.isoformat()}.{format}"
        if format == "xlsx":
            content, media_type = exports.report_xlsx(table), XLSX
        else:
            content = exports.csv_bytes(exports.report_csv(table, variant), variant)
            media_type = exports.CSV_MEDIA_TYPE
        return Response(
            content,
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @get("/snapshots", operation_id="listKpiSnapshots")
    async def snapshots(self) -> list[schemas.KpiSnapshotOut]:
        """The fixed monthly figures, oldest first; a figure resting on fewer than 5 persons
        is null and named in `suppressed`."""
        return [disclosure.protect_kpi_snapshot(s) for s in await jobs.list_snapshots()]


class AuditController(Controller):
    path = "/api/v1/audit"
    guards = [admin_only]
    tags = ["audit"]

    @get("/", operation_id="searchAudit")
    async def search(
        self,
        request: Request[AuthUser, Any, Any],
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
        actor_id: FromQuery[int | None] = None,
        subject_id: FromQuery[int | None] = None,
        action: FromQuery[Annotated[str, msgspec.Meta(max_length=60)] | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> schemas.AuditPage:
        """Accesses by a user (actor_id) or to a person (subject_id) in a period, newest first."""
        query = audit_query(start, end, actor_id, subject_id, action)
        return await audit.search_audit(request.user, query, limit=limit, offset=offset)

    @get("/export", operation_id="exportAudit")
    async def export(
        self,
        request: Request[AuthUser, Any, Any],
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
        actor_id: FromQuery[int | None] = None,
        subject_id: FromQuery[int | None] = None,
        action: FromQuery[Annotated[str, msgspec.Meta(max_length=60)] | None] = None,
        variant: FromQuery[CsvVariant] = "swedish",
    ) -> Response[bytes]:
        """The same rows as CSV, oldest first: `variant=swedish` (the default) or `rfc4180`,
        as for the report exports."""
        query = audit_query(start, end, actor_id, subject_id, action)
        text = await audit.export_audit_csv(request.user, query, variant)
        name = f"loggkontroll_{query.start.isoformat()}_{query.end.isoformat()}.csv"
        return Response(
            exports.csv_bytes(text, variant),
            media_type=exports.CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


def audit_query(
    start: dt.date | None,
    end: dt.date | None,
    actor_id: int | None,
    subject_id: int | None,
    action: str | None,
) -> audit.AuditQuery:
    """The audit filters; a missing period means the last thirty days."""
    check_date(start, "start")
    check_date(end, "end")
    today = clock.today()
    end = end or today
    start = start or end - dt.timedelta(days=30)
    if end < start:
        raise ValidationFailed(
            "Periodens slutdatum måste vara samma dag som eller efter startdatumet.",
            fields=["end"],
        )
    return audit.AuditQuery(
        start=start, end=end, actor_id=actor_id, subject_id=subject_id, action=action or None
    )


class RegisterController(Controller):
    path = "/api/v1/register"
    tags = ["register"]

    @get("/{candidate_id:int}", guards=[staff], operation_id="registerExtract")
    async def extract(
        self,
        candidate_id: FromPath[int],
        request: Request[AuthUser, Any, Any],
        reason: FromQuery[str] = "",
    ) -> schemas.RegisterExtract:
        """Everything stored about one candidate (admin, or the candidate's own coordinator).

        `reason` (at least 5 characters) says why the extract is made; it is logged with the
        read. Health notes are included only for the candidate's own coordinator.
        """
        return await register.register_extract(
            request.user, candidate_id, reason=reason, form="json"
        )

    @post(
        "/{candidate_id:int}/anonymise",
        guards=[admin_only],
        operation_id="anonymiseCandidate",
        status_code=HTTP_200_OK,
    )
    async def anonymise(
        self, candidate_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> schemas.AnonymiseResult:
        """Anonymise a candidate on request; the statistics stay. Doing it twice is harmless."""
        done = await register.anonymise_candidate(candidate_id, actor=request.user)
        return schemas.AnonymiseResult(candidate_id=candidate_id, anonymised=True, already=not done)


ROUTES = [ReportController, AuditController, RegisterController]
