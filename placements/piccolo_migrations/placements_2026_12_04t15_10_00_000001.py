"""Issue 17: the participant's language is remembered. pl_candidate.language holds the language
the participant chose on their own pages (sv, en, ar; empty until they choose): sign-in sets
the language cookie from it, and the sign-in link is sent in it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T15:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "the participant's chosen language"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Candidate",
        tablename="pl_candidate",
        column_name="language",
        db_column_name="language",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 5,
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
