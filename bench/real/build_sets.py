#!/usr/bin/env python3
"""Build the real-corpus query sets (scorer JSONL) from the hand-written specs beside this file.

    python3 bench/real/build_sets.py [--corpus /work/shared/eval/real/corpus.jsonl]

Writes, beside this file:
- everyday-tune.jsonl, everyday-holdout.jsonl: everyday words (everyday.json); a query's
  relevant slots are those of its primary SSYK-4 groups (2), its secondary groups (1) and the
  real ads it is about (2), as `slotgen.py natural` grades natural queries;
- describe-tune.jsonl, describe-holdout.jsonl: one-to-three-word descriptions of one real ad's
  work (describe.json); relevant: the ad itself (2), slots of the same occupation (2), of the
  same SSYK-4 group (1).

- everyday-fresh.jsonl: a fresh check set of everyday words (fresh.json, ninth pass), graded
  like everyday.json, not split: it is never tuned on, only read in aggregate and by kind.
- everyday-fresh2.jsonl: a second fresh check set (fresh2.json, tenth pass), the same way.
- everyday-fresh3.jsonl: a third, written blind on 2026-12-05 (fresh3.json, eighteenth pass),
  the same way; the first two were then opened for tuning (see bench/search_real.py).
- everyday-fresh4.jsonl: a fourth (fresh4.json), written on 2026-12-06 after that session's
  everyday-table additions, by their author, before any of its results was seen.
- everyday-fresh5.jsonl: a fifth (fresh5.json), written blind on 2026-12-06 in the shared
  natural spec's style (entry-level everyday work, SSYK-4 groups only, no real ad named).
- everyday-fresh6.jsonl: a sixth (fresh6.json), the same style, written on 2026-12-06 by a
  helper session that saw neither the search's code nor its word lists (only the groups and
  their slot counts): independent of the everyday tables' author. Opened for diagnosis once
  measured.
- everyday-fresh7.jsonl: a seventh (fresh7.json), written the same way by another helper
  session before any change that fresh6 led to: the blind check of those changes.
- everyday-fresh8.jsonl: an eighth (fresh8.json), by a third helper session that read the
  real ads (and no code, word list or query set) and wrote everyday words for their work,
  graded by the ads and by groups, as everyday.json is: the ad-centred style, blind.
- everyday-fresh9.jsonl: a ninth (fresh9.json), written blind on 2026-12-07 by a fourth helper
  session (real ads, groups and the shared natural spec only), weighted to the weakest kinds
  (abbreviations and verb phrases, 11 each). When it was written, fresh3 and fresh4 were
  opened for diagnosis; fresh5, fresh7, fresh8 and fresh9 stay unseen.
- everyday-fresh10.jsonl: a tenth (fresh10.json), written blind on 2026-12-07 by a fifth helper
  session the same way, weighted to the held-out part's weakest kinds (compounds 14,
  colloquial forms 12, field words 10). When it was written, fresh5 and fresh7 were opened
  for diagnosis; fresh8, fresh9 and fresh10 stay unseen.

Every third query of each spec (0-based index % 3 == 2) goes to the held-out file. The split
was fixed when the specs were written, before any result was seen.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
OCCUPATIONS = HERE.parent.parent / "marketplace" / "reference" / "data" / "occupations.json"
DEFAULT_CORPUS = Path("/work/shared/eval/real/corpus.jsonl")


def load(corpus: Path) -> tuple[list[dict[str, object]], dict[str, str]]:
    rows = [json.loads(line) for line in corpus.open(encoding="utf-8")]
    ssyk = {o["id"]: o["ssyk"] for o in json.loads(OCCUPATIONS.read_text(encoding="utf-8"))}
    return rows, ssyk


def everyday(
    rows: list[dict[str, object]],
    ssyk: dict[str, str],
    name: str = "everyday.json",
    skip_ungraded: bool = False,
) -> list[dict[str, object]]:
    """A spec's queries graded on the corpus. A query whose work no slot of the corpus does
    (nothing graded 2) stops the build, or, with ``skip_ungraded`` (a blind set whose author
    did not know which work the corpus lacks), is left out and counted."""
    spec = json.loads((HERE / name).read_text(encoding="utf-8"))
    by_code: dict[str, list[str]] = {}
    for r in rows:
        code = ssyk.get(str(r.get("occupation_id")))
        if code:
            by_code.setdefault(code, []).append(str(r["external_id"]))
    out = []
    skipped = 0
    for item in spec["queries"]:
        rel = {e: 1 for c in item["secondary"] for e in by_code.get(c, [])}
        rel.update({e: 2 for c in item["primary"] for e in by_code.get(c, [])})
        rel.update({e: 2 for e in item.get("ads", [])})
        if not any(g == 2 for g in rel.values()):
            if skip_ungraded:
                skipped += 1
                continue
            raise SystemExit(f"nothing graded 2 for {item['q']!r}")
        out.append(
            {
                "q": item["q"],
                "kind": item["kind"],
                "target": ",".join(item["primary"]),
                "relevant": rel,
            }
        )
    if skipped:
        print(
            f"{name}: {skipped} of {len(spec['queries'])} queries left out (no slot does the work)"
        )
    return out


def describe(rows: list[dict[str, object]], ssyk: dict[str, str]) -> list[dict[str, object]]:
    spec = json.loads((HERE / "describe.json").read_text(encoding="utf-8"))
    by_id = {str(r["external_id"]): r for r in rows}
    out = []
    for ad, q in spec["queries"].items():
        occ = str(by_id[ad].get("occupation_id"))
        code = ssyk.get(occ)
        rel: dict[str, int] = {}
        for r in rows:
            o = str(r.get("occupation_id"))
            if o == occ:
                rel[str(r["external_id"])] = 2
            elif code and ssyk.get(o) == code:
                rel[str(r["external_id"])] = 1
        rel[ad] = 2
        out.append({"q": q, "kind": "describe", "target": ad, "relevant": rel})
    return out


def write(name: str, items: list[dict[str, object]]) -> None:
    for part, keep in (("tune", lambda i: i % 3 != 2), ("holdout", lambda i: i % 3 == 2)):
        path = HERE / f"{name}-{part}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for i, item in enumerate(items):
                if keep(i):
                    f.write(json.dumps(item, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    a = ap.parse_args()
    rows, ssyk = load(a.corpus)
    write("everyday", everyday(rows, ssyk))
    write("describe", describe(rows, ssyk))
    for spec, out in (
        ("fresh.json", "everyday-fresh"),
        ("fresh2.json", "everyday-fresh2"),
        ("fresh3.json", "everyday-fresh3"),
        ("fresh4.json", "everyday-fresh4"),
        ("fresh5.json", "everyday-fresh5"),
        ("fresh6.json", "everyday-fresh6"),
        ("fresh7.json", "everyday-fresh7"),
        ("fresh8.json", "everyday-fresh8"),
        ("fresh9.json", "everyday-fresh9"),
        ("fresh10.json", "everyday-fresh10"),
    ):
        with (HERE / f"{out}.jsonl").open("w", encoding="utf-8") as f:
            for item in everyday(rows, ssyk, spec, skip_ungraded=spec == "fresh10.json"):
                f.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
