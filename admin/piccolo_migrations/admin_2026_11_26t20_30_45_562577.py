"""Make the audit log (mp_audit) append-only in the database itself.

PostgreSQL: a trigger function raises on every UPDATE or DELETE of a row. SQLite: two
triggers abort UPDATE and DELETE, so that not even raw SQL can change a row. TRUNCATE does
not fire row triggers on PostgreSQL; the test suite empties tables that way between tests.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T20:30:45:562577"
VERSION = "1.38.0"
DESCRIPTION = "append-only audit log triggers"

MESSAGE = "mp_audit is append-only: audit rows cannot be changed or deleted"

POSTGRES_FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION mp_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER mp_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON mp_audit
    FOR EACH ROW EXECUTE FUNCTION mp_audit_append_only()
    """,
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS mp_audit_no_update_delete ON mp_audit",
    "DROP FUNCTION IF EXISTS mp_audit_append_only()",
]
SQLITE_FORWARDS = [
    f"""
    CREATE TRIGGER IF NOT EXISTS mp_audit_no_update
    BEFORE UPDATE ON mp_audit
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS mp_audit_no_delete
    BEFORE DELETE ON mp_audit
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS mp_audit_no_update",
    "DROP TRIGGER IF EXISTS mp_audit_no_delete",
]


async def _run(postgres: list[str], sqlite: list[str]) -> None:
    engine = engine_finder()
    assert engine is not None
    for statement in sqlite if engine.engine_type == "sqlite" else postgres:
        await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="admin", description=DESCRIPTION)

    async def run_forwards() -> None:
        await _run(POSTGRES_FORWARDS, SQLITE_FORWARDS)

    async def run_backwards() -> None:
        await _run(POSTGRES_BACKWARDS, SQLITE_BACKWARDS)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
