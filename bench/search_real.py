"""Search quality on the real-ad corpus, beside the FTS5 and pg_trgm baselines in the same run.

    .venv/bin/python bench/search_real.py [--corpus /work/shared/eval/real/corpus.jsonl] \
        [--dsn postgresql://postgres@127.0.0.1:5432/mp_h1] [--per-query] [--url http://...]

Builds a SearchIndex in process from the corpus (83 real Platsbanken ads among 3,000 generated
slots), or with ``--url`` asks a running service over HTTP, and scores the query sets of
``bench/real/`` (built by ``bench/real/build_sets.py``): everyday words and one-to-three-word
descriptions of a real ad's work, each in a tune part and a held-out part. For each set it
prints nDCG@10, MRR and recall@10 (the shared scorer's own functions) and "ad in top 10": the
share of queries whose real ad (the described ad; for everyday words, any ad the query is
about) is on the first page, with that ad's own reciprocal rank. The scorer's FTS5 baseline
and, given ``--dsn``, its pg_trgm baseline run on the same corpus and queries.

``--per-query`` lists each *tune* query's figures; held-out sets and the unseen fresh check
sets (`UNSEEN`: everyday-fresh8, -fresh9 and -fresh10) are only ever reported in aggregate,
so that they stay unseen while tuning. The other fresh sets were unseen while they were the
newest check and were opened for diagnosis once a newer one had been written (fresh and
fresh2 after fresh3; fresh6 once measured; fresh3 and fresh4 on 2026-12-07, when fresh9 was
written; fresh5 and fresh7 when fresh10 was). ``--by-kind`` adds each set's nDCG@10 per kind of query (an aggregate, also for them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_quality import index_engine, load_docs, load_scorer  # noqa: E402

from search.index import SearchIndex  # noqa: E402

SETS = (
    "everyday-tune",
    "everyday-holdout",
    "describe-tune",
    "describe-holdout",
    "everyday-fresh",
    "everyday-fresh2",
    "everyday-fresh3",
    "everyday-fresh4",
    "everyday-fresh5",
    "everyday-fresh6",
    "everyday-fresh7",
    "everyday-fresh8",
    "everyday-fresh9",
    "everyday-fresh10",
)
UNSEEN = (
    "holdout",
    "fresh8",
    "fresh9",
    "fresh10",
)  # sets never listed per query
REAL = ROOT / "bench" / "real"
K = 10


def ads_of(item: dict[str, Any]) -> list[str]:
    """The real ads a query is about: the described ad, or an everyday query's graded ads."""
    if item["kind"] == "describe":
        return [item["target"]]
    return [e for e, g in item["relevant"].items() if g == 2 and e.startswith("real-")]


def measure(
    scorer: Any, engine: Callable[[str], list[str]], queries: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[tuple[str, float, float, int | None, str]]]:
    rows: list[tuple[float, float, float, float | None, float | None]] = []
    per: list[tuple[str, float, float, int | None, str]] = []
    lat: list[float] = []
    for item in queries:
        t0 = time.perf_counter()
        ranked = engine(item["q"])
        lat.append((time.perf_counter() - t0) * 1000)
        rel = item["relevant"]
        nd, mrr = scorer.ndcg(ranked, rel), scorer.mrr(ranked, rel)
        ads = ads_of(item)
        rank = next((i + 1 for i, e in enumerate(ranked[:K]) if e in ads), None)
        in10 = (1.0 if rank else 0.0) if ads else None
        ad_rr = (1.0 / rank if rank else 0.0) if ads else None
        rows.append((nd, mrr, scorer.recall(ranked, rel), in10, ad_rr))
        per.append((item["q"], nd, mrr, rank, item["kind"]))
    with_ads = [r for r in rows if r[3] is not None]
    lat.sort()
    report = {
        "n": len(rows),
        "ndcg@10": round(statistics.fmean(r[0] for r in rows), 4),
        "mrr": round(statistics.fmean(r[1] for r in rows), 4),
        "recall@10": round(statistics.fmean(r[2] for r in rows), 4),
        "ad_in_top10": round(statistics.fmean(r[3] or 0.0 for r in with_ads), 4)
        if with_ads
        else None,
        "ad_mrr": round(statistics.fmean(r[4] or 0.0 for r in with_ads), 4) if with_ads else None,
        "n_with_ad": len(with_ads),
        "p50_ms": round(lat[len(lat) // 2], 3),
        "p95_ms": round(lat[max(0, int(len(lat) * 0.95) - 1)], 3),
    }
    return report, per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", default="/work/shared/eval/real/corpus.jsonl")
    ap.add_argument("--dsn", help="PostgreSQL for the pg_trgm baseline (it creates a table)")
    ap.add_argument("--url", help="score a running service over HTTP instead of in process")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--per-query", action="store_true", help="tune sets only")
    ap.add_argument("--by-kind", action="store_true", help="nDCG@10 per kind of query")
    ap.add_argument("--sets", nargs="+", default=list(SETS))
    ap.add_argument("--out", help="write the JSON report here too")
    a = ap.parse_args()
    scorer = load_scorer()
    queries = {
        name: [
            json.loads(line) for line in (REAL / f"{name}.jsonl").read_text("utf-8").splitlines()
        ]
        for name in a.sets
    }
    engines: dict[str, Callable[[str], list[str]]] = {}
    build_s = None
    if a.url:
        engines["service"] = scorer.http_engine(a.url)
    else:
        _, docs = load_docs(a.corpus)
        t0 = time.perf_counter()
        index = SearchIndex()
        index.build(docs)
        build_s = round(time.perf_counter() - t0, 2)
        engines["service"] = index_engine(index, docs)
    if not a.no_baselines:
        corpus = scorer.load_corpus(a.corpus)
        engines["fts5"] = scorer.fts5_engine(corpus)
        if a.dsn:
            engines["pg_trgm"] = scorer.pg_trgm_engine(corpus, a.dsn)
    report: dict[str, Any] = {"build_s": build_s, "sets": {}}
    for ename, engine in engines.items():
        engine("warm up")
        for sname, qs in queries.items():
            rep, per = measure(scorer, engine, qs)
            report["sets"].setdefault(sname, {})[ename] = rep
            if a.per_query and ename == "service" and not sname.endswith(UNSEEN):
                for q, nd, mrr, rank, _ in per:
                    print(f"  {sname:16} {nd:.3f} mrr={mrr:.2f} ad@{rank or '-':>2} {q}")
            if a.by_kind:
                kinds: dict[str, list[float]] = {}
                for _, nd, _, _, kind in per:
                    kinds.setdefault(kind, []).append(nd)
                rep["by_kind"] = {
                    k: round(statistics.fmean(v), 3) for k, v in sorted(kinds.items())
                }
                print(
                    f"  {sname} {ename} by kind: "
                    + ", ".join(f"{k} {v:.3f} ({len(kinds[k])})" for k, v in rep["by_kind"].items())
                )
    header = f"{'set':18}{'engine':9}{'n':>4}{'nDCG@10':>9}{'MRR':>7}{'rec@10':>8}{'ad@10':>7}{'adMRR':>7}{'p95ms':>8}"
    print(header)
    for sname, per_engine in report["sets"].items():
        for ename, r in per_engine.items():
            ad = f"{r['ad_in_top10']:.3f}" if r["ad_in_top10"] is not None else "-"
            adm = f"{r['ad_mrr']:.3f}" if r["ad_mrr"] is not None else "-"
            print(
                f"{sname:18}{ename:9}{r['n']:>4}{r['ndcg@10']:>9.4f}{r['mrr']:>7.3f}"
                f"{r['recall@10']:>8.3f}{ad:>7}{adm:>7}{r['p95_ms']:>8.2f}"
            )
    if build_s is not None:
        print(f"index build {build_s} s")
    if a.out:
        Path(a.out).write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
