"""JSON API of the back office: reports and their exports, audit review, register extracts.

Reports are for analysts, coordinators and admins, and hold aggregates only. Audit review and
anonymisation are for admins. A register extract is for an admin or the candidate's own
coordinator.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_200_OK

from admin import jobs, schemas
from admin.reports import registry
from admin.reports.filters import coordinator_label, coordinator_options, provide_report_filters
from admin.services import audit, exports, register, reports
from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser, admin_only, requires, staff
from marketplace.kernel.dates import check_date
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.figures import CsvVariant
from marketplace.kernel.openapi import file_operation
from marketplace.kernel.paging import Limit, Offset

report_readers = requires("admin", "coordinator", "analyst")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# A report export's answer is the CSV or XLSX file it is, not JSON.
ReportExportOperation = file_operation(("text/csv", XLSX))
AuditExportOperation = file_operation(("text/csv",))


def report_route(report: registry.Report) -> HTTPRouteHandler:
    """`GET /api/v1/reports/{slug}`: the report, protected, as its Struct."""

    async def answer(filters: schemas.ReportFilters) -> Any:
        return await report.published(filters)

    answer.__name__ = report.slug.replace("-", "_")
    answer.__qualname__ = f"report_route.{answer.__name__}"
    answer.__doc__ = report.summary
    answer.__annotations__ = {
        "filters": NamedDependency[schemas.ReportFilters],
        "return": report.struct,
    }
    return get(f"/{report.slug}", operation_id=report.operation_id)(answer)


@get("/", operation_id="listReports")
async def catalogue(request: Request[AuthUser, Any, Any]) -> schemas.ReportCatalogue:
    """The reports with their definitions, and the values each filter accepts."""
    return schemas.ReportCatalogue(
        reports=[
            schemas.ReportInfo(name=r.slug, title=r.title, definition=r.definition)
            for r in registry.REPORTS
        ],
        tracks=[schemas.FilterOption(value=k, label=v) for k, v in reports.TRACK_LABELS.items()],
        host_kinds=[
            schemas.FilterOption(value=k, label=v) for k, v in reports.HOST_KIND_LABELS.items()
        ],
        coordinators=await coordinator_options(request.user),
    )


@get("/{name:str}/export", operation_id="exportReport", operation_class=ReportExportOperation)
async def export(
    request: Request[AuthUser, Any, Any],
    name: FromPath[registry.ReportName],
    filters: NamedDependency[schemas.ReportFilters],
    format: FromQuery[schemas.ExportFormat] = "csv",
    variant: FromQuery[CsvVariant] = "swedish",
) -> Response[bytes]:
    """One report as CSV or XLSX, with its title, definition, period and filters in the file.

    CSV comes as `variant=swedish` (the default: semicolons, decimal comma, UTF-8 with a
    byte order mark, for Excel set to Swedish; the title rows of the XLSX sheet, an empty
    row, then the table) or `variant=rfc4180` (commas, decimal point, UTF-8 without a byte
    order mark, for programs: the table alone, from its first row). A share is a fraction
    (0,6667) in both."""
    report = registry.BY_SLUG[name]
    coordinator = await coordinator_label(request.user, filters.coordinator_id)
    table = report.table(await report.published(filters), coordinator)
    filename = exports.report_file_name(report.file_stem, filters, coordinator, format)
    if format == "csv" and variant == "rfc4180":
        # The two CSV forms of one report were saved under one name, the second over the first.
        filename = filename.removesuffix(".csv") + "_andra-program.csv"
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
async def snapshots() -> list[schemas.KpiSnapshotOut]:
    """The fixed monthly figures, oldest first; a figure resting on fewer than 5 persons
    is null and named in `suppressed`, and so is one that a report of the same month
    without filters hides (it shows the same figure)."""
    with registry.counted_together():
        return [await registry.published_snapshot(s) for s in await jobs.list_snapshots()]


# One route per report, made from its registry entry; every route keeps the readers' guard.
report_router = Router(
    path="/api/v1/reports",
    guards=[report_readers],
    tags=["reports"],
    dependencies={"filters": Provide(provide_report_filters)},
    route_handlers=[
        catalogue,
        *(report_route(r) for r in registry.REPORTS),
        export,
        snapshots,
    ],
)


def provide_audit_query(
    start: FromQuery[dt.date | None] = None,
    end: FromQuery[dt.date | None] = None,
    actor_id: FromQuery[int | None] = None,
    subject_id: FromQuery[int | None] = None,
    action: FromQuery[Annotated[str, msgspec.Meta(max_length=60)] | None] = None,
) -> audit.AuditQuery:
    """The filters both audit routes take, from the query string (a Litestar dependency)."""
    return audit_query(start, end, actor_id, subject_id, action)


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


class AuditController(Controller):
    path = "/api/v1/audit"
    guards = [admin_only]
    dependencies = {"audit_filters": Provide(provide_audit_query, sync_to_thread=False)}
    tags = ["audit"]

    @get("/", operation_id="searchAudit")
    async def search(
        self,
        request: Request[AuthUser, Any, Any],
        audit_filters: NamedDependency[audit.AuditQuery],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> schemas.AuditPage:
        """Accesses by a user (actor_id) or to a person (subject_id) in a period, newest first."""
        return await audit.search_audit(request.user, audit_filters, limit=limit, offset=offset)

    @get("/export", operation_id="exportAudit", operation_class=AuditExportOperation)
    async def export(
        self,
        request: Request[AuthUser, Any, Any],
        audit_filters: NamedDependency[audit.AuditQuery],
        variant: FromQuery[CsvVariant] = "swedish",
    ) -> Response[bytes]:
        """The same rows as CSV, oldest first: `variant=swedish` (the default) or `rfc4180`,
        as for the report exports."""
        text = await audit.export_audit_csv(request.user, audit_filters, variant)
        period = f"{audit_filters.start.isoformat()}_{audit_filters.end.isoformat()}"
        name = f"loggkontroll_{period}{'_andra-program' if variant == 'rfc4180' else ''}.csv"
        return Response(
            exports.csv_bytes(text, variant),
            media_type=exports.CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
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


ROUTES = [report_router, AuditController, RegisterController]
