"""Every error an operation can answer, in the OpenAPI schema, with the app's real error body.

Litestar documents an operation's success answer and, where it validates input, a 400 with its
own body. Our refusals (401, 403, 404, 409, 413, 429, 503) come from the one exception map in
`marketplace.app` and carry `{"status_code", "detail", "fields"}`. `document_errors(app)` adds
them to every route handler of the built app, derived from what the route is:

- every operation: 400 (a bad Host header, a value the database cannot take), 401 (an
  invalid or revoked Bearer token is refused on any route) and 503 (storage unavailable);
- guarded by anything but `public`, or a write to the JSON API (CSRF): 403;
- a path parameter, a query parameter naming an object (`…_id`), or a body (which may name
  other objects): 404;
- a write (POST, PUT, PATCH, DELETE): 409 (the object's state) and 413 (body too large);
- a JSON body: 415 (sent as anything but JSON, see `marketplace.kernel.bodies`);
- a rate-limited route (`opt={"rate_limited": True}`, and every anonymous write): 429.

A new route is covered without any change here; one that answers something else declares it
in its own `responses=`, which wins over what is derived.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)

from marketplace.kernel.auth import public, route_guards
from marketplace.kernel.bodies import takes_json

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorBody(msgspec.Struct):
    """The body of every error answer of the JSON API."""

    status_code: int
    detail: str
    fields: list[str] = msgspec.field(default_factory=list)
    # One Swedish message per wrong field (every one, not only the first), when fields are named.
    errors: dict[str, str] = msgspec.field(default_factory=dict)


DESCRIPTIONS = {
    400: "Ogiltiga uppgifter; `fields` namnger vad som ska rättas och `errors` ger ett "
    "meddelande på svenska per fält.",
    401: "Inloggning krävs, eller API-nyckeln är ogiltig eller återkallad.",
    403: "Rollen saknar behörighet, eller CSRF-token saknas.",
    404: "Objektet finns inte, eller anroparen får inte se det.",
    409: "Åtgärden passar inte objektets nuvarande läge.",
    413: "Det som skickades är för stort.",
    415: "Innehållet ska skickas som JSON (Content-Type: application/json).",
    429: "För många försök; se Retry-After.",
    503: "Lagringen är inte tillgänglig just nu; se Retry-After.",
}


def _parameter_names(handler: HTTPRouteHandler) -> set[str]:
    """The names of a handler's own parameters and of those its dependencies take."""
    names = set(handler.parsed_fn_signature.parameters)
    for provide in handler.resolve_dependencies().values():
        dependency = getattr(provide, "dependency", None)
        if callable(dependency):
            names |= set(inspect.signature(dependency).parameters)
    return names


def error_statuses(handler: HTTPRouteHandler, path: str) -> set[int]:
    """The error statuses an operation can answer, derived from its guards, path and method."""
    methods = set(handler.http_methods) - {"HEAD", "OPTIONS"}
    writes = bool(methods & WRITE_METHODS)
    guards = route_guards(handler)
    statuses = {400, 401, 503}
    if any(guard is not public for guard in guards) or (writes and path.startswith("/api/")):
        statuses.add(403)
    names_an_object = any(name.endswith("_id") for name in _parameter_names(handler))
    if "{" in path or writes or names_an_object:
        statuses.add(404)
    if writes:
        statuses |= {409, 413}
    if takes_json(handler):
        statuses.add(415)
    opt: dict[str, Any] = handler.opt or {}
    if opt.get("rate_limited") or (writes and guards and all(g is public for g in guards)):
        statuses.add(429)
    return statuses


def document_errors(app: Litestar) -> None:
    """Add the derived error answers to every HTTP route handler of `app` (idempotent)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not handler.include_in_schema:
                continue
            derived = {
                status: ResponseSpec(
                    data_container=ErrorBody,
                    description=DESCRIPTIONS[status],
                    generate_examples=False,
                )
                for status in sorted(error_statuses(handler, route.path))
            }
            handler.responses = {**derived, **(handler.responses or {})}


def file_operation(media_types: Iterable[str]) -> type[Operation]:
    """An `operation_class` for a route that answers a file (an export): its 200 answer is
    documented as binary content in each of `media_types`, not as JSON."""
    types = tuple(media_types)

    @dataclass
    class FileOperation(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if isinstance(ok, OpenAPIResponse):
                binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                ok.content = {m: OpenAPIMediaType(schema=binary) for m in types}

    return FileOperation
