"""Piccolo app: Back office, audit review and KPI snapshots."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="admin",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["admin.tables"], exclude_imported=True),
    migration_dependencies=[
        "marketplace.piccolo_app",
        "employers.piccolo_app",
        "placements.piccolo_app",
    ],
    commands=[],
)
