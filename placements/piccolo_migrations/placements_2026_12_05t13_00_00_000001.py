"""The public application form speaks Swedish, English and Arabic. pl_application.language holds
the language an application was written in (sv, en, ar; Swedish for every earlier one and for
those staff register): the planning meeting's invitations are sent in it, and the participant
the application becomes is given it when they have chosen none."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T13:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "the language an application was written in"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Application",
        tablename="pl_application",
        column_name="language",
        db_column_name="language",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 5,
            "default": "sv",
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
