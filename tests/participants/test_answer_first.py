"""The participant answers a proposal before the host sees it (issue 17): "vill" sends it to
the host, as any proposal; "vill inte" closes it unseen, and the coordinator reads why."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel.errors import Conflict, NotFound
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from participants import services, sessions
from placements.services import bookings, slots
from placements.tables import AnswerLink, Booking, BookingEvent, ParticipantAnswer, Slot
from tests.builders import make_candidate
from tests.conftest import login
from tests.participants.conftest import form_post
from tests.placements.bookingdata import World, make_world, propose, propose_asking_first

HTML = {"accept": "text/html"}


async def _signed_in(client: AsyncTestClient[Litestar], candidate_id: int) -> None:
    client.cookies.set(sessions.SESSION_COOKIE, await sessions.start_session(candidate_id, "link"))


async def _mails(kind: str) -> list[str]:
    rows = await OutboxMessage.select(OutboxMessage.recipient).where(OutboxMessage.kind == kind)
    return [r["recipient"] for r in rows]


async def _status(booking_id: int) -> str:
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row is not None
    return str(row["status"])


async def test_vill_sends_it_to_the_host(client: AsyncTestClient[Litestar], make_client) -> None:
    w = await make_world()
    booking_id = await propose_asking_first(w)
    assert await _mails("booking.proposed") == []
    await _signed_in(client, w.candidate_id)
    home = await client.get("/mina-sidor", headers=HTML)
    assert home.status_code == 200
    page = await client.get("/mina-sidor/forslag", headers=HTML)
    assert "Lagerarbetare" in page.text and "Vill du ha platsen?" in page.text
    ok = await form_post(
        client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "yes", "comment": "Gärna"}
    )
    assert ok.status_code == 303
    assert await _status(booking_id) == "proposed"
    # The host is told exactly as of a proposal made straight to it.
    assert await _mails("booking.proposed") == [w.host_user.email]
    assert await _mails("participant.answer") == [w.coordinator.email]
    host = await make_client()
    await login(host, w.host_user.username)
    assert (await host.get(f"/api/v1/bookings/{booking_id}")).status_code == 200
    event = (
        await BookingEvent.select()
        .where(BookingEvent.to_status == "proposed")
        .where(BookingEvent.from_status == "awaiting_participant")
        .first()
    )
    assert event is not None and event["actor_label"].startswith("deltagaren själv")
    # The host can read the timeline now: the comment is not in it, but the coordinator
    # reads it on the booking's page.
    assert event["note"] == "Deltagaren svarade ”vill”." and "Gärna" not in str(
        (await host.get(f"/api/v1/bookings/{booking_id}")).json()
    )
    staff = await make_client()
    await login(staff, w.coordinator.username)
    page = await staff.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert "Deltagarens svar på Mina sidor:</strong> vill – Gärna" in page.text
    # Answering again does not move it a second time (the answer is only recorded).
    again = await form_post(
        client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "yes", "comment": "Ja!"}
    )
    assert again.status_code == 303
    assert await _mails("booking.proposed") == [w.host_user.email]


async def test_vill_inte_closes_it_unseen(client: AsyncTestClient[Litestar], make_client) -> None:
    w = await make_world()
    booking_id = await propose_asking_first(w)
    await _signed_in(client, w.candidate_id)
    refused = await form_post(client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "no"})
    assert refused.status_code == 400 and await _status(booking_id) == "awaiting_participant"
    no = await form_post(
        client,
        f"/mina-sidor/forslag/{booking_id}/svar",
        {"answer": "no", "comment": "För långt att resa"},
    )
    assert no.status_code == 303
    assert await _status(booking_id) == "withdrawn"
    assert await _mails("booking.proposed") == [] and await _mails("booking.withdrawn") == []
    assert await _mails("participant.answer") == [w.coordinator.email]
    # I still see my answer, and that it is closed.
    mine = await client.get("/mina-sidor/forslag", headers=HTML)
    assert "För långt att resa" in mine.text
    assert "stängt – du svarade att du inte vill" in mine.text
    assert "Skicka mitt svar" not in mine.text
    # A second answer is a clear refusal, not a 500: the proposal is settled.
    late = await form_post(
        client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "yes", "comment": ""}
    )
    assert late.status_code == 409 and "Förslaget är redan avgjort" in late.text
    # The coordinator reads the answer with the comment; the host sees nothing.
    staff = await make_client()
    await login(staff, w.coordinator.username)
    page = await staff.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert "Deltagaren svarade ”vill inte”: För långt att resa" in page.text
    host = await make_client()
    await login(host, w.host_user.username)
    assert (await host.get(f"/api/v1/bookings/{booking_id}")).status_code == 404


async def test_another_participant_cannot_answer(client: AsyncTestClient[Litestar]) -> None:
    w = await make_world()
    booking_id = await propose_asking_first(w)
    other = await make_candidate(w.coordinator, "Bodil")
    await _signed_in(client, other)
    response = await form_post(
        client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "yes", "comment": ""}
    )
    assert response.status_code == 404
    assert await _status(booking_id) == "awaiting_participant"
    assert not await ParticipantAnswer.exists()
    assert await _mails("booking.proposed") == []


async def test_a_vill_after_the_coordinator_sent_it_on_only_records_it(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    booking_id = await propose_asking_first(w)
    await bookings.send_to_host(w.coordinator, booking_id)
    await _signed_in(client, w.candidate_id)
    ok = await form_post(
        client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "yes", "comment": "Gärna"}
    )
    assert ok.status_code == 303 and ok.headers["location"].endswith("klart=svar-sparat")
    assert await _status(booking_id) == "proposed"
    assert await _mails("booking.proposed") == [w.host_user.email]


async def test_changing_to_vill_inte_once_the_host_has_it_withdraws_it(
    client: AsyncTestClient[Litestar], make_client
) -> None:
    """I said "vill", the proposal went to the host, and I changed my mind. The page said my
    answer was saved, but the proposal stayed with the host, who could still accept it, and
    the coordinator's timeline still said "vill". My "vill inte" now withdraws it, as before
    the host had it: the page said so before I answered, and says so after; the host is told
    it is withdrawn (not why) and can no longer accept it; the coordinator reads my change on
    the timeline and in a mail."""
    w = await make_world()
    booking_id = await propose_asking_first(w)
    await _signed_in(client, w.candidate_id)
    path = f"/mina-sidor/forslag/{booking_id}/svar"
    first = (await client.get("/mina-sidor/forslag", headers=HTML)).text
    assert "Arbetsplatsen har inte sett förslaget. Svarar du ja skickas det" in first
    assert (await form_post(client, path, {"answer": "yes"})).status_code == 303
    assert await _status(booking_id) == "proposed"
    page = (await client.get("/mina-sidor/forslag", headers=HTML)).text
    # Before I answer again, the page says what a "no" does now that the host has it.
    assert "Arbetsplatsen har redan fått förslaget. Svarar du nej stängs förslaget" in page
    assert "Ett nej kan du inte ändra här efteråt." in page
    no = await form_post(client, path, {"answer": "no", "comment": "Jag ångrar mig"})
    assert no.status_code == 303 and no.headers["location"].endswith("klart=svar-forslaget-stangt")
    assert await _status(booking_id) == "withdrawn"
    after = await client.get(no.headers["location"], headers=HTML)
    assert "Ditt svar är sparat och förslaget är stängt." in after.text
    assert "stängt – du svarade att du inte vill" in after.text
    assert "Jag ångrar mig" in after.text and "Ändra mitt svar" not in after.text
    # The host is told it is withdrawn, not why, and can no longer accept it.
    [told] = await OutboxMessage.select(OutboxMessage.body_text).where(
        (OutboxMessage.kind == "booking.withdrawn") & (OutboxMessage.recipient == w.host_user.email)
    )
    assert "Förslaget har återkallats." in told["body_text"]
    assert "ångrar" not in told["body_text"] and "Samordnaren" not in told["body_text"]
    with pytest.raises((Conflict, NotFound)):
        await bookings.accept(w.host_user, booking_id)
    host = await make_client()
    await login(host, w.host_user.username)
    assert (await host.get(f"/api/v1/bookings/{booking_id}")).status_code == 404
    # The coordinator reads the change of mind on the timeline and in a mail.
    staff = await make_client()
    await login(staff, w.coordinator.username)
    booking_page = await staff.get(f"/arbetsbord/bokningar/{booking_id}", headers=HTML)
    assert "Deltagaren ändrade sitt svar till ”vill inte”: Jag ångrar mig" in booking_page.text
    assert "Deltagarens svar på Mina sidor:</strong> vill inte – Jag ångrar mig" in (
        booking_page.text
    )
    bodies = [
        r["body_text"]
        for r in await OutboxMessage.select(OutboxMessage.body_text).where(
            OutboxMessage.kind == "participant.answer"
        )
    ]
    assert any(
        "Deltagaren har ändrat sitt svar till ”vill inte” på förslaget. Förslaget är "
        "återkallat, så värden kan inte längre tacka ja." in b
        for b in bodies
    )
    # Too late to change it back here: the page says so and nothing moves.
    late = await form_post(client, path, {"answer": "yes"})
    assert late.status_code == 409 and await _status(booking_id) == "withdrawn"
    assert "Förslaget är redan avgjort" in late.text
    # The summary links to the proposal's card only where the page has it.
    summary = late.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    card = f'id="p-{booking_id}"' in late.text
    assert (f'href="#p-{booking_id}"' in summary) == card


async def test_vill_inte_to_a_proposal_made_straight_to_the_host_withdraws_it(
    client: AsyncTestClient[Litestar],
) -> None:
    """A "vill inte" to a proposal the coordinator made straight to the host closes it the
    same way; the English page says what it does before the answer."""
    w = await make_world()
    booking_id = await propose(w)
    await _signed_in(client, w.candidate_id)
    client.cookies.set("mp_sprak", "en")
    page = (await client.get("/mina-sidor/forslag", headers=HTML)).text
    assert "The workplace already has the proposal. If you answer no, the proposal is" in page
    assert "You cannot change a no here afterwards." in page
    client.cookies.set("mp_sprak", "ar")
    arabic = (await client.get("/mina-sidor/forslag", headers=HTML)).text
    assert "وصل الاقتراح بالفعل إلى مكان العمل." in arabic and "Arbetsplatsen" not in arabic
    no = await form_post(
        client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "no", "comment": "Nej"}
    )
    assert no.status_code == 303 and await _status(booking_id) == "withdrawn"
    assert await _mails("booking.withdrawn") == [w.host_user.email]
    event = await BookingEvent.select().where(BookingEvent.to_status == "withdrawn").first()
    assert event is not None and event["from_status"] == "proposed"
    assert event["note"] == "Deltagaren svarade ”vill inte”: Nej"
    done = await client.get(no.headers["location"], headers=HTML)
    assert "تم حفظ ردك وأُغلق الاقتراح." in done.text


# --- "vill" for a slot that closed meanwhile -------------------------------------------------------


async def _host_mails(w: World) -> int:
    return await OutboxMessage.count().where(OutboxMessage.recipient == w.host_user.email)


async def test_vill_for_a_slot_closed_meanwhile_is_refused_and_the_coordinator_told(
    client: AsyncTestClient[Litestar], make_client
) -> None:
    """The host closed the slot while the proposal waited for the participant's answer. A
    "vill" then sent the proposal to the host anyway: a proposal for a closed slot, which the
    host could not accept. Now the slot's rule for proposals (the coordinator's own) refuses
    it: a clear page in the participant's language, nothing to the host, nothing stored on
    the booking, and the coordinator is mailed to propose another slot."""
    w = await make_world()
    booking_id = await propose_asking_first(w)
    await slots.change_status(w.host_user, w.slot_id, "close")
    await _signed_in(client, w.candidate_id)
    page = await client.get("/mina-sidor/forslag", headers=HTML)
    assert "Platsen tar inte emot deltagare just nu." in page.text
    path = f"/mina-sidor/forslag/{booking_id}/svar"
    refused = await form_post(client, path, {"answer": "yes", "comment": "Gärna"})
    assert refused.status_code == 409, refused.text
    assert "ditt svar har inte skickats till arbetsplatsen" in refused.text
    assert "Din samordnare har fått veta" in refused.text
    assert await _status(booking_id) == "awaiting_participant"
    assert not await ParticipantAnswer.exists()
    assert await _host_mails(w) == 0 and not await AnswerLink.exists()
    assert await _mails("participant.answer") == [w.coordinator.email]
    mail = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.body_text).where(
        OutboxMessage.kind == "participant.answer"
    )
    assert mail[0]["subject"].startswith("Deltagaren vill ha en plats som inte längre är öppen")
    assert "Värden har inte sett förslaget" in mail[0]["body_text"]
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "participant.answer")
        & (AuditEntry.detail == f"bokning {booking_id}: vill, men platsen tar inte emot förslag")
    )
    # In Arabic for a participant who chose it.
    client.cookies.set("mp_sprak", "ar")
    arabic = await form_post(client, path, {"answer": "yes", "comment": ""})
    assert arabic.status_code == 409
    assert "لم يعد المكان يقبل مشاركين" in arabic.text and "arbetsplatsen" not in arabic.text
    client.cookies.set("mp_sprak", "sv")
    # Answers again and again do not flood the coordinator (the cap of every answer).
    for _ in range(5):
        await form_post(client, path, {"answer": "yes", "comment": ""})
    assert len(await _mails("participant.answer")) == services.ANSWER_MAILS_PER_DAY
    # "Vill inte" still closes it; the host saw nothing.
    no = await form_post(client, path, {"answer": "no", "comment": "Då vill jag inte"})
    assert no.status_code == 303 and await _status(booking_id) == "withdrawn"
    assert await _host_mails(w) == 0


async def test_vill_goes_on_once_the_slot_is_published_again(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    booking_id = await propose_asking_first(w)
    await slots.change_status(w.host_user, w.slot_id, "pause")
    await _signed_in(client, w.candidate_id)
    path = f"/mina-sidor/forslag/{booking_id}/svar"
    assert (await form_post(client, path, {"answer": "yes"})).status_code == 409
    # Published again (the test's slot lacks what the publish form asks for).
    await Slot.update({Slot.status: "published"}).where(Slot.id == w.slot_id)
    assert (await form_post(client, path, {"answer": "yes"})).status_code == 303
    assert await _status(booking_id) == "proposed"
    assert await _mails("booking.proposed") == [w.host_user.email]


async def test_vill_on_a_proposal_the_host_has_is_refused_once_the_slot_closed(
    client: AsyncTestClient[Litestar],
) -> None:
    """The host already has the proposal but closed the slot: a "vill" is refused the same
    way (the host cannot accept it), and the coordinator is told."""
    w = await make_world()
    booking_id = await propose(w)
    host_mails = await _host_mails(w)
    await slots.change_status(w.host_user, w.slot_id, "close")
    await _signed_in(client, w.candidate_id)
    refused = await form_post(client, f"/mina-sidor/forslag/{booking_id}/svar", {"answer": "yes"})
    assert refused.status_code == 409
    assert "ditt svar har inte skickats till arbetsplatsen" in refused.text
    assert not await ParticipantAnswer.exists() and await _host_mails(w) == host_mails
    [body] = [
        r["body_text"]
        for r in await OutboxMessage.select(OutboxMessage.body_text).where(
            OutboxMessage.kind == "participant.answer"
        )
    ]
    assert "Värden kan inte acceptera förslaget medan platsen inte är publicerad" in body


async def test_the_coordinators_send_follows_the_same_rule() -> None:
    """One rule for the slot: the coordinator cannot send a proposal the participant answers
    first to a closed slot either, as they could not propose for one."""
    w = await make_world()
    booking_id = await propose_asking_first(w)
    await slots.change_status(w.host_user, w.slot_id, "close")
    with pytest.raises(Conflict) as refused:
        await bookings.send_to_host(w.coordinator, booking_id)
    assert refused.value.message == slots.PROPOSALS_CLOSED
    assert await _status(booking_id) == "awaiting_participant"
    assert await _host_mails(w) == 0
