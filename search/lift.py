"""The learned lift: when searches with the same words keep leading to proposals for one
occupation group (SSYK-4), later searches with those words lift that group a little.

The evidence is the search log (`search/usage.py`), so it is never older than SEARCH_LOG_DAYS.
For the words W and a group G:

- n: proposals made from W's results for slots of G (one per search and slot),
- m: distinct searchers (keyed hashes) who made them,
- share: n over all proposals made from W's results.

W lifts G when n ≥ SEARCH_LIFT_MIN_PROPOSALS (5), m ≥ SEARCH_LIFT_MIN_SEARCHERS (3) and
share ≥ SEARCH_LIFT_MIN_SHARE percent (60; more than half, so words lift one group at most).
Several coordinators must agree, so one person's habit never teaches the search.

The lift is a post-step after the index's ranking, never part of it (`search/services.py`
`run_search`): the index's best `POOL` hits are re-scored, each hit of G multiplied by
1 + `MAX_LIFT` × share (at most +15 %), and re-sorted, ties keeping the index's order; hits
below `POOL` keep their places, so every page of a search agrees with the others. Each lifted
hit says why. With the lift off (SEARCH_LIFT=false, or the admin switch at
`/drift/sokningar/lyft`), and for words without a learned pair, the results are exactly the
index's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

import msgspec

from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.settings import Settings, get_settings
from marketplace.reference import taxonomy
from placements.services import current_change
from search.schemas import Hit, SearchQuery, SearchResult, SlotCard, Why
from search.tables import SearchEvent, SearchSwitch
from search.usage import LEARNING_COUNTER, learning_changed, query_key

SWITCH = "learned_lift"
MAX_LIFT = 0.15
# The lift re-sorts the best hits only: the first three pages of the site (ten hits each).
# A larger pool makes the index explain and rerank more hits (50: about +1.5 ms p50 at 100k).
POOL = 30


class LearnedPair(msgspec.Struct, frozen=True):
    """Words that lift an occupation group, with the evidence."""

    words: str
    group_id: str
    proposals: int
    searchers: int
    share: float  # of the words' proposals, 0–1

    @property
    def group_label(self) -> str:
        group = taxonomy.groups().get(self.group_id)
        return group.label if group else self.group_id

    @property
    def ssyk(self) -> str:
        group = taxonomy.groups().get(self.group_id)
        return group.ssyk if group else ""


async def learned_pairs(settings: Settings) -> list[LearnedPair]:
    """Every (words, group) pair whose evidence passes the thresholds, most proposals first."""
    rows = await SearchEvent.raw(
        "SELECT s.words AS words, e.group_id AS group_id, COUNT(*) AS n,"
        " COUNT(DISTINCT s.searcher) AS m"
        " FROM se_search_event e JOIN se_search_log s ON s.id = e.search"
        " WHERE e.kind = 'propose' AND s.searcher <> ''"
        " GROUP BY s.words, e.group_id"
    )
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[r["words"]] += int(r["n"])
    pairs = [
        LearnedPair(
            words=r["words"],
            group_id=r["group_id"],
            proposals=int(r["n"]),
            searchers=int(r["m"]),
            share=round(int(r["n"]) / totals[r["words"]], 4),
        )
        for r in rows
        if r["group_id"]
        and int(r["n"]) >= settings.search_lift_min_proposals
        and int(r["m"]) >= settings.search_lift_min_searchers
        and int(r["n"]) * 100 >= settings.search_lift_min_share * totals[r["words"]]
    ]
    pairs.sort(key=lambda p: (-p.proposals, p.words))
    return pairs


# --- the switch ------------------------------------------------------------------------------


async def switch_on() -> bool:
    """The admin switch (on unless an admin turned it off)."""
    row = await SearchSwitch.select(SearchSwitch.enabled).where(SearchSwitch.name == SWITCH).first()
    return True if row is None else bool(row["enabled"])


async def lift_active(settings: Settings | None = None) -> bool:
    """Whether searches are lifted: the setting allows it and the admin switch is on."""
    settings = settings or get_settings()
    return settings.search_lift and await switch_on()


async def set_switch(user: AuthUser, enabled: bool) -> bool:
    """Turn the lift on or off for every worker (audited); True if that changed anything."""
    async with write_transaction(SearchSwitch._meta.db):
        row = await SearchSwitch.select().where(SearchSwitch.name == SWITCH).first()
        current = True if row is None else bool(row["enabled"])
        if current == enabled:
            return False
        if row is None:
            await SearchSwitch.insert(
                SearchSwitch(name=SWITCH, enabled=enabled, changed_by=user.id)
            )
        else:
            await SearchSwitch.update(
                {SearchSwitch.enabled: enabled, SearchSwitch.changed_by: user.id}
            ).where(SearchSwitch.id == row["id"])
        await learning_changed()
        action = "search_lift.on" if enabled else "search_lift.off"
        await record(user, action, None, subject_type="search_lift", detail=SWITCH)
    return True


# --- one worker's lift -----------------------------------------------------------------------


class Lift:
    """One worker's learned pairs, reloaded when the learning counter moves."""

    def __init__(self) -> None:
        self.version = -1
        self.pairs: dict[str, LearnedPair] = {}

    async def refresh_if_moved(self, *, force: bool = False) -> None:
        """Reload the pairs if the learning counter moved since the last load (or `force`)."""
        version = await current_change(LEARNING_COUNTER)
        if version == self.version and not force:
            return
        settings = get_settings()
        active = await lift_active(settings)
        self.pairs = {p.words: p for p in await learned_pairs(settings)} if active else {}
        self.version = version

    def pair_for(self, q: str) -> LearnedPair | None:
        """The learned pair for the query's words, if any (and the lift is on)."""
        if not self.pairs or not q:
            return None
        return self.pairs.get(query_key(q))


def group_of(occupation_id: str | None) -> str:
    occupation = taxonomy.occupation(occupation_id) if occupation_id else None
    return occupation.group_id if occupation else ""


def lifted(
    run: Callable[[SearchQuery], SearchResult],
    query: SearchQuery,
    docs: Mapping[int, SlotCard],
    pair: LearnedPair,
) -> SearchResult:
    """The page `query` asks for, with the hits of the pair's group lifted among the best."""
    want = query.offset + query.limit
    pool = run(msgspec.structs.replace(query, offset=0, limit=max(POOL, want)))
    boost = 1.0 + MAX_LIFT * pair.share
    why = Why(term=pair.group_label, field="occupation", match="learned")
    head: list[Hit] = []
    for hit in pool.hits[:POOL]:
        doc = docs.get(hit.slot_id)
        if doc is not None and group_of(doc.occupation_id) == pair.group_id:
            hit = msgspec.structs.replace(
                hit, score=round(hit.score * boost, 4), why=[*hit.why, why]
            )
        head.append(hit)
    head.sort(key=lambda h: -h.score)  # stable: equal scores keep the index's order
    hits = [*head, *pool.hits[POOL:]][query.offset : want]
    return SearchResult(total=pool.total, hits=hits)
