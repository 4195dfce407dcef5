"""Reports protected together: a figure that two reports publish for the same period and
filters gets one protection, wherever it is shown.

Each report protects its own figures (`protect_<report>`), and a filter's slices are
protected against each other (`marketplace.kernel.disclosure.slice_hidden`). That left the
figures two reports count alike: "Placeringar totalt" in the 85/15 report and "Förslag till
start – Antal" in the lead times are both the placements started in the period, and the
85/15 report hid its 9 for companies (to protect its split) while the lead times showed 9,
which gave the hidden open-workplace figure. A report therefore names the cells that publish
such a figure (`shared`: path → the figure's name, the monthly snapshot's names) and every
report publishing that figure for the same period and filters is protected with it, in one
computation (`Linking`):

- The reports linked, directly or through another, are one component (`Linking.component`):
  today the placements started (85/15, lead times, the host ledger's rows added up) and,
  for one whole month without filters, every figure of the month's snapshot with the report
  it comes from (exits, persons to work or studies, lock-in, ended placements, assessments,
  first proposals).
- A figure hidden in one of them is hidden in all (`also_hidden`), and each report's own
  rules follow: a total hidden there whose parts it shows hides one of them too
  (`Cells.group`). This repeats until nothing more is hidden (`Linking.settle`), so a
  figure's protection is the same whichever report is asked, and whatever order the page
  asks them in.
- The host ledger lists its hosts with their host kind, so its rows of one kind add up to
  the placements started at hosts of that kind, which the 85/15 report and the lead times
  show with that host kind chosen (`shared_by_host_kind`). Its component therefore spans
  every host kind, and the host kinds' slices are protected against each other inside it.
- The filters' slices (tracks, coordinators, host kinds where the component does not span
  them) compare each slice's component, protected as above, and hide by `slice_hidden` until
  no slice hides more (`Linking.forced_for`).

The exact reports are counted once per request (`Linking.exact`); the pages that show many
reports share one `Linking` (`counted_together`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from admin import schemas
from employers.vocabulary import HOST_KINDS
from marketplace.kernel.disclosure import (
    also_hidden,
    counts_of,
    hidden_counts,
    recorded_cells,
    slice_hidden,
)

DIMENSIONS = ("track", "host_kind", "coordinator_id")
"""The filters whose values are slices of the report without them."""


class Linkable(Protocol):
    """What the linking needs of a report (a registry entry, or the monthly snapshot)."""

    @property
    def slug(self) -> str: ...
    @property
    def filters(self) -> frozenset[str]: ...
    @property
    def shared(self) -> Mapping[str, str]: ...
    @property
    def shared_by_host_kind(self) -> Mapping[str, str]: ...
    @property
    def query(self) -> Callable[[schemas.ReportFilters, dt.date | None], Awaitable[Any]]: ...
    @property
    def protect(self) -> Callable[[Any], Any]: ...


@dataclass(frozen=True)
class Figures:
    """A set of figures that is linked but is no registered report (the monthly snapshot):
    its query answers None where it has nothing for the filters."""

    slug: str
    filters: frozenset[str]
    query: Callable[[schemas.ReportFilters, dt.date | None], Awaitable[Any]]
    protect: Callable[[Any], Any]
    shared: Mapping[str, str] = field(default_factory=dict)
    shared_by_host_kind: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class Node:
    """One report over one set of filters (those it does not honour set to None)."""

    slug: str
    key: tuple[str, str, str, str, str]  # the filters as text, for a stable order
    filters: schemas.ReportFilters = field(compare=False)


@dataclass
class Protection:
    """What a report's rules hide of its counts, and the exact counts, by path."""

    counts: dict[str, int]
    hidden: set[str]


Forced = dict[Node, set[str]]


def _node(slug: str, f: schemas.ReportFilters) -> Node:
    key = (str(f.start), str(f.end), str(f.track), str(f.coordinator_id), str(f.host_kind))
    return Node(slug, key, f)


def _with(f: schemas.ReportFilters, **changes: Any) -> schemas.ReportFilters:
    return msgspec.structs.replace(f, **changes)


class Linking:
    """One request's linked protection: the exact reports it counted, by report and filters."""

    def __init__(
        self,
        reports: Iterable[Linkable],
        slice_values: Callable[[str], Awaitable[list[Any]]],
        today: dt.date | None,
    ) -> None:
        self.reports = {r.slug: r for r in reports}
        self.today = today
        self._slice_values = slice_values
        self._exact: dict[Node, Any] = {}
        self._settled: dict[Any, tuple[Forced, dict[Node, Protection]]] = {}

    def node(self, slug: str, f: schemas.ReportFilters) -> Node:
        """The report `slug` over `f`, the filters it does not honour dropped (they change
        nothing it counts: the lock-in flags of companies are every flag)."""
        honoured = self.reports[slug].filters
        return _node(slug, _with(f, **{d: None for d in DIMENSIONS if d not in honoured}))

    async def exact(self, node: Node) -> Any:
        """The report counted exactly (once per `Linking`), None where there is none."""
        if node not in self._exact:
            self._exact[node] = await self.reports[node.slug].query(node.filters, self.today)
        return self._exact[node]

    def _shared(self, node: Node) -> list[tuple[str, tuple[str, Node]]]:
        """The node's cells that publish a linked figure: (path, (figure, filters))."""
        report, f = self.reports[node.slug], node.filters
        out = [(path, (name, _node("", f))) for path, name in report.shared.items()]
        if f.host_kind is None and "host_kind" in report.filters:
            for template, name in report.shared_by_host_kind.items():
                for kind in HOST_KINDS:
                    at = _node("", _with(f, host_kind=kind))
                    out.append((template.format(kind=kind), (name, at)))
        return out

    def _publishers(self, figure: tuple[str, Node]) -> Iterator[Node]:
        """Every report that publishes the figure over those filters."""
        name, at = figure
        f = at.filters
        for slug, report in self.reports.items():
            if name in report.shared.values() and self.node(slug, f) == _node(slug, f):
                yield _node(slug, f)
            by_kind = name in report.shared_by_host_kind.values()
            if by_kind and f.host_kind is not None and "host_kind" in report.filters:
                yield self.node(slug, _with(f, host_kind=None))

    async def component(self, start: Node) -> list[Node]:
        """The reports linked to `start`, directly or through others, that have figures."""
        found: set[Node] = set()
        seen: set[Node] = set()
        todo = [start]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            if await self.exact(node) is None:
                continue
            found.add(node)
            for _, figure in self._shared(node):
                todo.extend(self._publishers(figure))
        return sorted(found)

    def _protect(self, node: Node, forced: set[str]) -> Protection:
        with also_hidden(forced), recorded_cells() as cells:
            self.reports[node.slug].protect(self._exact[node])
        return Protection(counts_of(cells), hidden_counts(cells))

    def settle(self, nodes: Sequence[Node], extra: Forced) -> tuple[Forced, dict[Node, Protection]]:
        """The component's reports protected together: each with the counts `extra` forces
        on it, every linked figure hidden wherever one report hides it, and (where the
        component spans the host kinds) each host kind's counts protected against the other
        kinds'; again until nothing more is hidden. Returns what is forced on each report
        and what each then hides (once per component and `extra`: each of its reports asks
        for the same)."""
        key = (tuple(nodes), frozenset((n, frozenset(p)) for n, p in extra.items() if p))
        if key not in self._settled:
            self._settled[key] = self._settle(nodes, extra)
        return self._settled[key]

    def _settle(
        self, nodes: Sequence[Node], extra: Forced
    ) -> tuple[Forced, dict[Node, Protection]]:
        forced: Forced = {n: set(extra.get(n, ())) for n in nodes}
        families = _host_kind_families(nodes)
        while True:
            protection = {n: self._protect(n, forced[n]) for n in nodes}
            hidden = {
                figure
                for n in nodes
                for path, figure in self._shared(n)
                if path in protection[n].hidden
            }
            grew = False
            for n in nodes:
                for path, figure in self._shared(n):
                    if figure in hidden and path not in protection[n].hidden | forced[n]:
                        forced[n].add(path)
                        grew = True
            for whole, slices in families:
                counts = {kind: protection[n].counts for kind, n in slices.items()}
                own = {kind: protection[n].hidden for kind, n in slices.items()}
                for kind, n in slices.items():
                    more = slice_hidden(counts, kind, protection[whole].hidden, own) - forced[n]
                    if more:
                        forced[n] |= more
                        grew = True
            if not grew:
                return forced, protection

    async def forced_for(self, slug: str, f: schemas.ReportFilters) -> set[str]:
        """The counts the report `slug` over `f` hides beyond its own rules: for the figures
        it shares with other reports, and for the other slices of each filter chosen."""
        node = self.node(slug, f)
        nodes = await self.component(node)
        spans_kinds = any(
            n.slug == slug and n.filters.host_kind != node.filters.host_kind for n in nodes
        )
        extra: Forced = defaultdict(set)
        for dimension in DIMENSIONS:
            if getattr(node.filters, dimension) is None:
                continue
            if dimension == "host_kind" and spans_kinds:
                continue  # protected against each other inside the component
            for n, paths in (await self._across_slices(node, dimension)).items():
                extra[n] |= paths
        forced, _ = self.settle(nodes, extra)
        return set(forced[node])

    async def _across_slices(self, node: Node, dimension: str) -> Forced:
        """What the slice of `node` (one track, host kind or coordinator) hides for the other
        slices' sake: each slice's component is protected as above, and each count that some
        slice hides is a group over the slices (`slice_hidden`), the whole without the
        filter protected as it is; again until no slice hides more. The slices in one order
        whatever the request, so that of two equal slices the same one is hidden."""
        chosen = getattr(node.filters, dimension)
        values = sorted({*await self._slice_values(dimension), chosen}, key=str)

        def moved(n: Node, value: Any) -> Node:
            return self.node(n.slug, _with(n.filters, **{dimension: value}))

        components = {v: await self.component(moved(node, v)) for v in values}
        _, whole = self.settle(await self.component(moved(node, None)), {})
        forced: dict[Any, Forced] = {v: defaultdict(set) for v in values}
        while True:
            protection = {v: self.settle(components[v], forced[v])[1] for v in values}
            grew = False
            for n in components[chosen]:
                if getattr(n.filters, dimension) != chosen:
                    continue  # a report that does not honour the filter
                at = {v: moved(n, v) for v in values}
                if any(at[v] not in protection[v] for v in values):
                    continue
                counts = {v: protection[v][at[v]].counts for v in values}
                own = {v: protection[v][at[v]].hidden for v in values}
                rest = whole.get(moved(n, None))
                whole_hidden = rest.hidden if rest is not None else set()
                for v in values:
                    more = slice_hidden(counts, v, whole_hidden, own) - forced[v][at[v]]
                    if more:
                        forced[v][at[v]] |= more
                        grew = True
            if not grew:
                return forced[chosen]


def _host_kind_families(nodes: Sequence[Node]) -> list[tuple[Node, dict[str, Node]]]:
    """The reports in `nodes` present without a host kind and with every host kind: the
    whole and its slices."""
    by_rest: dict[tuple[str, schemas.ReportFilters], dict[str | None, Node]] = defaultdict(dict)
    for n in nodes:
        by_rest[(n.slug, _with(n.filters, host_kind=None))][n.filters.host_kind] = n
    out = []
    for variants in by_rest.values():
        if None in variants and all(kind in variants for kind in HOST_KINDS):
            out.append((variants[None], {kind: variants[kind] for kind in HOST_KINDS}))
    return out


_CURRENT: ContextVar[Linking | None] = ContextVar("linking", default=None)


@contextmanager
def counted_together(linking: Linking) -> Iterator[Linking]:
    """Within this block, reports published share `linking` (a page of many reports counts
    each report over each set of filters once)."""
    token = _CURRENT.set(linking)
    try:
        yield linking
    finally:
        _CURRENT.reset(token)


def current(today: dt.date | None) -> Linking | None:
    """The `Linking` of the block this runs in, if it counts for the same day."""
    linking = _CURRENT.get()
    return linking if linking is not None and linking.today == today else None
