"""Slots over the API: the lifecycle, who may edit what, and what the public sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from marketplace.kernel import clock
from placements import slot_rules
from placements.services import current_slot_change
from placements.services.slots import booking_refusal, slot_accepts_bookings
from placements.tables import Slot
from tests.builders import (
    add_member,
    make_booking,
    make_candidate_row,
    make_contact,
    make_host,
)
from tests.conftest import login

# Taxonomy IDs from marketplace/reference/data: an occupation and a skill with their labels.
OCCUPATION_ID = "DLEi_bTh_oLA"  # Lagerarbetare/Terminalarbetare


async def one(query: Any) -> dict[str, Any]:
    """The first row of a query, which the test expects to exist."""
    row = await query.first()
    assert row is not None
    return dict(row)


def _taxonomy_examples() -> tuple[str, str, str, str]:
    from marketplace.reference.taxonomy import occupations, skills

    occ = sorted(occupations().values(), key=lambda o: o.id)[0]
    skill_id, skill_label = sorted(skills().items())[0]
    return occ.id, occ.label, skill_id, skill_label


# The handledare of each host made here: a slot is published only with an occupation and an
# active handledare, so `_slot_body` names both unless a test says otherwise.
_SUPERVISORS: dict[int, int] = {}


@pytest.fixture(autouse=True)
def _fresh_supervisors() -> None:
    _SUPERVISORS.clear()  # ids start over in every test's empty database


async def _host_with_supervisor(host_name: str, kind: str = "company", **kwargs: Any) -> int:
    host = await make_host(host_name, kind, **kwargs)
    _SUPERVISORS[host] = await make_contact(host, "Hanna Handledare")
    return host


async def _host_user(make_user, username: str, host_name: str) -> tuple[int, int]:
    user = await make_user("host", username=username)
    host = await _host_with_supervisor(host_name)
    await add_member(user.id, host)
    return user.id, host


def _slot_body(host_id: int, **extra) -> dict:
    body = {
        "host_id": host_id,
        "kind": "praktik",
        "title": "Praktik i lagret",
        "town": "Vårgårda",
        "capacity": 2,
        "occupation_id": OCCUPATION_ID,
    }
    if host_id in _SUPERVISORS:
        body["supervisor_id"] = _SUPERVISORS[host_id]
    body.update(extra)
    return body


async def test_create_edit_publish_pause_close(client, make_user):
    occ_id, occ_label, skill_id, skill_label = _taxonomy_examples()
    _, host = await _host_user(make_user, "henrik", "Vårgårda Lager AB")
    supervisor = await make_contact(host, "Maja")
    await login(client, "henrik")
    before = await current_slot_change()
    created = await client.post(
        "/api/v1/slots",
        json=_slot_body(
            host,
            occupation_id=occ_id,
            skills=[skill_id, "Truckkort", skill_label],
            tracks=["kompetens"],
            adaptations=["deltid möjlig"],
            supervisor_id=supervisor,
        ),
    )
    assert created.status_code == 201, created.text
    slot = created.json()
    assert slot["status"] == "draft"
    assert slot["occupation"] == {
        "id": occ_id,
        "label": occ_label,
        "ssyk": slot["occupation"]["ssyk"],
    }
    # Taxonomy skills are kept as IDs and shown with labels; free text stays text.
    assert slot["skills"] == [
        {"id": skill_id, "label": skill_label},
        {"id": None, "label": "Truckkort"},
    ]
    assert slot["setting"] == "open_workplace"  # from the host's kind (company)
    assert slot["open_seats"] == 2
    assert slot["latitude"] is not None
    assert slot["needs_supervisor"] is False
    assert slot["accepts_bookings"] is False  # a draft
    assert await current_slot_change() > before
    stored = await one(Slot.select(Slot.skills, Slot.change_seq).where(Slot.id == slot["id"]))
    assert skill_id in stored["skills"]
    assert stored["change_seq"] == await current_slot_change()

    edited = await client.patch(f"/api/v1/slots/{slot['id']}", json={"capacity": 3})
    assert edited.json()["capacity"] == 3
    published = await client.post(f"/api/v1/slots/{slot['id']}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] is not None
    assert published.json()["accepts_bookings"] is True
    assert await slot_accepts_bookings(slot["id"])
    paused = await client.post(f"/api/v1/slots/{slot['id']}/pause")
    assert paused.json()["status"] == "paused"
    again = await client.post(f"/api/v1/slots/{slot['id']}/pause")
    assert again.status_code == 409
    assert "pausad" in again.json()["detail"]
    closed = await client.post(f"/api/v1/slots/{slot['id']}/close")
    assert closed.json()["status"] == "closed"
    assert (await client.post(f"/api/v1/slots/{slot['id']}/publish")).status_code == 409
    assert (
        await client.patch(f"/api/v1/slots/{slot['id']}", json={"title": "Ny titel"})
    ).status_code == 409


async def test_publishing_needs_capacity_town_occupation_and_supervisor(client, make_user):
    _, host = await _host_user(make_user, "henrik", "Herrljunga Café AB")
    await login(client, "henrik")
    body = _slot_body(host, town="", occupation_id=None, supervisor_id=None)
    del body["capacity"]  # a draft made without one takes 1 participant
    slot = (await client.post("/api/v1/slots", json=body)).json()
    assert slot["capacity"] == 1
    # A slot saved with 0 places before every entry point refused it.
    await Slot.update({Slot.capacity: 0}).where(Slot.id == slot["id"])
    refused = await client.post(f"/api/v1/slots/{slot['id']}/publish")
    assert refused.status_code == 400
    # Every missing piece at once.
    assert refused.json()["fields"] == ["capacity", "town", "occupation_id", "supervisor_id"]
    assert refused.json()["errors"]["capacity"] == slot_rules.CAPACITY_PROBLEM
    assert "handledare" in refused.json()["detail"]
    await client.patch(
        f"/api/v1/slots/{slot['id']}",
        json={"capacity": 1, "occupation_id": OCCUPATION_ID, "supervisor_id": _SUPERVISORS[host]},
    )
    refused = await client.post(f"/api/v1/slots/{slot['id']}/publish")
    assert refused.json()["fields"] == ["town"]
    await client.patch(f"/api/v1/slots/{slot['id']}", json={"town": "Herrljunga"})
    assert (await client.post(f"/api/v1/slots/{slot['id']}/publish")).status_code == 200
    # A published slot cannot lose its capacity.
    emptied = await client.patch(f"/api/v1/slots/{slot['id']}", json={"capacity": 0})
    assert emptied.status_code == 400
    assert emptied.json()["errors"] == {"capacity": slot_rules.CAPACITY_PROBLEM}


async def test_a_published_slot_cannot_be_given_a_period_that_has_ended(client, make_user):
    """A host set a published slot's period to 2020-01-01 – 2020-06-01 and it stayed
    published and found until the night's sweep (browser walk). Now refused at the end date;
    so is a draft made with one, which could never be published (the walk: a host learnt it
    only at "Publicera", after saving)."""
    _, host = await _host_user(make_user, "henrik", "Herrljunga Café AB")
    await login(client, "henrik")
    slot = (await client.post("/api/v1/slots", json=_slot_body(host))).json()
    assert (await client.post(f"/api/v1/slots/{slot['id']}/publish")).status_code == 200
    past = {"start_date": "2020-01-01", "end_date": "2020-06-01"}
    refused = await client.patch(f"/api/v1/slots/{slot['id']}", json=past)
    assert refused.status_code == 400
    assert refused.json()["fields"] == ["end_date"]
    assert refused.json()["errors"]["end_date"].startswith(
        "Slutdatum 2020-06-01 har redan passerat. Ange ett slutdatum från i dag"
    )
    row = await one(Slot.select(Slot.end_date, Slot.status).where(Slot.id == slot["id"]))
    assert row["status"] == "published" and row["end_date"] != dt.date(2020, 6, 1)
    # Nor is a new draft made with one.
    made = await client.post("/api/v1/slots", json={**_slot_body(host), **past})
    assert made.status_code == 400
    assert made.json()["errors"] == {
        "end_date": "Slutdatum 2020-06-01 har redan passerat. Ange ett slutdatum från i dag, "
        "efter startdatumet och inom två år, eller lämna tomt."
    }
    assert await Slot.count() == 1


async def test_a_slot_whose_period_has_ended_keeps_it_while_other_fields_change(client, make_user):
    """An ended period that is stored (the slot was made before it ended) stays as it is
    while the host edits the text; the publish step still refuses it."""
    _, host = await _host_user(make_user, "henrik", "Herrljunga Café AB")
    await login(client, "henrik")
    draft = (await client.post("/api/v1/slots", json=_slot_body(host))).json()
    await Slot.update(
        {Slot.start_date: dt.date(2020, 1, 1), Slot.end_date: dt.date(2020, 6, 1)}
    ).where(Slot.id == draft["id"])
    kept = await client.patch(
        f"/api/v1/slots/{draft['id']}",
        json={"title": "Caféarbetare", "start_date": "2020-01-01", "end_date": "2020-06-01"},
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["title"] == "Caféarbetare"
    unpublished = await client.post(f"/api/v1/slots/{draft['id']}/publish")
    assert unpublished.status_code == 400 and unpublished.json()["fields"] == ["end_date"]
    assert "redan slut" in unpublished.json()["errors"]["end_date"]
    moved = await client.patch(f"/api/v1/slots/{draft['id']}", json={"end_date": "2020-06-02"})
    assert moved.status_code == 400
    assert "Slutdatum 2020-06-02 har redan passerat" in moved.json()["errors"]["end_date"]


@pytest.mark.parametrize("capacity", [0, -1, 101, "två"])
async def test_no_slot_is_saved_with_a_capacity_outside_1_to_100_not_even_a_draft(
    client, make_user, capacity
):
    """A draft with 0 places was saved while publishing and the import refused it: one rule
    now, said in the same words on creating and on editing."""
    _, host = await _host_user(make_user, "henrik", "Alingsås Bageri AB")
    await login(client, "henrik")
    refused = await client.post("/api/v1/slots", json=_slot_body(host, capacity=capacity))
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"] == {"capacity": slot_rules.CAPACITY_PROBLEM}
    assert await Slot.count() == 0
    draft = (await client.post("/api/v1/slots", json=_slot_body(host))).json()
    assert draft["status"] == "draft"
    edited = await client.patch(f"/api/v1/slots/{draft['id']}", json={"capacity": capacity})
    assert edited.status_code == 400
    assert edited.json()["errors"] == {"capacity": slot_rules.CAPACITY_PROBLEM}
    assert (await one(Slot.select(Slot.capacity).where(Slot.id == draft["id"])))["capacity"] == 2


async def test_slot_without_supervisor_is_not_published_and_is_flagged(client, make_user):
    _, host = await _host_user(make_user, "henrik", "Lerum Åkeri AB")
    await login(client, "henrik")
    slot = (await client.post("/api/v1/slots", json=_slot_body(host, supervisor_id=None))).json()
    assert slot["needs_supervisor"] is True
    refused = await client.post(f"/api/v1/slots/{slot['id']}/publish")
    assert refused.status_code == 400 and refused.json()["fields"] == ["supervisor_id"]
    assert not await slot_accepts_bookings(slot["id"])
    assert "Publicera" in (await booking_refusal(slot["id"]) or "")
    maja = await make_contact(host, "Maja")
    named = (await client.patch(f"/api/v1/slots/{slot['id']}", json={"supervisor_id": maja})).json()
    assert named["needs_supervisor"] is False
    assert named["supervisor"]["name"] == "Maja"
    published = (await client.post(f"/api/v1/slots/{slot['id']}/publish")).json()
    assert published["status"] == "published" and published["accepts_bookings"] is True
    assert await slot_accepts_bookings(slot["id"])
    # A published slot keeps its handledare.
    lost = await client.patch(f"/api/v1/slots/{slot['id']}", json={"supervisor_id": None})
    assert lost.status_code == 400


async def test_a_published_slot_whose_supervisor_left_can_still_be_edited(client, make_user):
    """A host's day: the supervisor was ended, and changing only the slot's places was refused
    with "Välj en handledare innan du publicerar". What the slot already lacked and the change
    leaves as it was no longer stops the change; what the change breaks still does."""
    _, host = await _host_user(make_user, "henrik", "Lerum Åkeri AB")
    await login(client, "henrik")
    slot = (await client.post("/api/v1/slots", json=_slot_body(host))).json()
    assert (await client.post(f"/api/v1/slots/{slot['id']}/publish")).status_code == 200
    supervisor = slot["supervisor"]["id"]
    assert (await client.delete(f"/api/v1/contacts/{supervisor}")).status_code == 200

    changed = await client.patch(f"/api/v1/slots/{slot['id']}", json={"capacity": 3})
    assert changed.status_code == 200, changed.text
    assert changed.json()["capacity"] == 3 and changed.json()["needs_supervisor"] is True
    emptied = await client.patch(f"/api/v1/slots/{slot['id']}", json={"town": ""})
    assert emptied.status_code == 400 and emptied.json()["fields"] == ["town"]
    # Naming the ended supervisor again is a change, and refused.
    again = await client.patch(f"/api/v1/slots/{slot['id']}", json={"supervisor_id": supervisor})
    assert again.status_code == 400 and again.json()["fields"] == ["supervisor_id"]
    maja = await make_contact(host, "Maja")
    named = await client.patch(f"/api/v1/slots/{slot['id']}", json={"supervisor_id": maja})
    assert named.status_code == 200 and named.json()["needs_supervisor"] is False


async def test_a_contact_no_longer_a_supervisor_is_no_slots_handledare(client, make_user):
    """Seen in a host's walk: after "Handledare" was unticked for the slot's handledare, the
    slot was published without a word and its list still named them. A contact who no longer
    supervises is no handledare: the slot needs one, is not published, takes no bookings, and
    a new slot cannot name them."""
    from employers.tables import Contact

    _, host = await _host_user(make_user, "henrik", "Lerum Åkeri AB")
    maja = await make_contact(host, "Maja")
    await login(client, "henrik")
    slot = (await client.post("/api/v1/slots", json=_slot_body(host, supervisor_id=maja))).json()
    assert slot["needs_supervisor"] is False
    await Contact.update({Contact.is_supervisor: False}).where(Contact.id == maja)
    read = (await client.get(f"/api/v1/slots/{slot['id']}/edit")).json()
    assert read["needs_supervisor"] is True
    refused = await client.post(f"/api/v1/slots/{slot['id']}/publish")
    assert refused.status_code == 400 and refused.json()["fields"] == ["supervisor_id"]
    assert not await slot_accepts_bookings(slot["id"])
    again = await client.post("/api/v1/slots", json=_slot_body(host, supervisor_id=maja))
    assert again.status_code == 400 and again.json()["fields"] == ["supervisor_id"]
    assert "Markera kontaktpersonen som handledare" in again.text
    home = await client.get("/vard", headers={"accept": "text/html"})
    row = home.text.split(f'href="/vard/platser/{slot["id"]}"')[1].split("</tr>")[0]
    assert "Saknas" in row and "Maja" not in row


async def test_supervisor_must_belong_to_the_slots_host(client, make_user):
    _, host = await _host_user(make_user, "henrik", "A AB")
    other_host = await make_host("B AB", "company")
    stranger = await make_contact(other_host, "Främling")
    await login(client, "henrik")
    refused = await client.post("/api/v1/slots", json=_slot_body(host, supervisor_id=stranger))
    assert refused.status_code == 400
    assert refused.json()["fields"] == ["supervisor_id"]


async def test_host_a_gets_404_on_host_b_slot(client, make_user, make_client):
    await _host_user(make_user, "anna_a", "A Bygg AB")
    _, host_b = await _host_user(make_user, "bo_b", "B Bygg AB")
    b_client = await make_client()
    await login(b_client, "bo_b")
    slot_b = (await b_client.post("/api/v1/slots", json=_slot_body(host_b))).json()
    await login(client, "anna_a")
    sid = slot_b["id"]
    read = await client.get(f"/api/v1/slots/{sid}/edit")
    assert read.status_code == 404
    assert "finns inte" in read.json()["detail"]
    assert (await client.patch(f"/api/v1/slots/{sid}", json={"title": "Kapad"})).status_code == 404
    assert (await client.delete(f"/api/v1/slots/{sid}")).status_code == 404
    assert (await client.post(f"/api/v1/slots/{sid}/publish")).status_code == 404
    assert (await client.post("/api/v1/slots", json=_slot_body(host_b))).status_code == 404
    assert (await client.get("/api/v1/slots/managed")).json()["total"] == 0
    # Nothing changed, and B still deletes its own draft.
    assert (await one(Slot.select(Slot.title).where(Slot.id == sid)))["title"] == (
        "Praktik i lagret"
    )
    assert (await b_client.delete(f"/api/v1/slots/{sid}")).status_code == 204
    assert not await Slot.exists().where(Slot.id == sid)


async def test_coordinator_acts_for_any_host(client, make_user):
    host = await _host_with_supervisor("Borås Städ AB")
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    slot = (await client.post("/api/v1/slots", json=_slot_body(host))).json()
    assert (await client.post(f"/api/v1/slots/{slot['id']}/publish")).status_code == 200
    listed = (await client.get("/api/v1/slots/managed", params={"host_id": host})).json()
    assert [s["id"] for s in listed["items"]] == [slot["id"]]


async def test_anonymous_sees_published_slots_without_drafts_or_private_contacts(
    client, make_user, make_client
):
    _, host = await _host_user(make_user, "henrik", "Vårgårda Kök AB")
    private = await make_contact(host, "Privat Handledare", email="privat@kok.example")
    await make_contact(host, "Kim Kontakt", email="kim@kok.example", public=True, supervisor=False)
    owner = await make_client()
    await login(owner, "henrik")
    draft = (await owner.post("/api/v1/slots", json=_slot_body(host, title="Utkastet"))).json()
    shown = (
        await owner.post(
            "/api/v1/slots", json=_slot_body(host, title="Kökspraktik", supervisor_id=private)
        )
    ).json()
    await owner.post(f"/api/v1/slots/{shown['id']}/publish")

    listed = await client.get("/api/v1/slots")
    assert listed.status_code == 200
    page = listed.json()
    assert page["total"] == 1
    assert [s["title"] for s in page["items"]] == ["Kökspraktik"]
    item = page["items"][0]
    assert item["contacts"] == [
        {"name": "Kim Kontakt", "role": "", "email": "kim@kok.example", "phone": ""}
    ]
    assert "privat" not in listed.text.lower()
    assert "supervisor" not in item
    single = await client.get(f"/api/v1/slots/{shown['id']}")
    assert single.status_code == 200
    assert "privat@kok.example" not in single.text
    assert (await client.get(f"/api/v1/slots/{draft['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/slots/{draft['id']}/edit")).status_code == 401
    # The owner sees the private supervisor when editing.
    edit = (await owner.get(f"/api/v1/slots/{shown['id']}/edit")).json()
    assert edit["supervisor"]["email"] == "privat@kok.example"


async def test_public_list_filters_and_pages(client, make_user):
    await make_user("coordinator", username="sara")
    a = await _host_with_supervisor("Alingsås IF", "association", town="Alingsås")
    b = await _host_with_supervisor("Vårgårda kommun, Kostenheten", "municipal_unit")
    await login(client, "sara")
    for i in range(5):
        host = a if i % 2 else b
        body = _slot_body(
            host,
            title=f"Plats nummer {i}",
            kind="arbetsträning" if i < 2 else "praktik",
            town="Alingsås" if host == a else "Vårgårda",
        )
        slot = (await client.post("/api/v1/slots", json=body)).json()
        await client.post(f"/api/v1/slots/{slot['id']}/publish")
    client.cookies.clear()
    first = (await client.get("/api/v1/slots", params={"limit": 2})).json()
    second = (await client.get("/api/v1/slots", params={"limit": 2, "offset": 2})).json()
    assert first["total"] == 5 and len(first["items"]) == 2
    assert not {s["id"] for s in first["items"]} & {s["id"] for s in second["items"]}
    town = (await client.get("/api/v1/slots", params={"town": "alingsås"})).json()
    assert town["total"] == 2
    kind = (await client.get("/api/v1/slots", params={"kind": "arbetsträning"})).json()
    assert kind["total"] == 2
    municipal = (
        await client.get("/api/v1/slots", params={"setting": "municipal_workplace"})
    ).json()
    assert municipal["total"] == 3
    by_host = (await client.get("/api/v1/slots", params={"host_id": a})).json()
    assert {s["host"]["name"] for s in by_host["items"]} == {"Alingsås IF"}
    bad = await client.get("/api/v1/slots", params={"limit": 1000})
    assert bad.status_code == 400


async def test_open_seats_count_seat_holding_bookings(client, make_user):

    _, host = await _host_user(make_user, "henrik", "Seat AB")
    await login(client, "henrik")
    slot = (await client.post("/api/v1/slots", json=_slot_body(host, capacity=3))).json()
    await client.post(f"/api/v1/slots/{slot['id']}/publish")
    # One participant each: one person cannot hold two placements at once (on PostgreSQL
    # the exclusion constraint pl_booking_no_overlap refuses it).
    for status in ("accepted", "proposed", "active"):
        cand = await make_candidate_row(
            None, "Del", last_name=status, email="", registered_at=clock.today()
        )
        await make_booking(slot["id"], cand, None, status=status)
    public = (await client.get(f"/api/v1/slots/{slot['id']}")).json()
    assert public["open_seats"] == 1
    # A slot with bookings cannot be deleted; it is closed instead.
    await client.post(f"/api/v1/slots/{slot['id']}/pause")
    refused = await client.delete(f"/api/v1/slots/{slot['id']}")
    assert refused.status_code == 409
    assert "Stäng" in refused.json()["detail"]


async def test_published_slot_cannot_be_deleted(client, make_user):
    _, host = await _host_user(make_user, "henrik", "Del AB")
    await login(client, "henrik")
    slot = (await client.post("/api/v1/slots", json=_slot_body(host))).json()
    await client.post(f"/api/v1/slots/{slot['id']}/publish")
    refused = await client.delete(f"/api/v1/slots/{slot['id']}")
    assert refused.status_code == 409


async def test_unknown_occupation_and_bad_dates_are_refused(client, make_user):
    _, host = await _host_user(make_user, "henrik", "Datum AB")
    await login(client, "henrik")
    unknown = await client.post("/api/v1/slots", json=_slot_body(host, occupation_id="nope_1234"))
    assert unknown.status_code == 400
    assert unknown.json()["fields"] == ["occupation_id"]
    dates = await client.post(
        "/api/v1/slots",
        json=_slot_body(host, start_date="2026-05-01", end_date="2026-04-01"),
    )
    assert dates.status_code == 400
    assert "Slutdatum" in dates.json()["detail"]
    typo = await client.post("/api/v1/slots", json=_slot_body(host, tracks=["halsa"]))
    assert typo.status_code == 400


async def test_host_pause_takes_down_published_slots_and_resume_restores_them(client, make_user):
    _, host = await _host_user(make_user, "henrik", "Paus AB")
    await login(client, "henrik")
    ids = []
    for title in ("Första platsen", "Andra platsen", "Tredje platsen"):
        slot = (await client.post("/api/v1/slots", json=_slot_body(host, title=title))).json()
        ids.append(slot["id"])
    await client.post(f"/api/v1/slots/{ids[0]}/publish")
    await client.post(f"/api/v1/slots/{ids[1]}/publish")
    await client.post(f"/api/v1/slots/{ids[1]}/pause")  # paused by hand before
    before = await current_slot_change()
    paused = await client.post(f"/api/v1/hosts/{host}/pause")
    assert paused.status_code == 200, paused.text
    assert paused.json()["host"]["active"] is False
    assert paused.json()["slots_changed"] == 1
    assert await current_slot_change() > before
    assert (await client.get("/api/v1/slots")).json()["total"] == 0
    # The account stays and the host still sees its slots.
    assert (await client.get("/api/v1/slots/managed")).json()["total"] == 3
    assert (await client.post(f"/api/v1/slots/{ids[2]}/publish")).status_code == 409
    resumed = (await client.post(f"/api/v1/hosts/{host}/resume")).json()
    assert resumed["slots_changed"] == 1
    statuses = {
        r["id"]: r["status"]
        for r in await Slot.select(Slot.id, Slot.status).where(Slot.host == host)
    }
    assert statuses == {ids[0]: "published", ids[1]: "paused", ids[2]: "draft"}


async def test_other_host_cannot_pause_and_anonymous_cannot_write(client, make_user):
    await _host_user(make_user, "anna_a", "A AB")
    _, host_b = await _host_user(make_user, "bo_b", "B AB")
    assert (await client.post("/api/v1/slots", json=_slot_body(host_b))).status_code == 401
    await login(client, "anna_a")
    assert (await client.post(f"/api/v1/hosts/{host_b}/pause")).status_code == 404
    await make_user("analyst", username="anna")
    await login(client, "anna")
    assert (await client.post("/api/v1/slots", json=_slot_body(host_b))).status_code == 403


@pytest.mark.parametrize(
    "title",
    [
        "     ",
        "  a  ",
        "\t\t\t",
        "\u3000\u3000\u3000",
        "\u200b\u200b\u200b",
        "---",
        "\u3164\u3164\u3164",  # Hangul fillers count as letters
        "\uffa0\uffa0\uffa0",
        "ab\u034f",  # two letters and a combining mark
    ],
)
async def test_a_title_with_nothing_to_read_is_refused_on_creating_and_editing(
    client, make_user, title
):
    """Fuzzing the API: a title of spaces passed the length rule as sent and was saved as "",
    and a published slot's title could be blanked the same way."""
    _, host = await _host_user(make_user, "henrik", "Herrljunga Café AB")
    await login(client, "henrik")
    refused = await client.post("/api/v1/slots", json=_slot_body(host, title=title))
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"] == {"title": slot_rules.TITLE_PROBLEM}
    assert await Slot.count() == 0
    slot = (await client.post("/api/v1/slots", json=_slot_body(host))).json()
    assert (await client.post(f"/api/v1/slots/{slot['id']}/publish")).status_code == 200
    blanked = await client.patch(f"/api/v1/slots/{slot['id']}", json={"title": title})
    assert blanked.status_code == 400
    assert blanked.json()["errors"] == {"title": slot_rules.TITLE_PROBLEM}
    row = await one(Slot.select(Slot.title).where(Slot.id == slot["id"]))
    assert row["title"] == slot["title"]
    # Trimmed, a real title is kept as it reads.
    kept = await client.patch(f"/api/v1/slots/{slot['id']}", json={"title": "  Kock  "})
    assert kept.status_code == 200 and kept.json()["title"] == "Kock"


async def test_a_change_sent_with_the_version_it_read_is_refused_after_another_change(
    client, make_user
):
    """Two tabs on one slot (a host's day): the second save put back the title the first had
    changed. With the `version` it read (body or If-Match), a change to a slot changed since
    is a 409 naming the fields sent that differ, and nothing is saved."""
    _, host = await _host_user(make_user, "henrik", "Vårgårda Lager AB")
    await login(client, "henrik")
    slot = (await client.post("/api/v1/slots", json=_slot_body(host))).json()
    read = slot["version"]
    assert (await client.get(f"/api/v1/slots/{slot['id']}/edit")).json()["version"] == read
    first = await client.patch(
        f"/api/v1/slots/{slot['id']}", json={"title": "Lager och truck", "version": read}
    )
    assert first.status_code == 200 and first.json()["version"] != read
    stale = await client.patch(
        f"/api/v1/slots/{slot['id']}",
        json={"title": "Praktik i lagret", "hours_per_week": 20, "version": read},
    )
    assert stale.status_code == 409, stale.text
    assert "har ändrats sedan du öppnade den" in stale.json()["detail"]
    assert sorted(stale.json()["fields"]) == ["hours_per_week", "title"]
    stored = await one(Slot.select(Slot.title, Slot.hours_per_week).where(Slot.id == slot["id"]))
    assert stored == {"title": "Lager och truck", "hours_per_week": None}
    # The same by If-Match, quoted as an entity tag.
    by_header = await client.patch(
        f"/api/v1/slots/{slot['id']}",
        json={"hours_per_week": 20},
        headers={"If-Match": f'"{read}"'},
    )
    assert by_header.status_code == 409 and by_header.json()["fields"] == ["hours_per_week"]
    bad = await client.patch(
        f"/api/v1/slots/{slot['id']}", json={"hours_per_week": 20}, headers={"If-Match": "*x"}
    )
    assert bad.status_code == 400 and "If-Match" in bad.json()["detail"]
    # With the current version, or none, the change is made.
    now = first.json()["version"]
    fresh = await client.patch(
        f"/api/v1/slots/{slot['id']}", json={"hours_per_week": 20}, headers={"If-Match": f'"{now}"'}
    )
    assert fresh.status_code == 200 and fresh.json()["hours_per_week"] == 20
    assert fresh.json()["title"] == "Lager och truck"
    blind = await client.patch(f"/api/v1/slots/{slot['id']}", json={"hours_per_week": 25})
    assert blind.status_code == 200 and blind.json()["hours_per_week"] == 25


async def test_a_slots_version_changes_with_its_fields_not_with_its_bookings_or_status(
    client, make_user
):
    """A booking or a status change stamps the slot for the search, but changes nothing the
    edit form shows: an edit read before it is still saved."""
    _, host = await _host_user(make_user, "henrik", "Vårgårda Lager AB")
    await login(client, "henrik")
    slot = (await client.post("/api/v1/slots", json=_slot_body(host))).json()
    assert (await client.post(f"/api/v1/slots/{slot['id']}/publish")).status_code == 200
    await make_booking(slot["id"], await make_candidate_row(None), None, status="active")
    after = (await client.get(f"/api/v1/slots/{slot['id']}/edit")).json()
    assert after["version"] == slot["version"]
    saved = await client.patch(
        f"/api/v1/slots/{slot['id']}", json={"capacity": 3, "version": slot["version"]}
    )
    assert saved.status_code == 200, saved.text
    # A change that sends only what is already stored loses nothing: it is no conflict.
    same = await client.patch(
        f"/api/v1/slots/{slot['id']}", json={"capacity": 3, "version": slot["version"]}
    )
    assert same.status_code == 200
