"""An admin sees a user's working API keys on the user's page (`/drift/anvandare/{id}`) and
revokes one after ticking its box, audited as the owner's own revocation is; nobody else
reaches another user's keys."""

from __future__ import annotations

import re

from marketplace.kernel import auth
from marketplace.kernel.tables import AuditEntry
from tests.conftest import login

HTML = {"accept": "text/html"}


def csrf(page: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


async def _post(client, page_path: str, action: str, data: dict[str, str]):
    page = await client.get(page_path, headers=HTML)
    assert page.status_code == 200, page.text[:500]
    return await client.post(
        action,
        data={**data, "_csrf_token": csrf(page.text)},
        headers=HTML,
        follow_redirects=False,
    )


async def _signed_in(client, make_user, role: str, username: str):
    user = await make_user(role, username=username)
    await login(client, username)
    client.headers.pop("x-csrftoken", None)
    return user


async def test_an_admin_revokes_another_users_key_after_ticking_its_box(client, make_user):
    admin = await _signed_in(client, make_user, "admin", "ada")
    owner = await make_user("host", username="vera", first_name="Vera", last_name="Värd")
    kept_id, kept = await auth.create_token("vera", "Bokningssystemet")
    key_id, raw = await auth.create_token("vera", "Gamla webbplatsen")
    gone_id, _ = await auth.create_token("vera", "Redan återkallad")
    await auth.revoke_token(gone_id)
    page_path = f"/drift/anvandare/{owner.id}"
    page = await client.get(page_path, headers=HTML)
    assert page.status_code == 200
    assert "API-nycklar" in page.text
    assert "Bokningssystemet" in page.text and "Gamla webbplatsen" in page.text
    assert "Redan återkallad" not in page.text  # only the keys that work
    assert raw not in page.text and raw[:12] in page.text

    action = f"{page_path}/api-nycklar/{key_id}/aterkalla"
    unticked = await _post(client, page_path, action, {})
    assert unticked.status_code == 400
    assert f'id="f-confirm-{key_id}-error"' in unticked.text
    assert f'id="f-confirm-{kept_id}-error"' not in unticked.text
    assert await auth.resolve_token(raw) is not None

    ticked = await _post(client, page_path, action, {"confirm": "1"})
    assert ticked.status_code == 303
    landing = await client.get(ticked.headers["location"], headers=HTML)
    assert "API-nyckeln är återkallad." in landing.text
    assert "Gamla webbplatsen" not in landing.text
    assert await auth.resolve_token(raw) is None
    assert await auth.resolve_token(kept) is not None
    audited = await AuditEntry.select(AuditEntry.subject_id, AuditEntry.actor_id).where(
        AuditEntry.action == "token.revoke"
    )
    assert audited == [{"subject_id": key_id, "actor_id": admin.id}]


async def test_a_key_is_revoked_only_on_its_owners_page(client, make_user):
    await _signed_in(client, make_user, "admin", "ada")
    other = await make_user("analyst", username="ana")
    await make_user("host", username="vera")
    key_id, raw = await auth.create_token("vera", "Veras nyckel")
    page_path = f"/drift/anvandare/{other.id}"
    refused = await _post(
        client, page_path, f"{page_path}/api-nycklar/{key_id}/aterkalla", {"confirm": "1"}
    )
    assert refused.status_code == 404
    assert await auth.resolve_token(raw) is not None


async def test_a_coordinator_cannot_reach_another_users_keys(client, make_client, make_user):
    owner = await make_user("host", username="vera")
    key_id, raw = await auth.create_token("vera", "Veras nyckel")
    await _signed_in(client, make_user, "coordinator", "sara")
    page_path = f"/drift/anvandare/{owner.id}"
    assert (await client.get(page_path, headers=HTML)).status_code == 403
    own = await client.get("/konto", headers=HTML)
    refused = await client.post(
        f"{page_path}/api-nycklar/{key_id}/aterkalla",
        data={"confirm": "1", "_csrf_token": csrf(own.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 403
    # Nor on Mitt konto, where only one's own keys are revoked.
    mine = await client.post(
        f"/konto/api-nycklar/{key_id}/aterkalla",
        data={"confirm": "1", "_csrf_token": csrf(own.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert mine.status_code == 404
    assert await auth.resolve_token(raw) is not None
    assert await AuditEntry.count().where(AuditEntry.action == "token.revoke") == 0
