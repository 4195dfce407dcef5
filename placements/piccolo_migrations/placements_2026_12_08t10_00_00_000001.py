"""A consent replaced by a newer one to the same agency names it (pl_partner_consent.
replaced_by). A participant has at most one consent in force per agency: a new one ends the
old one on the day it was given, and the old one's end must not read as a withdrawal by the
participant. Consents stored before have none; the next migration repairs those stored
several times in force."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-08T10:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "the consent that replaced a consent"


class PartnerConsent(Table, tablename="pl_partner_consent", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)
    manager.add_column(
        table_class_name="PartnerConsent",
        tablename="pl_partner_consent",
        column_name="replaced_by",
        db_column_name="replaced_by",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": PartnerConsent,
            "on_delete": OnDelete.set_null,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
