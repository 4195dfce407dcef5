"""Stored e-mail addresses lower-cased, and mail already queued keyed to its participant.

Addresses are matched exactly from now on, so those stored before are brought to the same
form (a user whose lower-cased address another user already has keeps theirs). Mail queued
before `mp_outbox.candidate` existed gets the key where it is certain: mail about a booking
gets that booking's participant, mail to an address that exactly one participant has gets
that participant. Nothing is undone backwards: the lower-cased addresses stay valid.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T17:10:02:100002"
VERSION = "1.38.0"
DESCRIPTION = "lower-case stored addresses; key queued mail to its participant"

LOWER = [
    "UPDATE pl_candidate SET email = lower(trim(email)) WHERE email <> lower(trim(email))",
    "UPDATE emp_contact SET email = lower(trim(email)) WHERE email <> lower(trim(email))",
    "UPDATE emp_invitation SET email = lower(trim(email)) WHERE email <> lower(trim(email))",
    "UPDATE emp_application SET contact_email = lower(trim(contact_email)) "
    "WHERE contact_email <> lower(trim(contact_email))",
    "UPDATE mp_user SET email = lower(trim(email)) WHERE email <> lower(trim(email)) "
    "AND NOT EXISTS (SELECT 1 FROM mp_user other "
    "WHERE other.id <> mp_user.id AND lower(trim(other.email)) = lower(trim(mp_user.email)))",
]
BY_RECIPIENT = (
    "UPDATE mp_outbox SET candidate = (SELECT min(c.id) FROM pl_candidate c "
    "WHERE c.email <> '' AND c.email = lower(trim(mp_outbox.recipient))) "
    "WHERE candidate IS NULL AND (SELECT count(*) FROM pl_candidate c "
    "WHERE c.email <> '' AND c.email = lower(trim(mp_outbox.recipient))) = 1"
)
BY_BOOKING_SQLITE = (
    "UPDATE mp_outbox SET candidate = (SELECT b.candidate FROM pl_booking b "
    "WHERE b.id = CAST(json_extract(mp_outbox.meta, '$.booking_id') AS INTEGER)) "
    "WHERE candidate IS NULL AND json_valid(meta) "
    "AND json_type(meta, '$.booking_id') = 'integer'"
)
BY_BOOKING_POSTGRES = (
    "UPDATE mp_outbox SET candidate = b.candidate FROM pl_booking b "
    "WHERE mp_outbox.candidate IS NULL "
    "AND (mp_outbox.meta::jsonb ->> 'booking_id') ~ '^[0-9]{1,9}$' "
    "AND b.id = (mp_outbox.meta::jsonb ->> 'booking_id')::int"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)

    async def run_forwards() -> None:
        engine = engine_finder()
        assert engine is not None
        sqlite = engine.engine_type == "sqlite"
        for statement in [
            *LOWER,
            BY_BOOKING_SQLITE if sqlite else BY_BOOKING_POSTGRES,
            BY_RECIPIENT,
        ]:
            await engine.run_ddl(statement)

    async def run_backwards() -> None:
        return None

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
