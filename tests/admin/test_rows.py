"""The reports' row types against the tables they are selected from: each key a column (or,
under its alias, a column read through a foreign key), with the column's type; and each is
what its query selects. Pure: no database."""

from __future__ import annotations

import typing

import pytest
from piccolo.table import Table

from admin import rows
from admin.services.users import _COLUMNS
from marketplace.kernel.tables import PasswordLink, User
from placements.tables import Booking, Candidate, Outcome
from tests.placements.test_rows import shape_matches_table

PART_ROWS: dict[str, type[Table]] = {
    "PlacementEnd": Booking,
    "ReportPlacementRow": Booking,
    "ReportOutcomeRow": Outcome,
    "ProposalRow": Booking,
    "ClockBookingRow": Booking,
    "UserListRow": User,
    "NamedParticipant": Candidate,
}
ALIASES: dict[str, dict[str, str]] = {
    "ReportPlacementRow": {
        "setting": "slot.setting",
        "host_id": "slot.host",
    },
    "ProposalRow": {"registered_at": "candidate.registered_at"},
}


@pytest.mark.parametrize("name", sorted(PART_ROWS))
def test_a_part_of_a_row_has_its_columns_types(name: str) -> None:
    shape_matches_table(getattr(rows, name), PART_ROWS[name], ALIASES.get(name))


def test_the_user_list_row_is_what_the_user_pages_select() -> None:
    selected = {column._meta.name for column in _COLUMNS}
    assert set(typing.get_type_hints(rows.UserListRow)) == selected


def test_a_valid_password_link_is_the_link_and_its_user_name() -> None:
    hints = typing.get_type_hints(rows.ValidPasswordLink)
    assert set(hints) - {"username"} == {c._meta.name for c in PasswordLink._meta.columns}
    assert hints["username"] is str and not User.username._meta.null


def test_every_shape_of_the_module_is_checked() -> None:
    defined = {n for n, v in vars(rows).items() if typing.is_typeddict(v)}
    # PasswordLinkRow is the kernel's, imported to be extended.
    assert defined == set(PART_ROWS) | {"ValidPasswordLink", "PasswordLinkRow"}
