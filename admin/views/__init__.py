"""HTML pages of the back office (reports, audit review, register extracts); the piccolo-admin
mount lives in `backoffice` and is added by the app factory."""

from __future__ import annotations

from typing import Any

from admin.views.pages import ROUTES as PAGE_ROUTES

ROUTES: list[Any] = [*PAGE_ROUTES]
