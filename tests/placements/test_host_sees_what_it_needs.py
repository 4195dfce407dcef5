"""A host sees only what a proposal needs until it has accepted (OSL 26:1).

The answer link mailed to a host without an account showed the first name and the shared
adaptations, but a host with an account saw the participant's full name, e-mail and phone on
the booking's page, in its lists and in the API while the booking was only proposed. Now one
rule (`placements.booking_states.host_view`) decides for every host path: a proposal shows
the first name and the shared adaptations; once the host has accepted (and through the
placement and after it) also the last name, e-mail and phone; after a decline, nothing more.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re

from marketplace.kernel.tables import AuditEntry
from placements import booking_states
from placements.booking_states import HostView
from placements.services import bookings
from placements.tables import Candidate, Slot
from tests.builders import make_slot
from tests.conftest import login
from tests.placements.bookingdata import (
    END,
    SECRET_ADAPTATION,
    SHARED_ADAPTATION,
    TODAY,
    World,
    give_adaptations,
    make_world,
    propose,
    to_active,
)
from tests.placements.test_answer_pages import csrf_of, visible_text
from tests.placements.test_answer_pages import login as form_login
from tests.placements.test_answers import links_mailed, unlinked_world

HTML = {"accept": "text/html"}
PHONE = "070-123 45 67"
NOTE = "Efternamn och kontaktuppgifter visas när ni har tackat ja."


async def _with_adaptations(w: World) -> str:
    """Give the participant a shared and an unshared adaptation; return their e-mail."""
    await give_adaptations(w)
    row = await Candidate.select(Candidate.email).where(Candidate.id == w.candidate_id).first()
    assert row is not None and row["email"]
    return str(row["email"])


def _heading_and_title(page: str) -> tuple[str, str]:
    """The page's h1, and its title without the site's name after the last dash."""
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert title and h1
    return title.group(1).rsplit(" – ", 1)[0], h1.group(1)


async def _slot_title(w: World) -> str:
    row = await Slot.select(Slot.title).where(Slot.id == w.slot_id).first()
    assert row is not None
    return str(row["title"])


async def _reads(action: str, candidate_id: int) -> int:
    return await AuditEntry.count().where(
        (AuditEntry.action == action) & (AuditEntry.subject_id == candidate_id)
    )


async def test_a_proposal_shows_the_host_the_first_name_and_shared_adaptations_only(client):
    w = await make_world()
    email = await _with_adaptations(w)
    booking_id = await propose(w)
    title = await _slot_title(w)
    await login(client, w.host_user.username)

    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    assert _heading_and_title(page.text) == (f"Aida – {title}", f"Aida – {title}")
    text = visible_text(page.text)
    assert "Aida" in text and SHARED_ADAPTATION in text and NOTE in text
    for hidden in ("Andersson", email, PHONE, SECRET_ADAPTATION):
        assert hidden not in page.text, hidden

    home = await client.get("/vard", headers=HTML)
    assert home.status_code == 200
    assert f"Aida till {title}" in visible_text(home.text)
    assert "Andersson" not in home.text and email not in home.text

    participant = await client.get(f"/api/v1/participants/{w.candidate_id}")
    assert participant.status_code == 200
    assert participant.json() == {
        "id": w.candidate_id,
        "first_name": "Aida",
        "last_name": None,
        "email": None,
        "phone": None,
        "shared_adaptations": [SHARED_ADAPTATION],
    }
    one = await client.get(f"/api/v1/bookings/{booking_id}")
    listed = await client.get("/api/v1/bookings/")
    assert one.status_code == 200 and listed.status_code == 200
    assert one.json()["participant"]["name"] == "Aida"
    assert [b["participant"]["name"] for b in listed.json()["items"]] == ["Aida"]
    for response in (one, listed):
        assert "Andersson" not in response.text and email not in response.text

    # Each read stays audited: the page and the API each read the participant.
    assert await _reads("participant.read", w.candidate_id) == 2
    assert await _reads("booking.read", w.candidate_id) >= 2


async def test_staff_still_read_the_full_name_of_a_proposal(client):
    w = await make_world()
    booking_id = await propose(w)
    await login(client, w.coordinator.username)
    one = await client.get(f"/api/v1/bookings/{booking_id}")
    assert one.status_code == 200
    assert one.json()["participant"]["name"] == "Aida Andersson"


async def test_once_the_host_has_accepted_it_sees_the_last_name_and_contact_details(client):
    w = await make_world()
    email = await _with_adaptations(w)
    booking_id = await propose(w)
    title = await _slot_title(w)
    await form_login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    accepted = await client.post(
        f"/vard/bokningar/{booking_id}/acceptera",
        data={"_csrf_token": csrf_of(page.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text

    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    full = f"Aida Andersson – {title}"
    assert _heading_and_title(page.text) == (full, full)
    text = visible_text(page.text)
    assert email in text and PHONE in text and SHARED_ADAPTATION in text
    assert NOTE not in text and SECRET_ADAPTATION not in page.text

    participant = await client.get(f"/api/v1/participants/{w.candidate_id}")
    assert participant.status_code == 200
    assert participant.json() == {
        "id": w.candidate_id,
        "first_name": "Aida",
        "last_name": "Andersson",
        "email": email,
        "phone": PHONE,
        "shared_adaptations": [SHARED_ADAPTATION],
    }
    one = await client.get(f"/api/v1/bookings/{booking_id}")
    assert one.json()["participant"]["name"] == "Aida Andersson"


async def test_a_running_and_an_ended_placement_show_the_contact_details(client):
    w = await make_world()
    booking_id = await to_active(w)
    await login(client, w.host_user.username)
    running = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert running.status_code == 200 and PHONE in running.text and NOTE not in running.text
    await bookings.end(w.host_user, booking_id, "completed", TODAY)
    ended = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert ended.status_code == 200 and PHONE in ended.text
    assert "Aida Andersson" in visible_text(ended.text)
    participant = await client.get(f"/api/v1/participants/{w.candidate_id}")
    assert participant.json()["phone"] == PHONE


async def test_a_placement_ended_long_ago_shows_only_the_first_name(client):
    """Seen in a host's walk: a placement that ended a year before still showed the
    participant's e-mail, phone and adaptations to anyone at the host who typed its address.
    For HOST_CONTACT_DAYS after the end the host keeps them (the last weeks' attendance, the
    assessment); then the booking is listed by the first name, as a declined one is."""
    import datetime as dt

    from marketplace.kernel import clock
    from placements.tables import Booking

    w = await make_world()
    booking_id = await to_active(w)
    await _with_adaptations(w)
    await bookings.end(w.host_user, booking_id, "completed", TODAY)
    await login(client, w.host_user.username)
    days = booking_states.HOST_CONTACT_DAYS
    await Booking.update({Booking.ended_at: clock.now() - dt.timedelta(days=days - 1)}).where(
        Booking.id == booking_id
    )
    recent = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert PHONE in recent.text and SHARED_ADAPTATION in recent.text
    await Booking.update({Booking.ended_at: clock.now() - dt.timedelta(days=days + 1)}).where(
        Booking.id == booking_id
    )
    old = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert old.status_code == 200
    text = visible_text(old.text)
    assert PHONE not in text and SHARED_ADAPTATION not in text and "Andersson" not in text
    assert f"avslutades för mer än {days} dagar sedan" in text
    assert (await client.get(f"/api/v1/participants/{w.candidate_id}")).status_code == 404
    one = await client.get(f"/api/v1/bookings/{booking_id}")
    assert one.json()["participant"]["name"] == "Aida"
    # The agreement names the participant in full: gone from the host's pages too (the
    # municipality keeps the archive copy).
    assert "Överenskommelse, version" not in text
    pdf = await client.get(f"/bokningar/{booking_id}/overenskommelse.pdf")
    assert pdf.status_code == 404 and "Samordnaren har den i arkivet" in pdf.text


def test_the_host_view_of_an_ended_placement_follows_its_end():
    import datetime as dt

    now = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)
    days = booking_states.HOST_CONTACT_DAYS
    recent, old = now - dt.timedelta(days=days), now - dt.timedelta(days=days, seconds=1)
    assert booking_states.host_view("completed", recent, now) == HostView.PLACEMENT
    assert booking_states.host_view("interrupted", old, now) == HostView.FIRST_NAME
    assert booking_states.host_view("completed", old) == HostView.PLACEMENT  # no clock given
    assert booking_states.host_view("active", old, now) == HostView.PLACEMENT  # not ended
    assert booking_states.host_view("declined", old, now) == HostView.FIRST_NAME


async def test_a_proposal_beside_an_accepted_placement_shows_only_what_it_allows(client):
    """The page of a proposal follows its own booking; the participant API, which names no
    booking, shows what the most advanced of the host's bookings of the participant allows."""
    w = await make_world()
    placed = await propose(w)
    await bookings.accept(w.host_user, placed)
    other_slot = await make_slot(w.host_id, w.supervisor_id, title="Kassabiträde", capacity=1)
    # The next placement, after this one (one over its period is refused when proposed).
    after = END + dt.timedelta(days=1)
    proposed = await propose(
        w, slot_id=other_slot, start=after, end=after + dt.timedelta(days=30), confirm=True
    )
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{proposed}", headers=HTML)
    assert page.status_code == 200
    assert PHONE not in page.text and "Andersson" not in page.text and NOTE in page.text
    assert PHONE in (await client.get(f"/vard/bokningar/{placed}", headers=HTML)).text
    assert (await client.get(f"/api/v1/participants/{w.candidate_id}")).json()["phone"] == PHONE
    names = {
        b["id"]: b["participant"]["name"]
        for b in (await client.get("/api/v1/bookings/")).json()["items"]
    }
    assert names == {placed: "Aida Andersson", proposed: "Aida"}


async def test_a_declined_proposal_keeps_only_the_first_name(client):
    w = await make_world()
    await _with_adaptations(w)
    booking_id = await propose(w)
    await bookings.decline(w.host_user, booking_id, "Vi har inte tid just nu.")
    await login(client, w.host_user.username)
    one = await client.get(f"/api/v1/bookings/{booking_id}")
    assert one.status_code == 200 and one.json()["participant"]["name"] == "Aida"
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200 and "Ni har avböjt förslaget" in page.text
    for hidden in ("Andersson", PHONE, SHARED_ADAPTATION, NOTE):
        assert hidden not in page.text, hidden
    assert (await client.get(f"/api/v1/participants/{w.candidate_id}")).status_code == 404


async def test_the_answer_link_shows_what_the_portal_shows_of_a_proposal(client):
    u = await unlinked_world()
    booking_id = await propose(u.w)
    token = (await links_mailed(booking_id))["karin@bygg.example.se"]
    shown = await client.get(f"/forslag/{booking_id}/svar/{token}", headers=HTML)
    assert shown.status_code == 200
    text = visible_text(shown.text)
    assert "Aida" in text and SHARED_ADAPTATION in text
    for hidden in ("Andersson", PHONE, "@deltagare.example.se", SECRET_ADAPTATION):
        assert hidden not in shown.text, hidden
    assert "Efternamn och kontaktuppgifter får ni i överenskommelsen" in text
    assert await _reads("booking.read", u.w.candidate_id) == 1


def test_every_booking_status_has_a_host_view_and_an_unknown_one_shows_nothing():
    from placements.vocabulary import BOOKING_STATUSES

    assert set(booking_states.HOST_VIEWS) == set(BOOKING_STATUSES)
    assert booking_states.host_view("proposed") is HostView.PROPOSAL
    assert booking_states.host_view("declined") is HostView.FIRST_NAME
    assert booking_states.host_view(booking_states.AWAITING) is HostView.HIDDEN
    assert booking_states.host_view("withdrawn") is HostView.HIDDEN
    for status in ("accepted", "agreed", "active", "completed", "interrupted"):
        assert booking_states.host_view(status) is HostView.PLACEMENT
    assert booking_states.host_view("no_such_status") is HostView.HIDDEN


async def test_the_hosts_page_lists_its_ended_placements(client):
    """Seen in a host's walk: an ended and assessed placement was listed nowhere on /vard,
    and reporting its last week meant typing the booking's address."""
    from marketplace.kernel import clock
    from tests.builders import make_assessment

    w = await make_world()
    booking_id = await to_active(w)
    await login(client, w.host_user.username)
    home = await client.get("/vard", headers=HTML)
    assert "Inga avslutade placeringar med bedömning ännu." in home.text
    await bookings.end(w.host_user, booking_id, "completed", TODAY)
    await make_assessment(booking_id, submitted_at=clock.now())
    home = await client.get("/vard", headers=HTML)
    past = home.text.split('id="avslutade"')[1].split("</section>")[0]
    assert f'href="/vard/bokningar/{booking_id}"' in past and "Aida Andersson" in past
