"""Pages of the employers package: the public host application form, the invitation link,
the host's organisation and supervisors, and the applications coordinators decide on.

The host portal's start page (`/vard`) lives in `placements/views/host.py`, because it shows
slots and bookings, and `employers` may not import `placements`.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from employers import schemas
from employers.services import applications, contacts, hosts, invitations
from marketplace.auth import AuthUser, public, requires, staff
from marketplace.errors import MarketplaceError, NotFound, ValidationFailed
from marketplace.forms import field_errors, form_values, parse_form
from marketplace.templating import LABELS
from marketplace.views import page

host_only = requires("host")

HOST_KIND_OPTIONS = list(LABELS["host_kind"].items())

APPLICATION_LABELS = {
    "org_name": "Organisationens namn",
    "kind": "Typ av organisation",
    "org_number": "Organisationsnummer",
    "town": "Ort",
    "contact_name": "Kontaktperson",
    "contact_email": "E-postadress",
    "contact_phone": "Telefon",
    "message": "Vad kan ni erbjuda?",
}
CONTACT_LABELS = {
    "name": "Namn",
    "role": "Roll eller titel",
    "email": "E-postadress",
    "phone": "Telefon",
    "is_supervisor": "Handledare",
    "supervision_capacity": "Kan handleda samtidigt",
    "is_public_contact": "Visa som kontakt på platsens sida",
}


def _user(request: Request[Any, Any, Any]) -> AuthUser:
    user = request.user
    assert isinstance(user, AuthUser)
    return user


# --- the public application form -----------------------------------------------------------


@get("/erbjud", guards=[public], include_in_schema=False, name="offer_form")
async def offer_form(request: Request[Any, Any, Any]) -> Template:
    return page(
        "employers/offer.html",
        request,
        values={"kind": "company"},
        errors={},
        labels=APPLICATION_LABELS,
        kinds=HOST_KIND_OPTIONS,
    )


@post("/erbjud", guards=[public], include_in_schema=False, status_code=200)
async def offer_submit(request: Request[Any, Any, Any]) -> Template:
    values = await form_values(request)
    try:
        data = parse_form(
            schemas.ApplicationCreate,
            values,
            labels=APPLICATION_LABELS,
            blank_is_empty=["org_number", "town", "contact_phone", "message"],
        )
        received = await applications.submit_application(data)
    except MarketplaceError as exc:
        return page(
            "employers/offer.html",
            request,
            status_code=exc.status_code,
            values=values,
            errors=field_errors(exc, APPLICATION_LABELS),
            labels=APPLICATION_LABELS,
            kinds=HOST_KIND_OPTIONS,
        )
    return page("employers/offer_received.html", request, received=received, values=values)


# --- the invitation link: a new host user chooses a password -------------------------------


@get("/vard/inbjudan", guards=[public], include_in_schema=False, name="invitation_page")
async def invitation_page(
    request: Request[Any, Any, Any],
    token: Annotated[str, QueryParameter(max_length=200)] = "",
) -> Template:
    info = await invitations.invitation_info(token)
    return page("employers/invitation.html", request, info=info, token=token, errors={})


@post("/vard/inbjudan", guards=[public], include_in_schema=False, status_code=200)
async def invitation_accept(request: Request[Any, Any, Any]) -> Template:
    values = await form_values(request)
    token = str(values.get("token", ""))[:200]
    info = await invitations.invitation_info(token)
    try:
        if not info.existing_account and values.get("password") != values.get("password2"):
            raise ValidationFailed(
                "Lösenorden är inte lika. Skriv samma lösenord två gånger.", fields=["password2"]
            )
        accepted = await invitations.accept_invitation(
            token, str(values.get("password", "")), str(values.get("username", ""))
        )
    except MarketplaceError as exc:
        return page(
            "employers/invitation.html",
            request,
            status_code=exc.status_code,
            info=info,
            token=token,
            values={"username": values.get("username", "")},
            errors=field_errors(exc, ["username", "password", "password2"]),
        )
    return page("employers/invitation_done.html", request, accepted=accepted)


# --- the host's organisation and its supervisors -------------------------------------------


async def _organisation_context(user: AuthUser, host_id: int) -> dict[str, Any]:
    return {
        "host": await hosts.get_host(user, host_id),
        "contacts": await contacts.list_contacts(user, host_id),
        "labels": CONTACT_LABELS,
    }


@get(
    "/vard/organisation/{host_id:int}",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    name="organisation_page",
)
async def organisation_page(request: Request[Any, Any, Any], host_id: FromPath[int]) -> Template:
    context = await _organisation_context(_user(request), host_id)
    return page(
        "employers/organisation.html",
        request,
        values={"is_supervisor": "1", "supervision_capacity": "1"},
        errors={},
        **context,
    )


@post(
    "/vard/organisation/{host_id:int}/kontakter",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    status_code=303,
)
async def contact_create(
    request: Request[Any, Any, Any], host_id: FromPath[int]
) -> Template | Redirect:
    user = _user(request)
    values = await form_values(request)
    try:
        data = parse_form(
            schemas.ContactCreate,
            values,
            labels=CONTACT_LABELS,
            flags=["is_supervisor", "is_public_contact"],
            blank_is_empty=["role", "email", "phone"],
        )
        await contacts.create_contact(user, host_id, data)
    except MarketplaceError as exc:
        context = await _organisation_context(user, host_id)
        return page(
            "employers/organisation.html",
            request,
            status_code=exc.status_code,
            values=values,
            errors=field_errors(exc, CONTACT_LABELS),
            **context,
        )
    return Redirect(f"/vard/organisation/{host_id}#kontakter", status_code=303)


@post(
    "/vard/kontakter/{contact_id:int}/avsluta",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    status_code=303,
)
async def contact_deactivate(
    request: Request[Any, Any, Any], contact_id: FromPath[int]
) -> Redirect:
    contact = await contacts.deactivate_contact(_user(request), contact_id)
    return Redirect(f"/vard/organisation/{contact.host_id}#kontakter", status_code=303)


# --- applications, decided by coordinators ------------------------------------------------


@get("/arbetsbord/ansokningar", guards=[staff], include_in_schema=False, name="applications")
async def applications_page(request: Request[Any, Any, Any]) -> Template:
    pending = await applications.list_applications("pending")
    return page("employers/applications.html", request, applications=pending, errors={})


@post(
    "/arbetsbord/ansokningar/{application_id:int}/{decision:str}",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def application_decide(
    request: Request[Any, Any, Any], application_id: FromPath[int], decision: FromPath[str]
) -> Template | Redirect:
    user = _user(request)
    values = await form_values(request)
    note = str(values.get("note", ""))[:2000]
    try:
        if decision == "godkann":
            await applications.approve_application(user, application_id, note)
        elif decision == "avsla":
            await applications.reject_application(user, application_id, note)
        else:
            raise NotFound("Okänt beslut. Välj godkänn eller avslå.")
    except MarketplaceError as exc:
        pending = await applications.list_applications("pending")
        return page(
            "employers/applications.html",
            request,
            status_code=exc.status_code,
            applications=pending,
            errors={application_id: exc.message},
        )
    return Redirect("/arbetsbord/ansokningar", status_code=303)


ROUTES = [
    offer_form,
    offer_submit,
    invitation_page,
    invitation_accept,
    organisation_page,
    contact_create,
    contact_deactivate,
    applications_page,
    application_decide,
]
