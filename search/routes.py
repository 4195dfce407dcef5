"""Every route of the search package (API, search, slot, matching and occupation pages, the
back office's search tools), for the app factory (`marketplace.packages`)."""

from __future__ import annotations

from typing import Any

from search import controllers, matching_pages, occupation_pages, pages, views

ROUTES: list[Any] = [
    *controllers.ROUTES,
    *views.ROUTES,
    *pages.ROUTES,
    *matching_pages.ROUTES,
    *occupation_pages.ROUTES,
]
