"""Tables of the back office: monthly KPI snapshots."""

from __future__ import annotations

from piccolo.columns import JSON, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class KpiSnapshot(Table, tablename="adm_kpi_snapshot"):
    """The month's KPI figures as computed at snapshot time, so past months stay fixed."""

    id: Serial
    month = Varchar(length=7, unique=True, help_text="YYYY-MM")
    figures = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
