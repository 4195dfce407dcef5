"""Every route of the participant's own pages (/mina-sidor), for the app factory
(`marketplace.packages`)."""

from __future__ import annotations

from typing import Any

from participants import pages, views

ROUTES: list[Any] = [*views.ROUTES, *pages.ROUTES]
