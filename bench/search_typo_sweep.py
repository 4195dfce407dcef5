"""Sweep the property test's claim over the whole taxonomy instead of 60 random examples.

One slot per taxonomy occupation (as in tests/search/test_search_property.py); each is searched
by its own title and by its title with a random typo in its longest word, twice (seeded):

    .venv/bin/python bench/search_typo_sweep.py --seed 5

Prints how many typo queries were tried and which ones missed the top 3.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.search.test_search_property import (  # noqa: E402
    OCCS,
    taxonomy_index,
    top3,
    with_typo,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--per-title", type=int, default=2)
    a = ap.parse_args()
    idx = taxonomy_index()
    rng = random.Random(a.seed)
    misses: list[tuple[str, str]] = []
    tried = 0
    for i, occ in enumerate(OCCS):
        title = occ.names[i % len(occ.names)]
        if i not in top3(title):
            misses.append((title, title))
        for _ in range(a.per_title):
            typo = with_typo(title, rng.randint(0, 40), rng.choice("abdefgiklmnoprstuvyåäö"))
            if typo is None:
                continue
            if not all(w in title.casefold() or w not in idx._lex for w in typo.split()):
                continue  # the "typo" spells another known word
            tried += 1
            if i not in top3(typo):
                misses.append((title, typo))
    print(f"{tried} typo queries, {len(misses)} missed the top 3: {misses}")


if __name__ == "__main__":
    main()
