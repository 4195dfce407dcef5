"""Backup and restore round trips, and migrations forwards, back to zero, and forwards again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from marketplace.kernel.backup import BackupError, backup, restore
from marketplace.kernel.migrate import apply_migrations, pending_migrations, rollback_all
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import User
from tests import dbutil


async def row_counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in dbutil.all_tables()}


async def test_backup_restore_round_trip(make_user, tmp_path: Path):
    settings = get_settings()
    await make_user("admin", username="alva")
    await make_user("coordinator", username="sara")
    before = await row_counts()
    target = tmp_path / "backup.db"
    await backup(settings, str(target))
    assert target.stat().st_size > 0
    # Change the database after the backup, then restore: the change is gone.
    await make_user("analyst", username="anna")
    await User.delete().where(User.username == "alva")
    await restore(settings, str(target))
    assert await row_counts() == before
    names = {r["username"] for r in await User.select(User.username)}
    assert names == {"alva", "sara"}
    if settings.is_sqlite:
        with sqlite3.connect(settings.sqlite_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with pytest.raises(BackupError, match="finns redan"):
        await backup(settings, str(target))


async def test_restore_refuses_missing_or_broken_file(tmp_path: Path):
    settings = get_settings()
    with pytest.raises(BackupError, match="finns inte"):
        await restore(settings, str(tmp_path / "nej.db"))
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError):
        await restore(settings, str(broken))


async def test_migrations_forwards_backwards_forwards(make_user):
    await make_user("admin", username="alva")
    assert await pending_migrations() == []
    await dbutil.truncate_all()
    await rollback_all()
    pending = await pending_migrations()
    assert pending, "rolling back to zero leaves every migration pending"
    assert {p.split(":")[0] for p in pending} >= {"marketplace", "employers", "placements"}
    applied = await apply_migrations()
    assert applied == len(pending)
    assert await pending_migrations() == []
    # The schema works again after the round trip.
    user = await make_user("coordinator", username="sara")
    assert user.id


async def test_production_refuses_to_start_with_pending_migrations():
    from piccolo.apps.migrations.tables import Migration

    from marketplace.app import create_app
    from marketplace.kernel.settings import load_settings
    from tests.inloop import InLoopClient

    current = get_settings()
    production = load_settings(
        {
            "ENVIRONMENT": "production",
            "SECRET_KEY": current.secret_key,
            "DATABASE_URL": current.database_url,
            "VAR_DIR": str(current.var_dir),
        }
    )
    # Forget that the newest marketplace migration ran, so it looks pending.
    newest = (
        await Migration.select(Migration.name, Migration.ran_on)
        .where(Migration.app_name == "marketplace")
        .order_by(Migration.name, ascending=False)
        .first()
    )
    assert newest is not None
    forget = (Migration.app_name == "marketplace") & (Migration.name == newest["name"])
    await Migration.delete().where(forget)
    try:
        assert await pending_migrations() == [f"marketplace:{newest['name']}"]
        with pytest.raises(BaseException) as refused:  # the test client wraps it in a group
            async with InLoopClient(create_app(production)):
                pass
        assert "Kör 'marketplace migrate' först" in repr(refused.value.__dict__) + str(
            getattr(refused.value, "exceptions", refused.value)
        )
    finally:
        await Migration.insert(
            Migration(name=newest["name"], app_name="marketplace", ran_on=newest["ran_on"])
        )
    assert await pending_migrations() == []
