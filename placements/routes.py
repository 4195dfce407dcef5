"""Every route of the placements package, for the app factory (`marketplace.packages`)."""

from __future__ import annotations

from typing import Any

from placements.controllers import bookings, candidates, intake, slots
from placements.views import agreements, answers, attendance, host, partners, workbench
from placements.views import candidates as candidate_views
from placements.views import intake as intake_views

ROUTES: list[Any] = [
    # The API.
    *slots.ROUTES,
    *candidates.ROUTES,
    *bookings.ROUTES,
    *intake.ROUTES,
    # Pages: host portal, coordinator workbench, agreements and answers,
    # participants, attendance, intake and partner agencies.
    *host.ROUTES,
    *workbench.ROUTES,
    *agreements.ROUTES,
    *answers.ROUTES,
    *candidate_views.ROUTES,
    *attendance.ROUTES,
    *intake_views.ROUTES,
    *partners.ROUTES,
]
