"""Host organisations, their contacts and supervisors, host users and municipal targets."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from employers import vocabulary
from marketplace.kernel.tables import User

HOST_KINDS = vocabulary.HOST_KINDS


class Host(Table, tablename="emp_host"):
    """A host organisation: company, municipal unit, association or public agency.

    Municipal units share their municipality's organisationsnummer, so a host is unique by
    (org_number, name), which the service enforces.
    """

    id: Serial
    name = Varchar(length=200, index=True)
    kind = Varchar(length=20, index=True)
    org_number = Varchar(length=11, default="", index=True)
    address = Varchar(length=200, default="")
    town = Varchar(length=100, default="", index=True)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    sector = Varchar(length=100, default="")
    needs = Text(default="", help_text="Kompetensbehov: what the host needs help with.")
    active = Boolean(default=True, help_text="A paused host keeps its account, no open slots.")
    digest_mail = Boolean(default=False, help_text="Daily digest instead of immediate mail.")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Contact(Table, tablename="emp_contact"):
    """A contact person or supervisor (handledare) at a host."""

    id: Serial
    host = ForeignKey(Host, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200)
    role = Varchar(length=100, default="")
    email = Varchar(length=320, default="")
    phone = Varchar(length=40, default="")
    is_supervisor = Boolean(default=True)
    supervision_capacity = Integer(default=1, help_text="Participants guided at the same time.")
    is_public_contact = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class HostMembership(Table, tablename="emp_membership"):
    """Links a user with role `host` to a host organisation they manage."""

    id: Serial
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    host = ForeignKey(Host, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class HostInvitation(Table, tablename="emp_invitation"):
    """A single-use, expiring invitation for a host user to set a password."""

    id: Serial
    host = ForeignKey(Host, null=False, on_delete=OnDelete.cascade)
    email = Varchar(length=320)
    name = Varchar(length=200, default="")
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class HostApplication(Table, tablename="emp_application"):
    """A public application to join as a host; waits for a coordinator or admin."""

    id: Serial
    org_name = Varchar(length=200)
    kind = Varchar(length=20)
    org_number = Varchar(length=11, default="")
    town = Varchar(length=100, default="")
    contact_name = Varchar(length=200)
    contact_email = Varchar(length=320)
    contact_phone = Varchar(length=40, default="")
    message = Text(default="")
    status = Varchar(length=20, default="pending", index=True)
    decided_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    host = ForeignKey(Host, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class UnitTarget(Table, tablename="emp_unit_target"):
    """A municipal unit's yearly target of places, set by the admin."""

    id: Serial
    host = ForeignKey(Host, null=False, on_delete=OnDelete.cascade, index=True)
    year = Integer()
    target = Integer()
    set_at = Timestamptz(default=TimestamptzNow())
    note = Varchar(length=200, default="")


__all__ = [
    "HOST_KINDS",
    "Contact",
    "Host",
    "HostApplication",
    "HostInvitation",
    "HostMembership",
    "UnitTarget",
]
