"""The register extract's page in Swedish words (A8 of a tester's walk): the page handed to
the person (GDPR art. 15, "intelligible" by art. 12) showed the tables' column names
("first_name", "plan_goal_shareable False", "coordinator 2"), taxonomy ids, UTC times in ISO
form and the audit log as a table per row (87,000 px). Every column is now labelled in
Swedish or named as bookkeeping (left out of the page, kept in the JSON file)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest

from admin.services import register, register_text
from marketplace.kernel.audit import record
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from marketplace.reference import taxonomy
from placements.tables import (
    Agreement,
    Assessment,
    AttendanceWeek,
    Booking,
    BookingEvent,
    Candidate,
    FollowUp,
    HealthNote,
    LockInFlag,
    Outcome,
    PartnerConsent,
    PlanActivity,
    Signature,
)
from tests.admin import reportdata
from tests.admin.reportdata import A_FIRST, A_LAST
from tests.builders import make_attendance_week
from tests.conftest import login

HTML = {"accept": "text/html"}
EXTRACT_TABLES = (
    Candidate,
    HealthNote,
    PlanActivity,
    Booking,
    BookingEvent,
    Agreement,
    Signature,
    Assessment,
    AttendanceWeek,
    Outcome,
    FollowUp,
    LockInFlag,
    PartnerConsent,
    OutboxMessage,
    AuditEntry,
)


def test_every_column_of_the_extract_is_labelled_or_named_as_bookkeeping():
    """A new column is shown raw, or silently left out of the page, unless it is given its
    Swedish label or named technical: this fails first."""
    assert {t._meta.tablename for t in EXTRACT_TABLES} == set(register.SECTION_TITLES)
    columns = [(t._meta.tablename, [c._meta.name for c in t._meta.columns]) for t in EXTRACT_TABLES]
    assert register_text.unlabelled(columns) == []
    for table, names in columns:
        labelled = set(register_text.COLUMNS[table])
        assert not labelled & register_text.TECHNICAL[table], table
        assert labelled | register_text.TECHNICAL[table] == set(names), table
        # Each label is Swedish words, never the column's own name.
        for name, (label, _) in register_text.COLUMNS[table].items():
            assert label != name and "_" not in label, (table, name)


def _visible(page: str) -> str:
    main = page.split('id="main"', 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


async def test_the_page_speaks_swedish_with_no_column_name_code_or_iso_time(client, make_user):
    data = await reportdata.build(make_user)
    person = data.candidates["A"]
    spoken = list(taxonomy.languages())[:2]
    wished = next(iter(taxonomy.occupations()))
    occupation = taxonomy.occupation(wished)
    assert occupation is not None
    await Candidate.update(
        {
            Candidate.languages: json.dumps(spoken),
            Candidate.wished_occupations: json.dumps([wished]),
            Candidate.plan_goal_shareable: False,
            Candidate.language: "ar",
        }
    ).where(Candidate.id == person)
    booking = data.bookings["b1"]
    await make_attendance_week(booking, dt.date(2026, 1, 19), days_present=3, days_sick=2)
    await make_user("admin", username="alva", first_name="Alva", last_name="Admin")
    for _ in range(30):  # a long log is one table, not thirty
        await record(None, "candidate.read", person, label="system")
    await login(client, "alva")
    page = await client.get(
        f"/registerutdrag/{person}",
        params={"reason": "Begäran från den registrerade"},
        headers=HTML,
    )
    assert page.status_code == 200
    text = _visible(page.text)
    # No column name of any table the extract walks, and no code or id stands on the page.
    names = {c._meta.name for t in EXTRACT_TABLES for c in t._meta.columns}
    english = {n for n in names if "_" in n} | {
        "coordinator",
        "languages",
        "skills",
        "track",
        "phone",
        "email",
        "address",
        "interests",
        "experience",
        "language",
        "active",
        "kompetens",
        "signed",
        "participant",
        "completed",
    }
    found = sorted(n for n in english if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text))
    assert found == []
    assert not any(i in text for i in [*spoken, wished])
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text)  # no ISO time
    assert "(coordinator)" not in text and "(admin)" not in text
    # In words instead.
    for label, value in (
        ("Förnamn", A_FIRST),
        ("Efternamn", A_LAST),
        ("Samordnare", "Sara Ek"),
        ("Spår", "Kompetens"),
        ("Målet får visas för värden", "Nej"),
        ("Valt språk på Mina sidor", "Arabiska"),
        ("Status", "Avslutad"),  # A has exited (stored "exited")
        ("Språk", ", ".join(taxonomy.languages()[i] for i in spoken)),
        ("Önskade yrken", occupation.label),
    ):
        assert re.search(
            rf"<dt>{re.escape(label)}</dt><dd>{re.escape(html.escape(value, quote=False))}</dd>",
            page.text,
        ), (label, value)
    assert "Utdraget togs fram" in text and "Alva Admin (administratör)" in text
    # The audit log is one table, a row per line, with the actions in words.
    audit = page.text.split('id="sec-mp_audit"', 1)[1].split("</section>", 1)[0]
    assert audit.count("<table") == 1 and audit.count("<tr>") >= 31
    assert '<th scope="col">Tid</th><th scope="col">Vem</th><th scope="col">Händelse</th>' in audit
    assert "candidate.read" not in audit and "system" not in audit
    assert '<td data-label="Vem">Tjänsten, automatiskt</td>' in audit
    # The booking's events and the attendance weeks are tables too.
    events = page.text.split('id="sec-pl_booking_event"', 1)[1].split("</section>", 1)[0]
    assert events.count("<table") == 1 and "Överenskommen" in events and "Pågående" in events
    weeks = page.text.split('id="sec-pl_attendance_week"', 1)[1].split("</section>", 1)[0]
    assert weeks.count("<table") == 1 and "Sjuk" in weeks
    # The file keeps every column under its name, for programs.
    extract = await client.get(
        f"/api/v1/register/{person}", params={"reason": "Begäran från den registrerade"}
    )
    sections = {s["table"]: s for s in extract.json()["sections"]}
    row = {f["name"]: f["value"] for f in sections["pl_candidate"]["rows"][0]["fields"]}
    assert set(row) == {c._meta.name for c in Candidate._meta.columns}
    assert json.loads(row["languages"]) == spoken


@pytest.mark.parametrize("stored", ["2026-12-07T09:14:34.495279+00:00"])
def test_a_time_is_swedish_time_to_the_minute(stored):
    names = register_text._Names({}, {}, {}, {}, {}, {}, {})
    assert register_text._said(stored, "time", "created_at", names) == "2026-12-07 10:14"
