"""Small builders for host organisations, members and contacts, shared by the employers and
placements tests. They write through the real tables; the API is what the tests exercise."""

from __future__ import annotations

from employers.tables import Contact, Host, HostMembership


async def make_host(
    name: str,
    kind: str = "company",
    *,
    org_number: str = "",
    town: str = "Vårgårda",
    active: bool = True,
) -> int:
    rows = await Host.insert(
        Host(name=name, kind=kind, org_number=org_number, town=town, active=active)
    ).returning(Host.id)
    return int(rows[0]["id"])


async def add_member(user_id: int, host_id: int) -> None:
    await HostMembership.insert(HostMembership(user=user_id, host=host_id))


async def make_contact(
    host_id: int,
    name: str,
    *,
    email: str = "",
    phone: str = "",
    public: bool = False,
    supervisor: bool = True,
) -> int:
    rows = await Contact.insert(
        Contact(
            host=host_id,
            name=name,
            email=email,
            phone=phone,
            is_public_contact=public,
            is_supervisor=supervisor,
        )
    ).returning(Contact.id)
    return int(rows[0]["id"])
