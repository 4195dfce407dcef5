"""The index on mp_outbox.candidate (a register extract reads a person's mail by it).

Made here rather than with the column: going backwards, this migration drops the index
before the previous one drops the column, which SQLite requires.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T17:10:01:200001"
VERSION = "1.38.0"
DESCRIPTION = "index on mp_outbox.candidate"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="marketplace", description=DESCRIPTION)

    async def run_forwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS mp_outbox_candidate ON mp_outbox (candidate)"
        )

    async def run_backwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS mp_outbox_candidate")

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
