"""An address is stored only if mail can go to it (A6 of a tester's walk): "åsa.öberg@…" was
accepted, the new user's password link then failed in the outbox, and the Drift page blamed
the mail server. Å, ä and ö before the @ are refused at entry, in Swedish, with the address
to try instead; a domain with å, ä or ö is stored as written and sent as IDNA; an address
stored before the rule fails in the outbox with the address's reason (real SMTP server,
aiosmtpd), never reaching the server, and the rest of the run goes out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from marketplace.kernel.addresses import (
    address_problem,
    normalise_email,
    suggested_address,
    wire_address,
)
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.i18n import gettext_for
from marketplace.kernel.mail import deliver_outbox
from marketplace.kernel.tables import OutboxMessage
from tests.builders import make_outbox_message

MORNING = dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC)
LETTERS = (
    "före @ får en adress bara ha bokstäverna a–z (inte å, ä, ö eller é), siffror och "
    "tecken som . - _ +."
)


def test_a_or_o_with_dots_before_the_at_is_refused_with_the_address_to_try():
    with pytest.raises(ValidationFailed) as err:
        normalise_email(" Åsa.Öberg@Vargarda.se ", "contact_email", label="Kontaktens e-post")
    assert err.value.fields == ["contact_email"]
    assert err.value.message == (
        f"Kontaktens e-post Åsa.Öberg@Vargarda.se går inte att skicka e-post till: {LETTERS} "
        "Menar du asa.oberg@vargarda.se?"
    )
    # Letters with no a–z form are refused without a guess.
    with pytest.raises(ValidationFailed) as err:
        normalise_email("علي@vargarda.se")
    assert err.value.message.endswith(LETTERS) and "Menar du" not in err.value.message
    assert suggested_address("Hanna.Nyström@Deltagare.se") == "hanna.nystrom@deltagare.se"
    assert suggested_address("rené.ängel@x.se") == "rene.angel@x.se"
    assert suggested_address("علي@x.se") == ""


def test_the_refusal_is_said_in_the_participant_s_language():
    english = gettext_for("en")
    with pytest.raises(ValidationFailed) as err:
        normalise_email("åsa@x.se", label=english("E-postadressen"), translate=english)
    assert err.value.message.startswith("The email address åsa@x.se cannot receive mail")
    assert err.value.message.endswith("Did you mean asa@x.se?")
    arabic = gettext_for("ar")
    with pytest.raises(ValidationFailed) as err:
        normalise_email("åsa@x.se", translate=arabic)
    assert "går inte" not in err.value.message and "asa@x.se" in err.value.message


def test_a_domain_with_a_and_o_is_stored_as_written_and_sent_as_idna():
    assert normalise_email("Asa@VÅRGÅRDA.se") == "asa@vårgårda.se"
    # The same domain typed as IDNA is the same stored address.
    assert normalise_email("asa@xn--vrgrda-iuac.se") == "asa@vårgårda.se"
    assert wire_address("asa@vårgårda.se") == "asa@xn--vrgrda-iuac.se"
    assert wire_address("asa@vargarda.se") == "asa@vargarda.se"
    assert address_problem("asa@vårgårda.se") is None
    assert (
        address_problem("åsa.öberg@vargarda.se")
        == f"Adressen går inte att skicka e-post till: {LETTERS}"
    )


async def test_an_address_stored_before_the_rule_fails_for_its_address_not_the_server(smtp):
    settings = smtp.settings()
    with time_machine.travel(MORNING, tick=False):
        old = await make_outbox_message("åsa.öberg@vargarda.se", "Välj ett lösenord", "Text")
        idn = await make_outbox_message("asa@vårgårda.se", "Till en domän med å", "Text")
        plain = await make_outbox_message("bo@vargarda.se", "Vanligt brev", "Text")
        result = await deliver_outbox(MORNING, settings)
    assert result["sent"] == 2 and result["failed"] == 1 and result["retried"] == 0
    rows = {r["id"]: r for r in await OutboxMessage.select()}
    assert rows[old]["status"] == "failed" and rows[old]["attempts"] == 1
    assert rows[old]["last_error"] == f"Adressen går inte att skicka e-post till: {LETTERS}"
    assert (rows[idn]["status"], rows[plain]["status"]) == ("sent", "sent")
    # The server saw the IDNA address, and nothing for the address it could not take.
    assert sorted(r.recipients[0] for r in smtp.inbox.received) == [
        "asa@xn--vrgrda-iuac.se",
        "bo@vargarda.se",
    ]
    [sent] = smtp.inbox.to("asa@xn--vrgrda-iuac.se")
    assert sent.message["To"] == "asa@xn--vrgrda-iuac.se"


async def test_a_demo_loaded_before_the_rule_is_corrected_and_its_mail_goes_out(smtp):
    """The demo's participant Hanna Nyström was stored as "hanna.nyström@…", and her signing
    link failed in the outbox; loading the demo again corrects the address where it is
    stored and sends the mail that failed to the corrected address."""
    from marketplace.demo import repair_demo_addresses
    from placements.tables import Application, Candidate
    from tests.builders import make_candidate_row

    old, new = "hanna.nyström@deltagare.demo.example", "hanna.nystrom@deltagare.demo.example"
    hanna = await make_candidate_row(None, "Hanna", last_name="Nyström", email=old)
    other = await make_candidate_row(None, "Amir", last_name="Haddad")
    await Application(
        first_name="Nora", last_name="Nyström", email="nora.nyström@sokande.demo.example"
    ).save()
    failed = await make_outbox_message(
        old,
        "Underteckna överenskommelsen",
        "Länk",
        status="failed",
        attempts=1,
        last_error=f"Adressen går inte att skicka e-post till: {LETTERS}",
        candidate=hanna,
    )
    assert await repair_demo_addresses() == 2
    assert await Candidate.select(Candidate.email).where(Candidate.id == hanna).first() == {
        "email": new
    }
    assert (await Candidate.select(Candidate.email).where(Candidate.id == other).first()) == {
        "email": "amir@deltagare.example.se"
    }
    assert await Application.select(Application.email).first() == {
        "email": "nora.nystrom@sokande.demo.example"
    }
    mail = await OutboxMessage.select().where(OutboxMessage.id == failed).first()
    assert mail is not None
    assert (mail["recipient"], mail["status"], mail["attempts"], mail["last_error"]) == (
        new,
        "pending",
        0,
        "",
    )
    assert (await deliver_outbox(dt.datetime.now(dt.UTC), smtp.settings()))["sent"] == 1
    assert [r.recipients for r in smtp.inbox.received] == [[new]]
    assert await repair_demo_addresses() == 0  # once corrected, a load changes nothing
