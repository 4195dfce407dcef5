"""The `marketplace` command, run as a real process against the test database."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel.tables import ApiToken, User
from tests.participants.conftest import sign_in_by_link, signed_in

CLI = [sys.executable, "-m", "marketplace.cli"]


async def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


async def test_users_and_tokens_commands():
    created = await run(
        "users", "create", "alva", "--role", "admin", "--password", "en-lång-fras-för-cli"
    )
    assert created.returncode == 0, created.stderr
    assert "alva (admin)" in created.stdout
    listed = await run("users", "list")
    assert "alva" in listed.stdout and "aktiv" in listed.stdout
    token = await run("tokens", "create", "alva", "--name", "crm")
    assert token.returncode == 0
    raw = token.stdout.strip().splitlines()[-1]
    assert raw.startswith("mpt_")
    row = await ApiToken.select(ApiToken.id, ApiToken.token_hash).first()
    assert row is not None and raw not in row["token_hash"]
    revoked = await run("tokens", "revoke", str(row["id"]))
    assert revoked.returncode == 0
    again = await run("tokens", "revoke", str(row["id"]))
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and again.stderr.startswith("Fel: ")
    disabled = await run("users", "disable", "alva")
    assert disabled.returncode == 0
    assert await User.select(User.active).where(User.username == "alva").first() == {
        "active": False
    }


async def test_errors_are_one_line_and_non_zero():
    weak = await run("users", "create", "bo", "--role", "analyst", "--password", "kort")
    assert weak.returncode == 1
    assert weak.stderr.strip().startswith("Fel: Lösenordet måste ha minst 12 tecken")
    assert weak.stderr.count("\n") == 1
    bad_setting = await run("migrate", env={"DATABASE_URL": "oracle://x"})
    assert bad_setting.returncode == 1
    assert bad_setting.stderr.startswith("Felaktig inställning: DATABASE_URL")
    assert "Traceback" not in bad_setting.stderr
    # A partner contact made here would belong to no agency: made on /drift/samverkan only.
    partner = await run(
        "users", "create", "pia", "--role", "partner", "--password", "en-lång-fras-för-cli"
    )
    assert partner.returncode == 2 and await User.count() == 0


async def test_migrate_and_demo_are_idempotent_and_the_demo_prints_sign_in_links(
    client: AsyncTestClient[Litestar],
):
    """Loading the demo twice changes nothing. The demo has no e-ID and its participants'
    addresses are made up, so the console of `marketplace demo` (and so of `serve --demo`)
    shows a working sign-in link for two demo participants: each works once, and loading the
    demo again makes new ones. `migrate` (what `serve` runs without --demo) prints none."""
    from placements.tables import ParticipantLink

    first = await run("demo")
    assert first.returncode == 0, first.stderr
    count = await User.count()
    paths = re.findall(r"https?://\S+(/mina-sidor/logga-in/lank/[A-Za-z0-9_-]+)", first.stdout)
    assert len(paths) == 2, first.stdout
    assert "Aisha Yusuf" in first.stdout and "Hanna Nyström" in first.stdout
    assert await sign_in_by_link(client, paths[0]) == 303
    assert signed_in(client)
    home = await client.get("/mina-sidor", headers={"accept": "text/html"})
    assert home.status_code == 200 and "Aisha" in home.text
    client.cookies.clear()
    assert await sign_in_by_link(client, paths[0]) != 303  # single use
    client.cookies.clear()

    second = await run("demo")
    assert second.returncode == 0
    assert await User.count() == count
    newer = re.findall(r"(/mina-sidor/logga-in/lank/[A-Za-z0-9_-]+)", second.stdout)
    assert len(newer) == 2 and paths[1] not in newer
    assert await sign_in_by_link(client, paths[1]) != 303  # replaced by the newer one
    client.cookies.clear()
    assert await sign_in_by_link(client, newer[1]) == 303
    assert await ParticipantLink.count().where(ParticipantLink.channel != "demo") == 0

    migrate = await run("migrate")
    assert migrate.stdout.startswith("Migreringar klara (0 nya)")
    assert "/mina-sidor" not in migrate.stdout


async def test_backup_command(tmp_path: Path):
    await run("users", "create", "alva", "--role", "admin", "--password", "en-lång-fras-för-cli")
    target = tmp_path / "kopia.db"
    done = await run("backup", str(target))
    assert done.returncode == 0, done.stderr
    assert target.exists()
    refused = await run("backup", str(target))
    assert refused.returncode == 1 and "finns redan" in refused.stderr
    restored = await run("restore", str(target))
    assert restored.returncode == 0, restored.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_serve_answers_health_within_60_seconds(tmp_path: Path):
    """And its access log masks a personnummer (and any search words) typed into a search
    that sends it by GET."""
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        *CLI,
        "serve",
        "--port",
        str(port),
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SCHEDULER_ENABLED": "false"},
    )
    try:
        deadline = time.monotonic() + 60
        body = b""
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                try:
                    body = (await http.get(f"http://127.0.0.1:{port}/health", timeout=2)).content
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.3)
            assert b'"status":"ok"' in body
            found = await http.get(f"http://127.0.0.1:{port}/platser?q=19850101-1234+lager")
            assert found.status_code == 200
            api = await http.get(f"http://127.0.0.1:{port}/api/v1/slots?pnr=19850101%201234")
            assert api.status_code in (200, 400, 401, 404)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=20)
        log.close()
    written = (tmp_path / "serve.log").read_text()
    assert "GET /platser?q=[text]" in written, written[-2000:]
    assert "pnr=[personnummer]" in written, written[-2000:]
    assert "19850101" not in written and "lager" not in written
