"""Pages of the agreement and the assessment: the signing link (no account needed), the
assessment link for the supervisor, and the printable agreement.

A link that is tampered with, expired or already used gets a clear page with a 4xx status,
and nothing changes. Forms carry Litestar's CSRF token, and the signing form the version it
showed: if the text changed since, nothing is signed and the new text is shown.

The participant's signing page, and its refusal once the link is known to be theirs, speak
the participant's language (their stored choice, or the one this browser chose with the
switch the page offers) on the participant pages' frame, `dir="rtl"` for Arabic. Everything
else here (the supervisor's and the host's pages, an invalid link) is Swedish.

Every page reached through a secret link sits in `LINK_PAGES`, a router whose middleware
marks every answer `Cache-Control: no-store`, errors included: a shared computer's browser
cache or a proxy must not keep the participant's agreement or the link's form. Reading such
a page is audited like any read of participant data.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Response, Template
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.kernel import clock, i18n
from marketplace.kernel.auth import AuthUser, public, requires
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.forms import field_errors, form_values, parse_form
from marketplace.kernel.views import chosen_language, language_context, page, public_frame
from placements import documents
from placements.errors import LinkRefused
from placements.host_texts import assessment_problems
from placements.schemas import outcomes as so
from placements.services import agreements, outcomes

Token = Annotated[str, msgspec.Meta(max_length=500)]
ATTENDANCE = [
    ("mycket_god", "Mycket god, kom alltid och i tid"),
    ("god", "God"),
    ("varierande", "Varierande"),
    ("bristande", "Bristande"),
]
RECOMMENDATIONS = [
    ("would_hire", "Vi skulle kunna anställa deltagaren"),
    ("recommend_further_training", "Rekommenderar vidare utbildning"),
    ("recommend_other_placement", "Rekommenderar en annan praktik"),
    ("not_ready_yet", "Inte redo för arbete ännu"),
]


def language_frame(
    request: Request[Any, Any, Any], stored: str, *, chosen: str | None = None
) -> dict[str, Any]:
    """What a link page needs to speak the participant's language: the participant pages'
    frame (`participant/base.html`, with its language switch) and the catalog. The language
    this browser chose wins over the stored choice, so that the switch works on the page;
    one `chosen` just now (the application form's own switch) wins over both. The public
    application form (`placements.views.intake`) uses it too, with no stored choice (Swedish
    until the browser chooses)."""
    return {
        "layout": "participant/base.html",
        "participant": None,
        **language_context(request, chosen or chosen_language(request, stored)),
    }


SWEDISH_FRAME: dict[str, Any] = {"layout": "base.html", "_": i18n.swedish}


def link_refused(
    request: Request[Any, Any, Any], exc: LinkRefused, *, participants_link: bool = False
) -> Template:
    """The page of a secret link that does not work (tampered with, expired, replaced or
    used): the reason with the refusal's 4xx status, in the participant's language when the
    link is known to be theirs, else in Swedish; on a page whose links participants get too
    (`participants_link`: the signing page), a link nobody's is in the language this browser
    chose (Swedish until it chooses, and for a signed-in user), with the switch: one cut
    short in an SMS may be a participant's. Every link page uses it. A link that was used
    (`exc.used`) says what was registered through it and when, and whom to ask if something
    should change: "Länken fungerar inte … Inget har ändrats" read to a host who opened
    their link again as if the answer was lost."""
    if exc.language:
        frame = language_frame(request, exc.language)
    elif participants_link:
        frame = {"layout": "base.html", **public_frame(request)}
    else:
        frame = SWEDISH_FRAME
    coordinator_name, coordinator_email = exc.coordinator
    return page(
        "agreements/used.html" if exc.used else "agreements/refused.html",
        request,
        status_code=exc.status_code,
        message=exc.in_language(frame["_"]),
        used=exc.used,
        coordinator_name=coordinator_name,
        coordinator_email=coordinator_email,
        **frame,
    )


def _frame_for(request: Request[Any, Any, Any], party: str, lang: str) -> dict[str, Any]:
    return language_frame(request, lang) if party == "participant" else SWEDISH_FRAME


def no_store(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: every answer, errors included, carries `Cache-Control: no-store`."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Cache-Control"] = "no-store"
                headers["Pragma"] = "no-cache"
            await send(message)

        await app(scope, receive, send_no_store)

    return wrapped


async def _sign_page(
    request: Request[Any, Any, Any],
    token: str,
    *,
    stale: agreements.StaleVersion | None = None,
    status_code: int = 200,
) -> Template:
    try:
        party, agreement, lang = await agreements.agreement_for_link(token)
    except LinkRefused as exc:
        return link_refused(request, exc, participants_link=True)
    frame = _frame_for(request, party, lang)
    return page(
        "agreements/sign.html",
        request,
        status_code=status_code,
        agreement=agreement,
        token=token,
        party_text=agreements.PARTY_TEXT[party],
        stockholm=STOCKHOLM,
        error=stale.in_language(frame["_"]) if stale else "",
        # Why it cannot be signed yet, in place of the button (`agreements.unsignable`).
        waits=[
            frame["_"](agreements.WIN_WIN_MISSING_FOR_LINK[name])
            for name in agreements.unsignable(agreement)
        ],
        **frame,
    )


@get("/underteckna/{token:str}", guards=[public], include_in_schema=False, name="sign-link")
async def sign_page(request: Request[Any, Any, Any], token: FromPath[Token]) -> Template:
    """The agreement and a "Jag godkänner" button, for the supervisor or the participant."""
    return await _sign_page(request, token)


@post("/underteckna/{token:str}", guards=[public], include_in_schema=False, status_code=200)
async def sign_submit(request: Request[Any, Any, Any], token: FromPath[Token]) -> Template:
    """Sign through the link; a second use is refused and changes nothing. A submit for a
    version other than the current one signs nothing and shows the new text (409)."""
    seen = agreements.form_version(await form_values(request))
    try:
        party, _agreement, lang = await agreements.agreement_for_link(token)
        agreement = await agreements.sign_by_link(token, seen_version=seen)
    except LinkRefused as exc:
        return link_refused(request, exc, participants_link=True)
    except agreements.StaleVersion as exc:
        return await _sign_page(request, token, stale=exc, status_code=exc.status_code)
    except agreements.NotWinWin as exc:
        # The win-win was emptied after the page was shown: the page again, saying why.
        return await _sign_page(request, token, status_code=exc.status_code)
    return page(
        "agreements/signed.html",
        request,
        agreement=agreement,
        party_text=agreements.PARTY_TEXT[party],
        stockholm=STOCKHOLM,
        **_frame_for(request, party, lang),
    )


@get(
    "/bokningar/{booking_id:int}/overenskommelse",
    guards=[requires("admin", "coordinator", "host")],
    include_in_schema=False,
)
async def printable(request: Request[AuthUser, Any, Any], booking_id: FromPath[int]) -> Template:
    """The agreement as a printable page (print CSS hides the menus)."""
    agreement = await agreements.get_agreement_for(request.user, booking_id)
    return page("agreements/print.html", request, agreement=agreement, stockholm=STOCKHOLM)


@get(
    "/bokningar/{booking_id:int}/overenskommelse.pdf",
    guards=[requires("admin", "coordinator", "host")],
    include_in_schema=False,
)
async def archive_pdf(
    request: Request[AuthUser, Any, Any], booking_id: FromPath[int]
) -> Response[bytes]:
    """The agreement for the archive: every version with its signatures, as a PDF."""
    versions = await agreements.agreement_versions_for(request.user, booking_id)
    engine = request.app.template_engine
    assert engine is not None  # the app is configured with Jinja templates
    html = documents.archive_html(engine, booking_id, versions, clock.now())
    pdf = await documents.archive_pdf(html)
    filename = f"overenskommelse-bokning-{booking_id}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


class AssessmentForm(msgspec.Struct):
    attendance: str = ""
    tasks_mastered: str = ""
    strengths: str = ""
    recommendation: str = ""
    comment: str = ""


ASSESSMENT_LABELS = {
    "attendance": "Närvaro",
    "tasks_mastered": "Uppgifter som deltagaren klarade",
    "strengths": "Styrkor",
    "recommendation": "Rekommendation",
    "comment": "Övrigt",
}


def _assessment_page(
    request: Request[Any, Any, Any],
    token: str,
    names: tuple[str, str],
    form: AssessmentForm,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        "agreements/assessment.html",
        request,
        status_code=status_code,
        token=token,
        participant_name=names[0],
        supervisor_name=names[1],
        attendance=ATTENDANCE,
        recommendations=RECOMMENDATIONS,
        form=form,
        errors=errors or {},
        labels=ASSESSMENT_LABELS,
    )


@get("/bedomning/{token:str}", guards=[public], include_in_schema=False, name="assessment-link")
async def assessment_page(request: Request[Any, Any, Any], token: FromPath[Token]) -> Template:
    """The structured assessment form for the supervisor."""
    try:
        names = await outcomes.booking_for_assessment_link(token)
    except LinkRefused as exc:
        return link_refused(request, exc)
    return _assessment_page(request, token, names, AssessmentForm())


@post("/bedomning/{token:str}", guards=[public], include_in_schema=False, status_code=200)
async def assessment_submit(
    request: Request[Any, Any, Any],
    token: FromPath[Token],
    data: Annotated[AssessmentForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template:
    """Submit the assessment through the link (once)."""
    try:
        names = await outcomes.booking_for_assessment_link(token)
    except LinkRefused as exc:
        return link_refused(request, exc)
    try:
        assessment = parse_form(
            so.AssessmentCreate,
            msgspec.to_builtins(data),
            labels=ASSESSMENT_LABELS,
            blank_is_empty=["tasks_mastered", "strengths", "comment"],
            rules=assessment_problems,
        )
    except ValidationFailed as exc:
        errors = field_errors(exc, ASSESSMENT_LABELS)
        return _assessment_page(request, token, names, data, errors, status_code=400)
    try:
        await outcomes.submit_assessment_by_link(token, assessment)
    except LinkRefused as exc:
        return link_refused(request, exc)
    return page("agreements/assessed.html", request)


LINK_PAGES = Router(
    path="/",
    route_handlers=[sign_page, sign_submit, assessment_page, assessment_submit],
    middleware=[no_store],
)

ROUTES = [LINK_PAGES, printable, archive_pdf]
