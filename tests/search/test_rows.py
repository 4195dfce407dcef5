"""The search's row types against the slot table: each key a column of `pl_slot` (the host's
values read through the host under an alias), with the column's type. Pure: no database."""

from __future__ import annotations

import typing

import pytest
from piccolo.table import Table

from placements.tables import Slot
from search import rows
from tests.placements.test_rows import shape_matches_table

PART_ROWS: dict[str, type[Table]] = {"SlotKeysRow": Slot, "SlotDocRow": Slot}
ALIASES = {
    "SlotDocRow": {
        "host_name": "host.name",
        "host_kind": "host.kind",
        "host_active": "host.active",
    }
}


@pytest.mark.parametrize("name", sorted(PART_ROWS))
def test_a_part_of_a_row_has_its_columns_types(name: str) -> None:
    shape_matches_table(getattr(rows, name), PART_ROWS[name], ALIASES.get(name))


def test_the_document_row_is_what_the_index_selects() -> None:
    from search.services import _DOC_COLUMNS

    selected = {column._alias or column._meta.name for column in _DOC_COLUMNS}
    assert set(typing.get_type_hints(rows.SlotDocRow)) == selected


def test_every_shape_of_the_module_is_checked() -> None:
    defined = {n for n, v in vars(rows).items() if typing.is_typeddict(v)}
    assert defined == set(PART_ROWS)
