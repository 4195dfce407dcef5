"""Score the index on several corpus/query sets at once, compactly (for tuning and reports).

    .venv/bin/python bench/search_sets.py \
        --set dev /work/shared/eval/dev/corpus.jsonl /work/shared/eval/dev/queries.jsonl \
            /work/shared/eval/dev/natural.jsonl \
        --set s11 /tmp/srch/c11.jsonl /tmp/srch/q11.jsonl /tmp/srch/n11.jsonl

Each ``--set NAME CORPUS QUERIES...`` builds one index and prints nDCG@10 per query kind,
recall@10 overall, and with ``--per-query`` the nDCG of every natural query.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_quality import evaluate, index_engine, load_docs, load_scorer  # noqa: E402

from search.index import SearchIndex  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--set", nargs="+", action="append", required=True)
    ap.add_argument("--per-query", action="store_true")
    a = ap.parse_args()
    scorer = load_scorer()
    for name, corpus, *qpaths in a.set:
        _, docs = load_docs(corpus)
        index = SearchIndex()
        index.build(docs)
        engine = index_engine(index, docs)
        queries = [
            json.loads(line) for p in qpaths for line in Path(p).read_text("utf-8").splitlines()
        ]
        rep = evaluate(scorer, engine, queries)
        kinds = " ".join(
            f"{k}={v['ndcg@10']:.3f}" for k, v in rep.items() if k not in ("all", "latency_ms")
        )
        print(f"{name}: all={rep['all']['ndcg@10']:.4f} rec={rep['all']['recall@10']:.4f} {kinds}")
        if a.per_query:
            for item in queries:
                if item["kind"] == "natural":
                    s = scorer.ndcg(engine(item["q"]), item["relevant"])
                    print(f"   {s:.3f} {item['q']} [{item['target']}]")


if __name__ == "__main__":
    main()
