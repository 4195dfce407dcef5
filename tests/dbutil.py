"""Database helpers for tests: a fresh migrated schema, and emptying every table."""

from __future__ import annotations

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
        quoted = ", ".join(f'"{n}"' for n in names)
        await User.raw(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
