"""The worker's slot search: an in-memory index over published slots, kept fresh.

The database is the truth. Each worker builds its own index at start and then, before every
search, compares the slot change counter (one indexed row) with the value it has seen; if
another worker or process changed slots, it reloads exactly the slots stamped since. A full
rebuild runs in a thread and swaps the index in when done, so a search never waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import json
import logging
import sqlite3
import weakref
from collections.abc import Iterator
from typing import Any, NamedTuple, cast

import msgspec
from piccolo.engine.sqlite import SQLiteEngine

from marketplace.kernel.audit import record_many
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Forbidden, NotFound
from marketplace.kernel.i18n import N_, Translate, swedish
from marketplace.reference import places, taxonomy
from placements import date_rules
from placements.rows import CandidateRow
from placements.services import (
    SLOTS_COUNTER,
    bookings,
    candidates,
    capacity,
    current_slot_change,
    seats_taken,
)
from placements.tables import Booking, Candidate, Slot
from search import lift, text, vocabulary
from search.index import SearchIndex
from search.rows import SlotDocRow, SlotKeysRow
from search.schemas import (
    CandidateMatch,
    CandidateMatches,
    HostBrief,
    SearchHitOut,
    SearchQuery,
    SearchResponse,
    SearchResult,
    SlotCard,
    SlotDoc,
    SlotMatch,
    SlotMatches,
    Why,
    WhyOut,
)
from search.text import FREE_TEXT_STOPWORDS

log = logging.getLogger("marketplace.search")

_DOC_COLUMNS = (
    Slot.id,
    Slot.external_id,
    Slot.title,
    Slot.kind,
    Slot.occupation_id,
    Slot.description,
    Slot.skills,
    Slot.town,
    Slot.latitude,
    Slot.longitude,
    Slot.tracks,
    Slot.adaptations,
    Slot.hours_per_week,
    Slot.driving_licence,
    Slot.capacity,
    Slot.start_date,
    Slot.end_date,
    Slot.published_at,
    Slot.status,
    Slot.change_seq,
    Slot.host.name.as_alias("host_name"),
    Slot.host.kind.as_alias("host_kind"),
    Slot.host.active.as_alias("host_active"),
)

# Rows fetched per query while building, so 100k slots never sit in one result set twice.
_BATCH = 5000


def _json_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return []
    return [str(v) for v in parsed] if isinstance(parsed, list) else []


def _skill_labels(values: list[str]) -> list[str]:
    """Skills are stored as taxonomy IDs or free text; the index wants the words."""
    known = taxonomy.skills()
    return [known.get(v, v) for v in values]


def doc_from_row(row: SlotDocRow, taken: int) -> SlotDoc:
    """The index document of one slot row (joined with its host)."""
    return SlotDoc(
        id=row["id"],
        external_id=row["external_id"],
        title=row["title"],
        kind=row["kind"],
        occupation_id=row["occupation_id"],
        description=row["description"] or "",
        skills=_skill_labels(_json_list(row["skills"])),
        town=row["town"] or "",
        latitude=row["latitude"],
        longitude=row["longitude"],
        host_name=row["host_name"] or "",
        host_kind=row["host_kind"] or "",
        tracks=_json_list(row["tracks"]),
        adaptations=_json_list(row["adaptations"]),
        hours_per_week=row["hours_per_week"],
        driving_licence=bool(row["driving_licence"]),
        open_seats=max(0, int(row["capacity"] or 0) - taken),
        start_date=row["start_date"],
        end_date=row["end_date"],
        published_at=row["published_at"],
    )


def _searchable(row: SlotDocRow) -> bool:
    return row["status"] == "published" and bool(row["host_active"])


async def _doc_batch(condition: Any, after_id: int) -> list[tuple[SlotDocRow, SlotDoc | None]]:
    """Up to _BATCH rows matching `condition` with ids past `after_id`, in id order, each
    with its document (None if it is not searchable)."""
    rows = cast(
        "list[SlotDocRow]",
        await Slot.select(*_DOC_COLUMNS)
        .where(condition & (Slot.id > after_id))
        .order_by(Slot.id)
        .limit(_BATCH),
    )
    taken = await seats_taken([r["id"] for r in rows if _searchable(r)])
    return [(r, doc_from_row(r, taken.get(r["id"], 0)) if _searchable(r) else None) for r in rows]


async def _docs_where(condition: Any) -> list[tuple[SlotDocRow, SlotDoc | None]]:
    """Rows matching `condition`, each with its document (None if it is not searchable)."""
    out: list[tuple[SlotDocRow, SlotDoc | None]] = []
    last_id = 0
    while True:
        batch = await _doc_batch(condition, last_id)
        out.extend(batch)
        if len(batch) < _BATCH:
            return out
        last_id = batch[-1][0]["id"]


def card_of(doc: SlotDoc, shared: dict[str, str] | None = None) -> SlotCard:
    """The card a worker keeps of an indexed slot; `shared` makes equal strings one object."""
    if shared is None:
        shared = {}

    def one(text: str) -> str:
        return shared.setdefault(text, text)

    return SlotCard(
        id=doc.id,
        external_id=doc.external_id,
        title=one(doc.title),
        kind=one(doc.kind),
        town=one(doc.town),
        host_name=one(doc.host_name),
        host_kind=one(doc.host_kind),
        occupation_id=None if doc.occupation_id is None else one(doc.occupation_id),
    )


# A build over fewer slots frees too little to be worth a full garbage collection (0.15 s in
# a large process, paid at every worker start and every test's app start).
RELEASE_AFTER_SLOTS = 5_000
# A catch-up that leaves more dead rows than this, and more than a quarter of the live ones,
# starts a rebuild in the background: at 3,000 slots after ~1,000 re-indexed slots (a
# rebuild of 0.2 s), at 100,000 after 25,000 (~6 s in a thread; searches go on meanwhile).
REBUILD_AFTER_DEAD = 1_000


def _release_freed_memory() -> None:
    """Hand the memory a build freed back to the system (glibc keeps it otherwise)."""
    gc.collect()
    # Not glibc: the allocator keeps it, which is harmless.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# The reasons' words, marked for the participant pages' catalogs: the public search says
# them in the visitor's language (`run_search(query, translate)`), the API in Swedish.
FIELD_SV = {
    "title": N_("titeln"),
    "occupation": N_("yrket"),
    "skills": N_("kompetenserna"),
    "description": N_("beskrivningen"),
    "host": N_("arbetsgivarens namn"),
    "town": N_("orten"),
}
MATCH_SV = {
    "exact": N_("exakt"),
    "folded": N_("utan å, ä och ö"),
    "stem": N_("samma ordstam"),  # an inflection or a derivation: "städare" of "städ"
    "prefix": N_("början av ordet"),
    "typo": N_("stavfel"),
    "compound": N_("del av sammansatt ord"),
    "concept": N_("samma yrkesområde"),
    "learned": N_("ofta föreslaget för de här sökorden"),
}
WHY_MATCHED = N_("Matchade %(term)s i %(where)s (%(how)s)")
WHY_STANDS_FOR = N_("Matchade %(via)s i %(where)s (%(term)s står för %(via)s)")


def why_text(
    term: str, field: str, match: str, via: str = "", translate: Translate = swedish
) -> str:
    """The reason as a sentence a coordinator can repeat: "Matchade lager i titeln (stavfel)";
    an everyday word says what it stood for: "Matchade butikssäljare i titeln (ica står för
    butikssäljare)" (it said "Matchade ica i titeln" of a title without "ica"). In Swedish,
    or in the language of `translate`."""
    where = translate(FIELD_SV[field]) if field in FIELD_SV else field
    if via and via != term:
        return translate(WHY_STANDS_FOR) % {"via": via, "where": where, "term": term}
    how = translate(MATCH_SV[match]) if match in MATCH_SV else match
    return translate(WHY_MATCHED) % {"term": term, "where": where, "how": how}


def why_out(why: Why, translate: Translate = swedish) -> WhyOut:
    """A search reason as the API gives it, with its sentence (in Swedish, or in the
    language of `translate`)."""
    return WhyOut(
        term=why.term,
        field=why.field,
        match=why.match,
        text=why_text(why.term, why.field, why.match, why.via, translate),
    )


class SlotSearch:
    """One worker's index and its freshness bookkeeping."""

    def __init__(self) -> None:
        self.index = SearchIndex()
        self.cards: dict[int, SlotCard] = {}  # what the index holds, to dress hits
        self.seen = -1  # the change number the index reflects; -1 = never built
        self._catch_up_lock = asyncio.Lock()
        self._rebuild_task: asyncio.Task[None] | None = None
        self._marker_conn: sqlite3.Connection | None = None
        self.words_seen = -1  # the added everyday words' version the index uses
        self.learned = lift.Lift()  # the learned lift, a post-step after the index (run_search)

    async def marker(self) -> int:
        """The current change number, read before every search, so it must be cheap.

        Piccolo opens a new SQLite connection (and a thread) per query; on SQLite this reads
        the one counter row through a connection kept open for the purpose instead. In WAL
        mode a reader never blocks or is blocked by the writer, and sees every committed write.
        """
        engine = Slot._meta.db
        if not isinstance(engine, SQLiteEngine):
            return await current_slot_change()
        if self._marker_conn is None:
            self._marker_conn = sqlite3.connect(
                engine.path, check_same_thread=False, isolation_level=None
            )
        row = self._marker_conn.execute(
            "SELECT value FROM pl_change_counter WHERE name = ?", (SLOTS_COUNTER,)
        ).fetchone()
        return int(row[0]) if row else 0

    @property
    def ready(self) -> bool:
        return self.seen >= 0

    async def rebuild(self) -> None:
        """Build a fresh index from the database and swap it in; searches go on meanwhile."""
        marker = await self.marker()
        words_version = await vocabulary.words_version()
        words = await vocabulary.added_words()
        fresh = SearchIndex()
        cards: dict[int, SlotCard] = {}
        loop = asyncio.get_running_loop()

        def stream() -> Iterator[SlotDoc]:
            # The build (in a thread) pulls one batch at a time from the event loop, so that
            # only one batch of rows and documents lives at once: the index keeps what it
            # needs, and the memory of each batch is reused by the next (RESULTS.md, memory).
            shared: dict[str, str] = {}
            last_id = 0
            while True:
                batch = asyncio.run_coroutine_threadsafe(
                    _doc_batch(Slot.status == "published", last_id), loop
                ).result()
                for _, doc in batch:
                    if doc is not None:
                        cards[doc.id] = card_of(doc, shared)
                        yield doc
                if len(batch) < _BATCH:
                    return
                last_id = batch[-1][0]["id"]

        await asyncio.to_thread(fresh.build, stream())
        if len(cards) >= RELEASE_AFTER_SLOTS:
            await asyncio.to_thread(_release_freed_memory)
        fresh.set_added_words(words)
        async with self._catch_up_lock:
            self.index = fresh
            self.cards = cards
            self.seen = marker
            self.words_seen = words_version
        await self.learned.refresh_if_moved(force=True)
        # Writes that landed while building are stamped after `marker`.
        await self.catch_up()
        log.info("search index built: %d published slots", len(cards))

    def rebuild_in_background(self) -> asyncio.Task[None]:
        """Start a rebuild unless one is running; return its task. A failed one is logged
        (the index in use stays as it was, and the next catch-up tries again)."""
        if self._rebuild_task is None or self._rebuild_task.done():
            self._rebuild_task = asyncio.create_task(self.rebuild())
            self._rebuild_task.add_done_callback(_log_failed_rebuild)
        return self._rebuild_task

    async def stop_rebuild(self) -> None:
        """Cancel a rebuild running in the background (the worker is stopping)."""
        task = self._rebuild_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def catch_up(self) -> int:
        """Apply every slot change since the last one seen; return how many slots moved."""
        marker = await self.marker()
        if marker == self.seen:
            return 0
        async with self._catch_up_lock:
            if marker <= self.seen:
                return 0
            pairs = await _docs_where(Slot.change_seq > self.seen)
            for row, doc in pairs:
                if doc is None:
                    self.index.remove(row["id"])
                    self.cards.pop(row["id"], None)
                else:
                    self.index.upsert(doc)
                    self.cards[doc.id] = card_of(doc)
            self.seen = max([marker, *(int(r["change_seq"]) for r, _ in pairs)])
            # Everyday words added or removed in the back office move the same marker.
            words_version = await vocabulary.words_version()
            if words_version != self.words_seen:
                self.index.set_added_words(await vocabulary.added_words())
                self.words_seen = words_version
            # So do the search log's proposals and the lift's switch (`search/lift.py`).
            await self.learned.refresh_if_moved()
            if self.index.dead_rows > max(REBUILD_AFTER_DEAD, len(self.index) // 4):
                # Every booking's move re-indexes its slot (open seats change), and each
                # re-indexed slot leaves a dead row: without a rebuild now and then a worker's
                # index grows, and its searches slow, for as long as it runs.
                self.rebuild_in_background()
            return len(pairs)

    async def fresh(self) -> None:
        """Build the index if it was never built, else catch up with every change."""
        if not self.ready:
            await self.rebuild()
        else:
            await self.catch_up()

    async def search(self, query: SearchQuery) -> SearchResult:
        """Rank published slots for the query, after catching up with every change."""
        await self.fresh()
        return self.index.search(query)


def _log_failed_rebuild(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("search index rebuild failed", exc_info=task.exception())


_searches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SlotSearch] = (
    weakref.WeakKeyDictionary()
)


def slot_search() -> SlotSearch:
    """This worker's search: one index per event loop, which is one per worker process.

    Keying by loop rather than by process keeps the asyncio lock inside one loop even when
    several apps run in one process on their own loops (the test client does that).
    """
    loop = asyncio.get_running_loop()
    search = _searches.get(loop)
    if search is None:
        search = _searches[loop] = SlotSearch()
    return search


# --- matching both ways (coordinators only) -------------------------------------------------


def _why(term: str, field: str, match: str, text: str) -> WhyOut:
    return WhyOut(term=term, field=field, match=match, text=text)


def _occupation_label(occupation_id: str | None) -> str:
    occ = taxonomy.occupation(occupation_id) if occupation_id else None
    return occ.label if occ else ""


def _group_of(occupation_id: str | None) -> str:
    occ = taxonomy.occupation(occupation_id) if occupation_id else None
    return occ.group_id if occ else ""


def _fold_words(texts: list[str]) -> set[str]:
    return {w for t in texts for w in text.tokenize(text.fold(text.normalize(t))) if len(w) > 2}


def _interest_words(interests: str) -> set[str]:
    """The folded content words of a participant's free-text interests: the function and
    filler words of free text ("och", "gillar", "saker") are no interest, and matched slot
    titles on "och" ("Matchar intresset och i titeln")."""
    words = [w for w in text.tokenize(interests) if w not in FREE_TEXT_STOPWORDS]
    return _fold_words([" ".join(words)])


def _key(label: str) -> str:
    return text.fold(text.normalize(label))


class _ProfileKeys:
    """What scoring compares of one profile, computed once per match, not once per slot."""

    def __init__(self, candidate: CandidateProfile) -> None:
        known = taxonomy.skills()
        self.wished = set(candidate.wished_occupations)
        self.wished_groups = {_group_of(o) for o in candidate.wished_occupations}
        self.skills = {_key(known.get(s, s)): known.get(s, s) for s in candidate.skills}
        self.interests = _interest_words(candidate.interests)
        self.adaptations = {_key(a): a for a in candidate.adaptations}
        self.languages = _language_keys(candidate.languages)


# Swedish is the working language of nearly every slot: it tells nothing about a match.
_WORKING_LANGUAGE = "svenska"


def _language_keys(language_ids: list[str]) -> dict[str, str]:
    """Folded word -> label for each language other than Swedish; both halves of "A/B"
    labels ("Persiska/Farsi") count."""
    labels = taxonomy.languages()
    out: dict[str, str] = {}
    for language_id in language_ids:
        label = labels.get(language_id)
        if label is None:
            continue
        for name in label.split("/"):
            key = _key(name.strip())
            if key and key != _WORKING_LANGUAGE:
                out[key] = label
    return out


class _SlotKeys:
    """What scoring compares of one slot (a database row or an index document)."""

    def __init__(
        self,
        occupation_id: str | None,
        title: str,
        skills: list[str],
        adaptations: list[str],
        town: str,
        description: str = "",
    ) -> None:
        known = taxonomy.skills()
        self.occupation_id = occupation_id
        self.skill_labels = [known.get(s, s) for s in skills]
        self.skills = {_key(label) for label in self.skill_labels}
        self.title = title
        self.title_words = _fold_words([title, _occupation_label(occupation_id)])
        self.adaptations = {_key(a) for a in adaptations}
        self.town = town
        self.description = description
        self._words: set[str] | None = None

    def words(self) -> set[str]:
        """Every word of the title, skills and description (folded), computed when asked."""
        if self._words is None:
            self._words = _fold_words([self.title, self.description, *self.skill_labels])
        return self._words

    @classmethod
    def of_row(cls, slot: SlotKeysRow) -> _SlotKeys:
        return cls(
            slot["occupation_id"],
            slot["title"],
            _json_list(slot["skills"]),
            _json_list(slot["adaptations"]),
            slot["town"] or "",
            slot["description"] or "",
        )

    @classmethod
    def of_doc(cls, doc: SlotDoc) -> _SlotKeys:
        return cls(
            doc.occupation_id, doc.title, doc.skills, doc.adaptations, doc.town, doc.description
        )


# Why a slot suits a participant, one frame per kind of reason around the matched word (an
# occupation's or skill's label, a language, a town's distance in km). Swedish for staff; the
# participant's own pages show the frame in their language (participants/babel.cfg) around
# the word, which stays Swedish but for a language's name.
REASON_WISHED = N_("Önskat yrke: %(what)s")
REASON_FIELD = N_("Samma yrkesområde som önskat: %(what)s")
REASON_SKILL = N_("Kompetens som efterfrågas: %(what)s")
REASON_INTEREST = N_("Matchar intresset %(what)s i titeln")
REASON_LANGUAGE = N_("Talar %(what)s, som platsen nämner")
REASON_ADAPTATION = N_("Kan anpassa: %(what)s")
REASON_DISTANCE = N_("%(what)s km från hemorten")
REASON_HOME_TOWN = N_("I hemorten, %(what)s")


class Reason(NamedTuple):
    """One reason: its frame (one of the REASON_ texts) and the word it is about; `language`
    when the word is a language's Swedish name, which a page in another language names in
    its own (`taxonomy.language_name`)."""

    frame: str
    what: str
    language: bool = False


def profile_reasons(
    candidate: _ProfileKeys, slot: _SlotKeys, distance: float | None
) -> tuple[float, list[WhyOut]]:
    """Score one slot against one profile, and say why in words a coordinator can repeat.

    The same function serves both directions, so both give the same explanation structure.
    """
    score, reasons = _profile_reasons(candidate, slot, distance)
    return score, [why for why, _ in reasons]


def _profile_reasons(
    candidate: _ProfileKeys, slot: _SlotKeys, distance: float | None
) -> tuple[float, list[tuple[WhyOut, Reason]]]:
    score = 0.0
    why: list[tuple[WhyOut, Reason]] = []

    def add(term: str, field: str, match: str, frame: str, what: str) -> None:
        reason = Reason(frame, what, language=frame == REASON_LANGUAGE)
        why.append((_why(term, field, match, frame % {"what": what}), reason))

    slot_occ = slot.occupation_id
    if slot_occ and slot_occ in candidate.wished:
        score += 3.0
        label = _occupation_label(slot_occ)
        add(label, "occupation", "exact", REASON_WISHED, label)
    elif slot_occ and _group_of(slot_occ) in candidate.wished_groups:
        score += 1.5
        group = taxonomy.groups().get(_group_of(slot_occ))
        name = group.label if group else "samma SSYK-grupp"
        add(name, "occupation", "concept", REASON_FIELD, name)
    for key, label in candidate.skills.items():
        if key in slot.skills:
            score += 0.75
            add(label, "skills", "exact", REASON_SKILL, label)
    for word in sorted(candidate.interests & slot.title_words):
        score += 0.5
        add(word, "title", "folded", REASON_INTEREST, word)
    if candidate.languages:
        words = slot.words()
        # One reason per language, also when a slot names both halves of "Persiska/Farsi".
        for label in dict.fromkeys(v for k, v in candidate.languages.items() if k in words):
            score += 0.75
            add(label, "description", "exact", REASON_LANGUAGE, label.lower())
    for key, label in candidate.adaptations.items():
        if key in slot.adaptations:
            score += 0.5
            add(label, "adaptations", "exact", REASON_ADAPTATION, label)
    if distance is not None:
        score += max(0.0, 1.0 - distance / 100.0)
        if distance < 0.5:  # "0 km från hemorten" read oddly for a place in the home town
            add(slot.town, "town", "exact", REASON_HOME_TOWN, slot.town)
        else:
            add(slot.town, "town", "exact", REASON_DISTANCE, f"{distance:.0f}")
    return score, why


class CandidateProfile(msgspec.Struct, kw_only=True):
    """What matching needs of a participant: never identity data."""

    id: int
    track: str
    wished_occupations: list[str]
    skills: list[str]
    languages: list[str]
    interests: str
    adaptations: list[str]
    driving_licence: bool
    hours_available: int | None
    point: tuple[float, float] | None
    max_commute_km: int | None


def profile_of(row: CandidateRow) -> CandidateProfile:
    point = None
    if row["latitude"] is not None and row["longitude"] is not None:
        point = (float(row["latitude"]), float(row["longitude"]))
    elif row["home_town"]:
        point = places.place(row["home_town"])
    adaptations = [
        str(a.get("text", ""))
        for a in json.loads(row["adaptations"] or "[]")
        if isinstance(a, dict) and a.get("text")
    ]
    return CandidateProfile(
        id=row["id"],
        track=row["track"],
        wished_occupations=_json_list(row["wished_occupations"]),
        skills=_json_list(row["skills"]),
        languages=_json_list(row["languages"]),
        interests=row["interests"] or "",
        adaptations=adaptations,
        driving_licence=bool(row["driving_licence"]),
        hours_available=row["hours_available"],
        point=point,
        max_commute_km=row["max_commute_km"],
    )


_MATCH_POOL = 200


async def match_slots(
    user: AuthUser, candidate_id: int, *, limit: int, offset: int = 0
) -> SlotMatches:
    """Published slots for one participant, from the profile: wished occupations, skills,
    interests, track, needed adaptations, home and maximum commute, hours and licence.

    The candidate must be visible to the caller (else 404); the read is audited.
    """
    if not user.is_staff:
        raise Forbidden("Bara samordnare matchar deltagare mot platser.")
    row = await candidates.read_row_for(user, candidate_id, "candidate.read")
    profile = profile_of(row)
    keys = _ProfileKeys(profile)
    # Skills, and languages other than Swedish, boost slots that mention them (at half the
    # weight of the query's own words).
    skill_labels = [taxonomy.skills().get(s, s) for s in profile.skills]
    skill_labels += sorted(set(keys.languages.values()))
    occ_words = " ".join(_occupation_label(o) for o in profile.wished_occupations)
    # The wished occupations first: the index reads a query's first MAX_QUERY_WORDS words,
    # so long interests cannot push them out. The trailing space: these words are complete.
    query = SearchQuery(
        q=" ".join(w for w in (occ_words, profile.interests[:200]) if w).strip()[:500] + " ",
        limit=_MATCH_POOL,
        track=profile.track,
        near=profile.point if profile.max_commute_km else None,
        radius_km=float(profile.max_commute_km)
        if profile.max_commute_km and profile.point
        else None,
        max_hours=profile.hours_available,
        no_driving_licence=not profile.driving_licence,
        occupation_ids=profile.wished_occupations,
        skill_labels=skill_labels,
    )
    search = slot_search()
    result = await search.search(query)
    # The hits' whole documents from the database (a worker keeps only cards of its slots).
    ids = [hit.slot_id for hit in result.hits]
    docs = {
        doc.id: doc
        for _, doc in await _docs_where(Slot.id.is_in(ids) if ids else Slot.id < 0)
        if doc is not None
    }
    matches: list[SlotMatch] = []
    for hit in result.hits:
        doc = docs.get(hit.slot_id)
        if doc is None:
            continue
        distance = _distance(profile.point, doc.latitude, doc.longitude)
        score, why = profile_reasons(keys, _SlotKeys.of_doc(doc), distance)
        search_why = [why_out(w) for w in hit.why]
        matches.append(
            SlotMatch(
                id=doc.id,
                external_id=doc.external_id,
                title=doc.title,
                kind=doc.kind,
                town=doc.town,
                host=HostBrief(name=doc.host_name, kind=doc.host_kind),
                score=round(score + hit.score, 4),
                open_seats=doc.open_seats,
                why=why + [w for w in search_why if w.field not in {x.field for x in why}],
                distance_km=None if distance is None else round(distance, 1),
            )
        )
    matches.sort(key=lambda m: (-m.score, m.id))
    return SlotMatches(
        candidate_id=candidate_id,
        total=len(matches),
        results=matches[offset : offset + limit],
    )


def _distance(
    point: tuple[float, float] | None, latitude: float | None, longitude: float | None
) -> float | None:
    if point is None or latitude is None or longitude is None:
        return None
    return places.haversine_km(point[0], point[1], latitude, longitude)


async def match_candidates(
    user: AuthUser, slot_id: int, *, limit: int, offset: int = 0
) -> CandidateMatches:
    """Active participants the caller may see who suit one slot, best first, with reasons.

    Hard limits first (track, licence, hours, commute), then the same scoring as the other
    direction. Each participant shown is an audited read.
    """
    if not user.is_staff:
        raise Forbidden("Bara samordnare matchar platser mot deltagare.")
    slot = cast(
        "SlotDocRow | None", await Slot.select(*_DOC_COLUMNS).where(Slot.id == slot_id).first()
    )
    if slot is None or slot["status"] in {"draft", "closed"}:
        raise NotFound("Platsen finns inte eller är inte öppen.")
    coordinators = await candidates.visible_coordinator_ids(user)
    query = Candidate.select().where(
        (Candidate.status == "active") & Candidate.anonymised_at.is_null()
    )
    if coordinators is not None:
        query = query.where(Candidate.coordinator.is_in(coordinators or [0]))
    tracks = set(_json_list(slot["tracks"]))
    slot_keys = _SlotKeys.of_row(slot)
    # Those proposed for or placed on this slot already (a second proposal is refused): a
    # helper saw one listed as suiting the slot they were booked on for the spring.
    here = {
        int(r["candidate"])
        for r in await Booking.select(Booking.candidate).where(
            (Booking.slot == slot_id) & Booking.status.is_in(list(bookings.OPEN_ON_SLOT))
        )
    }
    scored: list[tuple[float, CandidateRow, list[WhyOut], float | None]] = []
    for row in cast("list[CandidateRow]", await query):
        if row["id"] in here:
            continue
        profile = profile_of(row)
        if tracks and profile.track not in tracks:
            continue
        if slot["driving_licence"] and not profile.driving_licence:
            continue
        hours = slot["hours_per_week"]
        if hours and profile.hours_available and profile.hours_available < hours:
            continue
        distance = _distance(profile.point, slot["latitude"], slot["longitude"])
        if distance is not None and profile.max_commute_km and distance > profile.max_commute_km:
            continue
        score, why = profile_reasons(_ProfileKeys(profile), slot_keys, distance)
        if score > 0:
            scored.append((score, row, why, distance))
    # A participant already placed during the slot's coming period (as a proposal would
    # have it by default) is said so, after the free ones: proposing them was refused.
    today = date_rules.rules_today()
    start = max(slot["start_date"] or today, today)
    end = slot["end_date"] or start + bookings.DEFAULT_LENGTH
    placed = await capacity.placed_during([row["id"] for _, row, _, _ in scored], start, end)
    scored.sort(key=lambda item: (item[1]["id"] in placed, -item[0], item[1]["id"]))
    page = scored[offset : offset + limit]
    async with write_transaction(Candidate._meta.db):
        await record_many(
            user, "candidate.match", [row["id"] for _, row, _, _ in page], detail=f"slot {slot_id}"
        )
    return CandidateMatches(
        slot_id=slot_id,
        total=len(scored),
        results=[
            CandidateMatch(
                id=row["id"],
                name=f"{row['first_name']} {row['last_name']}",
                track=row["track"],
                score=round(score, 4),
                why=why,
                distance_km=None if distance is None else round(distance, 1),
                placed=placed.get(row["id"]),
            )
            for score, row, why, distance in page
        ],
    )


async def run_search(query: SearchQuery, translate: Translate = swedish) -> SearchResponse:
    """Search and dress the hits for the API (shared by the API and the pages); the reasons'
    sentences are Swedish, or in the language of `translate` (the public search page).

    The learned lift is a post-step after the index's ranking: for words with a learned pair
    it re-sorts the best hits (`lift.lifted`); for all other words, or with the lift off, the
    hits are exactly the index's.
    """
    search = slot_search()
    await search.fresh()
    pair = search.learned.pair_for(query.q)
    if pair is None:
        result = search.index.search(query)
    else:
        result = lift.lifted(search.index.search, query, search.cards, pair)
    results = []
    for hit in result.hits:
        # The index's own document: the search just caught up, so it is as fresh as the DB.
        doc = search.cards.get(hit.slot_id)
        if doc is None:
            continue
        results.append(
            SearchHitOut(
                id=hit.slot_id,
                external_id=doc.external_id,
                title=doc.title,
                kind=doc.kind,
                town=doc.town,
                host=HostBrief(name=doc.host_name, kind=doc.host_kind),
                score=round(hit.score, 4),
                why=[why_out(w, translate) for w in hit.why],
                distance_km=None if hit.distance_km is None else round(hit.distance_km, 1),
            )
        )
    return SearchResponse(total=result.total, results=results)


def reasons_for_slot(candidate_row: CandidateRow, slot_row: SlotKeysRow) -> list[Reason]:
    """Why a slot suits a participant, in the matching's own words: what the participant's
    own pages show beside a proposal, each reason's frame in their language around its
    word. The caller has read (and audited) the row."""
    profile = profile_of(candidate_row)
    distance = _distance(profile.point, slot_row["latitude"], slot_row["longitude"])
    _, why = _profile_reasons(_ProfileKeys(profile), _SlotKeys.of_row(slot_row), distance)
    return [reason for _, reason in why]
