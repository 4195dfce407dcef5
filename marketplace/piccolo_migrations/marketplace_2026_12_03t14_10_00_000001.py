"""Issue 13: API tokens expire; a locked account still admits its owner from an address
they signed in from before (mp_login_origin)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class User(Table, tablename="mp_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-03T14:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "API token expiry; sign-in origins"


def _params(**extra):
    base = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    return base | extra


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="marketplace", description=DESCRIPTION)

    manager.add_column(
        table_class_name="ApiToken",
        tablename="mp_api_token",
        column_name="expires_at",
        db_column_name="expires_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(default=None, null=True),
        schema=None,
    )

    manager.add_table(
        class_name="LoginOrigin", tablename="mp_login_origin", schema=None, columns=None
    )
    manager.add_column(
        table_class_name="LoginOrigin",
        tablename="mp_login_origin",
        column_name="id",
        db_column_name="id",
        column_class_name="Serial",
        column_class=Serial,
        params=_params(primary_key=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="LoginOrigin",
        tablename="mp_login_origin",
        column_name="key_hash",
        db_column_name="key_hash",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=64, default="", unique=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="LoginOrigin",
        tablename="mp_login_origin",
        column_name="user",
        db_column_name="user",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params=_params(
            references=User,
            on_delete=OnDelete.cascade,
            on_update=OnUpdate.cascade,
            target_column=None,
            index=True,
        ),
        schema=None,
    )
    manager.add_column(
        table_class_name="LoginOrigin",
        tablename="mp_login_origin",
        column_name="last_success_at",
        db_column_name="last_success_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(default=TimestamptzNow()),
        schema=None,
    )

    return manager
