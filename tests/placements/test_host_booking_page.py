"""The host portal's booking page, from a host's day (December 2026).

The proposal when nothing fits: the slot's only supervisor was full for the whole of the
slot's dates, and the page said "Föreslå en annan period" though it also said no period had
room, with no way to make room from there. Now the page says what would help (a supervisor
with room, or more seats) and links to where the host does that; a proposal that fits
another period still asks for that period. Then whom the host asks, how the host ends a
placement, and one error summary per refused form.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from html import unescape
from typing import Any

import pytest

from employers.tables import Host
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.tables import OutboxMessage
from placements.schemas.outcomes import AssessmentCreate
from placements.services import bookings, outcomes, slots
from placements.tables import Booking, BookingEvent, Slot
from tests.builders import make_candidate, make_host, make_host_user, make_slot
from tests.placements.bookingdata import (
    ACTIVE_START,
    END,
    START,
    make_world,
    propose,
    to_active,
    write_win_win,
)
from tests.placements.test_attacks_signatures import csrf_of, login

HTML = {"accept": "text/html"}


async def _second_proposal(*, capacity: int, supervision: int, slot_end=END):
    """A slot whose dates are exactly one period, with its first proposal accepted, and a
    second proposal for the same period (sent despite the warning)."""
    w = await make_world(capacity=capacity, supervision=supervision)
    slot_id = await make_slot(
        w.host_id, w.supervisor_id, capacity=capacity, start=START, end=slot_end
    )
    w.slot_id = slot_id
    first = await propose(w)
    await bookings.accept(w.host_user, first)
    await write_win_win(first)
    second = await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"), confirm=True)
    return w, second


async def test_a_full_supervisor_with_no_free_period_links_to_the_supervisors(client):
    w, booking_id = await _second_proposal(capacity=2, supervision=1)
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert "Det finns ingen period med plats inom platsens datum." in text
    # Not the dead end: no period has room, so asking for another one helps nobody.
    assert "Föreslå en annan period." not in text
    assert "Lägg till en handledare eller ge en handledare plats för fler deltagare" in text
    assert f'href="/vard/organisation/{w.host_id}#kontakter"' in text


async def test_a_full_slot_with_no_free_period_links_to_the_slot(client):
    w, booking_id = await _second_proposal(capacity=1, supervision=5)
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    assert "Öka antalet platser på platsen" in page.text
    assert f'href="/vard/platser/{w.slot_id}"' in page.text
    assert "#kontakter" not in page.text


async def test_a_free_later_period_is_still_suggested_without_the_make_room_link(client):
    w, booking_id = await _second_proposal(capacity=2, supervision=1, slot_end=None)
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    assert "Första period med plats:" in page.text
    assert "Föreslå en annan period, eller avböj förslaget." in page.text
    assert 'id="gor-plats"' not in page.text


# --- whom the host asks ------------------------------------------------------------------------
# The host portal's booking page named the coordinator only inside the agreement, without a
# way to reach her, and nothing said who ends a placement: a host with a question, or a
# participant who stopped coming, had nowhere to turn. The page a host without an account
# answers on already named her.


async def test_the_host_page_names_the_coordinator_to_ask(client):
    w = await make_world()
    booking_id = await propose(w)
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    name = f"{w.coordinator.username.capitalize()} Testsson"
    email = f"{w.coordinator.username}@test.example.se"
    assert f"Frågor om förslaget? Kontakta samordnaren {name}" in page.text
    assert f'href="mailto:{email}"' in page.text
    assert "avslutas i förtid" not in page.text  # nothing started yet


async def test_a_running_placement_names_the_coordinator_and_offers_the_end(client):
    w = await make_world()
    booking_id = await to_active(w)
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    assert "Frågor om placeringen? Kontakta samordnaren" in page.text
    assert f'action="/vard/bokningar/{booking_id}/avsluta"' in page.text
    assert "Ja, avsluta placeringen" in page.text


# --- the host ends the placement ---------------------------------------------------------------
# The domain has the host report the end of a placement, and the service let the host end it,
# but the portal had no form: a host whose participant stopped coming, or whose placement
# was over, could not say so, and the assessment form appears only after the end.


async def test_ending_without_the_box_ticked_changes_nothing(client):
    w = await make_world()
    booking_id = await to_active(w)
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    shown = await client.get(url, headers=HTML)
    refused = await client.post(
        f"{url}/avsluta",
        data={"_csrf_token": csrf_of(shown.text), "result": "interrupted", "reason": "Slutade"},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert 'id="f-confirm_end-error"' in refused.text
    assert "Slutade" in refused.text  # what was typed is kept
    assert "<details open>" in refused.text  # the form shows its message
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "active"}


async def test_the_host_ends_the_placement_and_is_asked_for_the_assessment(client):
    w = await make_world()
    booking_id = await to_active(w)
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    shown = await client.get(url, headers=HTML)
    ended = await client.post(
        f"{url}/avsluta",
        data={
            "_csrf_token": csrf_of(shown.text),
            "result": "interrupted",
            "reason": "Deltagaren fick ett jobb",
            "confirm_end": "1",
        },
        follow_redirects=False,
    )
    assert ended.status_code == 303, ended.text
    assert ended.headers["location"].startswith(f"{url}?klart=placering-avslutad-vard")
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "interrupted"}
    event = (
        await BookingEvent.select(BookingEvent.note, BookingEvent.to_status)
        .where(BookingEvent.booking == booking_id)
        .order_by(BookingEvent.id, ascending=False)
        .first()
    )
    assert event == {"note": "Deltagaren fick ett jobb", "to_status": "interrupted"}
    told = await OutboxMessage.count().where(
        (OutboxMessage.recipient == f"{w.coordinator.username}@test.example.se")
        & (OutboxMessage.kind == "booking.interrupted")
    )
    assert told == 1
    landing = await client.get(ended.headers["location"], headers=HTML)
    assert "Placeringen är avslutad och samordnaren har fått besked" in landing.text
    assert "Lämna bedömningen" in landing.text
    assert "/avsluta" not in landing.text  # nothing left to end
    # The signed agreement keeps its planned end; the day the placement really ended is said
    # beside it, so that the page's two end dates do not read as a mistake.
    assert "Överenskommelsen visas som den skrevs under." in landing.text


async def test_breaking_off_needs_a_reason_named_with_the_other_errors(client):
    """The hint said a reason is needed when the placement broke off, but none was asked
    for: the coordinator learnt nothing of why. The same form serves the coordinator."""
    w = await make_world()
    booking_id = await to_active(w)
    for who, url in (
        (w.host_user, f"/vard/bokningar/{booking_id}"),
        (w.coordinator, f"/arbetsbord/bokningar/{booking_id}"),
    ):
        client.cookies.clear()
        await login(client, who.username)
        shown = await client.get(url, headers=HTML)
        # Seen in the browser: an end before the placement started was said only after the
        # reason had been written. All three at once.
        refused = await client.post(
            f"{url}/avsluta",
            data={
                "_csrf_token": csrf_of(shown.text),
                "result": "interrupted",
                "reason": " ",
                "end_date": (ACTIVE_START - dt.timedelta(days=30)).isoformat(),
            },
            headers=HTML,
            follow_redirects=False,
        )
        assert refused.status_code == 400
        assert 'id="f-reason-error"' in refused.text
        assert "Skriv kort varför placeringen avbröts." in refused.text
        assert 'id="f-confirm_end-error"' in refused.text
        assert 'id="f-end_date-error"' in refused.text
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "active"}


async def test_the_host_of_another_organisation_cannot_end_it(client):
    w = await make_world()
    booking_id = await to_active(w)
    other = await make_host_user(await make_host("Annan värd AB"))
    await login(client, other.username)
    home = await client.get("/vard", headers=HTML)
    refused = await client.post(
        f"/vard/bokningar/{booking_id}/avsluta",
        data={"_csrf_token": csrf_of(home.text), "result": "completed", "confirm_end": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 404
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "active"}


async def test_declining_another_organisations_proposal_is_a_404_not_a_form_error(client):
    """Seen in a host's walk: declining another organisation's proposal (or none) with an
    empty reason answered 400 under "Avböjandet behöver rättas", as if it were one's own."""
    w = await make_world()
    booking_id = await propose(w)
    other = await make_host_user(await make_host("Annan värd AB"))
    await login(client, other.username)
    home = await client.get("/vard", headers=HTML)
    for target in (booking_id, 999999):
        refused = await client.post(
            f"/vard/bokningar/{target}/avboj",
            data={"_csrf_token": csrf_of(home.text), "reason": ""},
            headers=HTML,
            follow_redirects=False,
        )
        assert refused.status_code == 404, target
        assert "Avböjandet behöver rättas" not in refused.text
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "proposed"}


async def ended_booking_page(client: Any) -> tuple[Any, int, str, Any]:
    """A completed placement's page as its host user reads it: the world, the booking, its
    address and the page."""
    w = await make_world()
    booking_id = await to_active(w)
    await bookings.end(w.host_user, booking_id, "completed")
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    return w, booking_id, url, await client.get(url, headers=HTML)


# --- one summary of a refused form --------------------------------------------------------------


async def test_a_refused_assessment_has_one_error_summary(client):
    """The page's summary at the top lists the refused assessment's messages; the
    assessment section had a second one, with the same id and a second alert."""
    _, _, url, shown = await ended_booking_page(client)
    refused = await client.post(
        f"{url}/bedomning",
        data={"_csrf_token": csrf_of(shown.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert refused.text.count('id="error-summary"') == 1
    assert 'href="#f-attendance"' in refused.text
    assert 'id="f-attendance-error"' in refused.text


# --- a proposal to a slot that takes no accept now ---------------------------------------------
# A host paused a slot while a proposal to it waited. The portal still offered "Acceptera",
# which failed with "Publicera den först" under the supervisor field, with no way to the slot.


async def test_a_proposal_to_a_paused_slot_says_why_and_links_to_the_slot(client):
    w = await make_world()
    booking_id = await propose(w)
    await slots.change_status(w.host_user, w.slot_id, "pause")
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    assert 'id="kan-inte-ta-emot"' in page.text
    assert "Platsen är inte publicerad. Publicera den först." in page.text
    assert f'href="/vard/platser/{w.slot_id}"' in page.text
    assert f'action="/vard/bokningar/{booking_id}/acceptera"' not in page.text
    assert "Avböj med ett skäl" in page.text
    home = await client.get("/vard", headers=HTML)
    card = home.text.split(f'id="proposal-{booking_id}"')[1].split("</article>")[0]
    assert "Platsen är inte publicerad. Publicera den först." in card
    assert f'href="/vard/platser/{w.slot_id}"' in card
    assert "/acceptera" not in card
    assert "/avboj" in card  # declining still works

    # Closed, it says that it must be opened again (it said "Publicera den först", which a
    # closed slot cannot).
    await Slot.update({Slot.status: "closed"}).where(Slot.id == w.slot_id)
    closed = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert "Platsen är stängd. Öppna den igen och publicera den" in closed.text
    assert "Publicera den först" not in closed.text
    assert f'action="/vard/bokningar/{booking_id}/acceptera"' not in closed.text

    # Published again (written: the test slot has no occupation, which publishing asks for).
    await Slot.update({Slot.status: "published"}).where(Slot.id == w.slot_id)
    again = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert 'id="kan-inte-ta-emot"' not in again.text
    assert f'action="/vard/bokningar/{booking_id}/acceptera"' in again.text


# --- after the host's signature ----------------------------------------------------------------


async def test_after_signing_the_host_is_told_who_signs_the_rest(client):
    """The signatures table showed "Väntar" for three parties and nothing more: the host
    could not tell whether anything was still theirs to do."""
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    before = await client.get(url, headers=HTML)
    assert 'id="vantar-pa-underskrifter"' not in before.text  # the host has not signed yet
    signed = await client.post(
        f"{url}/underteckna",
        data={"_csrf_token": csrf_of(before.text), "version": "1"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    after = await client.get(url, headers=HTML)
    assert 'id="vantar-pa-underskrifter"' in after.text
    assert "Nu väntar överenskommelsen på: samordnare, handledare, deltagare." in after.text


async def test_a_decline_without_a_reason_on_the_home_page_is_said_at_the_top(client):
    """The portal's start page is long: a refused decline re-rendered it with the message
    next to the field, far below, and at 375 px the press seemed to do nothing. The message
    now also stands in an error summary at the top, linking to the field."""
    w = await make_world()
    booking_id = await propose(w)
    await login(client, w.host_user.username)
    home = await client.get("/vard", headers=HTML)
    refused = await client.post(
        f"/vard/bokningar/{booking_id}/avboj",
        data={"_csrf_token": csrf_of(home.text), "reason": " "},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    summary = refused.text.split('id="error-summary"')[1].split("</div>")[0]
    assert f'href="#reason-{booking_id}"' in summary
    # With several proposals on the page, the summary says which one (seen in the browser).
    assert "Aida till Lagerarbetare:" in summary, summary
    assert refused.text.index('id="error-summary"') < refused.text.index(
        f'id="reason-{booking_id}"'
    )
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "proposed"}


# --- declining on the booking's own page ------------------------------------------------------
# The booking page offered "Avböj med ett skäl" as a link to the proposal's card on the
# portal's start page: a host reading the proposal had to find it again elsewhere to say no.


async def test_the_host_declines_on_the_booking_page_itself(client):
    w = await make_world()
    booking_id = await propose(w)
    await login(client, w.host_user.username)
    url = f"/vard/bokningar/{booking_id}"
    shown = await client.get(url, headers=HTML)
    assert f'href="/vard#proposal-{booking_id}"' not in shown.text  # no detour
    assert f'action="{url}/avboj"' in shown.text
    assert 'id="f-reason"' in shown.text and "Varför avböjer ni?" in shown.text

    # No reason: the same rule as on the start page, said on this page with the summary on
    # top, the form open, and nothing declined.
    refused = await client.post(
        f"{url}/avboj",
        data={"_csrf_token": csrf_of(shown.text), "fran": "bokningen", "reason": "  "},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert "<h1>" in refused.text and "Min organisation</h1>" not in refused.text
    summary = refused.text.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#f-reason"' in summary
    assert "Skriv varför ni avböjer, så kan samordnaren hitta en bättre plats." in summary
    assert '<details id="avboj" open>' in refused.text
    assert 'id="f-reason-error"' in refused.text
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "proposed"}

    # What was typed is kept when the page is shown again (a reason with a control
    # character, refused by the round trip every form goes through).
    kept = await client.post(
        f"{url}/avboj",
        data={
            "_csrf_token": csrf_of(refused.text),
            "fran": "bokningen",
            "reason": "Vi har inte tid\x07 i vår",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert kept.status_code == 400
    assert ">Vi har inte tid i vår</textarea>" in kept.text
    assert 'id="f-reason-error"' in kept.text and "Min organisation</h1>" not in kept.text

    declined = await client.post(
        f"{url}/avboj",
        data={
            "_csrf_token": csrf_of(shown.text),
            "fran": "bokningen",
            "reason": "Vi har ingen handledare på plats i vår.",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert declined.status_code == 303
    assert declined.headers["location"] == "/vard?klart=forslag-avbojt#forslag"
    row = (
        await Booking.select(Booking.status, Booking.decline_reason)
        .where(Booking.id == booking_id)
        .first()
    )
    assert row == {
        "status": "declined",
        "decline_reason": "Vi har ingen handledare på plats i vår.",
    }
    # The declined proposal's page says the reason given, and names the organisation (a
    # host's day: neither was there, and a host of two organisations could not tell).
    after = await client.get(url, headers=HTML)
    assert 'id="skal">Ert skäl: Vi har ingen handledare på plats i vår.' in unescape(after.text)
    host = await Host.select(Host.name).where(Host.id == w.host_id).first()
    assert host is not None
    assert f'id="organisation">{host["name"]}</span>' in unescape(after.text)
    landed = await client.get("/vard?klart=forslag-avbojt", headers=HTML)
    assert "Ni har avböjt förslaget. Samordnaren har fått besked." in landed.text


async def test_the_workbench_names_the_day_a_placement_ended_not_the_click(client):
    """Seen in the browser: "Utfall att registrera" said "avbruten 2026-12-06 17:41", the
    moment of the click, for a placement ended on the 4th."""
    from placements.services import bookings

    w = await make_world()
    booking_id = await to_active(w, start=ACTIVE_START - dt.timedelta(days=20))
    ended_on = ACTIVE_START - dt.timedelta(days=2)
    await bookings.end(w.coordinator, booking_id, "interrupted", ended_on, "Flyttade.")
    await login(client, w.coordinator.username)
    home = await client.get("/arbetsbord", headers=HTML)
    section = home.text.split('id="utfall"', 1)[1].split("</section>", 1)[0]
    assert f"avbruten {ended_on.isoformat()})" in section, section


async def test_a_submitted_assessment_shows_what_the_host_wrote(client):
    """Seen in a host's walk: after sending the assessment the page showed only the
    attendance and the recommendation, not the texts the supervisor had written."""
    from marketplace.kernel import clock
    from placements.services import bookings
    from tests.builders import make_assessment

    w = await make_world()
    booking_id = await to_active(w)
    await bookings.end(w.host_user, booking_id, "completed")
    await make_assessment(
        booking_id,
        submitted_at=clock.now(),
        attendance="god",
        recommendation="yes",
        tasks_mastered="Plock\\nInleverans",
        strengths="Noggrann",
        comment="Välkommen åter",
    )
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    section = page.text.split('id="bedomning"')[1].split("</section>")[0]
    assert '<dd class="pre">Plock\\nInleverans</dd>' in section
    assert "Noggrann" in section and "Välkommen åter" in section


async def test_the_coordinator_reads_the_hosts_ways_forward_not_an_order_to_decline(client):
    """Seen on the demo: the coordinator's booking page said "Föreslå en annan period, eller
    avböj förslaget", the host's words; declining is the host's to do. The coordinator reads
    what the host can do and what is left to them, the host its own words."""
    w, booking_id = await _second_proposal(capacity=2, supervision=1, slot_end=None)
    await login(client, w.coordinator.username)
    page = unescape((await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)).text)
    assert "Första period med plats:" in page
    assert "avböj förslaget" not in page
    assert "Värden kan ta emot deltagaren för en annan period, eller avböja." in page
    assert "Du kan också återkalla förslaget" in page

    w, booking_id = await _second_proposal(capacity=1, supervision=5)
    client.cookies.clear()
    await login(client, w.coordinator.username)
    page = unescape((await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)).text)
    assert "Värden behöver öka antalet platser, eller avböja." in page
    assert "Öka antalet platser på platsen" not in page


async def test_the_host_is_asked_to_name_a_supervisor_in_its_own_words(client):
    """The host's page said "Värden behöver ange en handledare…" to the host itself."""
    w = await make_world()
    booking_id = await propose(w)
    await Slot.update({Slot.supervisor: None}).where(Slot.id == w.slot_id)
    await login(client, w.host_user.username)
    page = unescape((await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)).text)
    assert "Ni behöver ange en handledare för platsen innan ni kan ta emot deltagaren." in page
    assert "Värden behöver" not in page


async def test_the_assessment_keeps_health_and_personnummer_out_and_reaches_the_coordinator(
    client,
):
    """Seen in a host's walk: "Hon har ADHD och migrän … Personnummer 19840375-1234" under
    Övrigt was stored, and the coordinator's page never showed the comment at all."""
    w, booking_id, url, shown = await ended_booking_page(client)
    fields = {"attendance": "god", "recommendation": "would_hire", "strengths": "Noggrann"}
    refused = await client.post(
        f"{url}/bedomning",
        data={
            **fields,
            "strengths": "Hon har ADHD och migrän men det gick bra.",
            "comment": "Personnummer 19840375-1234.",
            "_csrf_token": csrf_of(shown.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    text = unescape(refused.text)
    assert "Ta bort numret: bedömningen behöver det inte." in text
    assert "Beskriv i stället hur arbetet gick" in text
    assert "Hon har ADHD" in text  # what was typed stays, to be mended
    # The API refuses it too, every field at once.
    with pytest.raises(ValidationFailed) as caught:
        await outcomes.submit_assessment(
            w.host_user,
            booking_id,
            AssessmentCreate(
                attendance="god",
                recommendation="would_hire",
                strengths="Tar sin medicin",
                comment="pnr 19840375-1234",
            ),
        )
    assert set(caught.value.errors) == {"strengths", "comment"}
    sent = await client.post(
        f"{url}/bedomning",
        data={**fields, "comment": "Välkommen åter!", "_csrf_token": csrf_of(shown.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert sent.status_code == 303
    client.cookies.clear()
    await login(client, w.coordinator.username)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    section = page.text.split('id="bedomning"')[1].split("</section>")[0]
    assert '<dt>Övrigt</dt><dd class="pre">Välkommen åter!</dd>' in section


async def test_a_host_opening_a_withdrawn_proposal_is_told_it_was_withdrawn(client):
    """Seen in a coordinator's and a host's day: the host accepted at the moment the
    coordinator withdrew, and met "Bokningen finns inte"; the mail's link led there too. A
    proposal only to the participant, withdrawn, stays unknown to the host."""
    from tests.placements.bookingdata import propose_asking_first

    w = await make_world()
    booking_id = await propose(w)
    await bookings.withdraw(w.coordinator, booking_id, "Fel plats")
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 404
    assert "Samordnaren har återkallat förslaget" in unescape(page.text)
    unseen = await propose_asking_first(w)
    await bookings.withdraw(w.coordinator, unseen, "")
    hidden = await client.get(f"/vard/bokningar/{unseen}", headers=HTML)
    assert hidden.status_code == 404 and "återkallat" not in unescape(hidden.text)
