"""Time two checkouts of the search package on the same corpus in the same way (before/after).

    git archive 4bcc06a search | tar -x -C /tmp/before      # the "before" package
    .venv/bin/python bench/search_compare.py /tmp/before --corpus /tmp/srch/s100k.jsonl \
        --queries /tmp/srch/q100k.jsonl --queries /tmp/srch/nat100k.jsonl
    .venv/bin/python bench/search_compare.py . --corpus ...   # this tree

Run once per package (each in its own process, so that nothing is shared): the first
``SearchIndex()`` (one-time setup), ``--builds`` builds, then ``--runs`` warm passes over the
queries; prints wall-clock and per-thread CPU p50/p95 (median over runs) and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("package_root", help="directory that holds the search/ package to time")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries", action="append", required=True)
    ap.add_argument("--builds", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    root = str(Path(a.package_root).resolve())
    sys.path.insert(0, root)
    sys.path.insert(1, str(Path(__file__).resolve().parent))
    import search

    assert search.__file__ and search.__file__.startswith(root), search.__file__
    from search_quality import load_docs

    from search.index import SearchIndex
    from search.schemas import SearchQuery

    _, docs = load_docs(a.corpus)
    out: dict[str, object] = {"package": root, "load_start": os.getloadavg()}
    t = time.perf_counter()
    index = SearchIndex()
    out["setup_s"] = round(time.perf_counter() - t, 2)
    builds: list[float] = []
    for _ in range(a.builds):
        index = SearchIndex()
        t = time.perf_counter()
        index.build(docs)
        builds.append(round(time.perf_counter() - t, 2))
    out["builds_s"] = builds
    out["load_after_builds"] = os.getloadavg()
    qs = [
        json.loads(line)["q"]
        for p in a.queries
        for line in Path(p).read_text("utf-8").split("\n")
        if line
    ]
    for q in qs:
        index.search(SearchQuery(q=q, limit=10, open_only=False))
    runs: list[tuple[float, float, float, float]] = []
    for _ in range(a.runs):
        wall: list[float] = []
        cpu: list[float] = []
        for q in qs:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            index.search(SearchQuery(q=q, limit=10, open_only=False))
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        wall.sort()
        cpu.sort()
        n = len(wall)
        p95 = int(n * 0.95) - 1
        runs.append((wall[n // 2], wall[p95], cpu[n // 2], cpu[p95]))
    names = ("wall_p50_ms", "wall_p95_ms", "cpu_p50_ms", "cpu_p95_ms")
    for i, name in enumerate(names):
        out[name] = round(statistics.median(r[i] for r in runs), 3)
    out["load_end"] = os.getloadavg()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
