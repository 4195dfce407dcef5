"""The engine helpers of `marketplace.kernel.db` that the CLI and the workers share."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import pytest
from piccolo.engine.sqlite import TransactionType

from marketplace.kernel import db
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


def _sqlite_threads() -> int:
    """aiosqlite runs each connection in a thread of its own, until the connection closes."""
    return sum(1 for t in threading.enumerate() if "_connection_worker" in t.name)


async def _threads_back_to(count: int) -> int:
    for _ in range(100):  # a connection's thread ends just after close() returns
        if _sqlite_threads() == count:
            break
        await asyncio.sleep(0.01)
    return _sqlite_threads()


async def test_a_sqlite_connection_whose_set_up_fails_is_closed(tmp_path, monkeypatch):
    """A pragma that fails (e.g. `journal_mode` while another process holds the lock) leaves
    no connection behind: its thread would outlive the query and keep the process alive."""
    engine = db.SafeSQLiteEngine(path=str(tmp_path / "own.sqlite3"), timeout=0.2)
    before = _sqlite_threads()
    monkeypatch.setattr(db, "_PRAGMAS", (*db._PRAGMAS, "SELECT * FROM no_such_table"))
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        await engine.get_connection()
    assert await _threads_back_to(before) == before
    monkeypatch.undo()
    connection = await engine.get_connection()  # and it works again
    await connection.close()


async def test_a_sqlite_transaction_that_cannot_begin_closes_its_connection(tmp_path):
    """`BEGIN IMMEDIATE` gives up after the busy timeout while another process holds the write
    lock: the answer is an error (the app's 503), and no connection is left open."""
    path = tmp_path / "own.sqlite3"
    engine = db.SafeSQLiteEngine(path=str(path), timeout=0.2)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("CREATE TABLE t (x INTEGER)")
    before = _sqlite_threads()
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with engine.transaction(transaction_type=TransactionType.immediate):
                pytest.fail("the transaction began although another holds the lock")
        assert await _threads_back_to(before) == before
    finally:
        other.execute("ROLLBACK")
    async with engine.transaction(transaction_type=TransactionType.immediate) as txn:
        await txn.connection.execute("INSERT INTO t VALUES (1)")
    assert other.execute("SELECT count(*) FROM t").fetchone() == (1,)
    other.close()
    assert await _threads_back_to(before) == before


async def test_text_sorts_in_swedish_alphabetical_order_on_both_engines():
    """Case is ignored, å ä ö come after z in that order, accented letters sort as their base
    letter: the order a Swedish reader expects (SQLite compares bytes, Ä before Å, and
    PostgreSQL's C.UTF-8 puts every capital first)."""
    from employers.tables import Host
    from tests.builders import make_host

    names = ["Öbergs Måleri", "ärlig Städ AB", "Åkeriet i Vårgårda", "zeta Bygg", "Émile Café",
             "Alingsås Bageri", "bergs Plåt", "Zäta Lager", "Ängens Gård", "eriks Verkstad"]  # fmt: skip
    for name in names:
        await make_host(name=name)
    # First the key spelt out in SQL (PostgreSQL without ICU, and SQLite): a worker's start
    # may have chosen the collation already in this process.
    expected = ["Alingsås Bageri", "bergs Plåt", "Émile Café", "eriks Verkstad", "zeta Bygg",
                "Zäta Lager", "Åkeriet i Vårgårda", "Ängens Gård", "ärlig Städ AB",
                "Öbergs Måleri"]  # fmt: skip
    assert db.swedish_sorted(names, key=str) == expected
    engine: Any = Host._meta.db
    before = list(db._POSTGRES_COLLATION)
    db._POSTGRES_COLLATION.clear()
    try:
        rows = await Host.select(Host.name).order_by(db.swedish_order(Host.name)).order_by(Host.id)
        assert [r["name"] for r in rows] == expected
        descending = await Host.select(Host.name).order_by(
            db.swedish_order(Host.name), ascending=False
        )
        assert [r["name"] for r in descending] == expected[::-1]
        # PostgreSQL with ICU orders by its Swedish collation instead (cheaper): the same order.
        icu = await db.use_swedish_collation(engine)
        assert icu == bool(db._POSTGRES_COLLATION) and not (icu and is_sqlite(engine))
        by_collation = await Host.select(Host.name).order_by(db.swedish_order(Host.name))
        assert [r["name"] for r in by_collation] == expected
    finally:
        db._POSTGRES_COLLATION[:] = before
