"""HTML pages of the kernel: start page, sign-in and -out, accessibility statement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Litestar, Request, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType, ScopeType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Response, Template
from litestar.types import Guard, Scope

from marketplace.kernel import auth, i18n, notices
from marketplace.kernel.auth import AuthUser, current_user, public, signed_in
from marketplace.kernel.controllers import client_address, session_cookie
from marketplace.kernel.errors import TooManyRequests, Unauthenticated
from marketplace.kernel.notices import done
from marketplace.kernel.settings import get_settings


def page(
    template: str, request: Request[Any, Any, Any], status_code: int = 200, **context: Any
) -> Template:
    """Render a page with the signed-in user (or None) in its context."""
    return Template(
        template,
        context={"user": current_user(request), "request": request, **context},
        status_code=status_code,
    )


@dataclass(frozen=True)
class ErrorFrame:
    """The error pages of a part of the site that has a frame of its own (Mina sidor, in the
    participant's language): the paths it covers, its page (from the status, the message and
    whether the message is only the status's general text; None where the site's own error
    page answers, as for a Swedish reader of the public search) and the `after_exception`
    hook that reads who is asking where no route did (a 404 or 405)."""

    prefix: str
    render: Callable[[Request[Any, Any, Any], int, str, bool], Response[Any] | None]
    identify: Callable[[Scope], Awaitable[None]]

    def covers(self, path: str) -> bool:
        return path == self.prefix or path.startswith(f"{self.prefix}/")


@dataclass(frozen=True)
class PublicErrors:
    """The error pages of a public page a resident may read in English or Arabic (the slot
    search, the application form), as an `ErrorFrame`'s `render`: in the language this
    browser chose (`frame`), headed by the status (`headings`), saying the page's own text
    for the status (`texts`), else the site's message where the catalog has it, else
    `other`; with the way back (`back`: the path and its Swedish words). None for a Swedish
    reader and for staff, who get the site's own page with its own message. Without `switch`
    the page has no language switch (an address of no page: the switch could only lead back
    to it)."""

    frame: Callable[[Request[Any, Any, Any]], dict[str, Any]]
    back: tuple[str, str]
    headings: Mapping[int, str]
    texts: Mapping[int, str]
    other: str
    switch: bool = True

    def render(
        self, request: Request[Any, Any, Any], status: int, message: str, general: bool
    ) -> Template | None:
        frame = self.frame(request)
        if frame["lang"] == i18n.DEFAULT:
            return None
        _ = frame["_"]
        said = _(message)
        text = _(self.texts[status]) if status in self.texts else said
        path, words = self.back
        return page(
            "public_error.html",
            request,
            status_code=status,
            heading=_(self.headings.get(status, SOMETHING_WRONG)),
            message=text if text != message else _(self.other),
            back_path=path,
            back_text=_(words),
            **(frame if self.switch else {**frame, "language_choice": False}),
        )


SOMETHING_WRONG = i18n.N_("Något gick fel")


async def nobody_more(_: Scope) -> None:
    """An `ErrorFrame`'s `identify` for a public page: who asks is read by the site's own
    hook (a staff session); a participant's session does not change a public page."""


def answers_get(app: Litestar, path: str) -> bool:
    """Whether a GET of `path` has a page: a form is posted to an address of its own, which
    answers only POST (a refused form is shown there, and the address then reloaded, opened
    from the history or a bookmark, or its language switched)."""
    parts = path.strip("/").split("/") if path.strip("/") else []  # "/" has no part
    for route in app.routes:
        if "GET" not in route.methods or len(route.path_components) != len(parts):
            continue
        if all(
            part == component
            if isinstance(component, str)
            else bool(part) and (component.type is not int or part.isdigit())
            for part, component in zip(parts, route.path_components, strict=True)
        ):
            return True
    return False


def page_above(app: Litestar, path: str) -> str | None:
    """The nearest page above `path` that answers GET ("/arbetsbord/bokningar/12/lankar" →
    "/arbetsbord/bokningar/12"), never the site's root; None when there is none."""
    while path.count("/") > 1:
        path = path.rsplit("/", 1)[0]
        if answers_get(app, path):
            return path
    return None


# Registered by the packages when their pages are imported (participants.views).
ERROR_FRAMES: list[ErrorFrame] = []


def error_frame(path: str) -> ErrorFrame | None:
    """The frame whose error pages answer for `path`, if any (else the staff frame's)."""
    return next((f for f in ERROR_FRAMES if f.covers(path)), None)


async def identify_for_error_frame(_: Exception, scope: Scope) -> None:
    """The app's `after_exception` hook for the frames' error pages (see `ErrorFrame`)."""
    if scope["type"] == ScopeType.HTTP and (frame := error_frame(scope["path"])) is not None:
        await frame.identify(scope)


def chosen_language(request: ASGIConnection[Any, Any, Any, Any], stored: str = "") -> str:
    """The language of a page a participant (or an applicant) reads: the one this browser
    chose with the switch (its cookie), else `stored` (their record's), else Swedish."""
    chosen = request.cookies.get(i18n.LANG_COOKIE, "")
    return chosen if chosen in i18n.LANGUAGES else i18n.known(stored)


def language_cookie(lang: str) -> Cookie:
    """The cookie that keeps the language a browser chose, for a year (`chosen_language`)."""
    return Cookie(
        key=i18n.LANG_COOKIE,
        value=lang,
        httponly=True,
        samesite="lax",
        secure=get_settings().is_production,
        path="/",
        max_age=365 * 24 * 3600,
    )


def language_context(request: Request[Any, Any, Any], lang: str) -> dict[str, Any]:
    """What the participant pages' frame (`participant/base.html`) needs to speak `lang`:
    the catalog as `_`, `lang` and `dir` for <html>, the switch's languages, and the page's
    notice in that language."""
    gettext = i18n.gettext_for(lang)
    found = notices.notice_for(request)
    return {
        "_": gettext,
        "lang": lang,
        "dir": i18n.direction(lang),
        "languages": i18n.LANGUAGES,
        "notice": gettext(found["text"]) if found else "",
        "notice_params": found["params"] if found else "",
    }


def public_frame(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The language of a public page (the start page, the slot search, a slot's page, a
    link nobody's): the one this browser chose (`mp_sprak`, the participant pages' switch)
    for a visitor and a participant, with the switch at the top of the page
    (`language_choice`); Swedish, with no switch, for a signed-in user of the staff's and
    hosts' pages, whatever the cookie (the workbench's search shares the templates)."""
    if current_user(request) is not None:
        return {"_": i18n.swedish, "lang": i18n.DEFAULT, "dir": i18n.direction(i18n.DEFAULT)}
    return {**language_context(request, chosen_language(request)), "language_choice": True}


def form_page(
    template: str,
    request: Request[Any, Any, Any],
    labels: Mapping[str, str],
    *,
    blank: Mapping[str, Any] | None = None,
    **context: Any,
) -> Callable[..., Template]:
    """The page of one form, as a `forms.Rerender`: called bare, the empty form (`blank`
    holds its defaults); called with `values`, `errors` and `status_code`, the form again
    with what was typed and the messages."""

    def show(
        *,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            template,
            request,
            status_code=status_code,
            values=values if values is not None else dict(blank or {}),
            errors=errors or {},
            labels=labels,
            **context,
        )

    return show


def action_posts(prefix: str, guard: Guard) -> Callable[[str], Any]:
    """The POST routes of one page's actions: `action_posts(prefix, guard)(action)` is the
    route `{prefix}/{action}`, one per action (its own row in the access matrix), guarded,
    left out of the API schema and answering 303 to its landing page."""

    def route(action: str) -> Any:
        return post(f"{prefix}/{action}", guards=[guard], include_in_schema=False, status_code=303)

    return route


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects): a browser reads
    a backslash as a slash ("/\\evil.example" is "//evil.example") and drops tabs and line
    breaks, so a path with either, or a control character, is not followed."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return "/"


@get("/", guards=[public], include_in_schema=False, name="home")
async def home(request: Request[Any, Any, Any]) -> Template:
    """The start page, in the language this browser chose, with the switch (Swedish for a
    signed-in user): a resident reading English or Arabic finds the way to apply here."""
    return page("home.html", request, **public_frame(request))


@get("/tillganglighet", guards=[public], include_in_schema=False)
async def accessibility(request: Request[Any, Any, Any]) -> Template:
    return page("accessibility.html", request)


@get("/logga-in", guards=[public], include_in_schema=False, name="login")
async def login_form(
    request: Request[Any, Any, Any], next: FromQuery[str | None] = None
) -> Template:
    return page("login.html", request, next=safe_next(next))


class LoginForm(msgspec.Struct):
    username: str = ""
    password: str = ""
    otp: str = ""
    next: str = "/"


@post("/logga-in", guards=[public], include_in_schema=False, status_code=303)
async def login_submit(
    request: Request[Any, Any, Any],
    data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    try:
        user_id = await auth.authenticate(
            data.username, data.password, data.otp[:12], client_address(request)
        )
    except (Unauthenticated, TooManyRequests) as exc:
        # A wrong or missing one-time code is the code's box's to say (the name and the
        # password were marked wrong, and the person looked there).
        code_only = exc.fields == ["otp"]
        refused = page(
            "login.html",
            request,
            status_code=exc.status_code,
            error=exc.message,
            error_on="otp" if code_only else "login",
            username=data.username[:100],
            next=safe_next(data.next),
        )
        refused.headers.update(exc.headers)
        return refused
    raw, _ = await auth.start_session(user_id, request.cookies.get(auth.SESSION_COOKIE))
    user = await auth.resolve_session(raw, get_settings())
    target = safe_next(data.next)
    if target == "/" and user is not None:
        target = landing_page(user)
    return Redirect(done(target, "inloggad"), cookies=[session_cookie(raw)], status_code=303)


def landing_page(user: AuthUser) -> str:
    """Where each role starts its day."""
    return {
        "coordinator": "/arbetsbord",
        "admin": "/drift",  # not the workbench: its lists were read (and audited) at every sign-in
        "host": "/vard",
        "analyst": "/oversikt",
        "partner": "/samverkan",
    }.get(user.role, "/")


@post("/logga-ut", guards=[signed_in], include_in_schema=False, status_code=303)
async def logout_submit(request: Request[Any, Any, Any]) -> Redirect:
    raw = request.cookies.get(auth.SESSION_COOKIE)
    if raw:
        await auth.end_session(raw)
    return Redirect(
        done("/", "utloggad"), cookies=[session_cookie("", expire=True)], status_code=303
    )


ROUTES = [home, accessibility, login_form, login_submit, logout_submit]
