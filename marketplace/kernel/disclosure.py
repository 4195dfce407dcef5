"""The small-cell rule's building blocks: no published figure may rest on fewer than five
persons. `admin.services.disclosure` applies them to every report (and documents the rule);
the host ledger applies them for analysts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MIN_PERSONS = 5
SUPPRESSED_TEXT = "färre än 5"


def is_small(value: int | None) -> bool:
    """A count that must not be shown: 1–4 persons."""
    return value is not None and 0 < value < MIN_PERSONS


class Cells:
    """The cells of one report: hide by path, then read back the published values."""

    def __init__(self, values: dict[str, int | float | None]) -> None:
        self.values = values
        self.hidden: set[str] = set()

    def primary(self, *paths: str) -> None:
        for p in paths:
            value = self.values[p]
            if isinstance(value, int) and is_small(value):
                self.hidden.add(p)

    def group(self, total: str | None, parts: Sequence[str]) -> None:
        """`total` = sum of `parts` (paths; a part may be a cell that is never shown)."""
        if not any(p in self.hidden for p in parts):
            return
        shown = [
            p for p in parts if p not in self.hidden and int(self.values[p] or 0) >= MIN_PERSONS
        ]
        if shown:
            self.hidden.add(min(shown, key=lambda p: (int(self.values[p] or 0), p)))
        elif total is not None:
            self.hidden.add(total)

    def partial(self, path: str, parts: Sequence[str]) -> None:
        """A shown sum of some parts: hidden when one of its parts is."""
        if any(p in self.hidden for p in parts):
            self.hidden.add(path)

    def share(self, path: str, numerator: str | None, denominator: str) -> None:
        if self.values[path] is None:  # nothing to count: shown as such, not as hidden
            return
        small = int(self.values[denominator] or 0) < MIN_PERSONS
        if small or denominator in self.hidden or (numerator and numerator in self.hidden):
            self.hidden.add(path)

    def depends(self, path: str, on: str) -> None:
        if on in self.hidden:
            self.hidden.add(path)

    def get(self, path: str) -> Any:
        return None if path in self.hidden else self.values[path]

    def paths(self) -> list[str]:
        return sorted(self.hidden)
