"""Issue 13, item 15: registering another coordinator's participant's personnummer said the
person already existed (an oracle on who is a participant). Now the registration answers
as any other, and the possible duplicate goes to the admins."""

from __future__ import annotations

from marketplace.kernel.tables import AuditEntry, OutboxMessage
from placements.services.candidates import POSSIBLE_DUPLICATE
from placements.tables import Candidate
from tests.conftest import login

PNR_TEN = "850101-0006"
PNR = "19850101-0006"


def person(first: str = "Aida", pnr: str = PNR_TEN) -> dict:
    return {"first_name": first, "last_name": "Andersson", "personnummer": pnr, "track": "hälsa"}


def shape(answer: dict) -> dict:
    """What a registration answer looks like, without the values that differ per record."""
    skip = {"id", "first_name", "created_at", "updated_at", "coordinator_id", "coordinator_name"}
    return {k: v for k, v in answer.items() if k not in skip}


async def test_other_coordinators_participant_is_not_confirmed(client, make_client, make_user):
    await make_user("coordinator", username="sara")
    await make_user("coordinator", username="nils")
    await make_user("admin", username="alva", email="alva@kommun.example")
    await login(client, "sara")
    mine = await client.post("/api/v1/candidates/", json=person())
    assert mine.status_code == 201
    # Nils probes with sara's participant's number, and with a number nobody has.
    nils = await make_client()
    await login(nils, "nils")
    probe = await nils.post("/api/v1/candidates/", json=person("Okänd"))
    fresh = await nils.post("/api/v1/candidates/", json=person("Ny", "121212-1212"))
    assert probe.status_code == fresh.status_code == 201
    assert probe.headers.keys() == fresh.headers.keys()
    assert shape(probe.json()) | {"personnummer": ""} == shape(fresh.json()) | {"personnummer": ""}
    assert "finns redan" not in probe.text
    # The admins are told: an audit row to list and a mail, neither with the number.
    flagged = await AuditEntry.select().where(AuditEntry.action == POSSIBLE_DUPLICATE)
    assert [r["subject_id"] for r in flagged] == [probe.json()["id"]]
    assert str(mine.json()["id"]) in flagged[0]["detail"]
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "possible_duplicate")
    assert [m["recipient"] for m in mails] == ["alva@kommun.example"]
    assert "0006" not in mails[0]["body_text"] and "850101" not in mails[0]["body_text"]
    # It links to the event in the admin's own page, and names no internal event name.
    assert f"/loggkontroll?subject_id={probe.json()['id']}" in mails[0]["body_text"]
    assert POSSIBLE_DUPLICATE not in mails[0]["body_text"]
    assert PNR not in str(flagged)
    # The admin lists them through the audit review.
    admin = await make_client()
    await login(admin, "alva")
    listed = await admin.get("/api/v1/audit", params={"action": POSSIBLE_DUPLICATE})
    assert listed.status_code == 200
    assert [r["subject_id"] for r in listed.json()["items"]] == [probe.json()["id"]]


async def test_changing_to_someone_elses_number_is_not_confirmed_either(
    client, make_client, make_user
):
    await make_user("coordinator", username="sara")
    await make_user("coordinator", username="nils")
    await make_user("admin", username="alva")
    await login(client, "sara")
    await client.post("/api/v1/candidates/", json=person())
    nils = await make_client()
    await login(nils, "nils")
    own = (await nils.post("/api/v1/candidates/", json=person("Bo", "121212-1212"))).json()
    changed = await nils.patch(f"/api/v1/candidates/{own['id']}", json={"personnummer": PNR_TEN})
    assert changed.status_code == 200
    flagged = await AuditEntry.select().where(AuditEntry.action == POSSIBLE_DUPLICATE)
    assert [r["subject_id"] for r in flagged] == [own["id"]]


async def test_own_participant_twice_is_still_told(client, make_user):
    await make_user("coordinator", username="sara")
    await make_user("admin", username="alva")
    await login(client, "sara")
    first = await client.post("/api/v1/candidates/", json=person())
    assert first.status_code == 201
    twice = await client.post("/api/v1/candidates/", json=person("Aida igen"))
    assert twice.status_code == 400
    assert "finns redan" in twice.json()["detail"]
    assert twice.json()["fields"] == ["personnummer"]
    other = (await client.post("/api/v1/candidates/", json=person("Bo", "121212-1212"))).json()
    clash = await client.patch(f"/api/v1/candidates/{other['id']}", json={"personnummer": PNR})
    assert clash.status_code == 400
    assert await Candidate.count() == 2
    assert not await AuditEntry.exists().where(AuditEntry.action == POSSIBLE_DUPLICATE)


async def test_admin_who_sees_everyone_is_told(client, make_client, make_user):
    sara = await make_user("coordinator", username="sara")
    await make_user("admin", username="alva")
    await login(client, "sara")
    await client.post("/api/v1/candidates/", json=person())
    admin = await make_client()
    await login(admin, "alva")
    told = await admin.post(
        "/api/v1/candidates/", json=person("Aida igen") | {"coordinator_id": sara.id}
    )
    assert told.status_code == 400
    assert "finns redan" in told.json()["detail"]
