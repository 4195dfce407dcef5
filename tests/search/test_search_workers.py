"""Freshness across processes: a slot published through worker A is found through worker B."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from marketplace.kernel import auth
from search.taxonomy_cache import suggest_occupations
from tests.builders import make_contact, make_host


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_worker() -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "marketplace.cli",
        "serve",
        "--port",
        str(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SCHEDULER_ENABLED": "false"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"{base}/health", timeout=2)).status_code == 200:
                    return proc, base
            except httpx.TransportError:
                await asyncio.sleep(0.3)
    proc.kill()
    raise AssertionError("worker did not start within 60 s")


@pytest.fixture
async def two_workers() -> AsyncIterator[tuple[str, str]]:
    (proc_a, url_a), (proc_b, url_b) = await asyncio.gather(start_worker(), start_worker())
    try:
        yield url_a, url_b
    finally:
        for proc in (proc_a, proc_b):
            proc.terminate()
            await asyncio.wait_for(proc.wait(), timeout=20)


async def test_slot_published_on_a_is_found_on_b(two_workers, make_user):
    url_a, url_b = two_workers
    await make_user("coordinator", username="sara")
    _, token = await auth.create_token("sara", "test")
    host = await make_host("Alingsås Bygg AB", "company", town="Alingsås")
    supervisor = await make_contact(host, "Hanna Handledare")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=10) as http:
        before = await http.get(f"{url_b}/api/v1/slots/search", params={"q": "plattsättare"})
        assert before.json()["total"] == 0
        created = await http.post(
            f"{url_a}/api/v1/slots",
            json={
                "host_id": host,
                "kind": "praktik",
                "title": "Plattsättare till badrumsrenoveringar",
                "town": "Alingsås",
                "capacity": 1,
                "occupation_id": suggest_occupations("plattsättare", 1)[0].id,
                "supervisor_id": supervisor,
            },
        )
        assert created.status_code == 201, created.text
        slot_id = created.json()["id"]
        assert (await http.post(f"{url_a}/api/v1/slots/{slot_id}/publish")).status_code == 200
        # The very next search on the other worker sees it (typo included).
        found = await http.get(f"{url_b}/api/v1/slots/search", params={"q": "plattsätare"})
        assert [r["id"] for r in found.json()["results"]] == [slot_id]
        # Paused on B: gone from A's next search.
        assert (await http.post(f"{url_b}/api/v1/slots/{slot_id}/pause")).status_code == 200
        gone = await http.get(f"{url_a}/api/v1/slots/search", params={"q": "plattsättare"})
        assert gone.json()["total"] == 0
