"""The one default report period, used by the dashboard, the report pages and the API."""

from __future__ import annotations

import datetime as dt

from admin.reports.filters import default_period


def test_the_default_period_is_twelve_whole_calendar_months_this_one_included():
    """The running month counts whole (to its last day), so the default's end does not
    move day by day: asking today and tomorrow gives the same period."""
    assert default_period(dt.date(2026, 12, 4)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert default_period(dt.date(2026, 1, 15)) == (dt.date(2025, 2, 1), dt.date(2026, 1, 31))
    assert default_period(dt.date(2026, 11, 30)) == (dt.date(2025, 12, 1), dt.date(2026, 11, 30))
    assert default_period(dt.date(2028, 2, 1)) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))
