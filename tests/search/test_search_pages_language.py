"""The public slot search (`/platser`) and a slot's page (`/platser/{id}`) in the language a
visitor or a participant chose (the `mp_sprak` cookie of the participant pages' switch): the
chrome in English and Arabic, Arabic right to left, what the host wrote as written and marked
as Swedish. A signed-in user of the staff's pages reads Swedish whatever the cookie.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel.i18n import LANG_COOKIE
from participants import sessions
from tests.builders import make_host
from tests.conftest import login
from tests.participants.conftest import form_post
from tests.placements import bookingdata as bd
from tests.search.test_search_api import search_slot

HTML = {"accept": "text/html"}
SWITCH = 'action="/mina-sidor/sprak"'

# The chrome of the search page in Swedish: none of it is left on a page in another language.
SWEDISH_SEARCH_CHROME = (
    "Sök praktik- och arbetsträningsplatser",
    "Vad vill du göra?",
    "Yrke, uppgift eller arbetsplats",
    "Typ av plats",
    "Alla typer",
    "Passar spåret",
    "Avstånd från orten",
    "Bara orten",
    "Inom 10 km",
    "Högst timmar i veckan",
    "Alla omfattningar",
    ">Sök<",
    "Träffar",
    "plats hittades",
    "Varför:",
    "Matchade",
    "lediga platser",
    "tim/vecka",
    "Hoppa till innehållet",
    "Huvudmeny",
    "Sök praktikplats",
)
SWEDISH_SLOT_CHROME = (
    "Om platsen",
    "Fakta",
    "<dt>Typ</dt>",
    "<dt>Ort</dt>",
    "Lediga platser",
    "Timmar i veckan",
    "Passar spåren",
    "Körkort",
    "Krävs inte",
    "Kontakta din samordnare",
    "Sök praktikplats",
    "Arbetsplats på den öppna arbetsmarknaden",
)
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "heading": ("<h1>Find work placement and work training places</h1>",),
        "texts": (
            "What would you like to do?",
            "Type of place",
            "All types",
            "Within 10 km",
            "Only the town",
            "Any number of hours",
            ">Search</button>",
            "1 place was found.",
            "Why:</span> Matched lagerarbetare in the title (exact)",
            "1 free place of 1",
            "20 h/week",
        ),
        "slot": (
            '<h2 id="about">About the place</h2>',
            "<dt>Free places</dt><dd>1 of 1, but <strong>no supervisor is available right now</strong>",
            "<dt>Driving licence</dt><dd>Not required</dd>",
            "<dt>Workplace</dt><dd>Workplace on the open labour market</dd>",
            '<a href="/ansok">Apply for support towards work or studies</a>',
        ),
    },
    "ar": {
        "heading": ("<h1>ابحث عن أماكن التدريب العملي والتدريب على العمل</h1>",),
        "texts": (
            "ماذا تريد أن تعمل؟",
            "نوع المكان",
            "كل الأنواع",
            "ضمن 10 كم",
            "المدينة فقط",
            "أي عدد من الساعات",
            ">بحث</button>",
            "تم العثور على مكان واحد.",
            "السبب:</span> وُجدت lagerarbetare في العنوان (مطابقة تامة)",
            "مكان شاغر واحد من 1",
            "20 ساعة/أسبوع",
        ),
        "slot": (
            '<h2 id="about">عن المكان</h2>',
            "<dt>الأماكن الشاغرة</dt><dd>1 من 1، لكن <strong>لا يوجد مشرف متاح حاليًا</strong>",
            "<dt>رخصة القيادة</dt><dd>غير مطلوبة</dd>",
            "<dt>مكان العمل</dt><dd>مكان عمل في سوق العمل المفتوح</dd>",
            '<a href="/ansok">قدّم طلباً للحصول على دعم للوصول إلى العمل أو الدراسة</a>',
        ),
    },
}
TITLE = "Lagerarbetare till vårt centrallager"
DESCRIPTION = "Plocka och packa varor på kvällar."


def error_at(html: str, name: str) -> str:
    found = re.search(rf'<span class="error" id="f-{name}-error">(.*?)</span>', html)
    assert found, f"a message at the {name} box"
    return unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def swedish_left(html: str, chrome: tuple[str, ...]) -> list[str]:
    return [text for text in chrome if text in unescape(html)]


async def _slot() -> int:
    host = await make_host("Vårgårda Lager AB", "company")
    return await search_slot(
        host,
        title=TITLE,
        description=DESCRIPTION,
        hours_per_week=20,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 5, 29),
    )


async def test_the_public_search_speaks_the_chosen_language(
    client: AsyncTestClient[Litestar],
) -> None:
    await _slot()
    for lang, expected in EXPECTED.items():
        client.cookies.set(LANG_COOKIE, lang)
        page = await client.get("/platser", params={"q": "lagerarbetare"}, headers=HTML)
        assert page.status_code == 200, lang
        text = re.sub(r"\s+", " ", page.text)
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in text
        for shown in expected["heading"] + expected["texts"]:
            assert shown in text, (lang, shown)
        assert swedish_left(text, SWEDISH_SEARCH_CHROME) == [], lang
        # What the host wrote stays as written, marked as Swedish and left to right.
        assert f'<span lang="sv" dir="ltr">{TITLE}</span>' in text
        assert '<span lang="sv" dir="ltr">Vårgårda Lager AB</span>' in unescape(text)
        # The dates keep their order in a right-to-left line.
        assert "<bdi>2026-03-02</bdi> – <bdi>2026-05-29</bdi>" in text
        # The switch comes before the Swedish-less page, its language chosen.
        assert text.index(SWITCH) < text.index("<h1")
        assert f'<option value="{lang}" lang="{lang}" selected>' in text
        # htmx's result list speaks it too.
        hits = await client.get(
            "/platser", params={"q": "lagerarbetare"}, headers={**HTML, "hx-request": "true"}
        )
        assert expected["texts"][7] in hits.text and "plats hittades" not in hits.text


async def test_a_slots_page_speaks_the_chosen_language_and_keeps_the_hosts_words(
    client: AsyncTestClient[Litestar],
) -> None:
    slot_id = await _slot()
    for lang, expected in EXPECTED.items():
        client.cookies.set(LANG_COOKIE, lang)
        page = await client.get(f"/platser/{slot_id}", headers=HTML)
        assert page.status_code == 200, lang
        text = re.sub(r"\s+", " ", page.text)
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in text
        for shown in expected["slot"]:
            assert shown in text, (lang, shown)
        assert swedish_left(text, SWEDISH_SLOT_CHROME) == [], lang
        assert f'<h1><span lang="sv" dir="ltr">{TITLE}</span></h1>' in text
        assert f'<p lang="sv" dir="ltr">{DESCRIPTION}</p>' in text
        assert "<bdi>2026-03-02</bdi> – <bdi>2026-05-29</bdi>" in text
        assert text.index(SWITCH) < text.index("<h1")
    # In Swedish the page is as it was, the way to apply added for a visitor.
    client.cookies.set(LANG_COOKIE, "sv")
    swedish = re.sub(r"\s+", " ", (await client.get(f"/platser/{slot_id}", headers=HTML)).text)
    assert '<html lang="sv">' in swedish
    assert f"<h1>{TITLE}</h1>" in swedish
    assert "<dt>Lediga platser</dt><dd>1 av 1, men <strong>ingen handledare" in swedish
    assert '<a href="/ansok">Ansök om stöd mot arbete eller studier</a>' in swedish


async def test_the_count_pager_and_no_hits_texts_in_the_chosen_language(
    client: AsyncTestClient[Litestar],
) -> None:
    host = await make_host("Vårgårda Lager AB", "company")
    for number in range(12):
        await search_slot(host, title=f"Lagerarbetare {number}", external_id=f"t-{number}")
    expected = {
        "en": (
            "12 places were found, page 2 of 2.",
            'aria-label="Pages of results"',
            ">Previous page</a>",
            "<span>Page 2 of 2</span>",
            "No places match the search with the filters you chose. Without the filters, 12 "
            'places are found: <a href="/platser?q=lagerarbetare">search without filters</a>, '
            "or change one filter at a time.",
            "No places match the search. Try fewer filters or another word.",
        ),
        "ar": (
            "عدد الأماكن التي تم العثور عليها: 12، الصفحة 2 من 2.",
            'aria-label="صفحات النتائج"',
            ">الصفحة السابقة</a>",
            "<span>الصفحة 2 من 2</span>",
            "بدون عوامل التصفية عدد الأماكن الموجودة: 12. "
            '<a href="/platser?q=lagerarbetare">ابحث بدون عوامل التصفية</a>',
            "لا توجد أماكن تطابق البحث.",
        ),
    }
    swedish = ("platser hittades", "Sida 2 av 2", "Föregående sida", "Utan filtren", "Inga platser")
    for lang, texts in expected.items():
        client.cookies.set(LANG_COOKIE, lang)
        second = await client.get(
            "/platser", params={"q": "lagerarbetare", "sida": "2"}, headers=HTML
        )
        narrowed = await client.get(
            "/platser", params={"q": "lagerarbetare", "kind": "arbetsträning"}, headers=HTML
        )
        nothing = await client.get(
            "/platser", params={"q": "zzxqvv", "kind": "arbetsträning"}, headers=HTML
        )
        shown = " ".join(re.sub(r"\s+", " ", p.text) for p in (second, narrowed, nothing))
        for text in texts:
            assert text in shown, (lang, text)
        assert swedish_left(shown, swedish) == [], lang


async def test_a_refused_search_says_why_in_the_chosen_language_with_400(
    client: AsyncTestClient[Litestar],
) -> None:
    cases = {
        "en": {
            "town": "The town Vårgåda is not in the list of towns; search without a distance "
            "or choose another town. Did you mean Vårgårda?",
            "q": "The search can be at most 200 characters long; this one is 201. "
            "Shorten it and search again.",
            "distance": "The distance is counted from a town: write the town in the Town box, "
            "or choose \u201cOnly the town\u201d.",
            "kind": "Type of place: choose work placement or work training.",
            "summary": "Correct the search above to see results.",
        },
        "ar": {
            "town": "المدينة Vårgåda غير موجودة في قائمة المدن؛ ابحث بدون مسافة أو اختر مدينة "
            "أخرى. هل تقصد Vårgårda؟",
            "q": "يجب ألا يزيد طول البحث عن 200 حرفًا، وطول هذا البحث 201. اختصره وابحث مرة أخرى.",
            "distance": "تُحسب المسافة من مدينة: اكتب اسم المدينة في خانة «المدينة»، أو اختر "
            "«المدينة فقط».",
            "kind": "نوع المكان: اختر تدريب عملي أو تدريب على العمل.",
            "summary": "صحّح البحث أعلاه لترى النتائج.",
        },
    }
    for lang, messages in cases.items():
        client.cookies.set(LANG_COOKIE, lang)
        for box, params in (
            ("town", {"q": "lager", "town": "Vårgåda", "distance": "10"}),
            ("q", {"q": "l" * 201}),
            ("distance", {"q": "lager", "distance": "10"}),
            ("kind", {"q": "lager", "kind": "jobb"}),
        ):
            answer = await client.get("/platser", params=params, headers=HTML)
            assert answer.status_code == 400, (lang, box)
            assert error_at(answer.text, box) == messages[box], (lang, box)
            assert messages["summary"] in answer.text
            assert "Rätta sökningen" not in answer.text
            assert f'<html lang="{lang}"' in answer.text


async def test_staff_read_the_search_and_a_slot_in_swedish_whatever_the_cookie(
    client: AsyncTestClient[Litestar],
) -> None:
    """The workbench's search shares the form and the hits with the public one: a signed-in
    coordinator whose browser chose Arabic (a participant's, once, on this computer) still
    reads Swedish there, on /platser and on a slot's page, with no switch."""
    slot_id = await _slot()
    w = await bd.make_world()
    await login(client, w.coordinator.username)
    client.cookies.set(LANG_COOKIE, "ar")
    for url in ("/arbetsbord/platser", "/platser"):
        page = await client.get(url, params={"q": "lagerarbetare"}, headers=HTML)
        assert page.status_code == 200, url
        text = unescape(re.sub(r"\s+", " ", page.text))
        assert '<html lang="sv">' in text, url
        for swedish in ("Vad vill du göra?", "Typ av plats", "Inom 10 km", "1 plats hittades."):
            assert swedish in text, (url, swedish)
        assert "Matchade lagerarbetare i titeln (exakt)" in text
        assert f">{TITLE}</a>" in text  # not marked as Swedish in a Swedish page
        assert SWITCH not in text and "ابحث" not in text, url
    refused = await client.get(
        "/arbetsbord/platser", params={"q": "lager", "town": "Vårgåda", "distance": "10"}
    )
    assert refused.status_code == 400
    assert error_at(refused.text, "town").startswith("Orten Vårgåda finns inte i ortslistan")
    slot = await client.get(f"/platser/{slot_id}", headers=HTML)
    assert '<html lang="sv">' in slot.text and "<dt>Lediga platser</dt>" in slot.text
    assert SWITCH not in slot.text


async def test_the_switch_leads_back_to_the_search_and_a_participant_reads_it_too(
    client: AsyncTestClient[Litestar],
) -> None:
    slot_id = await _slot()
    for back in ("/platser?q=lager&sida=2", f"/platser/{slot_id}"):
        answer = await form_post(client, "/mina-sidor/sprak", {"sprak": "en", "tillbaka": back})
        assert answer.status_code == 303
        assert answer.headers["location"].startswith(back), back
        assert client.cookies.get(LANG_COOKIE) == "en"
    landed = await client.get(answer.headers["location"], headers=HTML)
    assert "The language has been changed." in landed.text
    assert '<p class="ok notice"' in landed.text and "Språket är bytt." not in landed.text
    # A signed-in participant reads the public search in their language too.
    w = await bd.make_world()
    client.cookies.set(
        sessions.SESSION_COOKIE, await sessions.start_session(w.candidate_id, "link")
    )
    client.cookies.set(LANG_COOKIE, "ar")
    page = await client.get("/platser", params={"q": "lagerarbetare"}, headers=HTML)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "تم العثور على مكان واحد." in page.text


async def test_a_signed_in_participant_is_not_offered_to_apply_for_a_coordinator(
    client: AsyncTestClient[Litestar],
) -> None:
    # A visitor may apply for support; a participant signed in on Mina sidor has a coordinator.
    slot_id = await _slot()
    visitor = (await client.get(f"/platser/{slot_id}", headers=HTML)).text
    assert "Har du ingen samordnare?" in visitor and 'href="/ansok"' in visitor
    w = await bd.make_world()
    client.cookies.set(
        sessions.SESSION_COOKIE, await sessions.start_session(w.candidate_id, "link")
    )
    for lang, coordinator in (("sv", "Kontakta din samordnare"), ("en", "your coordinator")):
        client.cookies.set(LANG_COOKIE, lang)
        text = (await client.get(f"/platser/{slot_id}", headers=HTML)).text
        assert coordinator in text, lang
        assert 'href="/ansok"' not in text, lang


async def test_a_visitor_in_english_or_arabic_is_shown_where_participants_sign_in(
    client: AsyncTestClient[Litestar],
) -> None:
    # "Sign in" led to the staff's sign-in page, in Swedish: a job seeker reading in English
    # or Arabic now finds My pages first, and the staff's link says what it is.
    for lang, mine, staff in (
        ("en", "My pages", "Staff sign-in (in Swedish)"),
        ("ar", "صفحاتي", "دخول الموظفين (باللغة السويدية)"),
    ):
        client.cookies.set(LANG_COOKIE, lang)
        text = (await client.get("/platser", headers=HTML)).text
        assert f'<a href="/mina-sidor/logga-in">{mine}</a>' in text, lang
        assert f'<a href="/logga-in" hreflang="sv">{staff}</a>' in text, lang
    client.cookies.set(LANG_COOKIE, "sv")
    text = (await client.get("/platser", headers=HTML)).text
    assert '<a href="/logga-in">Logga in</a>' in text and "/mina-sidor/logga-in" not in text


async def test_an_error_page_of_the_search_speaks_the_visitors_language(
    client: AsyncTestClient[Litestar],
) -> None:
    # A closed slot's old link, or an address the search cannot read, met the site's Swedish
    # error page between an Arabic search and an Arabic slot.
    w = await bd.make_world()
    cases = (
        ("/platser/999999", 404, "This place does not exist, or is no longer published."),
        ("/platser?sida=abc", 400, "The address has a choice the search cannot read."),
        ("/platser/1?fran=" + "x" * 1001, 400, "The address has a choice the search cannot"),
    )
    for url, status, english in cases:
        client.cookies.set(LANG_COOKIE, "en")
        page = await client.get(url, headers=HTML)
        assert page.status_code == status, url
        assert '<html lang="en" dir="ltr">' in page.text and english in page.text, url
        assert "Felkod" not in page.text and 'href="/platser">Back to the search' in page.text
        assert SWITCH in page.text
    client.cookies.set(LANG_COOKIE, "ar")
    page = await client.get("/platser/999999", headers=HTML)
    assert page.status_code == 404 and '<html lang="ar" dir="rtl">' in page.text
    assert "هذا المكان غير موجود" in page.text and "Platsen finns inte" not in page.text
    # A Swedish reader, and staff whatever the cookie, get the site's page with its message.
    client.cookies.set(LANG_COOKIE, "sv")
    page = await client.get("/platser/999999", headers=HTML)
    assert page.status_code == 404 and "Felkod 404" in page.text
    assert "Platsen finns inte eller är inte publicerad" in page.text
    await login(client, w.coordinator.username)
    client.cookies.set(LANG_COOKIE, "ar")
    page = await client.get("/platser/999999", headers=HTML)
    assert page.status_code == 404 and '<html lang="sv">' in page.text
    assert "Felkod 404" in page.text


async def test_a_slots_tracks_are_listed_with_the_languages_comma(
    client: AsyncTestClient[Litestar],
) -> None:
    host = await make_host("Vårgårda Lager AB", "company")
    slot_id = await search_slot(host, title=TITLE, tracks=["kompetens", "hälsa"])
    commas = {}
    for lang in ("sv", "en", "ar"):
        client.cookies.set(LANG_COOKIE, lang)
        page = await client.get(f"/platser/{slot_id}", headers=HTML)
        tracks = re.search(r"(<dd>[^<]*(?:, |، )[^<]*</dd>)", page.text)
        assert tracks, lang
        commas[lang] = "، " in tracks.group(1)
    assert commas == {"sv": False, "en": False, "ar": True}
