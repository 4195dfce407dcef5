"""Admins' page for the everyday words the search knows: add a word, see it, remove it."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.auth import AuthUser, admin_only
from marketplace.errors import MarketplaceError
from marketplace.forms import field_errors, form_values, is_ticked
from marketplace.notices import done
from marketplace.views import page
from search import vocabulary
from search.schemas import EverydayWordIn

_PAGE = "search/everyday_words.html"
_CONFIRM = "search/everyday_word_remove.html"
_FIELDS = ("word", "targets")


async def _page(
    request: Request[Any, Any, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        _PAGE,
        request,
        status_code=status_code,
        words=await vocabulary.list_words(),
        values=values or {},
        errors=errors or {},
        max_targets=vocabulary.MAX_TARGETS,
    )


@get("/drift/vardagsord", guards=[admin_only], include_in_schema=False, name="everyday-words")
async def everyday_words_page(request: Request[Any, Any, Any]) -> Template:
    """The added everyday words and the built-in ones, and a form to add one."""
    return await _page(request)


@post("/drift/vardagsord", guards=[admin_only], include_in_schema=False, status_code=303)
async def everyday_word_add(request: Request[AuthUser, Any, Any]) -> Template | Redirect:
    """Add an everyday word; on a mistake, the form comes back with what was typed."""
    values = await form_values(request)
    word = str(values.get("word") or "")
    targets = str(values.get("targets") or "")
    try:
        added = await vocabulary.add_word(
            request.user, EverydayWordIn(word=word[:200], targets=targets[:1000].split())
        )
    except MarketplaceError as exc:
        errors = field_errors(exc, _FIELDS)
        return await _page(request, values, errors, status_code=exc.status_code)
    return Redirect(done("/drift/vardagsord", "ord-tillagt", ord=added.word), status_code=303)


@get(
    "/drift/vardagsord/{word:str}/ta-bort",
    guards=[admin_only],
    include_in_schema=False,
)
async def everyday_word_confirm(request: Request[Any, Any, Any], word: FromPath[str]) -> Template:
    """Ask before removing an added everyday word."""
    entry = await vocabulary.get_added_word(word)
    return page(_CONFIRM, request, entry=entry, errors={})


@post(
    "/drift/vardagsord/{word:str}/ta-bort",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def everyday_word_remove(
    request: Request[AuthUser, Any, Any], word: FromPath[str]
) -> Template | Redirect:
    """Remove an added everyday word, once the admin has ticked the confirmation."""
    entry = await vocabulary.get_added_word(word)
    if not is_ticked(await form_values(request), "confirm"):
        errors = {"confirm": "Kryssa i rutan för att bekräfta att ordet ska tas bort."}
        return page(_CONFIRM, request, status_code=400, entry=entry, errors=errors)
    await vocabulary.remove_word(request.user, entry.word)
    return Redirect(done("/drift/vardagsord", "ord-borttaget", ord=entry.word), status_code=303)


ROUTES = [everyday_words_page, everyday_word_add, everyday_word_confirm, everyday_word_remove]
