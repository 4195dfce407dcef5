"""Small-cell suppression: no published figure may rest on fewer than five persons.

Every report, chart, export and API answer that shows aggregates passes its report through
its registry entry's `protect` (`admin.reports.registry`; each report's `protect_<report>`
lives in its module in `admin.reports`, beside the query it protects), and snapshots through
`protect_snapshot()` here, each together with the reports that publish the same figures
(`Report.published`, `published_snapshot`: `admin.reports.linking`, "One figure, one
protection" below); the cell rules themselves live in `marketplace.kernel.disclosure` (so
that the host ledger, in `placements`, uses the same ones for analysts). The queries count
exactly (tests and the monthly snapshot need that); what leaves the service is protected.
This module holds the rule's wording for readers (`RULE_NOTE`) and the snapshot's
protection.

The rule (shown on the report pages as `RULE_NOTE`):

1. Primary suppression: a count of 1–4 is hidden ("färre än 5" on pages and in files, `null`
   in JSON with the cell's path listed in the report's `suppressed`). Zero is shown: it
   singles no one out. Every other hidden figure (by rules 2 and 3) reads "dold" and is also
   listed in the report's `protected`: "färre än 5" on a hidden total of 12 was untrue.
2. Figures that rest on a hidden or small count are hidden too: a share whose numerator is
   hidden or whose denominator is under 5, a median of fewer than 5 values, the hours of a
   host with a hidden number of placements, a snapshot of a month whose count is hidden.
3. Against differencing, a count that is the sum of shown parts (a total, or a partial sum
   such as "to work or studies" = work + studies) is treated as a group: when a part is
   hidden, the smallest shown part of 5 or more is hidden as well (complementary
   suppression), so the total minus the shown parts is the sum of at least one small and
   one larger unknown and does not give the small one. When no such part exists, the total
   is hidden instead. A partial sum with a hidden part is hidden. The other way round, a
   total or partial sum hidden for another figure's sake (another slice's, another
   report's) hides its smallest shown part of 5 or more, or it would be their sum. The
   rules are applied again until none hides more, so that what one hides the others see
   (`marketplace.kernel.disclosure.Cells`). The texts bound what they
   hide ("färre än 5" is 1–4 and zero is shown, so at least 1; a part hidden as "dold" is at
   least 5): while the hidden parts at their least (or, all of 1–4, at their most) add up to
   what the total leaves for them (5 and four 1s in a total of 9), one more part is hidden,
   or the total. A hidden total of 1–4 over four hidden parts (each at least 1, so the total
   4 and each part 1) reads "dold", not "färre än 5".

Differencing. Rules 1–3 protect one report; they cannot see the next request. Two reports
whose slices differ by a few persons give those persons by subtraction. The slices are
therefore coarse:

- Filters: track, coordinator and host kind, nothing finer. One track minus another, or a
  coordinator's figures against the whole, is the slice of a whole track or caseload. But a
  filter's slices add up to the whole: the whole minus the other tracks gave a track's
  hidden 1–4 (13 exits, 6 and 5 shown, "färre än 5" = 2). So each count that some slice
  hides (at 1–4, or as "dold" beside a small one of its own while the whole shows it) is a
  group over the filter's slices, protected by rule 3: the smallest other slice of 5 or
  more hides it too ("dold", with what rests on it), and more while the hidden ones could
  still be told. A report filtered to one value counts every value's report, each protected
  with the reports linked to it, to know whether it is that slice, until no slice hides
  more (`admin.reports.linking`, `marketplace.kernel.disclosure.slice_hidden`; the values in
  one order, so that two equal slices are not each shown in turn).
- Periods: whole calendar months only (`admin.reports.filters`, the one rule of the API, its
  exports, `/rapporter`, `/oversikt`, checked again by every report's `published`). Before,
  the period was free: Jan 1–Mar 31 minus Jan 2–Mar 31 gave the exits of Jan 1, however few.
  Now two accepted periods differ by whole months or not at all, and a date inside a month is
  refused (a Swedish 400 naming the month to choose) rather than moved to the month's edge,
  so a figure never seems to cover days it does not.
- The running month counts whole (the default period ends on its last day, and a period
  may end there). Its figures grow as the month goes on, but no request can choose a day
  inside it: the period is the same on the 3rd and on the 30th, and days that have not come
  yet add nothing. The rejected alternative, a period that may end today, is a period that
  ends on a chosen day: "to today" minus "to yesterday", asked at once, gives today's
  events. Leaving the running month out altogether would be safe too, but would hide the
  month the municipality is steering in.

One figure, one protection. Two reports may count the same thing: the placements started in
the period are the 85/15 report's total, the lead times' count from proposal to start, the
host ledger's rows added up (and, without a host kind chosen, its rows of one kind those of
that kind, since each row names its kind) and the own-pages figure's whole on `/oversikt`; a
month's snapshot holds figures of that month's reports without filters (exits, persons to
work or studies, placements, first proposals, lock-in flags, ended placements and returned
assessments). Protected apart, one report hid what the other showed: the 85/15 report hid
its 9 placements at companies to protect its split while the lead times showed 9. A report
names its cells that publish such a figure (`Report.shared`), and the reports linked so are
protected together (`admin.reports.linking`): hidden in one, a figure is hidden in all,
with what their own rules then hide, until nothing more is hidden. The host ledger's rows
are a group under the placements started (rule 3), so a hidden host hides another of 5 or
more or, lacking one, the total in the linked reports; and the rows come in an order that
rests on what is shown (sorted by the exact counts, the order of hidden rows gave them
away). Within one report, the follow-ups due at 90 and at 180 days of the same exits are
one figure once both have fallen due (`Cells.same`), and the overdue are a part of the due.

What remains, and why it is accepted:

- Month against month plus one (Jan–Mar minus Jan–Feb) gives March exactly, a 1–4 count
  included. This is the granularity the rule accepts: a month is the smallest period any
  report shows (to-work-or-studies lists months), the strategy follows its results by month,
  and a count of a month's exits in a whole municipality (at most one track, one
  coordinator's caseload or one host kind) does not point at a person the way a day does,
  where one known fact ("she started on Monday") is enough to recognise someone.
- A reader who asks on two days sees what was added between them (the running month, the
  overdue follow-ups, the hours of ongoing placements, the host ledger in `placements`,
  which has no period and counts up to now). This needs asking on both days, as it happens;
  it cannot be done afterwards for a past day, and it holds for any figure that is kept up to
  date. Analysts are few, named accounts; the reports hold no names.
- Reports count different events (an exit, a placement started, a lock-in flag, an
  application). Where one event follows another by a fixed delay, a month of the one must
  not be the other's months shifted by days, or two reports would difference down to the
  days at the edges. A lock-in flag for a long placement comes whole calendar months after
  the start (`placements.services.lockin.add_months`), so its months line up. Follow-ups
  fall due 90 and 180 days after an exit (the day the placement ended); counted by due day,
  a month of them was a month of exits shifted by days (due in February: exits of 3–30
  November; November's exits minus them gave 1–2 November), so `follow_ups` counts them by
  the month of the exit they follow, and only once they have fallen due (one not yet due is
  neither done nor late). That a follow-up falls due today is one more figure that grows
  from one day to the next, like the overdue ones above.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

import msgspec

from admin import schemas
from marketplace.kernel.disclosure import MIN_PERSONS, SUPPRESSED_TEXT, Cells, is_small

RULE_NOTE = (
    "Sekretess: ett antal på 1–4 personer visas inte, utan som ”färre än 5”. Andelar, "
    "medianer och timmar som bygger på färre än 5 personer eller på en dold siffra visas som "
    "”dold”. När en dold siffra annars kunde räknas fram ur en summa döljs även den minsta "
    "andra siffran i samma summa (eller summan), och också den visas som ”dold”. På samma "
    "sätt räknas spåren, värdtyperna och samordnarna som delar av helheten: döljs en siffra "
    "för ett val, döljs den också för det minsta andra valet. Noll visas."
)


S = TypeVar("S", bound=msgspec.Struct)


def cell_path(key: str, field: str) -> str:
    """A figure's cell path: `key.field` ("months[2026-01].persons"), or the bare field for a
    report's own figures (`key` "")."""
    return f"{key}.{field}" if key else field


def figure_cells(key: str, item: Any, *fields: str) -> dict[str, int | float | None]:
    """The item's figures in `fields` by their cell paths, as `Cells` takes them."""
    return {cell_path(key, f): getattr(item, f) for f in fields}


def shown(cells: Cells, key: str, item: S, *fields: str) -> S:
    """The item with its figures in `fields` as they may be published (a hidden one None)."""
    return msgspec.structs.replace(item, **{f: cells.get(cell_path(key, f)) for f in fields})


def protect_breakdown(
    report: S, *, total: str, subtotal: str, parts: str, key: str, summed: Collection[str]
) -> S:
    """A count (`total`) split into parts (the list `parts`, each a `count` named by its field
    `key`, a category or a setting), some of which (`summed`) add up to `subtotal`, and
    the share `subtotal / total`: the parts are a group against differencing, the subtotal is
    hidden with any of its parts, the share with what it rests on (the exits by category, the
    placements by setting)."""
    items = getattr(report, parts)
    names = {f"{parts}[{getattr(i, key)}]": i for i in items}
    counts = [f"{name}.count" for name in names]
    values = figure_cells("", report, total, subtotal, "share")
    for name, item in names.items():
        values |= figure_cells(name, item, "count")
    cells = Cells(values)
    cells.primary(total, subtotal, *counts)
    cells.group(total, counts)
    cells.partial(subtotal, [f"{n}.count" for n, i in names.items() if getattr(i, key) in summed])
    cells.share("share", subtotal, total)
    return msgspec.structs.replace(
        shown(cells, "", report, total, subtotal, "share"),
        **{parts: [shown(cells, name, item, "count") for name, item in names.items()]},
        suppressed=cells.paths(),
        protected=cells.protected_paths(),
    )


# The snapshot's figures: counts, and shares or medians with what they rest on.
_SNAPSHOT_COUNTS = (
    "persons_to_work_or_studies",
    "exits",
    "exits_to_work_or_studies",
    "placements_started",
    "placements_on_real_workplaces",
    "lock_in_raised",
    "lock_in_open_at_end",
    "ended_placements",
    "assessments_returned",
)
_SNAPSHOT_SHARES = {
    "share_exits_to_work_or_studies": ("exits_to_work_or_studies", "exits"),
    "share_real_workplaces": ("placements_on_real_workplaces", "placements_started"),
    "assessment_return_rate": ("assessments_returned", "ended_placements"),
}


def protect_snapshot(figures: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """A month's fixed figures as they may be published, the names of those hidden, and of
    those the names of the ones that are no count of 1–4 (`Cells.protected_paths`)."""
    cells = Cells(dict(figures))
    cells.primary(*(k for k in _SNAPSHOT_COUNTS if isinstance(figures.get(k), int)))
    complements = {
        "exits_not_to_work": ("exits", "exits_to_work_or_studies"),
        "placements_not_real": ("placements_started", "placements_on_real_workplaces"),
        "assessments_missing": ("ended_placements", "assessments_returned"),
    }
    for name, (whole, part) in complements.items():
        if isinstance(figures.get(whole), int) and isinstance(figures.get(part), int):
            cells.values[name] = figures[whole] - figures[part]
            cells.primary(name)
            cells.group(whole, [part, name])
    for share, (numerator, denominator) in _SNAPSHOT_SHARES.items():
        if share in figures and denominator in figures:
            cells.share(share, numerator, denominator)
    medians = {
        "median_days_registration_to_first_proposal": "first_proposals",
        "median_days_proposal_to_start": "placements_started",
    }
    for median, base in medians.items():
        # A median is shown only when it rests on at least 5 values (older snapshots did
        # not store how many first proposals there were: their median stays hidden).
        count = figures.get(base)
        if figures.get(median) is not None and (
            not isinstance(count, int) or count < MIN_PERSONS or base in cells.hidden
        ):
            cells.hidden.add(median)
    if isinstance(figures.get("first_proposals"), int):
        cells.primary("first_proposals")
    hidden = [p for p in cells.paths() if p in figures]
    protected = [p for p in cells.protected_paths() if p in figures]
    return {k: (None if k in cells.hidden else v) for k, v in figures.items()}, hidden, protected


def protect_kpi_snapshot(snapshot: schemas.KpiSnapshotOut) -> schemas.KpiSnapshotOut:
    figures, hidden, protected = protect_snapshot(snapshot.figures)
    return msgspec.structs.replace(
        snapshot, figures=figures, suppressed=hidden, protected=protected
    )


__all__ = ["MIN_PERSONS", "RULE_NOTE", "SUPPRESSED_TEXT", "is_small"]
