"""The page a host without an account answers a proposal on, through the single-use link
mailed to its contact person and the slot's supervisor (`placements.services.answers`).

The page shows what the host needs to decide and asks for a confirmation before accepting;
declining needs a reason. A link that is tampered with, meant for another proposal, expired
or replaced gets a clear Swedish page with a 4xx status, and nothing changes; a used one says
that the answer given through it is registered (`answers.used_text`). Like the
signing and assessment links, every answer of this router is `Cache-Control: no-store`.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post
from litestar.params import FromPath
from litestar.response import Template

from marketplace.kernel.auth import public
from marketplace.kernel.errors import MarketplaceError, ValidationFailed
from marketplace.kernel.forms import (
    Form,
    control_problems,
    field_errors,
    form_values,
    is_ticked,
    refuse,
    without_control_characters,
)
from marketplace.kernel.views import page
from placements import date_rules
from placements.errors import LinkRefused
from placements.schemas import bookings as schemas
from placements.services import answer_links, answers
from placements.views.agreements import link_refused, no_store

Token = Annotated[str, msgspec.Meta(max_length=500)]
ACCEPT_LABELS = {
    "supervisor_id": "Handledare",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
}
ANSWER_LABELS = {**ACCEPT_LABELS, "confirm": "Bekräftelse", "reason": "Skäl"}
NOT_CONFIRMED = "Kryssa i rutan för att bekräfta att ni tar emot deltagaren."
ACCEPT_BY_LINK = Form(
    schemas.AcceptRequest,
    labels=ACCEPT_LABELS,
    blank_is_none=list(ACCEPT_LABELS),
    rules=date_rules.form_rules("proposal"),
    boxes={"confirm": NOT_CONFIRMED},
)
NO_REASON = "Skriv varför ni avböjer, så kan samordnaren hitta en bättre plats."


async def _answer_page(
    request: Request[Any, Any, Any],
    booking_id: int,
    token: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    try:
        shown = await answers.page_for_link(booking_id, token)
    except LinkRefused as exc:
        return link_refused(request, exc)
    return page(
        "answers/answer.html",
        request,
        status_code=status_code,
        shown=shown,
        options=shown.options,
        action=f"{answer_links.answer_path(booking_id, token)}/acceptera",
        decline_action=f"{answer_links.answer_path(booking_id, token)}/avboj",
        values=values or {},
        errors=errors or {},
        labels=ANSWER_LABELS,
    )


async def _answer_refused(
    request: Request[Any, Any, Any],
    booking_id: int,
    token: str,
    values: dict[str, Any],
    exc: MarketplaceError,
) -> Template:
    """A refused answer, accept or decline alike: a dead link gets its own page; any other
    refusal shows the proposal again with the reason next to its field."""
    if isinstance(exc, LinkRefused):
        return link_refused(request, exc)
    return await _answer_page(
        request,
        booking_id,
        token,
        values=without_control_characters(values),
        errors=field_errors(exc, ANSWER_LABELS),
        status_code=exc.status_code,
    )


@get(
    "/forslag/{booking_id:int}/svar/{token:str}",
    guards=[public],
    include_in_schema=False,
    name="answer-link",
)
async def answer_page(
    request: Request[Any, Any, Any], booking_id: FromPath[int], token: FromPath[Token]
) -> Template:
    """The proposal, with a form to accept (after confirming) and one to decline."""
    return await _answer_page(request, booking_id, token)


@post(
    "/forslag/{booking_id:int}/svar/{token:str}/acceptera",
    guards=[public],
    include_in_schema=False,
    status_code=200,
)
async def answer_accept(
    request: Request[Any, Any, Any], booking_id: FromPath[int], token: FromPath[Token]
) -> Template:
    """Accept through the link, once; a refusal (no room, no confirmation) shows the page
    again with the reason next to its field and the link still usable."""
    values = await form_values(request)
    try:
        if not is_ticked(values, "confirm"):
            await answers.check_link(booking_id, token)  # a dead link says so first
        # The box and the period's own problems at once (seen in the browser: an end
        # before the start was said only after the box had been ticked).
        choice = ACCEPT_BY_LINK(values)
        booking = await answers.accept_by_link(booking_id, token, choice)
    except MarketplaceError as exc:
        return await _answer_refused(request, booking_id, token, values, exc)
    return page("answers/answered.html", request, booking=booking, accepted=True)


@post(
    "/forslag/{booking_id:int}/svar/{token:str}/avboj",
    guards=[public],
    include_in_schema=False,
    status_code=200,
)
async def answer_decline(
    request: Request[Any, Any, Any], booking_id: FromPath[int], token: FromPath[Token]
) -> Template:
    """Decline through the link with a reason, once."""
    values = await form_values(request)
    reason = str(values.get("reason", "")).strip()[:2000]
    try:
        # No form helper reads the reason: its invisible control characters are refused here.
        unreadable = control_problems(values, ANSWER_LABELS, only=["reason"])
        if not reason or unreadable:
            await answers.check_link(booking_id, token)  # a dead link says so first
        if not reason:
            raise ValidationFailed(NO_REASON, fields=["reason"])
        refuse(unreadable)
        booking = await answers.decline_by_link(booking_id, token, reason)
    except MarketplaceError as exc:
        return await _answer_refused(request, booking_id, token, values, exc)
    return page("answers/answered.html", request, booking=booking, accepted=False)


ANSWER_PAGES = Router(
    path="/",
    route_handlers=[answer_page, answer_accept, answer_decline],
    middleware=[no_store],
)

ROUTES = [ANSWER_PAGES]
