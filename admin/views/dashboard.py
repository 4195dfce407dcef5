"""The dashboard (`/oversikt`) for coordinators, analysts and admins: the strategy's figures as
server-rendered SVG charts, each with its data table, from the report services.

The page arranges reports; every figure comes from its report's registry entry
(`admin.reports.registry`), protected, and the period is checked by the reports' one rule
(`admin.reports.filters`).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from admin import charts
from admin.reports import registry
from admin.reports.filters import month_text, report_filters
from admin.reports.intake_clock import clock_targets
from admin.reports.participant_figures import participant_figures
from admin.reports.pictures import real_workplaces_chart, without_shared_start
from admin.services.disclosure import RULE_NOTE
from admin.services.reports import FILTER_NOTE, PARTICIPANT_FILTER_NOTE
from admin.views.filters import FILTER_LABELS, ReportChoices, filter_form, period_or_default
from marketplace.kernel import clock
from marketplace.kernel.auth import requires
from marketplace.kernel.templating import LABELS
from marketplace.kernel.views import page

report_readers = requires("admin", "coordinator", "analyst")
DASHBOARD_FILTER_NOTE = " Filter: spår avser deltagaren; värdtyp avser värden för bokningen."


def working_days(count: int) -> str:
    """A number of working days in Swedish: "1 arbetsdag", "2 arbetsdagar"."""
    return f"{count} arbetsdag" if count == 1 else f"{count} arbetsdagar"


@get("/oversikt", guards=[report_readers], include_in_schema=False, name="dashboard")
async def dashboard(
    request: Request[Any, Any, Any],
    start: Annotated[str, QueryParameter(max_length=10)] = "",
    end: Annotated[str, QueryParameter(max_length=10)] = "",
    track: Annotated[str, QueryParameter(max_length=20)] = "",
    host_kind: Annotated[str, QueryParameter(max_length=20)] = "",
) -> Template:
    today = clock.today()
    # The reports' one period rule (admin.reports.filters), as on /rapporter and in the API.
    chosen, values, errors = filter_form(
        ReportChoices, start=start, end=end, track=track, host_kind=host_kind
    )
    filters = period_or_default(
        chosen, errors, lambda a, b: report_filters(a, b, chosen.track, None, chosen.host_kind)
    )
    # Every figure shown passes the small-cell rule (its registry entry's `protect`).
    report = registry.BY_SLUG
    with registry.counted_together(today):  # the reports share figures: each counted once
        work = await report["to-work-or-studies"].published(filters, today)
        real = await report["real-workplaces"].published(filters, today)
        lead = await report["lead-times"].published(filters, today)
        lock_in = await report["lock-in"].published(filters, today)
        coverage = await report["unit-coverage"].published(filters, today)
        ledger = await report["host-ledger"].published(filters, today)
        exits = await report["exits"].published(filters, today)
        intake = await report["intake-clock"].published(filters, today)
    intake_hidden = set(intake.suppressed)
    meeting_target = clock_targets()["meeting"]
    # Protected by their own module; the placements started are the 85/15 report's total.
    own_pages = await participant_figures(
        filters, placements_hidden="placements" in real.suppressed
    )
    lead_hidden = set(lead.suppressed)
    # The lead-time chart's two bars: each median's cell path and its span.
    spans = [
        ("registration_to_first_proposal.median_days", lead.registration_to_first_proposal),
        ("proposal_to_start.median_days", lead.proposal_to_start),
    ]
    pictures = {
        "work": charts.bar_charts(
            "Personer till arbete eller studier per månad",
            "Stapel per månad, med strategins jämförelsetal som streckade linjer.",
            [m.month[2:] for m in work.months],
            [m.persons for m in work.months],
            [charts.Reference(r.label, r.value) for r in work.references],
            protected=charts.protected_bars(
                [f"months[{m.month}].persons" for m in work.months], work.protected
            ),
        ),
        "real": real_workplaces_chart("Andel placeringar på riktiga arbetsplatser", real),
        "lead": charts.bar_charts(
            "Ledtider i dagar, median",
            "Två staplar: inskrivning till första förslag, och förslag till start.",
            ["Till förslag", "Till start"],
            [None if path in lead_hidden else span.median_days or 0.0 for path, span in spans],
            unit=" dagar",
            unit_one=" dag",
            # No median where nothing was counted: a dash as in the table, not "0 dagar".
            empty=[
                i
                for i, (path, span) in enumerate(spans)
                if span.median_days is None and path not in lead_hidden
            ],
            protected=charts.protected_bars([path for path, _ in spans], lead.protected),
        ),
        "lock_in": charts.bar_charts(
            "Flaggor för inlåsning under perioden",
            "En stapel per slag av flagga.",
            [k.label for k in lock_in.by_kind],
            [k.raised for k in lock_in.by_kind],
            protected=charts.protected_bars(
                [f"by_kind[{k.kind}].raised" for k in lock_in.by_kind], lock_in.protected
            ),
        ),
        "coverage": charts.bar_charts(
            "Publicerade platser per kommunal enhet",
            "En stapel per enhet: publicerade platser, med enhetens mål som ett streck över "
            "stapeln.",
            without_shared_start([u.host_name for u in coverage.units]),
            [u.published for u in coverage.units],
            unit=" publicerade platser",
            marks=[None if u.target is None else float(u.target) for u in coverage.units],
        ),
        "ledger": charts.bar_charts(
            "Placeringar per värd",
            # The first twelve rows of the protected ledger, in its order: the shown numbers
            # largest first, then the hidden ones by name. Chosen by the exact numbers, the
            # twelve with most would say which hidden ones were larger.
            "Högst tolv värdar, i tabellens ordning: först de med flest placeringar under "
            "perioden, sedan i bokstavsordning de vars antal inte visas.",
            [h.host_name for h in ledger.hosts[:12]],
            [h.placements for h in ledger.hosts[:12]],
            protected=charts.protected_bars(
                [f"hosts[{h.host_id}].placements" for h in ledger.hosts[:12]], ledger.protected
            ),
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
            [charts.Reference(f"Mål: {working_days(meeting_target)}", float(meeting_target))],
            unit=" dagar",
            unit_one=" dag",
            # A month without applications has no median: a dash, as in the table, not "0".
            empty=[
                i
                for i, m in enumerate(intake.months)
                if m.steps[0].median_days is None
                and f"months[{m.month}].steps[meeting].median_days" not in intake_hidden
            ],
            protected=charts.protected_bars(
                [f"months[{m.month}].steps[meeting].median_days" for m in intake.months],
                intake.protected,
            ),
        ),
        "exits": charts.bar_charts(
            "Avslut per utfall",
            "En stapel per utfallskategori.",
            [e.label for e in exits.by_category],
            [e.count for e in exits.by_category],
            protected=charts.protected_bars(
                [f"by_category[{e.category}].count" for e in exits.by_category], exits.protected
            ),
        ),
    }
    return page(
        "admin/dashboard.html",
        request,
        status_code=400 if errors else 200,
        # The months counted, where a box was left empty ("Till" alone is that one month).
        values={**values, "start": values["start"] or month_text(filters.start)}
        | {"end": values["end"] or month_text(filters.end)},
        errors=errors,
        labels=FILTER_LABELS,
        # An address made for /rapporter (a coordinator chosen): this page has no such
        # filter, and says so rather than show everyone's figures as the coordinator's.
        no_coordinator_filter=any(
            request.query_params.get(name) for name in ("coordinator", "coordinator_id")
        ),
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
        # The reports' definitions speak of /rapporter's filters; this page has no
        # coordinator filter.
        here=lambda text: text.replace(FILTER_NOTE, DASHBOARD_FILTER_NOTE).replace(
            PARTICIPANT_FILTER_NOTE, " Filter: spår avser deltagaren."
        ),
    )


ROUTES = [dashboard]
