"""Cost of building one query's SQL with Piccolo's own foreign-key lookup and with the kernel's
faster one (`marketplace.kernel.orm_speedups`), alternating, in CPU time per query.

    PYTHONPATH=. .venv/bin/python bench/orm_query_build.py [--rounds 5] [--queries 2000]

The query is a select of bookings with two joins (slot title, the slot's host's name) and a
filter on a foreign key: the kind the booking pages run on every request. Nothing is sent to
a database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from piccolo.columns.column_types import ForeignKey

import marketplace  # noqa: F401  (settings and engine first)
from marketplace.kernel import orm_speedups
from placements.tables import Booking


def build() -> str:
    query = Booking.select(
        Booking.id,
        Booking.status,
        Booking.slot.title,
        Booking.slot.host.name,
        Booking.candidate,
    ).where((Booking.slot == 3) & (Booking.status == "proposed"))
    return str(query)


def per_query_us(n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        build()
    return (time.process_time() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    runs: dict[str, list[float]] = {"piccolo": [], "kernel": []}
    assert build()  # warm
    for _ in range(args.rounds):
        ForeignKey.__getattribute__ = orm_speedups.piccolo_getattribute  # type: ignore[method-assign]
        runs["piccolo"].append(per_query_us(args.queries))
        orm_speedups.install()
        runs["kernel"].append(per_query_us(args.queries))
    for name, values in runs.items():
        print(
            f"{name:8} median {statistics.median(values):6.0f} µs per query build "
            f"(runs: {', '.join(f'{v:.0f}' for v in values)})"
        )
    ratio = statistics.median(runs["kernel"]) / statistics.median(runs["piccolo"])
    print(f"ratio kernel / piccolo: {ratio:.2f}")


if __name__ == "__main__":
    main()
