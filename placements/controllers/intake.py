"""JSON API of intake (issue 18): the municipality's e-service sends each application it
receives here. Documented in docs/intake-api.md and the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import JSONBody

from marketplace.kernel.auth import AuthUser, staff
from placements.schemas import intake as s
from placements.services import intake

Req = Request[AuthUser, Any, Any]


class IntakeController(Controller):
    """Applications for support from the e-service, sent with an API token (`Authorization:
    Bearer …`) of a coordinator or admin account set up for the integration."""

    path = "/api/v1/applications"
    guards = [staff]
    tags = ["applications"]

    @post("/import", operation_id="importApplication", status_code=200)
    async def import_application(
        self, request: Req, data: JSONBody[s.EServiceApplication]
    ) -> s.ApplicationReceipt:
        """Receive one application from the e-service.

        The personnummer is checked (Luhn, a real date); a phone number or an e-mail address
        is needed. `external_id` is the e-service's reference: sending the same one again
        changes nothing and answers the application already received (`created: false`), so
        a resend after a timeout is safe. `received_at` is when the resident sent it, with
        its offset. The answer carries the deadline of the planning meeting (the last working
        day it should be held, `PLANNING_MEETING_DAYS` working days after the day received).
        """
        return await intake.import_eservice(request.user, data)


ROUTES = [IntakeController]
