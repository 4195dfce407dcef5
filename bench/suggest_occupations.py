"""Measure the occupation suggestions for hosts (`search.suggest`) on real job ads.

Each real ad (headline + text, as the employer wrote them) is given to the suggester as a
slot's title and description; a hit is the ad's own occupation among the top 3 (and top 1).
The baseline is the slot form's occupation autocomplete given the headline.
Ads whose occupation id the packaged taxonomy has replaced are measured too, against what
`marketplace.reference.taxonomy_changes` resolves the id to: one replacement is the target; for an id split
into several occupations any of them counts (reported apart). Ads the source marks as test
fixtures are left out.

The weights were tuned on the ads with odd ids only; both halves are reported:

    .venv/bin/python bench/suggest_occupations.py --ads /work/shared/eval/real/real_ads.jsonl \
        --dropped /work/shared/eval/real/dropped.jsonl [--misses] [--tune] [--cpu 3] [--roles 300]

`--misses` lists the tuning half's misses only: the held-out half is reported in aggregate.

`--tune` runs a small grid over the weights on the odd half and prints the best settings with
both halves' figures (for the record: what is kept is in `search.suggest.Weights`).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marketplace.reference import taxonomy  # noqa: E402
from marketplace.reference.taxonomy_changes import replaced_ids, resolve_occupation  # noqa: E402
from search.suggest import SuggestionModel, Weights, suggest_for_slot  # noqa: E402
from search.taxonomy_cache import suggest_occupations  # noqa: E402

REAL = Path("/work/shared/eval/real")


@dataclasses.dataclass
class Case:
    ad_id: str
    title: str
    text: str
    targets: frozenset[str]
    kind: str  # current, replaced, split


def load_cases(ads: Path, dropped: Path) -> tuple[list[Case], list[str]]:
    """The measurable ads, and a line per ad left out (with the reason)."""
    notes = {}
    if dropped.exists():
        for line in dropped.read_text("utf-8").split("\n"):
            if line.strip():
                row = json.loads(line)
                notes[str(row["ad_id"])] = str(row.get("dropped", ""))
    cases: list[Case] = []
    left_out: list[str] = []
    for line in ads.read_text("utf-8").split("\n"):
        if not line.strip():
            continue
        row = json.loads(line)
        ad_id = str(row["ad_id"])
        if "test fixture" in notes.get(ad_id, ""):
            left_out.append(f"{ad_id}: {notes[ad_id]}")
            continue
        given = str(row["occupation_id"])
        res = resolve_occupation(given, row["headline"])
        if res.status == "current":
            targets, kind = frozenset([given]), "current"
        elif res.accepted and res.status == "replaced":
            targets, kind = frozenset([str(res.occupation_id)]), "replaced"
        elif res.candidates:
            targets, kind = frozenset(c for c, _ in res.candidates), "split"
        else:
            left_out.append(f"{ad_id}: occupation {given} does not resolve ({res.status})")
            continue
        cases.append(Case(ad_id, row["headline"], row["text"], targets, kind))
    return cases, left_out


def _odd(case: Case) -> bool:
    digits = "".join(ch for ch in case.ad_id if ch.isdigit())
    return int(digits or "0") % 2 == 1


def evaluate(
    model: SuggestionModel, cases: list[Case], memo: dict[str, Any] | None = None
) -> dict[str, Any]:
    ranks: list[int | None] = []
    times: list[float] = []
    for c in cases:
        t0 = time.perf_counter()
        if memo is None:
            ranked = model.rank(c.title, c.text)
        else:
            if c.ad_id not in memo:
                memo[c.ad_id] = model.components(c.title, c.text)
            ranked = model.rank_components(memo[c.ad_id])
        times.append((time.perf_counter() - t0) * 1000)
        ids = [model.occupations[o].id for o, _ in ranked[:10]]
        rank = next((i + 1 for i, oid in enumerate(ids) if oid in c.targets), None)
        ranks.append(rank)
    n = len(cases) or 1

    def share(k: int, subset: list[int] | None = None) -> float:
        idx = range(len(cases)) if subset is None else subset
        picked = [ranks[i] for i in idx]
        return sum(1 for r in picked if r is not None and r <= k) / (len(picked) or 1)

    odd = [i for i, c in enumerate(cases) if _odd(c)]
    even = [i for i, c in enumerate(cases) if not _odd(c)]
    by_kind = {
        kind: [i for i, c in enumerate(cases) if c.kind == kind]
        for kind in ("current", "replaced", "split")
    }
    return {
        "n": n,
        "top1": share(1),
        "top3": share(3),
        "top10": share(10),
        "odd": (len(odd), share(3, odd), share(1, odd)),
        "even": (len(even), share(3, even), share(1, even)),
        "kinds": {k: (len(v), share(3, v)) for k, v in by_kind.items()},
        "ranks": ranks,
        "ms_median": statistics.median(times) if times else 0.0,
        "ms_p95": sorted(times)[int(0.95 * (len(times) - 1))] if times else 0.0,
    }


def report(result: dict[str, Any]) -> None:
    print(f"ads measured: {result['n']}")
    print(f"own occupation in top 3: {result['top3']:.1%}  top 1: {result['top1']:.1%}", end="")
    print(f"  top 10: {result['top10']:.1%}")
    n, t3, t1 = result["odd"]
    print(f"  tuning half (odd ad ids, {n}):  top 3 {t3:.1%}, top 1 {t1:.1%}")
    n, t3, t1 = result["even"]
    print(f"  held-out half (even ad ids, {n}): top 3 {t3:.1%}, top 1 {t1:.1%}")
    for kind, (n, t3) in result["kinds"].items():
        print(f"  {kind} occupation ids ({n}): top 3 {t3:.1%}")
    print(f"time per ad: median {result['ms_median']:.1f} ms, p95 {result['ms_p95']:.1f} ms")


# Query-time weights only: the model is built once and its weights swapped per setting. The
# title's weight stays fixed: scaling every weight alike changes no ranking.
GRID = {
    "description": [0.25, 0.5, 1.0, 2.0, 4.0],
    "group": [0.3, 0.6, 1.0],
    "named_title": [2.0, 4.0],
    "entry_level": [0.0, 0.3],
    "breadth": [0.5, 1.0],
    "qualified": [0.0, 0.25, 0.5, 1.0],
}


def tune(cases: list[Case]) -> None:
    odd = [c for c in cases if _odd(c)]
    best: list[tuple[float, float, dict[str, float]]] = []
    base = Weights()
    model = SuggestionModel(base)
    memo: dict[str, Any] = {}
    for values in itertools.product(*GRID.values()):
        changes = dict(zip(GRID, values, strict=True))
        model.weights = dataclasses.replace(base, **changes)
        r = evaluate(model, odd, memo)
        best.append((r["top3"], r["top1"], changes))
    best.sort(key=lambda t: (-t[0], -t[1]))
    for t3, t1, changes in best[:8]:
        model.weights = dataclasses.replace(base, **changes)
        full = evaluate(model, cases, memo)
        print(f"odd top3 {t3:.1%} top1 {t1:.1%} | even top3 {full['even'][1]:.1%} | {changes}")


def cpu_times(cases: list[Case], passes: int) -> None:
    """Thread CPU time of :func:`search.suggest.suggest_for_slot` per call (what a host's
    request costs the worker, whatever the load of the machine), and the wall time beside it."""
    suggest_for_slot("", "lager")  # the model is built before the clock starts
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(passes):
        for c in cases:
            t0, w0 = time.thread_time(), time.perf_counter()
            suggest_for_slot(c.title, c.text)
            cpu.append((time.thread_time() - t0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
    cpu.sort()
    wall.sort()
    p95 = int(0.95 * (len(cpu) - 1))
    print(
        f"suggest_for_slot, {len(cases)} ads x {passes}: CPU median "
        f"{statistics.median(cpu):.1f} ms, p95 {cpu[p95]:.1f} ms; wall median "
        f"{statistics.median(wall):.1f} ms, p95 {wall[p95]:.1f} ms"
    )


ROLE_SENTENCE = (
    "Vi har roligt på jobbet och fina kollegor. Du arbetar som {} hos oss och har varierande "
    "uppgifter."
)


def role_check(n: int, seed: int = 3) -> None:
    """The role phrase apart from the ads: ``n`` one-word JobTech job titles that belong to one
    occupation each, drawn with a fixed seed, each put as the role into one neutral sentence
    under the headline "Extrajobb"; own occupation in the top 3 without and with the role."""
    owners: dict[str, set[str]] = {}
    for occ_id, labels in taxonomy.alternative_labels_by_occupation().items():
        for text, kind in labels:
            if kind == "job_title":
                owners.setdefault(text.lower(), set()).add(occ_id)
    titles = sorted(
        (t, next(iter(ids))) for t, ids in owners.items() if len(ids) == 1 and t.isalpha()
    )
    random.Random(seed).shuffle(titles)
    models = [SuggestionModel(Weights(named_role=0.0)), SuggestionModel()]
    hits = [0, 0]
    for title, occ_id in titles[:n]:
        text = ROLE_SENTENCE.format(title)
        for k, model in enumerate(models):
            top = [model.occupations[o].id for o, _ in model.rank("Extrajobb", text)[:3]]
            hits[k] += occ_id in top
    print(
        f"role check, {min(n, len(titles))} job titles: top 3 {hits[0]} without the role, "
        f"{hits[1]} with it"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ads", type=Path, default=REAL / "real_ads.jsonl")
    ap.add_argument("--dropped", type=Path, default=REAL / "dropped.jsonl")
    ap.add_argument(
        "--misses",
        action="store_true",
        help="list the tuning half's ads missed in the top 3 (the held-out half is only counted)",
    )
    ap.add_argument(
        "--roles",
        type=int,
        default=0,
        metavar="N",
        help="N one-word job titles as the role of a neutral sentence, without and with it",
    )
    ap.add_argument(
        "--cpu",
        type=int,
        default=0,
        metavar="N",
        help="time suggest_for_slot over every ad N times (thread CPU time, as a host's call)",
    )
    ap.add_argument("--tune", action="store_true", help="grid over the weights on the odd half")
    args = ap.parse_args()
    cases, left_out = load_cases(args.ads, args.dropped)
    print(f"taxonomy: {len(taxonomy.occupations())} occupations, {len(replaced_ids())} replaced")
    for note in left_out:
        print(f"left out {note}")
    if args.tune:
        tune(cases)
        return
    if args.roles:
        role_check(args.roles)
        return
    t0 = time.perf_counter()
    model = SuggestionModel()
    print(f"model built in {time.perf_counter() - t0:.1f} s")
    result = evaluate(model, cases)
    report(result)
    # The baseline: the form's occupation autocomplete, given the title as if typed.
    hits = sum(1 for c in cases if any(s.id in c.targets for s in suggest_occupations(c.title, 3)))
    print(f"baseline, the autocomplete on the title alone: top 3 {hits / len(cases):.1%}")
    if args.cpu:
        cpu_times(cases, args.cpu)
    if args.misses:
        for case, rank in zip(cases, result["ranks"], strict=True):
            if _odd(case) and (rank is None or rank > 3):
                top = [s.label for s in model.suggest(case.title, case.text)]
                want = [taxonomy.occupations()[t].label for t in sorted(case.targets)][:3]
                print(f"  miss {case.ad_id} rank {rank}: {case.title[:50]!r} want {want} got {top}")


if __name__ == "__main__":
    main()
