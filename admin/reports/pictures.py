"""The charts the report page (`/rapporter`) draws above a report's table, one function per
report that has one; the others are best read as a table. Every chart is drawn from the
protected report, so a hidden figure is a gap, never a bar."""

from __future__ import annotations

from markupsafe import Markup

from admin import charts, schemas
from marketplace.kernel.disclosure import hidden_text


def _num(value: int | None) -> float | None:
    return None if value is None else float(value)


def to_work_or_studies_chart(title: str, report: schemas.ToWorkOrStudies) -> Markup:
    """A bar per month, with the strategy's baselines as dashed lines."""
    return charts.bar_charts(
        title,
        "Stapeldiagram: antal personer till arbete eller studier per månad, med strategins "
        "baslinjer som streckade linjer. Siffrorna finns i tabellen under diagrammet.",
        [m.month for m in report.months],
        [_num(m.persons) for m in report.months],
        [charts.Reference(r.label, r.value) for r in report.references],
        protected=charts.protected_bars(
            [f"months[{m.month}].persons" for m in report.months], report.protected
        ),
    )


def exits_chart(title: str, report: schemas.ExitShares) -> Markup:
    """A bar per outcome category."""
    return charts.bar_charts(
        title,
        "Stapeldiagram: antal avslut per utfallskategori. Siffrorna finns i tabellen.",
        [c.label for c in report.by_category],
        [_num(c.count) for c in report.by_category],
        protected=charts.protected_bars(
            [f"by_category[{c.category}].count" for c in report.by_category], report.protected
        ),
    )


def real_workplaces_chart(title: str, report: schemas.RealWorkplaces) -> Markup:
    """The share on real workplaces against the target."""
    share = (
        hidden_text("share", report.protected)
        if "share" in report.suppressed
        else charts.percent(report.share)
    )
    return charts.share_bars(
        title,
        f"Andel placeringar på riktiga arbetsplatser: {share}, "
        f"mål {charts.percent(report.target_share)}.",
        report.share,
        report.target_share,
        missing=share,
    )


def unit_coverage_chart(title: str, report: schemas.UnitCoverage) -> Markup | None:
    """A bar per municipal unit: its published places, and its target as a mark across the
    bar (none without units)."""
    if not report.units:
        return None
    names = [u.host_name for u in report.units]
    return charts.bar_charts(
        title,
        "Stapeldiagram: publicerade platser per kommunal enhet, med enhetens mål som ett "
        "streck över stapeln. Gapet finns i tabellen.",
        without_shared_start(names),
        [float(u.published) for u in report.units],
        unit=" publicerade platser",
        marks=[None if u.target is None else float(u.target) for u in report.units],
    )


def without_shared_start(names: list[str]) -> list[str]:
    """The names without the start they all share up to a comma ("Vårgårda kommun, "): the
    bars' labels are cut at 24 letters, and every unit read "Vårgårda kommun, Hemtjä…"."""
    if len(names) < 2:
        return names
    first, *rest = names
    cut = first.rfind(", ", 0, min(len(n) for n in names)) + 2
    while cut > 1 and not all(n[:cut] == first[:cut] for n in rest):
        cut = first.rfind(", ", 0, cut - 2) + 2
    if cut <= 1 or any(len(n) <= cut for n in names):
        return names
    return [n[cut:] for n in names]
