"""A form with several mistakes shows every one at once, in Swedish, next to its field, once,
with a summary at the top linking to the fields, and keeps what was typed.

The forms are the app's own HTML POST routes, reached the way tests/test_notices.py reaches
them (the access matrix's world and callers). `WRONG` posts the data-entry forms with several
wrong fields and names the fields that must be marked; every other form is posted with every
field broken (`_broken`) and must answer without a 500, an English phrase or a code name.

Run: `pytest tests/test_form_errors.py` (on either engine).
"""

from __future__ import annotations

import html
import re
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.browser.test_every_page_375 import visible_text_problems
from tests.inloop import InLoopClient
from tests.test_access_matrix import (
    FORMS,
    People,
    World,
    all_routes,
    make_people,
    make_world,
    url_for,
)
from tests.test_notices import EXTRA_FORM, HTML, _caller, _prepare, sign_in_as

# Free of an engine's quirks: too long for every text column the forms have.
LONG = "Ö" * 5001
# Per form: the wrong fields posted (over the valid form), and the fields that must be marked.
WRONG: dict[str, tuple[dict[str, str], set[str]]] = {
    "/erbjud": (
        {"org_name": "", "kind": "raket", "contact_name": "", "contact_email": "fia"},
        {"org_name", "kind", "contact_name", "contact_email"},
    ),
    "/vard/platser/ny": (
        {"title": "", "capacity": "tre", "hours_per_week": "-4", "start_date": "2026-02-30"},
        {"title", "capacity", "hours_per_week", "start_date"},
    ),
    "/vard/platser/{slot_id}": (
        {"kind": "raket", "capacity": "många", "end_date": "1900-01-01"},
        {"kind", "capacity", "end_date"},
    ),
    "/vard/organisation/{host_id}/kontakter": (
        {"name": "", "supervision_capacity": "två", "email": LONG},
        {"name", "supervision_capacity", "email"},
    ),
    "/vard/organisation/{host_id}/uppgifter": (
        # An empty name with the rest. The host's form has no kind or organisation number
        # (the municipality's to change: tests/employers/test_set_by_municipality.py).
        {"town": LONG, "name": " "},
        {"town", "name"},
    ),
    "/vard/organisation/{host_id}/mal": (
        {"year": "i år", "target": "-5"},
        {"year", "target"},
    ),
    "/arbetsbord/deltagare/ny": (
        {
            "first_name": "",
            "hours_available": "heltid",
            "max_commute_km": "långt",
            "consent_date": "igår",
        },
        {"first_name", "hours_available", "max_commute_km", "consent_date"},
    ),
    "/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter": (
        {"title": "", "planned_start": "2026-13-01", "planned_end": "snart"},
        {"title", "planned_start", "planned_end"},
    ),
    "/arbetsbord/bokningar/{booking_id}/utfall": (
        {"category": "lotteri", "outcome_date": "2026-02-30"},
        {"category", "outcome_date"},
    ),
    "/vard/kontakter/{contact_id}": (
        {"name": "", "supervision_capacity": "två", "email": "x"},
        {"name", "supervision_capacity", "email"},
    ),
    "/arbetsbord/deltagare/{candidate_id}/profil": (
        {"first_name": "", "hours_available": "heltid", "consent_date": "igår"},
        {"first_name", "hours_available", "consent_date"},
    ),
    "/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter/{activity_id}": (
        {"title": "", "planned_start": "2026-13-01", "status": "klar"},
        {"title", "planned_start", "status"},
    ),
    "/vard/bokningar/{booking_id}/bedomning": (
        {"attendance": "toppen", "recommendation": "kanske"},
        {"attendance", "recommendation"},
    ),
    "/arbetsbord/bokningar/{booking_id}/telefonsvar": (
        {"answer": "kanske", "answered_by": ""},
        {"answer", "answered_by"},
    ),
    "/drift/anvandare/{user_id}": (
        {"first_name": "", "email": "x", "role": "kung"},
        {"first_name", "email", "role"},
    ),
    "/bedomning/{token}": (
        {"attendance": "", "recommendation": "kanske", "comment": LONG},
        {"attendance", "recommendation", "comment"},
    ),
    # A password is never sent back to the page; the two messages still stand at their boxes.
    "/vard/inbjudan": (
        {"password": "kort", "password2": "annat"},
        {"password", "password2"},
    ),
    "/konto/nytt-losenord/{token}": (
        {"password": "kort", "repeat": "annat"},
        {"password", "repeat"},
    ),
    # Partner agencies (issue 18): a participant's consent, an agency, a local agreement.
    "/arbetsbord/deltagare/{candidate_id}/samverkan": (
        {"agreement_id": "", "given_on": "2999-01-01", "method": "brevduva"},
        {"agreement_id", "given_on", "method"},
    ),
    "/drift/samverkan/myndigheter": ({"agency_name": LONG}, {"agency_name"}),
    "/drift/samverkan/overenskommelser": (
        {"agency_id": "", "name": "", "valid_from": "igår"},
        {"agency_id", "name", "valid_from"},
    ),
    "/drift/samverkan/overenskommelser/{agreement_id}": (
        {"name": "", "valid_to": "1999-01-01"},
        {"name", "valid_to"},
    ),
    "/drift/anvandare/ny": (
        {"username": "", "first_name": "", "email": "x", "role": "kung"},
        {"username", "first_name", "email", "role"},
    ),
    # Mitt konto: a new API key, and the code that turns two-step sign-in on.
    "/konto/api-nycklar": ({"key_name": "", "key_days": "tusen"}, {"key_name", "key_days"}),
    "/konto/tvasteg/bekrafta": ({"code": "12"}, {"code"}),
}

# Beyond the every-page detector (tests/browser/test_every_page_375.py): validators' words.
VALIDATOR_ENGLISH = re.compile(
    r"\b(?:missing|required|RFC3339|length|enum|Expected|got|field|parameter|Validation)\b"
)


def leaks(text: str) -> list[str]:
    """Code names and English in a message a person reads."""
    found = visible_text_problems(text)
    found += [f"English {m!r}" for m in VALIDATOR_ENGLISH.findall(text)]
    return found


def _texts(pattern: str, page: str) -> list[str]:
    found = re.findall(pattern, page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", f)).split()) for f in found]


def field_errors_on(page: str) -> dict[str, str]:
    """The message shown next to each field (`<span id="f-NAME-error">`)."""
    return {
        name: " ".join(html.unescape(text).split())
        for name, text in re.findall(r'id="f-([\w-]+?)-error"[^>]*>(.*?)</', page, re.S)
    }


def summary_on(page: str) -> list[str]:
    box = re.search(r'class="error-summary".*?</ul>', page, re.S)
    return _texts(r"<li>(.*?)</li>", box.group(0)) if box else []


def check_readable(path: str, messages: list[str]) -> list[str]:
    problems = []
    for message in messages:
        problems += [f"{path}: {leak} in {message!r}" for leak in leaks(message)]
    return problems


async def _post(
    client: AsyncTestClient[Litestar],
    path: str,
    form: dict[str, str],
    p: People,
    w: World,
    csrf: str,
) -> Any:
    who = _caller("POST", path)
    client.cookies.clear()
    client.cookies.set("mp_csrf", csrf)
    headers = {**HTML, "x-csrftoken": csrf}
    await sign_in_as(client, headers, who, "POST", path, p, w)
    return await client.post(
        url_for("POST", path, p, w), data=form, headers=headers, follow_redirects=False
    )


def _valid(path: str, p: People, w: World) -> dict[str, str]:
    form = {**FORMS.get(path, {}), **EXTRA_FORM.get(path, {})}
    if path == "/vard/platser/ny":
        form["host_id"] = str(p.host_a)
    if path == "/arbetsbord/deltagare/{candidate_id}/samverkan":
        form["agreement_id"] = str(w.ids["agreement_id"])
    if path == "/drift/samverkan/overenskommelser":
        form["agency_id"] = str(p.agency_p)
    if path == "/vard/inbjudan":
        form["token"] = w.strings["invitation_token"]
    return form


async def test_every_wrong_field_is_shown_once_in_swedish_next_to_it_with_values_kept(app):
    people = await make_people()
    problems: list[str] = []
    async with InLoopClient(app=app, base_url="http://testserver.local") as client:
        await client.get("/", headers=HTML)
        csrf = client.cookies.get("mp_csrf") or ""
        for path, (wrong, fields) in WRONG.items():
            world = await make_world(people)
            await _prepare(path, people, world)
            form = {**_valid(path, people, world), **wrong}
            answer = await _post(client, path, form, people, world, csrf)
            if answer.status_code not in (400, 409, 422):
                problems.append(f"{path}: answered {answer.status_code}, not a refusal")
                continue
            page = answer.text
            shown = field_errors_on(page)
            missing = fields - set(shown)
            if missing:
                problems.append(f"{path}: no message next to {sorted(missing)}: {shown}")
            for name in fields & set(shown):
                tag = re.search(
                    rf'<(?:input|select|textarea|fieldset)[^>]*id="f-{name}"[^>]*>', page
                )
                if not tag or 'aria-invalid="true"' not in tag.group(0):
                    problems.append(f"{path}: {name} is not marked aria-invalid")
                elif f"f-{name}-error" not in tag.group(0):
                    problems.append(f"{path}: {name} is not described by its message")
            summary = summary_on(page)
            if len(summary) != len(set(summary)):
                problems.append(f"{path}: a message is listed twice: {summary}")
            for name in fields & set(shown):
                if shown[name] not in summary:
                    problems.append(f"{path}: {name}'s message is not in the summary")
                elif f'href="#f-{name}"' not in page:
                    problems.append(f"{path}: the summary does not link to {name}")
            problems += check_readable(path, list(shown.values()) + summary)
            # What was typed comes back (text boxes; a select shows the list again).
            for name, typed in wrong.items():
                if not typed or typed == LONG:
                    continue
                box = re.search(rf'<input[^>]*id="f-{name}"[^>]*>', page)
                if (
                    box
                    and 'type="password"' not in box.group(0)
                    and f'value="{html.escape(typed)}"' not in box.group(0)
                ):
                    problems.append(f"{path}: {name} lost what was typed ({typed!r})")
    assert not problems, "\n".join(problems)


def _broken(value: str) -> str:
    """A wrong value of the same kind: a date that does not exist, a number as a word."""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return "2026-02-30"
    if re.fullmatch(r"-?\d+", value):
        return "tolv"
    if value in ("1", "ja"):
        return value  # a ticked box, a confirmation: not a typing mistake
    return "ÖÖ" if len(value) < 40 else LONG


async def test_no_form_answers_a_mistake_with_a_500_or_english(app):
    people = await make_people()
    forms = sorted(
        path
        for method, path in all_routes(app)
        if method == "POST" and not path.startswith(("/api/", "/health"))
    )
    problems: list[str] = []
    async with InLoopClient(app=app, base_url="http://testserver.local") as client:
        await client.get("/", headers=HTML)
        csrf = client.cookies.get("mp_csrf") or ""
        for path in forms:
            world = await make_world(people)
            await _prepare(path, people, world)
            form = {k: _broken(v) for k, v in _valid(path, people, world).items()}
            answer = await _post(client, path, form, people, world, csrf)
            if answer.status_code >= 500:
                problems.append(f"{path}: {answer.status_code}")
                continue
            if answer.status_code in (301, 302, 303):
                continue
            shown = list(field_errors_on(answer.text).values())
            summary = summary_on(answer.text)
            alerts = _texts(r'role="alert"[^>]*>(.*?)</(?:p|div)>', answer.text)
            problems += check_readable(path, shown + summary + alerts)
            if len(summary) != len(set(summary)):
                problems.append(f"{path}: a message is listed twice: {summary}")
    assert not problems, f"{len(problems)} of {len(forms)} forms:\n" + "\n".join(problems)


# Wrong values for a query parameter: a word for a number, a date that does not exist, a
# choice nobody offers, a text far too long, a page number below the first.
WRONG_QUERY = ("tolv", "2026-02-30", "raket", "Ö" * 600, "-3")
# Query parameters that are not typed in by people (links carry them).
NOT_TYPED = {"token", "klart", "next"}


def _query_parameters(app: Litestar) -> dict[str, list[str]]:
    """Each GET route's query parameters, from the handlers' signatures."""
    found: dict[str, list[str]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "GET" not in handler.http_methods:
                continue
            names = []
            for name, parameter in handler.parsed_fn_signature.parameters.items():
                if name in ("request", "data", "scope", "state", "headers", "cookies"):
                    continue
                if name in NOT_TYPED or name in route.path_parameters:
                    continue
                if "Request" in str(parameter.annotation) or name.startswith("_"):
                    continue
                names.append(name)
            if names:
                found[re.sub(r"\{([^}:]+):[^}]+\}", r"{\1}", route.path)] = names
    return found


async def test_wrong_query_parameters_answer_in_swedish_on_pages_and_in_the_api(app):
    """Every GET route's query parameters, each sent wrong: the answer is a 2xx or a 4xx,
    never a 500; its error (the page's text, the JSON `detail` and `errors`) is Swedish and
    names no code name."""
    from tests.test_access_matrix import EXPECTED

    people = await make_people()
    world = await make_world(people)
    problems: list[str] = []
    checked = 0
    async with InLoopClient(app=app, base_url="http://testserver.local") as client:
        for path, names in sorted(_query_parameters(app).items()):
            allowed: set[str] = set(EXPECTED.get(("GET", path), set()))
            who = next(
                (w for w in ("admin", "coord", "analyst", "host_a", "anon") if w in allowed), None
            )
            if who is None:
                continue
            base = url_for("GET", path, people, world).split("?", 1)[0]
            headers = {} if path.startswith("/api/") else dict(HTML)
            if who != "anon":
                headers["authorization"] = f"Bearer {people.tokens[who]}"
            for name in names:
                for wrong in WRONG_QUERY:
                    answer = await client.get(base, params={name: wrong}, headers=headers)
                    checked += 1
                    where = f"GET {path}?{name}={wrong[:12]}"
                    if answer.status_code >= 500:
                        problems.append(f"{where}: {answer.status_code}")
                        continue
                    if answer.status_code < 400:
                        continue
                    if path.startswith("/api/"):
                        body = answer.json()
                        texts = [str(body.get("detail", ""))]
                        texts += list((body.get("errors") or {}).values())
                        # The API lists the codes to send, quoted: those are not prose.
                        texts = [re.sub(r"\u201d[^\u201d]*\u201d", "", t) for t in texts]
                    else:
                        texts = list(field_errors_on(answer.text).values())
                        texts += _texts(r'role="alert"[^>]*>(.*?)</(?:p|div)>', answer.text)
                        if not texts:
                            problems.append(f"{where}: {answer.status_code} says nothing")
                        way_on = f'<a href="{base}">Visa sidan utan de här valen</a>'
                        if answer.status_code == 400 and not (
                            field_errors_on(answer.text) or way_on in answer.text
                        ):
                            problems.append(f"{where}: a dead end, no way back to the page")
                    for text in texts:
                        for leak in leaks(text):
                            problems.append(f"{where}: {answer.status_code} shows {leak}")
    assert checked > 100, checked
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems)))


def _activity_errors(values: dict[str, str]) -> dict[str, str]:
    """The errors parse_form gives the plan-activity form with its date rules."""
    import pytest

    from marketplace.kernel.errors import ValidationFailed
    from marketplace.kernel.forms import parse_form
    from placements import date_rules
    from placements.schemas.candidates import PlanActivityCreate

    labels = {
        "title": "Aktivitet",
        "planned_start": "Planerad start",
        "planned_end": "Planerat slut",
    }
    with pytest.raises(ValidationFailed) as refused:
        parse_form(
            PlanActivityCreate,
            values,
            labels=labels,
            blank_is_none=["planned_start", "planned_end"],
            rules=date_rules.form_rules("plan_activity"),
        )
    return refused.value.errors


def test_a_date_rule_is_listed_with_the_type_errors_of_the_same_form():
    """A date rule over several fields (an end before its start) does not wait until the
    other fields are right: the form lists it with them (parse_form's `rules`)."""
    errors = _activity_errors(
        {"title": "", "planned_start": "2027-01-11", "planned_end": "2027-01-04"}
    )
    assert set(errors) == {"title", "planned_end"}, errors
    assert "måste fyllas i" in errors["title"]
    assert "ligger före planerad start 2027-01-11" in errors["planned_end"]
    # A date that is not a date yet is the form's own error, not a rule's.
    errors = _activity_errors(
        {"title": "Kurs", "planned_start": "2027-13-40", "planned_end": "2027-01-04"}
    )
    assert list(errors) == ["planned_start"], errors


# Forms that store nothing typed: a search, the language switch, the slot form's occupation
# suggestions (htmx); their words are read, never kept.
STORES_NOTHING = {"/arbetsbord/deltagare/sok", "/mina-sidor/sprak", "/vard/yrkesforslag"}


async def test_no_form_takes_an_invisible_control_character(app):
    """Every page form, each of its fields in turn sent with a right-to-left override
    (U+202E) after its valid value: refused with a 4xx, never taken (a redirect, a receipt)
    nor a 500. A ticked box is no typed text and is left as it is."""
    people = await make_people()
    forms = sorted(
        path
        for method, path in all_routes(app)
        if method == "POST"
        and not path.startswith(("/api/", "/health"))
        and path not in STORES_NOTHING
    )
    problems: list[str] = []
    async with InLoopClient(app=app, base_url="http://testserver.local") as client:
        await client.get("/", headers=HTML)
        csrf = client.cookies.get("mp_csrf") or ""
        for path in forms:
            world = await make_world(people)
            await _prepare(path, people, world)
            valid = _valid(path, people, world)
            for name in [k for k, v in valid.items() if v not in ("1", "ja")]:
                world = await make_world(people)
                await _prepare(path, people, world)
                form = {**_valid(path, people, world)}
                form[name] = f"{form[name]}\u202e"
                answer = await _post(client, path, form, people, world, csrf)
                if not 400 <= answer.status_code < 500:
                    problems.append(f"{path} ({name}): answered {answer.status_code}")
    assert not problems, f"{len(problems)} fields:\n" + "\n".join(problems)
