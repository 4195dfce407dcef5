"""The reports' row types against the tables they are selected from: each key a column (or,
under its alias, a column read through a foreign key), with the column's type; and each is
what its query selects. Pure: no database."""

from __future__ import annotations

import typing

import pytest
from piccolo.table import Table

from admin import rows
from placements.tables import Booking, Outcome
from tests.placements.test_rows import shape_matches_table

PART_ROWS: dict[str, type[Table]] = {
    "PlacementEnd": Booking,
    "ReportPlacementRow": Booking,
    "ReportOutcomeRow": Outcome,
    "ProposalRow": Booking,
    "ClockBookingRow": Booking,
}
ALIASES: dict[str, dict[str, str]] = {
    "ReportPlacementRow": {
        "setting": "slot.setting",
        "hours_per_week": "slot.hours_per_week",
        "host_id": "slot.host",
    },
    "ProposalRow": {"registered_at": "candidate.registered_at"},
}


@pytest.mark.parametrize("name", sorted(PART_ROWS))
def test_a_part_of_a_row_has_its_columns_types(name: str) -> None:
    shape_matches_table(getattr(rows, name), PART_ROWS[name], ALIASES.get(name))


def test_every_shape_of_the_module_is_checked() -> None:
    defined = {n for n, v in vars(rows).items() if typing.is_typeddict(v)}
    assert defined == set(PART_ROWS)
