"""Database helpers for tests: a fresh migrated schema, and emptying every table."""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import Finder
from piccolo.table import Table, sort_table_classes

from marketplace.migrate import apply_migrations
from marketplace.settings import get_settings
from marketplace.tables import User


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
    if get_settings().is_sqlite:
        # The audit log's append-only triggers abort DELETE; lift them for this test-only
        # wipe and put the very same triggers back. (PostgreSQL's TRUNCATE fires no row
        # triggers, so it needs nothing of the kind.)
        triggers = await User.raw(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'mp_audit'"
        )
        for trigger in triggers:
            await User.raw(f'DROP TRIGGER "{trigger["name"]}"')
        for name in reversed(names):
            await User.raw(f'DELETE FROM "{name}"')
        for trigger in triggers:
            await User.raw(trigger["sql"])
        if await User.raw("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'"):
            await User.raw("DELETE FROM sqlite_sequence")
    else:
        await _empty_postgres(names)


async def _empty_postgres(names: list[str]) -> None:
    """DELETE from the tables that have rows, then restart every sequence.

    TRUNCATE of ~40 tables took 0.3 s per test (it swaps each table's files); deleting the few
    rows a test wrote takes milliseconds. Row triggers (the audit log's append-only guard, and
    the foreign keys) are switched off for this session only: the test database's role is a
    superuser, and this wipe is the only place that does it.
    """
    probe = " UNION ALL ".join(
        f"SELECT '{n}' AS name WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names
    )
    engine: Any = User._meta.db
    connection = await engine.get_new_connection()
    try:
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
    finally:
        await connection.close()
