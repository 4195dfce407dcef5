#!/bin/bash
# The generated guard sets of RESULTS_search.md (fifth and sixth passes): dev, two unseen corpora
# (slotgen seeds 11 and 23) with generated queries, and five natural specs on each.
#   bash bench/search_guard.sh [--per-query]      (corpora are made in $GUARD_DIR, default /tmp/guard)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
E=${EVAL_DIR:-/work/shared/eval}
T=${GUARD_DIR:-/tmp/guard}
PY=${PYTHON:-$ROOT/.venv/bin/python}
mkdir -p "$T"
for s in 11 23; do
  [ -s "$T/c$s.jsonl" ] || python3 "$E/slotgen.py" corpus --n 5000 --seed $s > "$T/c$s.jsonl"
  [ -s "$T/q$s.jsonl" ] || python3 "$E/slotgen.py" queries --corpus "$T/c$s.jsonl" --n 300 --seed 7 > "$T/q$s.jsonl"
  for spec in unseen:nu holdout:nh fresh:nf fresh2:nf2; do
    f=${spec%%:*}; p=${spec##*:}
    [ -s "$T/$p$s.jsonl" ] || python3 "$E/slotgen.py" natural --corpus "$T/c$s.jsonl" --spec "$ROOT/bench/natural-$f.json" > "$T/$p$s.jsonl"
  done
  [ -s "$T/nd$s.jsonl" ] || python3 "$E/slotgen.py" natural --corpus "$T/c$s.jsonl" --spec "$E/natural-dev.json" > "$T/nd$s.jsonl"
done
D=$E/dev
cd "$ROOT"
PYTHONPATH=$ROOT "$PY" bench/search_sets.py "$@" \
  --set dev $D/corpus.jsonl $D/queries.jsonl $D/natural.jsonl \
  --set s11 $T/c11.jsonl $T/q11.jsonl $T/nu11.jsonl \
  --set s23 $T/c23.jsonl $T/q23.jsonl $T/nu23.jsonl \
  --set h11 $T/c11.jsonl $T/nh11.jsonl --set h23 $T/c23.jsonl $T/nh23.jsonl \
  --set f11 $T/c11.jsonl $T/nf11.jsonl --set f23 $T/c23.jsonl $T/nf23.jsonl \
  --set g11 $T/c11.jsonl $T/nf211.jsonl --set g23 $T/c23.jsonl $T/nf223.jsonl \
  --set nd11 $T/c11.jsonl $T/nd11.jsonl --set nd23 $T/c23.jsonl $T/nd23.jsonl
