"""CSV and XLSX renderings of the reports and the audit log.

Each report becomes one table (`report_table`, given the report's `<report>_columns` function,
which its module in `admin.reports` holds beside its query and its registry entry names): a
header row and data rows, preceded (in XLSX and the Swedish CSV, `title_rows`) by the title,
the definition, the period in words and the filters, so that an exported file carries its own
meaning. Every figure
in a table is a `Figure` with the kind its report declares (`reports.FIGURE_KINDS`), and the
page, the CSV and the XLSX write it by that kind (`marketplace.kernel.figures`). Cells that a
spreadsheet would run as a formula are defused by the one rule in `marketplace.kernel.spreadsheet`.

CSV comes in two variants (`marketplace.kernel.figures`): `swedish`, the default (semicolons, decimal
comma, UTF-8 with a byte order mark), and `rfc4180` (commas, decimal point, UTF-8 without one).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
import xlsxwriter

from admin import schemas
from admin.services import disclosure, reports
from marketplace.kernel import figures, spreadsheet
from marketplace.kernel.disclosure import hidden_text
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


# Litestar appends "; charset=utf-8" to every text/ type it answers: the header was
# "text/csv; charset=utf-8; header=present; charset=utf-8", charset twice.
CSV_MEDIA_TYPE = "text/csv"


def page_cell(value: TableCell) -> str:
    """A table cell as the report page shows it: a figure by its kind, text as it is."""
    if isinstance(value, Figure):
        return figures.text(value.value, value.kind)
    if value is None:
        return "–"
    return str(_worded(value))


def _filters(f: schemas.AskedFilters, coordinator: str = "") -> list[tuple[str, str]]:
    out = [("Period", reports.period_words(f.start, f.end))]
    if f.track:
        out.append(("Spår", reports.TRACK_LABELS.get(f.track, f.track)))
    chosen = f.coordinator_id if isinstance(f, schemas.ReportFilters) else f.coordinator
    if chosen is not None:
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
    """A reader of the report's cells: the value, or for a hidden one "färre än 5" (a count
    of 1–4) or "dold" (any other hidden figure)."""
    hidden = set(getattr(report, "suppressed", ()))
    protected = set(getattr(report, "protected", ()))

    def cell(path: str, value: Any) -> Figure:
        shown = hidden_text(path, protected) if path in hidden else value
        return Figure(value=shown, kind=reports.kind_of(path))

    return cell


def figures_of(v: CellReader, key: str, item: Any, *fields: str) -> list[TableCell]:
    """The item's figures in `fields`, each read at its cell path: `key.field`, or the bare
    field for the report's own figures (`key` "")."""
    return [v(disclosure.cell_path(key, name), getattr(item, name)) for name in fields]


def totals(
    v: CellReader, report: Any, *rows: tuple[str, str], width: int = 2
) -> list[list[TableCell]]:
    """A row per (label, field) of the report's own figures: the label, the figure, and empty
    cells up to `width` columns."""
    return [
        [label, *figures_of(v, "", report, field), *[None] * (width - 2)] for label, field in rows
    ]


def report_table(
    title: str, columns: Callable[[Any, CellReader], Columns], report: Any, coordinator: str = ""
) -> Table:
    """The report as one table, with the columns a reader needs (its `…_columns` function),
    its title, definition and filters.

    Give it a report that went through its `protect`: its hidden cells read "färre än 5" or
    "dold", and the rule travels with the file in `filters`.
    """
    headers, rows = columns(report, cell_reader(report))
    return Table(
        title=title,
        definition=report.definition,
        filters=[*_filters(report.filters, coordinator), ("Sekretess", disclosure.RULE_NOTE)],
        headers=headers,
        rows=rows,
    )


def report_file_name(
    stem: str, filters: schemas.ReportFilters, coordinator: str, extension: str
) -> str:
    """A report's download name: its stem, its period and every filter that narrows it, so
    that two downloads of one report with different filters are told apart where they land
    ("placeringar_2026-01-01_2026-12-31_kompetens_kommunal-enhet.csv"). The XLSX and the
    Swedish CSV also list them above the table (`title_rows`); the RFC 4180 CSV, for
    programs, holds the table alone."""
    parts = [stem, filters.start.isoformat(), filters.end.isoformat()]
    if filters.track:
        parts.append(_file_word(reports.TRACK_LABELS.get(filters.track, filters.track)))
    if coordinator:
        parts.append(_file_word(coordinator))
    if filters.host_kind:
        parts.append(_file_word(reports.HOST_KIND_LABELS.get(filters.host_kind, "")))
    return "_".join(p for p in parts if p) + f".{extension}"


def _file_word(text: str) -> str:
    """Words as a file name carries them: plain letters and digits, a hyphen between words
    ("Stöd och matchning" → "stod-och-matchning")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40].strip("-")


def report_csv(table: Table, variant: CsvVariant = "swedish") -> str:
    """The report as CSV. The Swedish variant, the file a person opens in Excel, starts as
    the XLSX sheet does (`title_rows`: the title, the definition, the period, the filters
    chosen and the small-cell rule), then an empty row and the table, so that the file says
    what it covers. The RFC 4180 variant is for programs, which read the table from its
    first row: it holds the table alone, its period and filters in its file name
    (`report_file_name`)."""
    body = csv_text(table.headers, table.rows, variant)
    if variant != "swedish":
        return body
    title, *rest = title_rows(table)
    return csv_text(title, [*rest, []], variant) + body


def title_rows(table: Table) -> list[list[str]]:
    """The rows above a report's table, in the XLSX and the Swedish CSV alike: the title,
    the definition, then a (label, value) row for the period, each filter chosen and the
    small-cell rule."""
    return [[table.title], [table.definition], *([label, value] for label, value in table.filters)]


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
