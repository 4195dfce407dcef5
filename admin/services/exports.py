"""CSV and XLSX renderings of the reports and the audit log.

Each report becomes one table: a header row and data rows, preceded (in XLSX) by the title,
the definition and the filters, so that an exported file carries its own meaning. Cells that a
spreadsheet would run as a formula are defused by the one rule in `marketplace.spreadsheet`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import msgspec
import xlsxwriter

from admin import schemas
from admin.services import disclosure, reports
from marketplace import spreadsheet
from marketplace.spreadsheet import Cell


class Table(msgspec.Struct):
    title: str
    definition: str
    filters: list[tuple[str, str]]
    headers: list[str]
    rows: list[list[Cell]]


def _worded(value: Any) -> Any:
    """Yes and no as the reader says them."""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return value


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return spreadsheet.csv_text(headers, ([_worded(v) for v in row] for row in rows))


def _filters(f: schemas.ReportFilters) -> list[tuple[str, str]]:
    out = [("Period", f"{f.start.isoformat()} – {f.end.isoformat()}")]
    if f.track:
        out.append(("Spår", reports.TRACK_LABELS.get(f.track, f.track)))
    if f.coordinator_id is not None:
        out.append(("Samordnare", f"#{f.coordinator_id}"))
    if f.host_kind:
        out.append(("Värdtyp", reports.HOST_KIND_LABELS.get(f.host_kind, f.host_kind)))
    return out


def _hide(report: Any) -> Any:
    """A reader of the report's cells: the value, or "färre än 5" for a hidden one."""
    hidden = set(getattr(report, "suppressed", ()))

    def cell(path: str, value: Any) -> Cell:
        return disclosure.SUPPRESSED_TEXT if path in hidden else value

    return cell


def report_table(name: str, report: Any) -> Table:
    """The report as one table, with the columns a reader needs.

    Give it a report that went through `disclosure.protect`: its hidden cells read
    "färre än 5", and the rule travels with the file in `filters`.
    """
    headers: list[str]
    rows: list[list[Cell]]
    v = _hide(report)
    if isinstance(report, schemas.ToWorkOrStudies):
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
        rows.append(
            ["Genomsnitt per månad", v("average_per_month", report.average_per_month), None]
        )
        rows += [[r.label, r.value, None] for r in report.references]
    elif isinstance(report, schemas.ExitShares):
        headers = ["Utfall", "Antal"]
        rows = [
            [c.label, v(f"by_category[{c.category}].count", c.count)] for c in report.by_category
        ]
        rows += [
            ["Avslut totalt", v("exits", report.exits)],
            ["Till arbete eller studier", v("to_work_or_studies", report.to_work_or_studies)],
            ["Andel till arbete eller studier", v("share", report.share)],
        ]
    elif isinstance(report, schemas.RealWorkplaces):
        headers = ["Miljö", "Placeringar"]
        rows = [[s.label, v(f"by_setting[{s.setting}].count", s.count)] for s in report.by_setting]
        rows += [
            ["Placeringar totalt", v("placements", report.placements)],
            ["På riktiga arbetsplatser", v("on_real_workplaces", report.on_real_workplaces)],
            ["Andel på riktiga arbetsplatser", v("share", report.share)],
            ["Mål", report.target_share],
        ]
    elif isinstance(report, schemas.LeadTimes):
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
    elif isinstance(report, schemas.LockIn):
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
    elif isinstance(report, schemas.FollowUps):
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
            [r.days]
            + [
                v(f"rows[{r.days}].{f}", getattr(r, f))
                for f in (
                    "due",
                    "done",
                    "in_work_or_studies",
                    "overdue",
                    "share_done",
                    "share_in_work_or_studies",
                )
            ]
            for r in report.rows
        ]
    elif isinstance(report, schemas.AssessmentReturn):
        headers = ["Avslutade placeringar", "Inlämnade bedömningar", "Andel"]
        rows = [
            [
                v("ended_placements", report.ended_placements),
                v("returned", report.returned),
                v("rate", report.rate),
            ]
        ]
    elif isinstance(report, schemas.UnitCoverage):
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
            [
                u.host_name,
                u.target,
                u.registered,
                u.published,
                v(f"units[{u.host_id}].used", u.used),
                u.coverage,
                u.gap,
            ]
            for u in report.units
        ]
        rows.append(["Totalt", report.total_target, None, report.total_published, None, None, None])
    elif isinstance(report, schemas.HostLedger):
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
    else:  # pragma: no cover - every report type is listed above
        raise TypeError(type(report).__name__)
    return Table(
        title=reports.title(name),
        definition=report.definition,
        filters=[*_filters(report.filters), ("Sekretess", disclosure.RULE_NOTE)],
        headers=headers,
        rows=rows,
    )


def report_csv(table: Table) -> str:
    return csv_text(table.headers, table.rows)


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
    for values in table.rows:
        row += 1
        spreadsheet.write_xlsx_row(sheet, row, [_worded(v) for v in values])
    book.close()
    return out.getvalue()
