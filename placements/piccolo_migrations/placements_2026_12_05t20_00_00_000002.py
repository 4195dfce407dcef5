"""The bookings made before pl_booking.hours_per_week existed get their slot's hours as they
stand now: the best record there is of what was agreed (the figures they showed until now).
From here on accepting sets them, and editing a slot leaves them be. Nothing to undo backwards:
the previous migration's backwards drops the column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-05T20:00:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "fill in the weekly hours of the bookings made before"

FILL = (
    "UPDATE pl_booking SET hours_per_week = "
    "(SELECT s.hours_per_week FROM pl_slot s WHERE s.id = pl_booking.slot) "
    "WHERE hours_per_week IS NULL"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)

    async def run_forwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(FILL)

    async def run_backwards() -> None:
        return None

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
