"""Intake (issue 18): the public application form, the coordinator's registration and the
e-service import, the queue with its deadlines, the planning meeting's invitation (a real
.ics through a real SMTP server), rescheduling and cancelling, the no-show, and the plan that
makes the applicant a participant (a duplicate personnummer joins the existing one). Every
read of an application is audited."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import icalendar
import pytest

from marketplace.kernel import clock
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.mail import deliver_outbox
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from placements.schemas import intake as schemas
from placements.services import intake
from placements.services.intake import APPLICATIONS_PER_ADDRESS_PER_HOUR
from placements.tables import Application, Candidate, PlanningMeeting
from tests.builders import make_user
from tests.placements.bookingdata import PNR
from tests.placements.test_attacks_signatures import csrf_of

HTML = {"accept": "text/html"}
PNR2 = "19900101-0009"  # another valid personnummer (Luhn)


def form(**changes: str) -> dict[str, str]:
    return {
        "first_name": "Amina",
        "last_name": "Sökande",
        "personnummer": "198501010006",
        "phone": "0701-234567",
        "email": "amina@example.se",
        "message": "Jag vill arbeta i butik.",
        "consent": "1",
        **changes,
    }


def application(**changes: Any) -> schemas.ApplicationIn:
    values: dict[str, Any] = {
        "first_name": "Amina",
        "last_name": "Sökande",
        "personnummer": PNR,
        "phone": "0701-234567",
        "email": "amina@example.se",
    }
    values.update(changes)
    return schemas.ApplicationIn(**values)


def meeting(days: int = 1, time: str = "09:30", **changes: Any) -> schemas.MeetingIn:
    values: dict[str, Any] = {
        "day": clock.today() + dt.timedelta(days=days),
        "time": time,
        "place": "Kompetenscentret, Storgatan 1",
    }
    values.update(changes)
    return schemas.MeetingIn(**values)


async def meeting_begun(application_id: int, ago: dt.timedelta = dt.timedelta(hours=1)) -> None:
    """The booked planning meeting's time has come: it began `ago`. A meeting is booked ahead
    (the service refuses a time passed), and the plan is made at it."""
    await PlanningMeeting.update({PlanningMeeting.starts_at: clock.now() - ago}).where(
        (PlanningMeeting.application == application_id) & (PlanningMeeting.status == "booked")
    )


async def _audits(action: str) -> int:
    return await AuditEntry.count().where(AuditEntry.action == action)


# --- coming in -------------------------------------------------------------------------------


async def test_public_form_lists_every_mistake_at_once_in_swedish_and_keeps_the_input(client):
    page = await client.get("/ansok", headers=HTML)
    assert page.status_code == 200
    assert "Så behandlar vi dina uppgifter" in page.text
    refused = await client.post(
        "/ansok",
        data={
            **form(personnummer="198501010007", email="inte-en-adress", consent=""),
            "_csrf_token": csrf_of(page.text),
        },
        headers=HTML,
    )
    assert refused.status_code == 400
    summary = refused.text.split('id="error-summary"')[1].split("</div>")[0]
    assert "kontrollsiffra" in summary
    assert "e-post" in summary.lower()
    assert "Kryssa i rutan" in summary
    assert 'value="Amina"' in refused.text
    assert await Application.count() == 0


async def test_public_form_needs_a_way_to_reach_the_applicant(client):
    page = await client.get("/ansok", headers=HTML)
    refused = await client.post(
        "/ansok",
        data={**form(phone="", email=""), "_csrf_token": csrf_of(page.text)},
        headers=HTML,
    )
    assert refused.status_code == 400
    assert "telefonnummer eller en e-postadress" in refused.text


async def test_public_form_receives_an_application_without_sign_in(client):
    page = await client.get("/ansok", headers=HTML)
    sent = await client.post(
        "/ansok", data={**form(), "_csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert sent.status_code == 200, sent.text
    assert "Tack för din ansökan" in sent.text
    row = await Application.select().first()
    assert row is not None
    assert row["channel"] == "web" and row["state"] == "received"
    assert row["personnummer"] == PNR  # normalised
    assert await _audits("intake.submit") == 1


async def test_the_thank_you_page_reloaded_makes_no_second_application(client):
    """Seen in the browser: reloading the thank-you page (the browser sends the form again)
    saved a second identical application. The same form again within half an hour lands on
    the same thank-you page and writes nothing; a new application from the same person (a
    word changed, or after the half hour) is received as before."""
    page = await client.get("/ansok", headers=HTML)
    data = {**form(), "_csrf_token": csrf_of(page.text)}
    for _ in range(2):
        sent = await client.post("/ansok", data=data, headers=HTML)
        assert sent.status_code == 200, sent.text
        assert "Tack för din ansökan" in sent.text and "amina@example.se" in sent.text
    assert await Application.count() == 1
    assert await _audits("intake.submit") == 1

    changed = {**data, "message": "Jag vill arbeta i butik eller lager."}
    assert (await client.post("/ansok", data=changed, headers=HTML)).status_code == 200
    assert await Application.count() == 2
    await Application.update(
        {Application.received_at: clock.now() - intake.SAME_FORM_WINDOW - dt.timedelta(minutes=1)}
    ).where(Application.message == "Jag vill arbeta i butik.")
    assert (await client.post("/ansok", data=data, headers=HTML)).status_code == 200
    assert await Application.count() == 3
    assert await _audits("intake.submit") == 3


async def test_an_application_by_phone_is_no_resend_of_the_web_form():
    """Only the form's own resend is taken for one: the same data in the other language, or
    registered by a coordinator, is an application of its own."""
    coordinator = await make_user("coordinator")
    first = await intake.submit_public(application())
    assert await intake.submit_public(application()) == first
    assert await intake.submit_public(application(), "en") != first
    await intake.register(coordinator, schemas.StaffApplicationIn(**_fields(application())))
    assert await Application.count() == 3


def _fields(data: schemas.ApplicationIn) -> dict[str, Any]:
    return {f: getattr(data, f) for f in data.__struct_fields__}


async def test_public_form_is_rate_limited_per_address(client):
    page = await client.get("/ansok", headers=HTML)
    token = csrf_of(page.text)
    for n in range(APPLICATIONS_PER_ADDRESS_PER_HOUR):
        # Each a new application (the same one sent again is not one more: below).
        data = {**form(message=f"Ansökan {n}"), "_csrf_token": token}
        sent = await client.post("/ansok", data=data, headers=HTML)
        assert sent.status_code == 200
    data = {**form(message="En till"), "_csrf_token": token}
    refused = await client.post("/ansok", data=data, headers=HTML)
    assert refused.status_code == 429
    assert "Vänta" in refused.text
    # Nothing in the form is wrong, and the unit is named with its number.
    assert "Försök igen senare" in refused.text and "behöver rättas" not in refused.text
    said = re.sub(r"<[^>]+>", "", refused.text)  # numbers are isolated (`ltr_numbers`)
    assert "eller ring Kompetenscentret på 0322-60 00 00." in said
    assert "retry-after" in refused.headers
    assert await Application.count() == APPLICATIONS_PER_ADDRESS_PER_HOUR


async def test_coordinator_registers_a_phone_application(client, sign_in):
    coordinator = await make_user("coordinator")
    await sign_in(client, coordinator.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get("/arbetsbord/intag/ny", headers=HTML)
    assert page.status_code == 200
    # The coordinator is told about the applicant, not addressed as one; a long message is
    # named by what the box asks, not by a question.
    refused = await client.post(
        "/arbetsbord/intag/ny",
        data={
            **form(channel="paper", phone="", email="", message="x" * 3001),
            "_csrf_token": csrf_of(page.text),
        },
        headers=HTML,
    )
    assert refused.status_code == 400
    assert "så att ni kan nå den sökande" in refused.text and "nå dig" not in refused.text
    assert "Vad personen vill ha hjälp med får vara högst" in refused.text
    sent = await client.post(
        "/arbetsbord/intag/ny",
        data={**form(channel="paper"), "_csrf_token": csrf_of(page.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert "klart=ansokan-registrerad" in sent.headers["location"]
    row = await Application.select().first()
    assert row is not None
    assert row["channel"] == "paper" and row["registered_by"] == coordinator.id


async def test_eservice_import_is_idempotent_and_validated(client, sign_in):
    coordinator = await make_user("coordinator")
    await sign_in(client, coordinator.username)
    body = {
        "external_id": "E-2026-0042",
        "received_at": "2026-12-03T16:45:00+01:00",
        "first_name": "Erik",
        "last_name": "Etjänst",
        "personnummer": "19850101-0006",
        "email": "erik@example.se",
    }
    first = await client.post("/api/v1/applications/import", json=body)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["created"] is True and answer["state"] == "received"
    assert answer["meeting_deadline"] == "2026-12-04"  # Thursday → Friday
    again = await client.post("/api/v1/applications/import", json=body)
    assert again.json()["id"] == answer["id"] and again.json()["created"] is False
    assert await Application.count() == 1
    bad = await client.post(
        "/api/v1/applications/import",
        json={
            **body,
            "external_id": "E-2",
            "personnummer": "19850101-0007",
            "email": "",
            "received_at": "2026-12-03T16:45:00",
        },
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"personnummer", "phone", "received_at"}


# --- the queue ---------------------------------------------------------------------------------


async def test_queue_sorts_by_deadline_marks_overdue_pages_and_audits(client, sign_in):
    coordinator = await make_user("coordinator")
    today = clock.today()
    # A week ago is past its deadline whatever the weekday (3 days was not on a Monday: a
    # Friday's application is due the Monday after).
    for days_ago in (0, 10, 7):
        row_id = await intake.submit_public(application(first_name=f"Dag{days_ago}"))
        received = clock.now() - dt.timedelta(days=days_ago)
        await Application.update({Application.received_at: received}).where(
            Application.id == row_id
        )
    items, total = await intake.queue(coordinator, limit=2)
    assert total == 3
    assert [i.name for i in items] == ["Dag10 Sökande", "Dag7 Sökande"]
    assert all(i.overdue for i in items)
    assert items[0].deadline < items[1].deadline < today
    rest, _ = await intake.queue(coordinator, limit=2, offset=2)
    assert [i.name for i in rest] == ["Dag0 Sökande"] and not rest[0].overdue
    assert await _audits("intake.list") == 3
    await sign_in(client, coordinator.username)
    page = await client.get("/arbetsbord/intag", headers=HTML)
    assert page.status_code == 200
    assert "Ansökningar" in page.text and "Försenad" in page.text
    host = await make_user("host")
    analyst = await make_user("analyst")
    for user in (host, analyst):
        with pytest.raises(Exception):
            await intake.queue(user)


async def test_queue_names_each_application_s_language_in_swedish(client, sign_in):
    """The coordinator sees before calling which language the applicant wrote in: a column
    "Språk" with the language's Swedish name, its cell named for the stacked rows at 375 px."""
    coordinator = await make_user("coordinator")
    for first_name, language in (("Sv", "sv"), ("En", "en"), ("Ar", "ar")):
        await intake.submit_public(application(first_name=first_name), language)
    items, _ = await intake.queue(coordinator)
    assert [(i.name, i.language) for i in items] == [
        ("Sv Sökande", "sv"),
        ("En Sökande", "en"),
        ("Ar Sökande", "ar"),
    ]
    await sign_in(client, coordinator.username)
    page = await client.get("/arbetsbord/intag", headers=HTML)
    assert page.status_code == 200
    assert '<table class="stacked">' in page.text
    assert '<th scope="col">Språk</th>' in page.text
    for name in ("svenska", "engelska", "arabiska"):
        assert f'<td data-label="Språk">{name}</td>' in page.text
    assert page.text.count('<td data-label="Språk">') == 3


# --- the planning meeting ---------------------------------------------------------------------


def _ics_of(received: Any) -> icalendar.Calendar:
    parts = [
        p for p in received.message.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    assert len(parts) == 1
    return icalendar.Calendar.from_ical(parts[0].get_content())


async def test_invitation_update_and_cancel_arrive_with_one_event(smtp):
    coordinator = await make_user("coordinator")
    application_id = await intake.submit_public(application())
    booked, mailed = await intake.book_meeting(coordinator, application_id, meeting(days=3))
    assert mailed and booked.sequence == 0
    assert (await Application.select(Application.state).first())["state"] == "meeting_booked"  # type: ignore[index]
    moved, _ = await intake.book_meeting(
        coordinator,
        application_id,
        meeting(days=4, time="13:15", video_link="https://video.example.se/m/1"),
    )
    assert moved.uid == booked.uid and moved.sequence == 1
    await intake.cancel_meeting(coordinator, application_id)
    settings = smtp.settings(base_url="https://praktik.vargarda.se")
    result = await deliver_outbox(clock.now(), settings)
    assert result["sent"] == 3
    mails = smtp.inbox.to("amina@example.se")
    assert [m.message["Subject"].split(":")[0] for m in mails] == [
        f"Inbjudan till planeringsmöte {_weekday(3)} {clock.today() + dt.timedelta(days=3)} kl. 09",
        "Ny tid",
        "Inställt",
    ]
    calendars = [_ics_of(m) for m in mails]
    events: list[Any] = [next(iter(c.walk("VEVENT"))) for c in calendars]
    assert [str(c["METHOD"]) for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {str(e["UID"]) for e in events} == {booked.uid}
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert str(events[2]["STATUS"]) == "CANCELLED"
    for calendar, event in zip(calendars, events, strict=True):
        assert [str(t["TZID"]) for t in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
        assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    start = events[1]["DTSTART"].dt
    assert start.tzinfo is not None and start.strftime("%H:%M") == "13:15"
    assert start.date() == clock.today() + dt.timedelta(days=4)
    assert str(events[1]["LOCATION"]) == "Kompetenscentret, Storgatan 1"
    raw = mails[0].message.as_string()
    assert "DTSTART;TZID=Europe/Stockholm:" in re.sub(r"\r?\n ", "", _ics_text(mails[0]))
    assert (
        "Amina" not in _ics_text(mails[0])
        and "Amina" not in raw.split("BEGIN:VCALENDAR")[0].split("Subject")[1].split("\n")[0]
    )
    assert (await Application.select(Application.state).first())["state"] == "received"  # type: ignore[index]


def _weekday(days: int) -> str:
    return intake.WEEKDAYS[(clock.today() + dt.timedelta(days=days)).weekday()]


def _ics_text(received: Any) -> str:
    parts = [
        p for p in received.message.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    return str(parts[0].get_content())


async def test_meeting_form_rules_are_all_named_and_closed_applications_refuse(client):
    coordinator = await make_user("coordinator")
    application_id = await intake.submit_public(application(email=""))
    with pytest.raises(ValidationFailed) as refused:
        await intake.book_meeting(
            coordinator,
            application_id,
            meeting(days=-2, place="", video_link=""),
        )
    assert set(refused.value.errors) == {"day", "place"}
    with pytest.raises(ValidationFailed) as refused:
        await intake.book_meeting(
            coordinator, application_id, meeting(days=200, video_link="http://video.example.se")
        )
    assert set(refused.value.errors) == {"day", "video_link"}
    _, mailed = await intake.book_meeting(coordinator, application_id, meeting())
    assert mailed is False  # no e-mail address: the coordinator calls
    assert await OutboxMessage.count() == 0
    await intake.close(coordinator, application_id, "Tog tillbaka ansökan")
    with pytest.raises(Conflict):
        await intake.book_meeting(coordinator, application_id, meeting())


async def test_no_show_is_recorded_and_the_application_needs_a_meeting_again():
    coordinator = await make_user("coordinator")
    application_id = await intake.submit_public(application())
    booked, _ = await intake.book_meeting(coordinator, application_id, meeting())
    with pytest.raises(Conflict):
        await intake.record_no_show(coordinator, application_id)  # not begun yet
    await PlanningMeeting.update(
        {PlanningMeeting.starts_at: clock.now() - dt.timedelta(hours=1)}
    ).where(PlanningMeeting.id == booked.id)
    await intake.record_no_show(coordinator, application_id)
    shown = await intake.read(coordinator, application_id)
    assert shown.state == "received" and shown.current_meeting is None
    assert [m.status for m in shown.meetings] == ["no_show"]
    assert await _audits("intake.no_show") == 1 and await _audits("intake.read") == 1
    with pytest.raises(Conflict):
        await intake.start_plan(coordinator, application_id)  # book a meeting first


# --- the plan ----------------------------------------------------------------------------------


async def test_plan_makes_a_participant_and_a_duplicate_joins_the_existing_one():
    coordinator = await make_user("coordinator")
    other = await make_user("coordinator")
    first = await intake.submit_public(application())
    await intake.book_meeting(coordinator, first, meeting())
    await meeting_begun(first)
    candidate_id, visible = await intake.start_plan(coordinator, first)
    assert visible
    candidate = await Candidate.select().where(Candidate.id == candidate_id).first()
    assert candidate is not None
    assert candidate["personnummer"] == PNR and candidate["coordinator"] == coordinator.id
    # The public form's ticked box, without e-legitimation.
    assert candidate["consent_method"] == "webbformular"
    shown = await intake.read(coordinator, first)
    assert shown.state == "plan_started" and shown.candidate_id == candidate_id
    assert [m.status for m in shown.meetings] == ["held"]
    # The same person applies again; another coordinator holds the meeting.
    second = await intake.submit_public(application(personnummer="850101-0006"))
    await intake.book_meeting(other, second, meeting())
    await meeting_begun(second)
    joined, visible = await intake.start_plan(other, second)
    assert joined == candidate_id and not visible
    assert await Candidate.count() == 1
    told = await OutboxMessage.select().where(OutboxMessage.kind == "intake_joined")
    assert [m["recipient"] for m in told] == [f"{coordinator.username}@test.example.se"]
    assert "Amina" not in told[0]["body_text"] and PNR not in told[0]["body_text"]
    assert await _audits("intake.joined_participant") == 1
    # Seen in the browser: the other coordinator then read the participant's application in
    # full (personnummer, phone, mail) under "Visa alla". It is the participant's record now.
    with pytest.raises(NotFound):
        await intake.read(other, second)
    listed, _ = await intake.queue(other, show_all=True)
    assert second not in [item.id for item in listed]
    assert first not in [item.id for item in listed]
    mine, _ = await intake.queue(coordinator, show_all=True)
    assert {first, second} <= {item.id for item in mine}
    admin = await make_user("admin")
    assert (await intake.read(admin, second)).candidate_id == candidate_id


async def test_a_second_application_of_one_person_is_marked_on_both():
    """Seen in the browser: a resident who applied twice (the personnummer written two ways)
    became two open applications, neither saying so."""
    coordinator = await make_user("coordinator")
    first = await intake.submit_public(application())
    second = await intake.submit_public(application(personnummer="850101-0006", phone=""))
    third = await intake.submit_public(application(personnummer=PNR2))
    listed, _ = await intake.queue(coordinator)
    marks = {item.id: item.same_person for item in listed}
    assert marks == {first: [second], second: [first], third: []}
    shown = await intake.read(coordinator, first)
    assert shown.same_person == [second] and not shown.known_participant
    await intake.close(coordinator, second, "Samma person som den första ansökan.")
    assert (await intake.read(coordinator, first)).same_person == []


async def test_an_application_of_a_participant_says_the_plan_joins_them(client, sign_in):
    coordinator = await make_user("coordinator")
    first = await intake.submit_public(application())
    await intake.book_meeting(coordinator, first, meeting())
    await meeting_begun(first)
    await intake.start_plan(coordinator, first)
    again = await intake.submit_public(application())
    assert (await intake.read(coordinator, again)).known_participant
    await sign_in(client, coordinator.username)
    page = await client.get(f"/arbetsbord/intag/{again}", headers=HTML)
    assert "Personnumret tillhör redan en deltagare" in page.text
    third = await intake.submit_public(application(personnummer=PNR2))
    await intake.submit_public(application(personnummer=PNR2, email=""))
    queue = await client.get("/arbetsbord/intag", headers=HTML)
    assert f'href="/arbetsbord/intag/{third}">ansökan {third}</a>' in queue.text


async def test_plan_page_flow_for_the_coordinator(client, sign_in):
    coordinator = await make_user("coordinator")
    application_id = await intake.submit_public(application())
    await sign_in(client, coordinator.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get(f"/arbetsbord/intag/{application_id}", headers=HTML)
    assert page.status_code == 200 and "Boka planeringsmöte" in page.text
    day = (clock.today() + dt.timedelta(days=2)).isoformat()
    refused = await client.post(
        f"/arbetsbord/intag/{application_id}/mote",
        data={"_csrf_token": csrf_of(page.text), "day": day, "time": "25:00", "place": ""},
        headers=HTML,
    )
    assert refused.status_code == 400
    summary = refused.text.split('id="error-summary"')[1].split("</div>")[0]
    assert "Klockslag" in summary and "plats eller en videolänk" in summary
    # Seen in the browser: a day passed and a bad link came one post after another.
    yesterday = (clock.today() - dt.timedelta(days=1)).isoformat()
    every = await client.post(
        f"/arbetsbord/intag/{application_id}/mote",
        data={
            "_csrf_token": csrf_of(page.text),
            "day": yesterday,
            "time": "25:99",
            "minutes": "-10",
            "video_link": "javascript:alert(1)",
        },
        headers=HTML,
    )
    assert every.status_code == 400
    summary = unescape(every.text.split('id="error-summary"')[1].split("</div>")[0])
    for said in ("Klockslag", "Längd", intake.PAST_MEETING, intake.BAD_LINK):
        assert said in summary, said
    # A time at night is a slip, said with the rest.
    night = await client.post(
        f"/arbetsbord/intag/{application_id}/mote",
        data={"_csrf_token": csrf_of(page.text), "day": day, "time": "03:00", "place": "Rum 3"},
        headers=HTML,
    )
    assert night.status_code == 400 and intake.NIGHT_MEETING in unescape(night.text)
    booked = await client.post(
        f"/arbetsbord/intag/{application_id}/mote",
        data={
            "_csrf_token": csrf_of(page.text),
            "day": day,
            "time": "10:00",
            "place": "Rum 3",
            "minutes": "45",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert booked.status_code == 303 and "klart=mote-bokat" in booked.headers["location"]
    page = await client.get(f"/arbetsbord/intag/{application_id}", headers=HTML)
    assert "Flytta planeringsmötet" in page.text
    await meeting_begun(application_id)
    page = await client.get(f"/arbetsbord/intag/{application_id}", headers=HTML)
    plan = await client.post(
        f"/arbetsbord/intag/{application_id}/plan",
        data={"_csrf_token": csrf_of(page.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert plan.status_code == 303
    assert re.search(
        r"/arbetsbord/deltagare/\d+/plan\?klart=plan-upprattad", plan.headers["location"]
    )


async def test_the_invitation_goes_by_sms_too_where_the_applicant_has_a_mobile(monkeypatch):
    """With SMS set up, booking, moving and cancelling also text the applicant (through a local
    46elks-style gateway), once each; the SMS names no one. A landline gets mail only."""
    from marketplace.kernel.settings import get_settings
    from tests.smsutil import PASSWORD, USER, SmsGateway

    gateway = SmsGateway()
    gateway.start()
    monkeypatch.setenv("SMS_URL", gateway.url)
    monkeypatch.setenv("SMS_USER", USER)
    monkeypatch.setenv("SMS_PASSWORD", PASSWORD)
    monkeypatch.setenv("SMS_FROM", "Vargarda")
    get_settings.cache_clear()
    try:
        coordinator = await make_user("coordinator")
        texted = await intake.submit_public(application())
        landline = await intake.submit_public(
            application(
                first_name="Lars",
                phone="0322-60 00 00",
                email="lars@example.se",
                personnummer="19850101-0006",
            )
        )
        await intake.book_meeting(coordinator, texted, meeting(days=3))
        await intake.book_meeting(coordinator, texted, meeting(days=4, time="13:15"))
        await intake.cancel_meeting(coordinator, texted)
        await intake.book_meeting(coordinator, landline, meeting(days=3))
        await deliver_outbox(clock.now(), get_settings())
    finally:
        gateway.stop()
        monkeypatch.undo()
        get_settings.cache_clear()
    assert [s.to for s in gateway.received] == ["+46701234567"] * 3
    first, moved, cancelled = (s.message for s in gateway.received)
    assert f"{clock.today() + dt.timedelta(days=3)} kl. 09:30" in first
    assert "Kompetenscentret" in first
    assert "flyttat" in moved and "13:15" in moved
    assert "inställt" in cancelled
    assert not any("Amina" in s.message or "Sökande" in s.message for s in gateway.received)
