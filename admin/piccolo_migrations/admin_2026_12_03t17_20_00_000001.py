"""Drop piccolo-admin's session table (`sessions`, from piccolo_api's session_auth app).

The back office moved into the app's own pages and API, which sign in through `mp_session`;
a table of leftover piccolo-admin sessions would only keep sign-ins nobody checks any more.
Backwards does nothing: no code reads that table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T17:20:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "drop piccolo-admin's session table"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="admin", description=DESCRIPTION)

    async def run_forwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP TABLE IF EXISTS sessions")

    async def run_backwards() -> None:
        return None

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
