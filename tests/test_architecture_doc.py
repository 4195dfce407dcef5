"""docs/architecture.md's layout tree names every module of the packages, and no other."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("marketplace", "employers", "placements", "search", "admin", "participants")


def code_modules() -> set[str]:
    return {
        p.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if "piccolo_migrations" not in p.parts and "__pycache__" not in p.parts
    }


def documented_modules() -> set[str]:
    """The modules the tree names: a folder line ends in "/", each level is four spaces deeper."""
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    tree = text.split("<!-- module tree -->", 2)[1]
    found: set[str] = set()
    folders: list[str] = []
    for line in tree.splitlines():
        match = re.match(r"( *)(\S+)", line)
        if match is None or match.group(2).startswith("`"):
            continue
        depth, name = len(match.group(1)) // 4, match.group(2)
        del folders[depth:]
        if name.endswith("/"):
            folders.append(name)
        elif name.endswith(".py"):
            found.add("".join(folders) + name)
    return found


def test_the_layout_tree_lists_every_module() -> None:
    code, documented = code_modules(), documented_modules()
    assert not code - documented, f"missing from docs/architecture.md: {sorted(code - documented)}"
    assert not documented - code, f"in docs but not in code: {sorted(documented - code)}"
