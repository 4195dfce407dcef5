"""The host's slot page, from a host's day (December 2026): publishing a draft that lacks a
capacity, a town, an occupation and a supervisor listed all four as one paragraph at the top,
linked to nothing and marking no field. Each is now said at its field and linked from the
summary, as the form's own errors are.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from placements import slot_rules
from placements.tables import Slot
from tests.builders import make_host, make_host_user, make_slot
from tests.conftest import login as api_login
from tests.placements.test_attacks_signatures import csrf_of, login

HTML = {"accept": "text/html"}


async def test_publishing_an_incomplete_draft_marks_each_missing_field(client):
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    slot_id = await make_slot(host_id, None, capacity=0, town="", status="draft")
    await login(client, user.username)
    url = f"/vard/platser/{slot_id}"
    shown = await client.get(url, headers=HTML)
    refused = await client.post(
        f"{url}/publicera",
        data={"_csrf_token": csrf_of(shown.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    for field in ("capacity", "town", "occupation_id", "supervisor_id"):
        assert f'id="f-{field}-error"' in refused.text, field
        assert f'href="#f-{field}"' in refused.text, field
        assert f'id="f-{field}"' in refused.text, field  # the link has a target
    assert "Ange på vilken ort platsen finns innan du publicerar." in refused.text
    # The supervisors are added on the organisation's page, which the slot page links to.
    assert "Kontaktpersoner och handledare på organisationens sida" in refused.text
    assert f'href="/vard/organisation/{host_id}#kontakter"' in refused.text
    row = await Slot.select(Slot.status).where(Slot.id == slot_id).first()
    assert row == {"status": "draft"}


async def test_the_json_api_names_each_missing_field_with_its_own_message(client):
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    slot_id = await make_slot(host_id, None, capacity=1, town="", status="draft")
    await api_login(client, user.username)
    answer = await client.post(f"/api/v1/slots/{slot_id}/publish")
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert set(errors) == {"town", "occupation_id", "supervisor_id"}
    assert errors["town"] == "Ange på vilken ort platsen finns innan du publicerar."


async def test_the_slot_form_refuses_0_places_in_the_words_the_api_and_the_import_use(client):
    """A draft was saved with 0 places from the form; now the form says what the API and the
    import say, at the field, and saves nothing."""
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    form = await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)
    assert form.status_code == 200
    typed = {"kind": "praktik", "title": "Trädgårdsarbetare", "capacity": "0"}
    refused = await client.post(
        "/vard/platser/ny",
        data={"_csrf_token": csrf_of(form.text), "host_id": str(host_id), **typed},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert 'id="f-capacity-error"' in refused.text
    assert slot_rules.CAPACITY_PROBLEM in refused.text
    assert await Slot.count() == 0
    # Editing a draft to 0 places is refused alike, and the draft keeps its capacity.
    slot_id = await make_slot(host_id, None, capacity=2, status="draft")
    url = f"/vard/platser/{slot_id}"
    shown = await client.get(url, headers=HTML)
    edited = await client.post(
        url,
        data={"_csrf_token": csrf_of(shown.text), **typed, "capacity": "-3", "town": "Vårgårda"},
        headers=HTML,
        follow_redirects=False,
    )
    assert edited.status_code == 400
    assert slot_rules.CAPACITY_PROBLEM in edited.text
    row = await Slot.select(Slot.capacity).where(Slot.id == slot_id).first()
    assert row == {"capacity": 2}
