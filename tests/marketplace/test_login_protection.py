"""Rate limits per account and per client, lockout with a mail notice, and TOTP."""

from __future__ import annotations

import datetime as dt
import uuid

import pyotp
import pytest
import redis.asyncio as redis_async
import time_machine

from marketplace.kernel.ratelimit import RedisLimiter
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import OutboxMessage, User
from tests.conftest import DEMO_PASSWORD, login


async def attempt(client, username, password, otp=""):
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password, "otp": otp}
    )


async def test_account_locks_after_repeated_failures_and_mails_owner(client, make_user):
    await make_user("host", username="henrik", email="henrik@firma.example")
    settings = get_settings()
    start = dt.datetime.now(dt.UTC)
    failures = 0
    with time_machine.travel(start, tick=False) as traveller:
        # Failures spread over several rate-limit windows still add up to a lockout.
        while failures < settings.lockout_threshold:
            for _ in range(
                min(settings.login_limit_per_account, settings.lockout_threshold - failures)
            ):
                assert (await attempt(client, "henrik", "fel-lösenord-111")).status_code == 401
                failures += 1
            if failures < settings.lockout_threshold:
                traveller.shift(dt.timedelta(minutes=16))
                auth_limits_clear()
        auth_limits_clear()
        # Locked, from an address henrik never signed in from: even the right password gets
        # the very answer a wrong one gets (issue 13: a lock must not be told apart).
        locked = await attempt(client, "henrik", DEMO_PASSWORD)
        wrong = await attempt(client, "henrik", "fel-lösenord-111")
        assert locked.status_code == wrong.status_code == 401
        assert locked.json()["detail"] == wrong.json()["detail"]
        mails = await OutboxMessage.select().where(OutboxMessage.kind == "lockout")
        assert [m["recipient"] for m in mails] == ["henrik@firma.example"]
        assert "låst" in mails[0]["subject"]
        # After the lock period the right password works again.
        traveller.shift(dt.timedelta(minutes=settings.lockout_minutes + 1))
        assert (await attempt(client, "henrik", DEMO_PASSWORD)).status_code == 200


def auth_limits_clear() -> None:
    """The client-address budget is not what this test is about; start it afresh."""
    from marketplace.kernel import ratelimit

    ratelimit._limiters.clear()


async def test_success_resets_the_failure_count(client, make_user):
    await make_user("host", username="henrik")
    for _ in range(get_settings().login_limit_per_account - 1):
        assert (await attempt(client, "henrik", "fel-lösenord-111")).status_code == 401
    assert (await attempt(client, "henrik", DEMO_PASSWORD)).status_code == 200
    row = await User.select(User.failed_logins).where(User.username == "henrik").first()
    assert row == {"failed_logins": 0}


async def test_client_address_is_limited_across_accounts(client):
    limit = get_settings().login_limit_per_client
    for i in range(limit):
        response = await attempt(client, f"gissning{i}", "fel-lösenord-111")
        assert response.status_code == 401
    blocked = await attempt(client, "gissning-sista", "fel-lösenord-111")
    assert blocked.status_code == 429
    assert "minuter" in blocked.json()["detail"]


async def test_account_limit_counts_every_attempt(client, make_user):
    await make_user("host", username="henrik")
    for _ in range(get_settings().login_limit_per_account):
        assert (await attempt(client, "henrik", "fel-lösenord-111")).status_code == 401
    # From this address the right password is refused too until the window passes: no
    # guessing at speed. (Since issue 13 the budget is per user name and address, and only
    # failures count: other addresses are not locked out, see test_attacks_auth.py.)
    refused = await attempt(client, "henrik", DEMO_PASSWORD)
    assert refused.status_code == 429
    assert "användarnamnet härifrån" in refused.json()["detail"]


async def test_totp_required_once_enrolled_and_codes_not_reusable(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    uri = (await client.post("/api/v1/me/totp")).json()["provisioning_uri"]
    secret = pyotp.parse_uri(uri).secret
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False) as traveller:
        code = pyotp.TOTP(secret).now()
        confirmed = await client.post("/api/v1/me/totp/confirm", json={"code": code})
        assert confirmed.status_code == 200
        client.cookies.clear()
        missing = await attempt(client, "sara", DEMO_PASSWORD)
        assert missing.status_code == 401
        assert missing.json()["fields"] == ["otp"]
        # The code used to confirm cannot sign in: it is the same time step.
        assert (await attempt(client, "sara", DEMO_PASSWORD, code)).status_code == 401
        traveller.move_to(now + dt.timedelta(seconds=30))
        fresh = pyotp.TOTP(secret).now()
        assert (await attempt(client, "sara", DEMO_PASSWORD, fresh)).status_code == 200
        client.cookies.clear()
        reused = await attempt(client, "sara", DEMO_PASSWORD, fresh)
        assert reused.status_code == 401
        assert "redan använd" in reused.json()["detail"]


async def test_totp_is_for_staff_only(client, make_user):
    await make_user("host", username="henrik")
    await login(client, "henrik")
    assert (await client.post("/api/v1/me/totp")).status_code == 403


async def test_redis_limiter_is_shared_between_workers():
    url = "redis://127.0.0.1:6379/15"
    probe = redis_async.from_url(url)
    try:
        await probe.ping()
    except Exception:
        pytest.fail("Redis must run on 127.0.0.1:6379 (CI starts it)")
    key = f"test:{uuid.uuid4().hex}"
    worker_a, worker_b = RedisLimiter(url), RedisLimiter(url)
    assert (await worker_a.hit(key, 3, 60)).allowed
    assert (await worker_b.hit(key, 3, 60)).allowed
    assert (await worker_a.hit(key, 3, 60)).allowed
    fourth = await worker_b.hit(key, 3, 60)
    assert not fourth.allowed
    assert fourth.count == 4
    assert (await worker_a.peek(key, 3, 60)).count == 4
    await probe.aclose()
    await worker_a.aclose()
    await worker_b.aclose()


async def test_a_stopping_worker_closes_its_limiters_redis_connections(app):
    """Left to the garbage collector, a worker's Redis connections were unclosed at exit."""
    from marketplace.kernel import ratelimit
    from tests.inloop import InLoopClient

    url = "redis://127.0.0.1:6379/15"
    async with InLoopClient(app=app, base_url="http://testserver.local"):
        limiter = ratelimit._limiters[url] = RedisLimiter(url)
        assert (await limiter.hit(f"test:{uuid.uuid4().hex}", 3, 60)).allowed
        pool = limiter._redis.connection_pool
        connections = [*pool._available_connections, *pool._in_use_connections]
        assert connections and all(c.is_connected for c in connections)
    assert ratelimit._limiters == {}
    assert not any(c.is_connected for c in connections)
