"""Audit review (loggkontroll), and audit rows that nothing can change."""

from __future__ import annotations

import csv
import io

import pytest

from marketplace.kernel import audit, clock
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.tables import AuditEntry
from tests.conftest import login


def actor(user) -> AuthUser:
    return AuthUser(
        id=user.id,
        username=user.username,
        role=user.role,
        name=user.username,
        email=user.email,
        team="",
        via="session",
    )


@pytest.fixture
async def log(make_user):
    sara = await make_user("coordinator", username="sara")
    omar = await make_user("coordinator", username="omar")
    await record(actor(sara), "candidate.read", 7)
    await record(actor(sara), "candidate.read", 8)
    await record(actor(omar), "candidate.read", 7)
    await record(actor(omar), "slot.read", 7, subject_type="slot")
    return sara, omar


async def test_accesses_by_user_and_to_person_with_csv(client, make_user, log):
    sara, omar = log
    await make_user("admin", username="alva")
    await login(client, "alva")
    today = clock.today().isoformat()
    by_sara = await client.get(f"/api/v1/audit/?actor_id={sara.id}&start={today}&end={today}")
    assert by_sara.status_code == 200
    assert by_sara.json()["total"] == 2
    assert {i["subject_id"] for i in by_sara.json()["items"]} == {7, 8}
    to_7 = await client.get("/api/v1/audit/?subject_id=7")
    # Person 7 (a candidate) was read by Sara and Omar; the slot with id 7 is another thing.
    assert sorted(i["actor_id"] for i in to_7.json()["items"]) == sorted([sara.id, omar.id])
    export = await client.get("/api/v1/audit/export?subject_id=7")
    assert export.status_code == 200
    # As documented (the API fuzzer compares the two): CSV, its charset named once.
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    document = (await client.get("/schema/openapi.json")).json()
    answers = document["paths"]["/api/v1/audit/export"]["get"]["responses"]["200"]["content"]
    assert list(answers) == ["text/csv"]
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert [r["Användar-id"] for r in rows] == [str(sara.id), str(omar.id)]
    # Swedish headers and the action in words beside its code (they were English column
    # names and codes only).
    assert rows[0]["Händelse"] != rows[0]["Händelsekod"] and rows[0]["Gäller"] == "deltagare"
    # A period without rows is empty; reviews are themselves recorded.
    old = await client.get("/api/v1/audit/?start=2020-01-01&end=2020-01-31")
    assert old.json()["total"] == 0
    assert await AuditEntry.count().where(AuditEntry.subject_type == "audit_log") == 4


async def test_audit_review_is_for_admins_only(client, log):
    assert (await client.get("/api/v1/audit/")).status_code == 401
    await login(client, "sara")
    assert (await client.get("/api/v1/audit/")).status_code == 403
    assert (await client.get("/api/v1/audit/export")).status_code == 403


async def test_database_refuses_to_change_or_delete_audit_rows(log):
    before = await AuditEntry.select().order_by(AuditEntry.id)
    for statement in (
        "UPDATE mp_audit SET detail = 'ändrad'",
        "DELETE FROM mp_audit",
    ):
        with pytest.raises(Exception, match="append-only"):
            await AuditEntry.raw(statement)
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.update({AuditEntry.action: "x"}, force=True)
    assert await AuditEntry.select().order_by(AuditEntry.id) == before


async def test_no_route_changes_audit_rows(app, client, make_user, log):
    """Every write route the app has, called by an admin: the audit rows stay as they were."""
    await make_user("admin", username="alva")
    await login(client, "alva")
    before = await AuditEntry.select().order_by(AuditEntry.id)
    for route in app.routes:
        if "audit" in route.path:
            for handler in getattr(route, "route_handlers", []):
                methods = set(getattr(handler, "http_methods", ())) - {"GET", "HEAD", "OPTIONS"}
                assert not methods, f"{route.path} changes audit rows: {methods}"
    after = await AuditEntry.select().order_by(AuditEntry.id)
    assert after[: len(before)] == before


async def test_a_list_writes_one_row_per_person_as_single_reads_do(make_user):
    sara = actor(await make_user("coordinator", username="sara"))
    await audit.record_many(sara, "candidate.list", [3, 1, 2], detail="sida 1")
    await audit.record_many(
        None, "agreement.read", [5, 5], details=["bokning 1", "bokning 2"], label="deltagare"
    )
    await audit.record_many(sara, "candidate.list", [])  # an empty page writes nothing
    columns = (AuditEntry.actor_label, AuditEntry.subject_id, AuditEntry.action, AuditEntry.detail)
    rows = await AuditEntry.select(*columns).order_by(AuditEntry.id)
    assert [tuple(r.values()) for r in rows] == [
        ("sara (coordinator)", 3, "candidate.list", "sida 1"),
        ("sara (coordinator)", 1, "candidate.list", "sida 1"),
        ("sara (coordinator)", 2, "candidate.list", "sida 1"),
        ("deltagare", 5, "agreement.read", "bokning 1"),
        ("deltagare", 5, "agreement.read", "bokning 2"),
    ]
    with pytest.raises(ValueError):
        await audit.record_many(sara, "candidate.list", [1, 2], details=["bara en"])


async def test_the_review_page_filters_by_kind_of_event_and_pages_both_ways(client, make_user, log):
    """An admin asks "who opened slots?" (one kind of event among a hundred), and steps back
    and forth through a long log."""
    sara, _ = log
    await make_user("admin", username="alva")
    await login(client, "alva")
    client.headers.pop("x-csrftoken", None)
    html = {"accept": "text/html"}
    page = await client.get("/loggkontroll?action=slot.read", headers=html)
    assert page.status_code == 200
    assert '<option value="slot.read" selected>Platsen läst</option>' in page.text
    assert "1 rader." in page.text and "Deltagaren läst" not in page.text.split("<table")[1]
    # An event the log does not know (an edited address) is said beside the field.
    wrong = await client.get("/loggkontroll?action=slot.eaten", headers=html)
    assert wrong.status_code == 400
    assert "Välj en händelse i listan." in wrong.text
    # 113 reads of participants at 100 rows a page: the first page leads on, the second back.
    for n in range(110):
        await record(actor(sara), "candidate.read", 100 + n)
    first = await client.get("/loggkontroll?action=candidate.read", headers=html)
    assert "Sida 1 av 2" in first.text and 'rel="prev"' not in first.text
    assert "action=candidate.read&amp;offset=100" in first.text
    second = await client.get("/loggkontroll?action=candidate.read&offset=100", headers=html)
    assert "Sida 2 av 2" in second.text and 'rel="next"' not in second.text
    assert 'offset=0" rel="prev">Nyare rader</a>' in second.text


async def test_every_role_is_said_in_swedish_in_the_review_and_its_csv(client, make_user):
    """A9 of a tester's walk: the partner contact's rows read "partner (partner)" on the page
    and in the CSV, while every other role was in Swedish: the pattern that finds the role
    had been written out by hand and missed the newest one."""
    from marketplace.kernel.tables import ROLES
    from marketplace.kernel.templating import LABELS, actor_name
    from marketplace.kernel.templating import actor as actor_label

    assert set(LABELS["role"]) == set(ROLES)
    for role in ROLES:
        swedish = LABELS["role"][role]
        assert actor_label(f"kim ({role})") == f"kim ({swedish})"
        assert actor_name(f"kim ({role})") == actor_name(f"kim ({swedish})") == "kim"
    partner = await make_user("partner", username="partner")
    await record(actor(partner), "partner.list", None)
    await make_user("admin", username="alva")
    await login(client, "alva")
    page = await client.get(f"/loggkontroll?actor_id={partner.id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "partner (partnerkontakt)" in page.text and "(partner)" not in page.text
    export = await client.get(f"/api/v1/audit/export?actor_id={partner.id}")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows and {r["Vem"] for r in rows} == {"partner (partnerkontakt)"}
