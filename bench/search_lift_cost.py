"""What the learned lift costs a search: the index's page (limit 10) against the lifted page.

    python3 /work/shared/eval/slotgen.py corpus --n 100000 --seed 3 > /tmp/slots-100k.jsonl
    python3 /work/shared/eval/slotgen.py queries --corpus /tmp/slots-100k.jsonl --n 300 \
        --seed 7 > /tmp/q-100k.jsonl
    .venv/bin/python bench/search_lift_cost.py --corpus /tmp/slots-100k.jsonl \
        --queries /tmp/q-100k.jsonl --runs 5

Every query is given a learned pair (the worst case: in service only words with enough
evidence have one, and all other searches pay a dictionary lookup). The pair lifts the group
of the query's 11th hit (just below the first page), so the lift has work to do. Each percentile is the median over
``--runs`` warm runs, in the index (no HTTP, no database), one process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_quality import load_docs  # noqa: E402

from search import lift, usage  # noqa: E402
from search.index import SearchIndex  # noqa: E402
from search.schemas import SearchQuery  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * p) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pool", type=int, default=lift.POOL, help="hits the lift re-sorts")
    args = parser.parse_args()
    lift.POOL = args.pool

    import json

    _, docs = load_docs(args.corpus)
    index = SearchIndex()
    index.build(docs)
    by_id = {d.id: d for d in docs}
    with open(args.queries, encoding="utf-8") as f:
        queries = [json.loads(line)["q"] for line in f]

    pairs: dict[str, lift.LearnedPair] = {}
    for q in queries:
        hits = index.search(SearchQuery(q=q, limit=11, open_only=False)).hits
        if len(hits) < 11:
            continue
        group_id = lift.group_of(by_id[hits[-1].slot_id].occupation_id)
        pairs[q] = lift.LearnedPair(
            words=usage.query_key(q), group_id=group_id, proposals=5, searchers=3, share=1.0
        )

    plain: dict[str, list[float]] = {"p50": [], "p95": []}
    lifted: dict[str, list[float]] = {"p50": [], "p95": []}
    moved = 0
    for run in range(args.runs):
        t_plain: list[float] = []
        t_lifted: list[float] = []
        for q, pair in pairs.items():
            query = SearchQuery(q=q, limit=10, open_only=False)
            t0 = time.perf_counter()
            base = index.search(query)
            t_plain.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            up = lift.lifted(index.search, query, by_id, pair)
            t_lifted.append((time.perf_counter() - t0) * 1000)
            if run == 0 and [h.slot_id for h in base.hits] != [h.slot_id for h in up.hits]:
                moved += 1
        for out, times in ((plain, t_plain), (lifted, t_lifted)):
            out["p50"].append(percentile(times, 0.5))
            out["p95"].append(percentile(times, 0.95))

    print(
        f"slots {len(docs)}, queries with a pair {len(pairs)}, runs {args.runs}, pool {lift.POOL}"
    )
    print(f"pages the lift changed: {moved} of {len(pairs)}")
    for name, out in (("index page", plain), ("lifted page", lifted)):
        p50, p95 = statistics.median(out["p50"]), statistics.median(out["p95"])
        print(f"{name:12s} p50 {p50:.2f} ms  p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
