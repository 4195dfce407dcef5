"""Fixed-window rate limits, in memory (one process) or in Redis (shared by all workers).

Litestar's RateLimitMiddleware counts per process, so with several workers an attacker gets
N times the budget. With `REDIS_URL` set, every worker counts in the same Redis key.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from marketplace.kernel.errors import TooManyRequests
from marketplace.kernel.settings import Settings, get_settings


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int


class Limiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        """Count one attempt under `key`; refuse once more than `limit` fall in the window."""

    async def peek(self, key: str, window_s: int) -> Verdict:
        """How many attempts the current window holds, without counting one."""

    async def reset(self, key: str) -> None:
        """Forget the attempts under `key` (after a successful sign-in)."""

    async def aclose(self) -> None:
        """Let go of what the limiter holds open (Redis's connections)."""


class MemoryLimiter:
    """Counts in this process only: right for one worker and for the embedded default."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        now = int(time.time())
        start = now - now % window_s
        window_start, count = self._windows.get(key, (start, 0))
        if window_start != start:
            window_start, count = start, 0
        count += 1
        self._windows[key] = (window_start, count)
        if len(self._windows) > 100_000:  # bound memory under a spray of keys
            self._windows = {k: v for k, v in self._windows.items() if v[0] == start}
        return Verdict(count <= limit, count, window_start + window_s - now)

    async def peek(self, key: str, window_s: int) -> Verdict:
        now = int(time.time())
        start = now - now % window_s
        window_start, count = self._windows.get(key, (start, 0))
        count = count if window_start == start else 0
        return Verdict(True, count, start + window_s - now)

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def aclose(self) -> None:
        return None


class RedisLimiter:
    """Counts in Redis with INCR + EXPIRE, so all workers share one budget per key."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)

    async def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        now = int(time.time())
        start = now - now % window_s
        full_key = f"mp:rl:{key}:{start}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(full_key)
            pipe.expire(full_key, window_s + 1)
            count, _ = await pipe.execute()
        return Verdict(int(count) <= limit, int(count), start + window_s - now)

    async def peek(self, key: str, window_s: int) -> Verdict:
        now = int(time.time())
        start = now - now % window_s
        count = await self._redis.get(f"mp:rl:{key}:{start}")
        return Verdict(True, int(count or 0), start + window_s - now)

    async def reset(self, key: str) -> None:
        now = int(time.time())
        for window_s in (60, 300, 900, 3600):
            await self._redis.delete(f"mp:rl:{key}:{now - now % window_s}")

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
