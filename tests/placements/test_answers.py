"""Issue 15, items 1 and 2, in the services: a host without an account answers a proposal
through a single-use link (or by phone, recorded by the coordinator), and a full supervisor
is warned about when proposing and can be chosen around when accepting.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from employers.tables import Contact
from marketplace.kernel import clock
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from marketplace.kernel.tokens import token_hash
from placements import jobs
from placements.errors import LinkRefused
from placements.schemas import bookings as sb
from placements.schemas import candidates as sc
from placements.services import (
    agreement_versions,
    agreements,
    answer_links,
    answers,
    bookings,
    candidate_updates,
)
from placements.tables import AnswerLink, Booking, BookingEvent
from tests.builders import (
    make_candidate,
    make_contact,
    make_host,
    make_host_user,
    make_slot,
    make_supervisor,
    make_user,
)
from tests.placements.bookingdata import (
    END,
    SECRET_ADAPTATION,
    SHARED_ADAPTATION,
    START,
    World,
    make_world,
    propose,
    write_win_win,
)

LINK = re.compile(r"https?://\S+/forslag/(\d+)/svar/(\S+)")


@dataclass
class Unlinked:
    """A host without users: a contact person and two supervisors (one on the slot)."""

    w: World
    contact_id: int
    other_supervisor: int


async def unlinked_world(*, supervision: int = 5, slot_capacity: int = 2) -> Unlinked:
    coordinator = await make_user("coordinator")
    host_id = await make_host("Vårgårda Bygg AB")
    supervisor = await make_supervisor(host_id, capacity=supervision, name="Hanna Handledare")
    other = await make_supervisor(host_id, capacity=2, name="Olle Ordförande")
    contact = await make_contact(
        host_id, "Karin Kontakt", email="karin@bygg.example.se", supervisor=False, public=True
    )
    slot_id = await make_slot(host_id, supervisor, capacity=slot_capacity)
    candidate_id = await make_candidate(coordinator)
    await candidate_updates.update_candidate(
        coordinator,
        candidate_id,
        sc.CandidateUpdate(
            personnummer="19850101-0006",
            adaptations=[
                sc.Adaptation(text=SHARED_ADAPTATION, shareable=True),
                sc.Adaptation(text=SECRET_ADAPTATION, shareable=False),
            ],
        ),
    )
    w = World(coordinator, None, host_id, supervisor, slot_id, candidate_id)  # type: ignore[arg-type]
    return Unlinked(w, contact, other)


async def links_mailed(booking_id: int | None = None) -> dict[str, str]:
    """The answer links in the outbox, newest per address: {address: token}."""
    rows = (
        await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.body_text)
        .where(OutboxMessage.kind.is_in(["booking.answer_link", "proposal_reminder"]))
        .order_by(OutboxMessage.id)
    )
    found: dict[str, str] = {}
    for row in rows:
        match = LINK.search(row["body_text"])
        if match and (booking_id is None or int(match.group(1)) == booking_id):
            found[row["recipient"]] = match.group(2)
    return found


async def audit(action: str) -> list[dict]:
    return list(await AuditEntry.select().where(AuditEntry.action == action))


# --- who gets a link -------------------------------------------------------------------------


async def test_a_proposal_to_a_host_without_users_mails_each_contact_a_link_of_their_own():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "booking.answer_link")
    assert sorted(m["recipient"] for m in mails) == sorted(
        ["karin@bygg.example.se", (await _email(u.w.supervisor_id))]
    )
    assert not await OutboxMessage.exists().where(OutboxMessage.kind == "booking.proposed")
    tokens = await links_mailed(booking_id)
    assert len(set(tokens.values())) == 2  # personal links
    for mail in mails:
        body = mail["body_text"]
        assert "Lagerarbetare" in body and "kan användas en gång" in body
        # Mail is no safe channel: it never names the participant.
        assert "Aida" not in body and "Andersson" not in body
    # Only the hash is stored, and the link expires after SIGNING_LINK_DAYS.
    rows = await AnswerLink.select().where(AnswerLink.booking == booking_id)
    assert {r["token_hash"] for r in rows} == {token_hash(t) for t in tokens.values()}
    for row in rows:
        days = (row["expires_at"] - row["created_at"]).total_seconds() / 86400
        assert days == pytest.approx(get_settings().signing_link_days)


async def _email(contact_id: int) -> str:
    row = await Contact.select(Contact.email).where(Contact.id == contact_id).first()
    assert row is not None
    return str(row["email"])


async def test_a_host_with_users_gets_the_portal_mail_and_no_link():
    w = await make_world()
    await propose(w)
    assert await OutboxMessage.count().where(OutboxMessage.kind == "booking.answer_link") == 0
    assert await OutboxMessage.count().where(OutboxMessage.kind == "booking.proposed") == 1


# --- the page behind a link ------------------------------------------------------------------


async def test_the_link_page_shows_what_the_host_needs_and_audits_the_read():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    token = (await links_mailed(booking_id))["karin@bygg.example.se"]
    shown = await answers.page_for_link(booking_id, token)
    assert (shown.slot_title, shown.start_date, shown.end_date) == ("Lagerarbetare", START, END)
    assert shown.hours_per_week == 30 and shown.host_name == "Vårgårda Bygg AB"
    assert shown.participant_first_name == "Aida"
    assert shown.shared_adaptations == [SHARED_ADAPTATION]
    text = repr(shown)
    for secret in ("Andersson", "19850101", SECRET_ADAPTATION, "deltagare.example.se", "070-"):
        assert secret not in text
    [read] = await audit("booking.read")
    assert read["actor_id"] is None and read["subject_id"] == u.w.candidate_id
    assert "svarslänk till Karin Kontakt" in read["detail"]


# --- answering through a link ----------------------------------------------------------------


async def test_accept_through_a_link_once_records_who_and_tells_the_coordinator():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    tokens = await links_mailed(booking_id)
    accepted = await answers.accept_by_link(
        booking_id, tokens["karin@bygg.example.se"], sb.AcceptRequest()
    )
    assert accepted.status == "accepted" and accepted.supervisor_id == u.w.supervisor_id
    event = (
        await BookingEvent.select()
        .where((BookingEvent.booking == booking_id) & (BookingEvent.to_status == "accepted"))
        .first()
    )
    assert event is not None and event["actor_id"] is None
    assert event["actor_label"] == "Karin Kontakt (värden, via e-postlänk)"
    [used] = await audit("booking.answer_link.accept")
    assert "Karin Kontakt <karin@bygg.example.se>" in used["detail"]
    assert used["subject_id"] == u.w.candidate_id
    assert await OutboxMessage.count().where(
        (OutboxMessage.kind == "booking.accepted")
        & (OutboxMessage.recipient == u.w.coordinator.email)
    )
    assert await agreement_versions.current_agreement_row(booking_id) is not None
    # The same link again, and the supervisor's link to the answered proposal: refused.
    with pytest.raises(LinkRefused, match="Ni tackade ja till förslaget") as again:
        await answers.accept_by_link(
            booking_id, tokens["karin@bygg.example.se"], sb.AcceptRequest()
        )
    assert again.value.status_code == 410 and again.value.used
    supervisor_token = tokens[await _email(u.w.supervisor_id)]
    with pytest.raises(LinkRefused, match="redan besvarat"):
        await answers.page_for_link(booking_id, supervisor_token)


async def test_decline_through_a_link_keeps_the_reason_and_tells_the_coordinator():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    token = (await links_mailed(booking_id))["karin@bygg.example.se"]
    declined = await answers.decline_by_link(booking_id, token, "Vi har inventering i mars.")
    assert declined.status == "declined" and declined.decline_reason == "Vi har inventering i mars."
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "booking.declined").first()
    assert mail is not None and mail["recipient"] == u.w.coordinator.email
    assert "Vi har inventering i mars." in mail["body_text"]
    link = await AnswerLink.select().where(AnswerLink.token_hash == token_hash(token)).first()
    assert link is not None and link["answer"] == "declined" and link["used_at"] is not None


async def test_expired_replaced_and_foreign_links_change_nothing():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    other = await propose(u.w, candidate_id=await make_candidate(u.w.coordinator, "Bo"))
    token = (await links_mailed(booking_id))["karin@bygg.example.se"]
    # A link of this booking used on another one.
    with pytest.raises(LinkRefused) as foreign:
        await answers.accept_by_link(other, token, sb.AcceptRequest())
    assert foreign.value.status_code == 400 and "hör inte till" in foreign.value.message
    with pytest.raises(LinkRefused) as bad:
        await answers.page_for_link(booking_id, token + "x")
    assert bad.value.status_code == 400
    # Expired.
    await AnswerLink.update(
        {AnswerLink.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(AnswerLink.token_hash == token_hash(token))
    with pytest.raises(LinkRefused, match="gått ut") as expired:
        await answers.decline_by_link(booking_id, token, "Nej")
    assert expired.value.status_code == 410
    # A fresh link replaces the old one to the same address.
    await answers.resend_links(u.w.coordinator, booking_id)
    fresh = (await links_mailed(booking_id))["karin@bygg.example.se"]
    assert fresh != token
    await AnswerLink.update(
        {AnswerLink.expires_at: dt.datetime.now(dt.UTC) + dt.timedelta(days=3)}
    ).where(AnswerLink.token_hash == token_hash(token))
    with pytest.raises(LinkRefused, match="ersatts"):
        await answers.page_for_link(booking_id, token)
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "proposed"}
    assert (await answers.accept_by_link(booking_id, fresh, sb.AcceptRequest())).status == (
        "accepted"
    )


async def test_a_withdrawn_proposal_closes_its_links_and_tells_their_holders():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    token = (await links_mailed(booking_id))["karin@bygg.example.se"]
    await bookings.withdraw(u.w.coordinator, booking_id, "Deltagaren har fått arbete.")
    told = await OutboxMessage.select(OutboxMessage.recipient).where(
        OutboxMessage.kind == "booking.withdrawn"
    )
    assert "karin@bygg.example.se" in {r["recipient"] for r in told}
    with pytest.raises(LinkRefused, match="återkallat"):
        await answers.page_for_link(booking_id, token)


# --- a full supervisor: another supervisor or period -----------------------------------------


async def test_a_full_supervisor_leaves_the_link_usable_and_another_supervisor_can_be_chosen():
    u = await unlinked_world(supervision=1)
    first = await propose(u.w)
    await answers.accept_by_link(
        first, (await links_mailed(first))["karin@bygg.example.se"], sb.AcceptRequest()
    )
    second = await propose(
        u.w, candidate_id=await make_candidate(u.w.coordinator, "Bo"), confirm=True
    )
    token = (await links_mailed(second))["karin@bygg.example.se"]
    options = (await answers.page_for_link(second, token)).options
    assert not options.fits
    assert "Hanna Handledare handleder redan 1 deltagare" in options.problem
    by_name = {s.name: s for s in options.supervisors}
    assert by_name["Hanna Handledare"].free == 0 and by_name["Hanna Handledare"].is_slot_supervisor
    assert by_name["Olle Ordförande"].free == 2
    with pytest.raises(
        Conflict, match="Välj en annan handledare med plats: Olle Ordförande"
    ) as full:
        await answers.accept_by_link(second, token, sb.AcceptRequest())
    assert full.value.fields == ["supervisor_id"]
    link = await AnswerLink.select().where(AnswerLink.token_hash == token_hash(token)).first()
    assert link is not None and link["used_at"] is None  # the refusal rolled the claim back
    accepted = await answers.accept_by_link(
        second, token, sb.AcceptRequest(supervisor_id=u.other_supervisor)
    )
    assert accepted.supervisor_id == u.other_supervisor
    event = (
        await BookingEvent.select(BookingEvent.note)
        .where((BookingEvent.booking == second) & (BookingEvent.to_status == "accepted"))
        .first()
    )
    assert event is not None and "Olle Ordförande i stället för platsens" in event["note"]
    agreement = await agreement_versions.current_agreement_row(second)
    assert agreement is not None and agreement["supervisor"] == u.other_supervisor


async def test_when_no_one_has_room_the_host_accepts_another_period():
    u = await unlinked_world(supervision=1)
    await Contact.update({Contact.active: False}).where(Contact.id == u.other_supervisor)
    first = await propose(u.w)
    await answers.accept_by_link(
        first, (await links_mailed(first))["karin@bygg.example.se"], sb.AcceptRequest()
    )
    second = await propose(
        u.w, candidate_id=await make_candidate(u.w.coordinator, "Bo"), confirm=True
    )
    token = (await links_mailed(second))["karin@bygg.example.se"]
    options = (await answers.page_for_link(second, token)).options
    # The first placement ends END, so the first period of the same length with room starts
    # the day after (hand-computed).
    assert (options.suggested_start, options.suggested_end) == (
        END + dt.timedelta(days=1),
        END + dt.timedelta(days=1) + (END - START),
    )
    with pytest.raises(Conflict, match="Ingen annan handledare hos er har plats"):
        await answers.accept_by_link(second, token, sb.AcceptRequest())
    with pytest.raises(ValidationFailed, match="före startdatum"):
        await answers.accept_by_link(
            second, token, sb.AcceptRequest(start_date=END, end_date=START)
        )
    accepted = await answers.accept_by_link(
        second,
        token,
        sb.AcceptRequest(start_date=options.suggested_start, end_date=options.suggested_end),
    )
    assert (accepted.start_date, accepted.end_date) == (
        options.suggested_start,
        options.suggested_end,
    )
    agreement = await agreement_versions.current_agreement_row(second)
    assert agreement is not None and agreement["start_date"] == options.suggested_start
    mail = (
        await OutboxMessage.select(OutboxMessage.body_text)
        .where(OutboxMessage.kind == "booking.accepted")
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert mail is not None and "accepterade perioden" in mail["body_text"]


async def test_the_host_portal_accept_takes_another_supervisor_under_the_same_rules():
    w = await make_world(capacity=2, supervision=1)
    other = await make_supervisor(w.host_id, capacity=1, name="Olle Ordförande")
    first = await propose(w)
    await bookings.accept(w.host_user, first)
    await write_win_win(first)
    second = await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"), confirm=True)
    with pytest.raises(Conflict, match="Olle Ordförande"):
        await bookings.accept(w.host_user, second)
    foreign_host = await make_host("Annan värd")
    foreign = await make_supervisor(foreign_host, name="Fredrik Främling")
    with pytest.raises(Conflict):
        await bookings.accept(w.host_user, second, sb.AcceptRequest(supervisor_id=foreign))
    accepted = await bookings.accept(w.host_user, second, sb.AcceptRequest(supervisor_id=other))
    assert accepted.supervisor_id == other
    third = await propose(w, candidate_id=await make_candidate(w.coordinator, "Cia"), confirm=True)
    options = await answers.accept_options_for(w.coordinator, third)
    assert not options.fits and options.seats_free == 0
    assert {s.name: s.free for s in options.supervisors} == {
        "Hanna Handledare": 0,
        "Olle Ordförande": 0,  # the three periods are the same
    }
    assert "Platsen har inga lediga platser" in options.problem


# --- the coordinator is warned when proposing ------------------------------------------------


async def test_proposing_to_a_full_supervisor_warns_and_asks_to_confirm():
    w = await make_world(capacity=3, supervision=1)
    first = await propose(w)
    await bookings.accept(w.host_user, first)
    await write_win_win(first)
    bo = await make_candidate(w.coordinator, "Bo")
    with pytest.raises(bookings.CapacityWarning) as warned:
        await propose(w, candidate_id=bo)
    text = warned.value.message
    assert warned.value.status_code == 409 and warned.value.fields == ["confirm_capacity"]
    assert "Handledaren Hanna Handledare handleder redan 1 deltagare" in text
    # "och har plats för 1" read as one seat more: the capacity is said as what it is.
    assert "och kan handleda högst 1 åt gången." in text and "har plats för" not in text
    assert "Ingen annan handledare hos värden har plats" in text
    assert f"Första period med plats: {END + dt.timedelta(days=1)}" in text
    assert warned.value.suggestion == (
        END + dt.timedelta(days=1),
        END + dt.timedelta(days=1) + (END - START),
    )
    assert await Booking.count().where(Booking.candidate == bo) == 0
    # Another period with room is sent without a warning; a confirmed one is sent as it is.
    later = await propose(
        w, candidate_id=bo, start=END + dt.timedelta(days=1), end=END + dt.timedelta(days=30)
    )
    assert later
    cia = await make_candidate(w.coordinator, "Cia")
    assert await propose(w, candidate_id=cia, confirm=True)


async def test_the_warning_names_another_supervisor_with_room_and_full_seats():
    w = await make_world(capacity=1, supervision=1)
    await make_supervisor(w.host_id, capacity=2, name="Olle Ordförande")
    first = await propose(w)
    await bookings.accept(w.host_user, first)
    await write_win_win(first)
    with pytest.raises(bookings.CapacityWarning) as warned:
        await propose(w, candidate_id=await make_candidate(w.coordinator, "Bo"))
    assert "Platsen har inga lediga platser under perioden" in warned.value.message
    slot2 = await make_slot(w.host_id, w.supervisor_id, capacity=2, title="Butik")
    with pytest.raises(bookings.CapacityWarning) as other:
        await propose(w, candidate_id=await make_candidate(w.coordinator, "Cia"), slot_id=slot2)
    assert "andra handledare med plats (Olle Ordförande)" in other.value.message


# --- by phone --------------------------------------------------------------------------------


async def test_a_phone_answer_is_recorded_with_who_answered_and_who_took_it():
    u = await unlinked_world()
    accepted_id = await propose(u.w)
    booking = await answers.record_phone_answer(
        u.w.coordinator,
        accepted_id,
        sb.PhoneAnswer(
            answer="accept", answered_by="Karin Kontakt", note="Tackade ja, börjar måndag."
        ),
    )
    assert booking.status == "accepted"
    last = booking.events[-1]
    assert last.to_status_text == "accepterad"
    assert last.actor == f"{u.w.coordinator.name} (samordnare)"
    assert last.note.startswith(
        f"Svar per telefon från Karin Kontakt, antecknat av {u.w.coordinator.name}: "
        "Tackade ja, börjar måndag."
    )
    [entry] = await audit("booking.phone_answer")
    assert entry["actor_id"] == u.w.coordinator.id
    assert "accepterad per telefon, svar från Karin Kontakt" in entry["detail"]
    # The links mailed for it no longer work.
    with pytest.raises(LinkRefused):
        await answers.page_for_link(
            accepted_id, (await links_mailed(accepted_id))["karin@bygg.example.se"]
        )

    declined_id = await propose(u.w, candidate_id=await make_candidate(u.w.coordinator, "Bo"))
    declined = await answers.record_phone_answer(
        u.w.coordinator,
        declined_id,
        sb.PhoneAnswer(answer="decline", answered_by="Karin", note="Ingen handledare i vår."),
    )
    assert declined.status == "declined" and declined.decline_reason == "Ingen handledare i vår."
    # The coordinator took both answers herself: she is mailed of neither (helper-136).
    told = await OutboxMessage.select(OutboxMessage.kind).where(
        OutboxMessage.kind.is_in(["booking.accepted", "booking.declined"])
    )
    assert told == []


async def test_only_staff_record_phone_answers_and_they_name_who_answered():
    w = await make_world()
    booking_id = await propose(w)
    data = sb.PhoneAnswer(answer="accept", answered_by="Karin", note="Ja")
    with pytest.raises(NotFound):
        await answers.record_phone_answer(w.host_user, booking_id, data)
    other = await make_user("coordinator")
    with pytest.raises(NotFound):
        await answers.record_phone_answer(other, booking_id, data)
    blank = sb.PhoneAnswer(answer="accept", answered_by="   ", note="Ja")
    with pytest.raises(ValidationFailed) as missing:
        await answers.record_phone_answer(w.coordinator, booking_id, blank)
    assert missing.value.fields == ["answered_by"]
    assert await audit("booking.phone_answer") == []


# --- reminders -------------------------------------------------------------------------------


async def test_a_reminder_to_a_host_without_users_carries_a_fresh_single_use_link():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    first = (await links_mailed(booking_id))["karin@bygg.example.se"]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=get_settings().proposal_reminder_days + 1)
    counts = await jobs.remind_proposals(later, get_settings())
    assert counts["queued"] == 2
    reminders = await OutboxMessage.select().where(OutboxMessage.kind == "proposal_reminder")
    assert {r["recipient"] for r in reminders} == {
        "karin@bygg.example.se",
        await _email(u.w.supervisor_id),
    }
    for reminder in reminders:
        assert "/vard/" not in reminder["body_text"]  # a page they could not open
        assert "kan användas en gång" in reminder["body_text"]
    fresh = (await links_mailed(booking_id))["karin@bygg.example.se"]
    assert fresh != first
    with pytest.raises(LinkRefused, match="ersatts"):
        await answers.page_for_link(booking_id, first)
    # Run again at the same moment: nothing new, and the link mailed last still works.
    again = await jobs.remind_proposals(later, get_settings())
    assert again["queued"] == 0
    assert await AnswerLink.count().where(AnswerLink.booking == booking_id) == 4
    assert (await answers.page_for_link(booking_id, fresh)).slot_title == "Lagerarbetare"


async def test_resending_links_is_refused_for_a_host_whose_users_answer_in_the_portal():
    w = await make_world()
    booking_id = await propose(w)
    with pytest.raises(Conflict, match="loggar in"):
        await answers.resend_links(w.coordinator, booking_id)
    with pytest.raises(NotFound):
        await answers.resend_links(w.host_user, booking_id)


async def test_a_host_without_any_address_gets_no_link_and_the_coordinator_is_told_why():
    coordinator = await make_user("coordinator")
    host_id = await make_host("Tyst Förening")
    supervisor = await make_contact(host_id, "Sam Utan Adress")
    slot_id = await make_slot(host_id, supervisor)
    candidate_id = await make_candidate(coordinator)
    w = World(coordinator, None, host_id, supervisor, slot_id, candidate_id)  # type: ignore[arg-type]
    booking_id = await propose(w)
    assert await answers.links_of(booking_id) == []
    with pytest.raises(Conflict, match="Ingen hos värden har en e-postadress"):
        await answers.resend_links(coordinator, booking_id)


async def test_the_host_user_of_another_host_never_sees_the_options():
    w = await make_world()
    booking_id = await propose(w)
    stranger = await make_host_user(await make_host("Annan värd"))
    with pytest.raises(NotFound):
        await answers.accept_options_for(stranger, booking_id)
    assert clock.today() <= START


# --- after the answer: the host without users signs the agreement by link --------------------


async def test_a_host_without_users_signs_the_agreement_through_its_own_link():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    await answers.accept_by_link(
        booking_id, (await links_mailed(booking_id))["karin@bygg.example.se"], sb.AcceptRequest()
    )
    await write_win_win(booking_id)
    issued = await agreements.issue_signing_links(u.w.coordinator, booking_id)
    by_party = {link.party: link for link in issued.links}
    assert set(by_party) == {"host", "supervisor", "participant"}
    assert by_party["host"].mailed_to == "karin@bygg.example.se"  # who answered the proposal
    version = int((await agreement_versions.current_agreement_row(booking_id))["version"])  # type: ignore[index]
    await agreements.sign_in_app(u.w.coordinator, booking_id, seen_version=version)
    for link in issued.links:
        await agreements.sign_by_link(link.url.rsplit("/", 1)[1], seen_version=version)
    row = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert row == {"status": "agreed"}
    signer = next(
        s
        for s in (await agreements.get_agreement_for(u.w.coordinator, booking_id)).signatures
        if s.party == "host"
    )
    assert signer.signed and signer.signer == "Karin Kontakt" and signer.method == "link"


async def test_paper_signature_for_the_host_only_when_no_one_signs_in_for_it():
    from placements.schemas import agreements as sa

    u = await unlinked_world()
    booking_id = await propose(u.w)
    await answers.record_phone_answer(
        u.w.coordinator,
        booking_id,
        sb.PhoneAnswer(answer="accept", answered_by="Karin Kontakt", note="Ja tack"),
    )
    await write_win_win(booking_id)
    # Who signed for the host is the coordinator's to say: a tester's paper signature was
    # put in the name of a contact no one chose (the host has three).
    with pytest.raises(ValidationFailed) as refused:
        await agreements.record_paper_signature(
            u.w.coordinator, booking_id, sa.PaperSignature(party="host", version=1)
        )
    assert refused.value.status_code == 400
    assert refused.value.errors == {"signer_name": agreements.HOST_SIGNER_MISSING}
    signed = await agreements.record_paper_signature(
        u.w.coordinator,
        booking_id,
        sa.PaperSignature(party="host", version=1, signer_name="  Olle   Ordförande "),
    )
    host = next(s for s in signed.signatures if s.party == "host")
    assert host.signed and host.method == "paper" and host.signer == "Olle Ordförande"

    w = await make_world()
    other = await propose(w)
    await bookings.accept(w.host_user, other)
    await write_win_win(other)
    with pytest.raises(ValidationFailed, match="skriver under i tjänsten"):
        await agreements.record_paper_signature(
            w.coordinator, other, sa.PaperSignature(party="host", version=1)
        )


async def test_the_paper_signature_form_asks_who_signed_for_the_host(client):
    """The booking page's paper form asks for the host's signer among its contacts, with
    none suggested when the host has several and no one answered by link; left empty it is
    refused at its box, and the agreement then shows the name chosen."""
    from html import unescape

    from tests.placements.test_answer_pages import csrf_of, visible_text
    from tests.placements.test_answer_pages import login as page_login

    u = await unlinked_world()
    booking_id = await propose(u.w)
    await answers.record_phone_answer(
        u.w.coordinator,
        booking_id,
        sb.PhoneAnswer(answer="accept", answered_by="Olle Ordförande", note="Ja tack"),
    )
    await write_win_win(booking_id)
    await page_login(client, u.w.coordinator.username)
    url = f"/arbetsbord/bokningar/{booking_id}"
    page = await client.get(url, headers={"accept": "text/html"})
    assert 'id="f-signer_name" name="signer_name" type="text" value=""' in page.text
    choices = page.text.split('<datalist id="host-signers">')[1].split("</datalist>")[0]
    assert re.findall(r'<option value="([^"]*)">', choices) == [
        "Hanna Handledare",
        "Olle Ordförande",
        "Karin Kontakt",
    ]
    form = {"_csrf_token": csrf_of(page.text), "party": "host", "version": "1"}
    refused = await client.post(f"{url}/papper", data={**form, "signer_name": " "})
    assert refused.status_code == 400
    error = re.search(r'<span class="error" id="f-signer_name-error">([^<]*)<', refused.text)
    assert error and unescape(error.group(1)) == agreements.HOST_SIGNER_MISSING
    assert '<details id="papper" open>' in refused.text
    saved = await client.post(
        f"{url}/papper", data={**form, "signer_name": "Olle Ordförande"}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    shown = visible_text((await client.get(url, headers={"accept": "text/html"})).text)
    assert "av Olle Ordförande (på papper, registrerad av" in " ".join(shown.split())


async def test_who_accepted_by_link_is_suggested_as_the_host_signer():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    await answers.accept_by_link(
        booking_id, (await links_mailed(booking_id))["karin@bygg.example.se"], sb.AcceptRequest()
    )
    booking = await Booking.select().where(Booking.id == booking_id).first()
    assert booking is not None
    suggested, names = await answer_links.host_signer_choices(booking)  # type: ignore[arg-type]
    assert suggested == "Karin Kontakt"
    assert names[0] == "Karin Kontakt" and set(names) == {
        "Karin Kontakt",
        "Hanna Handledare",
        "Olle Ordförande",
    }


async def test_the_coordinator_is_told_the_host_without_users_has_not_signed():
    u = await unlinked_world()
    booking_id = await propose(u.w)
    await answers.record_phone_answer(
        u.w.coordinator,
        booking_id,
        sb.PhoneAnswer(answer="accept", answered_by="Karin Kontakt", note="Ja tack"),
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=get_settings().signature_reminder_days + 1)
    await jobs.remind_signatures(later, get_settings())
    missing = await OutboxMessage.select(OutboxMessage.body_text, OutboxMessage.recipient).where(
        OutboxMessage.kind == "signature_missing"
    )
    assert [m["recipient"] for m in missing] == [u.w.coordinator.email]
    assert "värden, handledaren och deltagaren" in missing[0]["body_text"]


async def test_without_a_public_contact_the_links_go_to_the_other_contacts_and_the_supervisor():
    u = await unlinked_world()
    await Contact.update({Contact.is_public_contact: False}).where(Contact.id == u.contact_id)
    await make_contact(u.w.host_id, "Eva Ekonomi", email="eva@bygg.example.se", supervisor=False)
    await make_contact(
        u.w.host_id, "Gustav Gått", email="gustav@bygg.example.se", supervisor=False, active=False
    )
    booking_id = await propose(u.w)
    assert sorted(await links_mailed(booking_id)) == sorted(
        ["karin@bygg.example.se", "eva@bygg.example.se", await _email(u.w.supervisor_id)]
    )  # not Olle, a supervisor of another slot, nor Gustav, who has left
