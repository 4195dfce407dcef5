"""Business actions and queries of the employers package, one module per topic:
`hosts` (organisations), `contacts` (contacts and supervisors), `invitations` (host users),
`applications` (the public form), `targets` (municipal units' yearly targets) and `orgnr`.

This module holds what they share: who may manage which host. Reading a host and checking the
caller's right to it is one call (`get_host_for`); another organisation's host is NotFound.
"""

from __future__ import annotations

from typing import cast

from employers.rows import HostRow
from employers.tables import Host, HostMembership
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.errors import NotFound

HOST_NOT_FOUND = "Värdorganisationen finns inte, eller så hör den inte till dig."


def can_act_for_any_host(user: AuthUser | None) -> bool:
    """Coordinators and admins act for every host."""
    return user is not None and user.role in {"admin", "coordinator"}


async def managed_host_ids(user: AuthUser | None) -> list[int] | None:
    """The host IDs the user manages; None means every host (coordinators and admins)."""
    if can_act_for_any_host(user):
        return None
    if user is None or user.role != "host":
        return []
    rows = await HostMembership.select(HostMembership.host).where(HostMembership.user == user.id)
    return sorted({int(r["host"]) for r in rows})


async def may_manage_host(user: AuthUser | None, host_id: int) -> bool:
    """True when the user may act for this host (existing or not)."""
    if can_act_for_any_host(user):
        return True
    if user is None or user.role != "host":
        return False
    return bool(
        await HostMembership.exists().where(
            (HostMembership.user == user.id) & (HostMembership.host == host_id)
        )
    )


async def get_host_for(user: AuthUser | None, host_id: int) -> HostRow:
    """The host row if the user may manage it; NotFound otherwise (also for another org's)."""
    if not await may_manage_host(user, host_id):
        raise NotFound(HOST_NOT_FOUND)
    row = await Host.select().where(Host.id == host_id).first()
    if row is None:
        raise NotFound(HOST_NOT_FOUND)
    return cast("HostRow", row)
