"""A follow-up keeps who recorded its answer. The answer was saved and then shown nowhere;
the pages now show it with when and by whom (pl_follow_up.done_by, the name and role as the
pages say it, like an attendance week's reported_by). Follow-ups answered before have none."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T09:40:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "who recorded a follow-up's answer"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)
    manager.add_column(
        table_class_name="FollowUp",
        tablename="pl_follow_up",
        column_name="done_by",
        db_column_name="done_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
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
