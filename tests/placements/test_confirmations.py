"""Nothing destroys without asking (issue 15, item 5): closing a slot on the host's page needs
a ticked "Ja, jag vill stänga platsen"; an unticked POST changes nothing and says why, in
Swedish, next to the box. The check is on the server, so it holds without JavaScript."""

from __future__ import annotations

import re
from html import unescape

from marketplace.kernel.tables import AuditEntry
from placements.tables import Slot
from tests.builders import add_member, make_contact, make_host, make_slot
from tests.conftest import login

HTML = {"accept": "text/html"}


def form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def _published_slot(client, make_user) -> int:
    user = await make_user("host", username="henrik")
    host = await make_host("Vårgårda Trädgård AB", "company")
    await add_member(user.id, host)
    supervisor = await make_contact(host, "Maja Handledare")
    slot = await make_slot(
        host,
        supervisor,
        title="Trädgårdsarbete",
        external_id="s1",
        hours=None,
        description="",
    )
    await login(client, "henrik")
    client.headers.pop("x-csrftoken", None)
    return slot


async def test_closing_a_slot_without_the_box_ticked_changes_nothing(client, make_user):
    slot_id = await _published_slot(client, make_user)
    page = await client.get(f"/vard/platser/{slot_id}", headers=HTML)
    assert page.status_code == 200
    assert "Ja, jag vill stänga platsen" in page.text
    refused = await client.post(
        f"/vard/platser/{slot_id}/stang",
        data={"_csrf_token": form_token(page.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    # The message sits by the box (its error id) and in the summary that links to it.
    assert 'id="f-confirm-error"' in refused.text
    assert 'href="#f-confirm"' in refused.text
    assert "Kryssa i rutan" in refused.text
    # The summary stands at the top, before the slot's actions: between the buttons and the
    # slot's form it read as if the form were wrong (a host's day).
    assert refused.text.index('id="error-summary"') < refused.text.index('class="actions"')
    # The box's hint says a closed slot can be opened again; the refusal must not say the
    # opposite (it once said "En stängd plats kan inte publiceras igen").
    assert "Ni kan öppna den igen efteråt" in refused.text
    assert "kan inte publiceras igen" not in refused.text
    row = await Slot.select(Slot.status).where(Slot.id == slot_id).first()
    assert row == {"status": "published"}
    assert not await AuditEntry.exists().where(AuditEntry.action == "slot.close")


async def test_closing_a_slot_with_the_box_ticked_closes_it(client, make_user):
    slot_id = await _published_slot(client, make_user)
    page = await client.get(f"/vard/platser/{slot_id}", headers=HTML)
    closed = await client.post(
        f"/vard/platser/{slot_id}/stang",
        data={"_csrf_token": form_token(page.text), "confirm": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert closed.status_code == 303, closed.text
    row = await Slot.select(Slot.status).where(Slot.id == slot_id).first()
    assert row == {"status": "closed"}
    assert await AuditEntry.exists().where(AuditEntry.action == "slot.close")


async def test_a_closed_slot_can_be_reopened_as_paused(client, make_user):
    slot_id = await _published_slot(client, make_user)
    page = await client.get(f"/vard/platser/{slot_id}", headers=HTML)
    token = form_token(page.text)
    await client.post(
        f"/vard/platser/{slot_id}/stang",
        data={"_csrf_token": token, "confirm": "1"},
        headers=HTML,
    )
    closed_page = await client.get(f"/vard/platser/{slot_id}", headers=HTML)
    assert "Öppna platsen igen" in closed_page.text
    # Seen in the browser: the closed slot's form stayed editable, and saving was refused
    # with "Skapa en ny plats i stället" under the reopen button. It is read-only now, and
    # a save sent all the same is told how to change it.
    assert '<fieldset disabled aria-describedby="closed-hint"' in closed_page.text
    assert "Öppna platsen igen (ovan) för att ändra dem" in closed_page.text
    assert '<button type="submit">Spara</button>' not in closed_page.text
    saved = await client.post(
        f"/vard/platser/{slot_id}",
        data={"_csrf_token": form_token(closed_page.text), "title": "Nytt namn", "kind": "praktik"},
        headers=HTML,
    )
    assert saved.status_code == 409
    assert "Öppna den igen för att ändra den" in saved.text
    assert "Skapa en ny plats i stället" not in saved.text
    reopened = await client.post(
        f"/vard/platser/{slot_id}/oppna",
        data={"_csrf_token": form_token(closed_page.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert reopened.status_code == 303
    row = await Slot.select(Slot.status).where(Slot.id == slot_id).first()
    assert row == {"status": "paused"}
    assert await AuditEntry.exists().where(AuditEntry.action == "slot.reopen")
    # Only a closed slot reopens.
    again = await client.post(
        f"/vard/platser/{slot_id}/oppna",
        data={"_csrf_token": form_token(closed_page.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert again.status_code == 409
    # It said "Platsen är pausad och kan inte bli pausad" (the fuzzing of the API).
    assert (
        "Platsen är pausad och kan inte öppnas igen: det gäller bara en stängd plats."
        in unescape(again.text)
    )


async def test_unconfirmed_close_of_someone_elses_slot_is_404(client, make_user, make_client):
    slot_id = await _published_slot(client, make_user)
    other = await make_user("host", username="greta")
    await add_member(other.id, await make_host("Annan AB", "company"))
    stranger = await make_client()
    await login(stranger, "greta")
    stranger.headers.pop("x-csrftoken", None)
    page = await stranger.get("/vard", headers=HTML)
    answer = await stranger.post(
        f"/vard/platser/{slot_id}/stang",
        data={"_csrf_token": form_token(page.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 404
    assert "Kryssa" not in answer.text


async def test_host_signing_button_names_the_version_it_signs(client):
    from placements.services import bookings
    from tests.placements.bookingdata import current_version, make_world, propose, write_win_win

    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)  # no button until the agreement can be signed
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert page.status_code == 200
    version = await current_version(booking_id)
    assert f"Jag har läst version {version} och skriver under för organisationen" in page.text
    assert f'name="version" value="{version}"' in page.text


async def test_ending_a_contact_asks_first_and_changes_nothing_unticked(client, make_user):
    from employers.tables import Contact

    user = await make_user("host", username="henrik")
    host = await make_host("Vårgårda Trädgård AB", "company")
    await add_member(user.id, host)
    contact = await make_contact(host, "Maja Handledare")
    await login(client, "henrik")
    client.headers.pop("x-csrftoken", None)
    page = await client.get(f"/vard/kontakter/{contact}", headers=HTML)
    assert "Ja, jag vill avsluta kontaktpersonen" in page.text
    token = form_token(page.text)
    refused = await client.post(
        f"/vard/kontakter/{contact}/avsluta",
        data={"_csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert 'id="f-confirm-error"' in refused.text and "Kryssa i rutan" in refused.text
    assert (await Contact.select(Contact.active).where(Contact.id == contact).first()) == {
        "active": True
    }
    ended = await client.post(
        f"/vard/kontakter/{contact}/avsluta",
        data={"_csrf_token": token, "confirm": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert ended.status_code == 303, ended.text
    assert (await Contact.select(Contact.active).where(Contact.id == contact).first()) == {
        "active": False
    }


async def test_ending_a_placement_asks_first(client):
    from placements.tables import Booking
    from tests.placements.bookingdata import TODAY, make_world, to_active

    w = await make_world()
    booking_id = await to_active(w)
    await login(client, w.coordinator.username)
    client.headers.pop("x-csrftoken", None)
    page = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert "Ja, avsluta placeringen" in page.text
    # The end form starts empty: the agreement's planned end is not the day it really ended,
    # and its reason field is the end's own, not the outcome correction's.
    end_form = page.text.split(f'action="/arbetsbord/bokningar/{booking_id}/avsluta"')[1]
    end_form = end_form.split("</form>")[0]
    assert 'name="end_date" type="date" value=""' in end_form
    assert "Varför rättas utfallet" not in end_form
    token = form_token(page.text)
    refused = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/avsluta",
        data={"_csrf_token": token, "result": "completed", "end_date": str(TODAY)},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert 'id="f-confirm_end-error"' in refused.text
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "active"}
    ended = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/avsluta",
        data={
            "_csrf_token": token,
            "result": "completed",
            "end_date": str(TODAY),
            "confirm_end": "1",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert ended.status_code == 303, ended.text
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "completed"}


async def test_the_close_box_names_what_closing_leaves_as_it_is(client):
    """Seen in a host's walk: closing a slot said nothing of its placements and of the
    proposals waiting for an answer, which a closed slot cannot accept. The box's hint now
    counts both before the host ticks it."""
    from placements.schemas import bookings as sb
    from placements.services import bookings
    from tests.builders import make_candidate
    from tests.placements.bookingdata import END, START, make_world, propose, to_active
    from tests.placements.test_attacks_signatures import login as browser_login

    w = await make_world(capacity=3)
    await to_active(w)
    await propose(w, candidate_id=await make_candidate(w.coordinator))
    # One the participant has not said yes to: the host knows nothing of it, nor is it said.
    await bookings.propose(
        w.coordinator,
        sb.BookingCreate(
            slot_id=w.slot_id,
            candidate_id=await make_candidate(w.coordinator),
            message="Passar dig bra.",
            start_date=START,
            end_date=END,
            participant_first=True,
        ),
    )
    await browser_login(client, w.host_user.username)
    page = await client.get(f"/vard/platser/{w.slot_id}", headers=HTML)
    assert "1 placering som redan är accepterad eller pågår fortsätter som planerat." in page.text
    assert (
        "1 förslag som väntar på svar kan inte accepteras medan platsen är stängd: svara på "
        "det först." in page.text
    )
