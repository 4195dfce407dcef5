"""The service's calendar: times are stored in UTC, days follow Sweden.

Everything that asks "what day is it" (deadlines, reports, audit periods, start dates) uses
`today()` so that a request at 00:30 in Vårgårda belongs to the Swedish day, whatever the
server's own time zone is.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def now() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in Sweden."""
    return dt.datetime.now(STOCKHOLM).date()


def local_date(value: dt.datetime) -> dt.date:
    """The Swedish calendar day of a timestamp (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(STOCKHOLM).date()


def moment_text(value: dt.datetime) -> str:
    """A moment as running Swedish text says it, in Swedish time: "2026-12-07 kl. 10.21"
    (the day as ISO 8601, like the pages' dates; the time with a point, as Swedish writes
    it). Naive values are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(STOCKHOLM)
    return f"{local.date().isoformat()} kl. {local:%H.%M}"
