"""The rows the search selects and passes between its functions, as `TypedDict`s.

As in `placements.rows`: Piccolo hands every row back as `dict[str, Any]`; the search says
which shape it got where it selects (`typing.cast`) and every function after that takes the
shape. A participant's row is `placements.rows.CandidateRow`. `tests/search/test_rows.py`
checks these against the tables. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict


class SlotKeysRow(TypedDict):
    """What a slot is matched against a participant by (`services._SlotKeys.of_row`) and
    where it is. JSON columns are their text."""

    occupation_id: str | None
    title: str
    skills: str
    adaptations: str
    town: str
    description: str
    latitude: float | None
    longitude: float | None


class SlotDocRow(SlotKeysRow):
    """A slot as the index documents it (`services._DOC_COLUMNS`): its columns, and its
    host's name, kind and whether the host is active, read through the host under an alias."""

    id: int
    external_id: str
    kind: str
    tracks: str
    hours_per_week: int | None
    driving_licence: bool
    capacity: int
    start_date: dt.date | None
    end_date: dt.date | None
    published_at: dt.datetime | None
    status: str
    change_seq: int
    host_name: str
    host_kind: str
    host_active: bool
