"""HTML pages of the back office (reports, audit review, register extracts). Hosts, contacts,
slots and unit targets are edited through the app's own pages and API, by the same services."""

from __future__ import annotations

from typing import Any

from admin.views.outbox import ROUTES as OUTBOX_ROUTES
from admin.views.pages import ROUTES as PAGE_ROUTES
from admin.views.users import ROUTES as USER_ROUTES

ROUTES: list[Any] = [*PAGE_ROUTES, *OUTBOX_ROUTES, *USER_ROUTES]
