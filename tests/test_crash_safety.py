"""Crash safety on SQLite: `kill -9` the server in the middle of a write loop, start it again,
and nothing acknowledged is lost and the file is sound.

The real service runs as `marketplace serve` on the test database file. Four clients propose
participants for slots through the API with a Bearer token, recording every booking that got
a 2xx. After 40 acknowledged bookings, while requests are still in flight, the server gets
SIGKILL. The restarted server must answer, `PRAGMA integrity_check` must say `ok`, and every
acknowledged booking must be there, readable through the API.

Run: `pytest tests/test_crash_safety.py` (SQLite pass only).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from marketplace.kernel import auth, clock
from marketplace.kernel.settings import get_settings
from placements.tables import Booking
from tests.builders import make_candidate_row, make_contact, make_host, make_slot
from tests.search.test_search_workers import free_port

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

KILL_AFTER = 40  # acknowledged bookings before the kill
CLIENTS = 4

# A period the date table accepts (placements.date_rules): from a fortnight ahead, 88 days.
PERIOD = (
    clock.today() + dt.timedelta(days=14),
    clock.today() + dt.timedelta(days=102),
)


async def start_server(port: int) -> asyncio.subprocess.Process:
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
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                response = await http.get(f"http://127.0.0.1:{port}/health", timeout=2)
                if response.status_code == 200:
                    return proc
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    proc.kill()
    raise AssertionError("the server did not start within 60 s")


async def make_data(coordinator_id: int) -> list[tuple[int, int]]:
    """Five published slots and forty participants: 200 possible proposals."""
    host = await make_host("Krocktest AB", "company")
    contact = await make_contact(host, "Hanna Handledare", capacity=50)
    slots = [
        await make_slot(
            host,
            contact,
            capacity=50,
            title=f"Lagerarbetare {i}",
            external_id=f"crash-{i}",
            hours=None,
            description="",
        )
        for i in range(5)
    ]
    candidates = [
        await make_candidate_row(
            coordinator_id,
            f"Deltagare{i}",
            last_name="Krocksson",
            email="",
            registered_at=dt.date(2026, 1, 2),
        )
        for i in range(40)
    ]
    return list(itertools.product(candidates, slots))


async def test_kill_9_mid_write_loses_no_acknowledged_booking(make_user):
    coordinator = await make_user("coordinator", username="krock")
    _, token = await auth.create_token("krock", "krocktest")
    pairs = await make_data(int(coordinator.id))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    proc = await start_server(port)
    acknowledged: list[int] = []
    todo = iter(pairs)
    enough = asyncio.Event()

    async def client() -> None:
        async with httpx.AsyncClient(headers=headers, timeout=10) as http:
            for candidate_id, slot_id in todo:
                try:
                    response = await http.post(
                        f"{base}/api/v1/bookings",
                        json={
                            "slot_id": slot_id,
                            "candidate_id": candidate_id,
                            "start_date": str(PERIOD[0]),
                            "end_date": str(PERIOD[1]),
                        },
                    )
                except httpx.TransportError:
                    return  # the server is gone: this one was never acknowledged
                assert response.status_code < 500, response.text
                if 200 <= response.status_code < 300:
                    acknowledged.append(int(response.json()["id"]))
                    if len(acknowledged) >= KILL_AFTER:
                        enough.set()

    try:
        tasks = [asyncio.create_task(client()) for _ in range(CLIENTS)]
        await asyncio.wait_for(enough.wait(), timeout=120)
        os.kill(proc.pid, signal.SIGKILL)  # while the other clients' writes are in flight
        await proc.wait()
        await asyncio.gather(*tasks)
        kept = list(acknowledged)
        assert len(kept) >= KILL_AFTER

        proc = await start_server(port)
        path = get_settings().sqlite_path
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r["id"] for r in await Booking.select(Booking.id).where(Booking.id.is_in(kept))}
        assert stored == set(kept), f"lost after kill -9: {sorted(set(kept) - stored)}"
        async with httpx.AsyncClient(headers=headers, timeout=10) as http:
            for booking_id in kept:
                response = await http.get(f"{base}/api/v1/bookings/{booking_id}")
                assert response.status_code == 200, (booking_id, response.text)
                assert response.json()["status"] == "proposed"
    finally:
        if proc.returncode is None:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), timeout=20)
