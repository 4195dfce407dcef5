"""Errors under Mina sidor: in the participant's frame and language, with the way on (the walk
found Swedish staff error pages there in every language, a 405 after switching language on a
refused form, and a 409 on signing with no way back to the agreement)."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel import i18n
from participants import sessions
from tests.participants.conftest import form_post
from tests.placements.bookingdata import make_world, propose

HTML = {"accept": "text/html"}


async def _signed_in(client: AsyncTestClient[Litestar], candidate_id: int) -> None:
    client.cookies.set(sessions.SESSION_COOKIE, await sessions.start_session(candidate_id, "link"))


async def test_signed_out_a_page_opens_the_sign_in_in_the_chosen_language(
    client: AsyncTestClient[Litestar],
) -> None:
    """Seen in the browser: the header's "Mina sidor" on the application form led a resident
    who had only applied to "Logga in … Felkod 401". A page asked for without a session opens
    the sign-in page, in the language this browser chose; a form sent without one gets the
    page that says so, in that language and with no status code."""
    client.cookies.set(i18n.LANG_COOKIE, "ar")
    # Back from a page that had a notice: the notice of the page before is not repeated.
    asked = await client.get(
        "/mina-sidor/forslag?klart=svar-sparat", headers=HTML, follow_redirects=False
    )
    assert (asked.status_code, asked.headers["location"]) == (303, "/mina-sidor/logga-in")
    page = await client.get("/mina-sidor/forslag?klart=svar-sparat", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "سجّل الدخول إلى صفحاتي" in page.text
    assert "Tack!" not in page.text and "شكر" not in page.text
    # A session that timed out: its cookie goes too.
    client.cookies.set(sessions.SESSION_COOKIE, "en-gammal-session")
    stale = await client.get("/mina-sidor", headers=HTML, follow_redirects=False)
    assert stale.headers["location"] == "/mina-sidor/logga-in"
    assert 'mp_deltagare=""' in stale.headers.get("set-cookie", "")
    client.cookies.delete(sessions.SESSION_COOKIE)

    sent = await form_post(client, "/mina-sidor/forslag/1/svar", {"answer": "yes"})
    assert sent.status_code == 401
    assert '<html lang="ar" dir="rtl">' in sent.text
    # Without e-ID on the service (the demo), the text sends no one to it.
    assert "عليك تسجيل الدخول إلى صفحاتي بالرابط من منسقك." in sent.text
    assert 'href="/mina-sidor/logga-in"' in sent.text
    assert "Logga in" not in sent.text
    # In what the page says: a form token or an asset's hash may hold "401" by chance.
    said = re.sub(r"<[^>]*>", " ", sent.text)
    for code in ("401", "Felkod", "رمز الخطأ", "Error code"):
        assert code not in said, code


async def test_a_post_only_address_opened_leads_back_to_my_page(
    client: AsyncTestClient[Litestar],
) -> None:
    """The answer form's address opened in the browser (reloaded, or from the history) was a
    405 page; it leads to my proposals, in my language."""
    w = await make_world()
    booking_id = await propose(w)
    await _signed_in(client, w.candidate_id)
    client.cookies.set(i18n.LANG_COOKIE, "en")
    opened = await client.get(
        f"/mina-sidor/forslag/{booking_id}/svar", headers=HTML, follow_redirects=False
    )
    assert opened.status_code == 303
    assert opened.headers["location"] == "/mina-sidor/forslag"
    page = await client.get(f"/mina-sidor/forslag/{booking_id}/svar", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="en" dir="ltr">' in page.text
    assert "Sign out" in page.text
    # An address nobody answers, in Swedish: my frame too.
    client.cookies.set(i18n.LANG_COOKIE, "sv")
    missing = await client.get("/mina-sidor/finns-inte", headers=HTML)
    assert missing.status_code == 404
    assert "Sidan finns inte, eller så hör den inte till dig." in missing.text
    assert "Logga ut" in missing.text


async def test_a_refusal_of_the_service_keeps_its_words_in_my_language(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    booking_id = await propose(w)
    other = await sessions.start_session(w.candidate_id, "link")
    client.cookies.set(sessions.SESSION_COOKIE, other)
    client.cookies.set(i18n.LANG_COOKIE, "en")
    # Another participant's booking number: the service's own 404 text, translated.
    refused = await form_post(
        client, f"/mina-sidor/forslag/{booking_id + 1000}/svar", {"answer": "yes"}
    )
    assert refused.status_code == 404
    assert "There is no such thing among yours." in refused.text
    assert 'href="/mina-sidor/forslag">Back</a>' in refused.text


async def test_switching_language_on_a_refused_form_goes_back_to_the_form_page(
    client: AsyncTestClient[Litestar],
) -> None:
    w = await make_world()
    booking_id = await propose(w)
    await _signed_in(client, w.candidate_id)
    chosen = await form_post(
        client,
        "/mina-sidor/sprak",
        {"sprak": "en", "tillbaka": f"/mina-sidor/forslag/{booking_id}/svar"},
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/mina-sidor/forslag?klart=sprak-valt"
    # A page that answers GET is gone back to as it was.
    kept = await form_post(
        client, "/mina-sidor/sprak", {"sprak": "sv", "tillbaka": "/mina-sidor/platser?q=lager"}
    )
    assert kept.headers["location"] == "/mina-sidor/platser?q=lager&klart=sprak-valt"


async def test_a_fault_of_ours_is_said_in_my_language(
    client: AsyncTestClient[Litestar], monkeypatch
) -> None:
    from participants import services

    w = await make_world()
    await _signed_in(client, w.candidate_id)
    client.cookies.set(i18n.LANG_COOKIE, "ar")

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a fault in the service")

    monkeypatch.setattr(services, "proposals", broken)
    page = await client.get("/mina-sidor/forslag", headers=HTML)
    assert page.status_code == 500
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "حدث خطأ من جهتنا. حاول مرة أخرى بعد قليل." in page.text
    assert "Något gick fel hos oss" not in page.text and "fault" not in page.text
