"""The rows the employers package selects and passes between its services, as `TypedDict`s.

As in `placements.rows`: Piccolo hands every row back as `dict[str, Any]`; a service says
which shape it got where it selects (`typing.cast`) and every function after that takes and
returns the shape. A `...Row` is every column of its table; the smaller shapes are what a
function needs of a row, so that a full row and a narrower select both fit. Foreign keys are
ids. `tests/employers/test_rows.py` checks them against the tables. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict


class Place(TypedDict):
    """Where a host or a slot is: the town and its coordinates (`hosts.changed_place`)."""

    town: str
    latitude: float | None
    longitude: float | None


class HostIdentity(TypedDict):
    """What an application is compared with to find a host it may duplicate."""

    name: str
    org_number: str
    town: str


class HostRow(Place):
    """A host organisation (`emp_host`), every column."""

    id: int
    name: str
    kind: str
    org_number: str
    address: str
    sector: str
    needs: str
    active: bool
    digest_mail: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactRow(TypedDict):
    """A host's contact person or supervisor (`emp_contact`), every column."""

    id: int
    host: int
    name: str
    role: str
    email: str
    phone: str
    is_supervisor: bool
    supervision_capacity: int
    is_public_contact: bool
    active: bool
    created_at: dt.datetime


class InvitationRow(TypedDict):
    """An invitation for a host user (`emp_invitation`), every column."""

    id: int
    host: int
    email: str
    name: str
    token_hash: str
    invited_by: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None


class ApplicationNotice(TypedDict):
    """What the staff's mail about a new application names (`applications._notify_staff`)."""

    org_name: str
    org_number: str
    town: str
    contact_name: str


class HostApplicationRow(ApplicationNotice):
    """An application to join as a host (`emp_application`), every column."""

    id: int
    kind: str
    contact_email: str
    contact_phone: str
    message: str
    status: str
    decided_by: int | None
    decided_at: dt.datetime | None
    decision_note: str
    host: int | None
    created_at: dt.datetime
