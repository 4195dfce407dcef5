"""Scheduled sweeps of the search package: the search log's retention.

`JOBS` maps each job name to its function and the setting naming its interval; the
composition root's scheduler runs them (`marketplace/scheduler.py`).
"""

from __future__ import annotations

import datetime as dt

from marketplace.kernel.settings import Settings
from search import usage


async def prune_search_log(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Delete slot searches older than SEARCH_LOG_DAYS, with what they led to."""
    cutoff = now - dt.timedelta(days=settings.search_log_days)
    return {"deleted": await usage.prune(cutoff)}


JOBS = {
    "prune-search-log": (prune_search_log, "housekeeping_interval_seconds"),
}
# Each job's name for people (the code name stays for the CLI: `jobs run NAME`).
JOB_TITLE = {"prune-search-log": "Rensa sökloggen"}
# What each job does, in Swedish, for the admins' jobs page.
JOB_TEXT = {
    "prune-search-log": "Tar bort loggade sökningar, och vad de ledde till, som är äldre än "
    "{search_log_days} dagar.",
}
