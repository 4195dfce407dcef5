"""Rules a host's own data must keep (issue 15, item 10): a supervisor guides at least one
participant at a time, whether the contact comes through the API or the host's pages."""

from __future__ import annotations

import re

from employers.tables import Contact
from tests.builders import add_member, make_contact, make_host, make_slot
from tests.conftest import login

HTML = {"accept": "text/html"}


def form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def _host_user(client, make_user) -> int:
    user = await make_user("host", username="henrik")
    host = await make_host("Vårgårda Trädgård AB", "company")
    await add_member(user.id, host)
    await login(client, "henrik")
    return host


async def test_api_refuses_a_supervisor_with_capacity_zero(client, make_user):
    host = await _host_user(client, make_user)
    refused = await client.post(
        f"/api/v1/hosts/{host}/contacts",
        json={"name": "Maja", "is_supervisor": True, "supervision_capacity": 0},
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["fields"] == ["supervision_capacity"]
    assert "minst 1 deltagare" in refused.json()["detail"]
    assert await Contact.count().where(Contact.host == host) == 0
    # A contact who is not a supervisor may keep 0.
    plain = await client.post(
        f"/api/v1/hosts/{host}/contacts",
        json={"name": "Ola", "is_supervisor": False, "supervision_capacity": 0},
    )
    assert plain.status_code == 201, plain.text


async def test_api_refuses_lowering_or_turning_into_a_supervisor_with_zero(client, make_user):
    host = await _host_user(client, make_user)
    supervisor = await make_contact(host, "Maja")
    lowered = await client.patch(f"/api/v1/contacts/{supervisor}", json={"supervision_capacity": 0})
    assert lowered.status_code == 400, lowered.text
    assert lowered.json()["fields"] == ["supervision_capacity"]
    plain = await client.post(
        f"/api/v1/hosts/{host}/contacts",
        json={"name": "Ola", "is_supervisor": False, "supervision_capacity": 0},
    )
    promoted = await client.patch(
        f"/api/v1/contacts/{plain.json()['id']}", json={"is_supervisor": True}
    )
    assert promoted.status_code == 400, promoted.text
    rows = await Contact.select(Contact.name, Contact.is_supervisor, Contact.supervision_capacity)
    assert {r["name"]: (r["is_supervisor"], r["supervision_capacity"]) for r in rows} == {
        "Maja": (True, 1),
        "Ola": (False, 0),
    }


async def test_contact_page_shows_the_capacity_error_by_its_field(client, make_user):
    host = await _host_user(client, make_user)
    client.headers.pop("x-csrftoken", None)
    page = await client.get(f"/vard/organisation/{host}", headers=HTML)
    assert page.status_code == 200
    answer = await client.post(
        f"/vard/organisation/{host}/kontakter",
        data={
            "name": "Maja",
            "is_supervisor": "1",
            "supervision_capacity": "0",
            "_csrf_token": form_token(page.text),
        },
        headers=HTML,
    )
    assert answer.status_code == 400
    assert "minst 1 deltagare" in answer.text
    assert 'value="Maja"' in answer.text  # what was typed is kept
    assert await Contact.count().where(Contact.host == host) == 0


async def test_the_contact_form_says_the_capacity_with_its_other_mistakes(client, make_user):
    """A host's day: an empty name, a bad address and a bad phone were said, and the
    supervisor's room for 0 only once those were mended."""
    host = await _host_user(client, make_user)
    client.headers.pop("x-csrftoken", None)
    page = await client.get(f"/vard/organisation/{host}", headers=HTML)
    answer = await client.post(
        f"/vard/organisation/{host}/kontakter",
        data={
            "name": "",
            "email": "maja@",
            "phone": "ring mig",
            "is_supervisor": "1",
            "supervision_capacity": "0",
            "_csrf_token": form_token(page.text),
        },
        headers=HTML,
    )
    assert answer.status_code == 400
    for field in ("name", "email", "phone", "supervision_capacity"):
        assert f'id="f-{field}-error"' in answer.text, field
    assert "minst 1 deltagare" in answer.text
    # Not a supervisor: 0 is fine, and the rest is still said.
    page = await client.get(f"/vard/organisation/{host}", headers=HTML)
    answer = await client.post(
        f"/vard/organisation/{host}/kontakter",
        data={"name": "", "supervision_capacity": "0", "_csrf_token": form_token(page.text)},
        headers=HTML,
    )
    assert answer.status_code == 400
    assert 'id="f-supervision_capacity-error"' not in answer.text
    assert await Contact.count().where(Contact.host == host) == 0


async def test_slot_table_names_the_organisation_only_for_a_user_with_several(client, make_user):
    host = await _host_user(client, make_user)
    await make_slot(host, title="Trädgårdsarbete", status="draft", hours=None, description="")
    one = await client.get("/vard", headers=HTML)
    assert one.status_code == 200
    assert '<th scope="col">Organisation</th>' not in one.text
    second = await make_host("Vårgårda Café AB", "company")
    henrik = await make_user("host", username="henrik2")
    await add_member(henrik.id, host)
    await add_member(henrik.id, second)
    await make_slot(second, title="Kafébiträde", status="draft", hours=None, description="")
    await login(client, "henrik2")
    both = await client.get("/vard", headers=HTML)
    assert '<th scope="col">Organisation</th>' in both.text
    rows = re.findall(
        r"<tr>\s*<td><a href=\"/vard/platser/\d+\">([^<]+)</a></td>\s*<td[^>]*>([^<]+)</td>",
        both.text,
    )
    assert sorted(rows) == [
        ("Kafébiträde", "Vårgårda Café AB"),
        ("Trädgårdsarbete", "Vårgårda Trädgård AB"),
    ]
