"""The search pages with a search too long, from a visitor's day (2026): a search of 201
characters (a pasted text, an address shared with the words in it) answered the generic error
page, the words lost. The search page now comes back with the words kept and the limit said
at the search box, which carries the same limit as `maxlength`.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from html import unescape

from marketplace.reference import places
from search.schemas import MAX_SEARCH_LENGTH, MAX_TOWN_LENGTH
from search.tables import SearchLog
from tests.builders import make_host
from tests.conftest import login
from tests.placements import bookingdata as bd
from tests.search.test_search_api import search_slot

HTML = {"accept": "text/html"}


def input_tag(html: str, name: str) -> str:
    found = re.search(rf'<input id="f-{name}" name="{name}"[^>]*>', html)
    assert found, f"the page has the {name} box"
    return found.group(0)


def error_at(html: str, name: str) -> str:
    found = re.search(rf'<span class="error" id="f-{name}-error">([^<]*)</span>', html)
    assert found, f"a message at the {name} box"
    return unescape(found.group(1))


async def test_a_too_long_search_comes_back_with_its_words_and_the_limit(client):
    w = await bd.make_world()
    await login(client, w.coordinator.username)
    words = ("lagerarbete med truck på kvällar " * 7)[: MAX_SEARCH_LENGTH + 1]
    assert len(words) == 201
    pages = {
        "/platser": "<h1>Sök praktik- och arbetsträningsplatser</h1>",
        "/arbetsbord/platser": "<h1>Sök platser att föreslå</h1>",
    }
    for url, heading in pages.items():
        answer = await client.get(url, params={"q": words, "town": "Vårgårda"}, headers=HTML)
        assert answer.status_code == 400, answer.text[:300]
        assert heading in answer.text, url  # the search page, not the error page
        assert error_at(answer.text, "q") == (
            "Sökningen får vara högst 200 tecken lång, den här är 201. Korta den och sök igen."
        )
        box = input_tag(answer.text, "q")
        assert f'value="{words}"' in unescape(box), url
        assert 'aria-invalid="true"' in box
        assert 'value="Vårgårda"' in unescape(input_tag(answer.text, "town"))
        assert "Rätta sökningen ovan för att se träffar." in answer.text
        # htmx's result list (a 4xx it would not swap in) says it where the hits were.
        hits = await client.get(url, params={"q": words}, headers={**HTML, "hx-request": "true"})
        assert hits.status_code == 200
        assert (
            re.sub(r"\s+", " ", hits.text).count(
                "Rätta sökningen ovan för att se träffar. Sökningen får vara högst 200 tecken"
            )
            == 1
        )
        assert 'role="search"' not in hits.text
    # A too long search is no search: nothing is logged.
    assert await SearchLog.count() == 0


async def test_a_too_long_town_comes_back_with_the_limit_at_the_town(client):
    town = "Vårgårda " * 12
    answer = await client.get("/platser", params={"q": "lager", "town": town}, headers=HTML)
    assert answer.status_code == 400
    assert error_at(answer.text, "town") == (
        f"Orten får vara högst 100 tecken lång, den här är {len(town)}. Korta den och sök igen."
    )
    assert f'value="{town}"' in unescape(input_tag(answer.text, "town"))
    assert 'value="lager"' in input_tag(answer.text, "q")


async def test_the_search_boxes_carry_the_servers_limits(client):
    page = await client.get("/platser", headers=HTML)
    assert page.status_code == 200
    assert f'maxlength="{MAX_SEARCH_LENGTH}"' in input_tag(page.text, "q")
    assert f'maxlength="{MAX_TOWN_LENGTH}"' in input_tag(page.text, "town")
    # A search as long as the box takes is searched.
    full = await client.get(
        "/platser", params={"q": "l" * MAX_SEARCH_LENGTH, "town": "V" * 100}, headers=HTML
    )
    assert full.status_code == 200
    assert 'class="error"' not in full.text


async def test_a_page_past_the_last_shows_the_last_pages_hits(client):
    """An old link or an edited address (`sida=99`) said "sida 2 av 2" over an empty list;
    it goes to the last page's address (303), as every list does."""
    host = await make_host("Vårgårda Lager AB", "company")
    for number in range(12):
        await search_slot(host, title=f"Lagerarbetare {number}", external_id=f"t-{number}")
    for url in ("/platser", "/arbetsbord/platser"):
        if url.startswith("/arbetsbord"):
            w = await bd.make_world()
            await login(client, w.coordinator.username)
        last = await client.get(url, params={"q": "lagerarbetare", "sida": "2"}, headers=HTML)
        moved = await client.get(
            url, params={"q": "lagerarbetare", "sida": "99"}, headers=HTML, follow_redirects=False
        )
        assert moved.status_code == 303
        assert moved.headers["location"] == f"{url}?q=lagerarbetare&sida=2"
        past = await client.get(url, params={"q": "lagerarbetare", "sida": "99"}, headers=HTML)
        assert past.status_code == 200
        assert "sida 2 av 2" in past.text
        hits = re.findall(r'<h3><a href="/platser/(\d+)', past.text)
        assert hits and hits == re.findall(r'<h3><a href="/platser/(\d+)', last.text), url


async def test_no_hits_with_filters_says_how_many_the_words_find_without_them(client):
    """ "Prova färre filter" left the coordinator to guess which filter hid the slots: with
    none found under the filters, the page says how many the words alone find and links to
    that search; a search that finds nothing at all says what it said before."""
    host = await make_host("Vårgårda Lager AB", "company")
    for number in range(3):
        await search_slot(host, title=f"Lagerarbetare {number}", external_id=f"t-{number}")
    w = await bd.make_world()
    await login(client, w.coordinator.username)
    for url in ("/platser", "/arbetsbord/platser"):
        narrowed = await client.get(
            url, params={"q": "lagerarbetare", "kind": "arbetsträning"}, headers=HTML
        )
        assert narrowed.status_code == 200
        text = unescape(narrowed.text)
        assert "Inga platser matchar sökningen med filtren du valt." in text, url
        assert "Utan filtren hittas 3 platser" in text
        assert f'<a href="{url}?q=lagerarbetare">sök utan filter</a>' in text
        unfiltered = await client.get(url, params={"q": "lagerarbetare"}, headers=HTML)
        assert len(re.findall(r'<h3><a href="/platser/(\d+)', unfiltered.text)) == 3
        nothing = await client.get(
            url, params={"q": "zzxqvv", "kind": "arbetsträning"}, headers=HTML
        )
        assert "Inga platser matchar sökningen. Prova färre filter" in unescape(nothing.text)
        assert "Utan filtren" not in nothing.text


async def test_a_wrong_filter_is_said_at_its_own_box_in_swedish(client):
    answer = await client.get("/platser", params={"q": "lager", "kind": "jobb"}, headers=HTML)
    assert answer.status_code == 400
    assert error_at(answer.text, "kind") == "Typ av plats: välj praktik eller arbetsträning."
    assert 'id="f-q-error"' not in answer.text
    answer = await client.get("/platser", params={"track": "x"}, headers=HTML)
    assert error_at(answer.text, "track").startswith("Spår:")
    # Every wrong filter at once, each at its own box, the town's too.
    answer = await client.get(
        "/platser",
        params={"q": "lager", "kind": "jobb", "track": "x", "town": "Vårgårdaa", "distance": "10"},
        headers=HTML,
    )
    assert answer.status_code == 400
    assert error_at(answer.text, "kind").startswith("Typ av plats:")
    assert error_at(answer.text, "track").startswith("Spår:")
    assert "Menade du Vårgårda?" in error_at(answer.text, "town")


async def test_a_wrong_number_filter_is_said_at_its_box_with_the_rest_kept(client):
    """`/platser?max_hours=abc` (an edited address) dropped the filter without a word and
    listed every slot; a distance without a town to count from was dropped the same way."""
    for params, box, start in (
        ({"max_hours": "abc"}, "max_hours", "Högst timmar i veckan: välj i listan"),
        ({"max_hours": "0"}, "max_hours", "Högst timmar i veckan: välj i listan"),
        ({"distance": "abc", "town": "Vårgårda"}, "distance", "Avstånd från orten: välj"),
        ({"distance": "10"}, "distance", "Avståndet räknas från en ort: skriv orten"),
    ):
        answer = await client.get(
            "/platser", params={"q": "lager", "kind": "praktik", **params}, headers=HTML
        )
        assert answer.status_code == 400, params
        assert error_at(answer.text, box).startswith(start), params
        assert 'id="f-q-error"' not in answer.text
        assert '<option value="praktik" selected>' in answer.text  # the other values kept
        assert 'value="lager"' in input_tag(answer.text, "q")
    fine = await client.get(
        "/platser", params={"max_hours": "20", "distance": "", "town": ""}, headers=HTML
    )
    assert fine.status_code == 200 and 'class="error"' not in fine.text


async def test_a_slot_in_the_town_searched_from_says_so_not_zero_km(client):
    """A slot in the chosen town read "0,0 km bort" (a coordinator's day in the browser)."""
    lat, lon = places.place("Vårgårda") or (0.0, 0.0)
    await search_slot(title="Lagerarbetare", latitude=lat, longitude=lon)
    page = await client.get(
        "/platser",
        params={"q": "lagerarbetare", "town": "Vårgårda", "distance": "10"},
        headers=HTML,
    )
    assert page.status_code == 200
    assert "på orten du valde" in page.text and "0,0 km" not in page.text


async def test_an_unknown_town_in_the_search_names_the_town_it_may_be(client):
    answer = await client.get(
        "/platser", params={"q": "lager", "town": "Vårgåda", "distance": "10"}, headers=HTML
    )
    assert answer.status_code == 400
    message = error_at(answer.text, "town")
    assert message.startswith("Orten Vårgåda finns inte i ortslistan")
    assert message.endswith("Menade du Vårgårda?")
