"""Piccolo app of the composition root: users, sessions, tokens, audit, outbox, job runs."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="marketplace",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["marketplace.kernel.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
