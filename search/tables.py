"""The search's own table: everyday words that administrators add to the built-in table."""

from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.tables import User


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
