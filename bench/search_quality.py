"""Measure search quality with the shared scorer's own metrics, beside the FTS5 baseline.

In process (default): builds a SearchIndex from a slot-exchange corpus, runs the labelled
queries, and prints nDCG@10, recall@10 and MRR per query kind for our index and for the
scorer's FTS5 baseline on the same corpus, in the same run:

    .venv/bin/python bench/search_quality.py --corpus /work/shared/eval/dev/corpus.jsonl \
        --queries /work/shared/eval/dev/queries.jsonl --queries /work/shared/eval/dev/natural.jsonl

As an HTTP adapter for ``score_search.py --url`` (serves GET /api/v1/slots/search?q=&limit=):

    .venv/bin/python bench/search_quality.py --corpus ... --serve 8765
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.index import SearchIndex, doc_from_exchange  # noqa: E402
from search.schemas import SearchQuery, SlotDoc  # noqa: E402

SCORER = Path("/work/shared/eval/score_search.py")
K = 10


def load_scorer(path: Path = SCORER) -> ModuleType:
    """Import the shared scorer from its path, to reuse its metric functions."""
    spec = importlib.util.spec_from_file_location("score_search", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_docs(path: str) -> tuple[list[dict[str, Any]], list[SlotDoc]]:
    """Read a slot-exchange corpus; slot ids are line numbers starting at 1."""
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return rows, [doc_from_exchange(r, i + 1) for i, r in enumerate(rows)]


def index_engine(index: SearchIndex, docs: list[SlotDoc]) -> Callable[[str], list[str]]:
    by_id = {d.id: d.external_id for d in docs}

    def run(q: str) -> list[str]:
        res = index.search(SearchQuery(q=q, limit=K, open_only=False))
        return [by_id[h.slot_id] for h in res.hits]

    return run


def evaluate(
    scorer: ModuleType, engine: Callable[[str], list[str]], queries: list[dict[str, Any]]
) -> dict[str, Any]:
    """Return per-kind mean nDCG@10, recall@10 and MRR, and latency percentiles (ms)."""
    engine(queries[0]["q"])
    per_kind: dict[str, list[tuple[float, float, float]]] = {}
    lat: list[float] = []
    for item in queries:
        t0 = time.perf_counter()
        ranked = engine(item["q"])
        lat.append((time.perf_counter() - t0) * 1000)
        rel = item["relevant"]
        m = (scorer.ndcg(ranked, rel), scorer.recall(ranked, rel), scorer.mrr(ranked, rel))
        for kind in (item["kind"], "all"):
            per_kind.setdefault(kind, []).append(m)
    report: dict[str, Any] = {
        kind: {
            "n": len(ms),
            "ndcg@10": round(statistics.fmean(m[0] for m in ms), 4),
            "recall@10": round(statistics.fmean(m[1] for m in ms), 4),
            "mrr": round(statistics.fmean(m[2] for m in ms), 4),
        }
        for kind, ms in sorted(per_kind.items())
    }
    lat.sort()
    report["latency_ms"] = {
        "p50": round(lat[len(lat) // 2], 3),
        "p95": round(lat[int(len(lat) * 0.95) - 1], 3),
        "max": round(lat[-1], 3),
    }
    return report


def serve(index: SearchIndex, docs: list[SlotDoc], port: int) -> None:
    """Serve GET /api/v1/slots/search?q=&limit= from the in-process index."""
    by_id = {d.id: d for d in docs}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urllib.parse.urlparse(self.path)
            if url.path != "/api/v1/slots/search":
                self.send_error(404)
                return
            params = urllib.parse.parse_qs(url.query)
            q = params.get("q", [""])[0]
            limit = int(params.get("limit", ["20"])[0])
            res = index.search(SearchQuery(q=q, limit=limit, open_only=False))
            body = json.dumps(
                {
                    "total": res.total,
                    "results": [
                        {
                            "external_id": by_id[h.slot_id].external_id,
                            "title": by_id[h.slot_id].title,
                            "score": h.score,
                        }
                        for h in res.hits
                    ],
                },
                ensure_ascii=False,
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries", action="append", default=[])
    ap.add_argument("--serve", type=int, help="serve HTTP on this port instead")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--show-bad", type=float, default=None, help="print queries below this nDCG")
    a = ap.parse_args()
    rows, docs = load_docs(a.corpus)
    t0 = time.perf_counter()
    index = SearchIndex()
    index.build(docs)
    build_s = time.perf_counter() - t0
    if a.serve:
        serve(index, docs, a.serve)
        return
    scorer = load_scorer()
    queries = [
        json.loads(line) for p in a.queries for line in Path(p).read_text("utf-8").splitlines()
    ]
    engine = index_engine(index, docs)
    out: dict[str, Any] = {"corpus": a.corpus, "docs": len(docs), "build_s": round(build_s, 2)}
    out["index"] = evaluate(scorer, engine, queries)
    if not a.no_baseline:
        out["fts5"] = evaluate(scorer, scorer.fts5_engine(rows), queries)
    if a.show_bad is not None:
        for item in queries:
            ranked = engine(item["q"])
            score = scorer.ndcg(ranked, item["relevant"])
            if score < a.show_bad:
                print(f"{score:.3f} {item['kind']:12} {item['q']!r} target={item['target']}")
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
