"""Issue 15: the participant's consent is recorded on the participant form: the day it was
given and how (orally, in writing, digitally)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T22:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "participant consent: date and method"


def _params(**extra):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Candidate",
        tablename="pl_candidate",
        column_name="consent_date",
        db_column_name="consent_date",
        column_class_name="Date",
        column_class=Date,
        params=_params(default=None, null=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="Candidate",
        tablename="pl_candidate",
        column_name="consent_method",
        db_column_name="consent_method",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=20, default=""),
        schema=None,
    )
    return manager
