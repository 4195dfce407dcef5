"""Piccolo app: the search's own table (everyday words added in the back office)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="search",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["search.tables"], exclude_imported=True),
    migration_dependencies=["marketplace.piccolo_app"],
    commands=[],
)
