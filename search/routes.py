"""Every route of the search package (API, pages, the back office's search tools), for the
app factory (`marketplace.packages`)."""

from __future__ import annotations

from typing import Any

from search import controllers, pages, views

ROUTES: list[Any] = [*controllers.ROUTES, *views.ROUTES, *pages.ROUTES]
