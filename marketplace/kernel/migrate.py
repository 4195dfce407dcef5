"""Apply, check and roll back the Piccolo migrations of every app, quietly.

Piccolo's migration commands print progress with emoji; the service wants one clear line,
so their output is captured and only failures are reported.
"""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder


class MigrationError(Exception):
    """Migrations could not be applied or rolled back; the message says why."""


async def pending_migrations() -> list[str]:
    """IDs ("app:migration_id") of the migrations not yet applied, in order."""
    await Migration.create_table(if_not_exists=True)
    # Which ran, of every app, in one query (a query per app was most of the check's time,
    # and the check runs at every start of the app).
    rows = await Migration.select(Migration.app_name, Migration.name)
    ran = {(row["app_name"], row["name"]) for row in rows}
    manager = BaseMigrationManager()
    pending: list[str] = []
    for app_name in manager.get_sorted_app_names():
        app_config = Finder().get_app_config(app_name)
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        pending.extend(
            f"{app_name}:{mid}"
            for mid in manager.get_migration_ids(modules)
            if (app_name, mid) not in ran
        )
    return pending


async def apply_migrations() -> int:
    """Apply every pending migration; return how many were applied."""
    pending = await pending_migrations()
    if not pending:
        return 0
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationError(f"Migreringen misslyckades: {result.message or out.getvalue()}")
    return len(pending)


async def rollback_all() -> None:
    """Undo every migration of every app, newest app first (for tests and the round trip)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = await run_backwards(app_name="all", auto_agree=True)
    if not result.success:
        raise MigrationError(f"Återställningen misslyckades: {result.message}")
