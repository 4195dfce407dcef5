"""A host's kind and organisation number are the municipality's to change.

Seen in a host's walk: a host user changed its company's "Typ av organisation" from Företag to
Kommunal enhet on `/vard/organisation/{id}/uppgifter` and got "Ändringen är sparad." The kind
decides a slot's default setting and the municipality's figures (municipal unit against the
open labour market, the 85/15 report). Now a host's own users read the kind and the number
with a sentence that the municipality changes them; a POST or a PATCH that tries anyway is
refused with a Swedish 400 and nothing saved; coordinators and admins change them as before.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from employers.services.hosts import SET_BY_MUNICIPALITY_TEXT
from employers.tables import Host
from tests.builders import make_host, make_host_user, make_user
from tests.conftest import login as api_login
from tests.employers.test_views import HTML, form_token, login

ORG_NUMBER = "556036-0793"


async def _stored(host_id: int) -> dict[str, str]:
    row = (
        await Host.select(Host.kind, Host.org_number, Host.sector).where(Host.id == host_id).first()
    )
    assert row is not None
    return dict(row)


async def test_a_host_user_reads_the_kind_and_number_but_cannot_change_them(client):
    host_id = await make_host("Lager AB", "company", org_number=ORG_NUMBER)
    user = await make_host_user(host_id)
    await login(client, user.username)
    page = await client.get(f"/vard/organisation/{host_id}/uppgifter", headers=HTML)
    assert page.status_code == 200
    assert 'name="kind"' not in page.text and 'name="org_number"' not in page.text
    assert "Företag" in page.text and ORG_NUMBER in page.text
    assert "ändras av kommunen" in page.text
    form = {"name": "Lager AB", "town": "Vårgårda", "_csrf_token": form_token(page.text)}
    tried = await client.post(
        f"/vard/organisation/{host_id}/uppgifter",
        data={**form, "kind": "municipal_unit", "sector": "Lager"},
        headers=HTML,
    )
    assert tried.status_code == 400 and SET_BY_MUNICIPALITY_TEXT in tried.text
    assert await _stored(host_id) == {"kind": "company", "org_number": ORG_NUMBER, "sector": ""}
    # The page's own form, without the two, saves the rest.
    saved = await client.post(
        f"/vard/organisation/{host_id}/uppgifter",
        data={**form, "sector": "Lager"},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert await _stored(host_id) == {
        "kind": "company",
        "org_number": ORG_NUMBER,
        "sector": "Lager",
    }


async def test_the_api_refuses_a_host_user_the_same_and_takes_an_unchanged_value(client):
    host_id = await make_host("Lager AB", "company", org_number=ORG_NUMBER)
    user = await make_host_user(host_id)
    await api_login(client, user.username)
    for change in ({"kind": "municipal_unit"}, {"org_number": "212000-1355"}):
        refused = await client.patch(f"/api/v1/hosts/{host_id}", json=change)
        assert refused.status_code == 400
        assert refused.json()["detail"] == SET_BY_MUNICIPALITY_TEXT
    same = await client.patch(
        f"/api/v1/hosts/{host_id}",
        json={"kind": "company", "org_number": ORG_NUMBER, "sector": "Lager"},
    )
    assert same.status_code == 200 and same.json()["sector"] == "Lager"
    assert (await _stored(host_id))["kind"] == "company"


async def test_a_coordinator_still_changes_the_kind_on_the_page(client):
    host_id = await make_host("Lager AB", "company", org_number=ORG_NUMBER)
    coordinator = await make_user("coordinator")
    await login(client, coordinator.username)
    page = await client.get(f"/vard/organisation/{host_id}/uppgifter", headers=HTML)
    assert 'name="kind"' in page.text
    saved = await client.post(
        f"/vard/organisation/{host_id}/uppgifter",
        data={
            "name": "Lager AB",
            "kind": "municipal_unit",
            "org_number": ORG_NUMBER,
            "town": "Vårgårda",
            "_csrf_token": form_token(page.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert (await _stored(host_id))["kind"] == "municipal_unit"


async def test_a_coordinators_wrong_number_is_said_next_to_its_field(client):
    """The check digit the host's form lost with the field is still said to staff beside it."""
    host_id = await make_host("Lager AB", "company", org_number=ORG_NUMBER)
    coordinator = await make_user("coordinator")
    await login(client, coordinator.username)
    page = await client.get(f"/vard/organisation/{host_id}/uppgifter", headers=HTML)
    refused = await client.post(
        f"/vard/organisation/{host_id}/uppgifter",
        data={
            "name": "Lager AB",
            "kind": "company",
            "org_number": "556036-0794",
            "town": "Vårgårda",
            "_csrf_token": form_token(page.text),
        },
        headers=HTML,
    )
    assert refused.status_code == 400
    assert 'id="f-org_number-error"' in refused.text and "kontrollsiffra" in refused.text
    assert (await _stored(host_id))["org_number"] == ORG_NUMBER
