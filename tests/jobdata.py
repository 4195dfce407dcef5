"""Rows for the scheduler and mail tests, written straight to the tables (no HTTP round trip)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from employers.tables import Contact, Host, HostMembership
from placements.tables import Booking, Candidate, Slot

UTC = dt.UTC


async def host(name: str = "Hemtjänst Norra", *, digest: bool = False) -> int:
    row = Host(name=name, kind="municipal_unit", town="Vårgårda", digest_mail=digest)
    await row.save()
    return int(row.id)


async def contact(host_id: int, email: str = "hanna@vard.example.se", name: str = "Hanna") -> int:
    row = Contact(host=host_id, name=name, email=email, is_supervisor=True)
    await row.save()
    return int(row.id)


async def member(host_id: int, user: Any) -> None:
    await HostMembership(user=user.id, host=host_id).save()


async def slot(
    host_id: int,
    *,
    title: str = "Lagerarbetare",
    status: str = "published",
    end_date: dt.date | None = None,
    supervisor: int | None = None,
) -> int:
    row = Slot(
        host=host_id,
        external_id=f"ext-{title}-{dt.datetime.now(UTC).timestamp()}",
        kind="praktik",
        title=title,
        town="Vårgårda",
        capacity=2,
        status=status,
        end_date=end_date,
        supervisor=supervisor,
    )
    await row.save()
    return int(row.id)


async def candidate(coordinator_id: int | None, first_name: str = "Aida", **extra: Any) -> int:
    row = Candidate(
        first_name=first_name,
        last_name="Andersson",
        email=f"{first_name.lower()}@deltagare.example.se",
        coordinator=coordinator_id,
        registered_at=dt.date(2025, 1, 10),
        **extra,
    )
    await row.save()
    return int(row.id)


async def booking(slot_id: int, candidate_id: int, coordinator_id: int | None, **extra: Any) -> int:
    row = Booking(slot=slot_id, candidate=candidate_id, coordinator=coordinator_id, **extra)
    await row.save()
    return int(row.id)
