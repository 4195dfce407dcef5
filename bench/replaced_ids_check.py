"""Check the replaced-id rule on the real ads that were dropped for an outdated occupation id.

Each ad of `dropped.jsonl` is looked up in `real_ads.jsonl` and made into a slot-exchange row
(headline as title, the ad's occupation id, its municipality as town); the rows are read and
checked by the importer's own parser (`placements.exchange`, no database), which prints the
import report's notice or error per row. The ad text stays in the eval files; nothing of it is
copied here.

    .venv/bin/python bench/replaced_ids_check.py [--ads ...real_ads.jsonl] [--dropped ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marketplace.reference.taxonomy import occupation  # noqa: E402
from marketplace.reference.taxonomy_changes import resolve_occupation, taxonomy_version  # noqa: E402
from placements.exchange.upsert import _parse  # noqa: E402

REAL = Path("/work/shared/eval/real")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ads", type=Path, default=REAL / "real_ads.jsonl")
    ap.add_argument("--dropped", type=Path, default=REAL / "dropped.jsonl")
    args = ap.parse_args()
    ads = {str(a["ad_id"]): a for a in _jsonl(args.ads)}
    rows = []
    kinds: Counter[str] = Counter()
    for d in _jsonl(args.dropped):
        ad = ads.get(str(d["ad_id"]))
        if ad is None or occupation(ad["occupation_id"]) is not None:
            continue  # dropped for another reason (no town, a test fixture)
        kinds[resolve_occupation(ad["occupation_id"], ad["headline"]).status] += 1
        rows.append(
            {
                "external_id": f"ad-{ad['ad_id']}",
                "host": {"name": ad.get("employer") or "Arbetsgivare", "kind": "company"},
                "kind": "praktik",
                "title": " ".join(ad["headline"].split())[:200] or "Plats",
                "occupation_id": ad["occupation_id"],
                "town": ad.get("municipality") or "Vårgårda",
                "capacity": 1,
            }
        )
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    parsed = _parse(data, "jsonl", "check", "sv")
    v = taxonomy_version()
    print(f"{v.name} version {v.version} ({v.published}); {v.replaced_ids} outdated ids known")
    print(f"ads with an outdated occupation id: {len(rows)}; by the rule: {dict(kinds)}")
    print(f"rows accepted: {len(parsed.records)}, refused: {parsed.bad_lines}")
    for n in parsed.notices:
        print(f"  rad {n.line}: {n.text}")
    for e in parsed.errors:
        print(f"  rad {e.line}, fält {e.field}: {e.reason}")


if __name__ == "__main__":
    main()
