"""The search log: the words slots are searched with, how many hits they found, and which slot
was then opened or proposed. Admins read it to teach the search everyday words
(`/drift/sokningar`), and the learned lift (`search/lift.py`) learns from its proposals.

What is kept, and what never is:

- Only slot searches typed on the pages (`/platser`, `/arbetsbord/platser`), first page only;
  later pages and the hits' links carry the same random reference. The JSON API is not logged
  (other tools call it, nobody opens a slot from it), and the people search
  (`placements/services/people_search.py`) never is.
- The words are normalised as the search reads them (NFC, lower case, punctuation as
  spaces). Before that, e-mail addresses are cut out, and every word holding a digit is
  dropped (personnummer, phone numbers, postcodes, addresses: no occupation word has one).
  Then every word that is a whole word of some participant's or applicant's first or last name
  is dropped (`people_search.name_words_among`, folded, so "asa" goes for Åsa). A query left with no
  words is not logged at all.
- The searcher is a keyed hash: HMAC-SHA256 of the user id with the app's SECRET_KEY, cut to
  128 bits; a visitor who is not signed in has none. The user id itself is never stored, and
  nothing of a participant (a proposal's event names the slot, not the person proposed).
- Rows older than SEARCH_LOG_DAYS are deleted by the `prune-search-log` sweep, with the
  events they led to.
- A script cannot fill the log: one searcher (the keyed hash, or a visitor's address, counted
  in the limiter and never stored) has its searches logged at most `PER_SEARCHER_HOUR` times
  an hour, and the log takes at most `PER_DAY` searches in 24 hours from everyone together.
  A search beyond that is answered as always; it is just not logged.

A reference ties an open or a proposal to its search only within `LINK_HOURS`, and only for
the searcher who made the search (a shared link does not add evidence for someone else).
Writing the log never delays or breaks a page: the pages write it after the answer is sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from typing import Any, Literal

import msgspec

from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import is_sqlite, swedish_order_sql, write_transaction
from marketplace.kernel.ratelimit import limiter_for
from marketplace.kernel.settings import get_settings
from marketplace.reference import taxonomy
from placements.services import SLOTS_COUNTER, take_change
from placements.services.people_search import fold_name, name_words_among
from placements.tables import Slot
from search.tables import SearchEvent, SearchLog
from search.text import normalize

log = logging.getLogger("marketplace.search.usage")

# The change counter a worker's learned lift reloads on (proposals, the switch, pruning).
LEARNING_COUNTER = "search_learning"
LINK_HOURS = 24
MAX_WORDS = 8
MAX_CHARS = 200
# Caps on what the log takes (see the module's text): far above what people type, so a
# flood of scripted searches stops at a bounded number of rows.
PER_SEARCHER_HOUR = 120
PER_DAY = 5000
EventKind = Literal["open", "propose"]

_EMAIL = re.compile(r"\S+@\S+")
_REF = re.compile(r"^[A-Za-z0-9_-]{16}$")


def query_words(q: str) -> list[str]:
    """The words of a query as the log keeps them, before the name check: e-mail addresses
    cut out, normalised, every word with a digit dropped, each word once, at most `MAX_WORDS`.
    """
    words: list[str] = []
    # NFKC first: a full-width "＠" or a small "﹫" is an e-mail's "@" too.
    for word in normalize(_EMAIL.sub(" ", unicodedata.normalize("NFKC", q))).split():
        if any(ch.isdigit() for ch in word) or word in words:
            continue
        words.append(word)
    return words[:MAX_WORDS]


def query_key(q: str) -> str:
    """The words of `q` as one string, as the log groups searches and the lift looks them up."""
    return " ".join(query_words(q))[:MAX_CHARS]


async def clean_words(q: str) -> list[str]:
    """`query_words`, without any word that is a participant's or applicant's first or last
    name."""
    words = query_words(q)
    if not words:
        return []
    names = await name_words_among(words)
    return [w for w in words if fold_name(w) not in names]


def searcher_key(user: AuthUser | None) -> str:
    """The keyed hash that stands for a signed-in searcher in the log ("" for a visitor)."""
    if user is None:
        return ""
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, f"search-log\0{user.id}".encode(), hashlib.sha256).hexdigest()[:32]


def new_ref() -> str:
    """A fresh random reference for one search (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def valid_ref(ref: str | None) -> str | None:
    """`ref` when it is shaped like a reference this module hands out, else None."""
    return ref if ref and _REF.match(ref) else None


async def _over_budget(user: AuthUser | None, address: str, now: dt.datetime) -> bool:
    """Whether this search would go past the log's caps (one searcher's, everyone's)."""
    who = searcher_key(user) or f"visitor:{address or 'unknown'}"
    verdict = await limiter_for(get_settings()).hit(f"search-log:{who}", PER_SEARCHER_HOUR, 3600)
    if not verdict.allowed:
        return True
    since = now - dt.timedelta(days=1)
    if await SearchLog.count().where(SearchLog.created_at >= since) >= PER_DAY:
        log.warning("search log: %s searches in 24 hours, the rest are not logged", PER_DAY)
        return True
    return False


async def record_search(
    ref: str,
    q: str,
    hits: int,
    filtered: bool,
    user: AuthUser | None,
    now: dt.datetime | None = None,
    address: str = "",
) -> bool:
    """Log one search; False when nothing of the query may be kept, or the searcher or the log
    is past its cap (no row is written). `address` is a visitor's, for the cap only."""
    if not query_words(q):
        return False
    now = now or clock.now()
    # The caps first: past them, not even the name check (a scan of the people) is run.
    if await _over_budget(user, address, now):
        return False
    words = await clean_words(q)
    if not words:
        return False
    await SearchLog.insert(
        SearchLog(
            reference=ref,
            words=" ".join(words)[:MAX_CHARS],
            hits=hits,
            filtered=filtered,
            searcher=searcher_key(user),
            created_at=now,
        )
    )
    return True


async def record_search_quietly(
    ref: str, q: str, hits: int, filtered: bool, user: AuthUser | None, address: str = ""
) -> None:
    """`record_search` for a page's background task: a failure is logged, never raised."""
    try:
        await record_search(ref, q, hits, filtered, user, address=address)
    except Exception:  # the log must never break a search
        log.exception("search log: a search could not be recorded")


async def _group_of_slot(slot_id: int) -> str:
    row = await Slot.select(Slot.occupation_id).where(Slot.id == slot_id).first()
    occupation = taxonomy.occupation(row["occupation_id"]) if row and row["occupation_id"] else None
    return occupation.group_id if occupation else ""


async def record_event(
    ref: str | None,
    kind: EventKind,
    slot_id: int,
    user: AuthUser | None,
    now: dt.datetime | None = None,
) -> bool:
    """Tie an open or a proposal of `slot_id` to the search `ref`; True if it was recorded.

    Nothing is recorded for an unknown or stale reference (older than `LINK_HOURS`), for
    someone other than the searcher, for a proposal from a visitor's search, or twice for
    the same search, slot and kind. A proposal moves the learning counter, so every worker's
    lift sees it at its next search.
    """
    ref = valid_ref(ref)
    if ref is None:
        return False
    now = now or clock.now()
    searcher = searcher_key(user)
    group_id = await _group_of_slot(slot_id) if kind == "propose" else ""
    async with write_transaction(SearchLog._meta.db):
        row = (
            await SearchLog.select(SearchLog.id, SearchLog.searcher, SearchLog.created_at)
            .where(SearchLog.reference == ref)
            .first()
        )
        if row is None or _aware(row["created_at"]) < now - dt.timedelta(hours=LINK_HOURS):
            return False
        if row["searcher"] != searcher and (row["searcher"] or kind == "propose"):
            return False
        if await SearchEvent.exists().where(
            (SearchEvent.search == row["id"])
            & (SearchEvent.kind == kind)
            & (SearchEvent.slot_id == slot_id)
        ):
            return False
        await SearchEvent.insert(
            SearchEvent(
                search=row["id"], kind=kind, slot_id=slot_id, group_id=group_id, created_at=now
            )
        )
        if kind == "propose":
            await learning_changed()
    return True


async def record_event_quietly(
    ref: str | None, kind: EventKind, slot_id: int, user: AuthUser | None
) -> None:
    """`record_event` for a page's background task: a failure is logged, never raised."""
    try:
        await record_event(ref, kind, slot_id, user)
    except Exception:  # the log must never break a page
        log.exception("search log: an %s of slot %s could not be recorded", kind, slot_id)


async def learning_changed() -> None:
    """Call inside a write that changes what the lift learns: every worker reloads it."""
    await take_change(LEARNING_COUNTER)
    # Each worker reads only the slot counter before a search; moving it makes them look.
    await take_change(SLOTS_COUNTER)


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def prune(cutoff: dt.datetime) -> int:
    """Delete the searches made before `cutoff`, and what they led to; return how many."""
    async with write_transaction(SearchLog._meta.db):
        await SearchEvent.raw(
            "DELETE FROM se_search_event WHERE search IN "
            "(SELECT id FROM se_search_log WHERE created_at < {})",
            cutoff,
        )
        deleted = (
            await SearchLog.delete().where(SearchLog.created_at < cutoff).returning(SearchLog.id)
        )
        if deleted:
            await learning_changed()
    return len(deleted)


# --- the admin page: searches that found nothing or led nowhere ------------------------------

VIEWS = ("alla", "tomma", "ingenstans")
SORTS = ("antal", "senast", "ord")
_EMPTY = "CASE WHEN s.hits = 0 THEN 1 ELSE 0 END"
_NOWHERE = (
    "CASE WHEN s.hits > 0 AND NOT EXISTS "
    "(SELECT 1 FROM se_search_event e WHERE e.search = s.id) THEN 1 ELSE 0 END"
)
_SHOWN = {
    "alla": f"SUM({_EMPTY}) + SUM({_NOWHERE})",
    "tomma": f"SUM({_EMPTY})",
    "ingenstans": f"SUM({_NOWHERE})",
}
# Each order ends with the words in Swedish alphabetical order.
_ORDER = {"antal": "shown DESC, ", "senast": "last_at DESC, ", "ord": ""}


class MissedWords(msgspec.Struct):
    """One group of logged searches with the same words."""

    words: str
    searches: int  # all searches with these words
    empty: int  # of which found nothing
    nowhere: int  # of which found something, but no slot was opened or proposed from it
    filtered: int  # of which had a filter (town, kind …), so the words may not be to blame
    last_at: dt.datetime


class MissedPage(msgspec.Struct):
    total: int  # groups in all
    rows: list[MissedWords]


async def missed_searches(view: str, sort: str, limit: int, offset: int) -> MissedPage:
    """Groups of searches (by words) that found nothing or led nowhere, one page of them."""
    shown = _SHOWN[view if view in _SHOWN else "alla"]
    order = _ORDER[sort if sort in _ORDER else "antal"] + swedish_order_sql(
        "g.words", is_sqlite(SearchLog._meta.db)
    )
    grouped = (
        "SELECT s.words AS words, COUNT(*) AS searches,"  # noqa: S608 - constant SQL pieces
        f" SUM({_EMPTY}) AS empty, SUM({_NOWHERE}) AS nowhere,"
        " SUM(CASE WHEN s.filtered THEN 1 ELSE 0 END) AS filtered,"
        f" MAX(s.created_at) AS last_at, {shown} AS shown"
        f" FROM se_search_log s GROUP BY s.words HAVING {shown} > 0"
    )
    counted = await SearchLog.raw(f"SELECT COUNT(*) AS n FROM ({grouped}) AS g")  # noqa: S608
    rows = await SearchLog.raw(
        f"SELECT * FROM ({grouped}) AS g ORDER BY {order} LIMIT {{}} OFFSET {{}}",  # noqa: S608
        limit,
        offset,
    )
    return MissedPage(
        total=int(counted[0]["n"]) if counted else 0,
        rows=[
            MissedWords(
                words=r["words"],
                searches=int(r["searches"]),
                empty=int(r["empty"]),
                nowhere=int(r["nowhere"]),
                filtered=int(r["filtered"]),
                last_at=_aware(r["last_at"]),
            )
            for r in rows
        ],
    )
