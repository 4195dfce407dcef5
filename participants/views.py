"""Sign-in to the participant's own pages, and the pages' shared parts.

Routes under /mina-sidor: sign-in with e-ID (OIDC) or with a single-use link, sign-out, and
the language choice; the pages themselves are in `participants.pages`. Every answer is
`Cache-Control: no-store`. The coordinator's button that sends a sign-in link lives on the
workbench (`/arbetsbord/deltagare/{id}/inloggningslank`).
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlsplit

import msgspec
from litestar import Litestar, Request, Router, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import Scope

from marketplace.kernel.auth import AuthUser, public, staff
from marketplace.kernel.controllers import client_address
from marketplace.kernel.errors import (
    MarketplaceError,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from marketplace.kernel.notices import PARAM as NOTICE_PARAM
from marketplace.kernel.notices import done
from marketplace.kernel.ratelimit import spend
from marketplace.kernel.settings import get_settings
from marketplace.kernel.views import (
    ERROR_FRAMES,
    ErrorFrame,
    answers_get,
    language_context,
    page_above,
)
from participants import i18n, oidc, sessions
from participants.i18n import N_
from participants.sessions import Participant, current_participant, participant_only
from placements.views.agreements import no_store

Token = Annotated[str, msgspec.Meta(max_length=500)]
log = logging.getLogger(__name__)

HOME = "/mina-sidor"
SIGNING_PAGE = "/underteckna/"
APPLICATION_FORM = "/ansok"
START_PAGE = "/"
# The public slot search and a slot's page (`search.pages`): a visitor switches language there.
PUBLIC_SEARCH = "/platser"

# Confirmations on the participant's pages: their texts are in `marketplace.kernel.notices`, like
# every confirmation; marked here for the catalogs, and shown in the participant's language.
NOTICES = (
    N_("Du är inloggad."),
    N_("Du är utloggad."),
    N_("Tack! Ditt svar är sparat. Din samordnare ser det."),
    N_("Ditt svar är sparat och förslaget är stängt. Din samordnare ser ditt svar."),
    N_("Platsen är sparad bland dina intressen. Din samordnare ser det."),
    N_("Platsen är borttagen från dina intressen."),
    N_("Du har skrivit under överenskommelsen."),
    N_("Tack! Det du skrev om din praktik är sparat."),
    N_("Språket är bytt."),
)


def pdone(path: str, code: str) -> str:
    """Where a participant's form lands, with the notice to show there."""
    return done(path, code)


def ppage(
    template: str,
    request: Request[Any, Any, Any],
    status_code: int = 200,
    lang: str | None = None,
    **context: Any,
) -> Template:
    """A participant page in the person's language (or `lang`), with `_` for its texts."""
    return Template(
        template,
        context={
            "request": request,
            "participant": current_participant(request),
            **language_context(request, lang or i18n.language_of(request)),
            **context,
        },
        status_code=status_code,
    )


def refused(request: Request[Any, Any, Any], exc: MarketplaceError) -> Template:
    """A sign-in that did not work: the reason in plain words, and the way forward."""
    page = ppage(
        "participant/refused.html", request, status_code=exc.status_code, message=exc.message
    )
    page.headers.update(exc.headers)
    return page


def _cookie_flags() -> dict[str, Any]:
    return {"httponly": True, "samesite": "lax", "secure": get_settings().is_production}


# --- the page asked for before signing in ------------------------------------------------------

NEXT_COOKIE = "mp_nasta"
"""The page a participant asked for without a session, kept while they sign in, so that they
land on it and not on HOME (a mail's link to a proposal, a bookmarked search). A cookie, not a
`?nasta=` on the sign-in page: the link their coordinator sends (by SMS or mail, opened in the
same browser later) carries no query of the page they asked for, the language switch on the
sign-in page drops a sign-in address's query (`way_back`), and the e-ID broker's round trip
keeps only our callback's address; a cookie on /mina-sidor reaches both ways in unchanged. It
lives NEXT_MINUTES, is spent by the sign-in and dropped at sign-out, and what it names is
checked again when read (`remembered_page`): it is the browser's, not ours."""
NEXT_MINUTES = 30
_MAX_NEXT = 1000
# A control character, a space or a backslash (which some browsers read as "/") anywhere in the
# address: no page of ours has one unencoded.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")
# The sign-in and sign-out addresses: landing on them after signing in would loop.
_NEVER_NEXT = (sessions.SIGN_IN_PATH, f"{HOME}/logga-ut", f"{HOME}/sprak")


def local_page(raw: str) -> str:
    """`raw` as a page of Mina sidor to land on after signing in (path and query, without an
    old notice), or HOME for anything else: another site (`//host`, a scheme), a backslash, a
    control character, an encoded or odd path, a staff page, the sign-in and sign-out pages."""
    if not raw or len(raw) > _MAX_NEXT or _UNSAFE.search(raw) or not raw.startswith("/"):
        return HOME
    parts = urlsplit(raw)
    path = parts.path
    if (
        not _plain_local(parts)
        or parts.fragment
        or not (path == HOME or path.startswith(f"{HOME}/"))
        or path.startswith(_NEVER_NEXT)
    ):
        return HOME
    return _without_notice(path, parts.query)


def remembered_page(request: Request[Any, Any, Any]) -> str:
    """The page this browser asked for before signing in (NEXT_COOKIE), if it is still a page
    of Mina sidor that answers GET; else HOME."""
    target = local_page(request.cookies.get(NEXT_COOKIE, ""))
    return target if answers_get(request.app, urlsplit(target).path) else HOME


def next_cookie(target: str) -> Cookie:
    """The cookie that remembers `target` (a `local_page`), or ends it when `target` is HOME."""
    return Cookie(
        key=NEXT_COOKIE,
        value=quote(target, safe="/") if target != HOME else "",
        path=HOME,
        max_age=NEXT_MINUTES * 60 if target != HOME else 0,
        **_cookie_flags(),
    )


@get("/logga-in", guards=[public], include_in_schema=False, name="participant-login")
async def login_page(request: Request[Any, Any, Any]) -> Template | Redirect:
    """The sign-in page; someone signed in already goes to their pages (every proposal's
    mail links here, and a signed-in person was told to ask for a new link)."""
    raw = request.cookies.get(sessions.SESSION_COOKIE)
    if raw and await sessions.resolve_session(raw, get_settings()) is not None:
        return Redirect(HOME, status_code=303)
    return ppage("participant/login.html", request, eid=get_settings().oidc_enabled)


# e-ID sign-ins one address may start within an hour: each start fetches the broker's
# discovery document and stores a login row. A person needs a few; a household or an office
# behind one address some tens; a script looping on the link, thousands.
EID_STARTS_PER_ADDRESS = 60
EID_STARTS_WINDOW_S = 3600
EID_TOO_MANY = N_(
    "Många inloggningar har startats härifrån på kort tid. Vänta {minutes} minuter och försök igen."
)


@get("/logga-in/e-legitimation", guards=[public], include_in_schema=False)
async def eid_start(request: Request[Any, Any, Any]) -> Redirect | Template:
    settings = get_settings()
    if not settings.oidc_enabled:
        return refused(request, NotFound(N_("Inloggning med e-legitimation är inte påslagen här.")))
    try:
        await spend(
            f"eid:start:{client_address(request)}",
            EID_STARTS_PER_ADDRESS,
            EID_STARTS_WINDOW_S,
            i18n.gettext_for(i18n.language_of(request))(EID_TOO_MANY),
        )
        key, url = await oidc.begin(settings)
    except MarketplaceError as exc:
        return refused(request, exc)
    redirect = Redirect(url, status_code=303)
    redirect.set_cookie(
        oidc.LOGIN_COOKIE,
        key,
        max_age=oidc.LOGIN_MINUTES * 60,
        path="/mina-sidor/logga-in",
        **_cookie_flags(),
    )
    return redirect


@get("/logga-in/e-legitimation/klar", guards=[public], include_in_schema=False)
async def eid_finish(request: Request[Any, Any, Any]) -> Redirect | Template:
    settings = get_settings()
    if not settings.oidc_enabled:
        return refused(request, NotFound(N_("Inloggning med e-legitimation är inte påslagen här.")))
    params = {k: str(v)[:2000] for k, v in request.query_params.items()}
    try:
        personnummer = await oidc.finish(
            settings, request.cookies.get(oidc.LOGIN_COOKIE, ""), params
        )
        candidate_id = await sessions.candidate_for_personnummer(personnummer)
    except MarketplaceError as exc:
        answer = refused(request, exc)
        answer.delete_cookie(oidc.LOGIN_COOKIE, path="/mina-sidor/logga-in")
        return answer
    return await _signed_in(request, candidate_id, "eid")


async def _signed_in(request: Request[Any, Any, Any], candidate_id: int, method: str) -> Redirect:
    raw = await sessions.start_session(
        candidate_id, method, request.cookies.get(sessions.SESSION_COOKIE)
    )
    participant = await sessions.resolve_session(raw, get_settings())
    assert participant is not None
    await sessions.participant_record(
        participant, "participant.sign_in", "e-legitimation" if method == "eid" else "länk"
    )
    # The page asked for before signing in, with the notice that they are in.
    redirect = Redirect(pdone(remembered_page(request), "inloggad"), status_code=303)
    redirect.cookies.append(sessions.session_cookie(raw))
    if request.cookies.get(NEXT_COOKIE) is not None:
        redirect.cookies.append(next_cookie(HOME))
    here = request.cookies.get(i18n.LANG_COOKIE, "")
    if here in i18n.LANGUAGES:
        # A language chosen in this browser, as on the sign-in page just now, wins and is
        # kept on the record (it was overridden by the one stored before).
        await sessions.remember_language(participant, here)
    else:
        chosen = await sessions.stored_language(candidate_id)
        if chosen:
            # The language chosen before follows the person to this browser.
            redirect.cookies.append(i18n.language_cookie(chosen))
    redirect.delete_cookie(oidc.LOGIN_COOKIE, path="/mina-sidor/logga-in")
    return redirect


@get("/logga-in/lank/{token:str}", guards=[public], include_in_schema=False)
async def link_page(
    request: Request[Any, Any, Any],
    token: FromPath[Token],
    sprak: Annotated[str | None, QueryParameter()] = None,  # another value is no choice
) -> Template:
    """The link opens a page with a button: a mail program that fetches links to check them
    must not spend a single-use link. The link names the language the participant chose
    (`sprak`); a browser that has chosen one keeps its own."""
    action = sessions.link_path(token)
    if request.cookies.get(i18n.LANG_COOKIE) in i18n.LANGUAGES or sprak not in i18n.LANGUAGES:
        return ppage("participant/link.html", request, action=action)
    page = ppage("participant/link.html", request, lang=sprak, action=action)
    page.cookies.append(i18n.language_cookie(sprak))
    return page


# Presses of a sign-in link's button one address may make within an hour: each tries a link
# against the database. A person needs one; a household or the Kompetenscenter's own network
# some tens; a script trying links, thousands. Counted before the link is tried, so a refused
# press spends no link.
LINK_USES_PER_ADDRESS = 60
LINK_USES_WINDOW_S = 3600
LINK_USES_TOO_MANY = N_(
    "Många inloggningar med länk har gjorts härifrån på kort tid. Vänta {minutes} minuter och "
    "försök igen. Din länk är inte förbrukad, men den slutar fungera när tiden för den har gått "
    "ut. Då kan du be din samordnare om en ny."
)


@post("/logga-in/lank/{token:str}", guards=[public], include_in_schema=False, status_code=303)
async def link_submit(
    request: Request[Any, Any, Any], token: FromPath[Token]
) -> Redirect | Template:
    try:
        await spend(
            f"link:use:{client_address(request)}",
            LINK_USES_PER_ADDRESS,
            LINK_USES_WINDOW_S,
            i18n.gettext_for(i18n.language_of(request))(LINK_USES_TOO_MANY),
        )
        candidate_id = await sessions.use_sign_in_link(token)
    except (Unauthenticated, TooManyRequests) as exc:
        return refused(request, exc)
    return await _signed_in(request, candidate_id, "link")


@post("/logga-ut", guards=[participant_only], include_in_schema=False, status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    participant = current_participant(request)
    assert participant is not None
    await sessions.participant_record(participant, "participant.sign_out")
    await sessions.end_session(request.cookies.get(sessions.SESSION_COOKIE, ""))
    redirect = Redirect(pdone(f"{HOME}/logga-in", "utloggad"), status_code=303)
    redirect.cookies.append(sessions.session_cookie("", expire=True))
    if request.cookies.get(NEXT_COOKIE) is not None:
        # A page asked for in this browser is no one's to land on after signing out.
        redirect.cookies.append(next_cookie(HOME))
    return redirect


# A path the language switch may lead back to: plain ASCII, no "//" or ".." (the pages it is
# on have nothing else), so that no form value can name another site.
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9/_.~-]*")


def way_back(raw: str) -> str:
    """The page the language switch was on, with its query (the search words, the page):
    the participant's pages, the signing page a link opened, the application form, the start
    page, or the public slot search and a slot's page, and HOME for any other address
    (another site, a scheme, odd characters). An old notice (`klart`) is left out; the switch
    adds its own."""
    parts = urlsplit(raw[:2000])
    path = parts.path
    ours = path in (HOME, APPLICATION_FORM, PUBLIC_SEARCH, START_PAGE) or path.startswith(
        (f"{HOME}/", SIGNING_PAGE, f"{PUBLIC_SEARCH}/")
    )
    if not ours or not _plain_local(parts):
        return HOME
    if path.startswith(f"{HOME}/logga-in"):
        # A sign-in address's query is the e-ID's one-time code and state: never sent again.
        return path
    return _without_notice(path, parts.query)


def _plain_local(parts: SplitResult) -> bool:
    """Whether a split address is a plain path of this site: no scheme or host, plain ASCII,
    no "//" or ".." (`_PLAIN_PATH`)."""
    path = parts.path
    return not (
        parts.scheme
        or parts.netloc
        or not _PLAIN_PATH.fullmatch(path)
        or "//" in path
        or ".." in path
    )


def _without_notice(path: str, query: str) -> str:
    """`path` with `query` again, an old notice (`klart`) left out."""
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if name != NOTICE_PARAM
    ]
    return f"{path}?{urlencode(kept)}" if kept else path


def page_of(app: Litestar, path: str) -> str:
    """The nearest page above `path` that answers GET ("/mina-sidor/forslag/28/svar" →
    "/mina-sidor/forslag"), else HOME."""
    return page_above(app, path) or HOME


# --- error pages in the participant's frame and language ------------------------------------

# Headings, and the frame's own words where the message is only the status's general text
# (the staff frame's "Metoden stöds inte för den här adressen." says nothing to a participant).
ERROR_HEADINGS = {
    400: N_("Något behöver rättas"),
    401: N_("Logga in"),
    403: N_("Ingen behörighet"),
    404: N_("Sidan finns inte"),
    405: N_("Sidan finns inte"),
    409: N_("Något har ändrats"),
}
ERROR_GENERAL = {
    400: N_("Det som skickades gick inte att ta emot. Gå tillbaka och försök igen."),
    403: N_("Du kan inte göra det här på Mina sidor."),
    413: N_("Det du skickade är för stort."),
    429: N_("För många försök. Vänta en stund och försök igen."),
    500: N_("Något gick fel hos oss. Försök igen om en stund."),
    503: N_("Tjänsten är inte tillgänglig just nu. Försök igen om en stund."),
    404: N_("Sidan finns inte, eller så hör den inte till dig."),
    405: N_("Sidan kan inte öppnas på det sättet. Gå tillbaka och försök igen."),
    409: N_("Något har ändrats sedan du öppnade sidan. Gå tillbaka och läs sidan igen."),
}


def error_page(
    request: Request[Any, Any, Any], status: int, message: str, general: bool
) -> Template | Redirect:
    """An error under Mina sidor, in the participant's frame and language, with the way on:
    back to the page the address belongs to, and to Mina sidor (or to the sign-in). Never a
    notice of the page before (a "Tack! Ditt svar är sparat." above a 401 after signing out),
    and no status code: a participant cannot act on "Felkod 401".

    A page asked for without a session (the header's "Mina sidor" clicked on the application
    form, a bookmark, a session timed out) opens the sign-in page instead, in the language
    this browser chose: a resident who had only applied met "Logga in … Felkod 401". A form
    sent without a session still gets the page that says so (its address has no page). The
    page asked for is remembered (NEXT_COOKIE): signing in lands there."""
    path = request.url.path
    if status == 401 and request.method == "GET":
        redirect = Redirect(sessions.SIGN_IN_PATH, status_code=303)
        if request.cookies.get(sessions.SESSION_COOKIE):
            redirect.cookies.append(sessions.session_cookie("", expire=True))
        query = request.url.query
        target = local_page(f"{path}?{query}" if query else path)
        if target != HOME or request.cookies.get(NEXT_COOKIE) is not None:
            # HOME ends a page remembered before: the last page asked for is the one.
            redirect.cookies.append(next_cookie(target))
        return redirect
    # Back to the page the address belongs to: the one above a missing, post-only or changed
    # address, or a refused form's page; a refused page itself has none but Mina sidor.
    leads_back = status in (404, 405, 409) or not answers_get(request.app, path)
    back = page_of(request.app, path) if leads_back else HOME
    shown = ERROR_GENERAL.get(status, message) if general else message
    return ppage(
        "participant/error.html",
        request,
        status_code=status,
        status=status,
        heading=ERROR_HEADINGS.get(status, N_("Något gick fel")),
        message=shown,
        back=back if back != HOME else "",
        notice="",
    )


async def identify_participant(scope: Scope) -> None:
    """Who asks, for the menu of an error page no participant route answered (404, 405)."""
    if "participant" in scope:
        return
    connection = ASGIConnection[Any, Any, Any, Any](scope)
    raw = connection.cookies.get(sessions.SESSION_COOKIE)
    if not raw or "text/html" not in connection.headers.get("accept", ""):
        return
    try:
        found = await sessions.resolve_session(raw, get_settings())
    except Exception as exc:  # the database down: the error page is shown, without a menu
        log.warning("error page: the participant session could not be read: %s", exc)
        return
    if found is not None:
        scope["participant"] = found  # type: ignore[typeddict-unknown-key]


ERROR_FRAMES.append(ErrorFrame(HOME, error_page, identify_participant))


class LanguageForm(msgspec.Struct):
    sprak: str = ""
    tillbaka: str = HOME


@post("/sprak", guards=[public], include_in_schema=False, status_code=303)
async def choose_language(
    request: Request[Any, Any, Any],
    data: Annotated[LanguageForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    """Choose the language: in a cookie for anyone, and on the record of a signed-in
    participant, so that it is remembered at the next sign-in and in what is sent to them."""
    # A language the pages do not have changes nothing (it was saved as Swedish).
    lang = data.sprak if data.sprak in i18n.LANGUAGES else i18n.language_of(request)
    raw = request.cookies.get(sessions.SESSION_COOKIE)
    participant = await sessions.resolve_session(raw, get_settings()) if raw else None
    if participant is not None:
        await sessions.remember_language(participant, lang)
    # Back to the page the switch was on, its search words and page kept (`way_back`); from
    # a refused form (shown at the address it was posted to) back to the page of the form.
    back = way_back(data.tillbaka)
    if not answers_get(request.app, urlsplit(back).path):
        back = page_of(request.app, urlsplit(back).path)
    redirect = Redirect(pdone(back, "sprak-valt"), status_code=303)
    redirect.cookies.append(i18n.language_cookie(lang))
    return redirect


def participant_of(request: Request[Any, Any, Any]) -> Participant:
    found = current_participant(request)
    assert found is not None  # the guard put it there
    return found


# --- the coordinator's side: send a sign-in link -------------------------------------------------


@post(
    "/arbetsbord/deltagare/{candidate_id:int}/inloggningslank",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def send_link(request: Request[AuthUser, Any, Any], candidate_id: FromPath[int]) -> Redirect:
    await sessions.send_sign_in_link(request.user, candidate_id)
    return Redirect(
        done(f"/arbetsbord/deltagare/{candidate_id}", "inloggningslank-skickad"), status_code=303
    )


SIGN_IN = Router(
    path=HOME,
    route_handlers=[
        login_page,
        eid_start,
        eid_finish,
        link_page,
        link_submit,
        logout,
        choose_language,
    ],
    middleware=[no_store],
)
ROUTES: list[Any] = [SIGN_IN, send_link]
