"""Issue 13, items 9 and 10: the second factor and API tokens, and sign-in lockout.

Item 9: TOTP could be switched off (re-enrolled) without a code; tokens never expired.
Item 10: anyone could lock a known account, and a locked account answered differently from
an unknown one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pyotp
import pytest
import time_machine
from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient

from marketplace.kernel import auth, ratelimit
from marketplace.kernel.errors import TooManyRequests, Unauthenticated
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import OutboxMessage, User
from tests.conftest import DEMO_PASSWORD, login
from tests.inloop import InLoopClient

OWNER_HOME = "10.0.0.1"


def from_address(app: Any, host: str) -> Any:
    """The app as reached from `host`: the ASGI scope's client address is set to it."""

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in {"http", "websocket"}:
            scope = dict(scope, client=(host, 40000))
        await app(scope, receive, send)

    return asgi


@pytest.fixture
async def client_at(
    next_app: Callable[[], Any],
) -> AsyncIterator[Callable[[str], Awaitable[AsyncTestClient[Any]]]]:
    clients: list[AsyncTestClient[Any]] = []

    async def factory(host: str) -> AsyncTestClient[Any]:
        c = InLoopClient(app=from_address(next_app(), host), base_url="http://testserver.local")
        await c.__aenter__()
        clients.append(c)
        return c

    yield factory
    for c in clients:
        await c.__aexit__(None, None, None)


async def attempt(client: AsyncTestClient[Any], username: str, password: str, otp: str = ""):
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password, "otp": otp}
    )


async def lock_from_many_addresses(username: str) -> None:
    """Wrong passwords from ever new addresses until the account lock trips."""
    for i in range(get_settings().lockout_threshold):
        with pytest.raises(Unauthenticated):
            await auth.authenticate(username, "fel-lösenord-111", "", f"203.0.113.{i + 1}")


# --- item 10: lockout ------------------------------------------------------------------------


async def test_attacker_cannot_lock_the_owner_out(client_at, make_user):
    await make_user("admin", username="alva", email="alva@kommun.example")
    owner = await client_at(OWNER_HOME)
    assert (await attempt(owner, "alva", DEMO_PASSWORD)).status_code == 200
    await lock_from_many_addresses("alva")
    row = await User.select(User.locked_until).where(User.username == "alva").first()
    assert row is not None and row["locked_until"] is not None  # the lock did trip
    assert await OutboxMessage.exists().where(OutboxMessage.kind == "lockout")
    # The owner, from where they signed in before, still gets in with the right password.
    owner.cookies.clear()
    assert (await attempt(owner, "alva", DEMO_PASSWORD)).status_code == 200
    # A successful sign-in ends the lock.
    row = await User.select(User.locked_until).where(User.username == "alva").first()
    assert row == {"locked_until": None}


async def test_locked_account_refuses_new_addresses_like_a_wrong_password(client_at, make_user):
    await make_user("admin", username="alva")
    await lock_from_many_addresses("alva")
    stranger = await client_at("198.51.100.7")
    right_but_locked = await attempt(stranger, "alva", DEMO_PASSWORD)
    wrong = await attempt(stranger, "alva", "fel-lösenord-222")
    unknown = await attempt(stranger, "finns-inte", "fel-lösenord-222")
    assert right_but_locked.status_code == wrong.status_code == unknown.status_code == 401
    details = {r.json()["detail"] for r in (right_but_locked, wrong, unknown)}
    assert details == {auth.SIGN_IN_REFUSED}
    assert "låst" not in auth.SIGN_IN_REFUSED


async def test_html_login_answers_locked_and_unknown_alike(client_at, make_user):
    await make_user("coordinator", username="sara")
    await lock_from_many_addresses("sara")
    browser = await client_at("198.51.100.8")
    pages = []
    for name, password in (("sara", DEMO_PASSWORD), ("finns-inte", DEMO_PASSWORD)):
        form = await browser.get("/logga-in")
        token = form.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
        pages.append(
            await browser.post(
                "/logga-in",
                data={"username": name, "password": password, "_csrf_token": token},
            )
        )
    assert [p.status_code for p in pages] == [401, 401]
    for p in pages:
        assert "Fel användarnamn eller lösenord" in p.text
        assert "låst" not in p.text


async def test_one_address_cannot_use_up_the_accounts_budget(client_at, make_user):
    await make_user("host", username="henrik")
    attacker = await client_at("203.0.113.50")
    for _ in range(get_settings().login_limit_per_account):
        assert (await attempt(attacker, "henrik", "fel-lösenord-111")).status_code == 401
    assert (await attempt(attacker, "henrik", "fel-lösenord-111")).status_code == 429
    # The owner, from an address never used before, is not affected.
    owner = await client_at("192.0.2.10")
    assert (await attempt(owner, "henrik", DEMO_PASSWORD)).status_code == 200


async def test_throttle_does_not_tell_known_names_from_unknown(make_user):
    await make_user("host", username="henrik")
    limit = get_settings().login_limit_per_account
    answers = {}
    for name in ("henrik", "okand"):
        ratelimit._limiters.clear()
        for _ in range(limit):
            with pytest.raises(Unauthenticated):
                await auth.authenticate(name, "fel-lösenord-111", "", "203.0.113.60")
        with pytest.raises(TooManyRequests) as refused:
            await auth.authenticate(name, "fel-lösenord-111", "", "203.0.113.60")
        answers[name] = refused.value.message.split(" Försök")[0]
    assert answers["henrik"] == answers["okand"]


async def test_every_refusal_costs_one_argon2_verification(make_user, monkeypatch):
    """Unknown names hash a dummy password, so timing does not reveal which names exist."""
    await make_user("host", username="henrik")
    calls: list[str] = []
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def counting_hash(self: PasswordHasher, *args: Any, **kwargs: Any) -> str:
        calls.append("hash")
        return real_hash(self, *args, **kwargs)

    def counting_verify(self: PasswordHasher, *args: Any, **kwargs: Any) -> bool:
        calls.append("verify")
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", counting_hash)
    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    for name in ("henrik", "okand"):
        calls.clear()
        with pytest.raises(Unauthenticated):
            await auth.authenticate(name, "fel-lösenord-111", "", "203.0.113.70")
        assert len(calls) == 1, (name, calls)
    # A password sent decomposed (a Mac's "a" and ring) is tried in two forms, for a known
    # name (two verifications) and an unknown one (two dummy hashes) alike.
    for name in ("henrik", "okand"):
        calls.clear()
        with pytest.raises(Unauthenticated):
            await auth.authenticate(name, "fel-lo\u0308senord-111", "", "203.0.113.71")
        assert len(calls) == 2, (name, calls)


# --- item 9: TOTP and tokens -----------------------------------------------------------------


async def test_totp_cannot_be_switched_off_without_a_current_code(client, make_user):
    await make_user("admin", username="alva")
    await login(client, "alva")
    uri = (await client.post("/api/v1/me/totp")).json()["provisioning_uri"]
    totp = pyotp.TOTP(pyotp.parse_uri(uri).secret)
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False) as traveller:
        code = totp.now()
        assert (
            await client.post("/api/v1/me/totp/confirm", json={"code": code})
        ).status_code == 200
        # A stolen session alone: no code, a wrong code, or the code already used.
        missing = await client.post("/api/v1/me/totp")
        assert missing.status_code == 400
        assert "engångskod" in missing.json()["detail"]
        wrong = await client.post("/api/v1/me/totp", json={"code": "000000"})
        assert wrong.status_code == 403
        reused = await client.post("/api/v1/me/totp", json={"code": code})
        assert reused.status_code == 403
        assert "redan använd" in reused.json()["detail"]
        row = await User.select(User.totp_enabled).where(User.username == "alva").first()
        assert row == {"totp_enabled": True}
        # With a current code the owner may start over (which switches the factor off).
        traveller.move_to(now + dt.timedelta(seconds=30))
        restarted = await client.post("/api/v1/me/totp", json={"code": totp.now()})
        assert restarted.status_code == 201
        row = await User.select(User.totp_enabled).where(User.username == "alva").first()
        assert row == {"totp_enabled": False}


async def test_tokens_expire_and_are_listed_and_revocable_by_their_owner(
    client, make_client, make_user
):
    await make_user("coordinator", username="sara")
    await make_user("coordinator", username="nils")
    await login(client, "sara")
    too_long = await client.post("/api/v1/tokens", json={"name": "CRM", "days": 366})
    assert too_long.status_code == 400
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        short = (await client.post("/api/v1/tokens", json={"name": "kort", "days": 1})).json()
        default = (await client.post("/api/v1/tokens", json={"name": "standard"})).json()
        assert dt.datetime.fromisoformat(default["expires_at"]) - start == dt.timedelta(days=90)
        listed = (await client.get("/api/v1/tokens")).json()
        assert [(t["name"], t["active"]) for t in listed] == [("kort", True), ("standard", True)]
        # Someone else neither sees nor revokes sara's tokens.
        other = await make_client()
        await login(other, "nils")
        assert (await other.get("/api/v1/tokens")).json() == []
        assert (await other.delete(f"/api/v1/tokens/{default['id']}")).status_code == 404
        bearer = {"Authorization": f"Bearer {short['token']}"}
        assert (await other.get("/api/v1/me", headers=bearer)).status_code == 200
        traveller.move_to(start + dt.timedelta(days=1, seconds=1))
        expired = await other.get("/api/v1/me", headers=bearer)
        assert expired.status_code == 401
        assert "gått ut" in expired.json()["detail"]
        await login(client, "sara")  # a day later her browser session has ended
        listed = (await client.get("/api/v1/tokens")).json()
        assert [(t["name"], t["active"]) for t in listed] == [("kort", False), ("standard", True)]
        assert (await client.delete(f"/api/v1/tokens/{default['id']}")).status_code == 200
        revoked = {"Authorization": f"Bearer {default['token']}"}
        assert (await other.get("/api/v1/me", headers=revoked)).status_code == 401


def test_sign_in_never_follows_a_next_address_off_the_site() -> None:
    from marketplace.kernel.views import safe_next

    for hostile in (
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "/\\/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "evil.example",
        "",
        None,
    ):
        assert safe_next(hostile) == "/", hostile
    assert safe_next("/arbetsbord/platser?q=kassa&sida=2") == "/arbetsbord/platser?q=kassa&sida=2"
    assert safe_next("/vård") == "/vård"


async def test_a_user_name_is_one_word_of_plain_characters_and_case_makes_no_other():
    """Seen in the admin's browser walk: "SAMORDNARE" was created beside "samordnare", and
    "walk5 med mellanslag" and "<script>x</script>" were accepted as user names."""
    from marketplace.kernel import auth
    from marketplace.kernel.errors import ValidationFailed

    await auth.create_user("samordnare.test", "ett-långt-lösenord-2026", "coordinator")
    for name, expected in (
        ("SAMORDNARE.TEST", auth.USERNAME_TAKEN),
        ("walk5 med mellanslag", auth.BAD_USERNAME),
        ("<script>x</script>", auth.BAD_USERNAME),
        ("x", auth.BAD_USERNAME),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await auth.create_user(name, "ett-långt-lösenord-2026", "coordinator")
        assert refused.value.errors["username"] == expected, name
    made = await auth.create_user("åsa.lind@vargarda", "ett-långt-lösenord-2026", "analyst")
    assert made.username == "åsa.lind@vargarda"
