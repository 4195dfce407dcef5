"""Pages of the employers package: the public host application form, the invitation link,
the host's organisation and supervisors, and the applications coordinators decide on.

The host portal's start page (`/vard`) lives in `placements/views/host.py`, because it shows
slots and bookings, and `employers` may not import `placements`.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from employers import schemas, vocabulary
from employers.services import applications, contacts, hosts, invitations, targets
from marketplace import clock
from marketplace.addresses import normalise_email
from marketplace.auth import AuthUser, admin_only, check_password_policy, public, requires, staff
from marketplace.controllers import client_address
from marketplace.errors import MarketplaceError
from marketplace.forms import Problems, field_errors, form_values, is_ticked, parse_form
from marketplace.notices import done
from marketplace.views import page

host_only = requires("host")

HOST_KIND_OPTIONS = list(vocabulary.HOST_KIND_LABELS.items())

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

HOST_LABELS = {
    "name": "Organisationens namn",
    "kind": "Typ av organisation",
    "org_number": "Organisationsnummer",
    "address": "Adress",
    "town": "Ort",
    "sector": "Bransch",
    "needs": "Behov och önskemål",
}
TARGET_LABELS = {"year": "År", "target": "Mål (antal platser)", "note": "Anteckning"}
HOST_TEXTS = ["org_number", "address", "town", "sector", "needs"]


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
            checks={
                "contact_email": lambda v: normalise_email(
                    v, "contact_email", label="Kontaktpersonens e-postadress"
                )
            },
        )
        await applications.throttle_applications(client_address(request))
        received = await applications.submit_application(data)
    except MarketplaceError as exc:
        refused = page(
            "employers/offer.html",
            request,
            status_code=exc.status_code,
            values=values,
            errors=field_errors(exc, APPLICATION_LABELS),
            labels=APPLICATION_LABELS,
            kinds=HOST_KIND_OPTIONS,
        )
        refused.headers.update(exc.headers)
        return refused
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
        problems = Problems()
        if not info.existing_account:
            with problems:
                check_password_policy(str(values.get("password", "")))
            if values.get("password") != values.get("password2"):
                problems.errors["password2"] = (
                    "Lösenorden är inte lika. Skriv samma lösenord två gånger."
                )
        problems.raise_any()
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


# --- the organisation's details and a municipal unit's target (the back office's jobs) ------


async def _details_page(
    request: Request[Any, Any, Any],
    host_id: int,
    *,
    status_code: int = 200,
    host_values: dict[str, Any] | None = None,
    host_errors: dict[str, str] | None = None,
    target_values: dict[str, Any] | None = None,
    target_errors: dict[str, str] | None = None,
) -> Template:
    user = _user(request)
    host = await hosts.get_host(user, host_id)
    year = clock.today().year
    if target_values is None:
        current = (await targets.targets_for_year(year)).get(host_id)
        target_values = {"year": str(year), "target": "" if current is None else str(current)}
    return page(
        "employers/organisation_details.html",
        request,
        status_code=status_code,
        host=host,
        host_labels=HOST_LABELS,
        host_values=host_values
        if host_values is not None
        else {name: getattr(host, name) for name in HOST_LABELS},
        host_errors=host_errors or {},
        kind_options=HOST_KIND_OPTIONS,
        target_labels=TARGET_LABELS,
        target_values=target_values,
        target_errors=target_errors or {},
    )


@get(
    "/vard/organisation/{host_id:int}/uppgifter",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
)
async def details_page(
    request: Request[Any, Any, Any],
    host_id: FromPath[int],
) -> Template:
    return await _details_page(request, host_id)


@post(
    "/vard/organisation/{host_id:int}/uppgifter",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    status_code=303,
)
async def details_update(
    request: Request[Any, Any, Any], host_id: FromPath[int]
) -> Template | Redirect:
    """The organisation's details, through `hosts.update_host` (its rules and its audit)."""
    values = await form_values(request)
    try:
        data = parse_form(schemas.HostUpdate, values, labels=HOST_LABELS, blank_is_empty=HOST_TEXTS)
        await hosts.update_host(_user(request), host_id, data)
    except MarketplaceError as exc:
        return await _details_page(
            request,
            host_id,
            status_code=exc.status_code,
            host_values=values,
            host_errors=field_errors(exc, HOST_LABELS),
        )
    return Redirect(
        done(f"/vard/organisation/{host_id}/uppgifter", "uppgifter-sparade"), status_code=303
    )


@post(
    "/vard/organisation/{host_id:int}/mal",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def target_set(
    request: Request[Any, Any, Any], host_id: FromPath[int]
) -> Template | Redirect:
    """A municipal unit's target of places for a year, through `targets.set_target`."""
    values = await form_values(request)
    try:
        data = parse_form(schemas.TargetForm, values, labels=TARGET_LABELS, blank_is_empty=["note"])
        await targets.set_target(_user(request), host_id, data.year, data.target, data.note)
    except MarketplaceError as exc:
        return await _details_page(
            request,
            host_id,
            status_code=exc.status_code,
            target_values=values,
            target_errors=field_errors(exc, TARGET_LABELS),
        )
    return Redirect(
        done(f"/vard/organisation/{host_id}/uppgifter#mal", "mal-sparat"), status_code=303
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
            checks=contacts.CONTACT_FIELD_CHECKS,
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
    return Redirect(
        done(f"/vard/organisation/{host_id}#kontakter", "kontakt-tillagd"), status_code=303
    )


async def _contact_page(
    request: Request[Any, Any, Any],
    contact_id: int,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    contact = contacts.contact_out(await contacts.get_contact_for(_user(request), contact_id))
    if values is None:
        values = {name: getattr(contact, name) for name in CONTACT_LABELS}
        values = {k: ("1" if v is True else "" if v is False else v) for k, v in values.items()}
    return page(
        "employers/contact.html",
        request,
        status_code=status_code,
        contact=contact,
        values=values,
        errors=errors or {},
        labels=CONTACT_LABELS,
    )


@get(
    "/vard/kontakter/{contact_id:int}",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
)
async def contact_page(request: Request[Any, Any, Any], contact_id: FromPath[int]) -> Template:
    return await _contact_page(request, contact_id)


@post(
    "/vard/kontakter/{contact_id:int}",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    status_code=303,
)
async def contact_update(
    request: Request[Any, Any, Any], contact_id: FromPath[int]
) -> Template | Redirect:
    """A contact's details, through `contacts.update_contact` (its rules and its audit)."""
    values = await form_values(request)
    try:
        data = parse_form(
            schemas.ContactUpdate,
            values,
            labels=CONTACT_LABELS,
            flags=["is_supervisor", "is_public_contact"],
            blank_is_empty=["role", "email", "phone"],
            checks=contacts.CONTACT_FIELD_CHECKS,
        )
        contact = await contacts.update_contact(_user(request), contact_id, data)
    except MarketplaceError as exc:
        return await _contact_page(
            request,
            contact_id,
            status_code=exc.status_code,
            values=values,
            errors=field_errors(exc, CONTACT_LABELS),
        )
    return Redirect(
        done(f"/vard/organisation/{contact.host_id}#kontakter", "kontakt-sparad"), status_code=303
    )


@post(
    "/vard/kontakter/{contact_id:int}/avsluta",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    status_code=303,
)
async def contact_deactivate(
    request: Request[Any, Any, Any], contact_id: FromPath[int]
) -> Template | Redirect:
    """End a contact once the ticked box confirms it; unticked, the contact's page shows the box
    with the reason, and nothing changes (a server-side check, so it holds without JavaScript)."""
    if not is_ticked(await form_values(request), "confirm"):
        return await _contact_page(
            request,
            contact_id,
            status_code=400,
            errors={"confirm": END_CONTACT_UNCONFIRMED},
        )
    contact = await contacts.deactivate_contact(_user(request), contact_id)
    return Redirect(
        done(f"/vard/organisation/{contact.host_id}#kontakter", "kontakt-avslutad"), status_code=303
    )


END_CONTACT_UNCONFIRMED = (
    "Kryssa i rutan ”Ja, jag vill avsluta kontaktpersonen” för att avsluta. "
    "Kontaktpersonen kan då inte längre vara handledare för nya deltagare."
)


# --- applications, decided by coordinators ------------------------------------------------


APPLICATIONS_PER_PAGE = 20
_ORDERS = {"aldst": "oldest", "nyast": "newest"}


async def _applications_context(page_no: int = 1, order: str = "aldst") -> dict[str, Any]:
    """One page of pending applications, with what the page links need."""
    total = await applications.count_applications("pending")
    pages = max(1, -(-total // APPLICATIONS_PER_PAGE))
    page_no = min(max(1, page_no), pages)
    order = order if order in _ORDERS else "aldst"
    items = await applications.list_applications(
        "pending",
        limit=APPLICATIONS_PER_PAGE,
        offset=(page_no - 1) * APPLICATIONS_PER_PAGE,
        sort=_ORDERS[order],
    )
    return {
        "applications": items,
        "total": total,
        "page_no": page_no,
        "pages": pages,
        "order": order,
    }


@get("/arbetsbord/ansokningar", guards=[staff], include_in_schema=False, name="applications")
async def applications_page(
    request: Request[Any, Any, Any],
    sida: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
    ordning: Annotated[str, QueryParameter(max_length=10)] = "aldst",
) -> Template:
    context = await _applications_context(sida, ordning)
    return page("employers/applications.html", request, errors={}, **context)


async def application_decide(
    request: Request[Any, Any, Any], application_id: int, decision: str
) -> Template | Redirect:
    user = _user(request)
    values = await form_values(request)
    note = str(values.get("note", ""))[:2000]
    try:
        if decision == "godkann":
            await applications.approve_application(user, application_id, note)
        else:
            await applications.reject_application(user, application_id, note)
    except MarketplaceError as exc:
        return page(
            "employers/applications.html",
            request,
            status_code=exc.status_code,
            errors={application_id: exc.message},
            **await _applications_context(),
        )
    code = "anmalan-godkand" if decision == "godkann" else "anmalan-avslagen"
    return Redirect(done("/arbetsbord/ansokningar", code), status_code=303)


def _decision_route(decision: str) -> HTTPRouteHandler:
    """One route per decision, so that each is its own row in the access matrix."""

    async def handler(
        request: Request[Any, Any, Any], application_id: FromPath[int]
    ) -> Template | Redirect:
        return await application_decide(request, application_id, decision)

    handler.__name__ = handler.__qualname__ = f"application_{decision}"
    return post(
        f"/arbetsbord/ansokningar/{{application_id:int}}/{decision}",
        guards=[staff],
        include_in_schema=False,
        status_code=303,
    )(handler)


DECISION_ROUTES = [_decision_route(decision) for decision in ("godkann", "avsla")]


ROUTES = [
    offer_form,
    offer_submit,
    invitation_page,
    invitation_accept,
    organisation_page,
    details_page,
    details_update,
    target_set,
    contact_create,
    contact_page,
    contact_update,
    contact_deactivate,
    applications_page,
    *DECISION_ROUTES,
]
