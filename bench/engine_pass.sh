#!/usr/bin/env bash
# One engine pass of scripts/test, its two pytest runs (under the tracer, then without it),
# timed, in the checkout DIR (with its .venv), on a database of its own:
#
#     bench/engine_pass.sh sqlite|postgres DIR LABEL [PYTEST_ARGS...]
#
# Whole CI runs on these machines drift by more than a change is worth (bench/RESULTS.md,
# "Twelfth step"), so two commits are compared by running their passes side by side, one core
# each, e.g. a clone of the base and one of the new code:
#
#     bench/engine_pass.sh sqlite /work/ci/base base & bench/engine_pass.sh sqlite /work/ci/new new
#
# Prints each run's wall, user and system seconds; the logs go to /tmp/LABEL.ENGINE-*.log.
set -euo pipefail
engine=$1 dir=$2 label=$3
shift 3
cd "$dir"
work=$(mktemp -d)
if [ "$engine" = postgres ]; then
  db="bench_${label}_$$"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
  psql -q -h 127.0.0.1 -U postgres -d postgres \
    -c "ALTER DATABASE \"$db\" SET synchronous_commit = off" >/dev/null
  trap 'psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null' EXIT
  export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$db"
else
  export DATABASE_URL="sqlite:///$work/test.sqlite3"
fi
export SEARCH_CACHE_DIR="$work/cache" COVERAGE_FILE="$work/.coverage"
unset PYTHONDONTWRITEBYTECODE
for part in traced untraced; do
  cov=()
  # Every module, as pyproject.toml's [tool.coverage.run] says (scripts/test's full rc).
  if [ "$part" = traced ]; then cov=(--cov --cov-report=); fi
  /usr/bin/time -f "$label $engine $part: wall %e s, user %U s, sys %S s" \
    .venv/bin/python -m pytest "${cov[@]}" -p no:cacheprovider -q \
    "--coverage-run=$engine-$part" "$@" >"/tmp/$label.$engine-$part.log" 2>&1 || true
  tail -n 2 "/tmp/$label.$engine-$part.log"
done
