"""Issue 15: admins manage users in the Swedish UI; a new staff account or a password reset
sends a single-use link to choose a password (mp_password_link)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Timestamptz, Varchar
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


ID = "2026-12-03T22:40:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "password links"


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


def _column(manager, name, column_class, **params):
    manager.add_column(
        table_class_name="PasswordLink",
        tablename="mp_password_link",
        column_name=name,
        db_column_name=name,
        column_class_name=column_class.__name__,
        column_class=column_class,
        params=_params(**params),
        schema=None,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="marketplace", description=DESCRIPTION)
    manager.add_table(
        class_name="PasswordLink", tablename="mp_password_link", schema=None, columns=None
    )
    _column(manager, "id", Serial, primary_key=True)
    _column(
        manager,
        "user",
        ForeignKey,
        references=User,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        index=True,
    )
    _column(manager, "token_hash", Varchar, length=64, default="", unique=True)
    _column(manager, "created_by", Integer, default=None, null=True)
    _column(manager, "created_at", Timestamptz, default=TimestamptzNow())
    _column(manager, "expires_at", Timestamptz, default=TimestamptzNow())
    _column(manager, "used_at", Timestamptz, default=None, null=True)
    return manager
