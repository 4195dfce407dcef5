"""The employers' row types against the tables they describe: a `...Row` names every column of
its table, no other key, and says `None` exactly where the column is nullable, with the Python
type the column hands back; a smaller shape has its columns' types. A migration that adds or
changes a column fails here until the row type follows. Pure: no database."""

from __future__ import annotations

import typing

import pytest
from piccolo.table import Table

from employers import rows
from employers.tables import Contact, Host, HostApplication, HostInvitation
from tests.placements.test_rows import row_matches_table, shape_matches_table

FULL_ROWS: dict[str, type[Table]] = {
    "HostRow": Host,
    "ContactRow": Contact,
    "InvitationRow": HostInvitation,
    "HostApplicationRow": HostApplication,
}
PART_ROWS: dict[str, type[Table]] = {
    "Place": Host,
    "HostIdentity": Host,
    "ApplicationNotice": HostApplication,
}


@pytest.mark.parametrize("name", sorted(FULL_ROWS))
def test_a_full_row_names_every_column_with_its_type(name: str) -> None:
    row_matches_table(getattr(rows, name), FULL_ROWS[name])


@pytest.mark.parametrize("name", sorted(PART_ROWS))
def test_a_part_of_a_row_has_its_columns_types(name: str) -> None:
    shape_matches_table(getattr(rows, name), PART_ROWS[name])


def test_every_shape_of_the_module_is_checked() -> None:
    defined = {n for n, v in vars(rows).items() if typing.is_typeddict(v)}
    assert defined == set(FULL_ROWS) | set(PART_ROWS)
