"""Host organisations and their contacts over the API: who may see and change what."""

from __future__ import annotations

import pytest

from employers.tables import HostMembership
from tests.builders import add_member, make_contact, make_host
from tests.conftest import login


async def test_host_user_registers_a_host_and_becomes_its_member(client, make_user):
    henrik = await make_user("host", username="henrik")
    await login(client, "henrik")
    created = await client.post(
        "/api/v1/hosts",
        json={
            "name": "Alingsås Bageri AB",
            "kind": "company",
            "org_number": "5566778899",
            "town": "Alingsås",
            "sector": "Livsmedel",
            "needs": "Hjälp i bageriet på morgnarna.",
        },
    )
    assert created.status_code == 201, created.text
    host = created.json()
    assert host["org_number"] == "556677-8899"
    # Coordinates come from the gazetteer when none are entered.
    assert 57.8 < host["latitude"] < 58.0 and 12.4 < host["longitude"] < 12.6
    assert host["active"] is True
    assert await HostMembership.exists().where(
        (HostMembership.user == henrik.id) & (HostMembership.host == host["id"])
    )
    listed = (await client.get("/api/v1/hosts")).json()
    assert [h["name"] for h in listed["items"]] == ["Alingsås Bageri AB"]


async def test_changed_digit_in_org_number_is_refused_with_the_number(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    response = await client.post(
        "/api/v1/hosts",
        json={"name": "Bygg AB", "kind": "company", "org_number": "556677-8898"},
    )
    assert response.status_code == 400
    body = response.json()
    assert "556677-8898" in body["detail"]
    assert "kontrollsiffra" in body["detail"]
    assert body["fields"] == ["org_number"]


async def test_municipal_units_share_a_number_but_not_a_name(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    unit = {"kind": "municipal_unit", "org_number": "212000-1520", "town": "Vårgårda"}
    first = await client.post("/api/v1/hosts", json={"name": "Hemtjänst Norra", **unit})
    second = await client.post("/api/v1/hosts", json={"name": "Kostenheten", **unit})
    assert first.status_code == 201, first.text
    assert second.status_code == 201
    again = await client.post("/api/v1/hosts", json={"name": "hemtjänst norra", **unit})
    assert again.status_code == 409
    assert "Hemtjänst Norra" in again.json()["detail"]


async def test_another_organisations_host_answers_404(client, make_user, make_client):
    a_user = await make_user("host", username="anna_a")
    b_user = await make_user("host", username="bo_b")
    host_a = await make_host("A Snickeri AB", "company")
    host_b = await make_host("B Måleri AB", "company")
    await add_member(a_user.id, host_a)
    await add_member(b_user.id, host_b)
    await login(client, "anna_a")
    assert (await client.get(f"/api/v1/hosts/{host_a}")).status_code == 200
    assert (await client.get(f"/api/v1/hosts/{host_b}")).status_code == 404
    patched = await client.patch(f"/api/v1/hosts/{host_b}", json={"needs": "x"})
    assert patched.status_code == 404
    assert (await client.get(f"/api/v1/hosts/{host_b}/contacts")).status_code == 404
    assert (
        await client.post(f"/api/v1/hosts/{host_b}/contacts", json={"name": "Ida"})
    ).status_code == 404
    contact_b = await make_contact(host_b, "Bertil")
    assert (
        await client.patch(f"/api/v1/contacts/{contact_b}", json={"phone": "1"})
    ).status_code == 404
    assert (await client.delete(f"/api/v1/contacts/{contact_b}")).status_code == 404
    listed = (await client.get("/api/v1/hosts")).json()
    assert [h["id"] for h in listed["items"]] == [host_a]
    # A coordinator acts for any host.
    await make_user("coordinator", username="sara")
    other = await make_client()
    await login(other, "sara")
    assert (await other.get(f"/api/v1/hosts/{host_b}")).status_code == 200
    changed = await other.patch(f"/api/v1/hosts/{host_b}", json={"sector": "Bygg"})
    assert changed.json()["sector"] == "Bygg"
    assert (await other.get("/api/v1/hosts")).json()["total"] == 2


async def test_analysts_and_anonymous_cannot_reach_hosts(client, make_user):
    host = await make_host("C AB", "company")
    assert (await client.get(f"/api/v1/hosts/{host}")).status_code == 401
    await make_user("analyst", username="anna")
    await login(client, "anna")
    assert (await client.get("/api/v1/hosts")).status_code == 403


async def test_contacts_supervisors_and_public_flag(client, make_user):
    user = await make_user("host", username="henrik")
    host = await make_host("Vårgårda Trädgård AB", "company")
    await add_member(user.id, host)
    await login(client, "henrik")
    created = await client.post(
        f"/api/v1/hosts/{host}/contacts",
        json={
            "name": "Maja Handledare",
            "role": "Arbetsledare",
            "email": "maja@tradgard.example",
            "phone": "0322-12345",
            "supervision_capacity": 2,
        },
    )
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["is_supervisor"] is True
    assert contact["supervision_capacity"] == 2
    assert contact["is_public_contact"] is False
    made_public = await client.patch(
        f"/api/v1/contacts/{contact['id']}", json={"is_public_contact": True}
    )
    assert made_public.json()["is_public_contact"] is True
    bad = await client.post(
        f"/api/v1/hosts/{host}/contacts", json={"name": "X", "email": "inte-en-adress"}
    )
    assert bad.status_code == 400
    assert bad.json()["fields"] == ["email"]
    retired = await client.delete(f"/api/v1/contacts/{contact['id']}")
    assert retired.json()["active"] is False
    assert retired.json()["is_public_contact"] is False
    listed = (await client.get(f"/api/v1/hosts/{host}/contacts")).json()
    assert [c["name"] for c in listed] == ["Maja Handledare"]


async def test_update_host_town_refreshes_coordinates_unless_given(client, make_user):
    await make_user("admin", username="alva")
    await login(client, "alva")
    host = (
        await client.post(
            "/api/v1/hosts", json={"name": "Däck AB", "kind": "company", "town": "Vårgårda"}
        )
    ).json()
    moved = (await client.patch(f"/api/v1/hosts/{host['id']}", json={"town": "Borås"})).json()
    assert moved["town"] == "Borås"
    assert abs(moved["latitude"] - 57.72) < 0.1
    manual = (
        await client.patch(
            f"/api/v1/hosts/{host['id']}", json={"latitude": 58.0, "longitude": 12.8}
        )
    ).json()
    assert (manual["latitude"], manual["longitude"]) == (58.0, 12.8)
    half = await client.patch(f"/api/v1/hosts/{host['id']}", json={"latitude": None})
    assert half.status_code == 400


@pytest.mark.sqlite_only
async def test_a_host_saved_while_another_write_commits_is_saved():
    """A hostile run saved two hosts' details at once: on SQLite one in ten saves answered 503
    "database is locked". The save read in a deferred transaction, another writer committed,
    and the save's write then met a snapshot that was no longer the newest, which SQLite
    refuses at once (no busy wait). The host services take the write lock before they read,
    as every read-then-write does: the save waits for the other writer and reads anew."""
    import asyncio
    import sqlite3

    from piccolo.engine.sqlite import SQLiteEngine

    from employers import schemas
    from employers.services import hosts
    from employers.tables import Host
    from tests.builders import make_user

    admin = await make_user("admin")
    # With an organisation number, so that the save reads (the uniqueness check) first.
    host = await make_host("Första Snickeri AB", "company", org_number="556677-8899")
    other = await make_host("B AB", "company")
    engine = Host._meta.db
    assert isinstance(engine, SQLiteEngine)
    writer = sqlite3.connect(engine.path, timeout=30, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE emp_host SET needs = 'annan skrivare' WHERE id = ?", (other,))
        save = asyncio.create_task(
            hosts.update_host(admin, host, schemas.HostUpdate(needs="Sparat under låset"))
        )
        await asyncio.sleep(0.3)  # the save has begun and waits, or has read and waits
        writer.execute("COMMIT")
        await asyncio.wait_for(save, timeout=20)
    finally:
        writer.close()
    needs = {r["id"]: r["needs"] for r in await Host.select(Host.id, Host.needs)}
    assert needs == {host: "Sparat under låset", other: "annan skrivare"}
