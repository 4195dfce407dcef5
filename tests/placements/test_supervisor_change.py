"""Another supervisor for a placement (a host's walk, December 2026).

Ending a handledare who was a party to an unsigned agreement left that agreement waiting for
them, and no one could choose another handledare for the booking. Now the host (or staff, for
it) chooses another of the host's active supervisors with room: before the start the agreement
names them (in place while unsigned, with the old signing link dead; a new version once anyone
signed); a running placement keeps its signed agreement and the timeline says who took over.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from employers.services import contacts
from employers.tables import Contact
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.tables import AuditEntry, OutboxMessage, User
from placements.errors import LinkRefused
from placements.services import agreement_versions, agreements, bookings, supervisors
from placements.tables import Agreement, Booking, BookingEvent, Slot
from tests.builders import (
    make_candidate,
    make_contact,
    make_host,
    make_host_user,
    make_slot,
    make_supervisor,
    make_user,
)
from tests.conftest import login as api_login
from tests.placements.bookingdata import (
    TODAY,
    link_tokens,
    make_world,
    propose,
    sign_all,
    signatures_of,
    to_active,
    write_win_win,
)
from tests.placements.test_attacks_signatures import csrf_of, login

HTML = {"accept": "text/html"}


async def _accepted(w) -> int:
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    return booking_id


async def _booking(booking_id: int) -> dict:
    row = (
        await Booking.select(Booking.status, Booking.supervisor)
        .where(Booking.id == booking_id)
        .first()
    )
    assert row is not None
    return row


async def test_an_unsigned_agreement_names_the_new_supervisor_and_the_old_link_dies():
    w = await make_world()
    booking_id = await _accepted(w)
    old_link = (await link_tokens(w, booking_id))["supervisor"]
    # The supervisor leaves: the page says so and offers the others.
    await contacts.deactivate_contact(w.host_user, w.supervisor_id)
    sara = await make_supervisor(w.host_id, capacity=2, name="Sara Stjärna")
    options = await supervisors.change_options(w.host_user, booking_id)
    assert options is not None
    assert (options.current, options.current_active) == ("Hanna Handledare", False)
    assert options.options == [(sara, "Sara Stjärna – plats för 2 till")]

    out = await supervisors.change_supervisor(w.host_user, booking_id, sara)

    assert await _booking(booking_id) == {"status": "accepted", "supervisor": sara}
    agreement = await agreements.get_agreement_for(w.coordinator, booking_id)
    # No one had signed: changed in place, under a new version number.
    assert agreement.version == 2 and agreement.supervisor_name == "Sara Stjärna"
    assert await Agreement.count().where(Agreement.booking == booking_id) == 1
    with pytest.raises(LinkRefused):
        await agreements.sign_by_link(old_link, seen_version=2)
    assert (await signatures_of(booking_id))["supervisor"]["signed_at"] is None
    # The old supervisor had a link: the new one gets theirs unasked, and signs with it.
    sara_row = await Contact.select(Contact.email).where(Contact.id == sara).first()
    assert sara_row is not None
    sent = await OutboxMessage.select(OutboxMessage.body_text).where(
        (OutboxMessage.kind == "agreement.link") & (OutboxMessage.recipient == sara_row["email"])
    )
    assert len(sent) == 1 and "/underteckna/" in sent[0]["body_text"]
    new_link = sent[0]["body_text"].split("/underteckna/")[1].split()[0]
    signed = await agreements.sign_by_link(new_link, seen_version=2)
    supervisor_sig = next(s for s in signed.signatures if s.party == "supervisor")
    assert supervisor_sig.signed and supervisor_sig.signer == "Sara Stjärna"
    # The timeline, the audit log and the mail say who took over from whom.
    assert any(
        e.note == "Handledaren byttes från Hanna Handledare till Sara Stjärna." for e in out.events
    )
    audit = await AuditEntry.select(AuditEntry.detail).where(
        AuditEntry.action == "booking.supervisor"
    )
    assert audit == [{"detail": f"bokning {booking_id}: handledare {w.supervisor_id} → {sara}"}]
    mails = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.body_text).where(
        OutboxMessage.kind == "booking.supervisor"
    )
    # The coordinator and Sara; the host user who made the change is not told of it.
    host_email = await User.select(User.email).where(User.id == w.host_user.id).first()
    assert host_email is not None
    assert len(mails) == 2
    assert host_email["email"] not in {m["recipient"] for m in mails}
    assert all("Sara Stjärna" in m["body_text"] for m in mails)


async def test_no_link_goes_out_before_the_coordinator_sends_the_links():
    w = await make_world()
    booking_id = await _accepted(w)
    other = await make_supervisor(w.host_id, name="Olle Ordinarie")
    await supervisors.change_supervisor(w.host_user, booking_id, other)
    assert not await OutboxMessage.exists().where(OutboxMessage.kind == "agreement.link")


async def test_after_a_signature_the_change_is_a_new_version_everyone_signs_again():
    w = await make_world()
    booking_id = await _accepted(w)
    await sign_all(w, booking_id)
    assert (await _booking(booking_id))["status"] == "agreed"
    other = await make_supervisor(w.host_id, name="Olle Ordinarie")
    with pytest.raises(Conflict) as unconfirmed:
        await supervisors.change_supervisor(w.coordinator, booking_id, other)
    assert unconfirmed.value.fields == ["confirm_resign"]
    assert await _booking(booking_id) == {"status": "agreed", "supervisor": w.supervisor_id}

    await supervisors.change_supervisor(w.coordinator, booking_id, other, confirm_resign=True)

    assert await _booking(booking_id) == {"status": "accepted", "supervisor": other}
    versions = {
        r["version"]: (r["status"], r["supervisor"])
        for r in await Agreement.select(
            Agreement.version, Agreement.status, Agreement.supervisor
        ).where(Agreement.booking == booking_id)
    }
    assert versions == {1: ("superseded", w.supervisor_id), 2: ("draft", other)}
    assert not any(r["signed_at"] for r in (await signatures_of(booking_id)).values())


async def test_a_running_placement_keeps_its_signed_agreement():
    w = await make_world()
    booking_id = await to_active(w)
    agreed = await agreement_versions.current_agreement_row(booking_id)
    other = await make_supervisor(w.host_id, name="Olle Ordinarie")

    await supervisors.change_supervisor(w.host_user, booking_id, other)

    assert await _booking(booking_id) == {"status": "active", "supervisor": other}
    assert await agreement_versions.current_agreement_row(booking_id) == agreed
    event = await BookingEvent.select(BookingEvent.from_status, BookingEvent.to_status).where(
        BookingEvent.note.like("Handledaren byttes%")
    )
    assert event == [{"from_status": "active", "to_status": "active"}]


async def test_only_an_active_supervisor_of_the_host_with_room_is_taken():
    w = await make_world()
    booking_id = await _accepted(w)
    elsewhere = await make_supervisor(await make_host("Annan värd AB"))
    not_supervising = await make_contact(w.host_id, "Kim Kontakt", supervisor=False)
    retired = await make_contact(w.host_id, "Rut Rest", active=False)
    full = await make_supervisor(w.host_id, capacity=1, name="Fia Full")
    # Fia guides another participant during the same period.
    second = await make_world()
    taken = await propose(second)
    await Booking.update({Booking.supervisor: full, Booking.status: "accepted"}).where(
        Booking.id == taken
    )
    for contact_id in (elsewhere, not_supervising, retired, 999999):
        with pytest.raises(ValidationFailed, match="aktiva handledare") as refused:
            await supervisors.change_supervisor(w.host_user, booking_id, contact_id)
        assert refused.value.fields == ["supervisor_id"]
    with pytest.raises(ValidationFailed, match="Fia Full har inte plats") as no_room:
        await supervisors.change_supervisor(w.host_user, booking_id, full)
    assert no_room.value.fields == ["supervisor_id"]
    with pytest.raises(ValidationFailed, match="redan placeringen"):
        await supervisors.change_supervisor(w.host_user, booking_id, w.supervisor_id)
    # Nothing changed, and the list shows Fia as full.
    assert (await _booking(booking_id))["supervisor"] == w.supervisor_id
    options = await supervisors.change_options(w.host_user, booking_id)
    assert options is not None
    assert (full, "Fia Full – fullbokad under perioden") in options.options


async def test_who_and_when():
    w = await make_world()
    proposed = await propose(w)
    other = await make_supervisor(w.host_id, name="Olle Ordinarie")
    # A proposal has no supervisor to change yet: the host chooses one when accepting.
    with pytest.raises(Conflict, match="från det att värden har accepterat"):
        await supervisors.change_supervisor(w.host_user, proposed, other)
    assert await supervisors.change_options(w.host_user, proposed) is None
    await bookings.accept(w.host_user, proposed)
    await write_win_win(proposed)
    # Another organisation's host, and an analyst, find no such booking.
    stranger = await make_host_user(await make_host("Annan värd AB"))
    analyst = await make_user("analyst")
    for user in (stranger, analyst):
        with pytest.raises(NotFound):
            await supervisors.change_supervisor(user, proposed, other)
        with pytest.raises(NotFound):
            await supervisors.change_options(user, proposed)
    assert (await _booking(proposed))["supervisor"] == w.supervisor_id


async def test_the_host_page_says_the_supervisor_left_and_changes_them(client):
    w = await make_world()
    booking_id = await _accepted(w)
    await contacts.deactivate_contact(w.host_user, w.supervisor_id)
    sara = await make_supervisor(w.host_id, name="Sara Stjärna")
    await login(client, w.host_user.username)
    # The start page marks the placement and leads to where the supervisor is changed.
    home = await client.get("/vard", headers=HTML)
    assert f'<a href="/vard/bokningar/{booking_id}#handledare" class="warn">' in home.text
    assert "handledaren har slutat, välj en ny" in home.text
    shown = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert shown.status_code == 200
    # The host's own page speaks to the host (a host's day: "hos värden" on their own page).
    assert "Hanna Handledare är inte längre handledare hos er." in shown.text
    assert "Samordnaren, ni och den nya handledaren får besked." in shown.text
    assert "Sara Stjärna – plats för 1 till" in shown.text

    url = f"/vard/bokningar/{booking_id}/handledare"
    refused = await client.post(
        url,
        data={"_csrf_token": csrf_of(shown.text), "supervisor_id": str(w.supervisor_id)},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert "Den handledaren har redan placeringen." in refused.text
    changed = await client.post(
        url,
        data={"_csrf_token": csrf_of(shown.text), "supervisor_id": str(sara)},
        headers=HTML,
    )
    assert changed.status_code == 200
    assert "Placeringen har en ny handledare." in changed.text
    assert "Sara Stjärna handleder deltagaren." in changed.text
    assert (await _booking(booking_id))["supervisor"] == sara
    home = await client.get("/vard", headers=HTML)
    assert "handledaren har slutat" not in home.text


async def test_the_coordinator_changes_the_supervisor_on_the_workbench(client):
    w = await make_world()
    booking_id = await to_active(w)
    other = await make_supervisor(w.host_id, name="Olle Ordinarie")
    await api_login(client, w.coordinator.username)
    api = await client.post(
        f"/api/v1/bookings/{booking_id}/supervisor", json={"supervisor_id": w.supervisor_id}
    )
    assert api.status_code == 400
    assert "redan placeringen" in api.text
    client.headers.pop("x-csrftoken", None)  # a browser from here on
    shown = await client.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert "Överenskommelsen som skrevs under ändras inte:" in shown.text
    assert "Samordnaren, värden och den nya handledaren får besked." in shown.text
    changed = await client.post(
        f"/arbetsbord/bokningar/{booking_id}/handledare",
        data={"_csrf_token": csrf_of(shown.text), "supervisor_id": str(other)},
        headers=HTML,
    )
    assert changed.status_code == 200
    assert changed.history[-1].headers["location"].endswith("klart=handledare-bytt#handledare")
    assert "Handledaren byttes från Hanna Handledare till Olle Ordinarie." in changed.text


async def test_a_change_that_voids_signatures_asks_for_a_tick_first(client):
    """A host's day: "Byt handledare" on a fully signed placement made it accepted again with
    every signature gone, without the tick box other irreversible actions have. Now the box
    names the effect, and unticked the answer is a Swedish 400 beside it, nothing changed."""
    w = await make_world()
    booking_id = await _accepted(w)
    await sign_all(w, booking_id)
    other = await make_supervisor(w.host_id, name="Olle Ordinarie")
    await login(client, w.host_user.username)
    shown = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    said = unescape(shown.text)
    assert 'name="confirm_resign"' in shown.text
    assert (
        "Ja, jag vill byta handledare. Alla parter behöver skriva under igen, också deltagaren."
        in said
    )
    assert "Placeringen är inte längre överenskommen förrän alla har gjort det." in said
    url = f"/vard/bokningar/{booking_id}/handledare"
    form = {"_csrf_token": csrf_of(shown.text), "supervisor_id": str(other)}
    refused = await client.post(url, data=form, headers=HTML, follow_redirects=False)
    assert refused.status_code == 400
    assert supervisors.RESIGN_UNCONFIRMED in unescape(refused.text)
    assert f'<option value="{other}" selected' in refused.text  # the choice is kept
    assert await _booking(booking_id) == {"status": "agreed", "supervisor": w.supervisor_id}
    changed = await client.post(
        url, data={**form, "confirm_resign": "1"}, headers=HTML, follow_redirects=False
    )
    assert changed.status_code == 303
    assert await _booking(booking_id) == {"status": "accepted", "supervisor": other}
    # With no signature left, the next change needs no tick.
    again = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert 'name="confirm_resign"' not in again.text


async def test_the_api_voids_signatures_only_once_confirmed_and_names_them(client):
    """Seen by a tester: the JSON API's change of supervisor voided every signature without
    asking, while the page asks first. Now it answers 409 naming the signatures it would
    void, and changes with `confirm_resign: true`; a change voiding none needs nothing."""
    w = await make_world()
    booking_id = await _accepted(w)
    await sign_all(w, booking_id)
    other = await make_supervisor(w.host_id, name="Olle Ordinarie")
    await api_login(client, w.host_user.username)
    url = f"/api/v1/bookings/{booking_id}/supervisor"
    refused = await client.post(url, json={"supervisor_id": other})
    assert refused.status_code == 409
    assert refused.json()["fields"] == ["confirm_resign"]
    detail = refused.json()["detail"]
    today = TODAY.isoformat()
    assert (
        "underskrifterna som redan finns slutar gälla: "
        f"samordnaren ({today}), värden ({today}), handledaren ({today}), deltagaren ({today})."
    ) in detail
    assert "Alla parter behöver då skriva under igen" in detail
    assert await _booking(booking_id) == {"status": "agreed", "supervisor": w.supervisor_id}
    assert any(r["signed_at"] for r in (await signatures_of(booking_id)).values())
    changed = await client.post(url, json={"supervisor_id": other, "confirm_resign": True})
    assert changed.status_code == 200, changed.text
    assert await _booking(booking_id) == {"status": "accepted", "supervisor": other}
    # Nothing signed any more: the next change needs no confirmation.
    third = await make_supervisor(w.host_id, name="Tea Tredje")
    unsigned = await client.post(url, json={"supervisor_id": third})
    assert unsigned.status_code == 200, unsigned.text
    assert (await _booking(booking_id))["supervisor"] == third


async def test_an_unsigned_agreement_changes_without_a_tick(client):
    w = await make_world()
    booking_id = await _accepted(w)
    other = await make_supervisor(w.host_id, name="Olle Ordinarie")
    await login(client, w.host_user.username)
    shown = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert 'name="confirm_resign"' not in shown.text
    changed = await client.post(
        f"/vard/bokningar/{booking_id}/handledare",
        data={"_csrf_token": csrf_of(shown.text), "supervisor_id": str(other)},
        headers=HTML,
        follow_redirects=False,
    )
    assert changed.status_code == 303 and (await _booking(booking_id))["supervisor"] == other


async def test_a_running_placement_says_whom_the_signed_agreement_names(client):
    """A host's day: after a change on a running placement the page said "Johan Ek handleder
    deltagaren" while the signed agreement still named Maja Lind, unexplained."""
    w = await make_world()
    booking_id = await to_active(w)
    other = await make_supervisor(w.host_id, name="Olle Ordinarie")
    await login(client, w.host_user.username)
    before = unescape((await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)).text)
    assert 'name="confirm_resign"' not in before
    assert "Den nya handledaren tar över från i dag" in before
    await supervisors.change_supervisor(w.host_user, booking_id, other)
    after = unescape((await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)).text)
    assert "Olle Ordinarie handleder deltagaren." in after
    assert (
        "Den underskrivna överenskommelsen anger Hanna Handledare som handledare, eftersom det "
        "var handledaren när den skrevs under." in after
    )


# --- ending a supervisor: what it leaves, said before; and undone -----------------------------
# A host's day: ending Maja Lind said only "finns kvar i tidigare överenskommelser", though she
# supervised a running placement, an agreed one and five published slots; and an ended
# contact could not be made active again.


async def test_the_contact_page_says_what_ending_a_supervisor_leaves(client):
    w = await make_world(supervision=3)
    accepted = await _accepted(w)
    stock = await make_slot(w.host_id, w.supervisor_id, title="Lagerarbetare")
    running = await to_active(
        w, slot_id=stock, candidate_id=await make_candidate(w.coordinator, "Bo")
    )
    await Slot.update({Slot.title: "Caféarbetare"}).where(Slot.id == w.slot_id)
    draft = await make_slot(w.host_id, w.supervisor_id, title="Bagare", status="draft")
    closed = await make_slot(w.host_id, w.supervisor_id, title="Arkiv", status="closed")
    holdings = await supervisors.contact_holdings(w.supervisor_id)
    # Placements by start (the running one started today), then slots by title, the closed
    # ones last (a closed slot reopened needs a supervisor too).
    assert [(h.kind, h.id) for h in holdings] == [
        ("placement", running),
        ("placement", accepted),
        ("slot", draft),
        ("slot", w.slot_id),
        ("slot", stock),
        ("slot", closed),
    ]
    assert holdings[5].closed and holdings[5].text == "Platsen Arkiv (stängd)"
    assert holdings[3].text == "Platsen Caféarbetare (publicerad)"
    assert holdings[1].text.startswith("Placering som Caféarbetare, ")
    assert holdings[1].text.endswith(" (accepterad)")

    await login(client, w.host_user.username)
    page = await client.get(f"/vard/kontakter/{w.supervisor_id}", headers=HTML)
    assert page.status_code == 200
    said = unescape(page.text)
    assert "är handledare för 2 placeringar och 4 platser (varav 1 stängd)." in said
    assert f'href="/vard/bokningar/{running}"' in page.text
    assert f'href="/vard/platser/{draft}"' in page.text
    assert "Platsen Arkiv (stängd)" in said

    # Staff see the same list, without links to the host's own pages.
    client.cookies.clear()
    await login(client, w.coordinator.username)
    staff = await client.get(f"/vard/kontakter/{w.supervisor_id}", headers=HTML)
    assert "är handledare för 2 placeringar och 4 platser (varav 1 stängd)." in unescape(staff.text)
    assert f'href="/vard/bokningar/{running}"' not in staff.text


async def test_an_ended_contact_can_be_made_active_again(client):
    w = await make_world()
    await Contact.update({Contact.is_public_contact: True}).where(Contact.id == w.supervisor_id)
    ended = await contacts.deactivate_contact(w.host_user, w.supervisor_id)
    assert ended.is_public_contact is False
    assert await contacts.public_contacts([w.host_id]) == {}
    await login(client, w.host_user.username)
    url = f"/vard/kontakter/{w.supervisor_id}"
    page = await client.get(url, headers=HTML)
    assert "är avslutad" in page.text
    assert 'action="' + url + '/avsluta"' not in page.text
    back = await client.post(
        f"{url}/ateraktivera",
        data={"_csrf_token": csrf_of(page.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert back.headers["location"] == f"{url}?klart=kontakt-ateraktiverad"
    row = await Contact.select(Contact.active).where(Contact.id == w.supervisor_id).first()
    assert row == {"active": True}
    # Shown on the host's slot pages again, as before they were ended.
    assert [c.name for c in (await contacts.public_contacts([w.host_id]))[w.host_id]] == [
        (await contacts.get_contact_for(w.host_user, w.supervisor_id))["name"]
    ]
    audit = await AuditEntry.select(AuditEntry.action, AuditEntry.detail).where(
        AuditEntry.subject_id == w.supervisor_id
    )
    assert {"action": "contact.update", "detail": "active"} in audit
    shown = await client.get(back.headers["location"], headers=HTML)
    assert "Kontaktpersonen är aktiv igen" in shown.text
    # Sent again (an old tab): nothing to do, and nothing more in the audit log.
    again = await client.post(
        f"{url}/ateraktivera",
        data={"_csrf_token": csrf_of(page.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert again.headers["location"] == f"{url}?klart=kontakt-redan-aktiv"
    audited = await AuditEntry.count().where(
        (AuditEntry.subject_id == w.supervisor_id) & (AuditEntry.action == "contact.update")
    )
    assert audited == 1
    assert "är avslutad" not in shown.text
    # Another organisation's host may not.
    other = await make_host_user(await make_host("Annan AB", "company"))
    await contacts.deactivate_contact(w.host_user, w.supervisor_id)
    client.cookies.clear()
    await login(client, other.username)
    page = await client.get("/vard", headers=HTML)
    refused = await client.post(
        f"{url}/ateraktivera", data={"_csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert refused.status_code == 404
    row = await Contact.select(Contact.active).where(Contact.id == w.supervisor_id).first()
    assert row == {"active": False}


async def test_ending_a_supervisor_lets_another_take_over_the_slots_at_once(client):
    """A host's day: ending a supervisor left every slot of theirs unable to take anyone,
    one slot page at a time to mend. The end form offers the host's other active supervisors;
    the one chosen takes over the slots, the closed ones too (a host's day: a closed slot left
    with "Handledare: Saknas" could not be published once reopened; placements change on their
    own pages: a supervisor there is part of the agreement)."""
    w = await make_world()
    accepted = await _accepted(w)
    draft = await make_slot(w.host_id, w.supervisor_id, title="Bagare", status="draft")
    closed = await make_slot(w.host_id, w.supervisor_id, title="Stängd", status="closed")
    successor = await make_supervisor(w.host_id, name="Åsa Efterträdare")
    await make_contact(w.host_id, "Ej handledare", supervisor=False)
    other_host = await make_host("Annan Värd AB", "company")
    stranger = await make_supervisor(other_host, name="Främling")
    await login(client, w.host_user.username)
    url = f"/vard/kontakter/{w.supervisor_id}"
    page = await client.get(url, headers=HTML)
    said = unescape(page.text)
    assert "Vem tar över platserna?" in said
    assert "3 platser (varav 1 stängd)" in said
    assert "Platserna, också de stängda, kan en annan handledare ta över" in said
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', page.text)
    assert [text for _, text in options] == [
        "Ingen ännu, vi väljer senare",
        "Åsa Efterträdare",
    ]
    # Someone who is no supervisor of this host is refused, with the box's message too.
    for wrong in (stranger, w.supervisor_id, 999_999):
        refused = await client.post(
            f"{url}/avsluta",
            data={"_csrf_token": csrf_of(page.text), "successor_id": str(wrong), "confirm": "1"},
            headers=HTML,
            follow_redirects=False,
        )
        assert refused.status_code == 400, wrong
        assert "måste vara en annan aktiv handledare" in unescape(refused.text)
    assert (await Contact.select(Contact.active).where(Contact.id == w.supervisor_id).first()) == {
        "active": True
    }
    ended = await client.post(
        f"{url}/avsluta",
        data={"_csrf_token": csrf_of(page.text), "successor_id": str(successor), "confirm": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert ended.status_code == 303 and "klart=kontakt-avslutad" in ended.headers["location"]
    slots = dict((r["id"], r["supervisor"]) for r in await Slot.select(Slot.id, Slot.supervisor))
    assert slots[w.slot_id] == slots[draft] == slots[closed] == successor
    placement = await Booking.select(Booking.supervisor).where(Booking.id == accepted).first()
    assert placement == {"supervisor": w.supervisor_id}  # changed on its own page
    audit = await AuditEntry.select(AuditEntry.detail).where(
        (AuditEntry.action == "contact.deactivate") & (AuditEntry.subject_id == w.supervisor_id)
    )
    assert audit == [{"detail": "3 platser (varav 1 stängd) till Åsa Efterträdare"}]


async def test_without_another_supervisor_the_end_form_offers_no_successor(client):
    w = await make_world()
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/kontakter/{w.supervisor_id}", headers=HTML)
    assert "Vem tar över platserna?" not in unescape(page.text)
    ended = await client.post(
        f"/vard/kontakter/{w.supervisor_id}/avsluta",
        data={"_csrf_token": csrf_of(page.text), "successor_id": "", "confirm": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert ended.status_code == 303
    row = await Slot.select(Slot.supervisor).where(Slot.id == w.slot_id).first()
    assert row == {"supervisor": w.supervisor_id}
