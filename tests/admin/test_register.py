"""Register extracts and anonymisation: everything about a person out, then nothing left."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from piccolo.columns import JSON, Text, Varchar
from piccolo.conf.apps import Finder

from admin.reports import registry
from admin.services import register
from marketplace.kernel.tables import AuditEntry
from placements.tables import Booking, Candidate, HealthNote, Outcome
from tests.admin import reportdata
from tests.admin.reportdata import A_EMAIL, A_FIRST, A_LAST, A_PNR, PERIOD, SECRET_TEXTS, TODAY
from tests.conftest import login
from tests.placements.test_attacks_signatures import csrf_of


@pytest.fixture
async def data(make_user):
    return await reportdata.build(make_user)


async def every_report() -> dict[str, bytes]:
    return {r.slug: msgspec.json.encode(await r.run(PERIOD, TODAY)) for r in registry.REPORTS}


async def text_hits(needles: list[str]) -> list[str]:
    """Every (table.column) whose text holds one of the needles, over every table."""
    hits = []
    for table in Finder().get_table_classes():
        columns = [c for c in table._meta.columns if isinstance(c, Varchar | Text | JSON)]
        if not columns:
            continue
        for row in await table.select(*columns):
            for column in columns:
                value = str(row[column._meta.name] or "").casefold()
                hits += [
                    f"{table._meta.tablename}.{column._meta.name}: {n}"
                    for n in needles
                    if n.casefold() in value
                ]
    return hits


async def test_anonymisation_leaves_no_trace_and_reports_unchanged(data):
    needles = [A_FIRST, A_LAST, A_PNR, A_PNR.replace("-", ""), A_EMAIL, *SECRET_TEXTS]
    assert await text_hits(needles)  # the search finds the person before
    before = await every_report()

    assert await register.anonymise_candidate(data.candidates["A"]) is True
    assert await text_hits(needles) == []
    assert await every_report() == before  # last month's (and every) figure is unchanged
    assert not await HealthNote.exists().where(HealthNote.candidate == data.candidates["A"])
    # The statistics are still there.
    assert await Outcome.count().where(Outcome.candidate == data.candidates["A"]) == 1
    assert await Booking.count().where(Booking.candidate == data.candidates["A"]) == 2
    row = await Candidate.select().where(Candidate.id == data.candidates["A"]).first()
    assert row is not None
    assert (row["track"], row["registered_at"], row["anonymised_at"] is not None) == (
        "kompetens",
        dt.date(2026, 1, 5),
        True,
    )
    # Twice is harmless, and audited once.
    assert await register.anonymise_candidate(data.candidates["A"]) is False
    assert (
        await AuditEntry.count().where(
            (AuditEntry.action == "candidate.anonymise")
            & (AuditEntry.subject_id == data.candidates["A"])
        )
        == 1
    )


async def test_retention_anonymises_exactly_those_past_the_limit(data):
    # A exited 2026-02-25. Two years later, on 2028-02-24, A is not yet due; on 2028-02-25 A is.
    assert await register.apply_retention(dt.date(2028, 2, 24), 2) == 0
    assert await register.apply_retention(dt.date(2028, 2, 25), 2) == 1
    assert await register.apply_retention(dt.date(2028, 2, 25), 2) == 0  # idempotent
    anonymised = await Candidate.select(Candidate.id).where(Candidate.anonymised_at.is_not_null())
    assert [r["id"] for r in anonymised] == [data.candidates["A"]]
    assert register.years_before(dt.date(2028, 2, 29), 2) == dt.date(2026, 2, 28)


async def test_register_extract_json_and_page_for_admin_and_own_coordinator(
    client, data, make_user
):
    await make_user("admin", username="alva")
    await login(client, "alva")
    a = data.candidates["A"]
    reason = {"reason": "Begäran från den registrerade"}
    response = await client.get(f"/api/v1/register/{a}", params=reason)
    assert response.status_code == 200
    body = response.json()
    tables = {s["table"]: s for s in body["sections"]}
    assert {"pl_candidate", "pl_health_note", "pl_booking", "pl_outcome", "mp_audit"} <= set(tables)
    text = response.text
    # The health note is left out for an admin, as the health-note API refuses it.
    for expected in (A_FIRST, A_PNR, A_EMAIL, *SECRET_TEXTS[1:]):
        assert expected in text
    assert SECRET_TEXTS[0] not in text and tables["pl_health_note"]["note"]
    asking = await client.get(f"/registerutdrag/{a}", headers={"accept": "text/html"})
    assert asking.status_code == 200 and A_PNR not in asking.text and 'name="reason"' in asking.text
    page = await client.get(f"/registerutdrag/{a}", params=reason, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert A_PNR in page.text and "Hälsoanteckningar" in page.text
    # Both reads are audited, with the reason.
    actions = [
        r["detail"]
        for r in await AuditEntry.select(AuditEntry.detail).where(
            (AuditEntry.action == "candidate.extract") & (AuditEntry.subject_id == a)
        )
    ]
    assert sorted(actions) == [
        "json: Begäran från den registrerade",
        "sida: Begäran från den registrerade",
    ]
    # Sara is A's coordinator and gets the health notes too; Omar is not (404, as if A did not
    # exist); analysts are refused.
    client.cookies.clear()
    await login(client, "sara")
    own = await client.get(f"/api/v1/register/{a}", params=reason)
    assert own.status_code == 200 and SECRET_TEXTS[0] in own.text
    client.cookies.clear()
    await login(client, "omar")
    assert (await client.get(f"/api/v1/register/{a}", params=reason)).status_code == 404
    await make_user("analyst", username="anna")
    client.cookies.clear()
    await login(client, "anna")
    assert (await client.get(f"/api/v1/register/{a}", params=reason)).status_code == 403


async def test_anonymise_over_the_api_is_admin_only(client, data, make_user):
    a = data.candidates["A"]
    await login(client, "sara")
    assert (await client.post(f"/api/v1/register/{a}/anonymise")).status_code == 403
    await make_user("admin", username="alva")
    client.cookies.clear()
    await login(client, "alva")
    done = await client.post(f"/api/v1/register/{a}/anonymise")
    assert done.status_code == 200
    assert done.json() == {"candidate_id": a, "anonymised": True, "already": False}
    again = await client.post(f"/api/v1/register/{a}/anonymise")
    assert again.json()["already"] is True
    assert (await client.post("/api/v1/register/999999/anonymise")).status_code == 404


async def test_anonymise_page_refuses_an_unticked_box_and_keeps_the_extract(
    client, data, make_user
):
    """Seen in a tester's walk: posted without the box ticked (what a client without HTML
    validation sends), the page said "Deltagaren är anonymiserad." and nothing was done.
    Now the box is checked on the server: a Swedish 400 next to the box, the participant
    untouched, and the extract shown again with the reason typed for it."""
    await make_user("admin", username="alva")
    await login(client, "alva")
    client.headers.pop("x-csrftoken")  # a browser: the forms carry the page's CSRF field
    a = data.candidates["A"]
    html = {"accept": "text/html"}
    reason = "Begäran från den registrerade 3 december"
    page = await client.get(f"/registerutdrag/{a}", params={"reason": reason}, headers=html)
    assert page.status_code == 200
    # The form carries the extract's reason, so that a refused post can show it again.
    assert f'name="reason" value="{reason}"' in page.text
    refused = await client.post(
        f"/registerutdrag/{a}/anonymisera",
        data={"reason": reason, "_csrf_token": csrf_of(page.text)},
        headers=html,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert "klart=anonymiserad" not in refused.headers.get("location", "")
    assert (
        '<span class="error" id="f-confirm-error">Kryssa i rutan ”Jag förstår att det inte går '
        "att ångra” för att anonymisera deltagaren.</span>"
    ) in refused.text
    assert A_PNR in refused.text and f"”{reason}”" in refused.text  # the extract, kept
    row = await Candidate.select(Candidate.anonymised_at).where(Candidate.id == a).first()
    assert row == {"anonymised_at": None}
    assert not await AuditEntry.exists().where(AuditEntry.action == "candidate.anonymise")
    # A post without the extract's reason (not the page's form) is asked to start there.
    bare = await client.post(
        f"/registerutdrag/{a}/anonymisera",
        data={"_csrf_token": csrf_of(refused.text)},
        headers=html,
        follow_redirects=False,
    )
    assert bare.status_code == 400 and "Ta fram registerutdraget först" in bare.text
    assert A_PNR not in bare.text
    # Ticked, it is done and said.
    done = await client.post(
        f"/registerutdrag/{a}/anonymisera",
        data={"reason": reason, "confirm": "ja", "_csrf_token": csrf_of(refused.text)},
        headers=html,
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/registerutdrag/{a}?klart=anonymiserad"
    row = await Candidate.select(Candidate.anonymised_at).where(Candidate.id == a).first()
    assert row is not None and row["anonymised_at"] is not None
