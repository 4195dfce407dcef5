"""The booking core's row types against the tables they describe: a `...Row` names every
column of its table, no other key, and says `None` exactly where the column is nullable, with
the Python type the column hands back. A migration that adds or changes a column fails here
until the row type follows. Pure: the tables' definitions only, no database."""

from __future__ import annotations

import datetime as dt
import types
import typing

import pytest
from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Column,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from employers.tables import Contact, Host, HostMembership
from marketplace.kernel.tables import User
from placements import rows, tables

FULL_ROWS: dict[str, type[Table]] = {
    "BookingRow": tables.Booking,
    "BookingEventRow": tables.BookingEvent,
    "AnswerLinkRow": tables.AnswerLink,
    "SlotRow": tables.Slot,
    "CandidateRow": tables.Candidate,
    "HealthNoteRow": tables.HealthNote,
    "PlanActivityRow": tables.PlanActivity,
    "AgreementRow": tables.Agreement,
    "SignatureRow": tables.Signature,
    "AssessmentRow": tables.Assessment,
    "OutcomeRow": tables.Outcome,
    "AttendanceWeekRow": tables.AttendanceWeek,
    "ApplicationRow": tables.Application,
    "PlanningMeetingRow": tables.PlanningMeeting,
    "LockInFlagRow": tables.LockInFlag,
}

# The Python type each kind of column hands back on both engines (a JSON column: its text).
PYTHON_TYPE: list[tuple[type[Column], type]] = [
    (Serial, int),
    (ForeignKey, int),
    (BigInt, int),
    (Integer, int),
    (Boolean, bool),
    (DoublePrecision, float),
    (Timestamptz, dt.datetime),
    (Date, dt.date),
    (JSON, str),
    (Varchar, str),
    (Text, str),
]


def _python_type(column: Column) -> type:
    for kind, python in PYTHON_TYPE:
        if isinstance(column, kind):
            return python
    raise AssertionError(f"no Python type for {type(column).__name__}")


def _parts(hint: object) -> set[type]:
    """The types a hint allows: `int | None` → {int, NoneType}; a `Literal` of strings → {str}."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return set().union(*(_parts(arg) for arg in typing.get_args(hint)))
    if typing.get_origin(hint) is typing.Literal:
        return {type(value) for value in typing.get_args(hint)}
    assert isinstance(hint, type), hint
    return {hint}


def row_matches_table(row: type, table: type[Table]) -> None:
    """A full row: every column of the table, no other key, each with its column's type."""
    hints = typing.get_type_hints(row)
    columns = {column._meta.name: column for column in table._meta.columns}
    assert set(hints) == set(columns)
    for key, column in columns.items():
        expected = {_python_type(column)} | ({type(None)} if column._meta.null else set())
        assert _parts(hints[key]) == expected, key


@pytest.mark.parametrize("name", sorted(FULL_ROWS))
def test_a_full_row_names_every_column_with_its_type(name: str) -> None:
    row_matches_table(getattr(rows, name), FULL_ROWS[name])


def test_a_row_with_joined_names_is_its_table_and_the_names() -> None:
    """The follow-up, the monthly statement's booking and the slot with its host carry every
    column and a few joined values; the columns part follows the table like a full row."""
    follow_up = set(typing.get_type_hints(rows.FollowUpRow))
    assert follow_up - {"first_name", "last_name"} == {
        c._meta.name for c in tables.FollowUp._meta.columns
    }
    month = set(typing.get_type_hints(rows.PlacementMonthRow))
    assert month - {"slot_title", "host_name"} == set(typing.get_type_hints(rows.BookingRow))


def test_a_slot_with_its_host_name_is_a_slot_and_the_name() -> None:
    hints = typing.get_type_hints(rows.NamedHostSlotRow)
    assert set(hints) - {"host_name"} == set(typing.get_type_hints(rows.SlotRow))
    assert hints["host_name"] is str and not Host._meta.get_column_by_name("name")._meta.null


def test_a_slot_with_its_host_has_the_host_columns_types() -> None:
    hints = typing.get_type_hints(rows.HostedSlotRow)
    assert set(hints) - {"host_name", "host_kind", "host_town", "host_active"} == set(
        typing.get_type_hints(rows.SlotRow)
    )
    host = {column._meta.name: column for column in Host._meta.columns}
    for alias in ("host_name", "host_kind", "host_town", "host_active"):
        column = host[alias.removeprefix("host_")]
        assert not column._meta.null
        assert _parts(hints[alias]) == {_python_type(column)}, alias


def test_the_queue_row_is_part_of_an_application() -> None:
    queue = typing.get_type_hints(rows.QueueRow)
    application = typing.get_type_hints(rows.ApplicationRow)
    assert {key: application[key] for key in queue} == queue


# The shapes that are part of a table's row, some with columns read through a foreign key
# under Piccolo's dotted name ("agreement.agency.name").
PART_ROWS: dict[str, type[Table]] = {
    "BookingDates": tables.Booking,
    "BookingHead": tables.Booking,
    "BookingEnd": tables.Booking,
    "PlacementHoursRow": tables.Booking,
    "LedgerPlacementRow": tables.Booking,
    "HeldSeat": tables.Booking,
    "SlotHosting": tables.Slot,
    "SlotRoom": tables.Slot,
    "CandidateName": tables.Candidate,
    "CandidateAdaptations": tables.Candidate,
    "CandidateGoal": tables.Candidate,
    "CandidateContact": tables.Candidate,
    "AgreementCandidate": tables.Candidate,
    "AgreementPeriod": tables.Agreement,
    "SharedAssessment": tables.Assessment,
    "WeekCounts": tables.AttendanceWeek,
    "ApplicationClock": tables.Application,
    "QueueRow": tables.Application,
    "AgreementValidity": tables.LocalAgreement,
    "LocalAgreementRow": tables.LocalAgreement,
    "ConsentRow": tables.PartnerConsent,
    "SharedConsentRow": tables.PartnerConsent,
    "OpenConsentRow": tables.PartnerConsent,
    "AgencyRef": tables.PartnerAgency,
    "StoredSlot": tables.Slot,
    "HostMatch": Host,
    "UserAddress": User,
    "UserGreeting": User,
    "ContactCard": Contact,
    "AgreementHead": tables.Agreement,
    "HostUserAddress": HostMembership,
    "NamedLockInFlagRow": tables.LockInFlag,
}
# The values read through a foreign key under an alias: the alias and the column it names.
ALIASES: dict[str, dict[str, str]] = {
    "HostUserAddress": {"user_id": "user.id", "email": "user.email"},
    "NamedLockInFlagRow": {
        "first_name": "candidate.first_name",
        "last_name": "candidate.last_name",
    },
}
# Checked by their own tests below and above: rows with values a join adds under an alias.
JOINED = {"FollowUpRow", "PlacementMonthRow", "HostedSlotRow", "NamedHostSlotRow"}
# Not a table's row: what a service computes, and the changes an agreement's update writes.
NOT_ROWS = {"PlacementWords", "AgreementChanges"}


def _column(table: type[Table], dotted: str) -> Column:
    """The column a (dotted) key names, following foreign keys that cannot be null."""
    *through, name = dotted.split(".")
    for step in through:
        key = table._meta.get_column_by_name(step)
        assert isinstance(key, ForeignKey) and not key._meta.null, dotted
        table = key._foreign_key_meta.resolved_references
    return table._meta.get_column_by_name(name)


def shape_matches_table(
    shape: type, table: type[Table], aliases: dict[str, str] | None = None
) -> None:
    """A part of a row: each key a column of the table (or, under an alias, read through a
    foreign key), with the column's type."""
    for key, hint in typing.get_type_hints(shape).items():
        column = _column(table, (aliases or {}).get(key, key))
        expected = {_python_type(column)} | ({type(None)} if column._meta.null else set())
        assert _parts(hint) == expected, key


@pytest.mark.parametrize("name", sorted(PART_ROWS))
def test_a_part_of_a_row_has_its_columns_types(name: str) -> None:
    shape_matches_table(getattr(rows, name), PART_ROWS[name], ALIASES.get(name))


def test_every_shape_of_the_module_is_checked() -> None:
    defined = {n for n, v in vars(rows).items() if typing.is_typeddict(v)}
    assert defined == set(FULL_ROWS) | set(PART_ROWS) | JOINED | NOT_ROWS
