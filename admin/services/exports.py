"""CSV and XLSX renderings of the reports and the audit log.

Each report becomes one table (its `<report>_columns` function here, named by its registry
entry in `admin.reports.registry`): a header row and data rows, preceded (in XLSX) by the title,
the definition and the filters, so that an exported file carries its own meaning. Every figure
in a table is a `Figure` with the kind its report declares (`reports.FIGURE_KINDS`), and the
page, the CSV and the XLSX write it by that kind (`marketplace.kernel.figures`). Cells that a
spreadsheet would run as a formula are defused by the one rule in `marketplace.kernel.spreadsheet`.

CSV comes in two variants (`marketplace.kernel.figures`): `swedish`, the default (semicolons, decimal
comma, UTF-8 with a byte order mark), and `rfc4180` (commas, decimal point, UTF-8 without one).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
import xlsxwriter

from admin import schemas
from admin.services import disclosure, reports
from marketplace.kernel import figures, spreadsheet
from marketplace.kernel.figures import CsvVariant, Kind
from marketplace.kernel.spreadsheet import Cell


class Figure(msgspec.Struct, frozen=True):
    """A figure in a table: its value (or "färre än 5" when hidden) and its declared kind."""

    value: Cell
    kind: Kind


TableCell = Cell | Figure


class Table(msgspec.Struct):
    title: str
    definition: str
    filters: list[tuple[str, str]]
    headers: list[str]
    rows: list[list[TableCell]]


def _worded(value: Any) -> Any:
    """Yes and no as the reader says them; a figure as its value."""
    if isinstance(value, Figure):
        return value.value
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return value


def csv_text(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], variant: CsvVariant = "swedish"
) -> str:
    """A report or audit CSV in the chosen variant (Swedish Excel's by default)."""
    return spreadsheet.csv_text(
        headers, ([_worded(v) for v in row] for row in rows), variant=variant
    )


def csv_bytes(text: str, variant: CsvVariant) -> bytes:
    """The file's bytes: with a byte order mark for Swedish Excel, without for RFC 4180."""
    return text.encode("utf-8-sig" if variant == "swedish" else "utf-8")


CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"


def page_cell(value: TableCell) -> str:
    """A table cell as the report page shows it: a figure by its kind, text as it is."""
    if isinstance(value, Figure):
        return figures.text(value.value, value.kind)
    if value is None:
        return "–"
    return str(_worded(value))


def _filters(f: schemas.ReportFilters, coordinator: str = "") -> list[tuple[str, str]]:
    out = [("Period", f"{f.start.isoformat()} – {f.end.isoformat()}")]
    if f.track:
        out.append(("Spår", reports.TRACK_LABELS.get(f.track, f.track)))
    if f.coordinator_id is not None:
        # As the reader chose it in the filter list (a name, or "Samordnare 2" for an
        # analyst), never the account's internal id.
        out.append(("Samordnare", coordinator or "en vald samordnare"))
    if f.host_kind:
        out.append(("Värdtyp", reports.HOST_KIND_LABELS.get(f.host_kind, f.host_kind)))
    return out


CellReader = Callable[[str, Any], Figure]
"""Reads a report's cell by its path ("months[2026-01].persons") and value into a `Figure`."""
Columns = tuple[list[str], list[list[TableCell]]]
"""A report's header row and data rows."""


def cell_reader(report: Any) -> CellReader:
    """A reader of the report's cells: the value, or "färre än 5" for a hidden one."""
    hidden = set(getattr(report, "suppressed", ()))

    def cell(path: str, value: Any) -> Figure:
        shown = disclosure.SUPPRESSED_TEXT if path in hidden else value
        return Figure(value=shown, kind=reports.kind_of(path))

    return cell


def to_work_or_studies_columns(report: schemas.ToWorkOrStudies, v: CellReader) -> Columns:
    """A row per month, then the sum, the average and the baselines."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = ["Månad", "Personer till arbete eller studier", "Fastställt i månadsbokslut"]
    rows = [
        [
            m.month,
            v(f"months[{m.month}].persons", m.persons),
            v(f"months[{m.month}].snapshot", m.snapshot),
        ]
        for m in report.months
    ]
    rows.append(["Summa", v("total", report.total), None])
    rows.append(["Genomsnitt per månad", v("average_per_month", report.average_per_month), None])
    rows += [[r.label, v("references.value", r.value), None] for r in report.references]
    return headers, rows


def exits_columns(report: schemas.ExitShares, v: CellReader) -> Columns:
    """A row per outcome category, then the exits, those to work or studies and the share."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = ["Utfall", "Antal"]
    rows = [[c.label, v(f"by_category[{c.category}].count", c.count)] for c in report.by_category]
    rows += [
        ["Avslut totalt", v("exits", report.exits)],
        ["Till arbete eller studier", v("to_work_or_studies", report.to_work_or_studies)],
        ["Andel till arbete eller studier", v("share", report.share)],
    ]
    return headers, rows


def real_workplaces_columns(report: schemas.RealWorkplaces, v: CellReader) -> Columns:
    """A row per setting, then the placements, the real ones, the share and the target."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = ["Miljö", "Placeringar"]
    rows = [[s.label, v(f"by_setting[{s.setting}].count", s.count)] for s in report.by_setting]
    rows += [
        ["Placeringar totalt", v("placements", report.placements)],
        ["På riktiga arbetsplatser", v("on_real_workplaces", report.on_real_workplaces)],
        ["Andel på riktiga arbetsplatser", v("share", report.share)],
        ["Mål", v("target_share", report.target_share)],
    ]
    return headers, rows


def lead_times_columns(report: schemas.LeadTimes, v: CellReader) -> Columns:
    """A row per lead time: how many, and the median in days."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = ["Ledtid", "Antal", "Median (dagar)"]
    rows = [
        [
            label,
            v(f"{key}.count", lt.count),
            v(f"{key}.median_days", lt.median_days),
        ]
        for label, key, lt in (
            (
                "Inskrivning till första förslag",
                "registration_to_first_proposal",
                report.registration_to_first_proposal,
            ),
            ("Förslag till start", "proposal_to_start", report.proposal_to_start),
        )
    ]
    return headers, rows


def intake_clock_columns(report: schemas.IntakeClock, v: CellReader) -> Columns:
    """A row per month received and step."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = [
        "Månad",
        "Steg",
        "Mål (arbetsdagar)",
        "Antal",
        "Median (arbetsdagar)",
        "Inom målet",
        "Andel inom målet",
    ]
    rows = [
        [
            m.month,
            st.label,
            v("target_days", st.target_days),
            v(f"months[{m.month}].steps[{st.step}].count", st.count),
            v(f"months[{m.month}].steps[{st.step}].median_days", st.median_days),
            v(f"months[{m.month}].steps[{st.step}].within_target", st.within_target),
            v(f"months[{m.month}].steps[{st.step}].share", st.share),
        ]
        for m in report.months
        for st in m.steps
    ]
    return headers, rows


def lock_in_columns(report: schemas.LockIn, v: CellReader) -> Columns:
    """A row per kind of flag, then the totals."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = ["Flagga", "Väckta i perioden", "Öppna vid periodens slut"]
    rows = [
        [
            k.label,
            v(f"by_kind[{k.kind}].raised", k.raised),
            v(f"by_kind[{k.kind}].open_at_end", k.open_at_end),
        ]
        for k in report.by_kind
    ]
    rows.append(["Totalt", v("raised", report.raised), v("open_at_end", report.open_at_end)])
    return headers, rows


def follow_ups_columns(report: schemas.FollowUps, v: CellReader) -> Columns:
    """A row for 90 days and one for 180."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = [
        "Dagar efter avslut",
        "Förfallna i perioden",
        "Gjorda",
        "I arbete eller studier",
        "Försenade",
        "Andel gjorda",
        "Andel i arbete eller studier (av gjorda)",
    ]
    rows = [
        [
            v("rows.days", r.days),
            *(
                v(f"rows[{r.days}].{f}", getattr(r, f))
                for f in (
                    "due",
                    "done",
                    "in_work_or_studies",
                    "overdue",
                    "share_done",
                    "share_in_work_or_studies",
                )
            ),
        ]
        for r in report.rows
    ]
    return headers, rows


def assessments_columns(report: schemas.AssessmentReturn, v: CellReader) -> Columns:
    """One row: ended placements, returned assessments, the rate."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = ["Avslutade placeringar", "Inlämnade bedömningar", "Andel"]
    rows = [
        [
            v("ended_placements", report.ended_placements),
            v("returned", report.returned),
            v("rate", report.rate),
        ]
    ]
    return headers, rows


def unit_coverage_columns(report: schemas.UnitCoverage, v: CellReader) -> Columns:
    """A row per municipal unit, then the totals."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = [
        "Enhet",
        f"Mål {report.year}",
        "Registrerade",
        "Publicerade",
        "Använda",
        "Täckning",
        "Gap",
    ]
    rows = [
        [u.host_name]
        + [
            v(f"units[{u.host_id}].{c}", getattr(u, c))
            for c in ("target", "registered", "published", "used", "coverage", "gap")
        ]
        for u in report.units
    ]
    rows.append(
        [
            "Totalt",
            v("total_target", report.total_target),
            None,
            v("total_published", report.total_published),
            None,
            None,
            None,
        ]
    )
    return headers, rows


def host_ledger_columns(report: schemas.HostLedger, v: CellReader) -> Columns:
    """A row per host."""
    headers: list[str]
    rows: list[list[TableCell]]
    headers = [
        "Värd",
        "Typ",
        "Placeringar",
        "Timmar",
        "Inlämnade bedömningar",
        "Till arbete",
        "Anställda av värden",
    ]
    rows = [
        [h.host_name, reports.HOST_KIND_LABELS.get(h.host_kind, h.host_kind)]
        + [
            v(f"hosts[{h.host_id}].{c}", getattr(h, c))
            for c in (
                "placements",
                "hours",
                "assessments_returned",
                "went_to_work",
                "hired_by_host",
            )
        ]
        for h in report.hosts
    ]
    return headers, rows


def report_table(
    title: str, columns: Callable[[Any, CellReader], Columns], report: Any, coordinator: str = ""
) -> Table:
    """The report as one table, with the columns a reader needs (its `…_columns` function),
    its title, definition and filters.

    Give it a report that went through its `protect`: its hidden cells read "färre än 5",
    and the rule travels with the file in `filters`.
    """
    headers, rows = columns(report, cell_reader(report))
    return Table(
        title=title,
        definition=report.definition,
        filters=[*_filters(report.filters, coordinator), ("Sekretess", disclosure.RULE_NOTE)],
        headers=headers,
        rows=rows,
    )


def report_csv(table: Table, variant: CsvVariant = "swedish") -> str:
    return csv_text(table.headers, table.rows, variant)


def report_xlsx(table: Table) -> bytes:
    """One sheet: title, definition, filters, then the table with a header row."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Rapport")
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, max(1, len(table.headers) - 1), 18)
    spreadsheet.write_xlsx_row(
        sheet, 0, [table.title], book.add_format({"bold": True, "font_size": 14})
    )
    last = max(1, len(table.headers) - 1)
    sheet.merge_range(1, 0, 1, last, "", wrap)
    sheet.write_string(1, 0, spreadsheet.safe_text(table.definition), wrap)
    sheet.set_row(1, 15 * max(2, len(table.definition) // 90 + 1))
    row = 2
    for label, value in table.filters:
        spreadsheet.write_xlsx_row(sheet, row, [label], bold)
        spreadsheet.write_xlsx_row(sheet, row, [value], first_col=1)
        row += 1
    row += 1
    spreadsheet.write_xlsx_row(sheet, row, table.headers, bold)
    kind_formats = {k: book.add_format({"num_format": f}) for k, f in figures.XLSX_FORMATS.items()}
    for cells in table.rows:
        row += 1
        for col, cell in enumerate(cells):
            # A figure is a number with the format of its kind (a share shows as 66,7 %).
            if isinstance(cell, Figure) and isinstance(cell.value, int | float):
                sheet.write_number(row, col, cell.value, kind_formats[cell.kind])
            else:
                spreadsheet.write_xlsx_row(sheet, row, [_worded(cell)], first_col=col)
    book.close()
    return out.getvalue()
