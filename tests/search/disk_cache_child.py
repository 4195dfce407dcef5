"""What a child process runs in `test_disk_cache`: build and save the test's structure."""

from __future__ import annotations

from search import disk_cache


def build() -> None:
    disk_cache.cached_build(
        "locktest",
        [("search", "disk_cache.py")],
        lambda: {"kind": "test", "by": "child"},
        lambda obj: isinstance(obj, dict) and obj.get("kind") == "test",
    )
