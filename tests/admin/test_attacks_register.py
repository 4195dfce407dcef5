"""Attacks on the register extract and on anonymisation (issue 13, items 1, 2 and 17).

- A participant whose stored e-mail is `%` (or `_`) used to pull every mail in the outbox
  into their extract: the extract matched addresses with LIKE. Mail now belongs to a
  participant by the key set when it is queued.
- Anonymising "Ali" used to rewrite "Alingsås", "Alice" and every other mail holding those
  letters. Now only the person's own mail is touched, whole words only.
- An admin could read health notes through the extract although the API refuses them. An
  extract now needs a recorded reason, and health notes follow the API's rule.
"""

from __future__ import annotations

import json

import pytest

from admin.services import register
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.mail import queue_mail
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from placements.schemas import candidates as sc
from placements.services import bookings, candidates
from placements.tables import Booking, Candidate
from tests.builders import make_candidate, make_host, make_outbox_message, make_user
from tests.conftest import login
from tests.placements.bookingdata import (
    HEALTH_TEXT,
    link_tokens,
    make_world,
    propose,
    write_win_win,
)

REASON = "Begäran från den registrerade"


async def _outbox_ids(extract) -> list[int]:
    [section] = [s for s in extract.sections if s.table == "mp_outbox"]
    return [next(f.value for f in row.fields if f.name == "id") for row in section.rows]


async def test_a_wildcard_address_pulls_no_one_elses_mail_into_an_extract():
    w = await make_world()
    victim = w.candidate_id
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    await link_tokens(w, booking_id)  # the participant's live signing link, by mail
    await queue_mail("ida@bageri.example", "Inbjudan", "Välj lösenord: https://x/inbjudan?t=1")
    assert await OutboxMessage.count() >= 4

    # Every mail about the booking carries its participant's key, set by the queueing code.
    for row in await OutboxMessage.select(OutboxMessage.meta, OutboxMessage.candidate):
        meta = row["meta"] if isinstance(row["meta"], dict) else json.loads(row["meta"])
        if "booking_id" in meta:
            assert row["candidate"] == victim

    for wildcard in ("%", "_%", "%@%"):
        attacker = await make_candidate(w.coordinator, "Mallory")
        # Stored before addresses were validated (the API refuses it now).
        await Candidate.update({Candidate.email: wildcard}).where(Candidate.id == attacker)
        extract = await register.register_extract(w.coordinator, attacker, reason=REASON)
        assert await _outbox_ids(extract) == []

    own = await register.register_extract(w.coordinator, victim, reason=REASON)
    expected = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.candidate == victim)
    assert sorted(await _outbox_ids(own)) == sorted(r["id"] for r in expected)
    recipients = {
        r["recipient"]
        for r in await OutboxMessage.select(OutboxMessage.recipient).where(
            OutboxMessage.id.is_in(await _outbox_ids(own))
        )
    }
    assert "ida@bageri.example" not in recipients  # the invitation is nobody's participant mail
    victim_row = await Candidate.select(Candidate.email).where(Candidate.id == victim).first()
    assert victim_row is not None
    victim_email = victim_row["email"]
    assert victim_email in recipients  # the signing link to the participant is theirs


async def test_anonymising_one_person_leaves_other_peoples_mail_and_words_alone():
    coordinator = await make_user("coordinator")
    await make_host("Bergs Bygg", "company", town="Alingsås")
    ali = (
        await candidates.create_candidate(
            coordinator,
            sc.CandidateCreate(
                first_name="Ali",
                last_name="Berg",
                email="ali.berg@example.se",
                home_town="Alingsås",
            ),
        )
    ).id
    alice = (
        await candidates.create_candidate(
            coordinator,
            sc.CandidateCreate(
                first_name="Alice",
                last_name="Bergström",
                email="alice.bergstrom@example.se",
                home_town="Alingsås",
            ),
        )
    ).id
    await queue_mail(
        "ali.berg@example.se",
        "Välkommen till Bergs Bygg, Ali",
        "Hej Ali Berg! Välkommen till Bergs Bygg i Alingsås. Alice Bergström börjar samma dag.",
        candidate_id=ali,
    )
    await queue_mail(
        "alice.bergstrom@example.se",
        "Välkommen till Bergs Bygg, Alice",
        "Hej Alice Bergström! Välkommen till Bergs Bygg i Alingsås. Ali Berg börjar samma dag.",
        candidate_id=alice,
    )
    await queue_mail(
        "hanna@bergsbygg.example.se",
        "Ny praktikant",
        "Ali Berg kommer på måndag.",
        candidate_id=ali,
    )
    await queue_mail(
        "kontakt@alingsas.example.se",
        "Veckobrev från Alingsås",
        "Bergs Bygg och Alingsås IF söker folk. Fråga Ali på växeln.",
    )
    rows = {r["id"]: r for r in await OutboxMessage.select().order_by(OutboxMessage.id)}
    ali_mail, alice_mail, host_mail, other_mail = sorted(rows)
    # A daily digest that gathered Ali's and Alice's mail to the same host user.
    await make_outbox_message(
        "hanna@bergsbygg.example.se",
        "Dagens sammanfattning",
        "1. Ali Berg kommer på måndag.\n2. Alice Bergström kommer på tisdag.",
        kind="digest",
        meta=json.dumps({"template": "digest", "messages": [host_mail, alice_mail]}),
    )
    before = {r["id"]: r for r in await OutboxMessage.select()}

    assert await register.anonymise_candidate(ali) is True
    after = {r["id"]: r for r in await OutboxMessage.select()}
    # Alice's mail and the unrelated mail are exactly as they were.
    assert after[alice_mail] == before[alice_mail]
    assert after[other_mail] == before[other_mail]
    # Ali's own mail: his name and address gone, the host and the town kept.
    assert after[ali_mail]["recipient"] == "anonymiserad@example.invalid"
    assert after[ali_mail]["subject"] == "Välkommen till Bergs Bygg, [anonymiserad]"
    assert after[ali_mail]["body_text"] == (
        "Hej [anonymiserad]! Välkommen till Bergs Bygg i Alingsås. Alice Bergström börjar "
        "samma dag."
    )
    assert after[host_mail]["recipient"] == "hanna@bergsbygg.example.se"
    assert after[host_mail]["body_text"] == "[anonymiserad] kommer på måndag."
    [digest] = [r for i, r in after.items() if i not in before or r["kind"] == "digest"]
    assert digest["body_text"] == (
        "1. [anonymiserad] kommer på måndag.\n2. Alice Bergström kommer på tisdag."
    )
    alice_row = await Candidate.select().where(Candidate.id == alice).first()
    assert alice_row is not None
    assert (alice_row["first_name"], alice_row["last_name"], alice_row["home_town"]) == (
        "Alice",
        "Bergström",
        "Alingsås",
    )


def test_scrub_replaces_whole_words_only():
    needles = ["Ali Berg", "Ali", "Berg"]
    assert register.scrub("Ali i Alingsås hos Bergs Bygg", needles) == (
        "[anonymiserad] i Alingsås hos Bergs Bygg"
    )
    assert register.scrub("ALI BERG, alice bergström", needles) == (
        "[anonymiserad], alice bergström"
    )


async def test_an_extract_needs_a_reason_and_health_notes_follow_the_api_rule(client):
    w = await make_world()
    admin = await make_user("admin", username="alva")
    await make_user("coordinator", username="omar")
    await candidates.add_health_note(
        w.coordinator, w.candidate_id, sc.HealthNoteCreate(text=HEALTH_TEXT)
    )
    a = w.candidate_id

    for missing in (None, "", "   ", "abc", "Begäran\x00från den registrerade"):
        with pytest.raises(ValidationFailed) as err:
            await register.register_extract(admin, a, reason=missing)
        assert err.value.fields == ["reason"]
        assert "Ange varför" in err.value.message or "vanlig text" in err.value.message
    assert not await AuditEntry.exists().where(AuditEntry.action == "candidate.extract")

    await login(client, "alva")
    refused = await client.get(f"/api/v1/register/{a}")
    assert refused.status_code == 400 and refused.json()["fields"] == ["reason"]
    # The API refuses an admin the health notes, and so does the extract.
    assert (await client.get(f"/api/v1/candidates/{a}/health-notes")).status_code == 403
    made = await client.get(f"/api/v1/register/{a}", params={"reason": REASON})
    assert made.status_code == 200
    assert HEALTH_TEXT not in made.text
    section = next(s for s in made.json()["sections"] if s["table"] == "pl_health_note")
    assert section["rows"] == [] and "egen samordnare" in section["note"]
    assert made.json()["reason"] == REASON
    # The page asks for the reason first, refuses a short one in Swedish, then shows it.
    html = {"accept": "text/html"}
    ask = await client.get(f"/registerutdrag/{a}", headers=html)
    assert ask.status_code == 200 and 'name="reason"' in ask.text and "Skäl" in ask.text
    short = await client.get(f"/registerutdrag/{a}", params={"reason": "x"}, headers=html)
    assert short.status_code == 400 and "minst 5 tecken" in short.text
    page = await client.get(f"/registerutdrag/{a}", params={"reason": REASON}, headers=html)
    assert page.status_code == 200 and HEALTH_TEXT not in page.text and REASON in page.text

    # Another coordinator: as if the participant did not exist, reason or not.
    client.cookies.clear()
    await login(client, "omar")
    assert (await client.get(f"/api/v1/register/{a}", params={"reason": REASON})).status_code == 404
    assert (await client.get(f"/registerutdrag/{a}", headers=html)).status_code == 404

    # The own coordinator, who may read them in the API, gets them, and that read is logged.
    own = await register.register_extract(w.coordinator, a, reason="Begäran via handläggare")
    [notes] = [s for s in own.sections if s.table == "pl_health_note"]
    assert [f.value for f in notes.rows[0].fields if f.name == "text"] == [HEALTH_TEXT]
    assert notes.note == ""
    audit = await AuditEntry.select(
        AuditEntry.actor_id, AuditEntry.action, AuditEntry.detail
    ).where(
        AuditEntry.action.is_in(["candidate.extract", "health_note.read"])
        & (AuditEntry.subject_id == a)
    )
    assert {(r["actor_id"], r["action"], r["detail"]) for r in audit} == {
        (admin.id, "candidate.extract", f"json: {REASON}"),
        (admin.id, "candidate.extract", f"sida: {REASON}"),
        (w.coordinator.id, "candidate.extract", "json: Begäran via handläggare"),
        (w.coordinator.id, "health_note.read", "registerutdrag"),
    }
    assert await Booking.count() == 0


async def test_the_data_migration_lower_cases_addresses_and_keys_old_mail():
    """Mail queued before the key existed gets it where it is certain; addresses are
    lower-cased (a user whose lower-cased address is taken keeps theirs)."""
    import importlib

    from marketplace.kernel import auth
    from marketplace.kernel.tables import User
    from tests.conftest import DEMO_PASSWORD

    migration = importlib.import_module(
        "placements.piccolo_migrations.placements_2026_12_03t17_10_02_100002"
    )
    w = await make_world()
    booking_id = await propose(w)
    await Candidate.update({Candidate.email: "Aida.Old@Example.SE"}).where(
        Candidate.id == w.candidate_id
    )
    twin = await make_candidate(w.coordinator, "Tvilling")
    other = await make_candidate(w.coordinator, "Annan")
    await Candidate.update({Candidate.email: "delad@example.se"}).where(
        Candidate.id.is_in([twin, other])
    )
    lower = await auth.create_user("lena", DEMO_PASSWORD, "coordinator", email="lena@example.se")
    upper = await auth.create_user("lena2", DEMO_PASSWORD, "coordinator", email="x@example.se")
    await User.update({User.email: "LENA@example.se"}).where(User.id == upper.id)
    await OutboxMessage.update({OutboxMessage.candidate: None}, force=True)
    to_her = await make_outbox_message("aida.old@example.se", "Länk", "x")
    ambiguous = await make_outbox_message("delad@example.se", "Vem?", "x")

    manager = await migration.forwards()
    for raw in manager.raw:
        await raw()

    row = await Candidate.select(Candidate.email).where(Candidate.id == w.candidate_id).first()
    assert row == {"email": "aida.old@example.se"}
    about_booking = await OutboxMessage.select(OutboxMessage.candidate, OutboxMessage.meta).where(
        OutboxMessage.kind == "booking.proposed"
    )
    assert about_booking and all(r["candidate"] == w.candidate_id for r in about_booking)
    keyed = {
        r["id"]: r["candidate"]
        for r in await OutboxMessage.select(OutboxMessage.id, OutboxMessage.candidate)
    }
    assert keyed[to_her] == w.candidate_id
    assert keyed[ambiguous] is None  # two participants share it: no guess
    users = {
        r["username"]: r["email"]
        for r in await User.select(User.username, User.email).where(
            User.id.is_in([lower.id, upper.id])
        )
    }
    assert users == {"lena": "lena@example.se", "lena2": "LENA@example.se"}
    assert booking_id


async def test_an_extract_holds_no_live_single_use_link():
    """The extract showed the participant's mail in full: their live signing link and the
    sign-in link to Mina sidor, so the coordinator producing it could sign the agreement or
    sign in as the participant. The mail is there, the links' secrets are not."""
    import msgspec

    from participants import sessions

    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    signing = await link_tokens(w, booking_id)
    await sessions.send_sign_in_link(w.coordinator, w.candidate_id)
    bodies = [
        r["body_text"]
        for r in await OutboxMessage.select(OutboxMessage.body_text).where(
            OutboxMessage.candidate == w.candidate_id
        )
    ]
    sign_in = next(
        b.split("/mina-sidor/logga-in/lank/", 1)[1].split()[0]
        for b in bodies
        if "/mina-sidor/logga-in/lank/" in b
    )
    secrets = [*signing.values(), sign_in]
    assert all(any(s in b for b in bodies) for s in secrets)  # the mail holds them

    extract = await register.register_extract(w.coordinator, w.candidate_id, reason=REASON)
    text = msgspec.json.encode(extract).decode()
    assert "/mina-sidor/logga-in/lank/[dold länk]" in text
    for secret in secrets:
        assert secret not in text
    # Reading the extract spent nothing: the participant still signs in with the link.
    assert await sessions.use_sign_in_link(sign_in) == w.candidate_id
