"""Sliding-window rate limits, in memory (one process) or in Redis (shared by all workers).

Litestar's RateLimitMiddleware counts per process, so with several workers an attacker gets
N times the budget. With `REDIS_URL` set, every worker counts in the same Redis keys.

A fixed window let a burst straddle two windows: `limit` attempts in the last second of one
and `limit` more in the first second of the next (found when a test's ten failed sign-ins
crossed a five-minute mark and the eleventh was let through). So each key keeps the times of
its latest attempts, at most `limit` + 1 of them (the limits are small: at most a few hundred
an hour), and an attempt counts for exactly one window's length after it was made. The wait
told is exact too: until the attempt that tipped the count over slides out, never longer
than the window.
"""

from __future__ import annotations

import itertools
import math
import secrets
import time
from array import array
from dataclasses import dataclass
from typing import Protocol

from marketplace.kernel.errors import TooManyRequests
from marketplace.kernel.settings import Settings, get_settings

_MAX_KEYS = 100_000  # the memory limiter's bound under a spray of keys


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


def verdict(times: list[float], now: float, limit: int, window_s: int, hit: bool) -> Verdict:
    """The verdict on the attempts at `times` (ascending, all within the window; after a hit,
    the hit's own is the last): allowed when a hit keeps them to `limit`, or, for a look
    without one, when one more would. The wait is until one more attempt would be allowed:
    until the attempt `limit` places from the newest has slid out."""
    count = len(times)
    allowed = count <= limit if hit else count < limit
    over = count - limit  # the index of the attempt whose leaving makes room for one more
    wait = times[over] + window_s - now if over >= 0 else 0.0
    return Verdict(allowed, count, max(1, min(window_s, math.ceil(wait - 1e-6))))


class MemoryLimiter:
    """Counts in this process only: right for one worker and for the embedded default."""

    def __init__(self) -> None:
        # key → (window, the times of its latest attempts, ascending)
        self._times: dict[str, tuple[int, array[float]]] = {}

    def _recent(self, key: str, now: float, window_s: int) -> array[float]:
        _, times = self._times.get(key, (window_s, array("d")))
        cut = 0
        while cut < len(times) and times[cut] <= now - window_s:
            cut += 1
        return times[cut:]

    async def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        now = time.time()
        times = self._recent(key, now, window_s)
        times.append(now)
        times = times[-(limit + 1) :]
        # Moved to the end: the dict runs from the key touched longest ago to the latest.
        self._times.pop(key, None)
        self._times[key] = (window_s, times)
        if len(self._times) > _MAX_KEYS:
            self._prune(now)
        return verdict(list(times), now, limit, window_s, hit=True)

    def _prune(self, now: float) -> None:
        """Past the bound: drop the keys whose attempts have all left their window, then, under
        a spray of live keys, those touched longest ago, down to nine tenths of the bound, so
        that the scan comes once per tenth of the bound's new keys, not on every attempt. A
        key being hammered was touched last and stays."""
        self._times = {k: (w, t) for k, (w, t) in self._times.items() if t and t[-1] > now - w}
        excess = len(self._times) - int(_MAX_KEYS * 0.9)
        if excess > 0:
            for key in list(itertools.islice(self._times, excess)):
                del self._times[key]

    async def peek(self, key: str, limit: int, window_s: int) -> Verdict:
        now = time.time()
        return verdict(list(self._recent(key, now, window_s)), now, limit, window_s, hit=False)

    async def reset(self, key: str) -> None:
        self._times.pop(key, None)

    async def aclose(self) -> None:
        return None


class RedisLimiter:
    """Counts in Redis, the times of a key's latest attempts in a sorted set, so all workers
    share one budget per key."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)

    @staticmethod
    def _key(key: str) -> str:
        return f"mp:rl:{key}"

    async def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        now = time.time()
        full_key = self._key(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(full_key, "-inf", now - window_s)
            # A member of its own: two workers' attempts in the same microsecond both count.
            pipe.zadd(full_key, {f"{now!r}:{secrets.token_hex(4)}": now})
            pipe.zremrangebyrank(full_key, 0, -(limit + 2))
            pipe.zrange(full_key, 0, -1, withscores=True)
            pipe.expire(full_key, window_s + 1)
            *_, members, _ = await pipe.execute()
        times = sorted(float(pair[1]) for pair in members)
        return verdict(times, now, limit, window_s, hit=True)

    async def peek(self, key: str, limit: int, window_s: int) -> Verdict:
        now = time.time()
        members = await self._redis.zrangebyscore(
            self._key(key), f"({now - window_s!r}", "+inf", withscores=True
        )
        times = sorted(float(pair[1]) for pair in members)
        return verdict(times, now, limit, window_s, hit=False)

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._key(key))

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
