"""The rows the admins' reports and register select and pass between their functions, as
`TypedDict`s.

As in `placements.rows`: Piccolo hands every row back as `dict[str, Any]`; a service says
which shape it got where it selects (`typing.cast`) and every function after that takes and
returns the shape. A value read through a foreign key has the alias it is selected under.
`tests/admin/test_rows.py` checks them against the tables. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from marketplace.kernel.rows import PasswordLinkRow


class UserListRow(TypedDict):
    """A user as the admins' user pages list them (`users._COLUMNS`)."""

    id: int
    username: str
    first_name: str | None
    last_name: str | None
    email: str
    role: str
    team: str
    active: bool
    totp_enabled: bool
    created_at: dt.datetime


class ValidPasswordLink(PasswordLinkRow):
    """A password link still valid, with the name of the user it is for."""

    username: str


class NamedParticipant(TypedDict):
    """A participant as the log review names them (`audit.participants_named`)."""

    id: int
    first_name: str
    last_name: str
    personnummer: str


class PlacementEnd(TypedDict):
    """When a placement ended, or was agreed to end (`reports.end_day`)."""

    ended_at: dt.datetime | None
    end_date: dt.date | None


class ReportPlacementRow(PlacementEnd):
    """A placement as the reports count it (`reports.placement_rows`): the booking's dates
    and status and agreed weekly hours, and its slot's setting and host."""

    id: int
    candidate: int
    status: str
    proposed_at: dt.datetime
    started_at: dt.datetime | None
    start_date: dt.date | None
    setting: str
    hours_per_week: int | None
    host_id: int


class ClockBookingRow(TypedDict):
    """A participant's booking as the intake clock reads it: proposed, and started when."""

    candidate: int
    status: str
    proposed_at: dt.datetime
    started_at: dt.datetime | None
    start_date: dt.date | None


class ReportOutcomeRow(TypedDict):
    """An outcome as the reports count it (`reports.outcome_rows`)."""

    id: int
    candidate: int
    booking: int | None
    category: str
    hired_by_host: bool
    outcome_date: dt.date


class ProposalRow(TypedDict):
    """A proposal with the day its participant was registered (the lead times)."""

    id: int
    candidate: int
    proposed_at: dt.datetime
    registered_at: dt.date


# A row of any of the tables a register extract walks (`register._linked_rows`): which table,
# and so which columns, is known only when it runs, and the extract reads the columns by the
# names the table lists.
TableRow = dict[str, Any]
