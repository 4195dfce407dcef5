"""Piccolo app: Host organisations, supervisors, host users and municipal units' targets."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="employers",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["employers.tables"], exclude_imported=True),
    migration_dependencies=["marketplace.piccolo_app"],
    commands=[],
)
