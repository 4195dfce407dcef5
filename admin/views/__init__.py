"""HTML pages of the back office: audit review, reports, register extracts; and the mount."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
