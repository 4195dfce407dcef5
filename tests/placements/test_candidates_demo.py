"""The demo data grows to about 30 participants with bookings in every state, signed
agreements and recorded outcomes; loading it twice changes nothing."""

from __future__ import annotations

from marketplace.demo import load_demo
from marketplace.tables import AuditEntry
from placements.tables import Agreement, Booking, Candidate, LockInFlag, Outcome


async def counts() -> dict[str, int]:
    return {
        "candidates": await Candidate.count(),
        "bookings": await Booking.count(),
        "agreements": await Agreement.count(),
        "outcomes": await Outcome.count(),
        "flags": await LockInFlag.count(),
    }


async def test_demo_has_every_state_and_loads_twice_without_change():
    first = await load_demo()
    assert first["deltagare"] == 30
    statuses = {r["status"] for r in await Booking.select(Booking.status)}
    assert statuses == {
        "proposed",
        "accepted",
        "declined",
        "withdrawn",
        "agreed",
        "active",
        "completed",
        "interrupted",
    }
    assert await Agreement.count().where(Agreement.status == "signed") >= 10
    categories = {r["category"] for r in await Outcome.select(Outcome.category)}
    assert {"arbete", "studier", "avbrutet"} <= categories
    kinds = {r["kind"] for r in await LockInFlag.select(LockInFlag.kind)}
    assert kinds == {"long_placement", "repeated_placements"}
    before = await counts()
    # (The slot import logs each run; the participants' part must leave no trace.)
    audit_before = await AuditEntry.count().where(AuditEntry.subject_type == "candidate")
    second = await load_demo()
    assert second["deltagare"] == 0
    assert await counts() == before
    assert await AuditEntry.count().where(AuditEntry.subject_type == "candidate") == audit_before
