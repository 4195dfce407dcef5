"""What a text the coordinator writes for a host may not say (`placements.host_texts`):
anything like a personnummer, whatever its check digit, and anything about health. A
tester got "Oskar har epilepsi och tar medicin" and "pnr 19900101-1234, hon har diabetes"
through to a host's page."""

from __future__ import annotations

import pytest

from marketplace.kernel.errors import ValidationFailed
from placements.host_texts import (
    HEALTH_TEXT,
    IDENTITY_TEXT,
    PHONE_HINT,
    health_word,
    host_text_problems,
    looks_like_identity_number,
)
from placements.schemas import agreements as sa
from placements.services import agreements, bookings
from tests.placements.bookingdata import make_world, propose

LUHN_0501154 = 1  # the check digit that makes 050115456? a valid personnummer


@pytest.mark.parametrize(
    "text",
    [
        "pnr 19900101-1234",  # a wrong check digit
        "850709-1234",
        "850709+1234",  # aged 100 or more
        "19850709 9805",
        "198507099805",
        "8507099805",
        "850769-1234",  # a samordningsnummer: the day plus 60
        "850709 – 1234",  # any dash, spaces around it
        "050115-4567",  # born 2005, with its dash
    ],
)
def test_anything_written_like_a_personnummer_is_refused(text):
    assert looks_like_identity_number(text), text
    assert host_text_problems("message", text) == [("message", IDENTITY_TEXT)]


@pytest.mark.parametrize(
    "text",
    [
        "Ring 070-123 45 67 eller 0701234567",
        "Organisationsnummer 556677-8899",  # month 66: no date
        "Kan börja 2027-01-10, helst 8–12",
        "Jobbade där 2019-2021",
        "Kundnummer 123456-7890",  # month 34: no date
    ],
)
def test_phone_numbers_dates_and_org_numbers_are_no_personnummer(text):
    assert not looks_like_identity_number(text), text


def test_ten_digits_together_starting_with_0_are_a_phone_number_unless_the_check_digit_fits():
    """A mobile number ("0701234567") is also a date of 2007; the check digit tells them
    apart there, and only there."""
    assert not looks_like_identity_number("Ring 0501154567")
    assert looks_like_identity_number(f"Hon har 050115456{LUHN_0501154}")


def test_a_phone_number_refused_as_a_personnummer_is_told_how_to_pass():
    # One mobile number in ten, written together, has a right check digit: the message says
    # to write it in groups; a number written as a personnummer is told only to go.
    together = f"Ring mig på 050115456{LUHN_0501154}"
    assert host_text_problems("message", together) == [("message", IDENTITY_TEXT + PHONE_HINT)]
    assert "070-123 45 67" in PHONE_HINT
    assert host_text_problems("message", "Ring mig på 050-115 456 " + str(LUHN_0501154)) == []
    for text in (
        "850709-1234",
        f"050115-456{LUHN_0501154}",
        f"Ring 050115456{LUHN_0501154} om 850709-1234",
    ):
        assert host_text_problems("message", text) == [("message", IDENTITY_TEXT)], text


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Oskar har epilepsi och tar medicin", "epilepsi"),
        ("Hon är epileptiker", "epileptiker"),
        ("Julia är diabetiker", "diabetiker"),
        ("Glöm inte medicinen", "medicinen"),
        ("Han mår bättre efter depressionen", "depressionen"),
        ("Har ADHD", "ADHD"),
        ("adhd-diagnos", "adhd-diagnos"),
        ("Autism, behöver lugn miljö", "Autism"),
        ("Tidigare missbruk", "missbruk"),
        ("Ångesten kommer ibland", "Ångesten"),
        ("angest", "angest"),  # written without å
        ("Har en funktionsnedsättning", "funktionsnedsättning"),
        ("Sjukskriven sedan mars", "Sjukskriven"),
        ("Alkoholist", "Alkoholist"),
        ("Psykisk ohälsa", "Psykisk"),
    ],
)
def test_health_words_are_found_at_the_start_of_words(text, word):
    assert health_word(text) == word
    assert host_text_problems("message", text) == [("message", HEALTH_TEXT % {"word": word})]


@pytest.mark.parametrize(
    "text",
    [
        "Vill prova kassaarbete, gärna förmiddagar.",
        "Har erfarenhet av lager och truck, körkort B.",
        "Vill jobba med medicinteknik eller som medicinsk sekreterare.",
        "Har praktiserat på sjukhuset som vårdbiträde, vill bli sjuksköterska.",
        "Vill jobba i psykiatrin som undersköterska.",
        "Kan börja direkt, beroende på schemat.",
        "Tycker om djur och vill jobba med hundar.",
        "Behöver pauser och tydliga instruktioner, kan inte lyfta tungt.",
        "Hon drog igång ett café förra året.",
        "Behöver börja klockan 9 och sluta 14.",
    ],
)
def test_ordinary_proposal_messages_pass(text):
    assert host_text_problems("message", text) == []


async def test_the_proposal_with_health_or_a_false_personnummer_is_refused_and_not_sent():
    """The tester's two messages, refused at the message box, both problems at once; no
    booking is made, and a message about needs is accepted."""
    from placements.schemas import bookings as sb
    from placements.tables import Booking
    from tests.placements.bookingdata import END, START

    w = await make_world()

    async def proposing(message: str) -> object:
        data = sb.BookingCreate(
            candidate_id=w.candidate_id,
            slot_id=w.slot_id,
            start_date=START,
            end_date=END,
            message=message,
        )
        return await bookings.propose(w.coordinator, data)

    with pytest.raises(ValidationFailed) as refused:
        await proposing("Aida vill prova kassaarbete, pnr 19900101-1234, hon har diabetes")
    assert refused.value.status_code == 400
    assert refused.value.errors == {
        "message": f"{IDENTITY_TEXT} {HEALTH_TEXT % {'word': 'diabetes'}}"
    }
    with pytest.raises(ValidationFailed) as refused:
        await proposing("Aida har epilepsi och tar medicin")
    assert list(refused.value.errors) == ["message"]
    assert await Booking.count() == 0
    await proposing("Aida behöver pauser och vill prova kassaarbete.")
    assert await Booking.count() == 1


async def test_the_agreements_goals_say_nothing_of_health_either():
    """The participant's goals in the agreement are written by the coordinator and read by
    the host: the same rule as the proposal message."""
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    with pytest.raises(ValidationFailed) as refused:
        await agreements.update_agreement(
            w.coordinator,
            booking_id,
            sa.AgreementUpdate(participant_goals="Komma tillbaka efter utmattningssyndromet"),
        )
    assert refused.value.status_code == 400
    assert list(refused.value.errors) == ["participant_goals"]
    assert "utmattningssyndromet" in refused.value.errors["participant_goals"]
    assert (await agreements.get_agreement_for(w.coordinator, booking_id)).participant_goals == ""
    done = await agreements.update_agreement(
        w.coordinator, booking_id, sa.AgreementUpdate(participant_goals="Pröva lagerarbete")
    )
    assert done.participant_goals == "Pröva lagerarbete"


async def test_a_goal_shared_with_hosts_says_nothing_of_health_where_it_is_written():
    """A plan goal the participant lets hosts see is copied into the agreement the host
    reads: registering or changing one that names health is refused at the goal, and so is
    sharing a goal that does; a goal kept from hosts may say what it needs."""
    from placements.schemas import candidates as sc
    from placements.services import candidate_updates, candidates
    from placements.tables import Candidate

    w = await make_world()
    goal = "Hantera sin ångest på en arbetsplats"
    with pytest.raises(ValidationFailed) as refused:
        await candidates.create_candidate(
            w.coordinator,
            sc.CandidateCreate(
                first_name="Nora", last_name="Ek", plan_goal=goal, plan_goal_shareable=True
            ),
        )
    assert refused.value.status_code == 400
    assert list(refused.value.errors) == ["plan_goal"]
    assert "ångest" in refused.value.errors["plan_goal"]
    assert "Eller dela inte målet med värden." in refused.value.errors["plan_goal"]
    assert not await Candidate.exists().where(Candidate.first_name == "Nora")
    kept = await candidates.create_candidate(
        w.coordinator, sc.CandidateCreate(first_name="Nora", last_name="Ek", plan_goal=goal)
    )
    with pytest.raises(ValidationFailed) as refused:
        await candidate_updates.update_candidate(
            w.coordinator, kept.id, sc.CandidateUpdate(plan_goal_shareable=True)
        )
    assert list(refused.value.errors) == ["plan_goal"]
    stored = await Candidate.select(Candidate.plan_goal_shareable).where(Candidate.id == kept.id)
    assert stored == [{"plan_goal_shareable": False}]
    shared = await candidate_updates.update_candidate(
        w.coordinator,
        kept.id,
        sc.CandidateUpdate(plan_goal="Pröva lagerarbete", plan_goal_shareable=True),
    )
    assert shared.plan_goal == "Pröva lagerarbete"
    with pytest.raises(ValidationFailed):
        await candidate_updates.update_candidate(
            w.coordinator, kept.id, sc.CandidateUpdate(plan_goal="Bli av med sitt missbruk")
        )
    # An adaptation shared with hosts says the need, not its cause; one kept from them may.
    needs = [sc.Adaptation(text="Behöver pauser för medicinering", shareable=True)]
    with pytest.raises(ValidationFailed) as refused:
        await candidate_updates.update_candidate(
            w.coordinator, kept.id, sc.CandidateUpdate(adaptations=needs)
        )
    assert list(refused.value.errors) == ["adaptations"]
    assert "”Behöver pauser för medicinering”" in refused.value.errors["adaptations"]
    private = [
        sc.Adaptation(text="Behöver pauser för medicinering", shareable=False),
        sc.Adaptation(text="Behöver pauser", shareable=True),
    ]
    saved = await candidate_updates.update_candidate(
        w.coordinator, kept.id, sc.CandidateUpdate(adaptations=private)
    )
    assert [a.text for a in saved.adaptations] == [a.text for a in private]
