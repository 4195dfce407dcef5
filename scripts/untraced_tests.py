"""Choose the tests that need no tracer: `tests/untraced.txt` (see tests/coverage_runs.py).

Coverage's tracer costs about half again of a test's CPU wherever it is switched on, and most
tests reach only arcs that other tests reach too. This script takes, greedily, the tests that
reach the most arcs not yet reached per second they take, until the chosen tests reach every
arc that the whole suite reaches in a test; the others are listed as untraced. Taken as
reached already: the arcs of the tests that the PostgreSQL pass traces in any case (those of
tests/postgres_traced.txt), except in the engine-specific modules, whose SQLite arcs only
a test traced on SQLite reaches. Tests under coverage_runs.MOVED are traced on PostgreSQL, so
they count only outside those modules too.

Input: one SQLite run of the whole suite under the tracer, with test contexts, and its JUnit
report for the tests' times. From the repository's root:

    printf '[run]\\nbranch = true\\nsource = marketplace, employers, placements, search, admin, participants\\nomit = */piccolo_migrations/*\\n' >full.rc
    rm -f /tmp/contexts.sqlite3
    DATABASE_URL=sqlite:////tmp/contexts.sqlite3 SEARCH_CACHE_DIR=$(mktemp -d) \\
      COVERAGE_FILE=contexts.cov .venv/bin/python -m pytest -p no:cacheprovider \\
      --cov --cov-config=full.rc --cov-report= --cov-context=test --junitxml=times.xml
    .venv/bin/python scripts/untraced_tests.py contexts.cov times.xml >tests/untraced.txt

Run it again after larger changes to the tests or the code: a test added since is traced
(it is not in the list), but an arc that only an untraced test reaches is not counted.
Arcs reached outside any test (at import or collection) are reached by every traced run.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.coverage_runs import (  # noqa: E402
    MOVED,
    POSTGRES_LIST,
    Arc,
    arcs_by_test,
    cover,
    durations,
    in_postgres_list,
    read_list,
)

# The modules whose code differs by engine, found as scripts/test finds them.
ENGINE_WORDS = re.compile(r"is_sqlite|is_postgres|engine_type|postgres")
PACKAGES = ("marketplace", "employers", "placements", "search", "admin", "participants")


def engine_files() -> frozenset[str]:
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "piccolo_migrations" not in path.parts and ENGINE_WORDS.search(path.read_text()):
                found.add(str(path.relative_to(ROOT)))
    return frozenset(found)


def reached(coverage_data: str) -> dict[Arc, set[str]]:
    """Every arc reached in a test, with the tests (node ids) that reached it; arcs reached
    outside any test too are left out (every traced run reaches them)."""
    return {arc: tests for arc, tests in arcs_by_test(coverage_data).items() if "" not in tests}


def choose(
    arcs: dict[Arc, set[str]],
    times: dict[str, float],
    engine: frozenset[str],
    postgres_files: frozenset[str],
) -> set[str]:
    """The tests to trace: a cover of the arcs (`coverage_runs.cover`). `engine`: the
    engine-specific modules; `postgres_files`: the entries of tests/postgres_traced.txt (tests
    or whole files), which the PostgreSQL pass traces in any case."""

    def counts(test: str, arc: Arc) -> bool:
        """Whether tracing `test` where it is traced reaches `arc` as this run did."""
        return arc[0] not in engine or not test.startswith(MOVED)

    always = {t for tests in arcs.values() for t in tests if in_postgres_list(t, postgres_files)}
    need = {
        arc: {t for t in tests if counts(t, arc)}
        for arc, tests in arcs.items()
        # The PostgreSQL pass's always-traced tests reach what SQLite reaches but in the
        # engine-specific modules.
        if arc[0] in engine or not tests & always
    }
    need = {arc: tests for arc, tests in need.items() if tests}
    return cover(need, times)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    arcs, times = reached(argv[1]), durations(argv[2])
    traced = choose(arcs, times, engine_files(), read_list(POSTGRES_LIST))
    tests = set(times) | {t for ts in arcs.values() for t in ts}
    untraced = sorted(tests - traced)
    total = sum(times.values())
    print(
        f"{len(traced)} of {len(tests)} tests traced "
        f"({sum(times.get(t, 0.0) for t in traced):.0f} of {total:.0f} s)",
        file=sys.stderr,
    )
    print("# Tests that run without coverage's tracer (tests/coverage_runs.py): the traced")
    print("# tests reach every arc they reach. Made by scripts/untraced_tests.py; see its")
    print("# docstring.")
    for test in untraced:
        print(test)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
