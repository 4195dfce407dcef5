"""Choose the tests that the PostgreSQL pass runs under coverage's tracer.

Coverage's tracer costs about half again of every test's CPU wherever it is switched on
(Python 3.11 leaves its specialising interpreter for every frame while a trace function is
set), traced file or not. The SQLite pass traces every module; the PostgreSQL pass is needed
only for the arcs that PostgreSQL alone reaches, in the few modules whose code differs by
engine. So `scripts/test` runs the PostgreSQL pass in two parts: the tests listed in
`tests/postgres_traced.txt` (and the tests of `tests/coverage_runs.MOVED` not listed in
`tests/untraced.txt`) under the tracer, the others without it (`tests/coverage_runs.py`).
Every test still runs once on each engine. Make `tests/untraced.txt` again after this list
(`scripts/untraced_tests.py`): it counts on these tests being traced on PostgreSQL.

This script makes that list from two coverage data files of the engine-specific modules (one
of a SQLite run, one of a PostgreSQL run recorded with test contexts) and the PostgreSQL run's
JUnit report: it takes, greedily, the tests that reach the most arcs no SQLite test reaches
per second they take, until every such arc is reached, then drops the chosen tests whose arcs
the others reach. (It chose whole files until 2026-12-06: a file's other tests, the API fuzzing's
47 s among them, were traced for one test's arcs.) The PostgreSQL run need only hold the
tests of the current list: together they reach every arc that only PostgreSQL reaches. Run it
again when engine-specific code changes (the CI's coverage figure would show arcs lost), from
the repository's root:

    # the engine-specific modules, as scripts/test finds them, in a coverage rc file
    files=$(grep -rlE 'is_sqlite|is_postgres|engine_type|postgres' --include='*.py' \
      marketplace employers placements search admin participants | grep -v piccolo_migrations)
    printf '[run]\nbranch = true\ninclude = %s\n' "$(echo "$files" | paste -sd, -)" >engine.rc
    DATABASE_URL=sqlite:///… COVERAGE_FILE=sqlite.cov pytest --cov --cov-config=engine.rc
    DATABASE_URL=postgresql://… COVERAGE_FILE=postgres.cov pytest --cov \
      --cov-config=engine.rc --cov-context=test --junitxml=postgres.xml \
      $(grep -v '^#' tests/postgres_traced.txt)
    python scripts/postgres_traced_tests.py sqlite.cov postgres.cov postgres.xml \
      >tests/postgres_traced.txt

(Any SQLite run of the whole suite under the tracer serves as sqlite.cov, such as the one
with test contexts that `scripts/untraced_tests.py` reads.)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.coverage_runs import Arc, arcs_by_test, cover, durations


def choose(
    sqlite_data: str, postgres_data: str, times: dict[str, float]
) -> tuple[list[str], list[Arc]]:
    """The tests to trace, and the arcs only PostgreSQL reaches that no test reaches (reached
    outside a test's context, e.g. at import or in a subprocess)."""
    sqlite_arcs = set(arcs_by_test(sqlite_data))
    only = {
        arc: tests - {""}
        for arc, tests in arcs_by_test(postgres_data).items()
        if arc not in sqlite_arcs
    }
    unattributed = sorted(arc for arc, tests in only.items() if not tests)
    need = {arc: tests for arc, tests in only.items() if tests}
    return sorted(cover(need, times)), unattributed


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    times = durations(argv[3])
    chosen, unattributed = choose(argv[1], argv[2], times)
    print(
        f"{len(chosen)} tests traced ({sum(times.get(t, 0.0) for t in chosen):.0f} of "
        f"{sum(times.values()):.0f} s in the PostgreSQL run)",
        file=sys.stderr,
    )
    print("# Tests the PostgreSQL pass runs under coverage's tracer (scripts/test): together")
    print("# they reach every arc that only PostgreSQL reaches. Made by")
    print("# scripts/postgres_traced_tests.py; see its docstring.")
    for test in chosen:
        print(test)
    for arc in unattributed:
        print(f"unattributed PostgreSQL-only arc {arc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
