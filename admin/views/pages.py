"""The back office's own pages: reports with charts, audit review, register extracts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from admin import charts, schemas
from admin.controllers import (
    audit_query,
    coordinator_label,
    coordinator_options,
    report_filters,
    report_readers,
)
from admin.services import audit, audit_text, disclosure, exports, register, reports
from employers import vocabulary as employer_vocabulary
from marketplace.auth import AuthUser, admin_only, current_user, staff
from marketplace.errors import ValidationFailed
from marketplace.forms import field_errors, field_problems
from marketplace.notices import done
from marketplace.paging import Offset
from marketplace.tables import User

_REPORT_ORDER = list(reports.DEFINITIONS)


def page(
    template: str, request: Request[Any, Any, Any], *, status_code: int = 200, **context: Any
) -> Template:
    return Template(
        template,
        context={"user": current_user(request), "request": request, **context},
        status_code=status_code,
    )


def _chart(name: str, report: Any) -> Any:
    """The chart that goes with a report, or None where the table says it best."""
    if isinstance(report, schemas.ToWorkOrStudies):
        return charts.bar_charts(
            reports.title(name),
            "Stapeldiagram: antal personer till arbete eller studier per månad, med strategins "
            "baslinjer som streckade linjer. Siffrorna finns i tabellen under diagrammet.",
            [m.month for m in report.months],
            [_num(m.persons) for m in report.months],
            [charts.Reference(r.label, r.value) for r in report.references],
        )
    if isinstance(report, schemas.RealWorkplaces):
        return charts.share_bars(
            reports.title(name),
            f"Andel placeringar på riktiga arbetsplatser: {_share_text(report)}, "
            f"mål {charts.percent(report.target_share)}.",
            report.share,
            report.target_share,
        )
    if isinstance(report, schemas.ExitShares):
        return charts.bar_charts(
            reports.title(name),
            "Stapeldiagram: antal avslut per utfallskategori. Siffrorna finns i tabellen.",
            [c.label for c in report.by_category],
            [_num(c.count) for c in report.by_category],
        )
    if isinstance(report, schemas.UnitCoverage) and report.units:
        return charts.bar_charts(
            reports.title(name),
            "Stapeldiagram: publicerade platser per kommunal enhet. Mål och gap finns i tabellen.",
            [u.host_name for u in report.units],
            [float(u.published) for u in report.units],
        )
    return None


def _share_text(report: Any) -> str:
    return charts.HIDDEN if "share" in report.suppressed else charts.percent(report.share)


def _num(value: int | None) -> float | None:
    return None if value is None else float(value)


# A filter form's select box sends "" for "Alla" (and a number box "" when left empty): no
# filter, as if the field had not been sent. Typed as text in the query, converted here.
Choice = Annotated[str, QueryParameter(max_length=20)]


T = TypeVar("T")


class _Filters(msgspec.Struct, kw_only=True):
    start: dt.date | None = None
    end: dt.date | None = None
    track: schemas.Track | None = None
    coordinator_id: int | None = None
    host_kind: employer_vocabulary.HostKind | None = None
    actor_id: int | None = None
    subject_id: int | None = None


_FILTER_LABELS = {
    "start": "Från",
    "end": "Till",
    "track": "Spår",
    "coordinator_id": "Samordnare",
    "host_kind": "Värdtyp",
    "actor_id": "Åtkomster av användare",
    "subject_id": "Åtkomster till deltagare",
}


def _filter_form(**raw: str) -> tuple[_Filters, dict[str, str], dict[str, str]]:
    """A filter form's choices, what was typed, and a Swedish message per wrong field.

    An empty value is no filter; a wrong one (a date that does not exist, an unknown choice
    from an edited address) is shown next to its field and the page falls back to no filter
    there, so the page is never a dead end.
    """
    values = {name: value.strip() for name, value in raw.items()}
    given = {name: value for name, value in values.items() if value}
    labels = {name: _FILTER_LABELS[name] for name in raw}
    errors = field_problems(_Filters, given, labels)
    good = {name: value for name, value in given.items() if name not in errors}
    return msgspec.convert(good, _Filters, strict=False), values, errors


def _period_or_default(
    f: _Filters, errors: dict[str, str], make: Callable[[dt.date | None, dt.date | None], T]
) -> T:
    """The filters for the period chosen; a reversed or too long period is shown as an
    error next to the dates, and the default period is used meanwhile."""
    try:
        return make(f.start, f.end)
    except ValidationFailed as exc:
        errors.update(field_errors(exc, ["start", "end"]))
        return make(None, None)


@get("/rapporter", guards=[report_readers], include_in_schema=False, name="admin_reports")
async def reports_page(
    request: Request[AuthUser, Any, Any],
    start: Choice = "",
    end: Choice = "",
    track: Choice = "",
    coordinator_id: Choice = "",
    host_kind: Choice = "",
) -> Template:
    chosen, values, errors = _filter_form(
        start=start, end=end, track=track, coordinator_id=coordinator_id, host_kind=host_kind
    )
    f = _period_or_default(
        chosen,
        errors,
        lambda a, b: report_filters(a, b, chosen.track, chosen.coordinator_id, chosen.host_kind),
    )
    sections = []
    who = await coordinator_label(request.user, f.coordinator_id)
    for name in _REPORT_ORDER:
        report = await disclosure.published(name, f)
        table = exports.report_table(name, report, who)
        sections.append(
            {
                "name": name,
                "table": table,
                "rows": [[exports.page_cell(v) for v in row] for row in table.rows],
                "chart": _chart(name, report),
            }
        )
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("start", f.start.isoformat()),
            ("end", f.end.isoformat()),
            ("track", f.track),
            ("coordinator_id", f.coordinator_id),
            ("host_kind", f.host_kind),
        )
        if v is not None
    )
    return page(
        "admin/reports.html",
        request,
        status_code=400 if errors else 200,
        filters=f,
        values=values,
        errors=errors,
        labels=_FILTER_LABELS,
        sections=sections,
        query=query,
        tracks=reports.TRACK_LABELS,
        host_kinds=reports.HOST_KIND_LABELS,
        coordinators=await coordinator_options(request.user),
        rule_note=disclosure.RULE_NOTE,
    )


@get("/loggkontroll", guards=[admin_only], include_in_schema=False, name="admin_audit")
async def audit_page(
    request: Request[AuthUser, Any, Any],
    start: Choice = "",
    end: Choice = "",
    actor_id: Choice = "",
    subject_id: Choice = "",
    offset: Offset = 0,
) -> Template:
    chosen, values, errors = _filter_form(
        start=start, end=end, actor_id=actor_id, subject_id=subject_id
    )
    q = _period_or_default(
        chosen, errors, lambda a, b: audit_query(a, b, chosen.actor_id, chosen.subject_id, None)
    )
    result = await audit.search_audit(request.user, q, limit=100, offset=offset)
    users = await User.select(User.id, User.username, User.role).order_by(User.username)
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("start", q.start.isoformat()),
            ("end", q.end.isoformat()),
            ("actor_id", q.actor_id),
            ("subject_id", q.subject_id),
        )
        if v is not None
    )
    return page(
        "admin/audit.html",
        request,
        status_code=400 if errors else 200,
        q=q,
        result=result,
        users=users,
        query=query,
        text=audit_text,
        values=values,
        errors=errors,
        labels=_FILTER_LABELS,
    )


@get(
    "/registerutdrag/{candidate_id:int}",
    guards=[staff],
    include_in_schema=False,
    name="admin_register_extract",
)
async def register_page(
    request: Request[AuthUser, Any, Any],
    candidate_id: FromPath[int],
    reason: FromQuery[str | None] = None,
) -> Template:
    """Without a reason the page asks for one; with it, the extract (logged with the reason)."""
    await register.check_access(request.user, candidate_id)
    if reason is None:
        return page("admin/register.html", request, candidate_id=candidate_id, extract=None)
    try:
        extract = await register.register_extract(
            request.user, candidate_id, reason=reason, form="sida"
        )
    except ValidationFailed as exc:
        return page(
            "admin/register.html",
            request,
            status_code=exc.status_code,
            candidate_id=candidate_id,
            extract=None,
            reason=reason,
            error=exc.message,
        )
    return page("admin/register.html", request, candidate_id=candidate_id, extract=extract)


class AnonymiseForm(msgspec.Struct):
    confirm: str = ""


@post(
    "/registerutdrag/{candidate_id:int}/anonymisera",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def anonymise_submit(
    request: Request[AuthUser, Any, Any],
    candidate_id: FromPath[int],
    data: Annotated[AnonymiseForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    if data.confirm == "ja":
        await register.anonymise_candidate(candidate_id, actor=request.user)
    return Redirect(done(f"/registerutdrag/{candidate_id}", "anonymiserad"), status_code=303)


ROUTES = [reports_page, audit_page, register_page, anonymise_submit]
