"""The engine helpers of `marketplace.kernel.db` that the CLI and the workers share."""

from __future__ import annotations

from typing import Any

from marketplace.kernel.db import connection_pool, is_sqlite
from marketplace.kernel.tables import User


async def test_a_command_runs_its_queries_on_a_pool_that_closes_after_it():
    engine: Any = User._meta.db
    async with connection_pool(engine, 3):
        assert await User.count() == 0
        if is_sqlite(engine):
            assert not hasattr(engine, "pool")
        else:
            assert engine.pool is not None
            assert engine.pool.get_max_size() == 3
    if not is_sqlite(engine):
        assert engine.pool is None
    assert await User.count() == 0  # queries outside the block open their own connection
