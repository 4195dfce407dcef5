"""Print the packages' modules as a tree, one line per module with its docstring's first line.

Used to write the "Layout" tree in docs/architecture.md; `tests/test_architecture_doc.py`
checks that every module is listed there. Run: `.venv/bin/python scripts/module_tree.py`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("marketplace", "employers", "placements", "search", "admin", "participants")
SKIP = {"piccolo_migrations", "__pycache__", "templates", "static", "data", "locale"}


def summary(path: Path) -> str:
    """The first line of the module's docstring, or an empty string."""
    doc = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def holds_code(folder: Path) -> bool:
    return folder.name not in SKIP and any(folder.rglob("*.py"))


def tree(folder: Path, depth: int) -> list[str]:
    """The folder's modules, then its subpackages, four spaces deeper per level."""
    pad = "    " * depth
    lines = [f"{pad}{p.name}  {summary(p)}".rstrip() for p in sorted(folder.glob("*.py"))]
    for sub in sorted(d for d in folder.iterdir() if d.is_dir() and holds_code(d)):
        lines.append(f"{pad}{sub.name}/")
        lines += tree(sub, depth + 1)
    return lines


def main() -> int:
    for package in PACKAGES:
        print(f"{package}/")
        print("\n".join(tree(ROOT / package, 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
