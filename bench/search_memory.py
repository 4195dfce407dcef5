"""Resident memory of one worker's search index at scale, the way a worker builds it.

    python3 /work/shared/eval/slotgen.py corpus --n 100000 --seed 3 > /tmp/slots-100k.jsonl
    .venv/bin/python bench/search_memory.py --corpus /tmp/slots-100k.jsonl --runs 3

Each run is a fresh process that builds a :class:`SearchIndex` from the corpus and reads its
RSS from /proc:

- ``stream``: the documents are read one at a time while the index is built and then
  dropped, as ``SlotSearch.rebuild`` feeds the build batch by batch from the database; after
  the build, freed memory is handed back (``malloc_trim``) as the worker does;
- ``list``: every row and document is held in a list first (the in-process benches do this:
  ``bench/search_latency.py`` keeps the corpus for its quality check).

The worker's own RSS over HTTP (the app, the taxonomy, the index) is measured by
``bench/search_http.py``; this script isolates the index and says what the loading pattern
costs. Medians over ``--runs`` are printed with every run.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def one_run(corpus: str, mode: str) -> dict[str, float]:
    from search.index import SearchIndex, doc_from_exchange
    from search.schemas import SlotDoc

    index = SearchIndex()  # the one-time setup: taxonomy, concepts, group ranker
    setup = rss_mb()
    with open(corpus, encoding="utf-8") as f:
        if mode == "list":
            rows = [json.loads(line) for line in f]
            docs: list[SlotDoc] | Iterator[SlotDoc] = [
                doc_from_exchange(r, i + 1) for i, r in enumerate(rows)
            ]
            del rows
        else:
            docs = (doc_from_exchange(json.loads(line), i + 1) for i, line in enumerate(f))
        t0 = time.perf_counter()
        index.build(docs)
        build_s = time.perf_counter() - t0
    del docs
    gc.collect()
    built = rss_mb()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return {
        "setup_mb": round(setup, 1),
        "built_mb": round(built, 1),
        "trimmed_mb": round(rss_mb(), 1),
        "build_s": round(build_s, 2),
        "slots": float(len(index)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--modes", nargs="+", default=["stream", "list"])
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: a single run in this process
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one_run(a.corpus, a.one)))
        return
    out: dict[str, object] = {"corpus": a.corpus, "cpus": os.cpu_count()}
    for mode in a.modes:
        runs = []
        for _ in range(a.runs):
            proc = subprocess.run(
                [sys.executable, __file__, "--corpus", a.corpus, "--one", mode],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(proc.stdout))
        out[mode] = {
            "median": {k: statistics.median(r[k] for r in runs) for k in runs[0]},
            "runs": runs,
            "load_after": os.getloadavg(),
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
