"""Host users: invitation by e-mail with a single-use, expiring link stored hashed."""

from __future__ import annotations

import datetime as dt
import re

import time_machine

from employers.tables import HostInvitation, HostMembership
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import OutboxMessage, User
from tests.builders import add_member, make_host
from tests.conftest import DEMO_PASSWORD, login

PASSWORD = "ett-bra-lösenord-för-värden"


async def _invite(client, host_id: int, email: str = "ida@bageri.example") -> str:
    response = await client.post(
        f"/api/v1/hosts/{host_id}/invitations", json={"email": email, "name": "Ida Ek"}
    )
    assert response.status_code == 201, response.text
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "host_invitation").first()
    assert mail is not None
    match = re.search(r"(http\S+/vard/inbjudan\?token=(\S+))", mail["body_text"])
    assert match, mail["body_text"]
    assert match.group(1).startswith(get_settings().base_url)
    return match.group(2)


async def test_invited_person_sets_password_once_and_manages_the_host(
    client, make_user, make_client
):
    host = await make_host("Alingsås Bageri AB", "company")
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    token = await _invite(client, host)
    mail = await OutboxMessage.select().first()
    assert mail is not None
    assert mail["recipient"] == "ida@bageri.example"
    assert "Alingsås Bageri AB" in mail["subject"]
    # Only a hash of the token is stored.
    stored = await HostInvitation.select(HostInvitation.token_hash).first()
    assert stored is not None and token not in stored["token_hash"]
    listed = (await client.get(f"/api/v1/hosts/{host}/invitations")).json()
    assert listed[0]["email"] == "ida@bageri.example" and listed[0]["used_at"] is None
    assert token not in str(listed)

    anonymous = await make_client()
    info = await anonymous.post("/api/v1/host-invitations/check", json={"token": token})
    assert info.json()["host_name"] == "Alingsås Bageri AB"
    weak = await anonymous.post(
        "/api/v1/host-invitations/accept", json={"token": token, "password": "kort"}
    )
    assert weak.status_code == 400
    assert weak.json()["fields"] == ["password"]
    accepted = await anonymous.post(
        "/api/v1/host-invitations/accept",
        json={"token": token, "password": PASSWORD, "username": "ida"},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"username": "ida", "host_ids": [host]}
    user = await User.select(User.role, User.email).where(User.username == "ida").first()
    assert user == {"role": "host", "email": "ida@bageri.example"}
    again = await anonymous.post(
        "/api/v1/host-invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert again.status_code == 404
    assert "redan använd" in again.json()["detail"]

    response = await anonymous.post(
        "/api/v1/auth/login", json={"username": "ida", "password": PASSWORD}
    )
    assert response.status_code == 200
    anonymous.headers["x-csrftoken"] = response.json()["csrf_token"]
    assert (await anonymous.get(f"/api/v1/hosts/{host}")).status_code == 200


async def test_link_expires(client, make_user, make_client):
    host = await make_host("Herrljunga Trä AB", "company")
    await make_user("admin", username="alva")
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        await login(client, "alva")
        token = await _invite(client, host)
        traveller.move_to(start + dt.timedelta(days=8))
        late = await make_client()
        response = await late.post(
            "/api/v1/host-invitations/accept", json={"token": token, "password": PASSWORD}
        )
        assert response.status_code == 404
    assert await HostMembership.count() == 0


async def test_existing_host_user_gets_the_new_organisation(client, make_user, make_client):
    first = await make_host("Första AB", "company")
    second = await make_host("Andra AB", "company")
    ida = await make_user("host", username="ida", email="ida@example.se")
    await add_member(ida.id, first)
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    token = await _invite(client, second, "IDA@example.se")
    other = await make_client()
    info = (await other.post("/api/v1/host-invitations/check", json={"token": token})).json()
    assert info["existing_account"] is True
    # The link never sets an existing account's password: its owner proves it is theirs.
    wrong = await other.post(
        "/api/v1/host-invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert wrong.status_code == 400 and wrong.json()["fields"] == ["password"]
    done = await other.post(
        "/api/v1/host-invitations/accept", json={"token": token, "password": DEMO_PASSWORD}
    )
    assert done.json() == {"username": "ida", "host_ids": [first, second]}


async def test_only_staff_invite_and_not_to_staff_addresses(client, make_user):
    host = await make_host("Tredje AB", "company")
    henrik = await make_user("host", username="henrik")
    await add_member(henrik.id, host)
    await login(client, "henrik")
    denied = await client.post(f"/api/v1/hosts/{host}/invitations", json={"email": "ny@example.se"})
    assert denied.status_code == 403
    await make_user("coordinator", username="sara", email="sara@kommun.example")
    await login(client, "sara")
    clash = await client.post(
        f"/api/v1/hosts/{host}/invitations", json={"email": "sara@kommun.example"}
    )
    assert clash.status_code == 409
    bad = await client.post(f"/api/v1/hosts/{host}/invitations", json={"email": "inte en adress"})
    assert bad.status_code == 400
    assert await OutboxMessage.count() == 0


async def test_the_invited_person_becomes_a_supervisor_once(client, make_user, make_client):
    from employers.tables import Contact

    host = await make_host("Vårgårda kommun, Kostenheten")
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    token = await _invite(client, host)
    anonymous = await make_client()
    accepted = await anonymous.post(
        "/api/v1/host-invitations/accept",
        json={"token": token, "password": PASSWORD, "username": "ida"},
    )
    assert accepted.status_code in (200, 201), accepted.text
    [contact] = await Contact.select().where(Contact.host == host)
    assert contact["name"] == "Ida Ek" and contact["email"] == "ida@bageri.example"
    assert contact["is_supervisor"] and contact["active"] and contact["supervision_capacity"] >= 1
    # A second invitation of the same person to the same host adds no second contact.
    await _invite(client, host)
    latest = (
        await OutboxMessage.select()
        .where(OutboxMessage.kind == "host_invitation")
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert latest is not None
    second = re.search(r"/vard/inbjudan\?token=(\S+)", latest["body_text"])
    assert second and second.group(1) != token
    again = await anonymous.post(
        "/api/v1/host-invitations/accept",
        json={"token": second.group(1), "password": PASSWORD},
    )
    assert again.status_code in (200, 201), again.text
    assert await Contact.count().where(Contact.host == host) == 1
