"""The one default report period, used by the dashboard, the report pages and the API."""

from __future__ import annotations

import datetime as dt

from admin.reports.filters import default_period


def test_the_default_period_is_twelve_calendar_months_this_one_included():
    assert default_period(dt.date(2026, 12, 4)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 4))
    assert default_period(dt.date(2026, 1, 15)) == (dt.date(2025, 2, 1), dt.date(2026, 1, 15))
    assert default_period(dt.date(2026, 11, 30)) == (dt.date(2025, 12, 1), dt.date(2026, 11, 30))
