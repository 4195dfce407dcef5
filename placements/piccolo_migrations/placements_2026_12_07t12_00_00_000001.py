"""Follow-ups fall due 90 and 180 days after the day the placement ended, not after the
outcome's date (`placements.services.outcomes.exit_day`). Those stored before counted from the
outcome's date: an outcome dated a week after the end made them a week late, and one dated
before the end (accepted until now) made them early (an end of 2026-12-04 with an outcome of
2026-11-01 gave 2027-01-30 for 90 days instead of 2027-03-04). Every follow-up's due day is
set again from its placement's end (done ones too: the follow-up report reads the exit back
from it); an outcome with no ended placement behind it keeps counting from its own date. A
follow-up not yet done whose reminder already went out for a day now moved later than today
is reminded again when it really falls due. Nothing to undo backwards: the old days were wrong.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T12:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "follow-ups due 90 and 180 days after the placement ended"

# The day of exit: the ended placement's end date, else the outcome's date.
EXIT = (
    "COALESCE("
    "(SELECT b.end_date FROM pl_outcome o JOIN pl_booking b ON b.id = o.booking "
    "WHERE o.id = pl_follow_up.outcome AND b.status IN ('completed', 'interrupted')), "
    "(SELECT o.outcome_date FROM pl_outcome o WHERE o.id = pl_follow_up.outcome))"
)
DUE = {
    "postgres": f"({EXIT} + pl_follow_up.days)",
    "sqlite": f"date({EXIT}, '+' || pl_follow_up.days || ' days')",
}


def realign(engine_type: str) -> str:
    """The one UPDATE, in the engine's date arithmetic (both read the old row in SET)."""
    due = DUE["sqlite" if engine_type == "sqlite" else "postgres"]
    return (
        "UPDATE pl_follow_up SET "
        f"reminded_at = CASE WHEN status = 'due' AND {due} > due_date AND {due} > CURRENT_DATE "
        "THEN NULL ELSE reminded_at END, "
        f"due_date = {due} "
        f"WHERE due_date <> {due}"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)

    async def run_forwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(realign(engine.engine_type))

    async def run_backwards() -> None:
        return None

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
