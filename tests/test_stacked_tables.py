"""A table that turns into cards on a phone (class "stacked") names each cell there by its
column (`data-label`): the partner's list showed a bare "–" for a missing birth year, and an
agreement's list its reference and period with no word of what they were."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = re.compile(r'<table class="[^"]*\bstacked\b[^"]*".*?</table>', re.S)
HEADER = re.compile(r'<th scope="col"[^>]*>(.*?)</th>', re.S)
ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
CELL = re.compile(r"<(td|th)\b([^>]*)>", re.S)


def test_every_cell_of_a_stacked_table_is_named_on_a_phone() -> None:
    """Except the row's first cell (its title, shown first) and a cell under a column whose
    heading is hidden (its actions), or one spanning columns (a row saying the list is empty)."""
    missing = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        for table in TABLE.findall(path.read_text("utf-8")):
            headings = HEADER.findall(table)
            body = table.split("</thead>", 1)[-1]
            for row in ROW.findall(body):
                for index, (kind, attributes) in enumerate(CELL.findall(row)):
                    if index == 0 or kind == "th" or "colspan" in attributes:
                        continue
                    if "data-label" in attributes:
                        continue
                    heading = headings[index] if index < len(headings) else ""
                    if "visually-hidden" in heading:
                        continue
                    missing.append(f"{path.relative_to(ROOT)}: {re.sub('<[^>]+>', '', heading)}")
    assert missing == []
