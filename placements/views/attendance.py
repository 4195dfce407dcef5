"""Attendance pages (issue 18): the weekly report form shared by the host portal and the
workbench (`placements/_attendance.html`), the monthly attendance statement per participant
for staff (`/arbetsbord/deltagare/{id}/narvaro?manad=ÅÅÅÅ-MM`, and as a PDF), and the page a
supervisor without an account reports a week on, through the signed link in the reminder
(`/narvaro/{token}`, `Cache-Control: no-store` like the other link pages)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Response, Template

from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser, public, staff
from marketplace.kernel.dates import month_name
from marketplace.kernel.errors import MarketplaceError, ValidationFailed
from marketplace.kernel.forms import (
    Form,
    NoFields,
    confirmed,
    field_errors,
    form_values,
    parse_form,
    without_control_characters,
)
from marketplace.kernel.templating import day
from marketplace.kernel.views import page
from placements import date_rules, documents
from placements.attendance_figures import REASON_TEXT, days_within, monday_of, weekday_date
from placements.errors import LinkRefused
from placements.rows import BookingRow
from placements.schemas import attendance as schemas
from placements.services import attendance as services
from placements.views.agreements import link_refused, no_store

Token = Annotated[str, msgspec.Meta(max_length=500)]

LABELS = {
    "week_start": "Vecka",
    "days_present": "Dagar på plats",
    "days_sick": "Dagar sjuk",
    "days_leave": "Dagar ledig, beviljad frånvaro",
    "days_unexcused": "Dagar med ogiltig eller oanmäld frånvaro",
    "days_other": "Dagar med annan frånvaro",
    "absence_note": "Vad var den andra frånvaron? (kommentar)",
}
DAY_FIELDS = ["days_present", "days_sick", "days_leave", "days_unexcused", "days_other"]
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
BAD_MONTH = "Ange månaden som år och månad, till exempel 2026-11."


_week_rules = date_rules.form_rules("attendance")
WITHDRAW_UNCONFIRMED = "Kryssa i rutan ”Ja, ta bort veckans rapport” för att ta bort den."


def withdraw_box(week: dt.date) -> str:
    """The name of one week's "Ja, ta bort" box (a page lists many weeks): a refusal's
    message then stands next to that week's box only."""
    return f"confirm-{monday_of(week).isoformat()}"


def withdraw_form(week: dt.date) -> Form[NoFields]:
    """The button that withdraws the week's report, once its box is ticked."""
    return confirmed(withdraw_box(week), WITHDRAW_UNCONFIRMED)


def _report_rules(
    booking: BookingRow | None, weekends: bool = True
) -> Callable[[Mapping[str, Any]], list[tuple[str, str]]]:
    """The week's own rules on the fields typed so far, so that the form lists them with its
    other errors at once: the days add up to a week at most, other absence says what it
    was, and, given the placement, the days lie within it (`attendance.week_problems`, which
    `attendance.check_report` asks again; without this a supervisor fixed the numbers, saved,
    and only then learnt the comment was missing, or that the placement began mid-week)."""

    def run(typed: Mapping[str, Any]) -> list[tuple[str, str]]:
        found = list(_week_rules(typed))
        days = {k: int(str(typed[k])) for k in DAY_FIELDS if str(typed.get(k, "")).isdigit()}
        week = date_rules.as_day(typed.get("week_start"))
        note = str(typed.get("absence_note") or "")
        return found + services.week_problems(booking, week, days, note, weekends=weekends)

    return run


def parse_report(
    values: dict[str, Any], booking: BookingRow | None = None, *, weekends: bool = True
) -> schemas.WeekReport:
    """The week report from a form; an empty number of days is none (0). Given the
    placement, the days are checked against its period too, and against its weekdays when
    its agreement puts it on no weekend (`weekends`, `attendance.works_weekends_for`)."""
    cleaned = {
        k: (v if not (k in DAY_FIELDS and str(v).strip() == "") else "0") for k, v in values.items()
    }
    return parse_form(
        schemas.WeekReport,
        cleaned,
        labels=LABELS,
        blank_is_empty=["absence_note"],
        rules=_report_rules(booking, weekends),
    )


async def report_parser(booking: BookingRow) -> Callable[[dict[str, Any]], schemas.WeekReport]:
    """`parse_report` for one placement's form (the page reads the booking first), with the
    working days its agreement gives it."""
    weekends = await services.works_weekends_for(int(booking["id"]))
    return partial(parse_report, booking=booking, weekends=weekends)


def week_options(attendance: schemas.Attendance) -> list[tuple[str, str]]:
    """The weeks to choose from; the placement's first and last week name the days in it
    (the placement started or ends mid-week, so the week holds fewer days)."""
    options = []
    for monday in attendance.open_weeks:
        label = f"Vecka {monday.isocalendar().week}, från {day(monday)}"
        span = days_within(monday, attendance.first_day, attendance.last_day)
        if span is not None and span != (monday, monday + dt.timedelta(days=6)):
            first, last = span
            days = "" if first == last else f" – {weekday_date(last)}"
            label = f"Vecka {monday.isocalendar().week}, {weekday_date(first)}{days}"
        options.append((monday.isoformat(), label))
    return options


def context(attendance: schemas.Attendance | None, action: str) -> dict[str, Any]:
    """What `_attendance.html` needs (nothing shown before the placement starts)."""
    return {
        "presence": attendance,
        "presence_weeks": week_options(attendance) if attendance else [],
        "presence_action": action,
        "presence_labels": LABELS,
    }


def _month(text: str) -> tuple[int, int]:
    if not text:
        today = clock.today()
        return today.year, today.month
    found = MONTH.match(text)
    if (
        not found
        or not (1 <= int(found.group(2)) <= 12)
        or not (2000 <= int(found.group(1)) <= 2100)
    ):
        raise ValidationFailed(BAD_MONTH, fields=["manad"])
    return int(found.group(1)), int(found.group(2))


@get("/arbetsbord/deltagare/{candidate_id:int}/narvaro", guards=[staff], include_in_schema=False)
async def statement_page(
    request: Request[Any, Any, Any],
    candidate_id: FromPath[int],
    manad: Annotated[str, QueryParameter(max_length=20)] = "",
) -> Template:
    """The monthly attendance statement: planned against reported days, week by week, per
    placement, for the handläggning of försörjningsstöd. Audited."""
    user: AuthUser = request.user
    year, month = _month(manad.strip())
    statement = await services.statement_for(user, candidate_id, year, month)
    return page(
        "placements/workbench/attendance.html",
        request,
        statement=statement,
        month_text=month_name(year, month),
        months=[(f"{y}-{m:02d}", month_name(y, m)) for y, m in statement.months],
        current=f"{year}-{month:02d}",
        reasons=REASON_TEXT,
        today=clock.today(),
    )


@get(
    "/arbetsbord/deltagare/{candidate_id:int}/narvaro.pdf", guards=[staff], include_in_schema=False
)
async def statement_pdf(
    request: Request[Any, Any, Any],
    candidate_id: FromPath[int],
    manad: Annotated[str, QueryParameter(max_length=20)] = "",
) -> Response[bytes]:
    """The monthly attendance statement as a PDF, never cached. Audited."""
    user: AuthUser = request.user
    year, month = _month(manad.strip())
    statement = await services.statement_for(user, candidate_id, year, month)
    engine = request.app.template_engine
    assert engine is not None  # the app is configured with Jinja templates
    html = documents.attendance_html(engine, statement, month_name(year, month), clock.now())
    pdf = await documents.archive_pdf(html)
    filename = f"narvaro-{year}-{month:02d}-deltagare-{candidate_id}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


# --- the supervisor's link ----------------------------------------------------------------------

LINK_LABELS = {k: v for k, v in LABELS.items() if k != "week_start"}


async def _link_page(
    request: Request[Any, Any, Any],
    token: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    try:
        shown = await services.link_page(token)
    except LinkRefused as exc:
        return link_refused(request, exc)
    return page(
        "placements/attendance_link.html",
        request,
        status_code=status_code,
        shown=shown,
        action=f"/narvaro/{token}",
        values=values or {},
        errors=errors or {},
        presence_labels=LINK_LABELS,
    )


@get("/narvaro/{token:str}", guards=[public], include_in_schema=False, name="attendance-link")
async def link_form(request: Request[Any, Any, Any], token: FromPath[Token]) -> Template:
    """The week's attendance form for a supervisor without an account."""
    return await _link_page(request, token)


@post("/narvaro/{token:str}", guards=[public], include_in_schema=False, status_code=200)
async def link_submit(request: Request[Any, Any, Any], token: FromPath[Token]) -> Template:
    """Report the link's week, once; a wrong number shows the form again with the reason."""
    values = await form_values(request)
    try:
        booking, monday = await services.link_week(token)
        weekends = await services.works_weekends_for(int(booking["id"]))
        data = parse_report(
            {**values, "week_start": monday.isoformat()}, booking, weekends=weekends
        )
        shown = await services.record_week_by_link(token, data)
    except LinkRefused as exc:
        return link_refused(request, exc)
    except MarketplaceError as exc:
        return await _link_page(
            request,
            token,
            values=without_control_characters(values),
            errors=field_errors(exc, LABELS),
            status_code=exc.status_code,
        )
    return page("placements/attendance_link_done.html", request, shown=shown)


LINK_PAGES = Router(path="/", route_handlers=[link_form, link_submit], middleware=[no_store])

ROUTES = [statement_page, statement_pdf, LINK_PAGES]
