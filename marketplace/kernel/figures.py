"""How a figure is written, by its kind: one rule for pages, charts, CSV and XLSX.

A figure's kind is declared once, where the figure is defined (for the reports,
`admin.services.reports.FIGURE_KINDS`); nothing guesses it from the value. A share is a
fraction (0.6667) shown as "66,7 %"; an average (0.33 persons a month) is a number shown as
"0,33", never as a percentage, even though it lies between 0 and 1.

- count: a number of persons, placements, places ("1 234").
- hours: a number of hours ("894").
- days: a median number of days, to one decimal ("12,5").
- average: a rate such as persons per month, to two decimals ("0,33").
- share: a fraction of a whole, shown as a percentage to one decimal ("66,7 %").

CSV has two variants: `swedish` (the default: semicolons, decimal comma, UTF-8 with a byte
order mark, which Excel set to Swedish opens as it is) and `rfc4180` (commas, decimal point,
UTF-8 without a byte order mark, for programs). A share is the fraction in both, like in the
API; XLSX stores numbers as numbers with a number format for the kind.
"""

from __future__ import annotations

from typing import Literal, get_args

Kind = Literal["count", "hours", "days", "average", "share"]
KINDS: tuple[str, ...] = get_args(Kind)
CsvVariant = Literal["swedish", "rfc4180"]
CSV_VARIANTS: tuple[str, ...] = get_args(CsvVariant)

NBSP = "\u00a0"
DECIMALS: dict[str, int] = {"count": 0, "hours": 0, "days": 1, "average": 2, "share": 1}
# Excel number formats, written with the file's own (English) codes; Excel shows them in
# the reader's locale.
XLSX_FORMATS: dict[str, str] = {
    "count": "#,##0",
    "hours": "#,##0",
    "days": "0.0",
    "average": "0.00",
    "share": "0.0%",
}


def _trimmed(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", NBSP).replace(".", ",")


def text(value: float | int | str | None, kind: Kind) -> str:
    """The figure as a page shows it: "1 234", "0,33", "12,5", "66,7 %"; None is "–".

    Text (such as "färre än 5" for a hidden figure) is shown as it is."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if kind not in DECIMALS:
        raise ValueError(f"unknown figure kind {kind!r}")
    if kind == "share":
        return f"{value * 100:.1f}".replace(".", ",") + NBSP + "%"
    if kind in ("count", "hours"):
        return _trimmed(float(round(value)), 0)
    return _trimmed(float(value), DECIMALS[kind])


def csv_number(value: int | float, variant: CsvVariant) -> str:
    """A number as a CSV cell: no thousands separator, full precision, and a decimal comma
    in the Swedish variant ("0,6667"), a decimal point in RFC 4180 ("0.6667")."""
    if isinstance(value, bool):  # pragma: no cover - booleans are worded before they get here
        raise TypeError("bool")
    raw = str(value) if isinstance(value, int) else repr(float(value))
    if raw.endswith(".0"):
        raw = raw[:-2]
    return raw.replace(".", ",") if variant == "swedish" else raw
