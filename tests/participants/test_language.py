"""The participant's language follows their choice and is remembered (issue 17): kept on their
record when they switch while signed in, set as the cookie at the next sign-in (link or e-ID,
on any browser), and used for the sign-in link's SMS and mail."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel.tables import AuditEntry
from participants import i18n, sessions
from placements.tables import Candidate
from tests.builders import make_candidate, make_user
from tests.inloop import InLoopClient
from tests.mailutil import SmtpServer
from tests.marketplace.test_site_identity import other_municipality  # noqa: F401 (fixture)
from tests.oidcutil import Provider
from tests.participants.conftest import KNOWN_SUBJECT, form_post, mailed_link, sign_in_by_link
from tests.participants.test_pages import _many_slots, _signed_in
from tests.participants.test_sign_in import _eid
from tests.participants.test_sms_links import (  # noqa: F401 (fixtures)
    NUMBER,
    _deliver,
    _without_email,
    gateway,
)
from tests.placements.bookingdata import PNR, make_world
from tests.smsutil import SmsGateway

HTML = {"accept": "text/html"}


async def _language(candidate_id: int) -> str:
    row = await Candidate.select(Candidate.language).where(Candidate.id == candidate_id).first()
    assert row is not None
    return str(row["language"])


async def test_the_choice_is_kept_on_the_record_and_follows_to_a_new_browser(
    client: AsyncTestClient[Litestar], make_client
) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    assert await _language(candidate_id) == ""
    # Before sign-in the choice is only a cookie: no one's record changes.
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en", "tillbaka": "/mina-sidor"})
    assert await _language(candidate_id) == ""
    client.cookies.set(sessions.SESSION_COOKIE, await sessions.start_session(candidate_id, "link"))
    chosen = await form_post(
        client, "/mina-sidor/sprak", {"sprak": "ar", "tillbaka": "/mina-sidor"}
    )
    assert chosen.status_code == 303
    assert await _language(candidate_id) == "ar"
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "participant.language") & (AuditEntry.subject_id == candidate_id)
    )
    # The next link sign-in, on a browser that never chose, opens in Arabic.
    await sessions.send_sign_in_link(coordinator, candidate_id)
    fresh = await make_client()
    assert not fresh.cookies.get(i18n.LANG_COOKIE)
    assert await sign_in_by_link(fresh, await mailed_link(candidate_id)) == 303
    assert fresh.cookies.get(i18n.LANG_COOKIE) == "ar"
    home = await fresh.get("/mina-sidor", headers=HTML)
    assert '<html lang="ar" dir="rtl">' in home.text
    # A language the pages do not have changes nothing (it was saved as Swedish).
    await form_post(fresh, "/mina-sidor/sprak", {"sprak": "xx", "tillbaka": "/mina-sidor"})
    assert await _language(candidate_id) == "ar"
    assert fresh.cookies.get(i18n.LANG_COOKIE) == "ar"


async def test_the_link_opens_in_the_chosen_language_and_a_choice_on_its_page_wins(
    client: AsyncTestClient[Litestar], make_client
) -> None:
    """Seen in the browser: an Arabic speaker's link opened in Swedish on a fresh phone (the
    link named no language), and English chosen on the link's page was overridden by the
    language stored before at sign-in. A signed-in participant sent to the sign-in page (every
    proposal's mail links there) was told to ask for a new link."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await Candidate.update({Candidate.language: "ar"}).where(Candidate.id == candidate_id)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    link = await mailed_link(candidate_id)
    assert link.endswith("?sprak=ar")
    fresh = await make_client()
    page = await fresh.get(link, headers=HTML)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert fresh.cookies.get(i18n.LANG_COOKIE) == "ar"
    # English chosen on the link's page: it wins at sign-in, and is kept.
    await form_post(fresh, "/mina-sidor/sprak", {"sprak": "en", "tillbaka": urlsplit(link).path})
    assert await sign_in_by_link(fresh, link) == 303
    assert await _language(candidate_id) == "en"
    home = await fresh.get("/mina-sidor", headers=HTML)
    assert '<html lang="en"' in home.text
    again = await fresh.get("/mina-sidor/logga-in", headers=HTML, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/mina-sidor"


async def test_e_id_sign_in_uses_the_stored_language(
    client: AsyncTestClient[Litestar], eid_on: Provider
) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator, personnummer=PNR)
    await Candidate.update({Candidate.language: "en"}).where(Candidate.id == candidate_id)
    response = await _eid(client, eid_on, KNOWN_SUBJECT)
    assert isinstance(response, httpx.Response) and response.status_code == 303
    assert client.cookies.get(i18n.LANG_COOKIE) == "en"
    home = await client.get("/mina-sidor", headers=HTML)
    assert '<html lang="en" dir="ltr">' in home.text


async def test_a_participant_who_never_chose_keeps_the_browsers_language(
    client: AsyncTestClient[Litestar],
) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await form_post(client, "/mina-sidor/sprak", {"sprak": "en", "tillbaka": "/mina-sidor"})
    await sessions.send_sign_in_link(coordinator, candidate_id)
    assert await sign_in_by_link(client, await mailed_link(candidate_id)) == 303
    assert client.cookies.get(i18n.LANG_COOKIE) == "en"


async def test_the_sign_in_link_is_sent_in_the_chosen_language(
    gateway: SmsGateway,  # noqa: F811
    smtp: SmtpServer,
) -> None:
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await Candidate.update({Candidate.language: "en"}).where(Candidate.id == candidate_id)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    await _deliver(smtp)
    [sms] = gateway.to(NUMBER)
    assert sms.message.startswith("Your link to My pages at Kompetenscentret. It works once")
    assert "/mina-sidor/logga-in/lank/" in sms.message
    [mail] = smtp.inbox.received
    assert mail.message["subject"].startswith("Your link to My pages")
    assert "Hello Aida!" in mail.text and "/mina-sidor/logga-in/lank/" in mail.text
    # In Arabic for another who chose Arabic; in Swedish for one who never chose.
    arabic = await _without_email(coordinator)
    await Candidate.update({Candidate.language: "ar"}).where(Candidate.id == arabic)
    await sessions.send_sign_in_link(coordinator, arabic)
    await _deliver(smtp)
    assert "رابطك إلى صفحاتي" in gateway.to(NUMBER)[-1].message
    swedish = await _without_email(coordinator)
    await sessions.send_sign_in_link(coordinator, swedish)
    await _deliver(smtp)
    assert gateway.to(NUMBER)[-1].message.startswith("Din länk till Mina sidor")


async def _my_data_in_each_language(
    next_app: Callable[[], Litestar], candidate_id: int
) -> dict[str, str]:
    """My data as the participant sees it after choosing English, Arabic, then Swedish."""
    async with InLoopClient(app=next_app(), base_url="http://testserver.local") as client:
        client.cookies.set(
            sessions.SESSION_COOKIE, await sessions.start_session(candidate_id, "link")
        )
        pages = {}
        for lang in ("en", "ar", "sv"):
            await form_post(client, "/mina-sidor/sprak", {"sprak": lang})
            pages[lang] = (await client.get("/mina-sidor/mina-uppgifter", headers=HTML)).text
    return pages


async def test_english_and_arabic_name_the_unit_of_the_settings(
    other_municipality: None,  # noqa: F811
    next_app: Callable[[], Litestar],
    gateway: SmsGateway,  # noqa: F811
    smtp: SmtpServer,
) -> None:
    """Who runs the service is UNIT_NAME, in every language, as the Swedish says it: the
    sign-in link's SMS and mail and my data named "the skills centre" in English."""
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await Candidate.update({Candidate.language: "en"}).where(Candidate.id == candidate_id)
    await sessions.send_sign_in_link(coordinator, candidate_id)
    await _deliver(smtp)
    [sms] = gateway.to(NUMBER)
    assert sms.message.startswith("Your link to My pages at Arbetsmarknadsenheten. It works")
    [mail] = smtp.inbox.received
    assert "Here is your link to My pages at Arbetsmarknadsenheten. It works" in mail.text
    pages = await _my_data_in_each_language(next_app, candidate_id)
    unit = '<span lang="sv" dir="ltr">Arbetsmarknadsenheten</span>'
    assert f"Here you see everything {unit} has saved about you" in pages["en"]
    assert f"هنا ترى كل ما هو محفوظ عنك لدى {unit}،" in pages["ar"]
    assert f"Här ser du allt som finns sparat om dig hos {unit}, och" in pages["sv"]
    for page in pages.values():
        assert "skills centre" not in page and "ompetenscent" not in page and "%(" not in page


# --- the switch keeps the page: its search words and page, and never leaves the site -----------


def _switch_back(page: str) -> str:
    """The address the language switch on `page` sends back, as the browser posts it."""
    found = re.search(r'<input type="hidden" name="tillbaka" value="([^"]*)">', page)
    assert found is not None, "the page has a language switch"
    return html.unescape(found.group(1))


async def test_switching_language_keeps_my_search_words_and_page(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    await _many_slots(w)
    await _signed_in(client, w.candidate_id)
    page = await client.get("/mina-sidor/platser", params={"q": "lager", "sida": "2"}, headers=HTML)
    assert "Sida 2 av 2" in page.text
    back = _switch_back(page.text)
    assert back == "/mina-sidor/platser?q=lager&sida=2"
    assert 'value="/mina-sidor/platser?q=lager&amp;sida=2"' in page.text  # escaped in HTML
    chosen = await form_post(client, "/mina-sidor/sprak", {"sprak": "en", "tillbaka": back})
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/mina-sidor/platser?q=lager&sida=2&klart=sprak-valt"
    english = await client.get(chosen.headers["location"], headers=HTML)
    assert "Page 2 of 2" in english.text and "Places (22)" in english.text
    assert 'name="q" value="lager"' in english.text
    assert "The language has been changed." in english.text
    # Once more from the English page: the notice in its address is not carried twice.
    again = _switch_back(english.text)
    assert "klart=" in again
    arabic = await form_post(client, "/mina-sidor/sprak", {"sprak": "ar", "tillbaka": again})
    assert arabic.headers["location"] == "/mina-sidor/platser?q=lager&sida=2&klart=sprak-valt"
    assert "الصفحة 2 من 2" in (await client.get(arabic.headers["location"], headers=HTML)).text


async def test_the_switch_keeps_words_with_quotes_and_ampersands_escaped(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    await _signed_in(client, w.candidate_id)
    words = 'kök & städ "<b>x</b>" ?sida=9'
    page = await client.get("/mina-sidor/platser", params={"q": words}, headers=HTML)
    assert page.status_code == 200
    field = page.text.split('name="tillbaka" value="', 1)[1].split(">", 1)[0]
    assert "<b>" not in field and '"' not in field[:-1]  # only the closing quote
    back = _switch_back(page.text)
    assert parse_qs(urlsplit(back).query) == {"q": [words]}
    chosen = await form_post(client, "/mina-sidor/sprak", {"sprak": "en", "tillbaka": back})
    location = chosen.headers["location"]
    assert urlsplit(location).path == "/mina-sidor/platser"
    assert parse_qs(urlsplit(location).query) == {"q": [words], "klart": ["sprak-valt"]}
    english = await client.get(location, headers=HTML)
    assert 'value="kök &amp; städ &#34;&lt;b&gt;x&lt;/b&gt;&#34; ?sida=9"' in english.text


@pytest.mark.parametrize(
    "crafted",
    [
        "//evil.example",
        "//evil.example/mina-sidor",
        "https://evil.example",
        "https://evil.example/mina-sidor/platser?q=lager",
        "http:/mina-sidor",
        "/\\evil.example",
        "/mina-sidor/\\evil.example",
        "\t//evil.example",
        " //evil.example/mina-sidor",
        "/mina-sidor//evil.example",
        "/mina-sidor/../..//evil.example",
        "/mina-sidor@evil.example",
        "/mina-sidorevil.example",
        "/mina-sidor\r\nLocation: https://evil.example",
        "javascript:alert(1)",
        "/ansokan-falsk",
        "/admin/",
        "",
    ],
)
async def test_a_crafted_way_back_stays_on_the_site(
    client: AsyncTestClient[Litestar], crafted: str
) -> None:
    chosen = await form_post(client, "/mina-sidor/sprak", {"sprak": "en", "tillbaka": crafted})
    assert chosen.status_code == 303
    location = chosen.headers["location"]
    assert location == "/mina-sidor?klart=sprak-valt", location
    assert "evil" not in location


async def test_the_way_back_keeps_a_query_only_on_this_sites_pages(
    client: AsyncTestClient[Litestar],
) -> None:
    kept = await form_post(
        client,
        "/mina-sidor/sprak",
        {"sprak": "sv", "tillbaka": "/mina-sidor/platser?q=//evil.example&klart=x&sida=2"},
    )
    location = kept.headers["location"]
    assert urlsplit(location).scheme == urlsplit(location).netloc == ""
    assert location == "/mina-sidor/platser?q=%2F%2Fevil.example&sida=2&klart=sprak-valt"
    # The application form keeps its address; an e-ID sign-in's one-time code is not sent again.
    form = await form_post(client, "/mina-sidor/sprak", {"sprak": "sv", "tillbaka": "/ansok"})
    assert form.headers["location"] == "/ansok?klart=sprak-valt"
    # So does the start page, in the language chosen there.
    start = await form_post(client, "/mina-sidor/sprak", {"sprak": "sv", "tillbaka": "/"})
    assert start.headers["location"] == "/?klart=sprak-valt"
    signing_in = await form_post(
        client,
        "/mina-sidor/sprak",
        {"sprak": "sv", "tillbaka": "/mina-sidor/logga-in/e-legitimation/klar?code=abc&state=s"},
    )
    assert signing_in.headers["location"] == (
        "/mina-sidor/logga-in/e-legitimation/klar?klart=sprak-valt"
    )


async def test_my_languages_are_named_in_the_pages_language(
    next_app: Callable[[], Litestar],
) -> None:
    """Seen in a participant's walk: My data in English listed "Språk jag talar" as
    "Arabiska, Svenska". The languages I speak are named in the page's language where CLDR
    knows them; in Swedish as stored."""
    from marketplace.reference import taxonomy

    ids = {label: i for i, label in taxonomy.languages().items()}
    coordinator = await make_user("coordinator")
    candidate_id = await make_candidate(coordinator)
    await Candidate.update(
        {Candidate.languages: f'["{ids["Arabiska"]}", "{ids["Svenska"]}"]'}
    ).where(Candidate.id == candidate_id)
    pages = await _my_data_in_each_language(next_app, candidate_id)
    assert "<dd>Arabic, Swedish</dd>" in pages["en"]
    assert "<dd>العربية، السويدية</dd>" in pages["ar"]  # the Arabic comma
    assert "Arabiska, Svenska" in pages["sv"]
    assert "Arabiska" not in pages["en"] and "Arabiska" not in pages["ar"]
