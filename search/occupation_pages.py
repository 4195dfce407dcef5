"""The occupation pickers of the forms, as htmx fragments: occupations matching what a host
typed in the slot form (`/vard/yrken`), three occupations suggested from the slot's title and
description (`/vard/yrkesforslag`), and the participant form's wished occupations with
suggestions for what the coordinator typed (`/arbetsbord/yrken`).

The forms themselves are the placements' (`placements.views.host`, `placements.views.
candidates`), which never import the search: the app factory hands the slot form
`slot_form_suggestions`, for its "Föreslå yrke" button without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import QueryParameter
from litestar.response import Template

from marketplace.kernel.auth import staff
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.forms import form_values
from marketplace.kernel.views import page
from marketplace.reference import taxonomy
from placements.views import candidates as candidate_views
from placements.views.host import slot_editors
from search.suggest import MAX_DESCRIPTION, MAX_TITLE, NO_SLOT_WORDS, Suggestion, suggestions_for
from search.taxonomy_cache import suggest_occupations

# Occupations offered for what was typed: in the slot form, in the participant form.
SLOT_FORM_OPTIONS = 8
WISHED_OPTIONS = 8


async def slot_form_suggestions(title: str, description: str) -> tuple[Sequence[Suggestion], str]:
    """Three occupations suggested for a slot's title and description, or none and why."""
    try:
        return await suggestions_for(title[:MAX_TITLE], description[:MAX_DESCRIPTION]), ""
    except ValidationFailed:
        return [], NO_SLOT_WORDS


@get("/vard/yrken", guards=[slot_editors], include_in_schema=False)
async def occupation_options(
    request: Request[Any, Any, Any],
    occupation_label: Annotated[str, QueryParameter(max_length=100)] = "",
) -> Template:
    """htmx: occupations matching what the host typed, as radio buttons to pick from."""
    suggestions = (
        suggest_occupations(occupation_label, SLOT_FORM_OPTIONS) if occupation_label else []
    )
    return page("placements/host/_occupations.html", request, suggestions=suggestions)


@post("/vard/yrkesforslag", guards=[slot_editors], include_in_schema=False, status_code=200)
async def occupation_suggestions(request: Request[Any, Any, Any]) -> Template:
    """htmx: three occupations suggested from the form's title and description, to pick."""
    values = await form_values(request)
    suggestions, problem = await slot_form_suggestions(
        str(values.get("title") or ""), str(values.get("description") or "")
    )
    chosen = taxonomy.occupation(str(values.get("occupation_id") or ""))
    shown = {
        "occupation_id": chosen.id if chosen else "",
        "occupation_label": chosen.label if chosen else "",
    }
    return page(
        "placements/host/_occupation_choices.html",
        request,
        values=shown,
        occupation_suggestions=suggestions,
        suggestion_problem=problem,
    )


def wished_occupation_options(chosen: list[str], q: str) -> list[tuple[str, str, bool]]:
    """(id, label, checked) for the wished-occupation checkboxes: the chosen ones first, still
    checked, then the taxonomy's suggestions for what was typed."""
    options = candidate_views.occupation_options(chosen)
    if q.strip():
        shown = {option[0] for option in options}
        for s in suggest_occupations(q, WISHED_OPTIONS):
            if s.id not in shown:
                shown.add(s.id)
                options.append((s.id, f"{s.label} ({s.group_label})", False))
    return options


@get("/arbetsbord/yrken", guards=[staff], include_in_schema=False)
async def occupation_choices(
    request: Request[Any, Any, Any],
    yrke: Annotated[str, QueryParameter(max_length=100)] = "",
    wished_occupations: Annotated[list[str] | None, QueryParameter(max_items=50)] = None,
) -> Template:
    """htmx: the chosen occupations, still checked, and suggestions for what was typed."""
    chosen = [o for o in (wished_occupations or []) if len(o) <= 20]
    return page(
        "placements/workbench/_wished_occupations.html",
        request,
        occupation_choices=wished_occupation_options(chosen, yrke),
        values={"wished_occupations": chosen},
        errors={},
        labels=candidate_views.EDIT_LABELS,
    )


ROUTES = [occupation_options, occupation_suggestions, occupation_choices]
