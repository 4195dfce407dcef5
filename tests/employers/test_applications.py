"""Applications through the public form, decided by coordinators and admins."""

from __future__ import annotations

from employers.tables import Host, HostApplication, HostInvitation
from marketplace.kernel.tables import OutboxMessage
from tests.conftest import login

FORM = {
    "org_name": "Vårgårda Ridklubb",
    "kind": "association",
    "org_number": "802000-0000",
    "town": "Vårgårda",
    "contact_name": "Stina Häst",
    "contact_email": "stina@ridklubb.example",
    "message": "Vi behöver hjälp i stallet.",
}


def valid_form() -> dict:
    from employers.services.orgnr import luhn_check_digit

    return {**FORM, "org_number": "802000000" + luhn_check_digit("802000000")}


async def test_anonymous_application_waits_then_approval_creates_host_and_invites(
    client, make_user, make_client
):
    form = valid_form()
    sent = await client.post("/api/v1/host-applications", json=form)
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "pending"
    assert await Host.count() == 0
    await make_user("coordinator", username="sara")
    staff = await make_client()
    await login(staff, "sara")
    pending = (await staff.get("/api/v1/host-applications", params={"status": "pending"})).json()
    assert [a["org_name"] for a in pending] == ["Vårgårda Ridklubb"]
    approved = await staff.post(
        f"/api/v1/host-applications/{pending[0]['id']}/approve", json={"note": "Välkomna!"}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    host = await Host.select().first()
    assert host is not None
    assert (host["name"], host["kind"], host["org_number"]) == (
        "Vårgårda Ridklubb",
        "association",
        f"{form['org_number'][:6]}-{form['org_number'][6:]}",
    )
    assert approved.json()["host_id"] == host["id"]
    invitation = await HostInvitation.select().first()
    assert invitation is not None and invitation["email"] == "stina@ridklubb.example"
    mail = await OutboxMessage.select().first()
    assert mail is not None and mail["recipient"] == "stina@ridklubb.example"
    twice = await staff.post(f"/api/v1/host-applications/{pending[0]['id']}/approve", json={})
    assert twice.status_code == 409


async def test_rejection_needs_a_note_and_mails_it(client, make_user):
    await client.post("/api/v1/host-applications", json=valid_form())
    app_id = (await HostApplication.select(HostApplication.id).first() or {})["id"]
    await make_user("admin", username="alva")
    await login(client, "alva")
    empty = await client.post(f"/api/v1/host-applications/{app_id}/reject", json={"note": " "})
    assert empty.status_code == 400
    rejected = await client.post(
        f"/api/v1/host-applications/{app_id}/reject",
        json={"note": "Vi har redan en ridklubb som värd."},
    )
    assert rejected.json()["status"] == "rejected"
    mail = await OutboxMessage.select().first()
    assert mail is not None
    assert "Vi har redan en ridklubb som värd." in mail["body_text"]
    assert await Host.count() == 0
    # Deciding again says how it was decided, in Swedish (it once showed the code).
    again = await client.post(f"/api/v1/host-applications/{app_id}/approve", json={})
    assert again.status_code == 409
    assert again.json()["detail"] == "Ansökan är redan avslagen."


async def test_invalid_application_and_who_may_decide(client, make_user):
    bad = await client.post("/api/v1/host-applications", json={**FORM, "org_number": "802000-0001"})
    assert bad.status_code == 400
    assert "802000-0001" in bad.json()["detail"]
    missing = await client.post("/api/v1/host-applications", json={"org_name": "X"})
    assert missing.status_code == 400
    assert (await client.get("/api/v1/host-applications")).status_code == 401
    await make_user("host", username="henrik")
    await login(client, "henrik")
    assert (await client.get("/api/v1/host-applications")).status_code == 403
