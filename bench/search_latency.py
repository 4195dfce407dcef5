"""Measure the search index at scale: build time, RSS, per-query latency, beside FTS5.

    python3 /work/shared/eval/slotgen.py corpus --n 100000 --seed 3 > /tmp/slots-100k.jsonl
    python3 /work/shared/eval/slotgen.py queries --corpus /tmp/slots-100k.jsonl --n 300 \
        --seed 7 > /tmp/q-100k.jsonl
    .venv/bin/python bench/search_latency.py --corpus /tmp/slots-100k.jsonl \
        --queries /tmp/q-100k.jsonl --queries /work/shared/eval/dev/natural.jsonl --runs 5

Latency is measured inside the index (``SearchIndex.search``, limit 10), over every query,
``--runs`` times; each percentile reported is the median over the runs (warm: the per-word
expansion caches are filled, as in a running service). A single cold pass on the fresh index
is reported too. The FTS5 baseline
(the shared scorer's engine) runs on the same corpus and queries in the same process run.
Build time is the median of ``--builds`` full builds. RSS is read from /proc after the build.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_quality import evaluate, load_docs, load_scorer  # noqa: E402

from search.index import SearchIndex  # noqa: E402
from search.schemas import SearchQuery  # noqa: E402


def rss_mb() -> float:
    """Return this process's resident set size in MB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(lat: list[float]) -> dict[str, float]:
    lat = sorted(lat)
    return {
        "p50": lat[len(lat) // 2],
        "p95": lat[int(len(lat) * 0.95) - 1],
        "max": lat[-1],
    }


def time_engine(
    engine: Callable[[str], object], qs: list[str], runs: int, cpu: bool = False
) -> dict[str, float]:
    """Run every query ``runs`` times; return the median over runs of p50, p95 and max (ms).

    With ``cpu``, also the same percentiles of the CPU time the query took on this thread
    (``cpu_p50`` ...): on a loaded machine the wall-clock tail is mostly time spent waiting
    for a core, which the CPU time leaves out.
    """
    for q in qs[:20]:
        engine(q)  # warm caches the way a running service has them
    per_run: list[dict[str, float]] = []
    for _ in range(runs):
        lat: list[float] = []
        cpu_lat: list[float] = []
        for q in qs:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            engine(q)
            lat.append((time.perf_counter() - t0) * 1000)
            cpu_lat.append((time.thread_time() - c0) * 1000)
        row = percentiles(lat)
        if cpu:
            row.update({f"cpu_{k}": v for k, v in percentiles(cpu_lat).items()})
        per_run.append(row)
    return {k: round(statistics.median(r[k] for r in per_run), 3) for k in per_run[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries", action="append", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--builds", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true")
    a = ap.parse_args()
    rows, docs = load_docs(a.corpus)
    queries = [
        json.loads(line) for p in a.queries for line in Path(p).read_text("utf-8").splitlines()
    ]
    qs = [item["q"] for item in queries]
    gc.collect()
    rss_before = rss_mb()
    builds: list[float] = []
    load_before_build = os.getloadavg()
    t0 = time.perf_counter()
    index = SearchIndex()  # the one-time setup (taxonomy, concepts, group ranker)
    setup_s = time.perf_counter() - t0
    for _ in range(a.builds):
        index = SearchIndex()
        gc.collect()
        t0 = time.perf_counter()
        index.build(docs)
        builds.append(time.perf_counter() - t0)
    gc.collect()
    rss_after = rss_mb()
    out: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "corpus": a.corpus,
        "docs": len(docs),
        "queries": len(qs),
        "load_before_build": load_before_build,
        "load_after_build": os.getloadavg(),
        "setup_s_first_index": round(setup_s, 2),
        "build_s_median": round(statistics.median(builds), 2),
        "build_s_all": [round(b, 2) for b in builds],
        "rss_mb_process": round(rss_after, 1),
        "rss_mb_before_build": round(rss_before, 1),
        "vocabulary": index.vocabulary_size(),
    }

    def ours(q: str) -> object:
        return index.search(SearchQuery(q=q, limit=10, open_only=False))

    # Cold: one pass on the fresh index, before any query has filled the expansion caches.
    cold: list[float] = []
    for q in qs:
        t0 = time.perf_counter()
        ours(q)
        cold.append((time.perf_counter() - t0) * 1000)
    out["index_latency_cold_ms"] = {k: round(v, 3) for k, v in percentiles(cold).items()}
    out["load_before_queries"] = os.getloadavg()
    out["index_latency_ms"] = time_engine(ours, qs, a.runs, cpu=True)
    out["load_after_queries"] = os.getloadavg()
    scorer = load_scorer()
    out["index_quality"] = {
        k: v for k, v in evaluate(scorer, lambda q: _ids(index, docs, q), queries).items()
    }
    if not a.no_baseline:
        t0 = time.perf_counter()
        fts = scorer.fts5_engine(rows)
        out["fts5_build_s"] = round(time.perf_counter() - t0, 2)
        out["fts5_latency_ms"] = time_engine(fts, qs, a.runs)
        out["fts5_quality"] = evaluate(scorer, fts, queries)
        out["latency_ratio_fts5_over_index"] = {
            k: round(out["fts5_latency_ms"][k] / max(out["index_latency_ms"][k], 1e-9), 2)
            for k in ("p50", "p95")
        }
    print(json.dumps(out, indent=1, ensure_ascii=False))


def _ids(index: SearchIndex, docs: list[Any], q: str) -> list[str]:
    res = index.search(SearchQuery(q=q, limit=10, open_only=False))
    return [docs[h.slot_id - 1].external_id for h in res.hits]


if __name__ == "__main__":
    main()
