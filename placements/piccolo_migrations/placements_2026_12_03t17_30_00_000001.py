"""Issue 13: placements that cannot overlap, signatures that record what was signed, and the
participant's consent to share the plan goal.

- pl_booking: on PostgreSQL an exclusion constraint (btree_gist) refuses two seat-holding
  placements (accepted, agreed, active) of one participant whose periods share a day. A
  missing end date is open-ended, as in the app's own check. SQLite serialises its writers,
  so the app's check under `write_transaction` holds there without it.
- pl_signature: the agreement version the signer was shown, how the signature was given
  (app, link, paper) and who recorded a paper signature.
- pl_candidate: whether the participant agreed to share the plan goal with the host.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-03T17:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "no overlapping placements; signature version and method; plan goal consent"

POSTGRES_FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE pl_booking ADD CONSTRAINT pl_booking_no_overlap
    EXCLUDE USING gist (
        candidate WITH =,
        daterange(start_date, end_date, '[]') WITH &&
    ) WHERE (status IN ('accepted', 'agreed', 'active'))
    """,
]
POSTGRES_BACKWARDS = [
    "ALTER TABLE pl_booking DROP CONSTRAINT IF EXISTS pl_booking_no_overlap",
]


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


async def _run(statements: list[str]) -> None:
    engine = engine_finder()
    assert engine is not None
    if engine.engine_type == "sqlite":
        return
    for statement in statements:
        await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Signature",
        tablename="pl_signature",
        column_name="signed_version",
        db_column_name="signed_version",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(default=None, null=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="Signature",
        tablename="pl_signature",
        column_name="method",
        db_column_name="method",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=10, default=""),
        schema=None,
    )
    manager.add_column(
        table_class_name="Signature",
        tablename="pl_signature",
        column_name="recorded_by_id",
        db_column_name="recorded_by_id",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(default=None, null=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="Candidate",
        tablename="pl_candidate",
        column_name="plan_goal_shareable",
        db_column_name="plan_goal_shareable",
        column_class_name="Boolean",
        column_class=Boolean,
        params=_params(default=False),
        schema=None,
    )

    async def run_forwards() -> None:
        await _run(POSTGRES_FORWARDS)

    async def run_backwards() -> None:
        await _run(POSTGRES_BACKWARDS)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
