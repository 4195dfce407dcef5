"""Load benchmark: two workers on PostgreSQL, 100,000 published slots, 100 concurrent users.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE mp_load'
    .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/mp_load

Setup (skipped when the database already holds the slots; `--reset` starts over): migrate,
import `slotgen.py corpus --n 100000 --seed 3` with `marketplace import-slots`, then add five
coordinators with API tokens, 2,000 participants spread over them (wished occupations and home
towns drawn from the corpus, so matching has work to do) and host users. Bookings are emptied
before each run.

Load: `marketplace serve --workers 2` on loopback; 100 simulated users, each a loop of one
action then a think time (0.5–1.5 s by default), for 60 s after a 10 s unmeasured warm-up:
public search (40 %), slot pages (30 %, the HTML page), coordinator matching (15 %,
/api/v1/matching/candidates/{id}/slots) and booking proposals (15 %, each a new participant
and slot pair). Every answer other than 2xx (3xx for none of these) counts as an error.

Report: errors, p50/p95/p99 and count per kind, throughput, the load average, and the
database check afterwards: every acknowledged booking present, none doubled. `--write`
appends the report to bench/RESULTS_load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLOTGEN = Path("/work/shared/eval/slotgen.py")
PASSWORD = "last-test-lösenord-2026"
MIX = {"search": 40, "page": 30, "match": 15, "book": 15}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database of its own")
    parser.add_argument("--slots", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--think", default="0.5,1.5", help="think time range in seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--reset", action="store_true", help="rebuild the data set")
    parser.add_argument("--write", action="store_true", help="append to bench/RESULTS_load.md")
    return parser.parse_args()


def configure(args: argparse.Namespace, var_dir: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": args.database_url,
        "VAR_DIR": var_dir,
        "SECRET_KEY": "load-benchmark-secret-" + "x" * 32,
        "SCHEDULER_ENABLED": "false",
        "ENVIRONMENT": "development",
        "PICCOLO_CONF": "marketplace.piccolo_conf",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    return {**os.environ, **env}


def marketplace(*args: str, env: dict[str, str]) -> None:
    exe = ROOT / ".venv" / "bin" / "marketplace"
    subprocess.run([str(exe), *args], env=env, check=True, stdout=subprocess.DEVNULL)


async def prepare(args: argparse.Namespace, env: dict[str, str]) -> dict[str, object]:
    """The data set; returns what the simulated users need."""
    from marketplace.kernel import auth
    from marketplace.kernel.migrate import apply_migrations
    from marketplace.kernel.tables import ApiToken, User
    from placements.tables import Booking, BookingEvent, Candidate, Slot

    if args.reset:
        await User.raw("DROP SCHEMA public CASCADE")
        await User.raw("CREATE SCHEMA public")
    await apply_migrations()
    published = await Slot.count().where(Slot.status == "published")
    if published < args.slots * 0.99:
        corpus = Path(tempfile.gettempdir()) / f"slots-{args.slots}-s{args.seed}.jsonl"
        if not corpus.exists():
            with corpus.open("w") as out:
                command = [sys.executable, str(SLOTGEN), "corpus", "--n", str(args.slots)]
                subprocess.run([*command, "--seed", str(args.seed)], stdout=out, check=True)  # noqa: ASYNC221 - setup, before any load
        t0 = time.perf_counter()
        marketplace("import-slots", str(corpus), "--skip-bad-rows", "--source", "load", env=env)
        print(f"imported {corpus.name} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    coordinators = []
    for i in range(5):
        name = f"load_samordnare{i}"
        row = await User.select(User.id).where(User.username == name).first()
        if row is None:
            user = await auth.create_user(name, PASSWORD, "coordinator", team="last")
            row = {"id": user.id}
        await ApiToken.delete().where(ApiToken.user == row["id"])
        _, token = await auth.create_token(name, "load")
        coordinators.append((int(row["id"]), token))
    for i in range(5):
        name = f"load_vard{i}"
        if not await User.exists().where(User.username == name):
            await auth.create_user(name, PASSWORD, "host")
    slots = await Slot.select(
        Slot.id, Slot.title, Slot.town, Slot.occupation_id, Slot.latitude, Slot.longitude
    ).where(Slot.status == "published")
    rng = random.Random(args.seed)
    have = await Candidate.count()
    if have < args.candidates:
        rows = []
        for i in range(have, args.candidates):
            wish = rng.sample(slots, 2)
            rows.append(
                Candidate(
                    first_name=f"Deltagare{i}",
                    last_name="Lastsson",
                    track=rng.choice(["kompetens", "hälsa", "vägledning"]),
                    wished_occupations=json.dumps([w["occupation_id"] for w in wish]),
                    home_town=wish[0]["town"],
                    max_commute_km=rng.choice([10, 20, 40]),
                    coordinator=coordinators[i % len(coordinators)][0],
                    registered_at=dt.date(2026, 1, 1),
                    # A proposal needs the participant's consent to contacting hosts.
                    consent_date=dt.date(2026, 1, 1),
                    consent_method="skriftligt",
                )
            )
        for start in range(0, len(rows), 500):
            await Candidate.insert(*rows[start : start + 500])
    await BookingEvent.delete(force=True)
    await Booking.delete(force=True)
    candidates = await Candidate.select(Candidate.id, Candidate.coordinator)
    words = sorted(
        {
            w.strip(",.()-")
            for s in slots[:5000]
            for w in s["title"].lower().split()
            if len(w.strip(",.()-")) > 3
        }
    )
    return {
        "coordinators": dict(coordinators),
        "candidates": [(c["id"], c["coordinator"]) for c in candidates],
        "slot_ids": [s["id"] for s in slots],
        "words": words,
        "places": sorted(
            {f"{s['latitude']:.4f},{s['longitude']:.4f}" for s in slots[:5000] if s["latitude"]}
        ),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    booked: list[int] = field(default_factory=list)
    generator_cpu_s: float = 0.0  # the load generator's own CPU time while measuring


async def run_load(args: argparse.Namespace, base: str, data: dict[str, object]) -> Results:
    # The generator shares the two cores with the server: aiohttp is the lighter client
    # (see bench/RESULTS_load.md for the generator's CPU share measured in a run).
    import aiohttp

    rng = random.Random(args.seed + 1)
    coordinators: dict[int, str] = data["coordinators"]  # type: ignore[assignment]
    candidates: list[tuple[int, int]] = data["candidates"]  # type: ignore[assignment]
    slot_ids: list[int] = data["slot_ids"]  # type: ignore[assignment]
    words: list[str] = data["words"]  # type: ignore[assignment]
    places: list[str] = data["places"]  # type: ignore[assignment]
    think_lo, think_hi = (float(x) for x in args.think.split(","))
    used_pairs: set[tuple[int, int]] = set()
    results = Results()
    measuring = {"on": False}
    kinds = list(MIX)
    weights = list(MIX.values())

    def request_for(kind: str) -> tuple[str, str, dict[str, str], dict[str, object] | None]:
        if kind == "search":
            params = f"q={rng.choice(words)}"
            if rng.random() < 0.3:
                params += f"&near={rng.choice(places)}"
            return "GET", f"/api/v1/slots/search?{params}", {}, None
        if kind == "page":
            return "GET", f"/platser/{rng.choice(slot_ids)}", {"accept": "text/html"}, None
        candidate_id, coordinator_id = rng.choice(candidates)
        auth = {"authorization": f"Bearer {coordinators[coordinator_id]}"}
        if kind == "match":
            return "GET", f"/api/v1/matching/candidates/{candidate_id}/slots", auth, None
        slot_id = rng.choice(slot_ids)
        while (candidate_id, slot_id) in used_pairs:
            slot_id = rng.choice(slot_ids)
        used_pairs.add((candidate_id, slot_id))
        body = {"candidate_id": candidate_id, "slot_id": slot_id, "start_date": "2030-03-02"}
        return "POST", "/api/v1/bookings", auth, body

    async def user(http: aiohttp.ClientSession, stop_at: float) -> None:
        await asyncio.sleep(rng.uniform(0, think_hi))
        while time.monotonic() < stop_at:
            kind = rng.choices(kinds, weights)[0]
            method, url, headers, body = request_for(kind)
            booked = None
            t0 = time.perf_counter()
            try:
                async with http.request(method, base + url, headers=headers, json=body) as resp:
                    status = resp.status
                    payload = await resp.read()
                text = payload[:200].decode("utf-8", "replace") if status >= 300 else ""
                if kind == "book" and 200 <= status < 300:
                    booked = int(json.loads(payload)["id"])
            except (aiohttp.ClientError, TimeoutError) as exc:
                status, text = 0, repr(exc)
            elapsed = time.perf_counter() - t0
            if booked is not None:
                results.booked.append(booked)  # acknowledged, always kept
            if measuring["on"]:
                results.latencies[kind].append(elapsed)
                if not 200 <= status < 300:
                    results.errors[kind] += 1
                    if len(results.error_samples) < 10:
                        results.error_samples.append(f"{kind} {method} {url}: {status} {text}")
            await asyncio.sleep(rng.uniform(think_lo, think_hi))

    connector = aiohttp.TCPConnector(limit=args.users)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        start = time.monotonic()
        stop_at = start + args.warmup + args.duration
        tasks = [asyncio.create_task(user(http, stop_at)) for _ in range(args.users)]
        await asyncio.sleep(args.warmup)
        measuring["on"] = True
        cpu0 = time.process_time()
        await asyncio.sleep(args.duration)
        results.generator_cpu_s = time.process_time() - cpu0
        measuring["on"] = False
        await asyncio.gather(*tasks)
    return results


async def check_bookings(booked: list[int]) -> dict[str, int]:
    from placements.tables import Booking

    rows = await Booking.select(Booking.id, Booking.candidate, Booking.slot)
    ids = {r["id"] for r in rows}
    pairs = {(r["candidate"], r["slot"]) for r in rows}
    return {
        "acknowledged": len(booked),
        "in_database": len(rows),
        "lost": len(set(booked) - ids),
        "doubled": len(rows) - len(pairs),
        "unacknowledged": len(ids - set(booked)),
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def report(args: argparse.Namespace, r: Results, check: dict[str, int], load: str) -> str:
    total = sum(len(v) for v in r.latencies.values())
    errors = sum(r.errors.values())
    lines = [
        f"## Load run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`bench/load.py`: {args.workers} workers on PostgreSQL, {args.slots:,} published slots, "
        f"{args.users} users, think time {args.think} s, {args.duration:.0f} s measured after "
        f"{args.warmup:.0f} s warm-up. Load average (1/5/15 min) at the end: {load}; "
        f"{os.cpu_count()} cores, load generator on the same machine.",
        "",
        "| request | count | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in MIX:
        v = r.latencies.get(kind, [])
        if not v:
            continue
        lines.append(
            f"| {kind} | {len(v)} | {r.errors.get(kind, 0)} | {statistics.median(v) * 1000:.1f} "
            f"| {pct(v, 95):.1f} | {pct(v, 99):.1f} |"
        )
    lines += [
        "",
        f"Throughput {total / args.duration:.1f} requests/s; errors {errors} of {total}. "
        f"The generator itself used {r.generator_cpu_s:.1f} CPU-s of the "
        f"{args.duration * (os.cpu_count() or 1):.0f} the machine had "
        f"({r.generator_cpu_s / max(total, 1) * 1000:.2f} ms per request).",
        f"Bookings: {check['acknowledged']} acknowledged, {check['in_database']} in the "
        f"database, {check['lost']} lost, {check['doubled']} doubled, "
        f"{check['unacknowledged']} stored without an answer (client timeout).",
    ]
    if r.error_samples:
        lines += ["", "First errors:", *[f"- `{e}`" for e in r.error_samples]]
    return "\n".join(lines) + "\n"


async def main() -> int:
    args = parse_args()
    var_dir = tempfile.mkdtemp(prefix="mp-load-")
    env = configure(args, var_dir)
    data = await prepare(args, env)
    port = free_port()
    command = [str(ROOT / ".venv/bin/marketplace"), "serve", "--port", str(port)]
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before the load
        [*command, "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 300  # each worker builds its 100k-slot index first
        async with httpx.AsyncClient() as http:
            while True:
                try:
                    if (await http.get(f"{base}/health", timeout=5)).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                await asyncio.sleep(1)
        results = await run_load(args, base, data)
    finally:
        server.terminate()
        server.wait(timeout=60)
    check = await check_bookings(results.booked)
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(args, results, check, load)
    print(text)
    if args.write:
        with (ROOT / "bench" / "RESULTS_load.md").open("a") as out:
            out.write("\n" + text)
    ok = not results.errors and not check["lost"] and not check["doubled"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
