"""Choose the test files that the PostgreSQL pass runs under coverage's tracer.

Coverage's tracer costs about half again of every test's CPU wherever it is switched on
(Python 3.11 leaves its specialising interpreter for every frame while a trace function is
set), traced file or not. The SQLite pass traces every module; the PostgreSQL pass is needed
only for the arcs that PostgreSQL alone reaches, in the few modules whose code differs by
engine. So `scripts/test` runs the PostgreSQL pass in two parts: the test files listed in
`tests/postgres_traced.txt` (and the tests of `tests/coverage_runs.MOVED` not listed in
`tests/untraced.txt`) under the tracer, the others without it (`tests/coverage_runs.py`).
Every test still runs once on each engine. Make `tests/untraced.txt` again after this list
(`scripts/untraced_tests.py`): it counts on these files being traced on PostgreSQL.

This script makes that list from two coverage data files of the engine-specific modules:
one of the SQLite pass and one of the PostgreSQL pass recorded with test contexts. It takes,
greedily, the test files that reach the most arcs no SQLite test reaches per test they hold,
until every such arc is reached. Run it again when engine-specific code changes (the CI's
coverage figure would show arcs lost), from the repository's root:

    # the engine-specific modules, as scripts/test finds them, in a coverage rc file
    files=$(grep -rlE 'is_sqlite|is_postgres|engine_type|postgres' --include='*.py' \
      marketplace employers placements search admin participants | grep -v piccolo_migrations)
    printf '[run]\nbranch = true\ninclude = %s\n' "$(echo "$files" | paste -sd, -)" >engine.rc
    DATABASE_URL=sqlite:///… COVERAGE_FILE=sqlite.cov pytest --cov --cov-config=engine.rc
    DATABASE_URL=postgresql://… COVERAGE_FILE=postgres.cov pytest --cov \
      --cov-config=engine.rc --cov-context=test
    python scripts/postgres_traced_tests.py sqlite.cov postgres.cov [LONG_TEST_FILE …] \
      >tests/postgres_traced.txt
"""

from __future__ import annotations

import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.coverage_runs import Arc, arcs_by_test


def _arcs(path: str) -> dict[Arc, set[str]]:
    """Every arc in a coverage data file, with the test files whose tests reached it."""
    return {
        arc: {test.split("::", 1)[0] for test in tests} for arc, tests in arcs_by_test(path).items()
    }


def choose(
    sqlite_data: str, postgres_data: str, avoid: frozenset[str] = frozenset()
) -> tuple[list[str], list[Arc]]:
    """The test files to trace, and the arcs only PostgreSQL reaches that no test file
    reaches (reached outside a test's context, e.g. at import or in a subprocess). Files in
    `avoid` (a few long tests, such as the access matrix) are taken only for arcs that no
    other file reaches."""
    sqlite_arcs = set(_arcs(sqlite_data))
    postgres = _arcs(postgres_data)
    only = {arc: files - {""} for arc, files in postgres.items() if arc not in sqlite_arcs}
    unattributed = sorted(arc for arc, files in only.items() if not files)
    connection = sqlite3.connect(postgres_data)
    try:
        size: dict[str, int] = defaultdict(int)
        for (context,) in connection.execute("SELECT context FROM context"):
            if "::" in context and context.endswith("|run"):
                size[context.split("::", 1)[0]] += 1
    finally:
        connection.close()
    left = {arc for arc, files in only.items() if files}
    chosen: list[str] = []
    while left:
        gain: dict[str, int] = defaultdict(int)
        for arc in left:
            for file in only[arc]:
                gain[file] += 1
        best = max(
            gain,
            key=lambda f: (f not in avoid, gain[f] / max(size.get(f, 1), 1), gain[f], f),
        )
        chosen.append(best)
        left = {arc for arc in left if best not in only[arc]}
    return sorted(chosen), unattributed


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    chosen, unattributed = choose(argv[1], argv[2], frozenset(argv[3:]))
    print("# Test files the PostgreSQL pass runs under coverage's tracer (scripts/test):")
    print("# together they reach every arc that only PostgreSQL reaches. Made by")
    print("# scripts/postgres_traced_tests.py; see its docstring.")
    for file in chosen:
        print(file)
    for arc in unattributed:
        print(f"unattributed PostgreSQL-only arc {arc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
