"""The unique index on mp_user.coordinator_number: no two accounts share a number.

Made here rather than with the column: going backwards, this migration drops the index
before the previous one drops the column, which SQLite requires.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T17:10:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "unique coordinator numbers"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="marketplace", description=DESCRIPTION)

    async def run_forwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS mp_user_coordinator_number "
            "ON mp_user (coordinator_number)"
        )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS mp_user_coordinator_number")

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
