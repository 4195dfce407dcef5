"""Storage outages: a locked database or a full disk answers 503 with Retry-After, never 500,
and `/health/ready` proves that a write works while `/health` only proves a read.

Real engines, real locks: on SQLite another connection holds the write lock (the engine's busy
timeout is shortened so the test is quick); on PostgreSQL another connection holds a table lock
past a short `lock_timeout`, and a trigger answers with PostgreSQL's own disk-full error code.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import JobRun, User
from tests.conftest import login

HOST = {"name": "Verkstaden AB", "kind": "company", "town": "Vårgårda"}


def _assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert "Försök igen" in body["detail"]
    assert "locked" not in body["detail"] and "Error" not in body["detail"]


async def _signed_in(client: Any, make_user: Any) -> None:
    await make_user("coordinator", username="sara")
    await login(client, "sara")


@contextlib.contextmanager
def sqlite_locked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another process's transaction holding SQLite's write lock; the app waits 0.3 s."""
    engine: Any = User._meta.db
    monkeypatch.setitem(engine.connection_kwargs, "timeout", 0.3)
    other = sqlite3.connect(get_settings().sqlite_path, isolation_level=None, timeout=5)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.sqlite_only
async def test_sqlite_locked_answers_503_until_the_lock_goes(client, make_user, monkeypatch):
    await _signed_in(client, make_user)
    with sqlite_locked(monkeypatch):
        assert (await client.get("/health")).status_code == 200  # reads still work
        ready = await client.get("/health/ready")
        assert ready.status_code == 503 and int(ready.headers["retry-after"]) > 0
        assert ready.json()["status"] == "fel"
        _assert_unavailable(await client.post("/api/v1/hosts", json=HOST))
    assert (await client.post("/api/v1/hosts", json=HOST)).status_code == 201
    assert (await client.get("/health/ready")).status_code == 200
    assert await JobRun.count() == 0  # the readiness probe leaves nothing behind


async def _pg_connection() -> Any:
    import asyncpg

    return await asyncpg.connect(get_settings().database_url)


@pytest.fixture
async def pg_table_locked(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Another session holds exclusive locks on the tables written; the app waits 0.3 s."""
    engine: Any = User._meta.db
    monkeypatch.setitem(engine.config, "server_settings", {"lock_timeout": "300"})
    other = await _pg_connection()
    transaction = other.transaction()
    await transaction.start()
    await other.execute("LOCK TABLE emp_host, mp_job_run IN ACCESS EXCLUSIVE MODE")
    yield
    await transaction.rollback()
    await other.close()


@pytest.mark.postgres_only
async def test_postgres_lock_timeout_answers_503(client, make_user, pg_table_locked):
    await _signed_in(client, make_user)
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/health/ready")).status_code == 503
    _assert_unavailable(await client.post("/api/v1/hosts", json=HOST))


@pytest.fixture
async def pg_disk_full() -> AsyncIterator[None]:
    """Inserts fail with SQLSTATE 53100 (disk_full), as PostgreSQL answers on a full disk."""
    other = await _pg_connection()
    await other.execute(
        "CREATE OR REPLACE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' "
        "USING ERRCODE = 'disk_full'; END $$"
    )
    for table in ("emp_host", "mp_job_run"):
        await other.execute(
            f"CREATE TRIGGER test_disk_full BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION test_disk_full()"
        )
    try:
        yield
    finally:
        for table in ("emp_host", "mp_job_run"):
            await other.execute(f"DROP TRIGGER IF EXISTS test_disk_full ON {table}")
        await other.execute("DROP FUNCTION IF EXISTS test_disk_full()")
        await other.close()


@pytest.mark.postgres_only
async def test_postgres_disk_full_answers_503(client, make_user, pg_disk_full):
    await _signed_in(client, make_user)
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/health/ready")).status_code == 503
    _assert_unavailable(await client.post("/api/v1/hosts", json=HOST))


async def test_ready_answers_ok_when_storage_works(client):
    response = await client.get("/health/ready")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert await JobRun.count() == 0


def test_only_outages_count_as_outages():
    from marketplace.kernel.outage import is_outage

    assert is_outage(sqlite3.OperationalError("database is locked"))
    assert is_outage(sqlite3.OperationalError("database or disk is full"))
    assert is_outage(sqlite3.OperationalError("disk I/O error"))
    assert not is_outage(sqlite3.OperationalError("no such column: nope"))
    assert not is_outage(ValueError("database is locked"))
