"""Municipal units' yearly targets and coverage: registered, published and used places."""

from __future__ import annotations

import datetime as dt

from placements.tables import Slot
from tests.builders import make_booking, make_candidate_row, make_host, make_slot
from tests.conftest import login


async def _slot(host: int, capacity: int, status: str, start: dt.date | None = None) -> int:
    return await make_slot(
        host,
        capacity=capacity,
        title="Plats",
        status=status,
        start=start,
        hours=None,
        description="",
        external_id=f"s-{host}-{capacity}-{status}",
    )


async def test_admin_sets_targets_and_coverage_shows_the_gap(client, make_user, make_client):
    kost = await make_host("Vårgårda kommun, Kostenheten", "municipal_unit")
    hemtj = await make_host("Vårgårda kommun, Hemtjänst Norra", "municipal_unit")
    company = await make_host("Bygg AB", "company")
    await _slot(kost, 3, "published")
    await _slot(kost, 2, "draft")
    old = await _slot(kost, 5, "closed", start=dt.date(2020, 1, 1))
    await Slot.update({Slot.end_date: dt.date(2020, 6, 1)}).where(Slot.id == old)
    used_slot = await _slot(hemtj, 1, "published")
    await _slot(company, 9, "published")
    cand = await make_candidate_row(
        None, "A", last_name="B", email="", registered_at=dt.date(2026, 1, 1)
    )
    await make_booking(used_slot, cand, None, status="active", start_date=dt.date(2026, 3, 1))
    await make_booking(used_slot, cand, None, status="proposed")

    await make_user("admin", username="alva")
    await login(client, "alva")
    set_target = await client.put(
        f"/api/v1/hosts/{kost}/targets/2026", json={"target": 10, "note": "Strategin"}
    )
    assert set_target.status_code == 200, set_target.text
    await client.put(f"/api/v1/hosts/{kost}/targets/2026", json={"target": 8})
    not_unit = await client.put(f"/api/v1/hosts/{company}/targets/2026", json={"target": 1})
    assert not_unit.status_code == 400

    coverage = (await client.get("/api/v1/coverage", params={"year": 2026})).json()
    units = {u["host_name"]: u for u in coverage["units"]}
    assert set(units) == {"Vårgårda kommun, Kostenheten", "Vårgårda kommun, Hemtjänst Norra"}
    assert units["Vårgårda kommun, Kostenheten"] | {"host_id": 0} == {
        "host_id": 0,
        "host_name": "Vårgårda kommun, Kostenheten",
        "active": True,
        "target": 8,
        "registered": 5,
        "published": 3,
        "used": 0,
        "gap": 5,
    }
    hemtjanst = units["Vårgårda kommun, Hemtjänst Norra"]
    assert (hemtjanst["target"], hemtjanst["used"], hemtjanst["gap"]) == (None, 1, None)
    assert (coverage["total_target"], coverage["total_published"]) == (8, 4)
    targets = (await client.get("/api/v1/unit-targets", params={"year": 2026})).json()
    assert [(t["host_name"], t["target"]) for t in targets] == [("Vårgårda kommun, Kostenheten", 8)]

    await make_user("analyst", username="anna")
    analyst = await make_client()
    await login(analyst, "anna")
    seen = await analyst.get("/api/v1/coverage", params={"year": 2026})
    assert seen.status_code == 200
    # An analyst sees no figure about 1–4 persons: Hemtjänst Norra's one placement is hidden
    # (as in the reports' unit coverage); none is shown, seats and targets are.
    shown = {u["host_name"]: u for u in seen.json()["units"]}
    assert shown["Vårgårda kommun, Hemtjänst Norra"]["used"] is None
    assert seen.json()["suppressed"] == [f"units[{hemtjanst['host_id']}].used"]
    assert shown["Vårgårda kommun, Kostenheten"]["used"] == 0
    assert shown["Vårgårda kommun, Kostenheten"]["published"] == 3
    denied = await analyst.put(f"/api/v1/hosts/{kost}/targets/2026", json={"target": 1})
    assert denied.status_code == 403
    await make_user("coordinator", username="sara")
    await login(analyst, "sara")
    denied = await analyst.put(f"/api/v1/hosts/{kost}/targets/2026", json={"target": 1})
    assert denied.status_code == 403
    assert (await analyst.get("/api/v1/coverage", params={"year": 1999})).status_code == 400
