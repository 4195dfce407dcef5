"""What a coordinator met in a real browser on the intake pages (`/arbetsbord/intag/{id}`):

- a plan "made" at a meeting booked for tomorrow: the meeting became "Genomfört", the
  applicant kept tomorrow's invitation and the intake clock counted a meeting that never was.
  The plan is now refused until the meeting has begun (Swedish time), and nothing changes;
- "Avboka mötet" cancelled with one click, right beside "Planen är upprättad": it now needs a
  ticked box, checked by the server;
- an application joined another coordinator's participant on the personnummer alone, though
  the names differed: the plan now stops and says so (never the other name), and the
  coordinator corrects the number or confirms that it is the same person;
- a participant from the public form (no sign-in) read "Digitalt, med e-legitimation" as the
  way consent was given: it now reads that it was given in the web form, without it.
"""

from __future__ import annotations

import datetime as dt
from html import unescape
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel import clock
from marketplace.kernel.errors import Conflict
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from placements.schemas.intake import StaffApplicationIn
from placements.services import intake
from placements.tables import Application, Candidate, PlanningMeeting
from placements.views import intake as views
from tests.builders import make_candidate, make_user
from tests.participants.conftest import form_post
from tests.placements.bookingdata import PNR
from tests.placements.test_intake import PNR2, application, form, meeting, meeting_begun

HTML = {"accept": "text/html"}
Client = AsyncTestClient[Litestar]


def _text(page: Any) -> str:
    return unescape(page.text)


async def _meeting_rows(application_id: int) -> list[dict[str, Any]]:
    return list(await PlanningMeeting.select().where(PlanningMeeting.application == application_id))


async def _cancellations() -> int:
    """Cancellations queued for applicants (mail and SMS alike)."""
    return await OutboxMessage.count().where(OutboxMessage.dedupe_key.like("%:cancelled"))


# --- 1. the plan is made at the meeting, not before it --------------------------------------


async def test_a_plan_before_the_meeting_is_refused_and_changes_nothing(
    client: Client, sign_in
) -> None:
    coordinator = await make_user("coordinator")
    application_id = await intake.submit_public(application())
    await sign_in(client, coordinator.username)
    tomorrow = clock.today() + dt.timedelta(days=1)
    booked = await form_post(
        client,
        f"/arbetsbord/intag/{application_id}/mote",
        {"day": tomorrow.isoformat(), "time": "09:30", "place": "Rum 3", "minutes": "60"},
    )
    assert booked.status_code == 303, booked.text
    # The page says when the plan can be recorded, and offers no button before then.
    page = await client.get(f"/arbetsbord/intag/{application_id}", headers=HTML)
    assert "Mötet har inte hållits än" in page.text
    assert "Planen är upprättad</button>" not in page.text
    assert "Sökande kom inte</button>" not in page.text
    # An old tab (or a crafted post) is refused in Swedish, with the meeting's Swedish time
    # and what to do instead; nothing changes.
    refused = await form_post(client, f"/arbetsbord/intag/{application_id}/plan")
    assert refused.status_code == 409
    said = _text(refused)
    assert f"bokat till {intake.WEEKDAYS[tomorrow.weekday()]} {tomorrow} kl. 09:30" in said
    assert "har inte hållits än" in said
    assert "avboka det" in said and "avsluta ansökan" in said
    assert 'role="alert"' in refused.text
    row = await Application.select().where(Application.id == application_id).first()
    assert row is not None
    assert row["state"] == "meeting_booked" and row["candidate"] is None
    assert row["plan_started_at"] is None
    assert [m["status"] for m in await _meeting_rows(application_id)] == ["booked"]
    assert await Candidate.count() == 0
    assert await AuditEntry.count().where(AuditEntry.action == "intake.plan_start") == 0
    # Once the meeting has begun, the plan is made.
    await meeting_begun(application_id)
    page = await client.get(f"/arbetsbord/intag/{application_id}", headers=HTML)
    assert "Planen är upprättad</button>" in page.text
    assert "Mötet har inte hållits än" not in page.text
    made = await form_post(client, f"/arbetsbord/intag/{application_id}/plan")
    assert made.status_code == 303
    assert "klart=plan-upprattad" in made.headers["location"]
    assert [m["status"] for m in await _meeting_rows(application_id)] == ["held"]


async def test_the_meeting_must_have_begun_by_the_clock() -> None:
    """A minute before the meeting is before it; a minute after, it has begun. A meeting
    later today is no more held than tomorrow's."""
    coordinator = await make_user("coordinator")
    application_id = await intake.submit_public(application())
    await intake.book_meeting(coordinator, application_id, meeting())
    await meeting_begun(application_id, ago=-dt.timedelta(minutes=1))
    with pytest.raises(Conflict) as refused:
        await intake.start_plan(coordinator, application_id)
    starts = await _meeting_rows(application_id)
    swedish = starts[0]["starts_at"].astimezone(clock.STOCKHOLM).strftime("kl. %H:%M")
    assert swedish in refused.value.message and "har inte hållits än" in refused.value.message
    await meeting_begun(application_id, ago=dt.timedelta(minutes=1))
    candidate_id, visible = await intake.start_plan(coordinator, application_id)
    assert visible and candidate_id


# --- 2. cancelling the meeting needs a ticked box ----------------------------------------


async def test_cancelling_the_meeting_needs_the_box_ticked(client: Client, sign_in) -> None:
    coordinator = await make_user("coordinator")
    application_id = await intake.submit_public(application())
    await intake.book_meeting(coordinator, application_id, meeting())
    await sign_in(client, coordinator.username)
    page = await client.get(f"/arbetsbord/intag/{application_id}", headers=HTML)
    # Its own form, with its box; not a lone button beside the plan's.
    form_html = page.text.split(f'action="/arbetsbord/intag/{application_id}/avboka"')[1]
    form_html = form_html.split("</form>")[0]
    assert 'name="confirm_cancel"' in form_html and "Ja, avboka mötet" in form_html
    assert "Sökande får en avbokning med e-post direkt" in form_html
    # Unticked: the page again with the reason at the box; nothing changes, nothing is sent.
    refused = await form_post(client, f"/arbetsbord/intag/{application_id}/avboka")
    assert refused.status_code == 400
    assert views.CANCEL_UNCONFIRMED in _text(refused)
    assert 'id="f-confirm_cancel"' in refused.text
    box = refused.text.split('id="f-confirm_cancel"')[1].split(">")[0]
    assert 'aria-invalid="true"' in box
    assert [m["status"] for m in await _meeting_rows(application_id)] == ["booked"]
    row = await Application.select(Application.state).where(Application.id == application_id)
    assert row[0]["state"] == "meeting_booked"
    assert await _cancellations() == 0
    assert await AuditEntry.count().where(AuditEntry.action == "intake.meeting_cancel") == 0
    # Ticked: cancelled, and the applicant gets the cancellation.
    done = await form_post(
        client, f"/arbetsbord/intag/{application_id}/avboka", {"confirm_cancel": "1"}
    )
    assert done.status_code == 303 and "klart=mote-avbokat" in done.headers["location"]
    assert [m["status"] for m in await _meeting_rows(application_id)] == ["cancelled"]
    assert await _cancellations() == 1


# --- 3. another name on the personnummer ---------------------------------------------------


async def _omar_and_saras_participant(client: Client, sign_in) -> tuple[int, int]:
    """Sara's participant Hanna Andersson; Omar registers a paper application for "Åsa
    Öhman" with Hanna's personnummer, books the meeting, and it is held."""
    sara = await make_user("coordinator", username="sara")
    omar = await make_user("coordinator", username="omar")
    hanna = await make_candidate(sara, "Hanna", personnummer=PNR)
    await sign_in(client, omar.username)
    sent = await form_post(
        client,
        "/arbetsbord/intag/ny",
        {
            **form(first_name="Åsa", last_name="Öhman", email="asa@example.se"),
            "channel": "paper",
            "language": "sv",
        },
    )
    assert sent.status_code == 303, sent.text
    application_id = int(sent.headers["location"].split("/")[3].split("?")[0])
    await intake.book_meeting(omar, application_id, meeting())
    await meeting_begun(application_id)
    return hanna, application_id


async def test_an_application_under_another_name_is_not_joined_silently(
    client: Client, sign_in
) -> None:
    hanna, application_id = await _omar_and_saras_participant(client, sign_in)
    page = await client.get(f"/arbetsbord/intag/{application_id}", headers=HTML)
    assert "Personnumret tillhör redan en deltagare" in page.text
    assert "Namnet i ansökan är inte namnet på deltagaren med det personnumret" in page.text
    assert 'name="same_person"' in page.text
    assert "Hanna" not in page.text  # never the other coordinator's participant's name
    # The plan stops, says why and what to do, and names no one but the applicant.
    refused = await form_post(client, f"/arbetsbord/intag/{application_id}/plan")
    assert refused.status_code == 409
    said = _text(refused)
    assert "Namnet i ansökan, Åsa Öhman, är inte namnet på deltagaren" in said
    assert "felskrivet" in said and "bytt namn" in said
    assert "Rätta personnumret" in said and "Ja, det är samma person" in said
    assert "Hanna" not in said and "Andersson" not in said
    box = refused.text.split('id="f-same_person"')[1].split(">")[0]
    assert 'aria-invalid="true"' in box
    row = await Application.select().where(Application.id == application_id).first()
    assert row is not None and row["state"] == "meeting_booked" and row["candidate"] is None
    assert [m["status"] for m in await _meeting_rows(application_id)] == ["booked"]
    assert await OutboxMessage.count().where(OutboxMessage.kind == "intake_joined") == 0
    assert await AuditEntry.count().where(AuditEntry.action == "intake.joined_participant") == 0
    # The number was mistyped: Omar corrects it (a wrong one is refused at its field), and
    # the plan makes Åsa a participant of her own; Hanna's record is untouched.
    wrong = await form_post(
        client,
        f"/arbetsbord/intag/{application_id}/personnummer",
        {"personnummer": "19900101-0008"},
    )
    assert wrong.status_code == 400 and "kontrollsiffra" in wrong.text
    assert 'value="19900101-0008"' in wrong.text
    corrected = await form_post(
        client, f"/arbetsbord/intag/{application_id}/personnummer", {"personnummer": PNR2}
    )
    assert corrected.status_code == 303
    assert "klart=personnummer-rattat" in corrected.headers["location"]
    audited = await AuditEntry.select().where(AuditEntry.action == "intake.correct_personnummer")
    assert [a["subject_id"] for a in audited] == [application_id]
    assert PNR2 not in str(audited) and PNR not in str(audited)
    page = await client.get(f"/arbetsbord/intag/{application_id}", headers=HTML)
    assert "Namnet i ansökan är inte namnet" not in page.text
    assert 'name="same_person"' not in page.text
    made = await form_post(client, f"/arbetsbord/intag/{application_id}/plan")
    assert made.status_code == 303 and "klart=plan-upprattad" in made.headers["location"]
    asa = await Candidate.select().where(Candidate.personnummer == PNR2).first()
    assert asa is not None and (asa["first_name"], asa["last_name"]) == ("Åsa", "Öhman")
    assert asa["consent_method"] == "skriftligt"  # a paper application
    kept = await Candidate.select().where(Candidate.id == hanna).first()
    assert kept is not None and kept["first_name"] == "Hanna" and kept["personnummer"] == PNR
    assert await OutboxMessage.count().where(OutboxMessage.kind == "intake_joined") == 0


async def test_the_same_person_under_a_new_name_is_joined_once_confirmed(
    client: Client, sign_in
) -> None:
    hanna, application_id = await _omar_and_saras_participant(client, sign_in)
    joined = await form_post(
        client, f"/arbetsbord/intag/{application_id}/plan", {"same_person": "1"}
    )
    assert joined.status_code == 303
    assert "klart=plan-kopplad" in joined.headers["location"]
    row = await Application.select().where(Application.id == application_id).first()
    assert row is not None and row["state"] == "plan_started" and row["candidate"] == hanna
    assert await Candidate.count() == 1
    [audit] = await AuditEntry.select().where(AuditEntry.action == "intake.joined_participant")
    assert "bekräftat samma person" in audit["detail"]
    # Sara is told, without a name, that it came under another name.
    [told] = await OutboxMessage.select().where(OutboxMessage.kind == "intake_joined")
    assert told["recipient"] == "sara@test.example.se"
    assert "Namnet i ansökan var ett annat än deltagarens" in told["body_text"]
    for name in ("Åsa", "Öhman", "Hanna", "Andersson"):
        assert name not in told["body_text"]


async def test_a_name_written_otherwise_is_the_same_name() -> None:
    """Case, spaces and hyphens are how a name is written, not another name; one's own
    participant under another name is stopped too."""
    coordinator = await make_user("coordinator")
    await make_candidate(coordinator, "Anna-Karin", personnummer=PNR)
    same = await intake.submit_public(
        application(first_name="anna karin", last_name=" ANDERSSON ", personnummer=PNR)
    )
    await intake.book_meeting(coordinator, same, meeting())
    await meeting_begun(same)
    assert not (await intake.read(coordinator, same)).name_differs
    joined, visible = await intake.start_plan(coordinator, same)
    assert visible
    other = await intake.submit_public(
        application(first_name="Anna", last_name="Andersson", personnummer=PNR)
    )
    await intake.book_meeting(coordinator, other, meeting())
    await meeting_begun(other)
    assert (await intake.read(coordinator, other)).name_differs
    with pytest.raises(Conflict) as refused:
        await intake.start_plan(coordinator, other)
    assert refused.value.fields == ["same_person"]
    assert await intake.start_plan(coordinator, other, same_person=True) == (joined, True)


async def test_a_correction_is_for_an_open_application_only(client: Client, sign_in) -> None:
    coordinator = await make_user("coordinator")
    application_id = await intake.submit_public(application())
    await sign_in(client, coordinator.username)
    unchanged = await form_post(
        client, f"/arbetsbord/intag/{application_id}/personnummer", {"personnummer": PNR}
    )
    assert unchanged.status_code == 303
    assert "klart=personnummer-samma" in unchanged.headers["location"]
    assert await AuditEntry.count().where(AuditEntry.action == "intake.correct_personnummer") == 0
    await intake.close(coordinator, application_id, "Tog tillbaka ansökan.")
    closed = await form_post(
        client, f"/arbetsbord/intag/{application_id}/personnummer", {"personnummer": PNR2}
    )
    assert closed.status_code == 409 and "Ansökan är redan avslutad" in _text(closed)
    stored = await Application.select(Application.personnummer).where(
        Application.id == application_id
    )
    assert stored[0]["personnummer"] == PNR


# --- 4. the consent given in the public form --------------------------------------------


async def test_consent_from_the_public_form_is_not_called_e_legitimation(
    client: Client, sign_in
) -> None:
    coordinator = await make_user("coordinator")
    sent = await form_post(client, "/ansok", form())
    assert sent.status_code == 200, sent.text
    [row] = await Application.select(Application.id)
    await intake.book_meeting(coordinator, row["id"], meeting())
    await meeting_begun(row["id"])
    candidate_id, _ = await intake.start_plan(coordinator, row["id"])
    stored = await Candidate.select(Candidate.consent_method, Candidate.consent_date).where(
        Candidate.id == candidate_id
    )
    assert stored[0]["consent_method"] == "webbformular"
    await sign_in(client, coordinator.username)
    page = await client.get(f"/arbetsbord/deltagare/{candidate_id}", headers=HTML)
    consent = page.text.split("<dt>Samtycke</dt>")[1].split("</dd>")[0]
    assert "I webbformuläret, utan e-legitimation" in consent
    assert "Digitalt" not in consent
    # The profile form shows it chosen (saved again as it is, not emptied or changed).
    profile = await client.get(f"/arbetsbord/deltagare/{candidate_id}/profil", headers=HTML)
    assert '<option value="webbformular" selected>' in profile.text
    chosen = profile.text.split('<option value="webbformular" selected>')[1].split("<")[0]
    assert "utan e-legitimation" in chosen
    # A phone application's consent is oral, as before.
    phone = await intake.register(
        coordinator,
        StaffApplicationIn(
            first_name="Per",
            last_name="Telefon",
            personnummer=PNR2,
            phone="070-1",
            channel="phone",
        ),
    )
    await intake.book_meeting(coordinator, phone, meeting())
    await meeting_begun(phone)
    per, _ = await intake.start_plan(coordinator, phone)
    told = await Candidate.select(Candidate.consent_method).where(Candidate.id == per)
    assert told[0]["consent_method"] == "muntligt"
