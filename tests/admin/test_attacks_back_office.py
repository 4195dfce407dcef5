"""The back office moved into the app: no piccolo-admin, and an admin's edits of hosts,
contacts, slots and unit targets go through the app's own services, with its rules, its audit
and its sign-in (issue 13, item 19).

The probes of the review: capacity −5 and status "bogus" were stored through piccolo-admin,
and publishing then answered 500. Now the same writes, through the admin's routes, answer a
Swedish 400 and store nothing; valid writes are audited with the admin as actor.
"""

from __future__ import annotations

import sys

from litestar import Litestar
from litestar.testing import AsyncTestClient

from employers.tables import Contact, Host, UnitTarget
from marketplace.kernel import clock
from marketplace.kernel.tables import AuditEntry, User
from placements.services import current_slot_change
from placements.tables import Slot
from tests.builders import make_contact, make_host, make_slot
from tests.conftest import login

ENGLISH = ("Expected", "Invalid", "unknown field", "Object contains", "must be")


def swedish_refusal(response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    text = response.text
    assert not any(word in text for word in ENGLISH), text
    return text


async def _admin(client: AsyncTestClient[Litestar], make_user) -> int:
    user = await make_user("admin", username="alva")
    await login(client, "alva")
    return int(user.id)


async def _host_and_slot() -> tuple[int, int, int]:
    """A municipal unit, its supervisor of two and a draft slot: (host, contact, slot) ids."""
    host = await make_host("Kostenheten")
    contact = await make_contact(host, "Hanna Handledare", capacity=2)
    slot = await make_slot(
        host,
        contact,
        capacity=2,
        title="Kock",
        status="draft",
        hours=None,
        description="",
        external_id="s1",
        occupation_id="DLEi_bTh_oLA",
    )
    return host, contact, slot


async def _audit(action: str, subject_id: int) -> list[dict]:
    return await AuditEntry.select().where(
        (AuditEntry.action == action) & (AuditEntry.subject_id == subject_id)
    )


async def test_piccolo_admin_is_gone(app, client, make_user):
    await _admin(client, make_user)
    assert not [r.path for r in app.routes if r.path.startswith("/admin")]
    for path in ("/admin", "/admin/", "/admin/api/tables/", "/admin/public/login/"):
        assert (await client.get(path)).status_code == 404, path
    assert "piccolo_admin" not in sys.modules
    assert "piccolo_api" not in sys.modules
    # Its session table is dropped by a migration; sign-in lives in mp_session alone.
    exists = await User.raw(
        "SELECT 1 FROM information_schema.tables WHERE table_name = 'sessions'"
        if User._meta.db.engine_type == "postgres"
        else "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'"
    )
    assert exists == []


async def test_bad_slot_values_from_an_admin_answer_swedish_400_and_store_nothing(
    client, make_user
):
    await _admin(client, make_user)
    _, _, slot = await _host_and_slot()
    before = await Slot.select().where(Slot.id == slot).first()
    for body, word in (
        ({"capacity": -5}, "ett heltal från 1 till 100"),
        ({"status": "bogus"}, "status"),
        (
            {"kind": "bogus"},
            "typ: välj ett av alternativen (\u201dpraktik\u201d, \u201darbetsträning\u201d)",
        ),
        ({"occupation_id": "finns-ej"}, "yrke"),
    ):
        text = swedish_refusal(await client.patch(f"/api/v1/slots/{slot}", json=body))
        assert word in text.lower(), (body, text)
    assert await Slot.select().where(Slot.id == slot).first() == before
    assert await _audit("slot.update", slot) == []
    # A status goes only through the transition routes; there is no "bogus" one.
    assert (await client.post(f"/api/v1/slots/{slot}/bogus")).status_code in {404, 405}


async def test_admin_slot_edit_and_publish_go_through_the_service_and_are_audited(
    client, make_user
):
    admin_id = await _admin(client, make_user)
    _, _, slot = await _host_and_slot()
    before = await current_slot_change()
    ok = await client.patch(f"/api/v1/slots/{slot}", json={"title": "Kockbiträde"})
    assert ok.status_code == 200, ok.text
    published = await client.post(f"/api/v1/slots/{slot}/publish")
    assert published.status_code == 200, published.text
    row = await Slot.select(Slot.title, Slot.status).where(Slot.id == slot).first()
    assert row == {"title": "Kockbiträde", "status": "published"}
    assert await current_slot_change() > before  # the search sees the edit
    for action in ("slot.update", "slot.publish"):
        rows = await _audit(action, slot)
        assert [r["actor_id"] for r in rows] == [admin_id], action
    # Deleting a slot is the service's rule too (no hidden back-office delete).
    assert (await client.post(f"/api/v1/slots/{slot}/close")).status_code == 200
    assert await _audit("slot.close", slot)


async def test_admin_edits_slots_in_the_swedish_slot_form(client, make_user):
    admin_id = await _admin(client, make_user)
    _, _, slot = await _host_and_slot()
    page = await client.get(f"/vard/platser/{slot}", headers={"accept": "text/html"})
    assert page.status_code == 200, page.text
    assert 'lang="sv"' in page.text
    csrf = {"x-csrftoken": client.cookies.get("mp_csrf") or "", "accept": "text/html"}
    before = await Slot.select().where(Slot.id == slot).first()
    bad = await client.post(
        f"/vard/platser/{slot}",
        data={"kind": "praktik", "title": "Kock", "capacity": "-5"},
        headers=csrf,
        follow_redirects=False,
    )
    swedish_refusal(bad)
    assert await Slot.select().where(Slot.id == slot).first() == before
    unknown = await client.post(f"/vard/platser/{slot}/bogus", headers=csrf, follow_redirects=False)
    assert unknown.status_code in {404, 405}
    assert (await Slot.select(Slot.status).where(Slot.id == slot).first()) == {"status": "draft"}
    published = await client.post(
        f"/vard/platser/{slot}/publicera", headers=csrf, follow_redirects=False
    )
    assert published.status_code == 303, published.text
    assert [r["actor_id"] for r in await _audit("slot.publish", slot)] == [admin_id]


async def test_admin_host_contact_and_target_writes_are_validated_and_audited(client, make_user):
    admin_id = await _admin(client, make_user)
    host, contact, _ = await _host_and_slot()
    swedish_refusal(await client.patch(f"/api/v1/hosts/{host}", json={"kind": "bogus"}))
    swedish_refusal(
        await client.patch(f"/api/v1/contacts/{contact}", json={"supervision_capacity": -5})
    )
    swedish_refusal(await client.put(f"/api/v1/hosts/{host}/targets/2030", json={"target": -5}))
    assert await UnitTarget.count() == 0
    row = await Host.select(Host.kind).where(Host.id == host).first()
    assert row == {"kind": "municipal_unit"}

    ok = await client.patch(f"/api/v1/hosts/{host}", json={"needs": "Fler händer"})
    assert ok.status_code == 200, ok.text
    ok = await client.put(f"/api/v1/hosts/{host}/targets/2030", json={"target": 12})
    assert ok.status_code == 200, ok.text
    ok = await client.patch(f"/api/v1/contacts/{contact}", json={"phone": "0322-600 000"})
    assert ok.status_code == 200, ok.text
    actions = await AuditEntry.select(AuditEntry.action, AuditEntry.actor_id).where(
        AuditEntry.actor_id == admin_id
    )
    done = {r["action"] for r in actions}
    assert "host.update" in done
    assert any(a.startswith("contact.") for a in done), done
    assert any("target" in a for a in done), done


async def test_the_back_office_signs_in_with_the_apps_own_session(client, make_user):
    """There is no second sign-in: the admin's pages and API take the app's session only."""
    await make_user("admin", username="alva")
    anonymous = await client.patch("/api/v1/hosts/1", json={"needs": "x"})
    assert anonymous.status_code == 401
    coordinator = await make_user("analyst", username="ana")
    await login(client, coordinator.username)
    refused = await client.put("/api/v1/hosts/1/targets/2030", json={"target": 1})
    assert refused.status_code == 403


async def test_admin_edits_host_details_and_targets_in_swedish_pages(client, make_user):
    admin_id = await _admin(client, make_user)
    host, _, _ = await _host_and_slot()
    html = {"accept": "text/html"}
    page = await client.get(f"/vard/organisation/{host}/uppgifter", headers=html)
    assert page.status_code == 200, page.text
    assert "Mål för antal platser" in page.text  # an admin, on a municipal unit
    # The organisation's page leads an admin back to Drift, not to the host's own start
    # page, which answers an admin 403 (seen in the admin's walk).
    organisation = await client.get(f"/vard/organisation/{host}", headers=html)
    assert '<p class="breadcrumbs"><a href="/drift">Drift</a></p>' in organisation.text
    csrf = {**html, "x-csrftoken": client.cookies.get("mp_csrf") or ""}

    async def post(path: str, form: dict[str, str]):
        return await client.post(path, data=form, headers=csrf, follow_redirects=False)

    # Bad values: a Swedish 400 on the page, nothing stored, nothing audited.
    bad = await post(f"/vard/organisation/{host}/uppgifter", {"kind": "bogus"})
    assert "välj ett av alternativen (" in swedish_refusal(bad)
    for form in ({"year": "2030", "target": "-5"}, {"year": "9999", "target": "3"}):
        swedish_refusal(await post(f"/vard/organisation/{host}/mal", form))
    assert await UnitTarget.count() == 0
    assert await Host.select(Host.kind).where(Host.id == host).first() == {"kind": "municipal_unit"}
    assert await _audit("host.update", host) == []

    ok = await post(
        f"/vard/organisation/{host}/uppgifter",
        {"name": "Kostenheten Vårgårda", "kind": "municipal_unit", "needs": "Fler händer"},
    )
    assert ok.status_code == 303, ok.text
    ok = await post(f"/vard/organisation/{host}/mal", {"year": "2030", "target": "12"})
    assert ok.status_code == 303, ok.text
    row = await Host.select(Host.name, Host.needs).where(Host.id == host).first()
    assert row == {"name": "Kostenheten Vårgårda", "needs": "Fler händer"}
    target = await UnitTarget.select(UnitTarget.target).where(UnitTarget.year == 2030).first()
    assert target == {"target": 12}
    assert [r["actor_id"] for r in await _audit("host.update", host)] == [admin_id]
    assert [r["actor_id"] for r in await _audit("unit_target.set", host)] == [admin_id]


async def test_a_saved_targets_note_stands_in_the_form(client, make_user):
    """Seen in the browser: the note saved with a unit's target was not in the form when the
    page was opened again, so the next save erased it."""

    await _admin(client, make_user)
    host, _, _ = await _host_and_slot()
    html = {"accept": "text/html"}
    await client.get(f"/vard/organisation/{host}/uppgifter", headers=html)
    year = str(clock.today().year)
    saved = await client.post(
        f"/vard/organisation/{host}/mal",
        data={"year": year, "target": "7", "note": "Beslut i nämnden i mars"},
        headers={**html, "x-csrftoken": client.cookies.get("mp_csrf") or ""},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    again = await client.get(f"/vard/organisation/{host}/uppgifter", headers=html)
    assert 'value="Beslut i nämnden i mars"' in again.text and 'value="7"' in again.text


async def test_only_an_admin_sets_targets_in_the_page(client, make_user):
    host, _, _ = await _host_and_slot()
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    html = {"accept": "text/html"}
    page = await client.get(f"/vard/organisation/{host}/uppgifter", headers=html)
    assert page.status_code == 200
    assert "Mål för antal platser" not in page.text
    refused = await client.post(
        f"/vard/organisation/{host}/mal",
        data={"year": "2030", "target": "12"},
        headers={**html, "x-csrftoken": client.cookies.get("mp_csrf") or ""},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert await UnitTarget.count() == 0


async def test_admin_edits_a_contact_in_the_swedish_page(client, make_user):
    admin_id = await _admin(client, make_user)
    _, contact, _ = await _host_and_slot()
    html = {"accept": "text/html"}
    page = await client.get(f"/vard/kontakter/{contact}", headers=html)
    assert page.status_code == 200, page.text
    assert "Hanna Handledare" in page.text
    csrf = {**html, "x-csrftoken": client.cookies.get("mp_csrf") or ""}
    form = {"name": "Hanna Handledare", "is_supervisor": "1", "supervision_capacity": "-5"}
    bad = await client.post(
        f"/vard/kontakter/{contact}", data=form, headers=csrf, follow_redirects=False
    )
    swedish_refusal(bad)
    row = await Contact.select(Contact.supervision_capacity).where(Contact.id == contact)
    assert row == [{"supervision_capacity": 2}]
    ok = await client.post(
        f"/vard/kontakter/{contact}",
        data={**form, "supervision_capacity": "3"},
        headers=csrf,
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    row = await Contact.select(Contact.supervision_capacity).where(Contact.id == contact)
    assert row == [{"supervision_capacity": 3}]
    assert [r["actor_id"] for r in await _audit("contact.update", contact)] == [admin_id]
