"""Partner agency pages (issue 18, item 5).

- The partner contact's own pages (role `partner`, never cached): the list of participants
  whose active consent covers their agency (`/samverkan`) and what one of them agreed to
  share (`/samverkan/deltagare/{id}`). Nothing else is theirs.
- The coordinator's page of a participant's consents (`/arbetsbord/deltagare/{id}/samverkan`):
  record a consent under a local agreement (one to an agency that has one in force replaces
  it, and the notice says so), record its withdrawal once a box confirms it (it cannot be
  undone: a participant who consents again gives a new consent), with a notice that names
  the agency that lost access and those that still have it.
- The back office (`/drift/samverkan`): admins add agencies and local agreements and change
  an agreement's period.

Every page calls `placements.services.partners`, which checks access and audits.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser, admin_only, requires, staff
from marketplace.kernel.forms import Form, Landing, form_values, is_ticked, round_trip
from marketplace.kernel.notices import done
from marketplace.kernel.views import page
from placements.schemas import partners as schemas
from placements.services import candidates as candidate_services
from placements.services import partners as services
from placements.views.agreements import no_store

partner_only = requires("partner")

CONSENT_LABELS = {
    "agreement_id": "Lokal överenskommelse",
    "given_on": "Dag då samtycket gavs",
    "method": "Hur samtycket gavs",
    "shares_outcome": "Utfallet efter placeringen",
    "shares_attendance": "Närvaron under placeringen",
}
WITHDRAW_LABELS = {"withdrawn_on": "Dag då samtycket återkallades"}
WITHDRAW_BOX = "confirm_withdraw"
WITHDRAW_UNCONFIRMED = (
    "Kryssa i rutan ”Ja, deltagaren har återkallat samtycket” för att registrera att det är "
    "återkallat."
)
AGENCY_LABELS = {"agency_name": "Myndighetens namn"}
AGREEMENT_LABELS = {
    "agency_id": "Myndighet",
    "name": "Överenskommelsens namn",
    "reference": "Diarienummer eller referens",
    "valid_from": "Gäller från",
    "valid_to": "Gäller till och med",
}
EDIT_LABELS = {k: v for k, v in AGREEMENT_LABELS.items() if k != "agency_id"} | {
    "confirm_end": "Jag vill spara ändringen ändå"
}
CONSENT_FORM = Form(
    schemas.ConsentCreate,
    labels=CONSENT_LABELS,
    flags=["shares_outcome", "shares_attendance"],
    rules=services.consent_rules,
)
WITHDRAW_FORM = Form(
    schemas.ConsentWithdraw, labels=WITHDRAW_LABELS, boxes={WITHDRAW_BOX: WITHDRAW_UNCONFIRMED}
)
AGENCY_FORM = Form(schemas.AgencyCreate, labels=AGENCY_LABELS)
_AGREEMENT_FORM_ARGS: dict[str, Any] = {
    "blank_is_none": ["valid_to"],
    "blank_is_empty": ["reference"],
    "rules": services.agreement_rules,
}
AGREEMENT_FORM = Form(schemas.AgreementCreate, labels=AGREEMENT_LABELS, **_AGREEMENT_FORM_ARGS)
AGREEMENT_EDIT_FORM = Form(
    schemas.AgreementUpdate, labels=EDIT_LABELS, flags=["confirm_end"], **_AGREEMENT_FORM_ARGS
)
METHOD_CHOICES = [
    ("skriftligt", "Skriftligt, på papper"),
    ("muntligt", "Muntligt (antecknat av samordnaren)"),
    ("digitalt", "Digitalt, med e-legitimation"),
]


def _and(names: list[str]) -> str:
    """The names as a Swedish sentence lists them: "A", "A och B", "A, B och C"."""
    return " och ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


# --- the partner contact -------------------------------------------------------------------------


@get("/samverkan", guards=[partner_only], include_in_schema=False, name="partner-home")
async def partner_home(request: Request[AuthUser, Any, Any]) -> Template:
    """The participants whose active consent covers the partner contact's agency."""
    agency_name, people = await services.shared_participants(request.user)
    return page("placements/partners/home.html", request, agency_name=agency_name, people=people)


@get("/samverkan/deltagare/{candidate_id:int}", guards=[partner_only], include_in_schema=False)
async def partner_participant(
    request: Request[AuthUser, Any, Any], candidate_id: FromPath[int]
) -> Template:
    """What the participant agreed to share with the agency, and nothing else."""
    summary = await services.shared_summary(request.user, candidate_id)
    return page("placements/partners/participant.html", request, summary=summary)


PARTNER_PAGES = Router(
    path="/", route_handlers=[partner_home, partner_participant], middleware=[no_store]
)


# --- the coordinator's page of a participant's consents ------------------------------------------


async def _consents_page(
    request: Request[AuthUser, Any, Any],
    candidate_id: int,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    withdraw_errors: dict[int, dict[str, str]] | None = None,
    withdraw_values: dict[int, dict[str, Any]] | None = None,
) -> Template:
    user = request.user
    candidate = await candidate_services.get_candidate_for(user, candidate_id)
    consents = await services.consents_of(candidate_id)
    today = clock.today().isoformat()
    return page(
        "placements/partners/consents.html",
        request,
        status_code=status_code,
        candidate=candidate,
        consents=consents,
        agreements=await services.agreement_choices(),
        methods=METHOD_CHOICES,
        labels=CONSENT_LABELS,
        withdraw_labels=WITHDRAW_LABELS,
        values=values if values is not None else {"given_on": today},
        errors=errors or {},
        withdraw_errors=withdraw_errors or {},
        withdraw_values=withdraw_values or {},
        today=today,
    )


@get("/arbetsbord/deltagare/{candidate_id:int}/samverkan", guards=[staff], include_in_schema=False)
async def consents_page(
    request: Request[AuthUser, Any, Any], candidate_id: FromPath[int]
) -> Template:
    """The participant's consents to share with partner agencies, and the form for a new one."""
    return await _consents_page(request, candidate_id)


@post(
    "/arbetsbord/deltagare/{candidate_id:int}/samverkan",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def consent_add(
    request: Request[AuthUser, Any, Any], candidate_id: FromPath[int]
) -> Response[Any]:
    async def add(data: schemas.ConsentCreate) -> Landing | Response[Any]:
        recorded = await services.add_consent(request.user, candidate_id, data)
        address = f"/arbetsbord/deltagare/{candidate_id}/samverkan"
        if recorded.already:
            return address, "samtycke-redan-registrerat"
        if recorded.replaced_given_on is None:
            return address, "samtycke-registrerat"
        said = done(
            address,
            "samtycke-ersatt",
            myndighet=recorded.agency_name,
            dag=recorded.replaced_given_on.isoformat(),
            slut=data.given_on.isoformat(),
        )
        return Redirect(said, status_code=303)

    return await round_trip(
        request, CONSENT_FORM, add, partial(_consents_page, request, candidate_id)
    )


@post(
    "/arbetsbord/deltagare/{candidate_id:int}/samverkan/{consent_id:int}/aterkalla",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def consent_withdraw(
    request: Request[AuthUser, Any, Any], candidate_id: FromPath[int], consent_id: FromPath[int]
) -> Response[Any]:
    async def withdraw(data: schemas.ConsentWithdraw) -> Response[Any]:
        ended = await services.withdraw_consent(request.user, candidate_id, consent_id, data)
        address = f"/arbetsbord/deltagare/{candidate_id}/samverkan"
        if ended.still_shared:
            said = done(
                address,
                "samtycke-aterkallat-andra-kvar",
                myndighet=ended.agency_name,
                andra=_and(ended.still_shared),
            )
        else:
            said = done(address, "samtycke-aterkallat", myndighet=ended.agency_name)
        return Redirect(said, status_code=303)

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        return await _consents_page(
            request,
            candidate_id,
            status_code=status_code,
            withdraw_errors={consent_id: errors},
            withdraw_values={consent_id: values},
        )

    return await round_trip(request, WITHDRAW_FORM, withdraw, refused)


# --- the back office: agencies and local agreements ----------------------------------------------


async def _agencies_page(
    request: Request[AuthUser, Any, Any],
    refused: str = "",
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """The agencies with the forms to add one and to add an agreement; the form named
    `refused` ("agency" or "agreement") shows what was typed in it and its messages."""
    agency_values, agency_errors = (values, errors) if refused == "agency" else (None, None)
    agreement_values, agreement_errors = (
        (values, errors) if refused == "agreement" else (None, None)
    )
    return page(
        "placements/partners/agencies.html",
        request,
        status_code=status_code,
        agencies=await services.agencies(),
        agency_choices=await services.agency_choices(),
        agency_labels=AGENCY_LABELS,
        agreement_labels=AGREEMENT_LABELS,
        agency_values=agency_values or {},
        agency_errors=agency_errors or {},
        agreement_values=agreement_values or {"valid_from": clock.today().isoformat()},
        agreement_errors=agreement_errors or {},
    )


@get("/drift/samverkan", guards=[admin_only], include_in_schema=False, name="partner-agencies")
async def agencies_page(request: Request[AuthUser, Any, Any]) -> Template:
    """Every partner agency with its local agreements, and forms to add them."""
    return await _agencies_page(request)


@post("/drift/samverkan/myndigheter", guards=[admin_only], include_in_schema=False, status_code=303)
async def agency_add(request: Request[AuthUser, Any, Any]) -> Response[Any]:
    async def add(data: schemas.AgencyCreate) -> Landing:
        await services.add_agency(request.user, data)
        return "/drift/samverkan", "myndighet-tillagd"

    return await round_trip(request, AGENCY_FORM, add, partial(_agencies_page, request, "agency"))


@post(
    "/drift/samverkan/overenskommelser",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def agreement_add(request: Request[AuthUser, Any, Any]) -> Response[Any]:
    async def add(data: schemas.AgreementCreate) -> Landing:
        await services.add_agreement(request.user, data)
        return "/drift/samverkan", "lokal-overenskommelse-tillagd"

    refused = partial(_agencies_page, request, "agreement")
    return await round_trip(request, AGREEMENT_FORM, add, refused)


async def _agreement_page(
    request: Request[AuthUser, Any, Any],
    agreement_id: int,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    shown = await services.get_agreement(agreement_id)
    return page(
        "placements/partners/agreement.html",
        request,
        status_code=status_code,
        shown=shown,
        labels=EDIT_LABELS,
        values=values
        if values is not None
        else {
            "name": shown.name,
            "reference": shown.reference,
            "valid_from": shown.valid_from.isoformat(),
            "valid_to": shown.valid_to.isoformat() if shown.valid_to else "",
        },
        errors=errors or {},
    )


@get(
    "/drift/samverkan/overenskommelser/{agreement_id:int}",
    guards=[admin_only],
    include_in_schema=False,
)
async def agreement_page(
    request: Request[AuthUser, Any, Any], agreement_id: FromPath[int]
) -> Template:
    """One local agreement, to change its name, reference or period."""
    return await _agreement_page(request, agreement_id)


@post(
    "/drift/samverkan/overenskommelser/{agreement_id:int}",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def agreement_update(
    request: Request[AuthUser, Any, Any], agreement_id: FromPath[int]
) -> Response[Any]:
    async def save(data: schemas.AgreementUpdate) -> Landing:
        await services.update_agreement(request.user, agreement_id, data)
        return "/drift/samverkan", "lokal-overenskommelse-sparad"

    values = await form_values(request)
    # A change that takes access away asks first, with the form's other problems at once.
    ask = None
    if not is_ticked(values, "confirm_end"):
        ask = await services.period_change_warning(
            agreement_id, values.get("valid_from"), values.get("valid_to")
        )
    refused = partial(_agreement_page, request, agreement_id)
    return await round_trip(request, AGREEMENT_EDIT_FORM.also(ask), save, refused)


ROUTES = [
    PARTNER_PAGES,
    consents_page,
    consent_add,
    consent_withdraw,
    agencies_page,
    agency_add,
    agreement_add,
    agreement_page,
    agreement_update,
]
