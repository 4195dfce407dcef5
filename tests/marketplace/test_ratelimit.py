"""The sliding-window rate limits: no burst across a window's edge, attempts that slide out,
the wait they tell, and the same counts in memory and in Redis."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine

from marketplace.kernel.ratelimit import Limiter, MemoryLimiter, RedisLimiter, verdict

REDIS = "redis://127.0.0.1:6379/15"
# A five-minute mark, as the sign-in budget's window has (300 s).
EDGE = dt.datetime(2026, 12, 6, 3, 45, tzinfo=dt.UTC)


def test_the_wait_is_until_the_attempt_that_makes_room_slides_out():
    # Limit 3 in 60 s; attempts at 0, 10, 20 and 30 (the last one refused), now 30: one more
    # is allowed when two have slid out, the one at 10 the last of them (at 70).
    refused = verdict([0.0, 10.0, 20.0, 30.0], 30.0, 3, 60, hit=True)
    assert (refused.allowed, refused.count, refused.retry_after) == (False, 4, 40)
    # A look, not a hit: three of three is full, and the first leaving makes room.
    seen = verdict([0.0, 10.0, 20.0], 30.0, 3, 60, hit=False)
    assert (seen.allowed, seen.count, seen.retry_after) == (False, 3, 30)
    assert verdict([0.0, 10.0], 30.0, 3, 60, hit=False).allowed
    # Never longer than the window, whole seconds rounded up.
    assert verdict([29.5, 29.5, 29.5, 29.5], 30.0, 3, 60, hit=True).retry_after == 60
    assert verdict([0.25, 1.0, 2.0, 3.0], 3.0, 3, 60, hit=True).retry_after == 58


@pytest.fixture(params=["memory", "redis"])
async def limiter(request):
    made: Limiter = MemoryLimiter() if request.param == "memory" else RedisLimiter(REDIS)
    yield made
    await made.aclose()


async def test_a_burst_across_a_windows_edge_is_refused(limiter):
    """A fixed window let `limit` attempts just before a five-minute mark and `limit` more
    just after it through."""
    key = f"test:{uuid.uuid4().hex}"
    with time_machine.travel(EDGE - dt.timedelta(seconds=2), tick=False) as traveller:
        for _ in range(5):
            assert (await limiter.hit(key, 10, 300)).allowed
        traveller.shift(dt.timedelta(seconds=3))  # one second past the mark
        for _ in range(5):
            assert (await limiter.hit(key, 10, 300)).allowed
        seen = await limiter.peek(key, 10, 300)
        assert (seen.allowed, seen.count, seen.retry_after) == (False, 10, 297)
        refused = await limiter.hit(key, 10, 300)
        assert (refused.allowed, refused.count, refused.retry_after) == (False, 11, 297)
        # Nobody tries again; when the wait told is over, one attempt is let through.
        traveller.shift(dt.timedelta(seconds=refused.retry_after))
        assert (await limiter.peek(key, 10, 300)).allowed
        assert (await limiter.hit(key, 10, 300)).allowed


async def test_attempts_slide_out_of_the_window_one_by_one(limiter):
    key = f"test:{uuid.uuid4().hex}"
    with time_machine.travel(EDGE, tick=False) as traveller:
        for _ in range(3):
            await limiter.hit(key, 3, 60)
            traveller.shift(dt.timedelta(seconds=20))
        # Now 60 s after the first: it has slid out.
        seen = await limiter.peek(key, 3, 60)
        assert (seen.allowed, seen.count) == (True, 2)
        traveller.shift(dt.timedelta(seconds=40))
        assert (await limiter.peek(key, 3, 60)).count == 0


async def test_a_reset_forgets_every_attempt(limiter):
    key = f"test:{uuid.uuid4().hex}"
    with time_machine.travel(EDGE - dt.timedelta(seconds=1), tick=False) as traveller:
        for _ in range(3):
            await limiter.hit(key, 3, 300)
        traveller.shift(dt.timedelta(seconds=2))
        await limiter.hit(key, 3, 300)
        await limiter.reset(key)
        assert (await limiter.peek(key, 3, 300)).count == 0


async def test_the_memory_limiter_keeps_a_bounded_number_of_keys(monkeypatch):
    from marketplace.kernel import ratelimit

    monkeypatch.setattr(ratelimit, "_MAX_KEYS", 3)
    limiter = MemoryLimiter()
    with time_machine.travel(EDGE, tick=False) as traveller:
        for n in range(3):
            await limiter.hit(f"old{n}", 5, 60)
        traveller.shift(dt.timedelta(seconds=61))
        await limiter.hit("new", 5, 60)
    assert list(limiter._times) == ["new"]


async def test_under_a_spray_of_live_keys_the_hammered_key_keeps_its_count(monkeypatch):
    """Past the bound with every key live, the keys touched longest ago go, down to nine
    tenths of the bound (so the scan is not repeated on every attempt); a key being hammered
    was touched last and keeps its count."""
    from marketplace.kernel import ratelimit

    monkeypatch.setattr(ratelimit, "_MAX_KEYS", 20)
    limiter = MemoryLimiter()
    with time_machine.travel(EDGE, tick=False):
        for _ in range(4):
            await limiter.hit("victim", 5, 600)
        for n in range(20):
            await limiter.hit(f"spray{n}", 5, 600)
            if n == 10:
                await limiter.hit("victim", 5, 600)  # its fifth attempt, amid the spray
        assert len(limiter._times) == 18
        assert "spray0" not in limiter._times and "spray19" in limiter._times
        assert (await limiter.peek("victim", 5, 600)).allowed is False
        refused = await limiter.hit("victim", 5, 600)
    assert refused.allowed is False
