"""mp_user.coordinator_number: the stored number that names a coordinator to analysts
("Samordnare 3"), so that a label never moves when another account becomes or stops being a
coordinator. Numbers are given when first needed (`marketplace.kernel.auth`), in the order
of the accounts' ids, so existing coordinators keep the labels they had.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T17:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "stored coordinator numbers"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="marketplace", description=DESCRIPTION)
    manager.add_column(
        table_class_name="User",
        tablename="mp_user",
        column_name="coordinator_number",
        db_column_name="coordinator_number",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            # Unique by the next migration's index: SQLite cannot add a UNIQUE column.
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
