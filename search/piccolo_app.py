"""Piccolo app: the search's own tables (everyday words added in the back office, the search
log and what searches led to, the search switches)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="search",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["search.tables"], exclude_imported=True),
    migration_dependencies=["marketplace.piccolo_app"],
    commands=[],
)
