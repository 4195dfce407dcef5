"""A participant has at most one consent in force per agency; the service stored several
(the same consent registered twice, a second one for more or less), the partner's page
showed the earliest day with the union of their scopes, and revoking one left the agency
its access through another. For each participant and agency with several consents in force
(not withdrawn, under any of the agency's agreements), the newest (the latest day given, then
the last registered) stays in force and each other one ends on the newest one's day, naming
it as the consent that replaced it: as a new consent replaces the one in force now
(`placements.services.partners.add_consent`). One statement for both engines; the newest row
is never changed, so every row reads the same newest one whatever the order the engine
updates them in. Nothing to undo backwards: the stored state contradicted the rule.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-08T10:00:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "one consent in force per participant and agency"


def newest(column: str) -> str:
    """`column` of the newest consent in force of the row's participant and agency."""
    return (
        f"(SELECT n.{column} FROM pl_partner_consent n "
        "JOIN pl_local_agreement na ON na.id = n.agreement "
        "WHERE n.candidate = pl_partner_consent.candidate AND n.withdrawn_on IS NULL "
        "AND na.agency = (SELECT a.agency FROM pl_local_agreement a "
        "WHERE a.id = pl_partner_consent.agreement) "
        "ORDER BY n.given_on DESC, n.id DESC LIMIT 1)"
    )


REPAIR = (
    "UPDATE pl_partner_consent SET "
    f"withdrawn_on = {newest('given_on')}, replaced_by = {newest('id')} "
    f"WHERE withdrawn_on IS NULL AND id <> {newest('id')}"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)

    async def run_forwards() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(REPAIR)

    async def run_backwards() -> None:
        return None

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
