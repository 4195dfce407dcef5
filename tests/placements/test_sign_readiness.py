"""A party is offered "Skriv under" only for an agreement that can be signed (a host's day:
the host's page offered the button, the start page said "väntar på er underskrift", and the
button led to a 409 under "Formuläret behöver rättas" about the participant's goals, which
only the coordinator writes).

While the win-win is not written (`agreements.check_win_win`), the host's page shows the
reason in the host's words instead of the button, the start page says whom it waits for, and
a signing link's page says why instead of offering "Jag godkänner". A refusal that still
happens (an old page) says that nothing is signed, not that a form needs correcting.
"""

from __future__ import annotations

from placements.services import agreement_versions, agreements, bookings
from placements.tables import Agreement
from tests.placements.bookingdata import (
    GAINS,
    GOALS,
    current_version,
    link_tokens,
    make_world,
    propose,
    write_win_win,
)
from tests.placements.test_attacks_signatures import csrf_of, login

HTML = {"accept": "text/html"}
SIGN_BUTTON = "och skriver under för organisationen"


async def _write(booking_id: int, **values: str) -> None:
    current = await agreement_versions.current_agreement_row(booking_id)
    assert current is not None
    await Agreement.update({getattr(Agreement, k): v for k, v in values.items()}).where(
        Agreement.id == current["id"]
    )


async def _accepted(client, **written: str):
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await _write(booking_id, **{"participant_goals": "", "host_gains": "", **written})
    await login(client, w.host_user.username)
    return w, booking_id


async def test_without_the_goals_the_host_is_told_it_waits_for_the_coordinator(client):
    _, booking_id = await _accepted(client, host_gains=GAINS)
    shown = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert shown.status_code == 200
    assert SIGN_BUTTON not in shown.text
    assert f'action="/vard/bokningar/{booking_id}/underteckna"' not in shown.text
    assert "Samordnaren skriver deltagarens mål; sedan kan ni skriva under." in shown.text
    home = await client.get("/vard", headers=HTML)
    assert "väntar på er underskrift" not in home.text
    assert "väntar på att samordnaren skriver deltagarens mål" in home.text


async def test_without_the_gains_the_host_is_told_to_write_them(client):
    _, booking_id = await _accepted(client, participant_goals=GOALS)
    shown = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert SIGN_BUTTON not in shown.text
    assert "Skriv vad ni får ut av placeringen under ”Ändra överenskommelsen”" in shown.text
    home = await client.get("/vard", headers=HTML)
    assert "väntar på er underskrift" not in home.text
    assert "skriv vad ni får ut av placeringen" in home.text


async def test_a_written_agreement_offers_the_button_and_waits_for_the_host(client):
    _, booking_id = await _accepted(client, participant_goals=GOALS, host_gains=GAINS)
    shown = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    assert SIGN_BUTTON in shown.text
    assert "sedan kan ni skriva under" not in shown.text
    home = await client.get("/vard", headers=HTML)
    assert "väntar på er underskrift" in home.text


async def test_a_sign_from_an_old_page_says_nothing_is_signed_not_correct_the_form(client):
    _, booking_id = await _accepted(client, host_gains=GAINS)
    shown = await client.get(f"/vard/bokningar/{booking_id}", headers=HTML)
    version = await current_version(booking_id)
    refused = await client.post(
        f"/vard/bokningar/{booking_id}/underteckna",
        data={"_csrf_token": csrf_of(shown.text), "version": str(version)},
        headers=HTML,
    )
    assert refused.status_code == 409
    assert "Formuläret behöver rättas" not in refused.text
    assert "Inget är underskrivet" in refused.text
    assert "Samordnaren skriver deltagarens mål; sedan kan ni skriva under." in refused.text
    current = await agreement_versions.current_agreement_row(booking_id)
    assert current is not None
    sigs = await agreements._signatures(int(current["id"]))
    assert not any(s["signed_at"] for s in sigs)


async def test_a_signing_link_page_says_why_it_cannot_be_signed_yet(client):
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    tokens = await link_tokens(w, booking_id)
    version = await current_version(booking_id)
    before = {
        party: await client.get(f"/underteckna/{t}", headers=HTML) for party, t in tokens.items()
    }
    # The goals are emptied after the pages were shown (as a withdrawn consent does).
    await _write(booking_id, participant_goals="")
    for party, token in tokens.items():
        assert "Jag godkänner version" in before[party].text, party
        shown = await client.get(f"/underteckna/{token}", headers=HTML)
        assert shown.status_code == 200, party
        assert "Jag godkänner version" not in shown.text, party
        if party != "participant":  # the participant's page speaks their language
            assert "Samordnaren behöver skriva deltagarens mål" in shown.text, party
        posted = await client.post(
            f"/underteckna/{token}",
            data={"_csrf_token": csrf_of(before[party].text), "version": str(version)},
            headers=HTML,
        )
        assert posted.status_code == 409, party
        assert "Jag godkänner version" not in posted.text, party
        assert "Formuläret behöver rättas" not in posted.text, party
    current = await agreement_versions.current_agreement_row(booking_id)
    assert current is not None
    assert not any(s["signed_at"] for s in await agreements._signatures(int(current["id"])))
