"""The date table (placements.date_rules): each rule allowed and refused around a fixed
today, and the examples of issue #15 item 4 through the API and the booking page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from marketplace.kernel.tables import AuditEntry
from placements import date_rules
from placements.schemas import outcomes as so
from placements.services import bookings, outcomes
from placements.tables import Booking, BookingEvent, FollowUp, Outcome
from tests.conftest import login
from tests.placements.bookingdata import (
    ACTIVE_END,
    TODAY,
    make_world,
    propose,
    sign_all,
    to_active,
)

HTML = {"accept": "text/html"}
# A fixed "today" for the pure table tests.
DAY = dt.date(2026, 6, 15)


def _d(days: int) -> dt.date:
    return DAY + dt.timedelta(days=days)


# (event, values, context, refused fields or [] when allowed, a word of the message)
CASES = [
    # slot: any past start, at most two years ahead, end not before start
    ("slot", {"start_date": _d(-400)}, {}, [], ""),
    ("slot", {"start_date": _d(730)}, {}, [], ""),
    ("slot", {"start_date": _d(731)}, {}, ["start_date"], "för långt fram"),
    ("slot", {"start_date": _d(0), "end_date": _d(730)}, {}, [], ""),
    ("slot", {"end_date": _d(731)}, {}, ["end_date"], "senast 2028-06-14"),
    ("slot", {"start_date": _d(10), "end_date": _d(9)}, {}, ["end_date"], "före startdatum"),
    # an unchanged stored end is compared with a new start
    ("slot", {"start_date": _d(10)}, {"end_date": _d(5)}, ["end_date"], "före startdatum"),
    # proposal (and the host's other period, and a period change): today at the earliest
    ("proposal", {"start_date": _d(0), "end_date": _d(30)}, {}, [], ""),
    ("proposal", {"start_date": _d(-1), "end_date": _d(30)}, {}, ["start_date"], "passerat"),
    (
        "proposal",
        {"start_date": dt.date(2020, 1, 1), "end_date": dt.date(2020, 2, 1)},
        {},
        ["start_date", "end_date"],
        "2020-01-01 har redan passerat",
    ),
    ("proposal", {"start_date": _d(700), "end_date": _d(731)}, {}, ["end_date"], "långt fram"),
    ("proposal", {"start_date": _d(5), "end_date": _d(4)}, {}, ["end_date"], "före startdatum"),
    ("agreement", {"end_date": _d(0)}, {"start_date": _d(-30)}, [], ""),
    ("agreement", {"end_date": _d(-1)}, {"start_date": _d(-30)}, ["end_date"], "Avsluta"),
    # start of a placement: on or after its start date
    ("start", {"start_date": _d(0)}, {}, [], ""),
    ("start", {"start_date": _d(-20)}, {}, [], ""),
    ("start", {"start_date": _d(1)}, {}, ["start_date"], "ändra startdatumet"),
    # end of a placement: today or a past day not before it really started
    ("end", {"end_date": _d(0)}, {"actual_start": _d(-30)}, [], ""),
    ("end", {"end_date": _d(-30)}, {"actual_start": _d(-30)}, [], ""),
    ("end", {"end_date": _d(150)}, {"actual_start": _d(-30)}, ["end_date"], "i framtiden"),
    (
        "end",
        {"end_date": _d(-31)},
        {"actual_start": _d(-30)},
        ["end_date"],
        "före dagen placeringen startade",
    ),
    # outcome: not in the future, not before the placement ended (nor started)
    ("outcome", {"outcome_date": _d(0)}, {"placement_start": _d(-90)}, [], ""),
    ("outcome", {"outcome_date": _d(-90)}, {"placement_start": _d(-90)}, [], ""),
    (
        "outcome",
        {"outcome_date": _d(-3)},
        {"placement_start": _d(-90), "placement_end": _d(-3)},
        [],
        "",
    ),
    (
        "outcome",
        {"outcome_date": _d(-4)},
        {"placement_start": _d(-90), "placement_end": _d(-3)},
        ["outcome_date"],
        "ligger före dagen placeringen avslutades 2026-06-12. Utfallet är deltagarens läge när "
        "placeringen har avslutats: ange dagen då placeringen avslutades eller en senare dag",
    ),
    (
        "outcome",
        {"outcome_date": dt.date(2030, 1, 1)},
        {"placement_start": _d(-90)},
        ["outcome_date"],
        "Utfallsdatum 2030-01-01 ligger i framtiden",
    ),
    (
        "outcome",
        {"outcome_date": _d(-91)},
        {"placement_start": _d(-90)},
        ["outcome_date"],
        "före placeringens startdatum",
    ),
    # participant: registration and consent not in the future
    ("candidate", {"registered_at": _d(0), "consent_date": _d(-3)}, {}, [], ""),
    ("candidate", {"registered_at": _d(1)}, {}, ["registered_at"], "Inskrivningsdatum"),
    ("candidate", {"consent_date": _d(1)}, {}, ["consent_date"], "samtycket"),
    # plan activity: may be planned ahead (five years), the end not before the start
    ("plan_activity", {"planned_start": _d(-60), "planned_end": _d(-30)}, {}, [], ""),
    ("plan_activity", {"planned_start": _d(1827)}, {}, ["planned_start"], "långt fram"),
    (
        "plan_activity",
        {"planned_start": _d(10), "planned_end": _d(9)},
        {},
        ["planned_end"],
        "före planerad start",
    ),
]


@pytest.mark.parametrize(("event", "values", "context", "refused", "word"), CASES)
def test_the_table_allows_and_refuses_around_a_fixed_today(event, values, context, refused, word):
    found = date_rules.problems(event, values, context, today=DAY)
    assert [field for field, _ in found] == refused
    if refused:
        assert word in " ".join(message for _, message in found)
        with pytest.raises(date_rules.DateRulesFailed) as caught:
            date_rules.check(event, values, context, today=DAY)
        assert caught.value.fields == refused
        assert caught.value.problems == found


def test_every_rule_names_its_field_in_swedish_and_says_what_to_do():
    for event, rules in date_rules.RULES.items():
        for rule in rules:
            assert rule.label[0].isupper() and "_" not in rule.label, (event, rule)
            assert rule.advice.endswith("."), (event, rule)
            for other in rule.after:
                assert other in {r.field for r in rules} or other in date_rules.CONTEXT_LABELS


def test_an_end_before_the_start_is_told_to_follow_the_start_not_to_lie_ahead():
    """A tester set an agreement's end (2027-01-01) before its start (2027-01-11), both
    ahead, and was told to choose an end of today or later and to end the placement."""
    later = DAY + dt.timedelta(days=40)
    found = date_rules.problems(
        "agreement", {"end_date": later - dt.timedelta(days=10)}, {"start_date": later}, today=DAY
    )
    [(field, message)] = found
    assert field == "end_date"
    assert message.endswith("Välj ett slutdatum på eller efter startdatumet.")
    assert "i dag eller senare" not in message and "Avsluta placeringen" not in message
    # An end that has passed keeps the advice about ending a placement.
    [(_, past)] = date_rules.problems(
        "agreement", {"end_date": DAY - dt.timedelta(days=1)}, {"start_date": None}, today=DAY
    )
    assert "Avsluta placeringen" in past


def test_as_of_counts_from_the_day_history_is_written():
    with date_rules.as_of(dt.date(2019, 3, 1)):
        assert date_rules.problems("start", {"start_date": dt.date(2019, 3, 1)}) == []
        assert date_rules.problems("start", {"start_date": dt.date(2019, 3, 2)})
    assert date_rules.rules_today() != dt.date(2019, 3, 1)


# --- the examples through the API -------------------------------------------------------


async def test_a_proposal_for_2020_is_refused_with_every_problem_listed(client):
    w = await make_world()
    await login(client, w.coordinator.username)
    answer = await client.post(
        "/api/v1/bookings/",
        json={
            "slot_id": w.slot_id,
            "candidate_id": w.candidate_id,
            "start_date": "2020-03-01",
            "end_date": "2020-02-01",
        },
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["fields"] == ["start_date", "end_date"]
    assert list(body["errors"]) == ["start_date", "end_date"]
    assert "Startdatum 2020-03-01 har redan passerat" in body["errors"]["start_date"]
    assert "Slutdatum 2020-02-01 har redan passerat" in body["errors"]["end_date"]
    assert await Booking.count() == 0


async def test_a_slot_from_1900_to_9999_or_three_years_ahead_is_refused(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    host = await client.post(
        "/api/v1/hosts", json={"name": "Verkstaden AB", "kind": "company", "town": "Vårgårda"}
    )
    slot = {
        "host_id": host.json()["id"],
        "kind": "praktik",
        "title": "Lagerarbete",
        "town": "Vårgårda",
        "capacity": 1,
    }
    wide = await client.post(
        "/api/v1/slots", json={**slot, "start_date": "1900-01-01", "end_date": "9999-12-31"}
    )
    assert wide.status_code == 400
    far = TODAY + dt.timedelta(days=3 * 365)
    ahead = await client.post(
        "/api/v1/slots", json={**slot, "start_date": str(TODAY), "end_date": str(far)}
    )
    assert ahead.status_code == 400 and ahead.json()["fields"] == ["end_date"]
    assert "för långt fram" in ahead.json()["detail"]
    ok = await client.post(
        "/api/v1/slots",
        json={**slot, "start_date": str(TODAY), "end_date": str(TODAY + dt.timedelta(days=365))},
    )
    assert ok.status_code == 201, ok.text
    reversed_ = await client.patch(
        f"/api/v1/slots/{ok.json()['id']}", json={"start_date": str(TODAY + dt.timedelta(400))}
    )
    assert reversed_.status_code == 400 and reversed_.json()["fields"] == ["end_date"]


async def test_a_placement_starts_on_its_start_date_not_before(client):
    w = await make_world()
    start = TODAY + dt.timedelta(days=30)
    booking_id = await propose(w, start=start, end=start + dt.timedelta(days=60))
    await bookings.accept(w.host_user, booking_id)
    await sign_all(w, booking_id)
    await login(client, w.host_user.username)
    early = await client.post(f"/api/v1/bookings/{booking_id}/start")
    assert early.status_code == 400
    assert early.json()["fields"] == ["start_date"]
    assert f"Startdatum {start} ligger i framtiden" in early.json()["detail"]
    row = await Booking.select(Booking.status, Booking.start_date).where(Booking.id == booking_id)
    assert row == [{"status": "agreed", "start_date": start}]  # the start date did not move
    # The sweep starts it on the day, counting from its own day.
    assert await bookings.activate_due(start - dt.timedelta(days=1)) == 0
    assert await bookings.activate_due(start) == 1


async def test_ending_today_works_and_a_future_end_does_not_make_it_avslutad(client):
    w = await make_world()
    booking_id = await to_active(w)
    await login(client, w.host_user.username)
    future = TODAY + dt.timedelta(days=150)
    refused = await client.post(
        f"/api/v1/bookings/{booking_id}/end", json={"result": "completed", "end_date": str(future)}
    )
    assert refused.status_code == 400 and refused.json()["fields"] == ["end_date"]
    assert f"Slutdatum {future} ligger i framtiden" in refused.json()["detail"]
    row = await Booking.select(Booking.status, Booking.end_date).where(Booking.id == booking_id)
    assert row == [{"status": "active", "end_date": ACTIVE_END}]
    ended = await client.post(f"/api/v1/bookings/{booking_id}/end", json={"result": "completed"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "completed" and ended.json()["end_date"] == str(TODAY)


async def test_a_placement_started_before_its_start_date_can_still_be_ended_today(client):
    """Data from before the table: started months before its start date. Ending today works,
    and its period becomes what really happened."""
    w = await make_world()
    booking_id = await to_active(w)
    planned = TODAY + dt.timedelta(days=90)
    await Booking.update(
        {Booking.start_date: planned, Booking.end_date: planned + dt.timedelta(days=60)}
    ).where(Booking.id == booking_id)
    await login(client, w.coordinator.username)
    ended = await client.post(f"/api/v1/bookings/{booking_id}/end", json={"result": "completed"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["start_date"] == str(TODAY) and ended.json()["end_date"] == str(TODAY)


async def _ended(w, on: dt.date = TODAY) -> int:
    """A placement that started 40 days ago and ended today (or `on`)."""
    booking_id = await to_active(w, start=TODAY - dt.timedelta(days=40), end=ACTIVE_END)
    await bookings.end(w.coordinator, booking_id, "completed", on)
    return booking_id


async def test_an_outcome_before_the_end_is_refused_and_follow_ups_count_from_the_end(client):
    """Seen on the demo: a placement ended 12-04 took the outcome "Arbete" dated 11-01, its
    90-day follow-up fell due 90 days after 11-01 (01-30), and after the date was corrected
    to 12-07, 90 days after that (03-07). The outcome is the situation at exit, and the
    follow-ups count 90 and 180 days from the end (03-04)."""
    w = await make_world()
    end = TODAY - dt.timedelta(days=3)
    booking_id = await _ended(w, on=end)
    await login(client, w.coordinator.username)
    path = f"/api/v1/bookings/{booking_id}/outcome"
    body = {"category": "arbete", "lasts_at_least_one_month": True}
    early = TODAY - dt.timedelta(days=36)
    refused = await client.post(path, json={**body, "outcome_date": str(early)})
    assert refused.status_code == 400
    assert refused.json()["fields"] == ["outcome_date"]
    assert (
        f"Utfallsdatum {early} ligger före dagen placeringen avslutades {end}."
        in refused.json()["detail"]
    )
    assert "ange dagen då placeringen avslutades eller en senare dag" in refused.json()["detail"]
    assert await Outcome.count() == 0 and await FollowUp.count() == 0

    recorded = await client.post(path, json={**body, "outcome_date": str(TODAY)})
    assert recorded.status_code == 201, recorded.text

    async def dues() -> dict[int, dt.date]:
        rows = await FollowUp.select(FollowUp.days, FollowUp.due_date)
        return {r["days"]: r["due_date"] for r in rows}

    expected = {90: end + dt.timedelta(days=90), 180: end + dt.timedelta(days=180)}
    assert await dues() == expected
    # A correction to another day after the end moves nothing; one before it is refused.
    moved = await client.put(
        path, json={**body, "outcome_date": str(end), "reason": "Började samma dag"}
    )
    assert moved.status_code == 200, moved.text
    assert await dues() == expected
    back = await client.put(path, json={**body, "outcome_date": str(early), "reason": "Fel"})
    assert back.status_code == 400 and back.json()["fields"] == ["outcome_date"]
    assert (await Outcome.select(Outcome.outcome_date).first()) == {"outcome_date": end}


async def test_an_outcome_dated_2030_and_work_without_a_month_are_refused_together(client):
    w = await make_world()
    booking_id = await _ended(w)
    await login(client, w.coordinator.username)
    answer = await client.post(
        f"/api/v1/bookings/{booking_id}/outcome",
        json={"category": "arbete", "outcome_date": "2030-01-01"},
    )
    assert answer.status_code == 400
    fields = list(answer.json()["errors"])
    assert fields == ["lasts_at_least_one_month", "outcome_date"]
    assert "Utfallsdatum 2030-01-01 ligger i framtiden" in answer.json()["detail"]
    assert "minst en sammanhängande månad" in answer.json()["detail"]
    assert not re.search(r"[a-z]+_[a-z]+", answer.json()["detail"])  # no internal names
    assert await Outcome.count() == 0


async def test_a_follow_up_as_work_keeps_the_one_month_rule(client):
    w = await make_world()
    booking_id = await _ended(w)
    await outcomes.record_outcome(
        w.coordinator, booking_id, so.OutcomeCreate(category="okant", outcome_date=TODAY)
    )
    follow_up = await FollowUp.select(FollowUp.id).where(FollowUp.days == 90).first()
    assert follow_up is not None
    await login(client, w.coordinator.username)
    path = f"/api/v1/follow-ups/{follow_up['id']}/done"
    refused = await client.post(path, json={"result_category": "arbete"})
    assert refused.status_code == 400
    assert refused.json()["fields"] == ["lasts_at_least_one_month"]
    municipal = await client.post(
        path,
        json={
            "result_category": "arbete",
            "lasts_at_least_one_month": True,
            "municipal_labour_market_job": True,
        },
    )
    assert municipal.status_code == 400
    assert municipal.json()["fields"] == ["municipal_labour_market_job"]
    # The employment boxes with another category contradict it: both named, nothing saved
    # (they were saved as "studier" and the ticks dropped without a word).
    studies = await client.post(
        path,
        json={
            "result_category": "studier",
            "lasts_at_least_one_month": True,
            "municipal_labour_market_job": True,
        },
    )
    assert studies.status_code == 400
    # Studies without CSN are no Kolada studies either: every problem at once.
    assert sorted(studies.json()["fields"]) == [
        "csn_eligible",
        "lasts_at_least_one_month",
        "municipal_labour_market_job",
    ]
    assert "gäller bara Arbete" in studies.json()["detail"]
    done = await client.post(
        path, json={"result_category": "arbete", "lasts_at_least_one_month": True}
    )
    assert done.status_code == 200 and done.json()["status"] == "done"


async def test_a_coordinator_corrects_an_outcome_audited_and_checked(client):
    w = await make_world()
    booking_id = await _ended(w)
    await outcomes.record_outcome(
        w.coordinator, booking_id, so.OutcomeCreate(category="okant", outcome_date=TODAY)
    )
    await login(client, w.coordinator.username)
    path = f"/api/v1/bookings/{booking_id}/outcome"
    # The same rules as a new outcome, and a reason, all reported at once.
    bad = await client.put(
        path, json={"category": "arbete", "outcome_date": "2030-01-01", "reason": " "}
    )
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == [
        "lasts_at_least_one_month",
        "reason",
        "outcome_date",
    ]
    assert (await Outcome.select(Outcome.category).first()) == {"category": "okant"}

    good = await client.put(
        path,
        json={
            "category": "arbete",
            "outcome_date": str(TODAY),
            "lasts_at_least_one_month": True,
            "hired_by_host": True,
            "reason": "Anställningen blev klar samma vecka",
        },
    )
    assert good.status_code == 200, good.text
    assert good.json()["category"] == "arbete" and good.json()["hired_by_host"] is True
    audit = await AuditEntry.select().where(AuditEntry.action == "outcome.correct").first()
    assert audit is not None and audit["subject_id"] == w.candidate_id
    assert (
        f"Okänt {TODAY} → Arbete {TODAY}, anställd hos värden. "
        "Skäl: Anställningen blev klar samma vecka" in audit["detail"]
    )
    event = await BookingEvent.select().where(BookingEvent.note.like("Utfallet rättat%")).first()
    assert event is not None and event["actor_id"] == w.coordinator.id
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert f"Utfallet rättat: Okänt {TODAY} → Arbete {TODAY}" in page.text
    assert f'action="/arbetsbord/bokningar/{booking_id}/ratta-utfall"' in page.text

    # Another coordinator's participant: not found, nothing changed.
    other = await make_world()
    await login(client, other.coordinator.username)
    assert (
        await client.put(
            path, json={"category": "okant", "outcome_date": str(TODAY), "reason": "Test"}
        )
    ).status_code == 404


async def test_the_correction_form_keeps_what_was_typed_and_keeps_the_follow_ups(client):
    w = await make_world()
    end = TODAY - dt.timedelta(days=10)
    booking_id = await _ended(w, on=end)
    await outcomes.record_outcome(
        w.coordinator, booking_id, so.OutcomeCreate(category="okant", outcome_date=TODAY)
    )
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    url = f"/arbetsbord/bokningar/{booking_id}/ratta-utfall"
    form = {
        "_csrf_token": token.group(1),
        "correction": "1",
        "category": "studier",
        "outcome_date": "2030-01-01",
        "note": "Antagen till vårdutbildning",
        "reason": "",
    }
    wrong = await client.post(url, data=form, headers=HTML, follow_redirects=False)
    assert wrong.status_code == 400
    assert "Utfallsdatum 2030-01-01 ligger i framtiden" in wrong.text
    assert "Skriv varför utfallet rättas." in wrong.text
    assert "Antagen till vårdutbildning" in wrong.text  # kept
    # A day before the placement ended is said with the missing reason, at once.
    before_end = await client.post(
        url,
        data={**form, "outcome_date": str(end - dt.timedelta(days=1)), "csn_eligible": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert before_end.status_code == 400
    assert "ligger före dagen placeringen avslutades" in before_end.text
    assert f"dagen placeringen avslutades ({end}) eller en senare dag" in before_end.text  # hint
    assert "Skriv varför utfallet rättas." in before_end.text
    earlier = TODAY - dt.timedelta(days=5)
    done = await client.post(
        url,
        data={**form, "outcome_date": str(earlier), "csn_eligible": "1", "reason": "Fel val"},
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert "utfall-rattat" in done.headers["location"]
    shown = await client.get(done.headers["location"], headers=HTML)
    assert "Utfallet är rättat." in shown.text
    dues = {
        r["days"]: r["due_date"] for r in await FollowUp.select(FollowUp.days, FollowUp.due_date)
    }
    # They count from the placement's end, not from the outcome's date.
    assert dues == {90: end + dt.timedelta(days=90), 180: end + dt.timedelta(days=180)}


async def test_the_start_sweep_counts_from_its_own_day_with_a_fixed_clock():
    w = await make_world()
    start = TODAY + dt.timedelta(days=20)
    booking_id = await propose(w, start=start, end=start + dt.timedelta(days=30))
    await bookings.accept(w.host_user, booking_id)
    await sign_all(w, booking_id)
    with time_machine.travel(dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC), tick=False):
        assert (await bookings.start(w.host_user, booking_id)).status == "active"


async def test_an_import_row_reaching_past_two_years_is_a_row_error_in_both_languages():
    import json

    from placements import exchange

    far = TODAY + dt.timedelta(days=3 * 365)
    row = {
        "external_id": "a",
        "host": {"name": "Verkstaden AB", "kind": "company"},
        "kind": "praktik",
        "title": "Lagerarbete",
        "town": "Vårgårda",
        "capacity": 1,
        "start_date": str(TODAY),
        "end_date": str(far),
    }
    report = await exchange.import_slots(json.dumps(row).encode(), "jsonl")
    assert not report.written
    assert [(e.field, e.line) for e in report.errors] == [("end_date", 1)]
    assert "högst två år fram" in report.errors[0].reason
    ok = {**row, "end_date": str(TODAY + dt.timedelta(days=300))}
    done = await exchange.import_slots(json.dumps(ok).encode(), "jsonl")
    assert done.written and done.created == 1 and not done.errors
