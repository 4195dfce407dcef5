"""Sliding-window rate limits, in memory (one process) or in Redis (shared by all workers).

Litestar's RateLimitMiddleware counts per process, so with several workers an attacker gets
N times the budget. With `REDIS_URL` set, every worker counts in the same Redis keys.

A fixed window let a burst straddle two windows: `limit` attempts in the last second of one
and `limit` more in the first second of the next (found when a test's ten failed sign-ins
crossed a five-minute mark and the eleventh was let through). So the count is a sliding
window's, estimated from two fixed ones: the current window's attempts plus the previous
window's, weighted by how much of the previous window the sliding one still covers, rounded
up. The estimate errs on the strict side by less than one attempt, and needs two counters per
key however many attempts there are.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from marketplace.kernel.errors import TooManyRequests
from marketplace.kernel.settings import Settings, get_settings

# The windows `reset` forgets (every window the callers use).
_WINDOWS = (60, 300, 900, 3600)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int


class Limiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        """Count one attempt under `key`; refuse once more than `limit` fall in the window."""

    async def peek(self, key: str, limit: int, window_s: int) -> Verdict:
        """Whether one more attempt would be allowed, without counting one."""

    async def reset(self, key: str) -> None:
        """Forget the attempts under `key` (after a successful sign-in)."""

    async def aclose(self) -> None:
        """Let go of what the limiter holds open (Redis's connections)."""


def window_of(now: float, window_s: int) -> tuple[int, float]:
    """The start of the fixed window `now` falls in, and how far into it `now` is (0 to 1)."""
    start = int(now) - int(now) % window_s
    return start, (now - start) / window_s


def estimate(current: int, previous: int, elapsed: float) -> int:
    """The attempts in the sliding window: the current window's, and the previous window's
    share that the sliding window still covers, rounded up (a hair's float error aside)."""
    return current + math.ceil(previous * (1.0 - elapsed) - 1e-9)


def verdict(current: int, previous: int, elapsed: float, limit: int, window_s: int) -> Verdict:
    """The verdict on `current` + `previous` attempts (the current window's attempt counted),
    with the seconds until one more would be allowed, if nobody tries in the meantime."""
    count = estimate(current, previous, elapsed)
    allowed = count <= limit
    # One more attempt is allowed once the estimate, before it, is at most limit - 1.
    room = limit - 1
    if current <= room:
        # Within this window, as the previous window's share shrinks.
        needed = 0.0 if previous <= 0 else max(0.0, 1.0 - (room - current) / previous)
        wait = (needed - elapsed) * window_s
    else:
        # Only after this window, as its attempts become the previous window's share.
        wait = (1.0 - elapsed) * window_s + (1.0 - room / current) * window_s
    return Verdict(allowed, count, max(1, math.ceil(wait - 1e-9)))


class MemoryLimiter:
    """Counts in this process only: right for one worker and for the embedded default."""

    def __init__(self) -> None:
        # key → (current window's start, its attempts, the previous window's attempts)
        self._windows: dict[str, tuple[int, int, int]] = {}

    def _counts(self, key: str, start: int, window_s: int) -> tuple[int, int]:
        seen_start, current, previous = self._windows.get(key, (start, 0, 0))
        if seen_start == start:
            return current, previous
        if seen_start == start - window_s:
            return 0, current
        return 0, 0

    async def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        now = time.time()
        start, elapsed = window_of(now, window_s)
        current, previous = self._counts(key, start, window_s)
        current += 1
        self._windows[key] = (start, current, previous)
        if len(self._windows) > 100_000:  # bound memory under a spray of keys
            self._windows = {k: v for k, v in self._windows.items() if v[0] >= start - window_s}
        return verdict(current, previous, elapsed, limit, window_s)

    async def peek(self, key: str, limit: int, window_s: int) -> Verdict:
        start, elapsed = window_of(time.time(), window_s)
        current, previous = self._counts(key, start, window_s)
        seen = verdict(current, previous, elapsed, limit, window_s)
        return Verdict(seen.count < limit, seen.count, seen.retry_after)

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def aclose(self) -> None:
        return None


class RedisLimiter:
    """Counts in Redis, one INCR'd key per key and fixed window (kept for two windows), so all
    workers share one budget per key."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)

    @staticmethod
    def _key(key: str, start: int) -> str:
        return f"mp:rl:{key}:{start}"

    async def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        start, elapsed = window_of(time.time(), window_s)
        current_key = self._key(key, start)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(current_key)
            pipe.expire(current_key, 2 * window_s + 1)
            pipe.get(self._key(key, start - window_s))
            current, _, previous = await pipe.execute()
        return verdict(int(current), int(previous or 0), elapsed, limit, window_s)

    async def peek(self, key: str, limit: int, window_s: int) -> Verdict:
        start, elapsed = window_of(time.time(), window_s)
        current, previous = await self._redis.mget(
            self._key(key, start), self._key(key, start - window_s)
        )
        seen = verdict(int(current or 0), int(previous or 0), elapsed, limit, window_s)
        return Verdict(seen.count < limit, seen.count, seen.retry_after)

    async def reset(self, key: str) -> None:
        now = int(time.time())
        keys = []
        for window_s in _WINDOWS:
            start = now - now % window_s
            keys += [self._key(key, start), self._key(key, start - window_s)]
        await self._redis.delete(*keys)

    async def aclose(self) -> None:
        await self._redis.aclose()


_limiters: dict[str, Limiter] = {}


def limiter_for(settings: Settings) -> Limiter:
    """The process's limiter: Redis when configured, else memory."""
    key = settings.redis_url or "memory"
    if key not in _limiters:
        _limiters[key] = RedisLimiter(settings.redis_url) if settings.redis_url else MemoryLimiter()
    return _limiters[key]


async def close_limiters() -> None:
    """Close the process's limiters (at a worker's shutdown); the next use opens new ones."""
    limiters = list(_limiters.values())
    _limiters.clear()
    for limiter in limiters:
        await limiter.aclose()


async def spend(key: str, limit: int, window_s: int, refusal: str) -> None:
    """Count one attempt under `key`; once over `limit` in the window, answer 429 with
    Retry-After and `refusal`, whose `{minutes}` becomes the wait in whole minutes."""
    verdict = await limiter_for(get_settings()).hit(key, limit, window_s)
    if not verdict.allowed:
        minutes = max(1, (verdict.retry_after + 59) // 60)
        raise TooManyRequests(refusal.format(minutes=minutes), retry_after=verdict.retry_after)
