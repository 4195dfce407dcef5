"""Every route of the back office (reports, audit review, register extracts, users, the
dashboard), for the app factory (`marketplace.packages`)."""

from __future__ import annotations

from typing import Any

from admin import controllers, views
from admin.views import dashboard

ROUTES: list[Any] = [*controllers.ROUTES, *views.ROUTES, *dashboard.ROUTES]
