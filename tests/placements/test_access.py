"""Who sees a candidate, proved route by route:

- coordinators see their own candidates, and their team's only when the admin allows it;
- health notes are readable only by the candidate's own coordinator;
- hosts see only participants proposed to or placed with them, and only the name, contact
  details (once they have accepted: tests/placements/test_host_sees_what_it_needs.py) and
  shareable adaptations; no host-reachable route ever answers with a personnummer, a health
  note or an unshared adaptation;
- analysts never see a person;
- every candidate read leaves an audit row, and no route alters the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from marketplace.kernel.auth import public, route_guards
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from placements.schemas import candidates as sc
from placements.schemas import outcomes as so
from placements.services import agreements, bookings, candidate_updates, candidates, outcomes
from tests.builders import make_candidate, make_host, make_host_user, make_user
from tests.conftest import login
from tests.placements.bookingdata import (
    END,
    HEALTH_TEXT,
    PNR,
    SECRET_ADAPTATION,
    SHARED_ADAPTATION,
    TODAY,
    World,
    make_world,
    propose,
    sign_all,
    write_win_win,
)

SECRETS = (PNR, PNR.replace("-", ""), PNR[2:], HEALTH_TEXT, SECRET_ADAPTATION, "Medicinering")


@pytest.fixture
def team_sharing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The admin allows coordinators to see their team's candidates (TEAM_SHARING=true)."""
    monkeypatch.setenv("TEAM_SHARING", "true")
    get_settings.cache_clear()
    assert get_settings().team_sharing
    yield
    get_settings.cache_clear()


async def secret_world() -> World:
    """A participant with a personnummer, a health note and an unshared adaptation, proposed
    to the host; a second placement of theirs there is completed, assessed and has an outcome."""
    w = await make_world(capacity=2)
    await candidate_updates.update_candidate(
        w.coordinator,
        w.candidate_id,
        sc.CandidateUpdate(
            personnummer=PNR,
            adaptations=[
                sc.Adaptation(text=SHARED_ADAPTATION, shareable=True),
                sc.Adaptation(text=SECRET_ADAPTATION, shareable=False),
                sc.Adaptation(text="Medicinering", shareable=False),
            ],
        ),
    )
    await candidates.add_health_note(
        w.coordinator, w.candidate_id, sc.HealthNoteCreate(HEALTH_TEXT)
    )
    done = await propose(w, start=TODAY)
    await bookings.accept(w.host_user, done)
    await write_win_win(done)
    await sign_all(w, done)
    await bookings.start(w.host_user, done)
    await bookings.end(w.host_user, done, "completed", TODAY)
    await outcomes.submit_assessment(
        w.host_user,
        done,
        so.AssessmentCreate(attendance="god", recommendation="would_hire", strengths="Noggrann"),
    )
    await outcomes.record_outcome(
        w.coordinator,
        done,
        so.OutcomeCreate(
            category="arbete",
            outcome_date=TODAY,
            lasts_at_least_one_month=True,
            hired_by_host=True,
        ),
    )
    later = await propose(w, start=END + dt.timedelta(days=5), end=END + dt.timedelta(days=60))
    await bookings.accept(w.host_user, later)
    await write_win_win(later)
    w.extra.update(done=done, booking=later)
    return w


async def test_coordinators_see_their_own_candidates_only(client, make_client):
    sara = await make_user("coordinator", team="norra")
    omar = await make_user("coordinator", team="norra")
    mine = await make_candidate(sara, "Aida")
    theirs = await make_candidate(omar, "Bo")
    await login(client, sara.username)
    listed = await client.get("/api/v1/candidates/")
    assert [c["id"] for c in listed.json()["items"]] == [mine]
    assert (await client.get(f"/api/v1/candidates/{theirs}")).status_code == 404
    assert (await client.get(f"/api/v1/candidates/{theirs}/plan")).status_code == 404
    assert (
        await client.patch(f"/api/v1/candidates/{theirs}", json={"status": "paused"})
    ).status_code == 404
    booking_page = await client.get("/api/v1/bookings/")
    assert booking_page.status_code == 200


async def test_team_candidates_only_when_the_admin_allows_it(client, team_sharing):
    sara = await make_user("coordinator", team="norra")
    omar = await make_user("coordinator", team="norra")
    other_team = await make_user("coordinator", team="södra")
    team_candidate = await make_candidate(omar, "Bo")
    far_candidate = await make_candidate(other_team, "Cia")
    await login(client, sara.username)
    assert (await client.get(f"/api/v1/candidates/{team_candidate}")).status_code == 200
    assert (await client.get(f"/api/v1/candidates/{far_candidate}")).status_code == 404
    listed = await client.get("/api/v1/candidates/")
    assert [c["id"] for c in listed.json()["items"]] == [team_candidate]
    # Even with sharing on, health notes stay with the candidate's own coordinator.
    notes = await client.get(f"/api/v1/candidates/{team_candidate}/health-notes")
    assert notes.status_code == 403
    assert "egen samordnare" in notes.json()["detail"]


async def test_without_team_sharing_the_team_sees_nothing(client):
    assert not get_settings().team_sharing
    sara = await make_user("coordinator", team="norra")
    omar = await make_user("coordinator", team="norra")
    team_candidate = await make_candidate(omar, "Bo")
    await login(client, sara.username)
    assert (await client.get(f"/api/v1/candidates/{team_candidate}")).status_code == 404


async def test_health_notes_only_for_the_own_coordinator(client, make_client):
    w = await make_world()
    await candidates.add_health_note(
        w.coordinator, w.candidate_id, sc.HealthNoteCreate(HEALTH_TEXT)
    )
    await login(client, w.coordinator.username)
    own = await client.get(f"/api/v1/candidates/{w.candidate_id}/health-notes")
    assert own.status_code == 200 and own.json()[0]["text"] == HEALTH_TEXT
    admin = await make_user("admin")
    other = await make_client()
    await login(other, admin.username)
    assert (await other.get(f"/api/v1/candidates/{w.candidate_id}")).status_code == 200
    denied = await other.get(f"/api/v1/candidates/{w.candidate_id}/health-notes")
    assert denied.status_code == 403
    assert HEALTH_TEXT not in denied.text
    detail = await other.get(f"/api/v1/candidates/{w.candidate_id}")
    assert HEALTH_TEXT not in detail.text


async def test_host_sees_only_name_contact_and_shared_adaptations(client):
    w = await secret_world()
    never_proposed = await make_candidate(w.coordinator, "Dan")
    await login(client, w.host_user.username)
    seen = await client.get(f"/api/v1/participants/{w.candidate_id}")
    assert seen.status_code == 200
    assert seen.json() == {
        "id": w.candidate_id,
        "first_name": "Aida",
        "last_name": "Andersson",
        "email": seen.json()["email"],
        "phone": "070-123 45 67",
        "shared_adaptations": [SHARED_ADAPTATION],
    }
    assert (await client.get(f"/api/v1/participants/{never_proposed}")).status_code == 404
    assert (await client.get(f"/api/v1/candidates/{w.candidate_id}")).status_code == 403
    assert (await client.get("/api/v1/candidates/")).status_code == 403
    # Another organisation's host user does not see the participant at all.
    stranger = await make_host_user(await make_host("Annan AB"))
    await login(client, stranger.username)
    assert (await client.get(f"/api/v1/participants/{w.candidate_id}")).status_code == 404
    rows = await AuditEntry.select().where(AuditEntry.action == "participant.read")
    assert [r["subject_id"] for r in rows] == [w.candidate_id]


async def test_analysts_never_see_a_person(client, app):
    w = await secret_world()
    analyst = await make_user("analyst")
    await login(client, analyst.username)
    ids = {
        "candidate_id": w.candidate_id,
        "booking_id": w.extra["booking"],
        "host_id": w.host_id,
        "activity_id": 1,
        "follow_up_id": 1,
    }
    checked = 0
    for method, path, _ in routes(app):
        if not path.startswith(
            (
                "/api/v1/candidates",
                "/api/v1/participants",
                "/api/v1/bookings",
                "/api/v1/follow-ups",
                "/api/v1/lock-in",
            )
        ):
            continue
        response = await client.request(method, fill(path, ids), json={})
        assert response.status_code in (403, 404), (method, path, response.status_code)
        checked += 1
    assert checked >= 20
    ledger = await client.get(f"/api/v1/hosts/{w.host_id}/ledger")
    assert ledger.status_code == 200  # figures only
    assert "Aida" not in ledger.text and not any(s in ledger.text for s in SECRETS)


# --- every host-reachable route -----------------------------------------------------------------


def routes(app: Litestar) -> list[tuple[str, str, HTTPRouteHandler]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method not in {"HEAD", "OPTIONS"}:
                    found.append((method, route.path, handler))
    return found


def host_may_call(handler: HTTPRouteHandler) -> bool:
    for guard in route_guards(handler):
        roles = getattr(guard, "roles", None)
        if guard is public:
            continue
        if roles is not None and "host" not in roles:
            return False
    return True


def fill(path: str, ids: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name, _, kind = match.group(1).partition(":")
        if name in ids:
            return str(ids[name])
        return "1" if kind == "int" else "x"

    return re.sub(r"\{([^}]+)\}", value, path)


async def test_no_host_reachable_route_answers_with_secrets(client, app):
    w = await secret_world()
    links = await agreements.issue_signing_links(w.coordinator, w.extra["booking"])
    ids = {
        "booking_id": w.extra["booking"],
        "candidate_id": w.candidate_id,
        "host_id": w.host_id,
        "slot_id": w.slot_id,
        "contact_id": w.supervisor_id,
        "token": links.links[0].url.rsplit("/", 1)[1],
        "path": "site.css",
    }
    await login(client, w.host_user.username)
    reachable = [(m, p, h) for m, p, h in routes(app) if host_may_call(h)]
    assert len(reachable) >= 20
    called = []
    # Reads first, with everything in place; then every write, each answer checked too.
    ordered = sorted(reachable, key=lambda r: (r[0] != "GET", r[1]))
    for method, path, _ in ordered:
        if path.endswith(("/logout", "/logga-ut")):
            continue
        url = fill(path, ids)
        response = await client.request(
            method,
            url,
            json={},
            headers={"accept": "text/html"} if not path.startswith("/api/") else {},
        )
        if response.status_code == 401:  # a route that ended the session: sign in again
            await login(client, w.host_user.username)
            response = await client.request(method, url, json={})
        body = response.text
        for secret in SECRETS:
            assert secret not in body, (method, path, secret)
        called.append((method, path, response.status_code))
    assert any(p == "/api/v1/participants/{candidate_id:int}" for _, p, _ in called)
    assert any(p.startswith("/api/v1/bookings/{booking_id:int}/agreement") for _, p, _ in called)
    # The host's own mail carries none of it either.
    host_mail = await OutboxMessage.select(OutboxMessage.body_text, OutboxMessage.subject).where(
        OutboxMessage.recipient == w.host_user.email
    )
    assert host_mail
    for mail in host_mail:
        for secret in SECRETS:
            assert secret not in mail["body_text"] + mail["subject"]


async def test_every_candidate_read_route_leaves_an_audit_row(client, app):
    w = await secret_world()
    await login(client, w.coordinator.username)
    ids = {"candidate_id": w.candidate_id, "booking_id": w.extra["done"]}
    read_routes = [
        (m, p)
        for m, p, _ in routes(app)
        if m == "GET"
        and (p.startswith("/api/v1/candidates/{") or p.startswith("/api/v1/bookings/{"))
    ]
    assert len(read_routes) >= 7
    for method, path in read_routes:
        before = await AuditEntry.count().where(AuditEntry.subject_id == w.candidate_id)
        response = await client.request(method, fill(path, ids))
        assert response.status_code == 200, (path, response.text)
        after = await AuditEntry.count().where(AuditEntry.subject_id == w.candidate_id)
        assert after == before + 1, path
    last = await AuditEntry.select().order_by(AuditEntry.id, ascending=False).first()
    assert last is not None and last["actor_id"] == w.coordinator.id and last["at"]


async def test_no_route_changes_or_deletes_audit_rows(app):
    for method, path, _ in routes(app):
        if "audit" in path or "loggkontroll" in path:
            assert method == "GET", f"{method} {path} could alter the audit log"


async def test_a_host_that_declined_no_longer_sees_the_participants_details(client):
    """What the placement needs: once the host declined, nothing more of the participant."""
    w = await make_world()
    booking_id = await propose(w)
    await candidate_updates.update_candidate(
        w.coordinator,
        w.candidate_id,
        sc.CandidateUpdate(adaptations=[sc.Adaptation(text=SHARED_ADAPTATION, shareable=True)]),
    )
    await login(client, w.host_user.username)
    before = await client.get(f"/vard/bokningar/{booking_id}", headers={"accept": "text/html"})
    assert before.status_code == 200 and SHARED_ADAPTATION in before.text
    # A proposal shows no contact details (tests/placements/test_host_sees_what_it_needs.py).
    assert "070-123 45 67" not in before.text
    assert (await client.get(f"/api/v1/participants/{w.candidate_id}")).status_code == 200
    await bookings.decline(w.host_user, booking_id, "Vi har inte tid just nu.")
    gone = await client.get(f"/api/v1/participants/{w.candidate_id}")
    assert gone.status_code == 404
    after = await client.get(f"/vard/bokningar/{booking_id}", headers={"accept": "text/html"})
    assert after.status_code == 200
    assert "Ni har avböjt förslaget" in after.text
    assert SHARED_ADAPTATION not in after.text and "070-123 45 67" not in after.text
    # A new proposal to the same host shows them again.
    await propose(w)
    assert (await client.get(f"/api/v1/participants/{w.candidate_id}")).status_code == 200
