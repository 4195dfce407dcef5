"""The dashboard (`/oversikt`) for coordinators, analysts and admins: the strategy's figures as
server-rendered SVG charts, each with its data table, from the report services.

The page arranges reports; every figure and its definition comes from `admin.services.reports`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from admin import charts, schemas
from admin.services import reports
from admin.services.disclosure import RULE_NOTE, protect
from admin.services.participant_figures import participant_figures
from marketplace import clock
from marketplace.auth import requires
from marketplace.errors import ValidationFailed
from marketplace.forms import Problems, field_errors
from marketplace.templating import LABELS
from marketplace.views import page

report_readers = requires("admin", "coordinator", "analyst")


def _date(raw: str, field: str, fallback: dt.date) -> dt.date:
    if not raw:
        return fallback
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            f"{raw} är inget datum. Skriv det som ÅÅÅÅ-MM-DD.", fields=[field]
        ) from None


@get("/oversikt", guards=[report_readers], include_in_schema=False, name="dashboard")
async def dashboard(
    request: Request[Any, Any, Any],
    start: Annotated[str, QueryParameter(max_length=10)] = "",
    end: Annotated[str, QueryParameter(max_length=10)] = "",
    track: Annotated[str, QueryParameter(max_length=20)] = "",
    host_kind: Annotated[str, QueryParameter(max_length=20)] = "",
) -> Template:
    today = clock.today()
    first, last = reports.default_period(today)
    values = {"start": start, "end": end, "track": track, "host_kind": host_kind}
    errors: dict[str, str] = {}
    try:
        problems = Problems()
        with problems:
            period_start = _date(start, "start", first)
        with problems:
            period_end = _date(end, "end", last)
        problems.raise_any()
        if period_end < period_start:
            raise ValidationFailed("Slutdatum kommer före startdatum.", fields=["end"])
        filters = schemas.ReportFilters(
            start=period_start,
            end=period_end,
            track=track if track in LABELS["track"] else None,  # type: ignore[arg-type]
            host_kind=host_kind if host_kind in LABELS["host_kind"] else None,  # type: ignore[arg-type]
        )
    except ValidationFailed as exc:
        errors = field_errors(exc, ["start", "end"])
        filters = schemas.ReportFilters(start=first, end=last)
    # Every figure shown passes the small-cell rule (admin.services.disclosure).
    work = protect(await reports.to_work_or_studies(filters))
    real = protect(await reports.real_workplaces(filters))
    lead = protect(await reports.lead_times(filters))
    lock_in = protect(await reports.lock_in(filters))
    coverage = protect(await reports.unit_coverage(filters))
    ledger = protect(await reports.host_ledger(filters, today))
    exits = protect(await reports.exits(filters))
    intake = protect(await reports.intake_clock(filters))
    intake_hidden = set(intake.suppressed)
    meeting_target = reports.clock_targets()["meeting"]
    own_pages = await participant_figures(filters)  # protected by their own module
    real_share = charts.HIDDEN if "share" in real.suppressed else charts.percent(real.share)
    lead_hidden = set(lead.suppressed)
    pictures = {
        "work": charts.bar_charts(
            "Personer till arbete eller studier per månad",
            "Stapel per månad, med strategins jämförelsetal som streckade linjer.",
            [m.month[2:] for m in work.months],
            [m.persons for m in work.months],
            [charts.Reference(r.label, r.value) for r in work.references],
        ),
        "real": charts.share_bars(
            "Andel placeringar på riktiga arbetsplatser",
            f"{real_share} mot målet {charts.percent(real.target_share)}.",
            real.share,
            real.target_share,
        ),
        "lead": charts.bar_charts(
            "Ledtider i dagar, median",
            "Två staplar: inskrivning till första förslag, och förslag till start.",
            ["Till förslag", "Till start"],
            [
                None
                if "registration_to_first_proposal.median_days" in lead_hidden
                else lead.registration_to_first_proposal.median_days or 0.0,
                None
                if "proposal_to_start.median_days" in lead_hidden
                else lead.proposal_to_start.median_days or 0.0,
            ],
            unit=" dagar",
        ),
        "lock_in": charts.bar_charts(
            "Flaggor för inlåsning under perioden",
            "En stapel per slag av flagga.",
            [k.label for k in lock_in.by_kind],
            [k.raised for k in lock_in.by_kind],
        ),
        "coverage": charts.bar_charts(
            "Publicerade platser per kommunal enhet",
            "En stapel per enhet: publicerade platser. Målen står i tabellen.",
            [u.host_name for u in coverage.units],
            [u.published for u in coverage.units],
        ),
        "ledger": charts.bar_charts(
            "Placeringar per värd",
            "De tolv värdar som haft flest placeringar under perioden.",
            [h.host_name for h in ledger.hosts[:12]],
            [h.placements for h in ledger.hosts[:12]],
        ),
        "intake": charts.bar_charts(
            "Arbetsdagar från ansökan till planeringsmöte, median per månad",
            "Stapel per månad då ansökan kom in, med målet som streckad linje. "
            "Alla steg finns i tabellen.",
            [m.month[2:] for m in intake.months],
            [
                None
                if f"months[{m.month}].steps[meeting].median_days" in intake_hidden
                else m.steps[0].median_days or 0.0
                for m in intake.months
            ],
            [charts.Reference(f"Mål: {meeting_target} arbetsdagar", float(meeting_target))],
            unit=" dagar",
        ),
        "exits": charts.bar_charts(
            "Avslut per utfall",
            "En stapel per utfallskategori.",
            [e.label for e in exits.by_category],
            [e.count for e in exits.by_category],
        ),
    }
    return page(
        "admin/dashboard.html",
        request,
        status_code=400 if errors else 200,
        values={**values, "start": values["start"] or first.isoformat()}
        | {"end": values["end"] or last.isoformat()},
        errors=errors,
        filters=filters,
        tracks=list(LABELS["track"].items()),
        host_kinds=list(LABELS["host_kind"].items()),
        work=work,
        exits=exits,
        real=real,
        lead=lead,
        intake=intake,
        lock_in=lock_in,
        coverage=coverage,
        ledger=ledger,
        charts=pictures,
        rule_note=RULE_NOTE,
        own_pages=own_pages,
    )


ROUTES = [dashboard]
