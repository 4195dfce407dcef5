"""Which tests run under coverage's tracer, and on which engine: the two pytest runs of each
engine pass in `scripts/test` (`--coverage-run=sqlite-traced` and so on).

Coverage's tracer costs about half again of a test's CPU wherever it is switched on (Python
3.11 leaves its specialising interpreter for every frame while a trace function is set),
traced module or not, and a test needs it only when it reaches an arc that no other traced
test reaches. So with the whole suite each engine pass is two runs on its database, one
under the tracer and one without it:

- PostgreSQL traces the tests of `tests/postgres_traced.txt` (node ids, or whole files;
  together they reach every arc that only PostgreSQL reaches; made by
  `scripts/postgres_traced_tests.py`) and the tests
  under MOVED (traced there instead of on SQLite, which balances the two passes) that are
  not in `tests/untraced.txt`;
- SQLite traces every other test that is not in `tests/untraced.txt`.

`tests/untraced.txt` lists the tests whose every arc the traced tests reach too (made by
`scripts/untraced_tests.py` from a run with test contexts; its docstring has the commands).
A new or renamed test is not in it and is traced: a stale list can make coverage count a
little less, never more. Every test still runs once on each engine.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent
UNTRACED_LIST = HERE / "untraced.txt"
POSTGRES_LIST = HERE / "postgres_traced.txt"
# Test folders traced on PostgreSQL (in every module) instead of on SQLite.
MOVED = ("tests/search/", "tests/admin/")
RUNS = ("sqlite-traced", "sqlite-untraced", "postgres-traced", "postgres-untraced")


def read_list(path: Path) -> frozenset[str]:
    """The entries of a list file: one per line, `#` comments and blank lines left out."""
    if not path.exists():
        return frozenset()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return frozenset(line for line in lines if line)


Arc = tuple[str, int, int]


def arcs_by_test(coverage_data: str | Path) -> dict[Arc, set[str]]:
    """Every arc in a coverage data file recorded with test contexts (`--cov-context=test`),
    the module's path relative to the repository, with the node ids of the tests that reached
    it; "" stands for outside any test (at import or collection)."""
    connection = sqlite3.connect(coverage_data)
    try:
        rows = connection.execute(
            "SELECT file.path, arc.fromno, arc.tono, context.context FROM arc"
            " JOIN file ON file.id = arc.file_id JOIN context ON context.id = arc.context_id"
        ).fetchall()
    finally:
        connection.close()
    arcs: dict[Arc, set[str]] = defaultdict(set)
    for path, start, end, context in rows:
        module = Path(path).resolve().relative_to(ROOT).as_posix()
        arcs[(module, start, end)].add(context.rsplit("|", 1)[0] if "::" in context else "")
    return dict(arcs)


def durations(junit: str) -> dict[str, float]:
    """Seconds per test node id, from a JUnit report (subtests summed into their test)."""
    times: dict[str, float] = defaultdict(float)
    # The report is our own pytest run's.
    for case in ET.parse(junit).getroot().iter("testcase"):
        parts = (case.get("classname") or "").split(".")
        for cut in range(len(parts), 0, -1):
            if (ROOT / ("/".join(parts[:cut]) + ".py")).exists():
                break
        node = "/".join(parts[:cut]) + ".py::" + "::".join([*parts[cut:], case.get("name", "")])
        times[node] += float(case.get("time") or 0)
    return times


def cover(need: dict[Arc, set[str]], times: dict[str, float]) -> set[str]:
    """A small, quick set of tests that together reach every arc of `need` (arc → the tests
    that reach it): taken greedily by arcs not yet reached per second of the test's time, then
    pruned, longest first, of tests whose arcs the others reach too."""
    left = set(need)
    chosen: list[str] = []
    while left:
        gain: dict[str, int] = defaultdict(int)
        for arc in left:
            for test in need[arc]:
                gain[test] += 1
        best = max(gain, key=lambda t: (gain[t] / max(times.get(t, 0.0), 0.02), t))
        chosen.append(best)
        left = {arc for arc in left if best not in need[arc]}
    kept = set(chosen)
    by_test: dict[str, list[Arc]] = defaultdict(list)
    for arc, tests in need.items():
        for test in tests:
            by_test[test].append(arc)
    for test in sorted(chosen, key=lambda t: -times.get(t, 0.0)):
        if all(need[arc] & (kept - {test}) for arc in by_test[test]):
            kept.discard(test)
    return kept


def in_postgres_list(nodeid: str, postgres_entries: frozenset[str]) -> bool:
    """Whether `tests/postgres_traced.txt` names the test `nodeid` or its whole file."""
    return nodeid in postgres_entries or nodeid.split("::", 1)[0] in postgres_entries


def is_traced(
    nodeid: str, engine: str, untraced: frozenset[str], postgres_entries: frozenset[str]
) -> bool:
    """Whether the test `nodeid` runs under the tracer in `engine`'s pass."""
    moved = nodeid.startswith(MOVED)
    if engine == "postgres":
        return in_postgres_list(nodeid, postgres_entries) or (moved and nodeid not in untraced)
    return not moved and nodeid not in untraced


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--coverage-run",
        choices=RUNS,
        default=None,
        help="run only the tests of this part of an engine pass (tests/coverage_runs.py)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.getoption("coverage_run")
    if run is None:
        return
    engine, part = run.split("-")
    untraced, postgres_entries = read_list(UNTRACED_LIST), read_list(POSTGRES_LIST)
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        wanted = is_traced(item.nodeid, engine, untraced, postgres_entries) == (part == "traced")
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
