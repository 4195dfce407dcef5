"""The small-cell rule's building blocks: no published figure may rest on fewer than five
persons. `admin.services.disclosure` applies them to every report (and documents the rule);
the host ledger applies them for analysts."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

MIN_PERSONS = 5
# How a hidden cell reads: a count of 1–4 persons says so; any other hidden figure (a count of
# 5 or more hidden so that a small one cannot be worked out from it, a total, a share, a
# median or hours resting on a hidden count) reads "dold": "färre än 5" on it was untrue
# (a total of 12 exits, 200 hours).
SUPPRESSED_TEXT = "färre än 5"
PROTECTED_TEXT = "dold"


def hidden_text(path: str, protected: Collection[str]) -> str:
    """The text of a hidden cell: "dold" when listed in the report's `protected`, else
    "färre än 5"."""
    return PROTECTED_TEXT if path in protected else SUPPRESSED_TEXT


def is_small(value: int | None) -> bool:
    """A count that must not be shown: 1–4 persons."""
    return value is not None and 0 < value < MIN_PERSONS


# Cells to hide in the reports protected in this context however large they are
# (`also_hidden`), and the cells of the reports protected in this context (`recorded_cells`).
_ALSO_HIDDEN: ContextVar[frozenset[str]] = ContextVar("also_hidden", default=frozenset())
_RECORDING: ContextVar[list[Cells] | None] = ContextVar("recording", default=None)


@contextmanager
def also_hidden(paths: Collection[str]) -> Iterator[None]:
    """Within this block, `Cells.primary` also hides the counts at `paths` (a count of zero
    stays shown), and what rests on them follows by the other rules (`slice_hidden` says
    which)."""
    token = _ALSO_HIDDEN.set(frozenset(paths))
    try:
        yield
    finally:
        _ALSO_HIDDEN.reset(token)


@contextmanager
def recorded_cells() -> Iterator[list[Cells]]:
    """The `Cells` made within this block, in a list (read their counts with `counts_of`)."""
    found: list[Cells] = []
    token = _RECORDING.set(found)
    try:
        yield found
    finally:
        _RECORDING.reset(token)


def counts_of(cells: Sequence[Cells]) -> dict[str, int]:
    """The exact counts of persons, by path, in the recorded cells of one report."""
    out: dict[str, int] = {}
    for c in cells:
        for path in c.counts:
            value = c.values.get(path)
            if isinstance(value, int):
                out[path] = value
    return out


def hidden_counts(cells: Sequence[Cells]) -> set[str]:
    """The counts of persons, by path, that the recorded cells of one report hide."""
    return {path for c in cells for path in c.hidden & c.counts}


def slice_hidden(
    slices: Mapping[Any, Mapping[str, int]],
    chosen: Any,
    whole_hidden: Collection[str] = (),
    own_hidden: Mapping[Any, Collection[str]] | None = None,
) -> set[str]:
    """The counts that the slice `chosen` of a filter must hide for the other slices' sake.

    A filter's slices (the tracks, the host kinds, the coordinators) add up to the report
    without it, so the whole minus the shown slices gave a slice's hidden 1–4 (13 ended
    placements, 6 in Kompetens, 5 in Vägledning: Hälsa's "färre än 5" was 2). Each count that
    some slice has at 1–4 is therefore a group over the slices, protected as a report's own
    groups are (`Cells.group`: the smallest shown slice of 5 or more is hidden too, and more
    while the hidden ones could still be told); `slices` holds each slice's counts by path.

    So is a count that some slice hides by its own rules ("dold", beside a small count of its
    own) while the report without the filter shows it: the whole minus the other slices gave
    it back (16 to work in all, 10 in one track: the other track's hidden 6, and its total of
    9 less them its 3 sick). `own_hidden` holds each slice's hidden counts.

    The other way round too: a count that the report without the filter hides as "dold" (to
    protect a small count beside it, `whole_hidden`) is the sum of the slices' counts, so with
    every slice shown the sum gave it back (the 6 at municipal workplaces, hidden beside 2 in
    sheltered work at a company, were all the municipal units'). Unless a slice hides it
    already (a 1–4, or by its own rules), the smallest slice of 5 or more hides it, the same one whichever slice is asked."""
    keys = list(slices)
    own = own_hidden or {}
    paths = {p for counts in slices.values() for p, v in counts.items() if is_small(v)}
    # A count a slice hides by its own rules ("dold", beside a small one) is no sum of the
    # others either, unless the whole hides it too.
    paths |= {p for key in keys for p in own.get(key, ())} - set(whole_hidden)
    parts = [f"slice{i}" for i in range(len(keys))]
    mine = parts[keys.index(chosen)]
    out: set[str] = set()
    for path in paths:
        values: dict[str, int | float | None] = {
            part: slices[key].get(path, 0) for part, key in zip(parts, keys, strict=True)
        }
        values["whole"] = sum(int(v or 0) for v in values.values())
        cells = Cells(values, recorded=False)
        cells.primary(*parts)
        cells.hidden.update(
            part
            for part, key in zip(parts, keys, strict=True)
            if path in own.get(key, ()) and int(values[part] or 0) > 0
        )
        cells.group("whole", parts)
        hides_it = is_small(slices[chosen].get(path)) or path in own.get(chosen, ())
        if mine in cells.hidden and not hides_it:
            out.add(path)
    for path in set(whole_hidden) - paths:
        if any(path in own.get(key, ()) for key in keys):
            continue
        counts = {key: int(slices[key].get(path, 0) or 0) for key in keys}
        large = [key for key in keys if counts[key] >= MIN_PERSONS]
        if large and min(large, key=lambda key: (counts[key], keys.index(key))) == chosen:
            out.add(path)
    return out


class Cells:
    """The cells of one report: hide by path, then read back the published values.

    The rules (`group`, `partial`, `same`, `share`, `depends`) are kept: whenever one hides a
    cell, every rule given so far is applied again until none hides more, so a cell hidden
    for one rule's sake (a part hidden to protect a total, a total hidden because another
    report hides the same figure) is seen by every other rule, whatever order they came in."""

    def __init__(self, values: dict[str, int | float | None], *, recorded: bool = True) -> None:
        self.values = values
        self.hidden: set[str] = set()
        self.counts: set[str] = set()  # the cells that count persons (given to `primary`)
        self.unbounded: set[str] = set()  # counts of 1–4 that must not say so ("dold")
        self._rules: list[Callable[[], None]] = []
        recording = _RECORDING.get()
        if recording is not None and recorded:
            recording.append(self)

    def primary(self, *paths: str) -> None:
        self.counts.update(paths)
        forced = _ALSO_HIDDEN.get()
        before = len(self.hidden)
        for p in paths:
            value = self.values[p]
            if isinstance(value, int) and (is_small(value) or (p in forced and value > 0)):
                self.hidden.add(p)
        if len(self.hidden) > before:
            self._settle()

    def _rule(self, rule: Callable[[], None]) -> None:
        """Apply a new rule, keep it, and if it hid anything apply them all until none does."""
        self._rules.append(rule)
        before = len(self.hidden)
        rule()
        if len(self.hidden) > before:
            self._settle()

    def _settle(self) -> None:
        while True:
            before = len(self.hidden)
            for rule in self._rules:
                rule()
            if len(self.hidden) == before:
                return

    def group(self, total: str | None, parts: Sequence[str]) -> None:
        """`total` = sum of `parts` (paths; a part may be a cell that is never shown, and the
        total one that this report does not show but another does)."""
        self._rule(lambda: self._group(total, parts))

    def _group(self, total: str | None, parts: Sequence[str]) -> None:
        hidden_parts = [p for p in parts if p in self.hidden]
        if not hidden_parts:
            # A total hidden for another figure's sake (another slice's, another report's)
            # would be the sum of its shown parts: the smallest of 5 or more is hidden too.
            if total is not None and total in self.hidden:
                self._hide_shown_part(parts)
            return
        # The total less the shown parts is the sum of the hidden ones: it must hold a small
        # one and one of 5 or more, and a shown total at least two parts, else the smallest
        # shown part of 5 or more is hidden too, or the total.
        one_left = len(hidden_parts) < 2 and total is not None and total not in self.hidden
        if one_left or all(self._small_count(p) for p in hidden_parts):
            self._hide_another(total, parts)
        # "Färre än 5" is 1–4 and "dold" at least 5, so the hidden parts can still add up
        # to exactly what a shown total leaves for them (5 and four 1s in a total of 9).
        while total is not None and total not in self.hidden and self._adds_up(total, parts):
            self._hide_another(total, parts)
        # A hidden total of 1–4 over four hidden parts of at least 1 each is 4, each part 1:
        # the total must not say it is under 5.
        hidden_count = sum(1 for p in parts if p in self.hidden)
        if total in self.hidden and self._small_count(total) and hidden_count >= MIN_PERSONS - 1:
            self.unbounded.add(total)

    def _hide_shown_part(self, parts: Sequence[str]) -> bool:
        shown = [
            p for p in parts if p not in self.hidden and int(self.values[p] or 0) >= MIN_PERSONS
        ]
        if shown:
            self.hidden.add(min(shown, key=lambda p: (int(self.values[p] or 0), p)))
        return bool(shown)

    def _hide_another(self, total: str | None, parts: Sequence[str]) -> None:
        if not self._hide_shown_part(parts) and total is not None:
            self.hidden.add(total)

    def _adds_up(self, total: str, parts: Sequence[str]) -> bool:
        """Whether a reader who knows the shown total and parts could tell each hidden part:
        the rest is the least the hidden parts can be, or the most (all of them 1–4)."""
        hidden = [p for p in parts if p in self.hidden]
        rest = int(self.values[total] or 0) - sum(
            int(self.values[p] or 0) for p in parts if p not in self.hidden
        )
        least = sum(1 if self._small_count(p) else MIN_PERSONS for p in hidden)
        if rest <= least:
            return True
        return all(self._small_count(p) for p in hidden) and rest >= (MIN_PERSONS - 1) * len(hidden)

    def partial(self, path: str, parts: Sequence[str]) -> None:
        """A shown sum of some parts: hidden when one of its parts is. Hidden for another
        figure's sake while its parts are shown, it would be their sum: the smallest part of
        5 or more is hidden too."""
        self._rule(lambda: self._partial(path, parts))

    def _partial(self, path: str, parts: Sequence[str]) -> None:
        if any(p in self.hidden for p in parts):
            self.hidden.add(path)
        elif path in self.hidden:
            self._hide_shown_part(parts)

    def same(self, *paths: str) -> None:
        """One figure published in several cells (follow-ups due at 90 and at 180 days, once
        both have fallen due): hidden in all of them when hidden in one."""
        self._rule(lambda: self._same(paths))

    def _same(self, paths: Sequence[str]) -> None:
        if any(p in self.hidden for p in paths):
            self.hidden.update(paths)

    def share(self, path: str, numerator: str | None, denominator: str) -> None:
        self._rule(lambda: self._share(path, numerator, denominator))

    def _share(self, path: str, numerator: str | None, denominator: str) -> None:
        if self.values[path] is None:  # nothing to count: shown as such, not as hidden
            return
        small = int(self.values[denominator] or 0) < MIN_PERSONS
        if small or denominator in self.hidden or (numerator and numerator in self.hidden):
            self.hidden.add(path)

    def depends(self, path: str, on: str) -> None:
        self._rule(lambda: self._depends(path, on))

    def _depends(self, path: str, on: str) -> None:
        # A cell with nothing to show (no month-end figure for the month) reads "–", not
        # "dold": hidden, it said a figure existed.
        if on in self.hidden and self.values.get(path) is not None:
            self.hidden.add(path)

    def get(self, path: str) -> Any:
        return None if path in self.hidden else self.values[path]

    def paths(self) -> list[str]:
        return sorted(self.hidden)

    def protected_paths(self) -> list[str]:
        """The hidden cells that are not themselves a count of 1–4 persons (they read "dold",
        the others "färre än 5")."""
        return sorted(p for p in self.hidden if not self._small_count(p) or p in self.unbounded)

    def _small_count(self, path: str) -> bool:
        value = self.values.get(path)
        return path in self.counts and isinstance(value, int) and is_small(value)
