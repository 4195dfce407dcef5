"""Cells of every CSV and XLSX file the service hands out, defused against formula injection.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab or
carriage return before one of them) as a formula: a slot title `=HYPERLINK("https://…")` would
become a live link in a coordinator's Excel. Every export writes its cells through `safe_cell`,
which puts an apostrophe before such text, the mark spreadsheets read as "this is text". In
XLSX, text is also written as a string cell, so nothing in a file the service made is a formula.

`restore_cell` undoes the apostrophe, so a file exported here imports back unchanged: text
that already starts with apostrophes before a formula character gets one more on the way out
and loses exactly one on the way in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from marketplace.kernel.figures import CsvVariant, csv_number

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def _looks_like_formula(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_START)


def safe_text(text: str) -> str:
    """Text as a spreadsheet shows it, never runs it."""
    return "'" + text if _looks_like_formula(text) else text


def restore_cell(text: str) -> str:
    """The text `safe_text` was given (for imports of files exported here)."""
    if text.startswith("'") and _looks_like_formula(text[1:]):
        return text[1:]
    return text


def safe_cell(value: Any) -> Cell:
    """A value as a cell: numbers stay numbers, None stays empty, anything else is safe text.

    Booleans are the caller's to word ("ja"/"nej", "true"/"false") before they get here.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return safe_text(str(value).lower())
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def csv_text(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    variant: CsvVariant = "rfc4180",
    **fmt: Any,
) -> str:
    """A CSV file: the header row and the rows, every cell through `safe_cell`.

    `variant="swedish"` separates cells with semicolons and writes numbers with a decimal
    comma, as Excel set to Swedish reads them (the caller adds the byte order mark when it
    encodes); the default is RFC 4180 with commas and decimal points, which the slot exchange
    format (docs/slot-exchange-format.md) keeps unchanged. Numbers are never defused: they
    are the service's own numbers."""
    out = io.StringIO(newline="")
    if variant == "swedish":
        fmt = {"delimiter": ";", **fmt}
    writer = csv.writer(out, **fmt)
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        cells: list[str | int | float] = []
        for value in row:
            cell = safe_cell(value)
            if cell is None:
                cells.append("")
            elif isinstance(cell, str):
                cells.append(cell)
            elif variant == "swedish":
                cells.append(csv_number(cell, variant))
            else:
                cells.append(cell)
        writer.writerow(cells)
    return out.getvalue()


def write_xlsx_row(
    sheet: Any, row: int, values: Sequence[Any], cell_format: Any = None, *, first_col: int = 0
) -> None:
    """One row of an xlsxwriter sheet: text as string cells (never formulas), numbers as
    numbers, None as an empty cell."""
    for col, raw in enumerate(values, start=first_col):
        cell = safe_cell(raw)
        if isinstance(cell, str):
            sheet.write_string(row, col, cell, cell_format)
        elif cell is not None:
            sheet.write_number(row, col, cell, cell_format)
        elif cell_format is not None:
            sheet.write_blank(row, col, None, cell_format)
