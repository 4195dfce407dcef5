"""The sliding-window rate limits: no burst across a window's edge, the wait they tell, and the
same counts in memory and in Redis."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine

from marketplace.kernel.ratelimit import (
    Limiter,
    MemoryLimiter,
    RedisLimiter,
    estimate,
    verdict,
    window_of,
)

REDIS = "redis://127.0.0.1:6379/15"
# A five-minute mark, as the sign-in budget's window has (300 s).
EDGE = dt.datetime(2026, 12, 6, 3, 45, tzinfo=dt.UTC)


def test_window_of_says_where_in_its_window_a_moment_falls():
    assert window_of(600.0, 300) == (600, 0.0)
    assert window_of(675.0, 300) == (600, 0.25)
    assert window_of(899.0, 300)[0] == 600


def test_the_estimate_weighs_the_previous_window_by_what_is_left_of_it_rounded_up():
    assert estimate(0, 10, 0.0) == 10
    assert estimate(2, 10, 0.5) == 7
    assert estimate(2, 10, 0.55) == 7  # 4.5 rounded up
    assert estimate(2, 10, 0.999) == 3  # strict: a trace of the previous window counts
    assert estimate(2, 0, 0.3) == 2
    assert estimate(3, 3, 1e-12) == 6  # float error at the edge does not add an attempt


def test_the_wait_is_until_one_more_attempt_would_be_allowed():
    # Eleven in the current window (the refused one counted), limit ten, 40 % into a 300 s
    # window: the rest of it (180 s), then until two elevenths of them have slid out (55 s).
    refused = verdict(11, 0, 0.4, 10, 300)
    assert (refused.allowed, refused.count, refused.retry_after) == (False, 11, 180 + 55)
    # Four now and ten before, limit five, half-way: one more is allowed only when nothing
    # of the previous window is left, at this window's end.
    assert verdict(4, 10, 0.5, 5, 300).retry_after == 150
    # Two now and ten before, limit five: at 80 % the previous share is ceil(2) → 4 ≤ 4.
    assert verdict(2, 10, 0.5, 5, 300).retry_after == 90
    assert verdict(1, 0, 0.5, 5, 300).allowed


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
        assert (seen.allowed, seen.count) == (False, 10)
        refused = await limiter.hit(key, 10, 300)
        assert not refused.allowed and refused.count == 11
        # Nobody tries again; when the wait told is over, one attempt is let through.
        traveller.shift(dt.timedelta(seconds=refused.retry_after))
        assert (await limiter.peek(key, 10, 300)).allowed
        assert (await limiter.hit(key, 10, 300)).allowed


async def test_attempts_slide_out_of_the_window(limiter):
    key = f"test:{uuid.uuid4().hex}"
    with time_machine.travel(EDGE, tick=False) as traveller:
        for _ in range(3):
            await limiter.hit(key, 3, 60)
        assert not (await limiter.peek(key, 3, 60)).allowed
        traveller.shift(dt.timedelta(seconds=90))  # half of them have slid out
        seen = await limiter.peek(key, 3, 60)
        assert (seen.allowed, seen.count) == (True, 2)
        traveller.shift(dt.timedelta(seconds=60))  # two windows on: nothing is left
        assert (await limiter.peek(key, 3, 60)).count == 0


async def test_a_reset_forgets_both_windows(limiter):
    key = f"test:{uuid.uuid4().hex}"
    with time_machine.travel(EDGE - dt.timedelta(seconds=1), tick=False) as traveller:
        for _ in range(3):
            await limiter.hit(key, 3, 300)
        traveller.shift(dt.timedelta(seconds=2))
        await limiter.hit(key, 3, 300)
        await limiter.reset(key)
        assert (await limiter.peek(key, 3, 300)).count == 0
