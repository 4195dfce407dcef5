"""The back office: piccolo-admin at /admin/, for admins only, on our one user table."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.tables import User
from placements.services import current_slot_change
from placements.tables import Slot
from tests.conftest import DEMO_PASSWORD, login


async def admin_login(client: AsyncTestClient[Litestar], username: str) -> int:
    """Sign in to piccolo-admin itself (its own session), with its CSRF cookie."""
    await client.get("/admin/")
    csrf = client.cookies.get("csrftoken")
    assert csrf
    response = await client.post(
        "/admin/public/login/",
        json={"username": username, "password": DEMO_PASSWORD},
        headers={"x-csrftoken": csrf},
    )
    return response.status_code


async def test_admin_gets_the_back_office_page(client, make_user):
    await make_user("admin", username="alva")
    await login(client, "alva")
    response = await client.get("/admin/")
    assert response.status_code == 200
    assert "Piccolo Admin" in response.text
    assert "./assets/" in response.text
    # The assets the page loads answer too, from under /admin/.
    asset = response.text.split('src="./')[1].split('"')[0]
    js = await client.get(f"/admin/{asset}")
    assert js.status_code == 200
    assert "javascript" in js.headers["content-type"]


async def test_admin_without_slash_is_redirected(client, make_user):
    await make_user("admin", username="alva")
    await login(client, "alva")
    response = await client.get("/admin", follow_redirects=False)
    assert response.status_code in {301, 307, 308}
    assert response.headers["location"] == "/admin/"


async def test_anonymous_and_other_roles_are_refused(client, make_user):
    anonymous = await client.get("/admin/")
    assert anonymous.status_code == 401
    assert "Piccolo Admin" not in anonymous.text
    for role in ("coordinator", "analyst", "host"):
        user = await make_user(role)
        client.cookies.clear()
        await login(client, user.username)
        refused = await client.get("/admin/")
        assert refused.status_code == 403, role
        assert (await client.get("/admin/api/tables/")).status_code == 403
        assert "Piccolo Admin" not in refused.text


async def test_piccolo_admin_signs_in_with_our_users_and_lists_only_its_tables(client, make_user):
    await make_user("admin", username="alva")
    await login(client, "alva")
    assert await admin_login(client, "alva") == 200
    tables = await client.get("/admin/api/tables/")
    assert tables.status_code == 200
    assert set(tables.json()) == {"emp_contact", "emp_host", "emp_unit_target", "pl_slot"}
    # Candidates and audit rows are not reachable at all.
    for name in ("pl_candidate", "mp_audit", "pl_health_note", "mp_user"):
        assert (await client.get(f"/admin/api/tables/{name}/")).status_code == 404


async def test_a_coordinator_cannot_use_piccolo_admin_even_past_the_mount(client, make_user):
    """piccolo-admin's own check of BaseUser.admin holds even if our guard were passed."""
    await make_user("admin", username="alva")
    sara = await make_user("coordinator", username="sara")
    assert sara.admin is False
    await login(client, "alva")  # the Litestar guard lets this client through
    assert await admin_login(client, "sara") == 200  # credentials are right ...
    listing = await client.get("/admin/api/tables/")
    assert listing.status_code in {401, 403}  # ... but she is no admin
    row = await User.select(User.admin).where(User.username == "sara").first()
    assert row is not None and row["admin"] is False


async def test_slot_edit_in_back_office_is_validated_and_bumps_search(client, make_user):
    from employers.tables import Host

    await make_user("admin", username="alva")
    await login(client, "alva")
    assert await admin_login(client, "alva") == 200
    host = Host(name="Kostenheten", kind="municipal_unit", town="Vårgårda")
    await host.save()
    slot = Slot(host=host.id, external_id="s1", kind="praktik", title="Kock", town="Vårgårda")
    await slot.save()
    before = await current_slot_change()
    csrf = {"x-csrftoken": client.cookies.get("csrftoken") or ""}
    bad = await client.patch(
        f"/admin/api/tables/pl_slot/{slot.id}/", json={"occupation_id": "finns-ej"}, headers=csrf
    )
    assert bad.status_code == 400
    assert "yrkestaxonomin" in bad.text
    ok = await client.patch(
        f"/admin/api/tables/pl_slot/{slot.id}/", json={"title": "Kockbiträde"}, headers=csrf
    )
    assert ok.status_code == 200, ok.text
    row = await Slot.select(Slot.title, Slot.change_seq).where(Slot.id == slot.id).first()
    assert row is not None
    assert row["title"] == "Kockbiträde"
    assert row["change_seq"] == before + 1 == await current_slot_change()
    gone = await client.delete(f"/admin/api/tables/pl_slot/{slot.id}/", headers=csrf)
    assert gone.status_code == 400
    assert await Slot.exists().where(Slot.id == slot.id)


async def test_back_office_skips_the_service_csp_but_keeps_nosniff(client, make_user):
    await make_user("admin", username="alva")
    await login(client, "alva")
    page = await client.get("/admin/")
    assert "content-security-policy" not in page.headers
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
