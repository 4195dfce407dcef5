"""A page of Mina sidor asked for without a session (a mail's link, a bookmark, a session timed
out) sends the participant to the sign-in page and remembers the page (`views.NEXT_COOKIE`):
signing in, by link or by e-ID, lands on it, with the notice that they are in, in their
language. Only a page of Mina sidor is ever remembered or landed on: anything else the cookie
may hold lands on the home page."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from participants import i18n, sessions
from participants.views import HOME, NEXT_COOKIE, local_page
from placements.tables import Candidate
from tests.builders import make_candidate, make_user
from tests.oidcutil import Provider
from tests.participants.conftest import KNOWN_SUBJECT, form_post, mailed_link, signed_in
from tests.participants.test_sign_in import _eid
from tests.placements.bookingdata import PNR

HTML = {"accept": "text/html"}


async def _press_link(client: AsyncTestClient[Litestar], path: str) -> httpx.Response:
    """Open the link's page and press its button, as `sign_in_by_link`, but keep the answer."""
    page = await client.get(path, headers=HTML)
    assert page.status_code == 200
    return await client.post(
        path,
        data={},
        headers={"x-csrftoken": client.cookies.get("mp_csrf") or "", **HTML},
        follow_redirects=False,
    )


async def _ask(client: AsyncTestClient[Litestar], path: str) -> None:
    """Ask for a page without a session: the sign-in page answers."""
    asked = await client.get(path, headers=HTML, follow_redirects=False)
    assert (asked.status_code, asked.headers["location"]) == (303, sessions.SIGN_IN_PATH)


def _remember(client: AsyncTestClient[Litestar], value: str) -> None:
    """Put `value` in the browser's cookie of the page asked for, as the server would."""
    client.cookies.set(NEXT_COOKIE, value, domain="testserver.local", path="/mina-sidor")


async def _new_link(candidate_id: int) -> str:
    await sessions.send_sign_in_link(await make_user("admin"), candidate_id)
    return await mailed_link(candidate_id)


async def test_link_sign_in_lands_on_the_page_asked_for(
    client: AsyncTestClient[Litestar],
) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await _ask(client, "/mina-sidor/platser?q=kock")
    assert client.cookies.get(NEXT_COOKIE)
    login = await client.get(sessions.SIGN_IN_PATH, headers=HTML)
    assert login.status_code == 200
    answer = await _press_link(client, await _new_link(candidate_id))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/mina-sidor/platser?q=kock&klart=inloggad"
    assert signed_in(client)
    landed = await client.get(answer.headers["location"], headers=HTML)
    assert landed.status_code == 200
    assert "Du är inloggad." in landed.text
    assert 'name="q" value="kock"' in landed.text
    # The page is spent by the sign-in: the next one, in this browser, lands on the home page.
    assert not client.cookies.get(NEXT_COOKIE)
    again = await _press_link(client, await _new_link(candidate_id))
    assert again.headers["location"] == "/mina-sidor?klart=inloggad"


async def test_the_last_page_asked_for_is_the_one_and_sign_out_forgets_it(
    client: AsyncTestClient[Litestar],
) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await _ask(client, "/mina-sidor/plan")
    await _ask(client, "/mina-sidor/forslag")
    answer = await _press_link(client, await _new_link(candidate_id))
    assert answer.headers["location"] == "/mina-sidor/forslag?klart=inloggad"
    # The home page asked for last forgets a page asked for before it.
    await form_post(client, "/mina-sidor/logga-ut")
    await _ask(client, "/mina-sidor/plan")
    await _ask(client, "/mina-sidor")
    assert not client.cookies.get(NEXT_COOKIE)
    answer = await _press_link(client, await _new_link(candidate_id))
    assert answer.headers["location"] == "/mina-sidor?klart=inloggad"
    # Signing out forgets a page asked for in this browser (the next person at a shared
    # computer would land on it). Here the page is asked for in another tab, still signed in.
    _remember(client, "/mina-sidor/plan")
    out = await form_post(client, "/mina-sidor/logga-ut")
    assert out.status_code == 303
    assert not client.cookies.get(NEXT_COOKIE)
    answer = await _press_link(client, await _new_link(candidate_id))
    assert answer.headers["location"] == "/mina-sidor?klart=inloggad"


async def test_a_form_sent_without_a_session_is_not_remembered(
    client: AsyncTestClient[Litestar],
) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    refused = await form_post(client, "/mina-sidor/platser/1/intresse", {"q": "kock"})
    assert refused.status_code == 401
    assert "Du behöver logga in på Mina sidor" in refused.text
    assert NEXT_COOKIE not in refused.headers.get("set-cookie", "")
    answer = await _press_link(client, await _new_link(candidate_id))
    assert answer.headers["location"] == "/mina-sidor?klart=inloggad"


async def test_e_id_sign_in_lands_on_the_page_asked_for_in_the_language_chosen(
    client: AsyncTestClient[Litestar], eid_on: Provider
) -> None:
    """Through the broker's round trip, with English chosen on the sign-in page."""
    coordinator = await make_user("coordinator")
    await make_candidate(coordinator, personnummer=PNR)
    await _ask(client, "/mina-sidor/overenskommelse")
    chosen = await form_post(
        client, "/mina-sidor/sprak", {"sprak": "en", "tillbaka": sessions.SIGN_IN_PATH}
    )
    assert chosen.headers["location"] == "/mina-sidor/logga-in?klart=sprak-valt"
    login = await client.get(chosen.headers["location"], headers=HTML)
    assert '<html lang="en"' in login.text
    answer = await _eid(client, eid_on, KNOWN_SUBJECT)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/mina-sidor/overenskommelse?klart=inloggad"
    landed = await client.get(answer.headers["location"], headers=HTML)
    assert landed.status_code == 200
    assert '<html lang="en"' in landed.text
    assert "You are signed in." in landed.text
    assert client.cookies.get(i18n.LANG_COOKIE) == "en"
    assert not client.cookies.get(NEXT_COOKIE)


async def test_the_link_s_language_holds_on_the_page_asked_for(
    client: AsyncTestClient[Litestar],
) -> None:
    """The link names the language chosen before (`?sprak=ar`): its page and the page asked
    for open in it, with the notice."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await Candidate.update({Candidate.language: "ar"}).where(Candidate.id == candidate_id)
    await _ask(client, "/mina-sidor/plan")
    link = await _new_link(candidate_id)
    assert link.endswith("?sprak=ar")
    answer = await _press_link(client, link)
    assert answer.headers["location"] == "/mina-sidor/plan?klart=inloggad"
    landed = await client.get(answer.headers["location"], headers=HTML)
    assert landed.status_code == 200
    assert '<html lang="ar" dir="rtl">' in landed.text
    assert "لقد سجّلت الدخول." in landed.text


HOSTILE = [
    "//evil.example/x",
    "https://evil.example",
    "http:/mina-sidor/plan",
    "javascript:alert(1)",
    "/mina-sidor/logga-ut",
    "/mina-sidor/logga-in",
    "/mina-sidor/logga-in/lank/abc",
    "/mina-sidor/logga-in/e-legitimation/klar?code=x&state=y",
    "/mina-sidor/sprak",
    "/arbetsbord/deltagare/1",
    "/arbetsbord",
    "\\evil.example",
    "/\\evil.example",
    "/mina-sidor/\\\\evil.example",
    "%0d%0a",
    "/mina-sidor/plan\r\nSet-Cookie: x=1",
    "/mina-sidor/plan?q=a\r\nb",
    "/mina-sidor/plan\x00",
    " /mina-sidor/plan",
    "/mina-sidor//evil.example",
    "/mina-sidor/../arbetsbord",
    "/mina-sidor/%2e%2e/arbetsbord",
    "/mina-sidor/plan#x",
    "/mina-sidor-falsk",
    "/mina-sidor/finns-inte",
    "/mina-sidor/forslag/1/svar",
    "/mina-sidor/" + "a" * 2000,
    "",
]


@pytest.mark.parametrize("value", HOSTILE)
async def test_a_hostile_remembered_page_lands_on_the_home_page(
    client: AsyncTestClient[Litestar], value: str
) -> None:
    """The cookie is the browser's: whatever it holds, the sign-in lands on a page of Mina
    sidor only. Sent encoded (the server decodes it), so that the value arrives as written."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    _remember(client, quote(value, safe=""))
    answer = await _press_link(client, await _new_link(candidate_id))
    assert answer.status_code == 303
    assert answer.headers["location"] == "/mina-sidor?klart=inloggad"
    assert signed_in(client)


@pytest.mark.parametrize(
    ("value", "landing"),
    [
        ("/mina-sidor/plan", "/mina-sidor/plan?klart=inloggad"),
        (
            "/mina-sidor/platser?q=kock&klart=sprak-valt",
            "/mina-sidor/platser?q=kock&klart=inloggad",
        ),
    ],
)
async def test_a_page_of_mina_sidor_in_the_cookie_is_landed_on(
    client: AsyncTestClient[Litestar], value: str, landing: str
) -> None:
    """The cases above sent as these are: a page of Mina sidor arrives, and is landed on (an
    old notice in its query replaced by the sign-in's)."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    _remember(client, quote(value, safe=""))
    answer = await _press_link(client, await _new_link(candidate_id))
    assert answer.headers["location"] == landing


@pytest.mark.parametrize("raw", ["%0d%0a", "/mina-sidor/plan%0d%0aSet-Cookie:%20x=1", "\\evil"])
async def test_a_hostile_cookie_as_sent_lands_on_the_home_page(
    client: AsyncTestClient[Litestar], raw: str
) -> None:
    """The same, with the cookie's text as a browser would send it (decoded by the server)."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    _remember(client, raw)
    answer = await _press_link(client, await _new_link(candidate_id))
    assert answer.headers["location"] == "/mina-sidor?klart=inloggad"
    assert "\r" not in answer.headers["location"] and "x=1" not in str(answer.headers)


@pytest.mark.parametrize("value", HOSTILE)
def test_local_page_refuses_what_is_not_a_page_of_mina_sidor(value: str) -> None:
    # "/mina-sidor/finns-inte" and a post-only address pass here; `remembered_page` refuses
    # them (no GET page), as the cases above show.
    if value in ("/mina-sidor/finns-inte", "/mina-sidor/forslag/1/svar"):
        assert local_page(value) == value
    else:
        assert local_page(value) == HOME


def test_local_page_keeps_the_query_without_an_old_notice() -> None:
    assert local_page("/mina-sidor/platser?q=kock&sida=2") == "/mina-sidor/platser?q=kock&sida=2"
    assert local_page("/mina-sidor/platser?q=kock&klart=inloggad") == "/mina-sidor/platser?q=kock"
    assert local_page("/mina-sidor/platser?q=%2F%2Fevil.example") == (
        "/mina-sidor/platser?q=%2F%2Fevil.example"
    )
    assert local_page("/mina-sidor") == "/mina-sidor"
    assert local_page("/mina-sidor/overenskommelse") == "/mina-sidor/overenskommelse"


async def test_a_page_asked_for_with_odd_words_is_remembered_safely(
    client: AsyncTestClient[Litestar],
) -> None:
    """Search words with a quote, an ampersand, a line break or "//host" come back as the
    same words, encoded: never as another address or another header."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await _ask(client, "/mina-sidor/platser?q=%22kock%22+%26+bagare%0D%0A%2F%2Fevil.example")
    answer = await _press_link(client, await _new_link(candidate_id))
    location = answer.headers["location"]
    assert location == (
        "/mina-sidor/platser?q=%22kock%22+%26+bagare%0D%0A%2F%2Fevil.example&klart=inloggad"
    )
