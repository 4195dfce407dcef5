"""The search's disk cache: who builds when several miss it at once, and what it cleans up."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from search import disk_cache, taxonomy_cache

# Any packaged file will do as the input whose bytes key the cache.
INPUTS = [("search", "disk_cache.py")]


def _valid(obj: object) -> bool:
    return isinstance(obj, dict) and obj.get("kind") == "test"


def test_two_that_miss_the_cache_together_build_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    builds: list[str] = []
    building = threading.Event()

    def build() -> dict[str, object]:
        builds.append(threading.current_thread().name)
        building.set()
        time.sleep(0.3)  # the other one arrives while this one builds
        return {"kind": "test", "by": threading.current_thread().name}

    results: dict[str, object] = {}

    def worker(name: str) -> None:
        results[name] = disk_cache.cached_build("locktest", INPUTS, build, _valid)

    first = threading.Thread(target=worker, args=("first",), name="first")
    first.start()
    assert building.wait(10)
    second = threading.Thread(target=worker, args=("second",), name="second")
    second.start()
    first.join(10)
    second.join(10)

    assert builds == ["first"]
    assert results["first"] == results["second"] == {"kind": "test", "by": "first"}


def test_a_new_key_removes_the_old_keys_file_and_its_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = tmp_path / "cache"
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(where))
    path = disk_cache.cache_path("locktest", INPUTS)
    assert path is not None
    where.mkdir(mode=0o700)
    old = where / "locktest-0123456789abcdef0123456789abcdef.pickle"
    old.write_bytes(b"old")
    old_lock = where / f".lock-{old.name}"
    old_lock.touch()
    other_kind = where / ".lock-taxonomy-0123456789abcdef0123456789abcdef.pickle"
    other_kind.touch()

    disk_cache.cached_build("locktest", INPUTS, lambda: {"kind": "test"}, _valid)

    assert sorted(p.name for p in where.iterdir()) == sorted(
        [os.path.basename(path), f".lock-{os.path.basename(path)}", other_kind.name]
    )
    # The next call reads the file and builds nothing.
    assert disk_cache.cached_build("locktest", INPUTS, _never, _valid) == {"kind": "test"}


def test_without_the_cache_each_call_builds_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEARCH_CACHE_DIR", "off")
    monkeypatch.chdir(tmp_path)
    builds: list[int] = []

    def build() -> dict[str, object]:
        builds.append(1)
        return {"kind": "test"}

    disk_cache.cached_build("locktest", INPUTS, build, _valid)
    disk_cache.cached_build("locktest", INPUTS, build, _valid)
    assert builds == [1, 1]
    assert list(tmp_path.iterdir()) == []


def test_a_directory_others_can_write_is_not_locked_in_and_still_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = tmp_path / "cache"
    where.mkdir()
    where.chmod(0o777)
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(where))
    assert disk_cache.cached_build("locktest", INPUTS, lambda: {"kind": "test"}, _valid) == {
        "kind": "test"
    }
    assert list(where.iterdir()) == []  # neither a lock nor a file where others could write


def _never() -> dict[str, object]:
    raise AssertionError("built although the cache holds it")


def test_the_builder_gets_the_saved_copy_not_the_built_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that built the taxonomy structures itself kept ~50 MB more than one that read
    them from the cache (the built objects lie among the build's garbage): the builder now
    reads back what it saved and lets the built copy go. Where nothing can be saved, it keeps
    what it built."""
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    built: list[dict[str, object]] = []

    def build() -> dict[str, object]:
        built.append({"kind": "test", "rows": list(range(100))})
        return built[-1]

    got = disk_cache.cached_build("copytest", INPUTS, build, _valid)
    assert got == built[0] and got is not built[0]
    monkeypatch.setenv("SEARCH_CACHE_DIR", "off")
    kept = disk_cache.cached_build("copytest", INPUTS, build, _valid)
    assert kept is built[1]


def test_a_miss_with_a_child_has_the_child_build_and_save_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A served worker that built the structures itself kept their build's garbage for its
    whole life (a cold worker 405–490 MB against 352–360 MB warm, RESULTS.md): a child
    process builds and saves them, and the worker only reads the saved copy."""
    monkeypatch.delenv(disk_cache.BUILD_HERE, raising=False)  # as in a served worker
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    path = disk_cache.cache_path("taxonomy", taxonomy_cache._STATIC_INPUTS)
    assert path is not None and not os.path.exists(path)

    got: taxonomy_cache._Static = disk_cache.cached_build(
        "taxonomy",
        taxonomy_cache._STATIC_INPUTS,
        _never_static,  # this process builds nothing
        taxonomy_cache._is_static,
        child="search.taxonomy_cache:_static",
    )

    assert taxonomy_cache._is_static(got)
    assert os.path.exists(path)  # the child saved it for every process
    assert got[0].suggest(got[2], "lagerarbetare", 1) == taxonomy_cache.suggest_occupations(
        "lagerarbetare", 1
    )


def test_the_child_finds_the_modules_where_this_process_did_each_place_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """piccolo's CLI puts its folder first in `sys.path` on every call: after a full test
    run, the child's search path was past what one environment variable may hold."""
    monkeypatch.delenv(disk_cache.BUILD_HERE, raising=False)
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(disk_cache.sys, "path", [os.getcwd()] * 50_000 + disk_cache.sys.path)
    got = disk_cache.cached_build(
        "locktest", INPUTS, _never, _valid, child="tests.search.disk_cache_child:build"
    )
    assert got == {"kind": "test", "by": "child"}


def test_a_child_that_fails_leaves_the_build_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(disk_cache.BUILD_HERE, raising=False)  # as in a served worker
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    got = disk_cache.cached_build(
        "locktest",
        INPUTS,
        lambda: {"kind": "test"},
        _valid,
        child="search.disk_cache:no_such_builder",
    )
    assert got == {"kind": "test"}
    assert "the child build of search.disk_cache:no_such_builder failed" in caplog.text
    assert "AttributeError" in caplog.text  # what went wrong in the child, for the log's reader


def test_a_child_that_cannot_start_leaves_the_build_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(disk_cache.BUILD_HERE, raising=False)  # as in a served worker
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(disk_cache.sys, "executable", str(tmp_path / "no-python"))
    got = disk_cache.cached_build(
        "locktest", INPUTS, lambda: {"kind": "test"}, _valid, child="search.x:y"
    )
    assert got == {"kind": "test"}
    assert "did not run" in caplog.text


def test_the_child_itself_and_the_tests_build_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(disk_cache.BUILD_HERE, "1")

    def no_grandchild(target: str) -> bool:
        raise AssertionError("a child started another child")

    monkeypatch.setattr(disk_cache, "build_in_child", no_grandchild)
    got = disk_cache.cached_build(
        "locktest", INPUTS, lambda: {"kind": "test"}, _valid, child="search.x:y"
    )
    assert got == {"kind": "test"}


def _never_static() -> taxonomy_cache._Static:
    raise AssertionError("this process built what its child should have")
