"""Import benchmark: slots per second for `marketplace import-slots` on SQLite or PostgreSQL.

    python3 /work/shared/eval/slotgen.py corpus --n 100000 --seed 3 > /tmp/slots-100k.jsonl
    .venv/bin/python bench/import_slots.py /tmp/slots-100k.jsonl \
        --database-url sqlite:////tmp/bench-import.sqlite3 --runs 3
    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE mp_bench_import'
    .venv/bin/python bench/import_slots.py /tmp/slots-100k.jsonl \
        --database-url postgresql://postgres@127.0.0.1:5432/mp_bench_import --runs 3

Each run starts from empty slot and host tables and times `placements.exchange.import_slots`
(parse, check, match hosts, write in one transaction), skipping bad rows: the generator makes
a few titles shorter than the format's minimum of 3 characters (e.g. "CD"), which are
reported and left out. Rows per second count every row of the file. A second timing re-imports the same
file into the filled tables (every row unchanged). Use a database of its own: it is emptied.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="slots in the exchange format (.jsonl or .csv)")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args()


async def empty_tables() -> None:
    from marketplace.kernel.settings import get_settings
    from placements.tables import Slot

    names = ["pl_booking_event", "pl_booking", "pl_slot", "emp_contact", "emp_host"]
    if get_settings().is_sqlite:
        for name in names:
            await Slot.raw(f'DELETE FROM "{name}"')
    else:
        await Slot.raw(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")


async def main(args: argparse.Namespace) -> None:
    from marketplace.kernel.migrate import apply_migrations
    from placements.exchange import guess_format, import_slots
    from placements.tables import Slot

    await apply_migrations()
    data = args.file.read_bytes()
    fmt = guess_format(args.file.name)
    fresh: list[float] = []
    again: list[float] = []
    cpu: list[float] = []
    for run in range(1, args.runs + 1):
        await empty_tables()
        start, start_cpu = time.perf_counter(), time.process_time()
        report = await import_slots(data, fmt, skip_bad_rows=True)
        fresh.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert report.written, report.errors[:3]
        start = time.perf_counter()
        second = await import_slots(data, fmt, skip_bad_rows=True)
        again.append(time.perf_counter() - start)
        assert second.unchanged == report.created
        print(
            f"run {run}: {report.rows} rows ({report.skipped} bad, skipped: "
            f"{sorted({e.reason for e in report.errors})}), {report.hosts_created} hosts; "
            f"empty tables {fresh[-1]:.2f} s ({report.rows / fresh[-1]:,.0f} rows/s; "
            f"this process's CPU {cpu[-1]:.2f} s), "
            f"re-import unchanged {again[-1]:.2f} s ({report.rows / again[-1]:,.0f} rows/s)",
            flush=True,
        )
    load = os.getloadavg()
    rows = len([line for line in data.splitlines() if line.strip()])
    engine = Slot._meta.db.engine_type
    print(
        f"{engine}: median of {args.runs} runs, {rows} rows, {await Slot.count()} slots: "
        f"import {rows / statistics.median(fresh):,.0f} rows/s "
        f"({statistics.median(fresh):.2f} s; process CPU {statistics.median(cpu):.2f} s), "
        f"unchanged re-import {rows / statistics.median(again):,.0f} rows/s "
        f"({statistics.median(again):.2f} s); load average {load[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )


if __name__ == "__main__":
    arguments = parse_args()
    os.environ["DATABASE_URL"] = arguments.database_url
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-import-"))
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    os.environ["PICCOLO_CONF"] = "marketplace.piccolo_conf"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    asyncio.run(main(arguments))
