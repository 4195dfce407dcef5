"""Which slow tests reach branches no other test reaches: could they run untraced?

Coverage tracing costs the CI's engine passes about a fifth of the run's CPU (RESULTS.md, CI
time, fifth step). A test that only repeats arcs the other tests trace could run untraced
without lowering the figure. This lists the slowest tests with the number of arcs (branch
coverage's unit) that they alone reach. Make the input with one pass recording a context per
test and every test's duration:

    DATABASE_URL=sqlite:////tmp/ctx.sqlite3 COVERAGE_FILE=/tmp/.coverage.ctx \\
        .venv/bin/python -m pytest -q -p no:cacheprovider --cov --cov-context=test \\
        --cov-report= --durations=0 > /tmp/ctx.log
    python3 bench/coverage_exclusive.py /tmp/.coverage.ctx /tmp/ctx.log [--top 40]
"""

from __future__ import annotations

import argparse
import collections
import re
import sqlite3
from pathlib import Path

DURATION = re.compile(r"\s*([\d.]+)s (?:call|setup|teardown)\s+(\S+)")


def durations(log: Path) -> dict[str, float]:
    """Seconds per test (setup, call and teardown added up) from pytest's --durations."""
    out: dict[str, float] = collections.defaultdict(float)
    for line in log.read_text("utf-8", errors="replace").splitlines():
        match = DURATION.match(line)
        if match:
            out[match.group(2)] += float(match.group(1))
    return out


def exclusive_arcs(data: Path) -> collections.Counter[str]:
    """Per test, the arcs no other test reaches (coverage's SQLite data file, read directly:
    its API gives arcs per context one query at a time)."""
    db = sqlite3.connect(data)
    test_of = {
        cid: name.split("|")[0] for cid, name in db.execute("SELECT id, context FROM context")
    }
    reached: dict[tuple[int, int, int], set[str]] = collections.defaultdict(set)
    for file_id, context_id, start, end in db.execute(
        "SELECT file_id, context_id, fromno, tono FROM arc"
    ):
        reached[(file_id, start, end)].add(test_of[context_id])
    alone: collections.Counter[str] = collections.Counter()
    for tests in reached.values():
        if len(tests) == 1:
            alone[next(iter(tests))] += 1
    return alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path, help="coverage data file with a context per test")
    parser.add_argument("log", type=Path, help="pytest output with --durations=0")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    seconds = durations(args.log)
    alone = exclusive_arcs(args.data)
    for test, took in sorted(seconds.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{took:7.2f} s  arcs only it reaches {alone.get(test, 0):4d}  {test}")


if __name__ == "__main__":
    main()
