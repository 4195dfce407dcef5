"""The workbench's pages built on matching: a participant's page with the slots that suit them
(`/arbetsbord/deltagare/{id}`), and the propose page with the participants who suit a slot
(`/arbetsbord/platser/{id}/foresla`), which also notes in the search log a proposal made from
a search's hit (`sokning`).

They live in the search because they run it; what they show of the participant, the slot
and the booking comes from `placements.views.workbench`, which knows nothing of the search.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from marketplace.kernel.auth import AuthUser, staff
from marketplace.kernel.auth import signed_in_user as _user
from marketplace.kernel.errors import MarketplaceError
from marketplace.kernel.forms import field_errors, form_values, without_control_characters
from marketplace.kernel.views import page
from placements.services import slots as slot_services
from placements.services.bookings import CapacityWarning, HoursWarning
from placements.views import workbench
from search import usage
from search.services import match_candidates, match_slots

MATCHES_SHOWN = 10
SUITED_SHOWN = 8


@get("/arbetsbord/deltagare/{candidate_id:int}", guards=[staff], include_in_schema=False)
async def candidate_page(
    request: Request[Any, Any, Any],
    candidate_id: FromPath[int],
) -> Template:
    """A participant's page, with the best matching slots (without pages: the page says so)."""
    user = _user(request)
    context = await workbench.candidate_context(user, candidate_id)
    matches = await match_slots(user, candidate_id, limit=MATCHES_SHOWN)
    return page(
        "placements/workbench/candidate.html",
        request,
        **context,
        result=matches,
        facts=await slot_services.hit_facts([m.id for m in matches.results]),
        pages=1,
        page_number=1,
        params="",
        best_shown=True,  # only the best matches, without pages: say so
    )


async def _propose_context(user: AuthUser, slot_id: int) -> dict[str, Any]:
    context = await workbench.propose_context(user, slot_id)
    # Matching from the slot's side: the caller's active participants who suit it, with the
    # reasons (each one shown is an audited read). A slot that takes no bookings has none.
    suited = None
    if context["slot"].status not in ("draft", "closed"):
        suited = await match_candidates(user, slot_id, limit=SUITED_SHOWN)
    facts = await slot_services.hit_facts([slot_id])
    busy = slot_id in facts and facts[slot_id].no_supervisor_free
    return {**context, "suited": suited, "no_supervisor_free": busy}


@get("/arbetsbord/platser/{slot_id:int}/foresla", guards=[staff], include_in_schema=False)
async def propose_form(
    request: Request[Any, Any, Any],
    slot_id: FromPath[int],
    deltagare: Annotated[int | None, QueryParameter(ge=1)] = None,
    sokning: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Template:
    context = await _propose_context(_user(request), slot_id)
    # The search the slot was found by, so the search log can note the proposal.
    values = {"candidate_id": str(deltagare or ""), "sokning": usage.valid_ref(sokning) or ""}
    return page("placements/workbench/propose.html", request, values=values, errors={}, **context)


@post(
    "/arbetsbord/platser/{slot_id:int}/foresla",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def propose_submit(
    request: Request[Any, Any, Any], slot_id: FromPath[int]
) -> Template | Redirect:
    user = _user(request)
    values = await form_values(request)
    ref = usage.valid_ref(str(values.pop("sokning", "") or ""))
    try:
        landing = await workbench.propose_from_form(user, slot_id, values)
    except MarketplaceError as exc:
        context = await _propose_context(user, slot_id)
        return page(
            "placements/workbench/propose.html",
            request,
            status_code=exc.status_code,
            values={**without_control_characters(values), "sokning": ref or ""},
            errors=field_errors(exc, workbench.PROPOSE_LABELS),
            warned=isinstance(exc, CapacityWarning),
            hours_warned=isinstance(exc, HoursWarning),
            **context,
        )
    background = None
    if ref is not None:
        background = BackgroundTask(usage.record_event_quietly, ref, "propose", slot_id, user)
    return Redirect(landing, status_code=303, background=background)


ROUTES = [candidate_page, propose_form, propose_submit]
