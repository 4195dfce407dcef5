"""A faster attribute lookup on Piccolo's foreign-key columns, same results.

Piccolo's `ForeignKey.__getattribute__` makes `Booking.slot.title` work (a copy of the column
with the join recorded). Before anything else it asks `name not in dir(self)`, for every
public attribute read on every foreign-key column: `dir()` builds and sorts a list of some
two hundred names each time. Building a query reads such attributes dozens of times, and this
check alone was about 6 % of the test suite's Python time (py-spy, SQLite pass).

The check only matters for a foreign key whose table is a lazy reference that has not yet
been resolved (it then resolves it). The lookup installed here answers directly where the
original's answer is the plain attribute (a private name, or a value that is no column, on a
foreign key that is not such a lazy one) and hands every other case to Piccolo's own method,
so joins, proxy columns and lazy references behave exactly as before.
`tests/marketplace/test_orm_speedups.py` compares the two on every foreign key of every table.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns.base import Column
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.reference import LazyTableReference

__all__ = ["install", "piccolo_getattribute"]

piccolo_getattribute = ForeignKey.__getattribute__
_get = object.__getattribute__


def _fast_getattribute(self: ForeignKey[Any], name: str) -> Any:
    if name[:1] == "_":
        return _get(self, name)  # Piccolo returns these unchanged, unchecked
    try:
        meta = _get(self, "_foreign_key_meta")
    except AttributeError:  # not yet set up (inside __init__)
        return piccolo_getattribute(self, name)
    if not meta.proxy_columns and isinstance(meta.references, LazyTableReference):
        return piccolo_getattribute(self, name)  # may resolve the lazy reference
    value = _get(self, name)
    if isinstance(value, Column):
        return piccolo_getattribute(self, name)  # a join: Piccolo copies the column
    return value


def install() -> None:
    """Put the faster lookup on `ForeignKey` (idempotent)."""
    ForeignKey.__getattribute__ = _fast_getattribute  # type: ignore[method-assign]
