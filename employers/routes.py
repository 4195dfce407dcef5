"""Every route of the employers package (API and pages), for the app factory
(`marketplace.packages`)."""

from __future__ import annotations

from typing import Any

from employers import controllers, views

ROUTES: list[Any] = [*controllers.ROUTES, *views.ROUTES]
