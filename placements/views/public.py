"""Public pages of a slot: one published slot's page, opened from the search's hits (the
search pages themselves are in `search.pages`)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from marketplace.auth import current_user, public
from marketplace.views import page
from placements.services import slots as slot_services
from search import usage


@get("/platser/{slot_id:int}", guards=[public], include_in_schema=False, name="slot_page")
async def slot_page(
    request: Request[Any, Any, Any],
    slot_id: FromPath[int],
    sokning: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Template:
    """One slot. Opened from a search's hits (`sokning`), the search log notes the open."""
    slot = await slot_services.get_public_slot(slot_id)
    ref = usage.valid_ref(sokning)
    response = page("placements/public/slot.html", request, slot=slot, search_ref=ref)
    if ref is not None:
        user = current_user(request)
        response.background = BackgroundTask(usage.record_event_quietly, ref, "open", slot_id, user)
    return response


ROUTES = [slot_page]
