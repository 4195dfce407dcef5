"""Attacks on the search and its admin pages, as a hostile or careless user would make them:
queries built to be slow or to break the parsing, everyday words built to break the index
for everyone, the search log filled by a script or fed personal data, and the admin pages
reached by someone who is no admin or without the page's CSRF field."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest

from placements.services import bump_slot_change
from placements.tables import Candidate, Slot
from search import usage, vocabulary
from search.index import SearchIndex
from search.schemas import SearchQuery
from search.tables import EverydayWord, SearchLog
from search.taxonomy_cache import taxonomy_lexicon
from search.terms import MAX_QUERY_WORDS, parse_terms
from tests.conftest import login
from tests.placements import bookingdata as bd
from tests.search.test_search_log import browser_login, post_form
from tests.search.test_search_ranker import occ_id, slot

HTML = {"accept": "text/html"}
API = "/api/v1/search/everyday-words"
# Far above what any search here takes (a few ms), far below what a person would wait for.
SECONDS = 2.0

# Queries within the length limit, each built to be slow or to trip the parsing.
HOSTILE = {
    "200 letters": "a" * 200,
    "deep compound": ("sjukhus" + "städ" + "lager" + "kock" + "vård") * 8,
    "100 one-letter words": " ".join(["a"] * 100),
    "66 two-letter words": " ".join(["qx", "zy", "åö"] * 22),
    "hyphen chain": "-".join(["lag", "kok", "stä"] * 16),
    "emoji": "😀👩‍👩‍👧 städare 🏳️‍🌈",
    "combining marks": "a\u0301" * 60,
    "rtl and zero width": "\u202e\u200fstädare\u200d\u200b\u2066lager\u2069",
    "nul and control": "städ\x00are \x01\x02\x1b[31m \x7f",
    "wildcards and sql": "%_% ' \" ; -- DROP TABLE se_search_log; \\ .* [a-z]+ (?=x) {1,99999}",
}


def main_text(html: str) -> str:
    found = re.search(r"<main.*?</main>", html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0) if found else html))


async def test_hostile_queries_are_answered_quickly_on_every_entry_point(client):
    w = await bd.make_world()
    await login(client, w.coordinator.username)
    entry_points = [
        ("/platser", "q", HTML, 200),
        ("/arbetsbord/platser", "q", HTML, 200),
        ("/api/v1/slots/search", "q", {}, 200),
        ("/api/v1/taxonomy/occupations", "q", {}, 100),
        ("/arbetsbord/yrken", "yrke", HTML, 100),
    ]
    for url, param, headers, limit in entry_points:
        for name, q in HOSTILE.items():
            started = time.perf_counter()
            answer = await client.get(url, params={param: q[:limit]}, headers=headers)
            took = time.perf_counter() - started
            assert answer.status_code == 200, (url, name, answer.text[:300])
            assert took < SECONDS, (url, name, took)
        # One character over the limit, a thousand words, 56 KB (the test client's longest
        # address; a server takes no longer one): a Swedish 400 naming the limit.
        for too_long in ("a" * (limit + 1), " ".join(["ord"] * 1000), "stadare " * 7000):
            answer = await client.get(url, params={param: too_long}, headers=headers)
            assert answer.status_code == 400, (url, answer.text[:300])
            assert f"högst {limit} tecken" in main_text(answer.text), url


def test_a_query_reads_at_most_its_first_words():
    """A hundred two-letter words cost 30–60 ms a search (each unknown word is looked up as an
    abbreviation, each hit explained term by term); only the first words are read."""
    words = [a + b for a in "bcdfghjklmnpqrstvxz" for b in "bcdfghjklmnpqrstvxz"][:100]
    terms = parse_terms(" ".join(words), taxonomy_lexicon(), lambda t: 1, 10, max_words=24)
    assert {t.word for t in terms} <= set(words[:24])
    idx = SearchIndex()
    idx.build([slot(1, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare"))])
    filler = " ".join(["qqqqqqq"] * MAX_QUERY_WORDS)
    assert [h.slot_id for h in idx.search(SearchQuery(q="lagerarbetare " + filler)).hits] == [1]
    assert idx.search(SearchQuery(q=filler + " lagerarbetare")).hits == []


async def test_a_profile_with_hostile_interests_is_matched_quickly(client):
    w = await bd.make_world()
    occupation = occ_id("Lagerarbetare/Terminalarbetare")
    await Slot.update({Slot.occupation_id: occupation}).where(Slot.id == w.slot_id)
    await bump_slot_change(w.slot_id)
    words = [a + b for a in "bcdfghjklmnpqrstvxz" for b in "bcdfghjklmnpqrstvxz"]
    await Candidate.update(
        {Candidate.interests: " ".join(words)[:5000], Candidate.wished_occupations: [occupation]}
    ).where(Candidate.id == w.candidate_id)
    await login(client, w.coordinator.username)
    for url in (
        f"/arbetsbord/deltagare/{w.candidate_id}",
        f"/api/v1/matching/candidates/{w.candidate_id}/slots?limit=100",
    ):
        started = time.perf_counter()
        answer = await client.get(url, headers=HTML if "arbetsbord" in url else {})
        assert answer.status_code == 200, answer.text[:300]
        assert time.perf_counter() - started < SECONDS, url
    found = await client.get(f"/api/v1/matching/candidates/{w.candidate_id}/slots")
    assert w.slot_id in [r["id"] for r in found.json()["results"]]


async def test_a_slot_text_built_to_be_slow_gets_its_suggestions_quickly(client):
    w = await bd.make_world()
    await login(client, w.coordinator.username)
    url = "/api/v1/taxonomy/occupation-suggestions"
    # The first suggestion of a worker loads its tables: not what is measured here.
    warm = await client.post(url, json={"title": "Städare", "description": ""})
    assert warm.status_code == 200, warm.text
    texts = [
        ("a" * 200, " ".join(["qxzy", "lagerkokstäd", "a"] * 400)[:5000]),
        ("städ\x00are 😀", ("sjukhusstädlagerkockvård" * 300)[:5000]),
    ]
    for title, description in texts:
        started = time.perf_counter()
        answer = await client.post(url, json={"title": title, "description": description})
        assert answer.status_code in (200, 400), answer.text[:300]
        assert time.perf_counter() - started < SECONDS
    too_long = await client.post(url, json={"title": "a" * 201, "description": ""})
    assert too_long.status_code == 400
    assert "högst 200 tecken" in too_long.text


async def test_hostile_everyday_words_are_refused_with_every_problem_at_once(
    client, make_client, make_user, monkeypatch: pytest.MonkeyPatch
):
    await make_user("admin", username="ada")
    await browser_login(client, "ada")
    page = "/drift/vardagsord"
    # A TSV-breaking word (tab, newline), an empty one, a huge one, unicode tricks.
    for word in ("bull\tbod", "bull\nbod", "", " ", "b" * 10_000, "bull\u200dbod"):
        answer = await post_form(client, page, {"word": word, "targets": "kafébiträde"})
        assert answer.status_code == 400, (word[:20], answer.text[:300])
        assert "2–40 bokstäver" in answer.text
    # An invisible control character is said as such, with the targets' own problem.
    nul = await post_form(client, page, {"word": "bull\x00bod", "targets": "blärgh"})
    assert nul.status_code == 400
    text = main_text(nul.text)
    assert (
        "Vardagsord: texten innehöll ett osynligt styrtecken (ett nolltecken, U+0000) efter "
        "”bull”. Det är borttaget ur fältet" in text
    )
    assert "”blärgh” används inte i yrkestaxonomin" in text
    assert 'value="bullbod"' in nul.text
    # A bad word and bad targets: both are named in the one answer.
    both = await post_form(client, page, {"word": "x", "targets": "blärgh"})
    assert both.status_code == 400
    text = main_text(both.text)
    assert "2–40 bokstäver" in text and "”blärgh” används inte i yrkestaxonomin" in text
    # Hundreds of targets, or none.
    many = await post_form(client, page, {"word": "x", "targets": "städare " * 300})
    assert many.status_code == 400
    assert "2–40 bokstäver" in many.text and "1–6 ord" in many.text
    # A word ending, which would make thousands of unknown compounds mean cleaners.
    ending = await post_form(client, page, {"word": "are", "targets": "städare"})
    assert ending.status_code == 400
    assert "”are” är slutet på 3\u00a0185 ord i yrkestaxonomin" in ending.text
    # A built-in word's lookalike, with a Cyrillic "а".
    lookalike = await post_form(client, page, {"word": "d\u0430gis", "targets": "barnskötare"})
    assert lookalike.status_code == 400
    assert "olika alfabet" in lookalike.text
    # A word standing for itself.
    itself = await post_form(client, page, {"word": "städare", "targets": "städare"})
    assert itself.status_code == 400
    assert "kan inte stå för sig självt" in itself.text
    assert await EverydayWord.count() == 0

    # Through the API: a 10,000-letter word is a Swedish 400, both problems named.
    client = await make_client()
    await login(client, "ada")
    huge = await client.post(API, json={"word": "b" * 10_000, "targets": ["kafébiträde"]})
    assert huge.status_code == 400
    assert "högst 200 tecken" in huge.text
    answer = await client.post(API, json={"word": "1", "targets": ["blärgh"]})
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {"word", "targets"}

    # Duplicates that differ only by case, å/a or the composed form of a letter.
    ok = await client.post(API, json={"word": "bullbod", "targets": ["kafébiträde"]})
    assert ok.status_code == 201, ok.text
    for twin in ("BULLBOD", "bullböd", "bullbo\u0308d"):
        again = await client.post(API, json={"word": twin, "targets": ["städare"]})
        assert again.status_code == 409, twin
    # A cycle through two added words is no loop: each stands for taxonomy words only.
    cycle = await client.post(API, json={"word": "fikabod", "targets": ["kafébiträde"]})
    assert cycle.status_code == 201
    assert await EverydayWord.count() == 2

    # Removing a word named by a hostile address: a plain 404 that does not echo it all.
    for word in ("b" * 10_000, "%00", "%E2%80%AE", "%FF", "..%2F..%2Fetc"):
        missing = await client.delete(f"{API}/{word}")
        assert missing.status_code == 404, word
        detail = missing.json()["detail"]
        assert detail.startswith(("Inget tillagt vardagsord", "Sidan finns inte")), detail
        assert len(detail) < 100
    # A script adding words without end stops at the cap, with a Swedish answer.
    monkeypatch.setattr(vocabulary, "MAX_ADDED", 2)
    full = await client.post(API, json={"word": "glassbod", "targets": ["kafébiträde"]})
    assert full.status_code == 409
    assert "Det finns redan 2 tillagda vardagsord" in full.json()["detail"]
    assert await EverydayWord.count() == 2
    # After all that, every search still answers, and the added word works.
    for q in ("bullbod", "fikabod", "städare", "", *HOSTILE.values()):
        answer = await client.get("/api/v1/slots/search", params={"q": q[:200]})
        assert answer.status_code == 200, (q[:20], answer.text[:300])


async def test_an_address_typed_with_a_full_width_at_is_not_logged():
    for at in ("＠", "﹫", "@"):
        assert usage.query_words(f"anna.berg{at}example.se lager") == ["lager"]
    ref = usage.new_ref()
    assert await usage.record_search(
        ref, "19850101-0006 anna.berg＠example.se truck", 0, False, None
    )
    (row,) = await SearchLog.select(SearchLog.words)
    assert row["words"] == "truck"


async def test_a_script_cannot_fill_the_search_log(client, monkeypatch: pytest.MonkeyPatch):
    # One visitor (one address) searching distinct words without end: logged up to the cap,
    # and past it not even the name check (a scan of the people) runs.
    checks = 0
    name_words_among = usage.name_words_among

    async def counted(words: list[str]) -> set[str]:
        nonlocal checks
        checks += 1
        return await name_words_among(words)

    monkeypatch.setattr(usage, "name_words_among", counted)
    for n in range(usage.PER_SEARCHER_HOUR + 30):
        await usage.record_search(
            usage.new_ref(), f"ord{'x' * (n % 7)} sok{n}x", 0, False, None, address="203.0.113.9"
        )
    logged = await SearchLog.count()
    assert 0 < logged <= usage.PER_SEARCHER_HOUR
    assert checks == usage.PER_SEARCHER_HOUR
    # Another visitor is still logged; the page still answers the capped one.
    assert await usage.record_search(usage.new_ref(), "lager", 0, False, None, address="10.0.0.2")
    assert (await client.get("/platser", params={"q": "lager"}, headers=HTML)).status_code == 200

    # Many addresses together: the log takes at most PER_DAY searches in 24 hours.
    monkeypatch.setattr(usage, "PER_DAY", logged + 5)
    for n in range(20):
        await usage.record_search(usage.new_ref(), "truck", 0, False, None, address=f"10.1.0.{n}")
    assert await SearchLog.count() == logged + 5
    # Searches older than a day no longer count against the cap.
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    await SearchLog.update({SearchLog.created_at: old}).where(SearchLog.id > 0)
    assert await usage.record_search(usage.new_ref(), "truck", 0, False, None, address="10.2.0.1")


async def test_the_page_caps_a_visitor_by_address(client):
    for n in range(usage.PER_SEARCHER_HOUR + 5):
        answer = await client.get(
            "/platser", params={"q": f"lager{'a' * (n % 9)} ord"}, headers=HTML
        )
        assert answer.status_code == 200
    assert await SearchLog.count() == usage.PER_SEARCHER_HOUR


async def test_admin_pages_are_for_admins_and_their_forms_need_the_csrf_field(
    client, make_client, make_user
):
    await make_user("admin", username="ada")
    await make_user("coordinator", username="sara")
    forms: dict[str, dict[str, Any]] = {
        "/drift/vardagsord": {"word": "bullbod", "targets": "kafébiträde"},
        "/drift/sokningar/lar": {"word": "bullbod", "targets": "kafébiträde"},
        "/drift/sokningar/lyft": {"enabled": "0"},
    }
    pages = ["/drift/vardagsord", "/drift/sokningar", "/drift/sokningar/lyft", API]
    # Nobody signed in: no page, no write.
    for url in pages:
        assert (await client.get(url, headers=HTML)).status_code in (401, 403), url
    # A coordinator, signed in with a valid CSRF field: still no.
    await browser_login(client, "sara")
    for url in pages:
        assert (await client.get(url, headers=HTML)).status_code == 403, url
    for url, data in forms.items():
        assert (await post_form(client, url, data)).status_code == 403, url
    # An admin without the page's CSRF field (a forged form from another site): refused.
    admin = await make_client()
    await browser_login(admin, "ada")
    for url, data in forms.items():
        answer = await admin.post(url, data=data, headers=HTML)
        assert answer.status_code == 403, url
    assert await EverydayWord.count() == 0
    from search import lift

    assert await lift.switch_on()
