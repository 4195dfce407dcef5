"""The kernel's row types against its tables: a full row names every column with its type,
the smaller shapes have their columns' types, and `meta`'s attachments are what
`Attachment.to_meta` writes. Pure: no database."""

from __future__ import annotations

import typing

import pytest
from piccolo.table import Table

from marketplace.kernel import rows
from marketplace.kernel.mail import Attachment
from marketplace.kernel.tables import AuditEntry, OutboxMessage, PasswordLink
from tests.placements.test_rows import row_matches_table, shape_matches_table

PART_ROWS: dict[str, type[Table]] = {
    "DueRow": OutboxMessage,
    "MessageRow": OutboxMessage,
    "ClaimedRow": OutboxMessage,
}
# Not a table's row: what the JSON column `meta` holds.
NOT_ROWS = {"MailMeta", "AttachmentMeta"}


FULL_ROWS: dict[str, type[Table]] = {
    "OutboxRow": OutboxMessage,
    "AuditEntryRow": AuditEntry,
    "PasswordLinkRow": PasswordLink,
}


@pytest.mark.parametrize("name", sorted(FULL_ROWS))
def test_a_full_row_names_every_column_with_its_type(name: str) -> None:
    row_matches_table(getattr(rows, name), FULL_ROWS[name])


@pytest.mark.parametrize("name", sorted(PART_ROWS))
def test_a_part_of_a_row_has_its_columns_types(name: str) -> None:
    shape_matches_table(getattr(rows, name), PART_ROWS[name])


def test_an_attachment_goes_into_meta_and_back() -> None:
    attachment = Attachment(
        "möte.ics", "text/calendar", "BEGIN:VCALENDAR", (("method", "REQUEST"),)
    )
    meta = attachment.to_meta()
    assert set(meta) == set(typing.get_type_hints(rows.AttachmentMeta))
    assert Attachment.from_meta(meta) == attachment


def test_every_shape_of_the_module_is_checked() -> None:
    defined = {n for n, v in vars(rows).items() if typing.is_typeddict(v)}
    assert defined == set(FULL_ROWS) | set(PART_ROWS) | NOT_ROWS
