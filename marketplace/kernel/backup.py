"""Backup and restore: SQLite's online backup API, or pg_dump / pg_restore for PostgreSQL.

A live SQLite file is never copied byte by byte: the backup API gives a consistent snapshot
even while the service writes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from pathlib import Path

from marketplace.kernel.db import postgres_config
from marketplace.kernel.settings import Settings


class BackupError(Exception):
    """A backup or restore failed; the message says why."""


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
    finally:
        src.close()


def _pg_env(settings: Settings) -> tuple[list[str], dict[str, str]]:
    config = postgres_config(settings.database_url)
    args = ["-h", str(config["host"]), "-p", str(config["port"])]
    if "user" in config:
        args += ["-U", str(config["user"])]
    env = dict(os.environ)
    if "password" in config:
        env["PGPASSWORD"] = str(config["password"])
    return args, env


async def _run_tool(tool: str, args: list[str], env: dict[str, str]) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} saknas på maskinen; installera PostgreSQL-klienten.")
    proc = await asyncio.create_subprocess_exec(
        executable, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        first = err.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{tool} misslyckades: {first[0] if first else proc.returncode}")


async def backup(settings: Settings, path: str) -> Path:
    """Write a consistent copy of the whole database to `path`."""
    target = Path(path)
    if target.exists():
        raise BackupError(f"{target} finns redan; välj ett nytt filnamn.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if settings.is_sqlite:
        await asyncio.to_thread(_sqlite_copy, settings.sqlite_path, target)
    else:
        args, env = _pg_env(settings)
        database = postgres_config(settings.database_url)["database"]
        await _run_tool("pg_dump", [*args, "-Fc", "-f", str(target), database], env)
    return target


async def restore(settings: Settings, path: str) -> None:
    """Replace the database's contents with the backup at `path`."""
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"Säkerhetskopian {source} finns inte.")
    if settings.is_sqlite:
        check = sqlite3.connect(source)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} är ingen SQLite-databas: {exc}") from None
        finally:
            check.close()
        if ok != "ok":
            raise BackupError(f"{source} är skadad: {ok}")
        await asyncio.to_thread(_sqlite_copy, source, settings.sqlite_path)
    else:
        args, env = _pg_env(settings)
        database = postgres_config(settings.database_url)["database"]
        await _run_tool(
            "pg_restore",
            [*args, "--clean", "--if-exists", "--no-owner", "-d", database, str(source)],
            env,
        )
