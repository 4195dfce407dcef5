"""The back office's own pages: its start page (`/drift`), reports with charts, audit review,
register extracts."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from admin.controllers import audit_query, report_readers
from admin.reports import registry
from admin.reports.filters import (
    chosen_coordinator,
    coordinator_label,
    coordinator_number,
    coordinator_options,
    coordinator_problem,
    month_text,
    report_filters,
)
from admin.services import (
    audit,
    audit_text,
    disclosure,
    exports,
    register,
    register_text,
    reports,
    undelivered,
)
from admin.views.filters import (
    Choice,
    Filters,
    ReportChoices,
    filter_form,
    filter_page,
    filter_query,
    period_or_default,
)
from marketplace.kernel.auth import AuthUser, admin_only, staff
from marketplace.kernel.db import swedish_order
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.forms import Landing, NoFields, confirmed, field_errors, round_trip
from marketplace.kernel.paging import Offset
from marketplace.kernel.tables import User
from marketplace.kernel.views import page

# What the audit page's participant box takes: a name, or a part of one.
NameQuery = Annotated[str, QueryParameter(max_length=100)]
NO_SUCH_ACTION = "Välj en händelse i listan."
ActionCode = Annotated[str, QueryParameter(max_length=60)]
NO_SUCH_PARTICIPANT = (
    "Ingen deltagare har ett namn med ”{name}”. Kontrollera stavningen, eller skriv bara en del "
    "av namnet."
)
NO_PARTICIPANT_IN_ADDRESS = (
    "Adressen pekar inte ut någon deltagare. Skriv deltagarens namn i stället."
)

# The back office's sections, as its start page lists them (the same as its menu,
# `_drift_nav.html`): address, name, what is done there.
DRIFT_SECTIONS = (
    (
        "/drift/anvandare",
        "Användare",
        "Skapa konton för personal och partnerkontakter, ändra roller, stäng av och aktivera "
        "konton, skicka en länk för att välja nytt lösenord.",
    ),
    (
        "/drift/vardar",
        "Värdar",
        "Arbetsgivare, enheter och föreningar: deras uppgifter, kontaktpersoner, mål och "
        "inbjudan av deras användare.",
    ),
    (
        "/drift/samverkan",
        "Samverkan",
        "Myndigheter och lokala överenskommelser: de ger partnerkontakter tillgång till "
        "deltagare som har samtyckt.",
    ),
    (
        "/drift/jobb",
        "Schemalagda jobb",
        "Det som tjänsten gör av sig själv, som att skicka mejl, påminna och rensa, och hur "
        "det gick senast.",
    ),
    (
        "/drift/vardagsord",
        "Vardagsord i sökningen",
        "Ord som samordnare söker med, som ”dagis”, och vilka yrkesord de står för.",
    ),
    (
        "/drift/sokningar",
        "Sökningar utan träff",
        "Sökningar som inte hittade något eller ledde ingenstans; lär sökningen ett nytt ord "
        "direkt från listan.",
    ),
    (
        "/drift/sokningar/lyft",
        "Inlärda lyft",
        "Sökord som ofta leder till förslag inom ett yrkesområde, och om lyften är på.",
    ),
    (
        "/drift/utkorg",
        "Utkorg",
        "Mejl och sms som tjänsten har skickat eller ska skicka, och de som inte gick fram.",
    ),
    (
        "/loggkontroll",
        "Loggkontroll",
        "Vem som har läst eller ändrat vad, och vems uppgifter som har lästs.",
    ),
)


@get("/drift", guards=[admin_only], include_in_schema=False, name="drift-home")
async def drift_page(request: Request[AuthUser, Any, Any]) -> Template:
    """The back office's start page: each of its sections, with what is done there, and a
    warning of mail that has not gone out (the jobs page said "Klart" every half minute while
    the mail server refused every connection): apart, the mail that failed for its address
    (the server never saw it; its address is corrected where it is stored) and the mail the
    server did not take."""
    return page(
        "admin/drift.html",
        request,
        sections=DRIFT_SECTIONS,
        mail_trouble=await undelivered.mail_trouble(),
    )


@get("/rapporter", guards=[report_readers], include_in_schema=False, name="admin_reports")
async def reports_page(
    request: Request[AuthUser, Any, Any],
    start: Choice = "",
    end: Choice = "",
    track: Choice = "",
    coordinator: Choice = "",
    coordinator_id: Choice = "",
    host_kind: Choice = "",
) -> Template:
    """The reports under their filter form. The coordinator is chosen by number (the value
    of the list's choices, so the address names no account); an address with the account's
    id (`coordinator_id`, from a bookmark made before) still works, and the form then shows
    the coordinator by number."""
    chosen, values, errors = filter_form(
        ReportChoices,
        start=start,
        end=end,
        track=track,
        coordinator=coordinator,
        coordinator_id=coordinator_id,
        host_kind=host_kind,
    )
    errors.update(
        {"coordinator": errors.pop("coordinator_id")} if "coordinator_id" in errors else {}
    )
    try:
        account = await chosen_coordinator(chosen.coordinator, chosen.coordinator_id)
    except ValidationFailed as exc:
        errors["coordinator"] = exc.message
        account = None
    f = period_or_default(
        chosen,
        errors,
        lambda a, b: report_filters(a, b, chosen.track, account, chosen.host_kind),
    )
    unknown = await coordinator_problem(f.coordinator_id)
    if unknown:
        # Said at the box; the figures shown are everyone's, as the box then says "Alla".
        errors["coordinator"] = unknown
        f = msgspec.structs.replace(f, coordinator_id=None)
    number = await coordinator_number(f.coordinator_id)
    values.pop("coordinator_id", None)
    values["coordinator"] = "" if number is None else str(number)
    sections = []
    who = await coordinator_label(request.user, f.coordinator_id)
    with registry.counted_together():  # the reports share figures: each counted once
        for entry in registry.REPORTS:
            report = await entry.published(f)
            table = entry.table(report, who)
            sections.append(
                {
                    "name": entry.slug,
                    "table": table,
                    "rows": [[exports.page_cell(v) for v in row] for row in table.rows],
                    "chart": entry.picture(report),
                }
            )
    query = filter_query(
        start=month_text(f.start),
        end=month_text(f.end),
        track=f.track,
        coordinator=number,
        host_kind=f.host_kind,
    )
    return filter_page(
        "admin/reports.html",
        request,
        values,
        errors,
        filters=f,
        sections=sections,
        query=query,
        tracks=reports.TRACK_LABELS,
        host_kinds=reports.HOST_KIND_LABELS,
        coordinators=await coordinator_options(request.user),
        rule_note=disclosure.RULE_NOTE,
    )


@get("/loggkontroll", guards=[admin_only], include_in_schema=False, name="admin_audit")
async def audit_page(
    request: Request[AuthUser, Any, Any],
    start: Choice = "",
    end: Choice = "",
    actor_id: Choice = "",
    subject_id: Choice = "",
    deltagare: NameQuery = "",
    action: ActionCode = "",
    offset: Offset = 0,
) -> Template:
    """The log in a period, newest first, by a user, about a participant and of one kind of
    event. The participant is typed by name (`audit.participants_named`); several of that
    name are offered to choose among, and the choice (like the links in mail) filters by the
    participant's id."""
    chosen, values, errors = filter_form(
        Filters, start=start, end=end, actor_id=actor_id, subject_id=subject_id
    )
    values["action"] = action = action.strip()
    if action and not audit_text.is_action(action):  # only an edited address
        errors["action"] = NO_SUCH_ACTION
        action = ""
    if "subject_id" in errors:  # only an edited address: the page asks for a name
        del errors["subject_id"]
        errors["deltagare"] = NO_PARTICIPANT_IN_ADDRESS
    values["deltagare"] = typed = deltagare.strip()
    q = period_or_default(
        chosen,
        errors,
        lambda a, b: audit_query(a, b, chosen.actor_id, chosen.subject_id, action or None),
    )
    # The name is looked up only when the rest of the filter holds, so a list to choose from
    # (itself a read of those participants) is never shown beside a filter to correct.
    named: list[audit.Participant] = []
    if typed and not errors:
        try:
            named = await audit.participants_named(request.user, typed)
        except ValidationFailed as exc:
            errors.update(field_errors(exc, ["deltagare"]))
        if not named and not errors:
            errors["deltagare"] = NO_SUCH_PARTICIPANT.format(name=typed)
    if typed:  # a name typed stands instead of an id the address held
        q = msgspec.structs.replace(q, subject_id=named[0].id if len(named) == 1 else None)
    about = named[0] if len(named) == 1 else None
    if about is None and q.subject_id is not None:
        about = await audit.participant(q.subject_id)
    # A refused filter lists nothing: rows of another period or of everyone would read as
    # the answer to the filter typed (and the review of a search not made is not logged).
    # Nor does a name several participants have: the admin chooses one first.
    choosing = len(named) > 1
    result = (
        None
        if errors or choosing
        else await audit.search_audit(request.user, q, limit=100, offset=offset, paged=True)
    )
    users = await User.select(User.id, User.username, User.role).order_by(
        swedish_order(User.username)
    )
    query = filter_query(
        start=q.start, end=q.end, actor_id=q.actor_id, subject_id=q.subject_id, action=q.action
    )
    return filter_page(
        "admin/audit.html",
        request,
        values,
        errors,
        q=q,
        result=result,
        users=users,
        query=query,
        # The period and the user without a participant: for the choices and "every one".
        unnamed_query=filter_query(start=q.start, end=q.end, actor_id=q.actor_id, action=q.action),
        actions=audit_text.action_choices(),
        choices=named[: audit.MAX_NAMED] if choosing else [],
        more=len(named) > audit.MAX_NAMED,
        about=about,
        text=audit_text,
    )


@get(
    "/registerutdrag/{candidate_id:int}",
    guards=[staff],
    include_in_schema=False,
    name="admin_register_extract",
)
async def register_page(
    request: Request[AuthUser, Any, Any],
    candidate_id: FromPath[int],
    reason: FromQuery[str | None] = None,
) -> Template:
    """Without a reason the page asks for one; with it, the extract (logged with the reason)."""
    await register.check_access(request.user, candidate_id)
    return await _register_page(request, candidate_id, reason)


async def _register_page(
    request: Request[AuthUser, Any, Any],
    candidate_id: int,
    reason: str | None,
    *,
    status_code: int = 200,
    anonymise_errors: dict[str, str] | None = None,
) -> Template:
    """The extract for `reason` (logged), or the question for a reason when there is none or
    it is refused; `anonymise_errors` are a refused anonymisation's, shown at its box."""
    if reason is None:
        asked: dict[str, Any] = {}
        if anonymise_errors:  # a post without the extract's reason (not the page's form)
            asked = {"reason": "", "error": ANONYMISE_WITHOUT_EXTRACT}
        return page(
            "admin/register.html",
            request,
            status_code=status_code,
            candidate_id=candidate_id,
            extract=None,
            **asked,
        )
    try:
        extract = await register.register_extract(
            request.user, candidate_id, reason=reason, form="sida"
        )
    except ValidationFailed as exc:
        return page(
            "admin/register.html",
            request,
            status_code=exc.status_code,
            candidate_id=candidate_id,
            extract=None,
            reason=reason,
            error=exc.message,
        )
    return page(
        "admin/register.html",
        request,
        status_code=status_code,
        candidate_id=candidate_id,
        extract=extract,
        anonymise_errors=anonymise_errors or {},
        sections=await register_text.readable(extract),
        technical_note=register_text.TECHNICAL_NOTE,
    )


ANONYMISE_UNCONFIRMED = (
    "Kryssa i rutan ”Jag förstår att det inte går att ångra” för att anonymisera deltagaren."
)
ANONYMISE_WITHOUT_EXTRACT = (
    "Ta fram registerutdraget först: deltagaren anonymiseras från utdragets sida."
)
ANONYMISE_FORM = confirmed("confirm", ANONYMISE_UNCONFIRMED)


@post(
    "/registerutdrag/{candidate_id:int}/anonymisera",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def anonymise_submit(
    request: Request[AuthUser, Any, Any], candidate_id: FromPath[int]
) -> Response[Any]:
    """Anonymise the participant once the box is ticked, checked here: the box's `required`
    alone let a post without it through, and the page said the participant was anonymised
    when nothing was done. Unticked, the extract is shown again (read and logged again, with
    the reason the form carries) with the message at the box (400)."""

    async def anonymise(_: NoFields) -> Landing:
        await register.anonymise_candidate(candidate_id, actor=request.user)
        return f"/registerutdrag/{candidate_id}", "anonymiserad"

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        reason = values.get("reason")
        return await _register_page(
            request,
            candidate_id,
            str(reason) if reason else None,
            status_code=status_code,
            anonymise_errors=errors,
        )

    return await round_trip(request, ANONYMISE_FORM, anonymise, refused)


ROUTES = [drift_page, reports_page, audit_page, register_page, anonymise_submit]
