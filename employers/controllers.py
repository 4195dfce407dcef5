"""JSON API of the employers package: hosts, contacts, host users (invitations), applications
through the public form, and municipal units' targets. Coverage and host pause live with the
slots they count and change, in `placements.controllers.slots`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from employers import schemas, vocabulary
from employers.services import applications, contacts, hosts, invitations, targets
from marketplace.kernel.auth import AuthUser, admin_only, public, requires, staff
from marketplace.kernel.controllers import client_address
from marketplace.kernel.paging import Limit, Offset

host_side = requires("host", "coordinator", "admin")
Year = Annotated[int, QueryParameter(ge=2000, le=2100)]
PathYear = Annotated[int, PathParameter(ge=2000, le=2100)]


class HostController(Controller):
    """Host organisations. Host users reach only their own; others answer 404."""

    path = "/api/v1/hosts"
    guards = [host_side]
    tags = ["hosts"]

    @get("/", operation_id="listHosts")
    async def list_hosts(
        self,
        request: Request[AuthUser, Any, Any],
        kind: FromQuery[vocabulary.HostKind | None] = None,
        town: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> schemas.HostPage:
        """Hosts the caller manages (all for coordinators and admins), by name."""
        total, items = await hosts.list_hosts_for(
            request.user, kind=kind, town=town, q=q, limit=limit, offset=offset
        )
        return schemas.HostPage(total=total, limit=limit, offset=offset, items=items)

    @post("/", operation_id="createHost", status_code=HTTP_201_CREATED)
    async def create_host(
        self, data: JSONBody[schemas.HostCreate], request: Request[AuthUser, Any, Any]
    ) -> schemas.Host:
        """Register a host organisation (a host user becomes its member)."""
        return await hosts.create_host(request.user, data)

    @get("/{host_id:int}", operation_id="getHost")
    async def get_host(
        self, host_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> schemas.Host:
        """One host the caller manages."""
        return await hosts.get_host(request.user, host_id)

    @patch("/{host_id:int}", operation_id="updateHost")
    async def update_host(
        self,
        host_id: FromPath[int],
        data: JSONBody[schemas.HostUpdate],
        request: Request[AuthUser, Any, Any],
    ) -> schemas.Host:
        """Change a host's fields; only those sent change."""
        return await hosts.update_host(request.user, host_id, data)

    @get("/{host_id:int}/contacts", operation_id="listContacts")
    async def list_contacts(
        self, host_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> list[schemas.Contact]:
        """Contacts and supervisors of a host."""
        return await contacts.list_contacts(request.user, host_id)

    @post("/{host_id:int}/contacts", operation_id="createContact", status_code=HTTP_201_CREATED)
    async def create_contact(
        self,
        host_id: FromPath[int],
        data: JSONBody[schemas.ContactCreate],
        request: Request[AuthUser, Any, Any],
    ) -> schemas.Contact:
        """Add a contact person or supervisor (handledare)."""
        return await contacts.create_contact(request.user, host_id, data)

    @get("/{host_id:int}/invitations", operation_id="listHostInvitations", guards=[staff])
    async def list_invitations(
        self, host_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> list[schemas.Invitation]:
        """Invitations sent for a host (never their links)."""
        return await invitations.list_invitations(request.user, host_id)

    @post(
        "/{host_id:int}/invitations",
        operation_id="inviteHostUser",
        guards=[staff],
        status_code=HTTP_201_CREATED,
    )
    async def invite(
        self,
        host_id: FromPath[int],
        data: JSONBody[schemas.InvitationCreate],
        request: Request[AuthUser, Any, Any],
    ) -> schemas.Invitation:
        """Invite a person by e-mail to manage the host; the mail carries a one-time link."""
        return await invitations.invite_host_user(request.user, host_id, data.email, data.name)

    @put("/{host_id:int}/targets/{year:int}", operation_id="setUnitTarget", guards=[admin_only])
    async def set_target(
        self,
        host_id: FromPath[int],
        year: PathYear,
        data: JSONBody[schemas.TargetSet],
        request: Request[AuthUser, Any, Any],
    ) -> schemas.Target:
        """Set a municipal unit's target of places for a year (admin)."""
        return await targets.set_target(request.user, host_id, year, data.target, data.note)


class ContactController(Controller):
    """Contacts and supervisors, by their own ID; another organisation's answer 404."""

    path = "/api/v1/contacts"
    guards = [host_side]
    tags = ["hosts"]

    @patch("/{contact_id:int}", operation_id="updateContact")
    async def update_contact(
        self,
        contact_id: FromPath[int],
        data: JSONBody[schemas.ContactUpdate],
        request: Request[AuthUser, Any, Any],
    ) -> schemas.Contact:
        """Change a contact's fields (also the public flag and supervision capacity)."""
        return await contacts.update_contact(request.user, contact_id, data)

    @delete("/{contact_id:int}", operation_id="deactivateContact", status_code=HTTP_200_OK)
    async def deactivate_contact(
        self, contact_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> schemas.Contact:
        """Retire a contact; kept for past agreements, no longer offered as supervisor."""
        return await contacts.deactivate_contact(request.user, contact_id)


class InvitationController(Controller):
    """The invitation link: anyone holding a valid token may look at it and use it once."""

    path = "/api/v1/host-invitations"
    guards = [public]
    tags = ["hosts"]

    @post("/check", operation_id="checkHostInvitation", status_code=HTTP_200_OK)
    async def check(self, data: JSONBody[schemas.InvitationToken]) -> schemas.InvitationInfo:
        """What the link is for, while it is valid."""
        return await invitations.invitation_info(data.token)

    @post("/accept", operation_id="acceptHostInvitation", status_code=HTTP_200_OK)
    async def accept(self, data: JSONBody[schemas.InvitationAccept]) -> schemas.InvitationAccepted:
        """Set the password and join the host; the link is then used up."""
        return await invitations.accept_invitation(data.token, data.password, data.username)


class ApplicationController(Controller):
    """Applications to become a host: anyone applies, coordinators and admins decide."""

    path = "/api/v1/host-applications"
    tags = ["hosts"]

    @post("/", operation_id="applyAsHost", guards=[public], status_code=HTTP_201_CREATED)
    async def apply(
        self, data: JSONBody[schemas.ApplicationCreate], request: Request[Any, Any, Any]
    ) -> schemas.ApplicationReceived:
        """Apply to join as a host organisation; the application waits for approval.

        Each source address may send a few applications an hour; then 429 with Retry-After.
        """
        await applications.throttle_applications(client_address(request))
        return await applications.submit_application(data)

    @get("/", operation_id="listHostApplications", guards=[staff])
    async def list_applications(
        self,
        status: FromQuery[Literal["pending", "approved", "rejected"] | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
        sort: Annotated[Literal["oldest", "newest"], QueryParameter()] = "oldest",
    ) -> Response[list[schemas.Application]]:
        """One page of applications, oldest first (or `sort=newest`); filter by status
        (pending, approved, rejected). `X-Total-Count` says how many match in all."""
        items = await applications.list_applications(status, limit=limit, offset=offset, sort=sort)
        total = await applications.count_applications(status)
        return Response(items, headers={"X-Total-Count": str(total)})

    @post(
        "/{application_id:int}/approve",
        operation_id="approveHostApplication",
        guards=[staff],
        status_code=HTTP_200_OK,
    )
    async def approve(
        self,
        application_id: FromPath[int],
        data: JSONBody[schemas.ApplicationDecision],
        request: Request[AuthUser, Any, Any],
    ) -> schemas.Application:
        """Approve: the host is created and its contact invited by e-mail."""
        return await applications.approve_application(request.user, application_id, data.note)

    @post(
        "/{application_id:int}/reject",
        operation_id="rejectHostApplication",
        guards=[staff],
        status_code=HTTP_200_OK,
    )
    async def reject(
        self,
        application_id: FromPath[int],
        data: JSONBody[schemas.ApplicationDecision],
        request: Request[AuthUser, Any, Any],
    ) -> schemas.Application:
        """Reject with a note, which is mailed to the applicant."""
        return await applications.reject_application(request.user, application_id, data.note)


class TargetController(Controller):
    """Yearly targets of places per municipal unit."""

    path = "/api/v1/unit-targets"
    guards = [requires("admin", "coordinator", "analyst")]
    tags = ["hosts"]

    @get("/", operation_id="listUnitTargets")
    async def list_targets(self, year: Year) -> list[schemas.Target]:
        """Targets set for a year, by unit."""
        return await targets.list_targets(year)


ROUTES = [
    HostController,
    ContactController,
    InvitationController,
    ApplicationController,
    TargetController,
]
