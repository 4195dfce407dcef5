"""Workbench forms that the service refuses or accepts as a coordinator would expect: a refused
follow-up comes back as its own form (what was typed kept, each error at its field, nothing
saved; issue 15: no dead ends), and an agreement's unchanged period is not re-judged."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from marketplace.kernel.templating import day, when
from placements import jobs
from placements.schemas.outcomes import OutcomeCreate
from placements.services import bookings as booking_services
from placements.services import outcomes as outcome_services
from placements.tables import FollowUp, Outcome
from tests.builders import make_user
from tests.conftest import login
from tests.placements.bookingdata import TODAY, World, make_world, to_active

HTML = {"accept": "text/html"}


def _token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form token"
    return found.group(1)


async def _due_follow_up() -> tuple[World, int]:
    w = await make_world()
    booking_id = await to_active(w)
    await booking_services.end(w.coordinator, booking_id, "completed", TODAY)
    await outcome_services.record_outcome(
        w.coordinator,
        booking_id,
        OutcomeCreate(category="studier", outcome_date=TODAY, csn_eligible=True),
    )
    first = await FollowUp.select(FollowUp.id).order_by(FollowUp.id).first()
    assert first is not None
    # Due today, so the workbench lists it.
    await FollowUp.update({FollowUp.due_date: TODAY}).where(FollowUp.id == first["id"])
    return w, first["id"]


async def test_a_refused_follow_up_is_shown_again_with_its_error_and_what_was_typed(client):
    w, follow_up_id = await _due_follow_up()
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get("/arbetsbord", headers=HTML)
    assert f'action="/arbetsbord/uppfoljningar/{follow_up_id}"' in page.text
    token = _token(page.text)

    # Work without the one-month confirmation breaks Kolada's rule.
    refused = await client.post(
        f"/arbetsbord/uppfoljningar/{follow_up_id}",
        data={"_csrf_token": token, "result_category": "arbete", "note": "Timanställd i butik"},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400, refused.text
    form = refused.text.split(f'id="uppfoljning-{follow_up_id}"')[1].split("</form>")[0]
    assert "Uppföljningen är inte sparad" in form
    assert "minst en sammanhängande månad" in form
    assert f'id="fu-lasts_at_least_one_month-{follow_up_id}-error"' in form
    assert '<option value="arbete" selected>' in form
    assert 'value="Timanställd i butik"' in form
    assert "lasts_at_least_one_month" not in re.sub(
        r'(id|name|href|for|aria-\w+)="[^"]*"', "", form
    )
    row = await FollowUp.select(FollowUp.status).where(FollowUp.id == follow_up_id).first()
    assert row == {"status": "due"}

    # Nothing chosen: the choice is asked for, in Swedish, at its field.
    empty = await client.post(
        f"/arbetsbord/uppfoljningar/{follow_up_id}",
        data={"_csrf_token": token, "result_category": ""},
        headers=HTML,
        follow_redirects=False,
    )
    assert empty.status_code == 400
    form = empty.text.split(f'id="uppfoljning-{follow_up_id}"')[1].split("</form>")[0]
    assert "Välj var personen är nu" in form
    assert f'id="fu-result_category-{follow_up_id}-error"' in form

    # Corrected, it is saved and the workbench says so.
    saved = await client.post(
        f"/arbetsbord/uppfoljningar/{follow_up_id}",
        data={
            "_csrf_token": token,
            "result_category": "arbete",
            "lasts_at_least_one_month": "1",
            "note": "Tillsvidare i butik",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    row = (
        await FollowUp.select(FollowUp.status, FollowUp.result_category)
        .where(FollowUp.id == follow_up_id)
        .first()
    )
    assert row == {"status": "done", "result_category": "arbete"}


async def test_a_follow_up_of_studies_asks_for_csn_as_the_outcome_form_does(client):
    """A tester saved "Studier" at a follow-up with no box for CSN at all, while the outcome
    form refuses studies without it (Kolada). The form has the box; unticked, "Studier" is
    refused at it, in the outcome form's words; ticked, it is saved."""
    from placements.services.outcomes import STUDIES_WITHOUT_CSN

    w, follow_up_id = await _due_follow_up()
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get("/arbetsbord", headers=HTML)
    form = page.text.split(f'id="uppfoljning-{follow_up_id}"')[1].split("</form>")[0]
    assert f'id="fu-csn_eligible-{follow_up_id}" name="csn_eligible"' in form
    assert "studierna ger rätt till studiemedel (CSN)" in form
    token = _token(page.text)
    refused = await client.post(
        f"/arbetsbord/uppfoljningar/{follow_up_id}",
        data={"_csrf_token": token, "result_category": "studier", "note": "Komvux"},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400, refused.text
    form = refused.text.split(f'id="uppfoljning-{follow_up_id}"')[1].split("</form>")[0]
    found = re.search(rf'id="fu-csn_eligible-{follow_up_id}-error">([^<]*)<', form)
    assert found is not None and unescape(found.group(1)) == STUDIES_WITHOUT_CSN
    assert '<option value="studier" selected>' in form
    row = await FollowUp.select(FollowUp.status).where(FollowUp.id == follow_up_id).first()
    assert row == {"status": "due"}
    saved = await client.post(
        f"/arbetsbord/uppfoljningar/{follow_up_id}",
        data={"_csrf_token": token, "result_category": "studier", "csn_eligible": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    row = (
        await FollowUp.select(FollowUp.status, FollowUp.result_category)
        .where(FollowUp.id == follow_up_id)
        .first()
    )
    assert row == {"status": "done", "result_category": "studier"}


async def test_a_refused_follow_up_names_every_mistake_at_once(client):
    w, follow_up_id = await _due_follow_up()
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)
    token = _token((await client.get("/arbetsbord", headers=HTML)).text)

    async def refused_form(data: dict[str, str]) -> str:
        refused = await client.post(
            f"/arbetsbord/uppfoljningar/{follow_up_id}",
            data={"_csrf_token": token, **data},
            headers=HTML,
            follow_redirects=False,
        )
        assert refused.status_code == 400, refused.text
        return refused.text.split(f'id="uppfoljning-{follow_up_id}"')[1].split("</form>")[0]

    # Kolada's rule and a control character in the note, in one answer.
    form = await refused_form({"result_category": "arbete", "note": "Butik\x1b"})
    assert "minst en sammanhängande månad" in form
    assert "osynligt styrtecken" in form
    # No choice made and a control character: both, the choice in this form's words.
    form = await refused_form({"result_category": "", "note": "Butik\x1b"})
    assert "Välj var personen är nu" in form
    assert "osynligt styrtecken" in form


async def test_a_rule_about_two_boxes_is_said_once_under_the_first(client):
    """A tester saved "Studier" with both boxes of the job ticked: the summary listed the
    jobs' rule twice, and each message stood inline after the control before it, reading as
    that control's. The form is stacked; the rule is said once, under the last of its boxes,
    and both boxes point at it."""
    w, follow_up_id = await _due_follow_up()
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)
    token = _token((await client.get("/arbetsbord", headers=HTML)).text)
    refused = await client.post(
        f"/arbetsbord/uppfoljningar/{follow_up_id}",
        data={
            "_csrf_token": token,
            "result_category": "studier",
            "lasts_at_least_one_month": "1",
            "municipal_labour_market_job": "1",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    form = refused.text.split(f'id="uppfoljning-{follow_up_id}"')[1].split("</form>")[0]
    summary = form.split('class="errors"')[1].split("</div>")[0]
    jobs_rule = re.findall(r"<li><a [^>]*>([^<]*)</a></li>", summary)
    assert len(jobs_rule) == len(set(jobs_rule)) >= 2  # the jobs' rule and the CSN rule
    said = f"fu-municipal_labour_market_job-{follow_up_id}-error"
    assert form.count('<span class="error"') == 2 and f'id="{said}"' in form
    assert form.count(f'aria-describedby="{said}"') == 2
    assert (
        'class="card follow-up-form" id="uppfoljning-' in refused.text and "inline-form" not in form
    )


async def test_a_saved_follow_up_shows_its_answer_where_it_is_listed_and_opened(client):
    """Saved, a follow-up left the workbench's list and its answer was shown nowhere. Now the
    workbench lists it among those done, and the participant's page (where the reminder
    mail's link opens it) and the booking page show it: what was answered, when, by whom."""
    w, follow_up_id = await _due_follow_up()
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get("/arbetsbord", headers=HTML)
    assert "Inga uppföljningar gjorda de senaste 30 dagarna." in page.text
    saved = await client.post(
        f"/arbetsbord/uppfoljningar/{follow_up_id}",
        data={
            "_csrf_token": _token(page.text),
            "result_category": "arbete",
            "lasts_at_least_one_month": "1",
            "note": "Tillsvidare i butik",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    row = await FollowUp.select().where(FollowUp.id == follow_up_id).first()
    assert row is not None and row["done_at"] is not None
    answered = f"<strong>Arbete</strong> – ”Tillsvidare i butik”. Sparad {when(row['done_at'])}"
    by = f"av {w.coordinator.name} (samordnare)"

    landing = await client.get(saved.headers["location"], headers=HTML)
    assert "Uppföljningen är sparad" in landing.text
    assert f'action="/arbetsbord/uppfoljningar/{follow_up_id}"' not in landing.text
    listed = _item(landing.text, f"uppfoljning-gjord-{follow_up_id}")
    assert "Aida Andersson" in listed and "uppföljning 90 dagar efter avslut" in listed
    assert answered in listed and by in listed
    # A note that ends its own sentence gets no second full stop ("snickare.”." was shown).
    await FollowUp.update({FollowUp.note: "Tillsvidare i butik."}).where(
        FollowUp.id == follow_up_id
    )
    relisted = _item(
        (await client.get("/arbetsbord", headers=HTML)).text, f"uppfoljning-gjord-{follow_up_id}"
    )
    assert "– ”Tillsvidare i butik.” Sparad" in relisted
    await FollowUp.update({FollowUp.note: "Tillsvidare i butik"}).where(FollowUp.id == follow_up_id)

    opened = await client.get(jobs.follow_up_link(w.candidate_id, follow_up_id), headers=HTML)
    assert opened.status_code == 200
    item = _item(opened.text, f"uppfoljning-{follow_up_id}")
    assert "Uppföljning 90 dagar efter avslut" in item and answered in item and by in item
    later = await FollowUp.select().where(FollowUp.days == 180).first()
    assert later is not None
    assert f"ska göras senast {later['due_date'].isoformat()}" in _item(
        opened.text, f"uppfoljning-{later['id']}"
    )

    outcome = await Outcome.select(Outcome.booking).where(Outcome.id == row["outcome"]).first()
    assert outcome is not None
    booking_page = await client.get(f"/arbetsbord/bokningar/{outcome['booking']}", headers=HTML)
    assert answered in _item(booking_page.text, f"uppfoljning-{follow_up_id}")

    api = await client.get("/api/v1/follow-ups/", params={"status": "done"})
    [shown] = api.json()
    assert (shown["id"], shown["result_text"], shown["note"]) == (
        follow_up_id,
        "Arbete",
        "Tillsvidare i butik",
    )
    assert shown["done_by"] == f"{w.coordinator.name} (samordnare)" and shown["done_at"]

    # Another coordinator's workbench lists it not, nor opens the participant's page.
    client.cookies.clear()
    other = await make_user("coordinator")
    await login(client, other.username)
    client.headers.pop("x-csrftoken", None)
    assert "Tillsvidare i butik" not in (await client.get("/arbetsbord", headers=HTML)).text
    refused = await client.get(f"/arbetsbord/deltagare/{w.candidate_id}", headers=HTML)
    assert refused.status_code == 404 and "Tillsvidare i butik" not in refused.text


def _item(html: str, element_id: str) -> str:
    """The list item with this id, as the page has it."""
    return html.split(f'id="{element_id}"')[1].split("</li>")[0]


async def test_an_agreement_whose_start_has_passed_can_still_be_edited_without_moving_it(client):
    """The form posts the unchanged period too; "not in the past" holds for a period that
    changes, so editing the tasks of a signed-but-not-started placement is not refused."""
    from placements.tables import Agreement
    from tests.placements.bookingdata import backdate, propose

    w = await make_world()
    booking_id = await propose(w, start=TODAY)
    await booking_services.accept(w.host_user, booking_id)
    past = TODAY - dt.timedelta(days=3)
    await backdate(booking_id, past, TODAY + dt.timedelta(days=60))
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    saved = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/overenskommelse",
        data={
            "_csrf_token": _token(page.text),
            "start_date": str(past),
            "end_date": str(TODAY + dt.timedelta(days=60)),
            "tasks": "Plock och packning",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    row = await Agreement.select(Agreement.tasks).where(Agreement.booking == booking_id).first()
    assert row == {"tasks": "Plock och packning"}


async def test_a_signed_placement_that_has_not_started_is_listed_with_its_start(client):
    """Signed by every party and starting later ("agreed"), a placement was in none of the
    workbench's lists: the coordinator could not see the starts to come."""
    from tests.placements.bookingdata import START, propose, sign_all

    w = await make_world()
    booking_id = await propose(w)
    await booking_services.accept(w.host_user, booking_id)
    await sign_all(w, booking_id)
    await login(client, w.coordinator.username)
    page = await client.get("/arbetsbord", headers=HTML)
    section = page.text.split("<h3>Klara att starta</h3>", 1)[1].split("<h3>", 1)[0]
    assert f'href="/arbetsbord/bokningar/{booking_id}"' in section
    assert f"startar {day(START)}" in unescape(section)
    # Not among the agreements still waiting for signatures.
    waiting = page.text.split("väntar på underskrifter</h3>", 1)[1].split("<h3>", 1)[0]
    assert f"/arbetsbord/bokningar/{booking_id}" not in waiting
