"""Evaluate the group ranker group by group: does each SSYK-4 group come first for its own words?

    .venv/bin/python bench/search_groups.py [--worst 25]

For every group, each distinct head word of its occupations' names and of its label (as
``name_parts`` splits them) is a query to ``GroupRanker.rank``. A hit is the group itself
ranked first (top-1) or among the first three (top-3). Words that head names in several groups
count for each of them, so 100 % is not reachable; the per-group figures show where the ranker
is systematically off (a group never found by its own words, or always beaten by one other).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.names import name_parts
from search.taxonomy_cache import concept_index, group_ranker
from search.text import fold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--worst", type=int, default=25, help="list this many worst groups")
    a = ap.parse_args()
    ci = concept_index()
    ranker = group_ranker()
    per_group: list[tuple[float, float, int, str, str, str]] = []
    total = top1 = top3 = 0
    for j, g in enumerate(ci.groups):
        words = {fold(w) for w in name_parts(g.label)[0]}
        for o in ci.group_occs[j]:
            for name in ci.occupations[o].names:
                words |= {fold(w) for w in name_parts(name)[0]}
        hits1 = hits3 = 0
        beaten: Counter[str] = Counter()
        for w in sorted(words):
            scores = ranker.rank([(w, 1.0, ())])
            order = [k for k, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]
            if order[:1] == [j]:
                hits1 += 1
            elif order:
                beaten[ci.groups[order[0]].ssyk] += 1
            hits3 += j in order[:3]
        n = len(words)
        total += n
        top1 += hits1
        top3 += hits3
        worst_rival = beaten.most_common(1)[0][0] if beaten else ""
        per_group.append((hits1 / n, hits3 / n, n, g.ssyk, g.label, worst_rival))
    print(f"words: {total}  top-1: {top1 / total:.3f}  top-3: {top3 / total:.3f}")
    groups_top1 = sum(1 for r in per_group if r[0] >= 0.5)
    print(f"groups first for at least half their words: {groups_top1} of {len(per_group)}")
    print("worst groups (top-1 share, top-3 share, words, ssyk, label, most frequent winner):")
    for s1, s3, n, ssyk, label, rival in sorted(per_group)[: a.worst]:
        print(f"  {s1:.2f} {s3:.2f} {n:3d} {ssyk} {label[:50]:50} beaten by {rival}")


if __name__ == "__main__":
    main()
