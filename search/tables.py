"""The search's own tables: everyday words admins add, the search log and its switches."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.kernel.tables import User


class EverydayWord(Table, tablename="se_everyday_word"):
    """An everyday word ("dagis") and the taxonomy words it stands for, added in the back office.

    ``word`` is stored normalised (NFC, casefolded); ``targets`` holds the taxonomy words,
    separated by spaces, most typical first. The built-in words (`search/data/everyday.tsv`)
    are not rows: a row adds a word the file lacks.
    """

    id: Serial
    word = Varchar(length=60, unique=True)
    targets = Varchar(length=400)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class SearchLog(Table, tablename="se_search_log"):
    """One slot search typed on a page, kept for SEARCH_LOG_DAYS (`search/usage.py`).

    ``words`` are the query's words as the search normalises them, with everything that could
    name or identify a person taken out first (see `usage.clean_words`); ``reference`` is the random
    reference the result links carry, so that a later open or proposal is tied to this search.
    ``searcher`` is a keyed hash (HMAC-SHA256 with the app's secret) of the signed-in user, or
    empty for a visitor: the user id itself is never stored.
    """

    id: Serial
    reference = Varchar(length=24, unique=True)
    words = Varchar(length=200, index=True)
    hits = Integer(default=0)
    filtered = Boolean(default=False)
    searcher = Varchar(length=32, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class SearchEvent(Table, tablename="se_search_event"):
    """What a search led to: a slot opened ("open") or proposed ("propose") from its results.

    ``group_id`` is the slot's SSYK-4 group (taxonomy id) when it was proposed, so the learned
    lift needs no join with slots. At most one row per search, slot and kind.
    """

    id: Serial
    search = ForeignKey(SearchLog, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=10)
    slot_id = Integer()
    group_id = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class SearchSwitch(Table, tablename="se_search_switch"):
    """An admin's on/off switch for a search feature (today: ``learned_lift``).

    No row means on; the setting of the same name can still turn the feature off everywhere.
    """

    id: Serial
    name = Varchar(length=40, unique=True)
    enabled = Boolean(default=True)
    changed_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamptz(default=TimestamptzNow())
