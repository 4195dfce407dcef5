"""mp_outbox.candidate: the participant a mail is to or about, set when it is queued.

The register extract and anonymisation find a person's mail by this key instead of
searching addresses and text with patterns.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T17:10:01:100001"
VERSION = "1.38.0"
DESCRIPTION = "outbox rows keyed to their participant"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="marketplace", description=DESCRIPTION)

    manager.add_column(
        table_class_name="OutboxMessage",
        tablename="mp_outbox",
        column_name="candidate",
        db_column_name="candidate",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            # The index is made by the next migration: SQLite cannot drop an indexed column,
            # so going backwards drops the index first, there.
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
