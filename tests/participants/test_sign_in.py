"""Signing in to the participant's own pages: e-ID through a real OIDC provider (authorization
code + PKCE, nonce and state), and the single-use link the coordinator sends."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import AuditEntry
from participants import sessions
from placements.tables import Candidate, ParticipantLink, ParticipantSession
from tests.builders import make_candidate, make_user
from tests.oidcutil import Provider, sign_in_at_provider
from tests.participants.conftest import (
    KNOWN_SUBJECT,
    UNKNOWN_SUBJECT,
    form_post,
    link_mail,
    mailed_link,
    sign_in_by_link,
    signed_in,
)
from tests.placements.bookingdata import PNR

HTML = {"accept": "text/html"}


async def _start(client: AsyncTestClient[Litestar]) -> str:
    response = await client.get(
        "/mina-sidor/logga-in/e-legitimation", headers=HTML, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _local(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


async def _eid(
    client: AsyncTestClient[Litestar], broker: Provider, subject: str, *, tamper: str = ""
) -> httpx.Response:
    """A whole e-ID sign-in; `tamper` changes the nonce sent to the provider or the state
    coming back."""
    authorize = await _start(client)
    params = parse_qs(urlsplit(authorize).query)
    assert params["code_challenge_method"] == ["S256"] and params["code_challenge"][0]
    assert params["nonce"][0] and params["state"][0]
    if tamper == "nonce":
        params["nonce"] = ["en-annan-nonce"]
        authorize = authorize.split("?", 1)[0] + "?" + urlencode(params, doseq=True)
    redirect = broker.issuer  # only to name the provider's side; the callback is ours
    async with httpx.AsyncClient() as browser:
        back = await sign_in_at_provider(
            browser, authorize, subject, redirect_uri=_callback_prefix()
        )
    assert redirect
    if tamper == "state":
        parts = urlsplit(back)
        query = parse_qs(parts.query)
        query["state"] = ["fel-state"]
        back = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    return await client.get(_local(back), headers=HTML, follow_redirects=False)


def _callback_prefix() -> str:
    from marketplace.kernel.settings import get_settings
    from participants import oidc

    return get_settings().base_url + oidc.CALLBACK_PATH


async def test_eid_sign_in_and_out(client: AsyncTestClient[Litestar], eid_on: Provider) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator, personnummer=PNR)
    login = await client.get("/mina-sidor/logga-in", headers=HTML, follow_redirects=False)
    assert "Logga in med e-legitimation" in login.text
    response = await _eid(client, eid_on, KNOWN_SUBJECT)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/mina-sidor?klart=inloggad"
    assert signed_in(client)
    home = await client.get("/mina-sidor", headers=HTML, follow_redirects=False)
    assert home.status_code == 200
    assert "Hej Aida!" in home.text
    assert home.headers["cache-control"] == "no-store"
    session = await ParticipantSession.select().first()
    assert session is not None and session["candidate"] == candidate_id
    assert session["method"] == "eid"
    # The raw session ID is never stored.
    assert session["token_hash"] != client.cookies.get(sessions.SESSION_COOKIE)
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "participant.sign_in") & (AuditEntry.subject_id == candidate_id)
    )
    csrf = client.cookies.get("mp_csrf") or ""
    out = await client.post(
        "/mina-sidor/logga-ut",
        headers={**HTML, "x-csrftoken": csrf},
        data={},
        follow_redirects=False,
    )
    assert out.status_code == 303
    assert not await ParticipantSession.exists()
    again = await client.get("/mina-sidor", headers=HTML, follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, "/mina-sidor/logga-in")
    # With e-ID on, a form sent without a session names both ways in.
    refused = await form_post(client, "/mina-sidor/logga-ut")
    assert refused.status_code == 401
    assert "med e-legitimation eller med länken från din samordnare" in refused.text


async def test_eid_wrong_nonce_is_refused(
    client: AsyncTestClient[Litestar], eid_on: Provider
) -> None:
    coordinator = await make_user("coordinator")
    await make_candidate(coordinator, personnummer=PNR)
    response = await _eid(client, eid_on, KNOWN_SUBJECT, tamper="nonce")
    assert response.status_code == 401
    assert "gick inte att slutföra" in response.text
    assert not signed_in(client)
    assert not await ParticipantSession.exists()


async def test_eid_wrong_state_is_refused(
    client: AsyncTestClient[Litestar], eid_on: Provider
) -> None:
    coordinator = await make_user("coordinator")
    await make_candidate(coordinator, personnummer=PNR)
    response = await _eid(client, eid_on, KNOWN_SUBJECT, tamper="state")
    assert response.status_code == 401
    assert not await ParticipantSession.exists()


async def test_eid_answer_is_taken_once(
    client: AsyncTestClient[Litestar], eid_on: Provider
) -> None:
    """The broker's answer replayed (the same code and state again) is refused."""
    coordinator = await make_user("coordinator")
    await make_candidate(coordinator, personnummer=PNR)
    authorize = await _start(client)
    async with httpx.AsyncClient() as browser:
        back = await sign_in_at_provider(browser, authorize, KNOWN_SUBJECT, _callback_prefix())
    first = await client.get(_local(back), headers=HTML, follow_redirects=False)
    assert first.status_code == 303
    replay = await client.get(_local(back), headers=HTML, follow_redirects=False)
    assert replay.status_code == 401


async def test_eid_unknown_personnummer_has_no_access(
    client: AsyncTestClient[Litestar], eid_on: Provider
) -> None:
    coordinator = await make_user("coordinator")
    await make_candidate(coordinator, personnummer=PNR)
    response = await _eid(client, eid_on, UNKNOWN_SUBJECT)
    assert response.status_code == 404
    assert "Vi hittar ingen deltagare med ditt personnummer" in response.text
    # The unit by its name (UNIT_NAME), never "%(unit)s" or a name of our own.
    unit = '<span lang="sv" dir="ltr">Kompetenscentret</span>'
    assert f"personnummer hos {unit}. Mina sidor" in response.text
    assert f"Kontakta {unit} om du tror" in response.text and "%(" not in response.text
    assert not signed_in(client)
    assert not await ParticipantSession.exists()


async def test_eid_is_off_without_settings(client: AsyncTestClient[Litestar]) -> None:
    login = await client.get("/mina-sidor/logga-in", headers=HTML, follow_redirects=False)
    assert login.status_code == 200
    assert "e-legitimation" not in login.text.split("<main", 1)[1].split("Utan e-legitimation")[0]
    # A visitor without a coordinator, or who only wants to look, is not left at a dead end.
    way_on = login.text.split('id="utan-konto"')[1].split("</p>")[0]
    assert 'href="/ansok"' in way_on and 'href="/platser"' in way_on
    response = await client.get(
        "/mina-sidor/logga-in/e-legitimation", headers=HTML, follow_redirects=False
    )
    assert response.status_code == 404


# --- the single-use sign-in link ---------------------------------------------------------------


async def test_link_signs_in_once(client: AsyncTestClient[Litestar], make_client, sign_in) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    staff = await make_client()
    await sign_in(staff, coordinator.username)
    sent = await form_post(staff, f"/arbetsbord/deltagare/{candidate_id}/inloggningslank")
    assert sent.status_code == 303, sent.text
    assert "inloggningslank-skickad" in sent.headers["location"]
    path = await mailed_link(candidate_id)
    assert await sign_in_by_link(client, path) == 303
    assert signed_in(client)
    home = await client.get("/mina-sidor", headers=HTML, follow_redirects=False)
    assert home.status_code == 200
    # A second use, in another browser, is refused.
    other = await make_client()
    assert await sign_in_by_link(other, path) == 401
    assert not signed_in(other)
    link = await ParticipantLink.select().first()
    assert link is not None and link["used_at"] is not None
    assert link["token_hash"] not in path


async def test_the_link_mail_says_who_sent_it(client: AsyncTestClient[Litestar]) -> None:
    """The participant did not ask for the link: their coordinator (or an admin) sent it. The
    mail said "Har du inte bett om länken? Då kan du strunta i det här mejlet."; it says who
    sent it, in the participant's language."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    mail = await link_mail(candidate_id)
    assert mail.endswith("\n\nDin samordnare har skickat länken till dig.\n")
    assert "bett om" not in mail and "strunta" not in mail
    await sessions.send_sign_in_link(await make_user("admin"), candidate_id)
    unit = get_settings().unit_name
    assert (await link_mail(candidate_id)).endswith(f"\n\n{unit} har skickat länken till dig.\n")
    await Candidate.update({Candidate.language: "en"}).where(Candidate.id == candidate_id)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    english = await link_mail(candidate_id)
    assert english.endswith("\n\nYour coordinator has sent you the link.\n")
    assert "ignore" not in english
    await Candidate.update({Candidate.language: "ar"}).where(Candidate.id == candidate_id)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    assert (await link_mail(candidate_id)).endswith("\n\nأرسل إليك منسقك هذا الرابط.\n")


async def test_expired_and_replaced_links_are_refused(client: AsyncTestClient[Litestar]) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    old = await mailed_link(candidate_id)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    new = await mailed_link(candidate_id)
    assert await sign_in_by_link(client, old) == 401
    await ParticipantLink.update(
        {ParticipantLink.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
    ).where(ParticipantLink.replaced_at.is_null())
    assert await sign_in_by_link(client, new) == 401
    assert not signed_in(client)
    # e-ID is off here: the refusal does not send the person to it (it did, in every
    # language), and says so in English too.
    refused = await client.post(
        new, headers={"x-csrftoken": client.cookies.get("mp_csrf") or "", "accept": "text/html"}
    )
    assert "Be din samordnare om en ny länk." in refused.text
    assert "e-legitimation" not in refused.text.split("<main", 1)[1].split("</main>")[0]


async def test_only_the_own_coordinator_sends_a_link(make_client, sign_in) -> None:
    coordinator = await make_user("coordinator")
    other = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    staff = await make_client()
    await sign_in(staff, other.username)
    refused = await form_post(staff, f"/arbetsbord/deltagare/{candidate_id}/inloggningslank")
    assert refused.status_code == 404
    assert not await ParticipantLink.exists()


async def test_a_script_cannot_start_e_id_sign_ins_without_end(
    client: AsyncTestClient[Litestar], eid_on: Provider, monkeypatch
) -> None:
    """Each start fetches the broker's discovery document and stores a login row: one address
    may start EID_STARTS_PER_ADDRESS an hour, then gets a 429 with Retry-After and the wait,
    in the page's language, and nothing is stored or fetched."""
    from participants import views
    from placements.tables import ParticipantLogin

    monkeypatch.setattr(views, "EID_STARTS_PER_ADDRESS", 3)
    for _ in range(3):
        await _start(client)
    rows = await ParticipantLogin.count()
    refused = await client.get(
        "/mina-sidor/logga-in/e-legitimation", headers=HTML, follow_redirects=False
    )
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert f"Vänta {(wait + 59) // 60} minuter och försök igen" in refused.text
    assert await ParticipantLogin.count() == rows
    client.cookies.set("mp_sprak", "ar")
    arabic = await client.get("/mina-sidor/logga-in/e-legitimation", headers=HTML)
    assert arabic.status_code == 429 and "انتظر" in arabic.text and "Vänta" not in arabic.text


async def test_a_script_cannot_press_sign_in_links_without_end(
    client: AsyncTestClient[Litestar], make_client, monkeypatch
) -> None:
    """The link's button (a POST that tries the link against the database) had no limit of
    its own: a script could press guessed links without end. One address may press
    LINK_USES_PER_ADDRESS an hour; then a 429 with Retry-After and the wait in the page's
    language, and the link pressed is not spent. A single use within the limit signs in."""
    from marketplace.kernel.ratelimit import limiter_for
    from marketplace.kernel.settings import get_settings
    from participants import views

    monkeypatch.setattr(views, "LINK_USES_PER_ADDRESS", 3)
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    for guess in ("gissning-1", "gissning-2"):
        assert await sign_in_by_link(client, f"/mina-sidor/logga-in/lank/{guess}") == 401
    await sessions.send_sign_in_link(coordinator, candidate_id)
    assert await sign_in_by_link(client, await mailed_link(candidate_id)) == 303
    assert signed_in(client)
    # The fourth press from the same address, with a good link, is refused and spends nothing.
    await sessions.send_sign_in_link(coordinator, candidate_id)
    fresh = await mailed_link(candidate_id)
    other = await make_client()
    await other.get(fresh, headers=HTML)
    csrf = other.cookies.get("mp_csrf") or ""
    refused = await other.post(
        fresh, data={}, headers={"x-csrftoken": csrf, **HTML}, follow_redirects=False
    )
    assert refused.status_code == 429, refused.text
    wait = int(refused.headers["retry-after"])
    assert 0 < wait <= views.LINK_USES_WINDOW_S
    assert f"Vänta {(wait + 59) // 60} minuter och försök igen" in refused.text
    assert "Din länk är inte förbrukad" in refused.text
    assert not signed_in(other)
    assert await ParticipantLink.count().where(ParticipantLink.used_at.is_null()) == 1
    other.cookies.set("mp_sprak", "ar")
    arabic = await other.post(
        fresh, data={}, headers={"x-csrftoken": csrf, **HTML}, follow_redirects=False
    )
    assert arabic.status_code == 429 and "انتظر" in arabic.text and "Vänta" not in arabic.text
    # Once the hour has passed (the window forgotten), the same link still signs in.
    await limiter_for(get_settings()).reset("link:use:testclient")
    assert await sign_in_by_link(other, fresh) == 303
    assert signed_in(other)
