"""Database helpers for tests: a fresh migrated schema, and emptying every table."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from piccolo.conf.apps import Finder
from piccolo.table import Table, sort_table_classes

from marketplace.kernel.migrate import apply_migrations
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import User


def all_tables() -> list[type[Table]]:
    return list(Finder().get_table_classes())


async def reset_database() -> None:
    """Drop everything and apply all migrations from zero."""
    settings = get_settings()
    if settings.is_sqlite:
        for suffix in ("", "-wal", "-shm"):
            path = settings.sqlite_path.with_name(settings.sqlite_path.name + suffix)
            path.unlink(missing_ok=True)
    else:
        await User.raw("DROP SCHEMA public CASCADE")
        await User.raw("CREATE SCHEMA public")
    await apply_migrations()


async def truncate_all() -> None:
    """Delete every row of every app table, resetting ID sequences."""
    names = [t._meta.tablename for t in sort_table_classes(all_tables())]
    settings = get_settings()
    if settings.is_sqlite:
        _empty_sqlite(settings.sqlite_path, names)
    else:
        await _empty_postgres(names)


def _empty_sqlite(path: Path, names: list[str]) -> None:
    """Empty the tables that have rows, in one transaction (one sync to disk, not one per
    table: the wipe after each test cost 0.7 s when it was ~60 statements of their own).

    A test that wrote nothing (a pure one) costs one read. The audit log's append-only
    triggers abort DELETE: they are lifted inside the transaction and the very same triggers
    put back before it commits. (PostgreSQL's wipe needs nothing of the kind.)
    """
    probe = " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        filled = {row[0] for row in connection.execute(probe)}
        sequences = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchone()
        if not filled:
            return
        # A wipe need not survive a power cut: no sync to disk at its commit.
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("BEGIN IMMEDIATE")
        triggers = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'mp_audit'"
        ).fetchall()
        connection.execute("PRAGMA defer_foreign_keys = ON")
        for name, _ in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')
        for name in reversed(names):
            if name in filled:
                connection.execute(f'DELETE FROM "{name}"')
        for _, sql in triggers:
            connection.execute(sql)
        if sequences:
            connection.execute("DELETE FROM sqlite_sequence")
        connection.execute("COMMIT")
    finally:
        connection.close()


# The connection the PostgreSQL wipes reuse, opened by the first one (a connection per test
# cost ~7 ms and a server process each time, ~11 s per run).
_WIPER: list[Any] = []


async def _empty_postgres(names: list[str]) -> None:
    """DELETE from the tables that have rows, then restart every sequence.

    TRUNCATE of ~40 tables took 0.3 s per test (it swaps each table's files); deleting the few
    rows a test wrote takes milliseconds. Row triggers (the audit log's append-only guard, and
    the foreign keys) are switched off for this session only: the test database's role is a
    superuser, and this wipe is the only place that does it. A connection that failed (a test
    may have ended the server's sessions) is dropped, and the wipe runs once more on a new one.
    """
    try:
        await _wipe_postgres(await _wiper(), names)
    except Exception:
        await close_wiper()
        await _wipe_postgres(await _wiper(), names)


async def _wiper() -> Any:
    if not _WIPER or _WIPER[0].is_closed():
        engine: Any = User._meta.db
        _WIPER[:] = [await engine.get_new_connection()]
    return _WIPER[0]


async def close_wiper() -> None:
    """Close the wipes' connection (at the end of the run, or after it failed)."""
    if _WIPER:
        connection = _WIPER.pop()
        if not connection.is_closed():
            connection.terminate()


async def _wipe_postgres(connection: Any, names: list[str]) -> None:
    probe = " UNION ALL ".join(
        f"SELECT '{n}' AS name WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names
    )
    filled = {row["name"] for row in await connection.fetch(probe)}
    statements = ["SET session_replication_role = replica"]
    statements += [f'DELETE FROM "{n}"' for n in reversed(names) if n in filled]
    # The sequences of these tables only (not piccolo's own migration table).
    tables = ", ".join(f"'{n}'" for n in names)
    statements.append(
        "SELECT setval(s.oid, 1, false) FROM pg_class s"
        " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
        " JOIN pg_class t ON t.oid = d.refobjid"
        f" WHERE s.relkind = 'S' AND t.relname IN ({tables})"
    )
    statements.append("SET session_replication_role = DEFAULT")
    await connection.execute(";\n".join(statements))
