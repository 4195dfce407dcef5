"""The workbench's participant pages: registering a deltagare, editing the profile and the
arbetsmarknadsplan, through the real app as a browser would (forms with the page's CSRF field).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from marketplace.kernel import clock
from marketplace.kernel.luhn import luhn_check_digit
from marketplace.kernel.tables import AuditEntry
from marketplace.reference import taxonomy
from placements.tables import Candidate, PlanActivity
from search.taxonomy_cache import suggest_occupations
from tests.conftest import login as api_login

HTML = {"accept": "text/html"}
PNR = "19850101-0006"
LAGER = suggest_occupations("lagerarbetare", 1)[0].id


def samordningsnummer() -> str:
    """A valid samordningsnummer: born 1990-03-05, so the day is written 65."""
    nine = "900365123"
    return f"19{nine}{luhn_check_digit(nine)}"


async def login(client, username: str) -> None:
    """Sign in, then act as a browser: forms carry the page's CSRF field, not the API header."""
    await api_login(client, username)
    client.headers.pop("x-csrftoken", None)


def form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def field_tag(html: str, field_id: str) -> str:
    found = re.search(rf'<(?:input|textarea|select)[^>]*id="{field_id}"[^>]*>', html)
    assert found, f"no field {field_id} on the page"
    return found.group(0)


def lager_skill() -> str:
    occupation = taxonomy.occupation(LAGER)
    assert occupation is not None
    group = taxonomy.groups()[occupation.group_id]
    labels = taxonomy.skills()
    return next(s for s in group.skill_ids if labels.get(s) == "Lagerhanteringsprogram")


PROFILE = {
    "first_name": "Amina",
    "last_name": "Deltagare",
    "personnummer": "198501010006",
    "email": "amina@deltagare.example.se",
    "phone": "0701234567",
    "address": "",
    "track": "kompetens",
    "interests": "Lager och logistik",
    "experience": "",
    "hours_available": "20",
    "home_town": "Vårgårda",
    "max_commute_km": "30",
    "driving_licence": "1",
    "adaptations-0-text": "Korta pauser varje timme",
    "adaptations-0-shareable": "1",
    "adaptations-1-text": "Behöver lugn miljö",
    "adaptations-2-text": "",
}


async def register(client, **changes: str | list[str]) -> Any:
    """Open the form and post it; return the answer (not followed)."""
    page = await client.get("/arbetsbord/deltagare/ny", headers=HTML)
    assert page.status_code == 200, page.text
    data = {
        **PROFILE,
        "wished_occupations": LAGER,
        "skills": lager_skill(),
        **changes,
        "_csrf_token": form_token(page.text),
    }
    return await client.post(
        "/arbetsbord/deltagare/ny", data=data, headers=HTML, follow_redirects=False
    )


async def registered_id(client) -> int:
    answer = await register(client)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(
        r"/arbetsbord/deltagare/(\d+)\?klart=deltagare-registrerad", answer.headers["location"]
    )
    assert found, answer.headers["location"]
    return int(found.group(1))


async def test_workbench_links_to_the_new_participant_form(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    home = await client.get("/arbetsbord", headers=HTML)
    assert 'href="/arbetsbord/deltagare/ny"' in home.text
    form = await client.get("/arbetsbord/deltagare/ny", headers=HTML)
    assert "<h1>Ny deltagare</h1>" in form.text
    assert '<form method="post" action="/arbetsbord/deltagare/ny"' in form.text
    assert '<label for="f-personnummer">' in form.text


async def test_registering_stores_the_participant_and_confirms_on_the_candidate_page(
    client, make_user
):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await register(client)
    assert answer.status_code == 303
    location = answer.headers["location"]
    # The number is posted, never put in a URL, in no written form.
    for form in ("198501010006", "19850101-0006", "850101-0006", "8501010006"):
        assert form not in location
    row = await Candidate.select().first()
    assert row is not None
    assert row["personnummer"] == PNR
    assert json.loads(row["wished_occupations"]) == [LAGER]
    assert json.loads(row["skills"]) == [lager_skill()]
    assert row["hours_available"] == 20
    assert row["max_commute_km"] == 30
    assert row["driving_licence"] is True
    assert json.loads(row["adaptations"]) == [
        {"text": "Korta pauser varje timme", "shareable": True},
        {"text": "Behöver lugn miljö", "shareable": False},
    ]
    page = await client.get(location, headers=HTML)
    assert page.status_code == 200
    assert re.search(r'role="status">Deltagaren är registrerad\.<', page.text)
    assert "Lagerarbetare/Terminalarbetare" in page.text
    assert "Lagerhanteringsprogram" in page.text
    assert f'href="/arbetsbord/deltagare/{row["id"]}/profil">Redigera profil' in page.text
    assert f'href="/arbetsbord/deltagare/{row["id"]}/plan">Redigera plan' in page.text
    # Lists show the number masked.
    home = await client.get("/arbetsbord", headers=HTML)
    assert "19850101-****" in home.text
    assert PNR not in home.text
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "candidate.create") & (AuditEntry.subject_id == row["id"])
    )


async def test_a_phone_number_that_is_no_number_is_refused_with_the_other_mistakes(
    client, make_user
):
    """The text "abc" was saved as a participant's phone number (a coordinator's day in the browser)."""
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await register(client, phone="abc", first_name="")
    assert answer.status_code == 400
    assert re.search(r'id="f-phone-error">Telefonnummer har fel format\.', answer.text)
    assert 'id="f-first_name-error"' in answer.text  # every mistake at once
    assert 'value="abc"' in answer.text  # and what was typed kept
    assert await Candidate.count() == 0
    ok = await register(client, phone="(0322) 600 600")
    assert ok.status_code == 303, ok.text


async def test_a_samordningsnummer_is_accepted(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await register(client, personnummer=samordningsnummer())
    assert answer.status_code == 303
    row = await Candidate.select(Candidate.personnummer).first()
    assert row == {"personnummer": samordningsnummer()[:8] + "-" + samordningsnummer()[8:]}


async def test_a_wrong_check_digit_is_shown_at_the_field_and_the_input_is_kept(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await register(client, personnummer="19850101-0007")
    assert answer.status_code == 400
    tag = field_tag(answer.text, "f-personnummer")
    assert 'aria-invalid="true"' in tag
    assert "f-personnummer-error" in tag
    error = re.search(r'id="f-personnummer-error">([^<]+)<', answer.text)
    assert error is not None
    assert "kontrollsiffra" in error.group(1)
    # The summary links to the field; what was typed is still there.
    assert 'href="#f-personnummer"' in answer.text
    assert 'value="Amina"' in answer.text
    assert 'value="Korta pauser varje timme"' in answer.text
    assert re.search(rf'name="wished_occupations" value="{LAGER}" checked', answer.text)
    assert re.search(rf'name="skills" value="{lager_skill()}" checked', answer.text)
    assert await Candidate.count() == 0


async def test_a_missing_name_and_a_bad_number_of_hours_are_tied_to_their_fields(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await register(client, first_name="")
    assert answer.status_code == 400
    assert 'aria-invalid="true"' in field_tag(answer.text, "f-first_name")
    assert re.search(r'id="f-first_name-error">Förnamn måste fyllas i\.<', answer.text)
    answer = await register(client, hours_available="sjuttio")
    assert answer.status_code == 400
    tag = field_tag(answer.text, "f-hours_available")
    assert 'aria-invalid="true"' in tag
    assert "f-hours_available-error" in tag
    assert 'value="sjuttio"' in tag
    # Every mistake at once: a missing name, a wrong check digit and a broken address are
    # all said in the first answer (the number and the address were said only after the rest
    # had been mended).
    answer = await register(
        client, first_name="", personnummer="19850101-0007", email="sara@", hours_available="x"
    )
    assert answer.status_code == 400
    for field in ("f-first_name", "f-personnummer", "f-email", "f-hours_available"):
        assert 'aria-invalid="true"' in field_tag(answer.text, field), field
    answer = await register(client, **{"adaptations-2-shareable": "1"})
    assert answer.status_code == 400
    tag = field_tag(answer.text, "f-adaptations-2-text")
    assert 'aria-invalid="true"' in tag
    assert "Anpassning 3 saknar text" in answer.text
    assert await Candidate.count() == 0


async def test_the_same_personnummer_twice_is_refused_at_the_field(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    await registered_id(client)
    answer = await register(client, personnummer="850101-0006", first_name="Annan")
    assert answer.status_code == 400
    assert 'aria-invalid="true"' in field_tag(answer.text, "f-personnummer")
    assert "finns redan en deltagare" in answer.text
    assert await Candidate.count() == 1


async def test_editing_the_profile_changes_it_and_returns_to_the_candidate_page(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    candidate_id = await registered_id(client)
    form = await client.get(f"/arbetsbord/deltagare/{candidate_id}/profil", headers=HTML)
    assert form.status_code == 200
    assert 'value="Amina"' in form.text
    assert re.search(rf'name="wished_occupations" value="{LAGER}" checked', form.text)
    assert 'name="adaptations-0-shareable" value="1" checked' in form.text
    answer = await client.post(
        f"/arbetsbord/deltagare/{candidate_id}/profil",
        data={
            **PROFILE,
            "last_name": "Andersson",
            "track": "hälsa",
            "status": "paused",
            "hours_available": "",
            "driving_licence": "",
            "adaptations-0-text": "Korta pauser varje timme",
            "adaptations-0-shareable": "",
            "adaptations-1-text": "",
            "_csrf_token": form_token(form.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/arbetsbord/deltagare/{candidate_id}?klart=profil-sparad"
    row = await Candidate.select().where(Candidate.id == candidate_id).first()
    assert row is not None
    assert row["last_name"] == "Andersson"
    assert row["track"] == "hälsa"
    assert row["status"] == "paused"
    assert row["hours_available"] is None
    assert row["driving_licence"] is False
    # No occupation or skill was ticked this time: the choices are cleared.
    assert json.loads(row["wished_occupations"]) == []
    assert json.loads(row["skills"]) == []
    assert json.loads(row["adaptations"]) == [
        {"text": "Korta pauser varje timme", "shareable": False}
    ]
    page = await client.get(answer.headers["location"], headers=HTML)
    assert "Profilen är sparad." in page.text
    assert "Amina Andersson" in page.text


async def test_editing_with_a_wrong_number_keeps_the_old_record(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    candidate_id = await registered_id(client)
    form = await client.get(f"/arbetsbord/deltagare/{candidate_id}/profil", headers=HTML)
    answer = await client.post(
        f"/arbetsbord/deltagare/{candidate_id}/profil",
        data={
            **PROFILE,
            "last_name": "Andersson",
            "personnummer": "19851301-0006",
            "status": "active",
            "_csrf_token": form_token(form.text),
        },
        headers=HTML,
    )
    assert answer.status_code == 400
    assert 'aria-invalid="true"' in field_tag(answer.text, "f-personnummer")
    assert 'value="Andersson"' in answer.text
    row = await Candidate.select(Candidate.last_name, Candidate.personnummer).first()
    assert row == {"last_name": "Deltagare", "personnummer": PNR}


async def test_the_plan_goal_and_activities_are_added_and_updated(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    candidate_id = await registered_id(client)
    plan = await client.get(f"/arbetsbord/deltagare/{candidate_id}/plan", headers=HTML)
    assert plan.status_code == 200
    assert "Inga aktiviteter ännu." in plan.text
    token = form_token(plan.text)

    goal = await client.post(
        f"/arbetsbord/deltagare/{candidate_id}/plan",
        data={"plan_goal": "Arbete inom lager och logistik", "_csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert goal.status_code == 303
    assert goal.headers["location"] == f"/arbetsbord/deltagare/{candidate_id}?klart=plan-sparad"

    added = await client.post(
        f"/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter",
        data={
            "title": "Praktik i lager",
            "planned_start": "2027-01-11",
            "planned_end": "2027-03-05",
            "status": "planned",
            "follow_up": "",
            "_csrf_token": token,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    activity = await PlanActivity.select().first()
    assert activity is not None
    assert activity["title"] == "Praktik i lager"
    assert activity["planned_start"] == dt.date(2027, 1, 11)

    page = await client.get(added.headers["location"], headers=HTML)
    assert "Arbetsmarknadsplanen är sparad." in page.text
    assert "Arbete inom lager och logistik" in page.text
    assert "Praktik i lager" in page.text

    edit_url = f"/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter/{activity['id']}"
    plan = await client.get(f"/arbetsbord/deltagare/{candidate_id}/plan", headers=HTML)
    assert f'href="{edit_url}"' in plan.text
    form = await client.get(edit_url, headers=HTML)
    assert form.status_code == 200
    assert 'value="2027-01-11"' in form.text
    updated = await client.post(
        edit_url,
        data={
            "title": "Praktik i lager",
            "planned_start": "2027-01-11",
            "planned_end": "2027-02-26",
            "status": "done",
            "follow_up": "Gick bra, värden vill anställa.",
            "_csrf_token": form_token(form.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert updated.status_code == 303, updated.text
    row = await PlanActivity.select().where(PlanActivity.id == activity["id"]).first()
    assert row is not None
    assert row["status"] == "done"
    assert row["planned_end"] == dt.date(2027, 2, 26)
    assert row["follow_up"] == "Gick bra, värden vill anställa."
    plan = await client.get(f"/arbetsbord/deltagare/{candidate_id}/plan", headers=HTML)
    assert "Genomförd" in plan.text

    # Removing needs the confirmation ticked; without it nothing is removed.
    delete_url = f"{edit_url}/ta-bort"
    form = await client.get(edit_url, headers=HTML)
    assert f'action="{delete_url}"' in form.text
    refused = await client.post(
        delete_url, data={"_csrf_token": form_token(form.text)}, headers=HTML
    )
    assert refused.status_code == 400
    assert "Kryssa i rutan för att bekräfta" in refused.text
    assert await PlanActivity.count() == 1
    removed = await client.post(
        delete_url,
        data={"confirm": "1", "_csrf_token": form_token(form.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert await PlanActivity.count() == 0
    shown = await client.get(removed.headers["location"], headers=HTML)
    assert "Aktiviteten är borttagen ur planen." in shown.text
    again = await client.post(
        delete_url, data={"confirm": "1", "_csrf_token": form_token(form.text)}, headers=HTML
    )
    assert again.status_code == 404


async def test_an_activity_ending_before_it_starts_is_shown_at_the_dates(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    candidate_id = await registered_id(client)
    plan = await client.get(f"/arbetsbord/deltagare/{candidate_id}/plan", headers=HTML)
    answer = await client.post(
        f"/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter",
        data={
            "title": "Studiebesök",
            "planned_start": "2027-03-05",
            "planned_end": "2027-01-11",
            "status": "planned",
            "_csrf_token": form_token(plan.text),
        },
        headers=HTML,
    )
    assert answer.status_code == 400
    tag = field_tag(answer.text, "f-planned_end")
    assert 'aria-invalid="true"' in tag
    assert "f-planned_end-error" in tag
    assert "Planerat slut 2027-01-11 ligger före planerad start 2027-03-05" in answer.text
    assert 'value="Studiebesök"' in answer.text
    answer = await client.post(
        f"/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter",
        data={"title": "", "status": "planned", "_csrf_token": form_token(plan.text)},
        headers=HTML,
    )
    assert answer.status_code == 400
    assert 'aria-invalid="true"' in field_tag(answer.text, "f-title")
    assert await PlanActivity.count() == 0


async def test_occupation_search_keeps_the_chosen_ones_checked_and_suggests_skills(
    client, make_user
):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await client.get(
        "/arbetsbord/yrken",
        params={"yrke": "snickare", "wished_occupations": LAGER},
        headers={**HTML, "hx-request": "true"},
    )
    assert answer.status_code == 200
    assert re.search(rf'name="wished_occupations" value="{LAGER}" checked', answer.text)
    others = re.findall(r'name="wished_occupations" value="([^"]+)">', answer.text)
    assert others, "no suggestions for snickare"
    assert any("nickare" in taxonomy.occupation(o).label for o in others)  # type: ignore[union-attr]
    skills = await client.get(
        "/arbetsbord/kompetenser",
        params={"wished_occupations": LAGER},
        headers={**HTML, "hx-request": "true"},
    )
    assert skills.status_code == 200
    assert f'value="{lager_skill()}"> Lagerhanteringsprogram' in skills.text


async def test_host_and_analyst_get_a_swedish_403_page(client, make_client, make_user):
    await make_user("host", username="henrik")
    await make_user("analyst", username="anna")
    for browser, username in ((client, "henrik"), (await make_client(), "anna")):
        await login(browser, username)
        for path in ("/arbetsbord/deltagare/ny", "/arbetsbord/yrken?yrke=lager"):
            answer = await browser.get(path, headers=HTML)
            assert answer.status_code == 403, (username, path)
            assert "Ingen behörighet" in answer.text
            assert 'lang="sv"' in answer.text


async def test_another_coordinator_gets_404_for_a_participant_not_theirs(
    client, make_client, make_user
):
    await make_user("coordinator", username="sara")
    await make_user("coordinator", username="omar")
    await login(client, "sara")
    candidate_id = await registered_id(client)
    plan = await client.get(f"/arbetsbord/deltagare/{candidate_id}/plan", headers=HTML)
    await client.post(
        f"/arbetsbord/deltagare/{candidate_id}/plan/aktiviteter",
        data={"title": "Praktik", "status": "planned", "_csrf_token": form_token(plan.text)},
        headers=HTML,
    )
    activity = await PlanActivity.select(PlanActivity.id).first()
    assert activity is not None
    other = await make_client()
    await login(other, "omar")
    own_form = await other.get("/arbetsbord/deltagare/ny", headers=HTML)
    token = form_token(own_form.text)
    base = f"/arbetsbord/deltagare/{candidate_id}"
    for path in (f"{base}/profil", f"{base}/plan", f"{base}/plan/aktiviteter/{activity['id']}"):
        answer = await other.get(path, headers=HTML)
        assert answer.status_code == 404, path
        assert "Amina" not in answer.text
    posts = {
        f"{base}/profil": {**PROFILE, "last_name": "Kapad", "status": "active"},
        f"{base}/plan": {"plan_goal": "Kapat mål"},
        f"{base}/plan/aktiviteter": {"title": "Kapad", "status": "planned"},
        f"{base}/plan/aktiviteter/{activity['id']}": {"title": "Kapad", "status": "done"},
    }
    for path, data in posts.items():
        answer = await other.post(path, data={**data, "_csrf_token": token}, headers=HTML)
        assert answer.status_code == 404, path
    row = await Candidate.select(Candidate.last_name, Candidate.plan_goal).first()
    assert row == {"last_name": "Deltagare", "plan_goal": ""}
    assert await PlanActivity.count() == 1
    assert (await PlanActivity.select(PlanActivity.title).first()) == {"title": "Praktik"}


async def test_languages_are_chosen_on_the_form_and_shown_on_the_participant_page(
    client, make_user
):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    form = await client.get("/arbetsbord/deltagare/ny", headers=HTML)
    arabic = taxonomy_language("Arabiska")
    assert f'name="languages" value="{arabic}"' in form.text
    assert "<legend>Språk</legend>" in form.text
    answer = await register(client, languages=[arabic, taxonomy_language("Svenska")])
    assert answer.status_code == 303, answer.text
    row = await Candidate.select().first()
    assert row is not None
    assert json.loads(row["languages"]) == [arabic, taxonomy_language("Svenska")]
    shown = await client.get(answer.headers["location"], headers=HTML)
    assert "<dt>Språk</dt><dd>Arabiska, Svenska</dd>" in shown.text
    edit = await client.get(f"/arbetsbord/deltagare/{row['id']}/profil", headers=HTML)
    assert re.search(rf'name="languages" value="{arabic}" checked', edit.text)
    # A forged id is refused at the field, and nothing is stored.
    bad = await register(client, languages="Okand_id_1", personnummer="")
    assert bad.status_code == 400
    assert "Okänt språk i taxonomin" in bad.text
    assert await Candidate.count() == 1


def taxonomy_language(label: str) -> str:
    return next(i for i, text in taxonomy.languages().items() if text == label)


async def test_an_admin_registers_a_participant_for_a_chosen_coordinator(
    client, make_user, make_client
):
    sara = await make_user("coordinator", username="sara", first_name="Sara", last_name="Berg")
    await make_user("admin", username="alva")
    await login(client, "alva")
    form = await client.get("/arbetsbord/deltagare/ny", headers=HTML)
    assert '<select id="f-coordinator_id" name="coordinator_id" required' in form.text
    assert f'<option value="{sara.id}">Sara Berg</option>' in form.text
    # Without a choice the form says which field to fill in, and keeps what was typed.
    missing = await register(client, personnummer="")
    assert missing.status_code == 400
    assert "Ange vilken samordnare som ansvarar för deltagaren" in missing.text
    assert 'value="Amina"' in missing.text
    chosen = await register(client, coordinator_id=str(sara.id))
    assert chosen.status_code == 303, chosen.text
    row = await Candidate.select().first()
    assert row is not None and row["coordinator"] == sara.id
    # A coordinator registers their own participants and is not asked.
    coordinator = await make_client()
    await login(coordinator, "sara")
    own = await coordinator.get("/arbetsbord/deltagare/ny", headers=HTML)
    assert 'name="coordinator_id"' not in own.text


async def test_consent_is_recorded_with_its_day_and_way_and_shown(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    candidate_id = await registered_id(client)
    page = await client.get(f"/arbetsbord/deltagare/{candidate_id}", headers=HTML)
    assert "Inte registrerat" in page.text  # no consent yet, and a link to record it
    assert f'href="/arbetsbord/deltagare/{candidate_id}/profil#f-consent_date"' in page.text

    form = await client.get(f"/arbetsbord/deltagare/{candidate_id}/profil", headers=HTML)
    assert "<legend>Samtycke</legend>" in form.text
    token = form_token(form.text)
    base = {**PROFILE, "wished_occupations": LAGER, "status": "active", "_csrf_token": token}
    path = f"/arbetsbord/deltagare/{candidate_id}/profil"
    # A day in the future and no way given: both errors at once, each at its field, typed
    # values kept.
    tomorrow = (clock.today() + dt.timedelta(days=2)).isoformat()
    wrong = await client.post(
        path, data={**base, "consent_date": tomorrow, "consent_method": ""}, headers=HTML
    )
    assert wrong.status_code == 400
    assert f"Datum för samtycket {tomorrow} ligger i framtiden" in wrong.text
    assert "Ange hur deltagaren gav sitt samtycke." in wrong.text
    assert 'aria-invalid="true"' in field_tag(wrong.text, "f-consent_date")
    assert 'aria-invalid="true"' in field_tag(wrong.text, "f-consent_method")
    assert tomorrow in field_tag(wrong.text, "f-consent_date")
    row = await Candidate.select(Candidate.consent_date).where(Candidate.id == candidate_id).first()
    assert row is not None and row["consent_date"] is None

    day = clock.today().isoformat()
    saved = await client.post(
        path,
        data={**base, "consent_date": day, "consent_method": "skriftligt"},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    shown = await client.get(f"/arbetsbord/deltagare/{candidate_id}", headers=HTML)
    assert "Skriftligt, " in shown.text and "Inte registrerat" not in shown.text
    api = await client.get(f"/api/v1/candidates/{candidate_id}")
    assert api.json()["consent_date"] == day and api.json()["consent_method"] == "skriftligt"


async def test_a_home_town_not_in_the_gazetteer_is_kept_but_said_to_give_no_distances(
    client, make_user
):
    """A home town the place list does not know is saved as typed, and the coordinator is
    told at once, and on the participant's page, that no distance can be worked out."""
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await register(client, home_town="Ingenstans")
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.endswith("?klart=deltagare-registrerad-okand-ort"), location
    row = await Candidate.select(Candidate.id, Candidate.home_town).first()
    assert row is not None and row["home_town"] == "Ingenstans"
    warning = "Orten Ingenstans finns inte i ortslistan, så avståndet till platserna kan inte"
    page = await client.get(location, headers=HTML)
    assert "hemorten finns inte i ortslistan" in page.text
    assert warning in page.text
    assert f'href="/arbetsbord/deltagare/{row["id"]}/profil#f-home_town"' in page.text
    # The form says it by the field, as saved and as typed again.
    form = await client.get(f"/arbetsbord/deltagare/{row['id']}/profil", headers=HTML)
    assert warning in form.text and 'value="Ingenstans"' in form.text
    # Mended to a known town: saved plainly, and the page no longer warns.
    mended = await client.post(
        f"/arbetsbord/deltagare/{row['id']}/profil",
        data={**PROFILE, "home_town": "Vargarda", "_csrf_token": form_token(form.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert mended.headers["location"].endswith("?klart=profil-sparad")
    page = await client.get(mended.headers["location"], headers=HTML)
    assert "ortslistan" not in page.text


async def test_the_api_says_the_same_of_an_unknown_home_town(client, make_user):
    await make_user("coordinator", username="sara")
    await api_login(client, "sara")
    created = await client.post(
        "/api/v1/candidates/",
        json={"first_name": "Ada", "last_name": "Ek", "home_town": "Ingenstans"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["home_town"] == "Ingenstans"
    assert body["warnings"]["home_town"].startswith("Orten Ingenstans finns inte i ortslistan")
    # Coordinates given with it make a distance possible; a known town needs none.
    placed = await client.patch(
        f"/api/v1/candidates/{body['id']}", json={"latitude": 58.0, "longitude": 12.8}
    )
    assert placed.status_code == 200 and placed.json()["warnings"] == {}
    known = await client.patch(
        f"/api/v1/candidates/{body['id']}",
        json={"home_town": "Alingsås", "latitude": None, "longitude": None},
    )
    assert known.json()["warnings"] == {}
    assert (await client.get(f"/api/v1/candidates/{body['id']}")).json()["warnings"] == {}
    # A town misspelt names the town it is likely to be.
    misspelt = await client.patch(f"/api/v1/candidates/{body['id']}", json={"home_town": "Vårgåda"})
    assert "Menade du Vårgårda?" in misspelt.json()["warnings"]["home_town"]
