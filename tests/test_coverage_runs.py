"""Which tests run under coverage's tracer (tests/coverage_runs.py) and how the list of those
that need not is made (scripts/untraced_tests.py). Pure: no database, no app."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.coverage_runs import (
    MOVED,
    POSTGRES_LIST,
    UNTRACED_LIST,
    arcs_by_test,
    is_traced,
    read_list,
)

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("untraced_tests", ROOT / "scripts/untraced_tests.py")
assert _spec is not None and _spec.loader is not None
untraced_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(untraced_tests)
_spec = importlib.util.spec_from_file_location(
    "postgres_traced_tests", ROOT / "scripts/postgres_traced_tests.py"
)
assert _spec is not None and _spec.loader is not None
postgres_traced_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(postgres_traced_tests)

PLAIN = "tests/placements/test_x.py::test_a"
PLAIN_LISTED = "tests/placements/test_x.py::test_b"
MOVED_TEST = f"{MOVED[0]}test_y.py::test_c"
MOVED_LISTED = f"{MOVED[0]}test_y.py::test_d"
PG_FILE_TEST = "tests/marketplace/test_z.py::test_e[param]"
UNTRACED = frozenset({PLAIN_LISTED, MOVED_LISTED, PG_FILE_TEST})
PG_NODE = "tests/marketplace/test_w.py::test_g"
PG_FILES = frozenset({"tests/marketplace/test_z.py", PG_NODE})


def test_each_test_is_traced_once_on_its_engine_and_listed_tests_nowhere() -> None:
    def where(node: str) -> list[str]:
        return [e for e in ("sqlite", "postgres") if is_traced(node, e, UNTRACED, PG_FILES)]

    assert where(PLAIN) == ["sqlite"]
    assert where(PLAIN_LISTED) == []
    assert where(MOVED_TEST) == ["postgres"]  # moved: traced on PostgreSQL instead
    assert where(MOVED_LISTED) == []
    # The PostgreSQL-only arcs' files are traced there whatever the list says; on SQLite the
    # list decides.
    assert where(PG_FILE_TEST) == ["postgres"]
    assert where("tests/marketplace/test_z.py::test_f") == ["sqlite", "postgres"]
    # A test named by its node id: that test only, not its file's others.
    assert where(PG_NODE) == ["sqlite", "postgres"]
    assert where("tests/marketplace/test_w.py::test_h") == ["sqlite"]


def test_list_files_skip_comments_and_blank_lines(tmp_path: Path) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("# a comment\n\ntests/a.py::test_b  # why\n  tests/c.py\n")
    assert read_list(listed) == {"tests/a.py::test_b", "tests/c.py"}
    assert read_list(tmp_path / "missing.txt") == frozenset()


def test_the_lists_name_test_files_that_exist() -> None:
    """A renamed or removed file leaves entries that select nothing: make the lists again
    (the scripts' docstrings say how)."""
    for path in (UNTRACED_LIST, POSTGRES_LIST):
        files = {entry.split("::", 1)[0] for entry in read_list(path)}
        assert files, path
        missing = sorted(f for f in files if not (ROOT / f).is_file())
        assert not missing, (path.name, missing)


def test_the_cover_takes_the_cheapest_tests_that_reach_every_arc() -> None:
    a1, a2, a3 = ("search/x.py", 1, 2), ("search/x.py", 2, 3), ("search/x.py", 3, -1)
    arcs = {a1: {"t/slow", "t/fast1"}, a2: {"t/slow", "t/fast2"}, a3: {"t/slow", "t/fast2"}}
    times = {"t/slow": 10.0, "t/fast1": 0.1, "t/fast2": 0.2}
    assert untraced_tests.choose(arcs, times, frozenset(), frozenset()) == {"t/fast1", "t/fast2"}
    # A test whose arcs the others reach is pruned even when the greedy step took it first.
    arcs = {a1: {"t/a", "t/both"}, a2: {"t/b", "t/both"}, a3: {"t/a"}}
    times = {"t/a": 1.0, "t/b": 1.0, "t/both": 1.5}
    assert untraced_tests.choose(arcs, times, frozenset(), frozenset()) == {"t/a", "t/b"}


def test_engine_specific_arcs_need_a_test_traced_on_sqlite() -> None:
    """A moved test is traced on PostgreSQL, and the files of the PostgreSQL list are traced
    there in any case: outside the engine-specific modules they reach the same arcs; inside
    them, what SQLite reaches needs a test traced on SQLite."""
    shared, engine_arc = ("search/x.py", 1, 2), ("marketplace/db.py", 5, 6)
    moved, plain, pg = f"{MOVED[0]}t.py::m", "tests/p/t.py::p", "tests/pg/t.py::q"
    arcs = {shared: {moved, plain}, engine_arc: {moved, plain}}
    times = {moved: 0.1, plain: 5.0}
    engine = frozenset({"marketplace/db.py"})
    assert untraced_tests.choose(arcs, times, engine, frozenset()) == {plain}
    assert untraced_tests.choose(arcs, times, frozenset(), frozenset()) == {moved}
    arcs = {shared: {pg, plain}, engine_arc: {pg, plain}}
    times = {pg: 0.1, plain: 5.0}
    pg_files = frozenset({"tests/pg/t.py"})
    # Its SQLite arc needs a test traced on SQLite: the cheaper one, which is then traced on
    # both engines (not listed as untraced).
    assert untraced_tests.choose(arcs, times, engine, pg_files) == {pg}
    assert untraced_tests.choose(arcs, times, frozenset(), pg_files) == set()


def write_contexts(path: Path, arcs: dict[str, list[tuple[int, int]]]) -> None:
    """A coverage data file of `search/x.py` with each test's arcs (context "" for outside
    any test), written by coverage itself."""
    from coverage import CoverageData

    module = str(ROOT / "search" / "x.py")
    data = CoverageData(basename=str(path))
    for test, reached in arcs.items():
        data.set_context(f"{test}|run" if test else "")
        data.add_arcs({module: reached})
    data.write()


def test_postgresql_traces_the_quickest_tests_that_reach_what_only_it_reaches(
    tmp_path: Path,
) -> None:
    """Tests, not whole files: the fuzzing's other tests were traced for one test's arcs."""
    write_contexts(tmp_path / "sqlite.cov", {"t.py::any": [(-1, 1), (1, 2)]})
    only_pg = [(2, 3), (3, -1)]
    write_contexts(
        tmp_path / "postgres.cov",
        {
            "": [(-1, 1), (5, 6)],  # outside any test: unattributed
            "t.py::slow": [(1, 2), *only_pg],
            "t.py::quick": [(1, 2), (2, 3)],
            "u.py::quick": [(3, -1)],
            "u.py::other": [(1, 2)],
        },
    )
    times = {"t.py::slow": 9.0, "t.py::quick": 0.5, "u.py::quick": 0.5, "u.py::other": 0.1}
    chosen, unattributed = postgres_traced_tests.choose(
        str(tmp_path / "sqlite.cov"), str(tmp_path / "postgres.cov"), times
    )
    assert chosen == ["t.py::quick", "u.py::quick"]
    assert unattributed == [("search/x.py", 5, 6)]


def test_arcs_are_read_with_the_tests_that_reached_them(tmp_path: Path) -> None:
    """The reader both scripts share, on a data file written by coverage itself."""
    from coverage import CoverageData

    module = str(ROOT / "search" / "x.py")
    data = CoverageData(basename=str(tmp_path / "contexts.cov"))
    data.set_context("")
    data.add_arcs({module: [(-1, 1), (1, 2)]})
    data.set_context("tests/search/test_x.py::test_a[1]|run")
    data.add_arcs({module: [(1, 2), (2, -1)]})
    data.set_context("tests/search/test_x.py::TestB::test_b|setup")
    data.add_arcs({module: [(2, -1)]})
    data.write()
    assert arcs_by_test(tmp_path / "contexts.cov") == {
        ("search/x.py", -1, 1): {""},
        ("search/x.py", 1, 2): {"", "tests/search/test_x.py::test_a[1]"},
        ("search/x.py", 2, -1): {
            "tests/search/test_x.py::test_a[1]",
            "tests/search/test_x.py::TestB::test_b",
        },
    }
    assert untraced_tests.reached(str(tmp_path / "contexts.cov")) == {
        ("search/x.py", 2, -1): {
            "tests/search/test_x.py::test_a[1]",
            "tests/search/test_x.py::TestB::test_b",
        }
    }
