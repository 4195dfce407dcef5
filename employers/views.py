"""Pages of the employers package: the public host application form, the invitation link,
the host's organisation and supervisors, and the applications coordinators decide on.

The host portal's start page (`/vard`) lives in `placements/views/host.py`, because it shows
slots and bookings, and `employers` may not import `placements`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from employers import schemas, vocabulary
from employers.services import applications, contacts, hosts, invitations, targets
from employers.services.orgnr import normalize_org_number
from marketplace.kernel import clock
from marketplace.kernel.addresses import normalise_email
from marketplace.kernel.auth import (
    AuthUser,
    admin_only,
    check_password_policy,
    public,
    requires,
    signed_in_user,
    staff,
)
from marketplace.kernel.controllers import client_address
from marketplace.kernel.errors import said_once
from marketplace.kernel.forms import (
    ACTION,
    Form,
    Landing,
    Problems,
    form_values,
    free_text,
    rerender_as,
    round_trip,
)
from marketplace.kernel.paging import OrderKey, check_page, chosen_order
from marketplace.kernel.sms import check_phone
from marketplace.kernel.views import action_posts, form_page, page

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
END_CONTACT_UNCONFIRMED = (
    "Kryssa i rutan ”Ja, jag vill avsluta kontaktpersonen” för att avsluta. "
    "Kontaktpersonen kan då inte längre vara handledare för nya deltagare."
)

APPLICATION_FORM = Form(
    schemas.ApplicationCreate,
    labels=APPLICATION_LABELS,
    blank_is_empty=["org_number", "town", "contact_phone", "message"],
    checks={
        "contact_email": lambda v: normalise_email(
            v, "contact_email", label="Kontaktpersonens e-postadress"
        ),
        "contact_phone": lambda v: check_phone(str(v or ""), "contact_phone"),
        "org_number": normalize_org_number,
    },
)
# The organisation number's check digit is checked with the form's other fields, so that
# every mistake shows at once (a host fixed the name and the town, and only then heard of it).
HOST_FORM = Form(
    schemas.HostUpdate,
    labels=HOST_LABELS,
    blank_is_empty=HOST_TEXTS,
    checks={"org_number": normalize_org_number, "name": hosts.check_host_name},
)
TARGET_FORM = Form(schemas.TargetForm, labels=TARGET_LABELS, blank_is_empty=["note"])
_CONTACT_FORM_ARGS: dict[str, Any] = {
    "labels": CONTACT_LABELS,
    "flags": ["is_supervisor", "is_public_contact"],
    "blank_is_empty": ["role", "email", "phone"],
    "checks": contacts.CONTACT_FIELD_CHECKS,
    "rules": contacts.contact_form_rules,
}
CONTACT_CREATE_FORM = Form(schemas.ContactCreate, **_CONTACT_FORM_ARGS)
CONTACT_UPDATE_FORM = Form(schemas.ContactUpdate, **_CONTACT_FORM_ARGS)
END_CONTACT_FORM = Form(
    schemas.ContactEnd,
    labels={"successor_id": "Vem tar över platserna?"},
    blank_is_none=["successor_id"],
    boxes={"confirm": END_CONTACT_UNCONFIRMED},
)
INVITATION_FIELDS = ["username", "password", "password2"]


# --- the public application form -----------------------------------------------------------


@get("/erbjud", guards=[public], include_in_schema=False, name="offer_form")
async def offer_form(request: Request[Any, Any, Any]) -> Template:
    return _offer_page(request)()


def _offer_page(request: Request[Any, Any, Any]) -> Callable[..., Template]:
    return form_page(
        "employers/offer.html",
        request,
        APPLICATION_LABELS,
        blank={"kind": "company"},
        kinds=HOST_KIND_OPTIONS,
    )


@post("/erbjud", guards=[public], include_in_schema=False, status_code=200)
async def offer_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    async def submit(data: schemas.ApplicationCreate) -> Template:
        await applications.throttle_applications(client_address(request))
        received = await applications.submit_application(data)
        return page("employers/offer_received.html", request, received=received, values=data)

    return await round_trip(request, APPLICATION_FORM, submit, _offer_page(request))


# --- the invitation link: a new host user chooses a password -------------------------------


@get("/vard/inbjudan", guards=[public], include_in_schema=False, name="invitation_page")
async def invitation_page(
    request: Request[Any, Any, Any],
    token: Annotated[str, QueryParameter(max_length=200)] = "",
) -> Template:
    info = await invitations.invitation_info(token)
    return page("employers/invitation.html", request, info=info, token=token, errors={})


@post("/vard/inbjudan", guards=[public], include_in_schema=False, status_code=200)
async def invitation_accept(request: Request[Any, Any, Any]) -> Response[Any]:
    values = await form_values(request)
    token = str(values.get("token", ""))[:200]
    info = await invitations.invitation_info(token)

    def passwords(values: dict[str, Any]) -> tuple[str, str]:
        """The chosen password and username; a new account's password is checked at once."""
        problems = Problems()
        if not info.existing_account:
            with problems:
                check_password_policy(str(values.get("password", "")))
            if values.get("password") != values.get("password2"):
                problems.errors["password2"] = (
                    "Lösenorden är inte lika. Skriv samma lösenord två gånger."
                )
        problems.raise_any()
        return str(values.get("password", "")), str(values.get("username", ""))

    async def accept(chosen: tuple[str, str]) -> Template:
        accepted = await invitations.accept_invitation(token, *chosen)
        return page("employers/invitation_done.html", request, accepted=accepted)

    def refused(*, values: dict[str, Any], errors: dict[str, str], status_code: int) -> Template:
        return page(
            "employers/invitation.html",
            request,
            status_code=status_code,
            info=info,
            token=token,
            values={"username": values.get("username", "")},
            errors=errors,
        )

    return await round_trip(request, passwords, accept, refused, fields=INVITATION_FIELDS)


# --- the host's organisation and its supervisors -------------------------------------------


async def _organisation_context(user: AuthUser, host_id: int) -> dict[str, Any]:
    """What the organisation's page shows; staff also see the invitations of its users."""
    context: dict[str, Any] = {
        "host": await hosts.get_host(user, host_id),
        "contacts": await contacts.list_contacts(user, host_id),
        "labels": CONTACT_LABELS,
        "invitation_labels": INVITATION_LABELS,
        "invitation_values": {},
        "invitation_errors": {},
    }
    if user.is_staff:
        context["invitations"] = await invitations.list_invitations(user, host_id)
    return context


@get(
    "/vard/organisation/{host_id:int}",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    name="organisation_page",
)
async def organisation_page(request: Request[Any, Any, Any], host_id: FromPath[int]) -> Template:
    context = await _organisation_context(signed_in_user(request), host_id)
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
    refused: str = "",
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """The details and target forms; the one named `refused` ("host" or "target") shows what
    was typed in it and its messages."""
    host_values, host_errors = (values, errors) if refused == "host" else (None, None)
    target_values, target_errors = (values, errors) if refused == "target" else (None, None)
    user = signed_in_user(request)
    host = await hosts.get_host(user, host_id)
    year = clock.today().year
    if target_values is None:
        # The saved note too: the form showed it empty, and the next save erased it.
        current = await targets.target_of(host_id, year)
        target, note = current if current is not None else (None, "")
        target_values = {
            "year": str(year),
            "target": "" if target is None else str(target),
            "note": note,
        }
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
        # A host's own users read the kind and the number; the municipality changes them
        # (`hosts.SET_BY_MUNICIPALITY`).
        municipality_sets=user.role == "host",
        kind_text=vocabulary.HOST_KIND_LABELS.get(host.kind, ""),
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
async def details_update(request: Request[Any, Any, Any], host_id: FromPath[int]) -> Response[Any]:
    """The organisation's details, through `hosts.update_host` (its rules and its audit)."""

    async def save(data: schemas.HostUpdate) -> Landing:
        await hosts.update_host(signed_in_user(request), host_id, data)
        return f"/vard/organisation/{host_id}/uppgifter", "uppgifter-sparade"

    refused = partial(_details_page, request, host_id, "host")
    return await round_trip(request, HOST_FORM, save, refused)


@post(
    "/vard/organisation/{host_id:int}/mal",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def target_set(request: Request[Any, Any, Any], host_id: FromPath[int]) -> Response[Any]:
    """A municipal unit's target of places for a year, through `targets.set_target`."""

    async def save(data: schemas.TargetForm) -> Landing:
        await targets.set_target(
            signed_in_user(request), host_id, data.year, data.target, data.note
        )
        return f"/vard/organisation/{host_id}/uppgifter#mal", "mal-sparat"

    refused = partial(_details_page, request, host_id, "target")
    return await round_trip(request, TARGET_FORM, save, refused)


@post(
    "/vard/organisation/{host_id:int}/kontakter",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    status_code=303,
)
async def contact_create(request: Request[Any, Any, Any], host_id: FromPath[int]) -> Response[Any]:
    user = signed_in_user(request)

    async def add(data: schemas.ContactCreate) -> Landing:
        await contacts.create_contact(user, host_id, data)
        return f"/vard/organisation/{host_id}#kontakter", "kontakt-tillagd"

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        context = await _organisation_context(user, host_id)
        return page(
            "employers/organisation.html",
            request,
            status_code=status_code,
            values=values,
            errors=errors,
            **context,
        )

    return await round_trip(request, CONTACT_CREATE_FORM, add, refused)


async def _contact_page(
    request: Request[Any, Any, Any],
    contact_id: int,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    end_values: dict[str, Any] | None = None,
) -> Template:
    user = signed_in_user(request)
    row = await contacts.get_contact_for(user, contact_id)
    contact = contacts.contact_out(row)
    # What ending the contact leaves without a supervisor, said before it is done; the host's
    # own pages are linked (staff reach them from their workbench).
    holdings = await contacts.contact_holdings(contact_id) if contact.active else []
    takers = await contacts.successors(row) if any(h.kind == "slot" for h in holdings) else []
    if values is None:
        values = {name: getattr(contact, name) for name in CONTACT_LABELS}
        values = {k: ("1" if v is True else "" if v is False else v) for k, v in values.items()}
    return page(
        "employers/contact.html",
        request,
        status_code=status_code,
        contact=contact,
        holdings=holdings,
        successors=[(c.id, f"{c.name}, {c.role}" if c.role else c.name) for c in takers],
        end_values=end_values or {},
        links=user.role == "host",
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
) -> Response[Any]:
    """A contact's details, through `contacts.update_contact` (its rules and its audit)."""

    async def save(data: schemas.ContactUpdate) -> Landing:
        contact = await contacts.update_contact(signed_in_user(request), contact_id, data)
        return f"/vard/organisation/{contact.host_id}#kontakter", "kontakt-sparad"

    return await round_trip(
        request, CONTACT_UPDATE_FORM, save, partial(_contact_page, request, contact_id)
    )


@post(
    "/vard/kontakter/{contact_id:int}/avsluta",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    status_code=303,
)
async def contact_deactivate(
    request: Request[Any, Any, Any], contact_id: FromPath[int]
) -> Response[Any]:
    """End a contact once the ticked box confirms it; unticked, the contact's page shows the box
    with the reason, and nothing changes (a server-side check, so it holds without JavaScript).
    A successor chosen in the form takes over the contact's slots (`deactivate_contact`)."""

    async def end(data: schemas.ContactEnd) -> Landing:
        contact = await contacts.deactivate_contact(
            signed_in_user(request), contact_id, data.successor_id
        )
        return f"/vard/organisation/{contact.host_id}#kontakter", "kontakt-avslutad"

    refused = rerender_as(partial(_contact_page, request, contact_id), values="end_values")
    return await round_trip(request, END_CONTACT_FORM, end, refused)


@post(
    "/vard/kontakter/{contact_id:int}/ateraktivera",
    guards=[requires("host", "admin", "coordinator")],
    include_in_schema=False,
    status_code=303,
)
async def contact_reactivate(
    request: Request[Any, Any, Any], contact_id: FromPath[int]
) -> Response[Any]:
    """Make an ended contact active again (a host ended the wrong person, or one came back):
    a supervisor again for new placements, through `contacts.update_contact`."""

    async def reactivate(_: object) -> Landing:
        user = signed_in_user(request)
        if (await contacts.get_contact_for(user, contact_id))["active"]:
            # Already active (a second click, an old tab): nothing to do, nothing audited.
            return f"/vard/kontakter/{contact_id}", "kontakt-redan-aktiv"
        contact = await contacts.update_contact(
            user, contact_id, schemas.ContactUpdate(active=True)
        )
        return f"/vard/kontakter/{contact.id}", "kontakt-ateraktiverad"

    refused = rerender_as(partial(_contact_page, request, contact_id), values=None)
    return await round_trip(request, ACTION, reactivate, refused)


# --- applications, decided by coordinators ------------------------------------------------


APPLICATIONS_PER_PAGE = 20
_ORDERS = {"aldst": "oldest", "nyast": "newest"}
ORDER_CHOICES = [("aldst", "äldst först"), ("nyast", "nyast först")]


async def _applications_context(page_no: int = 1, order: str | None = "aldst") -> dict[str, Any]:
    """One page of pending applications, with what the page links need."""
    total = await applications.count_applications("pending")
    pages = check_page(page_no, total, APPLICATIONS_PER_PAGE)
    page_no = max(1, page_no)
    order, order_note = chosen_order(order, ORDER_CHOICES)
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
        "order_note": order_note,
    }


@get("/arbetsbord/ansokningar", guards=[staff], include_in_schema=False, name="applications")
async def applications_page(
    request: Request[Any, Any, Any],
    sida: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
    ordning: OrderKey = None,
) -> Template:
    context = await _applications_context(sida, ordning)
    return page("employers/applications.html", request, errors={}, **context)


# The POST route of one decision on an application.
_decision_post = action_posts("/arbetsbord/ansokningar/{application_id:int}", staff)


_note = free_text("note")


async def _refused_decision(
    request: Request[Any, Any, Any],
    application_id: int,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int,
) -> Template:
    """A refused decision, shown at the application it was about on the list."""
    return page(
        "employers/applications.html",
        request,
        status_code=status_code,
        errors={application_id: said_once(errors)},
        **await _applications_context(),
    )


async def _decide(
    request: Request[Any, Any, Any],
    application_id: int,
    decide: Callable[[AuthUser, int, str], Awaitable[object]],
    notice: str,
) -> Response[Any]:
    """One decision on an application with the coordinator's note (`decide(user, id, note)`),
    landing on the list with `notice`; a refusal shows at the application on the list."""

    async def run(note: str) -> Landing:
        await decide(signed_in_user(request), application_id, note)
        return "/arbetsbord/ansokningar", notice

    refused = partial(_refused_decision, request, application_id)
    return await round_trip(request, _note, run, refused)


@_decision_post("godkann")
async def application_godkann(
    request: Request[Any, Any, Any], application_id: FromPath[int]
) -> Response[Any]:
    """Approve an application: the host is created and its contact invited."""
    approve = applications.approve_application
    return await _decide(request, application_id, approve, "anmalan-godkand")


@_decision_post("avsla")
async def application_avsla(
    request: Request[Any, Any, Any], application_id: FromPath[int]
) -> Response[Any]:
    """Reject an application, with the coordinator's note."""
    reject = applications.reject_application
    return await _decide(request, application_id, reject, "anmalan-avslagen")


HOSTS_PER_PAGE = 50


@get("/drift/vardar", guards=[admin_only], include_in_schema=False, name="hosts_page")
async def hosts_page(
    request: Request[Any, Any, Any],
    sok: Annotated[str, QueryParameter(max_length=200)] = "",
    typ: Annotated[str, QueryParameter(max_length=40)] = "",
    sida: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
) -> Template:
    """Every host, by name, a page at a time, searched by name and chosen by kind, each
    leading to its organisation's page (details, a unit's target, contacts and the invitation
    of its users). An admin reached a host only by typing its address."""
    kind = typ if typ in vocabulary.HOST_KIND_LABELS else ""
    listing = partial(
        hosts.list_hosts_for, signed_in_user(request), kind=kind or None, q=sok or None
    )
    total, shown = await listing(limit=HOSTS_PER_PAGE, offset=(sida - 1) * HOSTS_PER_PAGE)
    pages = check_page(sida, total, HOSTS_PER_PAGE)  # past the last: to the last
    page_no = sida
    return page(
        "employers/hosts.html",
        request,
        hosts=shown,
        total=total,
        page_no=page_no,
        pages=pages,
        filters={"sok": sok.strip(), "typ": kind},
        query=urlencode({"sok": sok.strip(), "typ": kind}),
        kind_options=[("", "Alla"), *HOST_KIND_OPTIONS],
    )


INVITATION_LABELS = {"email": "E-postadress", "name": "Namn"}
INVITATION_FORM = Form(schemas.InvitationCreate, labels=INVITATION_LABELS, blank_is_empty=["name"])


@post(
    "/vard/organisation/{host_id:int}/inbjudan",
    guards=[requires("admin", "coordinator")],
    include_in_schema=False,
    status_code=303,
)
async def invitation_create(
    request: Request[Any, Any, Any], host_id: FromPath[int]
) -> Response[Any]:
    """Invite a person to manage the host: a mail with a single-use link to make (or join
    with) an account. The page had no such form; only the API did."""
    user = signed_in_user(request)

    async def invite(data: schemas.InvitationCreate) -> Landing:
        await invitations.invite_host_user(user, host_id, data.email, data.name)
        return f"/vard/organisation/{host_id}#anvandare", "inbjudan-skickad"

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        context = await _organisation_context(user, host_id)
        context.update(invitation_values=values, invitation_errors=errors)
        return page(
            "employers/organisation.html",
            request,
            status_code=status_code,
            values={"is_supervisor": "1", "supervision_capacity": "1"},
            errors={},
            **context,
        )

    return await round_trip(request, INVITATION_FORM, invite, refused)


ROUTES = [
    hosts_page,
    invitation_create,
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
    contact_reactivate,
    applications_page,
    application_godkann,
    application_avsla,
]
