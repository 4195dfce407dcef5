"""Attacks on host invitations and on every place an e-mail address enters (issue 13, item 1).

An invitation used to match its address with ILIKE, so that an invitation to `v_rd@…` reset
the password of the existing host user `vard`. Now an address is validated and stored
lower-cased at every entry point, matched exactly, and a link never changes the password of
an account that already exists.
"""

from __future__ import annotations

import re

import pytest

from employers.tables import Contact, HostApplication, HostInvitation, HostMembership
from marketplace.kernel import auth
from marketplace.kernel.addresses import normalise_email, single_line
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.tables import OutboxMessage, User
from placements.tables import Candidate
from tests.builders import add_member, make_candidate_row, make_host
from tests.conftest import DEMO_PASSWORD, login

NEW_PASSWORD = "ett-nytt-lösenord-från-länken-9"
VARD = "vard@vard.example.se"


async def _invite(client, host_id: int, email: str) -> str:
    """Invite `email` and return the token from the mail that was queued for it."""
    response = await client.post(
        f"/api/v1/hosts/{host_id}/invitations", json={"email": email, "name": "Ny Person"}
    )
    assert response.status_code == 201, response.text
    invitation_id = response.json()["id"]
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "host_invitation")
    [mail] = [m for m in mails if m["meta"] and f'"invitation_id": {invitation_id}' in m["meta"]]
    match = re.search(r"/vard/inbjudan\?token=(\S+)", mail["body_text"])
    assert match
    return match.group(1)


async def _password_hash(username: str) -> str:
    row = await User.select(User.password).where(User.username == username).first()
    assert row is not None
    return str(row["password"])


@pytest.mark.parametrize(
    "lookalike", ["v_rd@vard.example.se", "%@vard.example.se", "_ard@vard.example.se"]
)
async def test_an_invitation_to_a_lookalike_address_never_touches_another_user(
    client, make_user, make_client, lookalike
):
    theirs = await make_host("Vårdbolaget AB", "company")
    vard = await make_user("host", username="vard", email=VARD)
    await add_member(vard.id, theirs)
    before = await _password_hash("vard")
    other_host = await make_host("Angriparens Städ AB", "company")
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    token = await _invite(client, other_host, lookalike)

    anonymous = await make_client()
    info = await anonymous.post("/api/v1/host-invitations/check", json={"token": token})
    assert info.json()["existing_account"] is False
    accepted = await anonymous.post(
        "/api/v1/host-invitations/accept",
        json={"token": token, "password": NEW_PASSWORD, "username": "angripare"},
    )
    assert accepted.status_code == 200, accepted.text
    # A new account for the lookalike address; vard is exactly as before.
    new = await User.select(User.email, User.id).where(User.username == "angripare").first()
    assert new is not None and new["email"] == lookalike
    assert await _password_hash("vard") == before
    memberships = await HostMembership.select(HostMembership.host).where(
        HostMembership.user == vard.id
    )
    assert [m["host"] for m in memberships] == [theirs]
    assert (
        await anonymous.post(
            "/api/v1/auth/login", json={"username": "vard", "password": NEW_PASSWORD}
        )
    ).status_code == 401
    assert (
        await anonymous.post(
            "/api/v1/auth/login", json={"username": "vard", "password": DEMO_PASSWORD}
        )
    ).status_code == 200


async def test_an_invitation_to_an_existing_address_in_other_case_needs_the_current_password(
    client, make_user, make_client
):
    theirs = await make_host("Vårdbolaget AB", "company")
    vard = await make_user("host", username="vard", email=VARD)
    await add_member(vard.id, theirs)
    before = await _password_hash("vard")
    second = await make_host("Andra Vård AB", "company")
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    token = await _invite(client, second, "VARD@Vard.Example.SE")
    # Stored normalised: the same mailbox as vard's.
    assert (await HostInvitation.select(HostInvitation.email).first()) == {"email": VARD}

    anonymous = await make_client()
    info = await anonymous.post("/api/v1/host-invitations/check", json={"token": token})
    assert info.json()["existing_account"] is True
    takeover = await anonymous.post(
        "/api/v1/host-invitations/accept", json={"token": token, "password": NEW_PASSWORD}
    )
    assert takeover.status_code == 400
    assert takeover.json()["fields"] == ["password"]
    assert "lösenordet du loggar in med" in takeover.json()["detail"]
    assert await _password_hash("vard") == before
    assert await HostMembership.count().where(HostMembership.user == vard.id) == 1
    # The refusal did not use up the link: the owner joins with the password they have.
    joined = await anonymous.post(
        "/api/v1/host-invitations/accept", json={"token": token, "password": DEMO_PASSWORD}
    )
    assert joined.json() == {"username": "vard", "host_ids": sorted([theirs, second])}
    assert await _password_hash("vard") == before


async def test_the_invitation_page_asks_an_existing_user_for_the_current_password(
    client, make_user, make_client
):
    await make_user("host", username="vard", email=VARD)
    host = await make_host("Sida Vård AB", "company")
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    token = await _invite(client, host, VARD)
    anonymous = await make_client()
    page = await anonymous.get("/vard/inbjudan", params={"token": token})
    assert page.status_code == 200
    assert "Ditt nuvarande lösenord" in page.text and "password2" not in page.text


@pytest.mark.parametrize(
    "bad",
    [
        "inte en adress",
        "a@b",
        "ida@bageri.example\r\nBcc: alla@kommun.example.se",
        "ida@bageri.example\nX: y",
        "@bageri.example",
        "ida@localhost",
        # Valid for the library (UTF-8 before the @), but no mail could be sent to it.
        "åsa.öberg@vargarda.se",
    ],
)
async def test_every_entry_point_refuses_a_bad_address_in_swedish(client, make_user, bad):
    host = await make_host("Adresskoll AB", "company")
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    invited = await client.post(f"/api/v1/hosts/{host}/invitations", json={"email": bad})
    assert invited.status_code == 400 and invited.json()["fields"] == ["email"]
    assert "E-postadressen" in invited.json()["detail"]
    contact = await client.post(
        f"/api/v1/hosts/{host}/contacts", json={"name": "Kim Kontakt", "email": bad}
    )
    assert contact.status_code == 400 and contact.json()["fields"] == ["email"]
    candidate = await client.post(
        "/api/v1/candidates", json={"first_name": "Ali", "last_name": "Berg", "email": bad}
    )
    assert candidate.status_code == 400 and candidate.json()["fields"] == ["email"]
    with pytest.raises(ValidationFailed) as err:
        await auth.create_user("ny_user", DEMO_PASSWORD, "coordinator", email=bad)
    assert err.value.fields == ["email"]
    client.cookies.clear()
    application = await client.post(
        "/api/v1/host-applications",
        json={
            "org_name": "Ansökan AB",
            "kind": "company",
            "contact_name": "Fia",
            "contact_email": bad,
        },
    )
    assert application.status_code == 400 and application.json()["fields"] == ["contact_email"]
    assert await HostInvitation.count() == 0 and await Contact.count() == 0
    assert await Candidate.count() == 0 and await HostApplication.count() == 0
    assert await OutboxMessage.count() == 0


async def test_addresses_are_stored_lower_cased_everywhere(client, make_user):
    host = await make_host("Versaler AB", "company")
    user = await auth.create_user("Ulla", DEMO_PASSWORD, "coordinator", email=" Ulla@Kommun.SE ")
    assert user.email == "ulla@kommun.se"
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    contact = await client.post(
        f"/api/v1/hosts/{host}/contacts", json={"name": "Kim", "email": "Kim.Kontakt@Versaler.SE"}
    )
    assert contact.json()["email"] == "kim.kontakt@versaler.se"
    candidate = await client.post(
        "/api/v1/candidates",
        json={"first_name": "Ali", "last_name": "Berg", "email": "Ali.Berg@Example.SE"},
    )
    assert candidate.status_code == 201, candidate.text
    assert candidate.json()["email"] == "ali.berg@example.se"
    changed = await client.patch(
        f"/api/v1/candidates/{candidate.json()['id']}", json={"email": "ALI@Example.SE"}
    )
    assert changed.json()["email"] == "ali@example.se"
    # A second user for the same mailbox in other case is a clash, not a new account.
    with pytest.raises(ValidationFailed):
        await auth.create_user("ulla2", DEMO_PASSWORD, "coordinator", email="ULLA@kommun.se")


def test_the_kernel_checks_are_swedish_and_name_the_field():
    assert normalise_email(" Asa.Oberg@Kommun.Example.SE ") == "asa.oberg@kommun.example.se"
    # å, ä and ö before the @ can never be sent (tests/marketplace/test_mail_addresses.py).
    with pytest.raises(ValidationFailed) as err:
        normalise_email(" Åsa.Öberg@Kommun.Example.SE ")
    assert "Menar du asa.oberg@kommun.example.se?" in err.value.message
    assert normalise_email("", required=False) == ""
    with pytest.raises(ValidationFailed) as err:
        normalise_email("", "contact_email", label="Kontaktpersonens e-postadress")
    assert err.value.fields == ["contact_email"]
    assert err.value.message.startswith("Kontaktpersonens e-postadress måste fyllas i")
    with pytest.raises(ValidationFailed) as err:
        single_line("Kock\r\nBcc: x@y.se", "title", label="Rubriken")
    assert err.value.fields == ["title"]
    assert "radbrytningar" in err.value.message


async def test_search_filters_take_wildcards_literally(client, make_user):
    """Every LIKE built from what a person typed is escaped: `%` and `_` match themselves."""
    from tests.builders import make_slot, make_supervisor

    plain = await make_host("Bageriet AB", "company", town="Vårgårda")
    await make_host("100% Städ_AB", "company", town="Al_ngsås")
    await make_slot(plain, await make_supervisor(plain))
    coordinator = await make_user("coordinator", username="sara")
    await make_candidate_row(coordinator.id, "Ali", last_name="Berg", email="")
    await make_candidate_row(coordinator.id, "Pro_cent", last_name="Hundra%", email="")
    await login(client, "sara")

    async def host_names(**params) -> list[str]:
        page = (await client.get("/api/v1/hosts", params=params)).json()
        return sorted(h["name"] for h in page["items"])

    assert await host_names(q="%") == ["100% Städ_AB"]
    assert await host_names(q="_") == ["100% Städ_AB"]
    assert await host_names(q="ä") == ["100% Städ_AB"]
    assert await host_names(town="%") == []
    assert await host_names(town="_") == []
    assert await host_names(town="al_ngsås") == ["100% Städ_AB"]
    assert await host_names(town="Al%") == []

    async def candidate_names(q: str) -> list[str]:
        page = (await client.get("/api/v1/candidates", params={"q": q})).json()
        return sorted(c["first_name"] for c in page["items"])

    assert await candidate_names("%") == ["Pro_cent"]
    assert await candidate_names("_") == ["Pro_cent"]
    assert await candidate_names("al") == ["Ali"]

    async def slot_count(town: str) -> int:
        return (await client.get("/api/v1/slots", params={"town": town})).json()["total"]

    assert await slot_count("%") == 0
    assert await slot_count("_årgårda") == 0
    assert await slot_count("Vårgårda") == 1


async def test_the_command_line_refuses_a_bad_address_and_stores_a_good_one_lower_cased():
    from tests.marketplace.test_cli import run

    password = "en-lång-fras-för-cli"
    bad = await run(
        "users", "create", "bo", "--role", "admin", "--password", password, "--email", "bo@x"
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("Fel: E-postadressen bo@x ser inte rätt ut")
    good = await run(
        "users", "create", "bo", "--role", "admin", "--password", password, "--email", "Bo@X.SE"
    )
    assert good.returncode == 0, good.stderr
    assert await User.select(User.email).where(User.username == "bo").first() == {
        "email": "bo@x.se"
    }
