"""Piccolo app: Slots, candidates, bookings, agreements, outcomes and follow-ups."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="placements",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["placements.tables"], exclude_imported=True),
    migration_dependencies=["marketplace.piccolo_app", "employers.piccolo_app"],
    commands=[],
)
