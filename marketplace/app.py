"""The app factory: routes of every package, one exception map, security headers, lifespan."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import msgspec
from litestar import Litestar, Request, Response
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader, MutableScopeHeaders
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from marketplace import jobs_views, packages
from marketplace.kernel.auth import (
    AuthMiddleware,
    AuthUser,
    current_user,
    identify_for_error_page,
    public,
    request_path,
)
from marketplace.kernel.bodies import check_request
from marketplace.kernel.errors import MarketplaceError, NotFound, said_once
from marketplace.kernel.forms import allowed_choices, field_label, field_problems, swedish_reason
from marketplace.kernel.i18n import N_
from marketplace.kernel.migrate import apply_migrations, pending_migrations
from marketplace.kernel.openapi import document_errors
from marketplace.kernel.outage import outage_handlers
from marketplace.kernel.paging import PastLastPage
from marketplace.kernel.settings import Settings, get_settings
from marketplace.kernel.templating import STATIC_CACHE_SECONDS, register_templating
from marketplace.kernel.views import (
    PublicErrors,
    error_frame,
    identify_for_error_frame,
    page_above,
    public_frame,
)

log = logging.getLogger("marketplace")
# APScheduler logs every run of every job at INFO (a line every few seconds): the console
# stays quiet unless something goes wrong. The scheduler's own start and lead changes are
# logged by marketplace.scheduler.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

PACKAGE_DIRS = [
    Path(__file__).parent.parent / name
    for name in ("marketplace", "employers", "placements", "search", "admin", "participants")
]

CSRF_FAILED = N_(
    "Formuläret kunde inte skickas, eftersom sidan har varit öppen länge eller webbläsarens "
    "kakor har rensats. Gå tillbaka, ladda om sidan och skicka igen."
)
# Swedish wording for the HTTP errors a person may meet.
STATUS_TEXT = {
    400: "Uppgifterna kunde inte tas emot.",
    401: "Du behöver logga in.",
    403: "Du har inte behörighet till det här.",
    404: N_("Sidan finns inte, eller så har det du letade efter tagits bort."),
    405: "Metoden stöds inte för den här adressen.",
    409: "Åtgärden går inte att utföra i nuvarande läge.",
    413: "Det du skickade är för stort.",
    415: "Formatet stöds inte.",
    429: "För många försök. Vänta en stund och försök igen.",
    503: "Tjänsten är inte tillgänglig just nu. Försök igen om en stund.",
    500: "Något gick fel hos oss. Försök igen om en stund; felet är loggat.",
}

# The site's error pages for a visitor who chose English or Arabic (the slot search, the
# form and Mina sidor have their own, `ERROR_FRAMES`): a mistyped address met a Swedish page.
VISITOR_ERRORS = PublicErrors(
    public_frame,
    ("/", N_("Till startsidan")),
    {
        400: N_("Något behöver rättas"),
        403: N_("Ingen behörighet"),
        404: N_("Sidan finns inte"),
        405: N_("Sidan finns inte"),
        429: N_("Försök igen senare"),
    },
    {404: STATUS_TEXT[404], 405: STATUS_TEXT[404]},
    N_("Något gick fel. Försök igen om en stund."),
    switch=False,  # back to a missing address it could not lead
)

_FIELD_RE = re.compile(r"`\$\.([A-Za-z0-9_.\[\]]+)`")
_MISSING_RE = re.compile(r"missing required field `([^`]+)`")
_MISSING_PARAM_RE = re.compile(r"Missing required \w+ parameter '([^']+)'")
_UNKNOWN_RE = re.compile(r"unknown field `([^`]+)`")


def _body_type(request: Request[Any, Any, Any]) -> Any:
    """The Struct the handler takes as its JSON body, when there is one."""
    try:
        parameter = request.route_handler.parsed_fn_signature.parameters.get("data")
    except Exception:
        return None
    annotation = getattr(parameter, "annotation", None)
    return (
        annotation
        if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)
        else None
    )


def _choices(request: Request[Any, Any, Any], name: str) -> list[str]:
    """The values a query or path parameter of the handler allows (a Literal or an Enum)."""
    try:
        parameter = request.route_handler.parsed_fn_signature.parameters.get(name)
    except Exception:
        return []
    return allowed_choices(getattr(parameter, "annotation", None)) if parameter else []


def _body_problems(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Every wrong field of the JSON body, not only the first msgspec stopped at."""
    cls = _body_type(request)
    raw = getattr(request, "_body", None)  # the body Litestar read (and cached) before
    if cls is None or not isinstance(raw, bytes | bytearray):
        return {}
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    return field_problems(cls, data, {}, strict=True, codes=True)


def _validation_details(
    request: Request[Any, Any, Any], exc: ValidationException
) -> tuple[str, dict[str, str]]:
    """Litestar's validation failure as one Swedish message per field (`errors`) and the
    whole message; field names are shown by their Swedish labels (`FIELD_LABELS`)."""
    errors: dict[str, str] = {}
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        key = str(item.get("key") or "")
        found = _MISSING_RE.search(message) or _UNKNOWN_RE.search(message)
        found = found or _FIELD_RE.search(message)
        name = found.group(1) if found else key
        if item.get("source") == "body" and not found and name == "data":
            name = ""
        errors[name or "_"] = swedish_reason(
            message,
            field_label(name),
            _choices(request, key),
            codes=request.url.path.startswith("/api/"),
        )
        if item.get("source") == "body" and (every := _body_problems(request)):
            errors.pop(name or "_", None)  # said again, with the choices, among every field's
            errors.update(every)
    if not errors:
        detail = str(exc.detail)
        if missing := _MISSING_PARAM_RE.search(detail):
            name = missing.group(1)
            errors[name] = f"{field_label(name)} måste anges."
        else:
            errors["_"] = STATUS_TEXT[400]
    message = "Ogiltiga uppgifter. " + said_once(errors)
    return message, errors


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith(("/api/", "/health", "/schema")):
        return False
    return "text/html" in request.headers.get("accept", "")


def _error_response(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    fields: list[str],
    errors: dict[str, str] | None = None,
) -> Response[Any]:
    """The error page (HTML) or JSON body: `detail` in Swedish, `fields` named, and
    `errors` with one Swedish message per field when fields are concerned."""
    shown = {k: v for k, v in (errors or {}).items() if k != "_"}
    frame = error_frame(request.url.path) if _wants_html(request) else None
    if frame is not None:
        framed = frame.render(request, status, message, message == STATUS_TEXT.get(status))
        if framed is not None:
            return framed
    if frame is None and status in VISITOR_ERRORS.headings and _wants_html(request):
        # Only the errors a visitor may meet; a sign-in or a conflict stays the site's page.
        visitor = VISITOR_ERRORS.render(request, status, message, False)
        if visitor is not None:
            return visitor
    if _wants_html(request):
        # The signed-in user too, so that the menu stays theirs: an error page that offered
        # "Logga in" made a signed-in host think the session was gone.
        return Template(
            "error.html",
            context={
                "status": status,
                "message": message,
                "request": request,
                "user": current_user(request),
            },
            status_code=status,
        )
    body: dict[str, Any] = {"status_code": status, "detail": message, "fields": fields}
    if shown or fields:
        body["errors"] = shown or dict.fromkeys(fields, message)
    return Response(body, status_code=status)


def handle_domain_error(request: Request[Any, Any, Any], exc: MarketplaceError) -> Response[Any]:
    response = _error_response(request, exc.status_code, exc.message, exc.fields, exc.errors)
    response.headers.update(exc.headers)
    return response


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    message, errors = _validation_details(request, exc)
    fields = [k for k in errors if k != "_"]
    return _error_response(request, 400, message, fields, errors)


# What Litestar says (in English) of a request body or header it cannot read, said in Swedish
# so that the sender can mend it; anything else it says of a bad request is only logged.
_CLIENT_ERRORS = (
    (
        re.compile(r"JSON is malformed|Input data was truncated|invalid character", re.I),
        "Innehållet är inte giltig JSON{where}. Kontrollera klamrar, citattecken och kommatecken.",
    ),
    (
        re.compile(r"multipart", re.I),
        "Formuläret gick inte att läsa. Skicka det som multipart/form-data med filen i fältet "
        "file.",
    ),
    (
        re.compile(r"content-length", re.I),
        "Längden som anges (Content-Length) stämmer inte med det som skickades.",
    ),
    (re.compile(r"host header", re.I), "Adressen som anges (Host) är ogiltig."),
)
_BYTE_RE = re.compile(r"\(byte (\d+)\)")


def client_error_text(detail: str) -> str:
    """Litestar's English detail of a 400 as a Swedish message a person can act on."""
    for pattern, text in _CLIENT_ERRORS:
        if pattern.search(detail):
            at = _BYTE_RE.search(detail)
            where = f" (fel vid tecken {int(at.group(1)) + 1})" if at else ""
            return f"{STATUS_TEXT[400]} {text.format(where=where)}"
    return STATUS_TEXT[400]


# A page's address: plain segments only, so that a redirect to a part of it stays here.
_PAGE_PATH = re.compile(r"(?:/[\w.-]+)+")


def _page_of_form(request: Request[Any, Any, Any]) -> str | None:
    """The page a form's address belongs to, for a browser that opens the address itself.

    A form posts to an address of its own ("/arbetsbord/bokningar/12/lankar") that answers
    only POST. Reloaded after a refused post, opened from the history or a bookmark, it gave
    "Adressen tar bara emot ett ifyllt formulär", a dead end. The page is the nearest
    address above it that answers GET (its own guards then apply). Only a browser's page
    request is sent on, never the API's, and only within the service (`_PAGE_PATH`)."""
    path = request.url.path.rstrip("/")
    if request.method != "GET" or not _wants_html(request) or path.startswith("/api/"):
        return None
    if not _PAGE_PATH.fullmatch(path):
        return None
    return page_above(request.app, path)


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status == 405 and (page := _page_of_form(request)) is not None:
        return Redirect(page, status_code=303)
    detail = str(exc.detail or "")
    # Litestar's own details are English: never shown as they are (the service raises no
    # HTTPException of its own; its errors are MarketplaceErrors).
    message = STATUS_TEXT.get(status, detail) if status >= 400 else detail
    if status == 403 and "csrf" in detail.casefold():
        # A form's token no longer matched (the page stood open past a sign-out, or the
        # browser dropped its cookies): "no permission" sent people looking for a role.
        message = CSRF_FAILED
    if status == 400 and detail:
        log.info("bad request on %s: %s", request.url.path, detail)
        message = client_error_text(detail)
    response = _error_response(request, status, message, [])
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _database_value_errors() -> tuple[type[Exception], ...]:
    """Errors the database driver raises for a value it cannot store or compare: a number
    beyond the column's range (an id of 40 digits), a NUL character in text on PostgreSQL."""
    errors: list[type[Exception]] = [OverflowError]
    try:
        from asyncpg.exceptions import DataError as ServerDataError
        from asyncpg.exceptions._base import DataError as ClientDataError
    except ImportError:  # pragma: no cover - asyncpg comes with piccolo[postgres]
        return tuple(errors)
    return (*errors, ServerDataError, ClientDataError)


DATABASE_VALUE_ERRORS = _database_value_errors()


def handle_bad_value(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Input the database cannot take is the caller's mistake, never a 500: an id in the
    path that cannot exist answers 404, anything else 400."""
    if not isinstance(exc, DATABASE_VALUE_ERRORS):
        return handle_crash(request, exc)
    log.info("refused a value the database cannot take on %s: %s", request.url.path, exc)
    too_big = any(
        isinstance(v, int) and not -(2**31) <= v < 2**31 for v in request.path_params.values()
    )
    if too_big:
        return _error_response(request, 404, STATUS_TEXT[404], [])
    return _error_response(
        request,
        400,
        "Ogiltiga uppgifter. Ett tal är för stort eller en text innehåller otillåtna tecken.",
        [],
    )


def handle_past_last_page(request: Request[Any, Any, Any], exc: PastLastPage) -> Response[Any]:
    """A list's page past its last: to the same address at the last page (`kernel.paging`)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != exc.param]
    query = urlencode([*kept, (exc.param, str(exc.value))])
    return Redirect(f"{request.url.path}?{query}", status_code=303)


def handle_crash(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error_response(request, 500, STATUS_TEXT[500], [])


def security_headers(settings: Settings) -> Callable[[ASGIApp], ASGIApp]:
    """Middleware adding CSP, nosniff, frame-ancestors, HSTS (production) and no-store.

    Any answer to a signed-in caller may carry personal data, so it is never cached.
    """
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )

    def middleware(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    headers.setdefault("X-Content-Type-Options", "nosniff")
                    headers.setdefault("Referrer-Policy", "same-origin")
                    headers.setdefault("X-Frame-Options", "DENY")
                    if not request_path(scope).startswith("/schema"):
                        headers.setdefault("Content-Security-Policy", csp)
                    if settings.is_production:
                        headers.setdefault(
                            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
                        )
                    if isinstance(scope.get("user"), AuthUser) or scope["path"].startswith(
                        ("/api/v1/me", "/api/v1/auth")
                    ):
                        headers["Cache-Control"] = "no-store"
                await send(message)

            await app(scope, receive, send_with_headers)

        return wrapped

    return middleware


def head_as_get(app: ASGIApp) -> ASGIApp:
    """Answer HEAD as GET without the body (RFC 9110: a GET resource answers HEAD), so that
    uptime monitors, link checkers and `curl -I` get the page's status and headers, not 405.
    The body's length stays in the headers; a resource without GET still answers 405."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or cast("HTTPScope", scope)["method"] != "HEAD":
            await app(scope, receive, send)
            return
        as_get = cast("HTTPScope", {**scope, "method": "GET"})

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await app(as_get, receive, without_body)

    return wrapped


Hook = Callable[[Litestar], AbstractAsyncContextManager[None]]


def make_lifespan(
    settings: Settings, hooks: list[Hook], outer: Sequence[Hook] = ()
) -> Callable[[Litestar], Any]:
    """The app's lifespan: the `outer` hooks around everything (see `create_app`), then the
    migration check, then the packages' hooks in order."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as around:
            for hook in outer:
                await around.enter_async_context(hook(app))
            pending = await pending_migrations()
            if pending:
                if settings.is_production:
                    raise SystemExit(
                        f"{len(pending)} migreringar är inte körda ({pending[0]} …). "
                        "Kör 'marketplace migrate' först."
                    )
                await apply_migrations()
            # Names sort by PostgreSQL's Swedish collation where it has one (db.swedish_order).
            from marketplace.kernel.db import use_swedish_collation
            from marketplace.kernel.tables import User

            await use_swedish_collation(User._meta.db)
            async with AsyncExitStack() as stack:
                for hook in hooks:
                    await stack.enter_async_context(hook(app))
                yield

    return lifespan


def wire_packages() -> None:
    """Hand a package what it uses from a package above it, which it may not import (the
    layers of docs/architecture.md): the host's slot form gets the search's occupation
    suggestions for its "Föreslå yrke" without JavaScript, and a contact's page what the
    contact supervises in the placements' package."""
    from employers.services import contacts
    from placements.services import supervisors
    from placements.views import host as host_views
    from search import occupation_pages

    host_views.use_occupation_suggester(occupation_pages.slot_form_suggestions)
    contacts.use_holdings_lookup(supervisors.contact_holdings)
    contacts.use_slot_handover(supervisors.hand_over_slots)


def collect_hooks(settings: Settings) -> list[Hook]:
    """Lifespan hooks of the packages (search index, scheduler), in start order."""
    hooks: list[Hook] = [rate_limit_hook, search_index_hook]
    if settings.scheduler_enabled:
        from marketplace.scheduler import scheduler_hook

        hooks.append(scheduler_hook)
    return hooks


@asynccontextmanager
async def rate_limit_hook(app: Litestar) -> AsyncIterator[None]:
    """At shutdown, close the sign-in limits' Redis connections (left to the garbage
    collector, each was an unclosed connection)."""
    from marketplace.kernel import ratelimit

    try:
        yield
    finally:
        await ratelimit.close_limiters()


@asynccontextmanager
async def search_index_hook(app: Litestar) -> AsyncIterator[None]:
    """Build this worker's search index before it serves; later rebuilds never block, and
    one still running at shutdown is cancelled."""
    from search.services import slot_search

    search = slot_search()
    await search.rebuild()
    try:
        yield
    finally:
        await search.stop_rebuild()


@asynccontextmanager
async def suggestion_model_hook(app: Litestar) -> AsyncIterator[None]:
    """A served worker builds the occupation suggestions' model in the background once it
    serves (in-process test apps do not: most tests never ask for a suggestion)."""
    from search.suggest import warm_in_background

    warm_in_background()
    yield


# Connections each served worker keeps to PostgreSQL (opened as needed, up to this many).
DB_POOL_MAX = 10


@asynccontextmanager
async def database_pool_hook(app: Litestar) -> AsyncIterator[None]:
    """On PostgreSQL, a connection pool for this worker's lifetime."""
    from marketplace.kernel.db import connection_pool
    from marketplace.kernel.tables import User

    async with connection_pool(User._meta.db, DB_POOL_MAX):
        yield


def serve_app() -> Litestar:
    """The app as `marketplace serve` runs it in each worker: with a connection pool.

    In-process test clients run the lifespan in an event loop of their own, where a pool
    opened there cannot serve the test's own queries; they use `create_app()`. Its access log
    masks personnummer (`marketplace.kernel.access_log`)."""
    from marketplace.kernel import access_log

    access_log.install()
    return create_app(pooled=True)


# The longest file name the disk takes (bytes); longer, or with a NUL, the lookup itself fails.
MAX_FILE_NAME_BYTES = 255


def static_name_ok(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The guard of /static: a name no file can have (a NUL byte, a part longer than a file
    name) is a 404, not a crash in the file lookup."""
    path = str(connection.scope["path"])  # decoded: %00 is a NUL here
    if "\0" in path or any(len(p.encode()) > MAX_FILE_NAME_BYTES for p in path.split("/")):
        raise NotFound("Filen finns inte.")


def create_app(
    settings: Settings | None = None, *, pooled: bool = False, outer_hooks: Sequence[Hook] = ()
) -> Litestar:
    """Build the Litestar app for the given (or the process's) settings. `outer_hooks` wrap
    the whole lifespan, the migration check included (the tests use one to reuse database
    connections in the event loop the lifespan runs in)."""
    settings = settings or get_settings()
    wire_packages()
    hooks = collect_hooks(settings)
    if pooled:
        hooks.insert(0, database_pool_hook)
        hooks.append(suggestion_model_hook)
    template_dirs: list[Path | os.PathLike[Any] | str] = [
        d / "templates" for d in PACKAGE_DIRS if (d / "templates").is_dir()
    ]
    static_dirs: list[Path | os.PathLike[Any] | str] = [
        d / "static" for d in PACKAGE_DIRS if (d / "static").is_dir()
    ]
    openapi = OpenAPIConfig(
        title="Praktikplatser – API",
        version="1",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin()],
        description="Placement marketplace for Swedish municipalities' labour-market units.",
    )
    app = Litestar(
        route_handlers=[
            *packages.routes(),
            *jobs_views.ROUTES,
            create_static_files_router(
                path="/static",
                directories=static_dirs,
                guards=[public, static_name_ok],
                name="static",
                cache_control=CacheControlHeader(
                    max_age=STATIC_CACHE_SECONDS, public=True, immutable=True
                ),
            ),
        ],
        middleware=[
            security_headers(settings),
            DefineMiddleware(AuthMiddleware, exclude=["^/static/"]),
        ],
        exception_handlers={
            MarketplaceError: handle_domain_error,
            PastLastPage: handle_past_last_page,
            ValidationException: handle_validation,
            HTTPException: handle_http,
            OverflowError: handle_bad_value,
            **dict.fromkeys(DATABASE_VALUE_ERRORS[1:], handle_bad_value),
            **outage_handlers(_error_response, handle_crash),  # 503 + Retry-After
            Exception: handle_crash,
        },
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="mp_csrf",
            cookie_secure=settings.is_production,
            cookie_httponly=True,
            cookie_samesite="lax",
            exclude=["^/api/", "^/health", "^/schema"],
        ),
        allowed_hosts=(
            None
            if "*" in settings.allowed_hosts
            else AllowedHostsConfig(allowed_hosts=list(settings.allowed_hosts))
        ),
        template_config=TemplateConfig(
            directory=template_dirs,
            engine=JinjaTemplateEngine,
            engine_callback=lambda engine: register_templating(engine, static_dirs, settings),
        ),
        plugins=[HTMXPlugin()],
        openapi_config=openapi if settings.enable_schema else None,
        request_max_body_size=settings.max_body_bytes,
        before_request=check_request,
        # the error page's menu (and a frame's, Mina sidor's), after a 404/405
        after_exception=[identify_for_error_page, identify_for_error_frame],
        lifespan=[make_lifespan(settings, hooks, outer_hooks)],
        debug=False,
    )
    document_errors(app)  # every 4xx/503 an operation can answer, in the OpenAPI schema
    # Outside the router: it chooses the handler by method, before any route's middleware.
    app.asgi_handler = head_as_get(app.asgi_handler)
    return app
