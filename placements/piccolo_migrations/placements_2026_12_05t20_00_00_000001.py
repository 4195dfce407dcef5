"""A placement keeps the weekly hours agreed. pl_booking.hours_per_week holds the slot's hours
when the host accepted: the host's ledger, the reports and the attendance statement count a
placement's hours from it, so a later edit of the slot no longer rewrites the hours of past
weeks. The next migration fills it in for the bookings made before."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T20:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "the weekly hours a booking was accepted with"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Booking",
        tablename="pl_booking",
        column_name="hours_per_week",
        db_column_name="hours_per_week",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
