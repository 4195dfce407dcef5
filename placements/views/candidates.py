"""The workbench's participant forms (`/arbetsbord/deltagare/...`): register a new participant
(deltagare), edit the profile, and edit the arbetsmarknadsplan (the goal and the planned
activities with dates, status and follow-up).

Every save calls one service in `placements.services.candidates`, which validates (the
personnummer's Luhn check, samordningsnummer, dates) and audits. The forms POST, so a
personnummer never ends up in a URL, and after saving the browser is sent (303) to the
candidate's page with a confirmation (marketplace/kernel/notices.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from marketplace.kernel.addresses import normalise_email
from marketplace.kernel.auth import AuthUser, active_coordinators, signed_in_user, staff
from marketplace.kernel.db import swedish_key
from marketplace.kernel.errors import NotFound, ValidationFailed
from marketplace.kernel.forms import (
    Form,
    Landing,
    NoFields,
    confirmed,
    parse_form,
    rerender_as,
    round_trip,
)
from marketplace.kernel.templating import LABELS
from marketplace.kernel.views import page
from marketplace.reference import taxonomy
from placements import date_rules, vocabulary
from placements.schemas import candidates as schemas
from placements.services import candidate_updates
from placements.services import candidates as candidate_services

PROFILE_LABELS = {
    "first_name": "Förnamn",
    "last_name": "Efternamn",
    "personnummer": "Personnummer eller samordningsnummer",
    "email": "E-postadress",
    "phone": "Telefonnummer",
    "address": "Adress",
    "track": "Spår",
    "wished_occupations": "Önskade yrken",
    "skills": "Kompetenser",
    "interests": "Intressen",
    "languages": "Språk",
    "experience": "Tidigare erfarenhet",
    "driving_licence": "Har körkort för personbil (B)",
    "hours_available": "Timmar i veckan deltagaren kan vara på en plats",
    "home_town": "Hemort",
    "max_commute_km": "Längsta pendlingsavstånd i km",
    "coordinator_id": "Ansvarig samordnare",
    "consent_date": "Dag för samtycket",
    "consent_method": "Hur samtycket gavs",
}
CONSENT_METHODS = [
    ("muntligt", "Muntligt (antecknat av samordnaren)"),
    ("skriftligt", "Skriftligt, på papper"),
    ("digitalt", "Digitalt, med e-legitimation"),
    # A participant made from the public form's application, which needs no sign-in.
    ("webbformular", "I webbformuläret, utan e-legitimation (en ikryssad ruta i ansökan)"),
]
EDIT_LABELS = {**PROFILE_LABELS, "status": "Status"}
# Free texts a coordinator may clear on the edit form.
CLEARABLE = ["personnummer", "email", "phone", "address", "interests", "experience", "home_town"]
ACTIVITY_LABELS = {
    "title": "Aktivitet",
    "planned_start": "Planerat startdatum",
    "planned_end": "Planerat slutdatum",
    "status": "Status",
    "follow_up": "Uppföljning",
}
GOAL_LABELS = {
    "plan_goal": "Deltagarens mål",
    "plan_goal_shareable": "Deltagaren godkänner att värden får se målet",
}
ACTIVITY_STATUS = vocabulary.ACTIVITY_STATUS_LABELS
ADAPTATION_TEXT_MAX = 300
ADAPTATIONS_MAX = 30
# Blank rows under the filled-in ones; saving gives new blank rows for more.
BLANK_ADAPTATION_ROWS = 3
# Rows read from a post: more than the limit, so too many is an error rather than a silent cut.
ADAPTATION_ROWS_READ = 100
SKILL_SUGGESTIONS = 40


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if str(v).strip()]


def _candidate_page(candidate_id: int, notice: str) -> Landing:
    return f"/arbetsbord/deltagare/{candidate_id}", notice


# --- occupations and skills from the taxonomy ----------------------------------------------------


def occupation_options(chosen: list[str]) -> list[tuple[str, str, bool]]:
    """(id, label, checked) for the wished-occupation checkboxes: the chosen ones, still
    checked. The search adds its suggestions for what was typed (`/arbetsbord/yrken`,
    `search.occupation_pages`)."""
    options: dict[str, tuple[str, str, bool]] = {}
    for occupation_id in chosen:
        found = taxonomy.occupation(occupation_id)
        options[occupation_id] = (occupation_id, found.label if found else occupation_id, True)
    return list(options.values())


def skill_options(occupation_ids: list[str], chosen: list[str]) -> list[tuple[str, str]]:
    """(id, label) for the skill checkboxes: the chosen skills, then the skills the taxonomy
    relates to the chosen occupations' SSYK-4 groups, by label."""
    labels = taxonomy.skills()
    groups = taxonomy.groups()
    suggested: set[str] = set()
    for occupation_id in occupation_ids:
        found = taxonomy.occupation(occupation_id)
        group = groups.get(found.group_id) if found else None
        if group is not None:
            suggested.update(s for s in group.skill_ids if s in labels)
    ordered = sorted(suggested - set(chosen), key=lambda s: swedish_key(labels[s]))
    return [(s, labels.get(s, s)) for s in [*chosen, *ordered[:SKILL_SUGGESTIONS]]]


# The languages offered as checkboxes on the profile form: the most spoken in Sweden, among
# them those most common among newly arrived participants (taxonomy labels). A participant's
# other languages stay checked when the form is shown again.
COMMON_LANGUAGES = (
    "Svenska",
    "Engelska",
    "Arabiska",
    "Somaliska",
    "Tigrinska/Tigrinja",
    "Persiska/Farsi",
    "Dari",
    "Pashto",
    "Kurdiska",
    "Turkiska",
    "Bosniska",
    "Serbiska",
    "Kroatiska",
    "Polska",
    "Finska",
    "Ukrainska",
    "Ryska",
    "Spanska",
    "Thailändska",
    "Amhariska/Amarinja",
    "Franska",
    "Tyska",
    "Teckenspråk",
)


def language_options(chosen: list[str]) -> list[tuple[str, str]]:
    """(id, label) for the language checkboxes: the common languages, then any other chosen."""
    labels = taxonomy.languages()
    by_label = {label: language_id for language_id, label in labels.items()}
    common = [by_label[name] for name in COMMON_LANGUAGES if name in by_label]
    others = [c for c in chosen if c not in common]
    return [(i, labels.get(i, i)) for i in [*common, *others]]


# --- the profile form ------------------------------------------------------------------------


def _adaptation_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The adaptation rows as posted (or loaded), in order, plus blank rows to fill in."""
    indexes = sorted(
        {
            int(key.split("-")[1])
            for key in values
            if key.startswith("adaptations-") and key.split("-")[1].isdigit()
        }
    )
    rows = []
    for i in indexes[:ADAPTATION_ROWS_READ]:
        text = values.get(f"adaptations-{i}-text", "")
        text = str(text[-1] if isinstance(text, list) else text)
        shared = values.get(f"adaptations-{i}-shareable") not in (None, "", "0")
        if text.strip() or shared:
            rows.append({"text": text, "shareable": shared})
    rows += [{"text": "", "shareable": False} for _ in range(BLANK_ADAPTATION_ROWS)]
    return rows


def parse_adaptations(values: dict[str, Any]) -> list[schemas.Adaptation]:
    """The filled-in adaptation rows; a row's error names that row's text field."""
    items: list[schemas.Adaptation] = []
    for number, row in enumerate(_adaptation_rows(values), start=1):
        text = row["text"].strip()
        field = f"adaptations-{number - 1}-text"
        if not text:
            if row["shareable"]:
                raise ValidationFailed(
                    f"Anpassning {number} saknar text. Skriv vad deltagaren behöver, "
                    "eller ta bort krysset.",
                    fields=[field],
                )
            continue
        if len(text) > ADAPTATION_TEXT_MAX:
            raise ValidationFailed(
                f"Anpassning {number} får ha högst {ADAPTATION_TEXT_MAX} tecken. Korta texten.",
                fields=[field],
            )
        items.append(schemas.Adaptation(text=text, shareable=row["shareable"]))
    if len(items) > ADAPTATIONS_MAX:
        raise ValidationFailed(
            f"Högst {ADAPTATIONS_MAX} anpassningar. Slå ihop några.", fields=["adaptations"]
        )
    return items


def _profile_values(candidate: schemas.Candidate) -> dict[str, Any]:
    """A candidate as the profile form's values."""
    values: dict[str, Any] = {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "personnummer": candidate.personnummer,
        "email": candidate.email,
        "phone": candidate.phone,
        "address": candidate.address,
        "track": candidate.track,
        "wished_occupations": list(candidate.wished_occupations),
        "skills": list(candidate.skills),
        "interests": candidate.interests,
        "languages": list(candidate.languages),
        "experience": candidate.experience,
        "driving_licence": "1" if candidate.driving_licence else "",
        "hours_available": "" if candidate.hours_available is None else candidate.hours_available,
        "home_town": candidate.home_town,
        "max_commute_km": "" if candidate.max_commute_km is None else candidate.max_commute_km,
        "status": candidate.status,
        "consent_date": candidate.consent_date.isoformat() if candidate.consent_date else "",
        "consent_method": candidate.consent_method,
    }
    for i, a in enumerate(candidate.adaptations):
        values[f"adaptations-{i}-text"] = a.text
        values[f"adaptations-{i}-shareable"] = "1" if a.shareable else ""
    return values


async def coordinator_choices(user: AuthUser) -> list[tuple[str, str]]:
    """Active coordinators to choose from, for an admin registering a participant (a
    coordinator registers their own participants and is not asked)."""
    if user.role != "admin":
        return []
    return [(str(i), name) for i, name in await active_coordinators()]


def _profile_context(
    values: dict[str, Any],
    errors: dict[str, str],
    candidate: schemas.Candidate | None,
    coordinators: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    wished = _as_list(values.get("wished_occupations"))
    skills = _as_list(values.get("skills"))
    languages = _as_list(values.get("languages"))
    return {
        "candidate": candidate,
        "values": {
            **values,
            "wished_occupations": wished,
            "skills": skills,
            "languages": languages,
        },
        "errors": errors,
        "labels": EDIT_LABELS,
        "tracks": list(LABELS["track"].items()),
        "statuses": list(LABELS["candidate_status"].items()),
        "occupation_choices": occupation_options(wished),
        "skill_choices": skill_options(wished, skills),
        "language_choices": language_options(languages),
        "coordinators": coordinators or [],
        "adaptation_rows": _adaptation_rows(values),
        "consent_methods": CONSENT_METHODS,
        # The typed town's problem, by the rule the saved record's page uses.
        "home_town_warning": candidate_services.home_town_problem(
            str(values.get("home_town") or ""),
            candidate.latitude if candidate else None,
            candidate.longitude if candidate else None,
        ),
    }


def _profile_rules(typed: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The participant's rules over several fields, listed with the form's other errors: the
    date table's, and a consent with both its day and its way. A field the form does not
    have (a create form without consent) is not asked for."""
    found = date_rules.form_rules("candidate")(typed)
    # The identity number and the address are checked here too, not only by the service when
    # everything else is right: a wrong check digit was said only after the other mistakes
    # had been mended (browser walk).
    for name, check in (
        ("personnummer", candidate_services.normalise_personnummer),
        ("email", normalise_email),
    ):
        if str(typed.get(name) or "").strip():
            try:
                check(str(typed[name]))
            except ValidationFailed as exc:
                found.append((name, exc.message))
    if "consent_date" in typed or "consent_method" in typed:
        found += candidate_services.consent_problems(
            date_rules.as_day(typed.get("consent_date")),
            str(typed.get("consent_method") or ""),
        )
    return found


def _profile_page(
    request: Request[Any, Any, Any],
    candidate: schemas.Candidate | None,
    coordinators: list[tuple[str, str]] | None = None,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    """The profile form: a new participant's (`candidate` None) or one's to edit, as saved or
    with a refused form's values and messages."""
    context = _profile_context(values, errors, candidate, coordinators)
    return page(
        "placements/workbench/candidate_form.html", request, status_code=status_code, **context
    )


def _parse_profile(cls: type[Any], values: dict[str, Any], labels: dict[str, str]) -> Any:
    data = parse_form(
        cls,
        values,
        labels=labels,
        lists=["wished_occupations", "skills", "languages"],
        flags=["driving_licence"],
        blank_is_none=["hours_available", "max_commute_km", "coordinator_id", "consent_date"],
        blank_is_empty=[*CLEARABLE, "consent_method"] if cls is schemas.CandidateUpdate else [],
        rules=_profile_rules,
    )
    return msgspec.structs.replace(data, adaptations=parse_adaptations(values))


# Every field a message may stand next to, by its label: the profile's, and each adaptation
# row's text.
PROFILE_FIELDS = {
    **EDIT_LABELS,
    "adaptations": "Anpassningar",
    **{
        f"adaptations-{i}-text": f"Anpassning {i + 1}"
        for i in range(ADAPTATION_ROWS_READ + BLANK_ADAPTATION_ROWS)
    },
}
GOAL_FORM = Form(
    schemas.CandidateUpdate,
    labels=GOAL_LABELS,
    flags=["plan_goal_shareable"],
    blank_is_empty=["plan_goal"],
)
REMOVE_ACTIVITY_FORM = confirmed(
    "confirm", "Kryssa i rutan för att bekräfta att aktiviteten ska tas bort."
)


@get("/arbetsbord/deltagare/ny", guards=[staff], include_in_schema=False, name="candidate_new")
async def candidate_new(request: Request[Any, Any, Any]) -> Template:
    coordinators = await coordinator_choices(signed_in_user(request))
    return _profile_page(request, None, coordinators, values={"track": "kompetens"}, errors={})


@post("/arbetsbord/deltagare/ny", guards=[staff], include_in_schema=False, status_code=303)
async def candidate_create(request: Request[Any, Any, Any]) -> Response[Any]:
    user = signed_in_user(request)

    def parse(values: dict[str, Any]) -> schemas.CandidateCreate:
        parsed: schemas.CandidateCreate = _parse_profile(
            schemas.CandidateCreate, values, PROFILE_LABELS
        )
        return parsed

    async def create(data: schemas.CandidateCreate) -> Landing:
        candidate = await candidate_services.create_candidate(user, data)
        if "home_town" in candidate.warnings:
            return _candidate_page(candidate.id, "deltagare-registrerad-okand-ort")
        return _candidate_page(candidate.id, "deltagare-registrerad")

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        coordinators = await coordinator_choices(user)
        return _profile_page(
            request, None, coordinators, values=values, errors=errors, status_code=status_code
        )

    return await round_trip(request, parse, create, refused, fields=PROFILE_FIELDS)


@get("/arbetsbord/deltagare/{candidate_id:int}/profil", guards=[staff], include_in_schema=False)
async def candidate_edit(request: Request[Any, Any, Any], candidate_id: FromPath[int]) -> Template:
    candidate = await candidate_services.get_candidate_for(signed_in_user(request), candidate_id)
    return _profile_page(request, candidate, values=_profile_values(candidate), errors={})


@post(
    "/arbetsbord/deltagare/{candidate_id:int}/profil",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def candidate_update(
    request: Request[Any, Any, Any], candidate_id: FromPath[int]
) -> Response[Any]:
    user = signed_in_user(request)
    candidate = await candidate_services.get_candidate_for(user, candidate_id)

    def parse(values: dict[str, Any]) -> schemas.CandidateUpdate:
        parsed: schemas.CandidateUpdate = _parse_profile(
            schemas.CandidateUpdate, values, EDIT_LABELS
        )
        return parsed

    async def save(data: schemas.CandidateUpdate) -> Landing:
        saved = await candidate_updates.update_candidate(user, candidate_id, data)
        if "home_town" in saved.warnings:
            return _candidate_page(candidate_id, "profil-sparad-okand-ort")
        return _candidate_page(candidate_id, "profil-sparad")

    refused = partial(_profile_page, request, candidate)
    return await round_trip(request, parse, save, refused, fields=PROFILE_FIELDS)


@get("/arbetsbord/kompetenser", guards=[staff], include_in_schema=False)
async def skill_choices(
    request: Request[Any, Any, Any],
    wished_occupations: Annotated[list[str] | None, QueryParameter(max_items=50)] = None,
    skills: Annotated[list[str] | None, QueryParameter(max_items=50)] = None,
) -> Template:
    """htmx: skills for the chosen occupations' SSYK-4 groups; chosen skills stay checked."""
    occupations = [o for o in (wished_occupations or []) if len(o) <= 20]
    chosen = [s for s in (skills or []) if len(s) <= 20]
    return page(
        "placements/workbench/_skills.html",
        request,
        skill_choices=skill_options(occupations, chosen),
        values={"skills": chosen},
        errors={},
        labels=EDIT_LABELS,
    )


# --- the arbetsmarknadsplan ------------------------------------------------------------------


async def _plan_context(
    user: AuthUser,
    candidate_id: int,
    *,
    goal_values: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    goal_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    candidate = await candidate_services.get_candidate_for(user, candidate_id)
    plan = await candidate_services.get_plan_for(user, candidate_id)
    return {
        "candidate": candidate,
        "plan": plan,
        "goal_values": goal_values
        if goal_values is not None
        else {"plan_goal": plan.goal, "plan_goal_shareable": plan.goal_shareable},
        "goal_errors": goal_errors or {},
        "values": values if values is not None else {"status": "planned"},
        "errors": errors or {},
        "labels": ACTIVITY_LABELS,
        "goal_labels": GOAL_LABELS,
        "activity_statuses": list(ACTIVITY_STATUS.items()),
        "status_text": ACTIVITY_STATUS,
    }


_ACTIVITY_FORM_ARGS: dict[str, Any] = {
    "labels": ACTIVITY_LABELS,
    "blank_is_none": ["planned_start", "planned_end"],
    "blank_is_empty": ["follow_up"],
    "rules": date_rules.form_rules("plan_activity"),
}
NEW_ACTIVITY_FORM = Form(schemas.PlanActivityCreate, **_ACTIVITY_FORM_ARGS)
ACTIVITY_FORM = Form(schemas.PlanActivityUpdate, **_ACTIVITY_FORM_ARGS)


async def _plan_page(
    request: Request[Any, Any, Any], candidate_id: int, status_code: int = 200, **shown: Any
) -> Template:
    """The plan's page, or the page again with the refused form's values and messages
    (`shown`)."""
    context = await _plan_context(signed_in_user(request), candidate_id, **shown)
    return page("placements/workbench/plan_form.html", request, status_code=status_code, **context)


@get("/arbetsbord/deltagare/{candidate_id:int}/plan", guards=[staff], include_in_schema=False)
async def plan_edit(request: Request[Any, Any, Any], candidate_id: FromPath[int]) -> Template:
    return await _plan_page(request, candidate_id)


@post(
    "/arbetsbord/deltagare/{candidate_id:int}/plan",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def plan_goal_update(
    request: Request[Any, Any, Any], candidate_id: FromPath[int]
) -> Response[Any]:
    async def save(data: schemas.CandidateUpdate) -> Landing:
        await candidate_updates.update_candidate(signed_in_user(request), candidate_id, data)
        return _candidate_page(candidate_id, "plan-sparad")

    show = partial(_plan_page, request, candidate_id)
    refused = rerender_as(show, values="goal_values", errors="goal_errors")
    return await round_trip(request, GOAL_FORM, save, refused)


@post(
    "/arbetsbord/deltagare/{candidate_id:int}/plan/aktiviteter",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def activity_create(
    request: Request[Any, Any, Any], candidate_id: FromPath[int]
) -> Response[Any]:
    async def add(data: schemas.PlanActivityCreate) -> Landing:
        await candidate_services.add_plan_activity(signed_in_user(request), candidate_id, data)
        return _candidate_page(candidate_id, "plan-sparad")

    refused = partial(_plan_page, request, candidate_id)
    return await round_trip(request, NEW_ACTIVITY_FORM, add, refused)


async def _activity_page(
    request: Request[Any, Any, Any],
    candidate_id: int,
    activity_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The activity's form, as saved or with the refused form's values and messages."""
    user = signed_in_user(request)
    context = await _activity_context(user, candidate_id, activity_id, values, errors)
    return page(
        "placements/workbench/activity_form.html", request, status_code=status_code, **context
    )


async def _activity_context(
    user: AuthUser,
    candidate_id: int,
    activity_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    plan = await candidate_services.get_plan_for(user, candidate_id)
    activity = next((a for a in plan.activities if a.id == activity_id), None)
    if activity is None:
        raise NotFound("Aktiviteten finns inte i den här deltagarens plan.")
    candidate = await candidate_services.get_candidate_for(user, candidate_id)
    if values is None:
        values = {
            "title": activity.title,
            "planned_start": activity.planned_start.isoformat() if activity.planned_start else "",
            "planned_end": activity.planned_end.isoformat() if activity.planned_end else "",
            "status": activity.status,
            "follow_up": activity.follow_up,
        }
    return {
        "candidate": candidate,
        "activity": activity,
        "values": values,
        "errors": errors or {},
        "labels": ACTIVITY_LABELS,
        "activity_statuses": list(ACTIVITY_STATUS.items()),
    }


@get(
    "/arbetsbord/deltagare/{candidate_id:int}/plan/aktiviteter/{activity_id:int}",
    guards=[staff],
    include_in_schema=False,
)
async def activity_edit(
    request: Request[Any, Any, Any], candidate_id: FromPath[int], activity_id: FromPath[int]
) -> Template:
    return await _activity_page(request, candidate_id, activity_id)


@post(
    "/arbetsbord/deltagare/{candidate_id:int}/plan/aktiviteter/{activity_id:int}",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def activity_update(
    request: Request[Any, Any, Any], candidate_id: FromPath[int], activity_id: FromPath[int]
) -> Response[Any]:
    async def save(data: schemas.PlanActivityUpdate) -> Landing:
        user = signed_in_user(request)
        await candidate_services.update_plan_activity(user, candidate_id, activity_id, data)
        return _candidate_page(candidate_id, "plan-sparad")

    refused = partial(_activity_page, request, candidate_id, activity_id)
    return await round_trip(request, ACTIVITY_FORM, save, refused)


@post(
    "/arbetsbord/deltagare/{candidate_id:int}/plan/aktiviteter/{activity_id:int}/ta-bort",
    guards=[staff],
    include_in_schema=False,
    status_code=303,
)
async def activity_delete(
    request: Request[Any, Any, Any],
    candidate_id: FromPath[int],
    activity_id: FromPath[int],
) -> Response[Any]:
    """Remove an activity, once the coordinator has ticked the confirmation."""

    async def remove(_: NoFields) -> Landing:
        user = signed_in_user(request)
        await candidate_services.delete_plan_activity(user, candidate_id, activity_id)
        return _candidate_page(candidate_id, "aktivitet-borttagen")

    show = partial(_activity_page, request, candidate_id, activity_id)
    return await round_trip(request, REMOVE_ACTIVITY_FORM, remove, rerender_as(show, values=None))


ROUTES = [
    candidate_new,
    candidate_create,
    candidate_edit,
    candidate_update,
    skill_choices,
    plan_edit,
    plan_goal_update,
    activity_create,
    activity_edit,
    activity_update,
    activity_delete,
]
