"""People search for coordinators (issue 16 item 6, issue 15 item 11): a participant found by
name without å/ä/ö, by first and last name in either order, by part of a name, and by an exact
personnummer (audited, posted, never partial); only among the caller's own participants; and
a participant list, in the API and on the workbench, that sorts and pages.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from admin.services.register import anonymise_candidate
from marketplace.kernel.luhn import luhn_check_digit
from marketplace.kernel.tables import AuditEntry
from placements.services.candidates import NAME_SUGGESTION, PERSONNUMMER_SEARCH
from placements.services.people_search import (
    corrected_words,
    fold_name,
    looks_like_identity_number,
    name_words,
)
from placements.tables import Candidate
from tests.builders import make_candidate_row, make_lock_in_flag
from tests.conftest import login

HTML = {"accept": "text/html"}


def personnummer(nine: str) -> tuple[str, ...]:
    """A valid number for YYMMDDNNN (born in the 1900s), in the four written forms:
    19YYMMDD-NNNC, 19YYMMDDNNNC, YYMMDD-NNNC, YYMMDDNNNC."""
    ten = nine + luhn_check_digit(nine)
    return (f"19{ten[:6]}-{ten[6:]}", f"19{ten}", f"{ten[:6]}-{ten[6:]}", ten)


MAJA = personnummer("900101123")
ERIK = personnummer("850315456")


async def add(coordinator: Any, first: str, last: str, pnr: str = "", **extra: Any) -> int:
    return await make_candidate_row(
        coordinator.id,
        first,
        last_name=last,
        email="",
        personnummer=pnr,
        registered_at=extra.pop("registered_at", dt.date(2026, 1, 1)),
        **extra,
    )


@pytest.fixture
async def people(make_user) -> dict[str, Any]:
    sara = await make_user("coordinator", username="sara")
    olle = await make_user("coordinator", username="olle")
    ids = {
        "maja": await add(sara, "Maja", "Åkesson", MAJA[0]),
        "erik": await add(sara, "Erik", "Östlund", ERIK[0]),
        "sven": await add(sara, "Sven", "Björk"),
        "lena": await add(sara, "Lena", "Ågren"),
        "karl": await add(sara, "Karl", "Berg"),
        "zlatan": await add(sara, "Amir", "Hodžić"),
        # Olle's participant: Sara must not find her, by name or by number.
        "other": await add(olle, "Åsa", "Öberg", personnummer("770707777")[0]),
    }
    return {"sara": sara, "olle": olle, "ids": ids}


async def names(client, **params: str) -> list[str]:
    answer = await client.get("/api/v1/candidates", params=params)
    assert answer.status_code == 200, answer.text
    return [f"{c['first_name']} {c['last_name']}" for c in answer.json()["items"]]


async def by_number(client, number: str) -> Any:
    answer = await client.post("/api/v1/candidates/search", json={"personnummer": number})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_folding_lowers_and_drops_diacritics_and_reads_aa_as_a():
    assert fold_name("Åkesson") == fold_name("akesson") == fold_name("AAKESSON") == "akesson"
    assert fold_name("Östlund Björk") == "ostlund bjork"
    assert fold_name("Hodžić") == "hodzic"
    assert fold_name("Ågren") == fold_name("aagren")
    # A decomposed Å (A plus a combining ring) folds like the composed one.
    assert fold_name("A\u030akesson") == "akesson"


def test_only_whole_digit_runs_read_as_a_personnummer():
    for number in (*MAJA, "900101", "19900101", "9001011"):
        assert looks_like_identity_number(number), number
    for text in ("Maja", "12345", "Åkesson 12", "%_", ""):
        assert not looks_like_identity_number(text), text


async def test_names_are_found_without_a_ring_or_dots(client, people):
    await login(client, "sara")
    assert await names(client, q="akesson") == ["Maja Åkesson"]
    assert await names(client, q="ostlund") == ["Erik Östlund"]
    assert await names(client, q="bjork") == ["Sven Björk"]
    assert await names(client, q="aagren") == ["Lena Ågren"]
    assert await names(client, q="AKESSON") == ["Maja Åkesson"]
    assert await names(client, q="ÅKESSON") == ["Maja Åkesson"]
    assert await names(client, q="Björk") == ["Sven Björk"]
    assert await names(client, q="hodzic") == ["Amir Hodžić"]


async def test_first_and_last_name_in_either_order_and_part_of_a_name(client, people):
    await login(client, "sara")
    assert await names(client, q="Åkesson Maja") == ["Maja Åkesson"]
    assert await names(client, q="maja akesson") == ["Maja Åkesson"]
    assert await names(client, q="  akesson   maja ") == ["Maja Åkesson"]
    assert await names(client, q="akes") == ["Maja Åkesson"]
    assert await names(client, q="ma ak") == ["Maja Åkesson"]
    assert await names(client, q="er") == ["Karl Berg", "Erik Östlund"]
    # Every word must match: a first name with another person's last name finds nobody.
    assert await names(client, q="maja berg") == []
    # Wildcards are literal.
    assert await names(client, q="%") == []
    assert await names(client, q="_") == []


async def test_a_personnummer_is_found_in_each_written_form_and_audited(client, people):
    await login(client, "sara")
    maja = people["ids"]["maja"]
    for number in MAJA:
        before = await AuditEntry.count().where(AuditEntry.action == PERSONNUMMER_SEARCH)
        found = await by_number(client, number)
        assert [c["id"] for c in found["items"]] == [maja], number
        assert found["items"][0]["personnummer_masked"] == MAJA[0][:8] + "-****"
        rows = await AuditEntry.select().where(
            (AuditEntry.action == PERSONNUMMER_SEARCH) & (AuditEntry.subject_id == maja)
        )
        assert len(rows) == before + 1
    for row in await AuditEntry.select().where(AuditEntry.action == PERSONNUMMER_SEARCH):
        assert row["actor_label"].startswith("sara")
        for form in MAJA:
            assert form not in row["detail"]


async def test_a_partial_or_wrong_personnummer_finds_nothing_and_is_audited(client, people):
    await login(client, "sara")
    partials = [MAJA[0][:8], MAJA[0][:-1], MAJA[2][:-2], MAJA[3][2:], MAJA[1][1:], "1990"]
    wrong_check = MAJA[1][:-1] + str((int(MAJA[1][-1]) + 1) % 10)
    for number in [*partials, wrong_check]:
        assert (await by_number(client, number))["items"] == [], number
    misses = await AuditEntry.select().where(
        (AuditEntry.action == PERSONNUMMER_SEARCH) & AuditEntry.subject_id.is_null()
    )
    assert len(misses) == len(partials) + 1
    # Nor does a number find anyone through the name search, and it is not taken in a URL.
    for number in (*MAJA, MAJA[0][:8]):
        answer = await client.get("/api/v1/candidates", params={"q": number})
        assert answer.status_code == 400
        assert answer.json()["fields"] == ["q"]
        assert "personnummer" in answer.json()["detail"]


async def test_another_coordinators_participant_reads_as_no_match(client, people):
    await login(client, "sara")
    other = personnummer("770707777")
    nobody = personnummer("660606666")
    for form in range(4):
        assert await by_number(client, other[form]) == await by_number(client, nobody[form])
    hidden = await client.get("/api/v1/candidates", params={"q": "asa oberg"})
    missing = await client.get("/api/v1/candidates", params={"q": "asa obergsson"})
    assert hidden.status_code == missing.status_code == 200
    assert hidden.json() == missing.json() == {"total": 0, "limit": 50, "offset": 0, "items": []}
    # Olle finds his own.
    await login(client, "olle")
    assert await names(client, q="asa oberg") == ["Åsa Öberg"]
    assert [c["id"] for c in (await by_number(client, other[3]))["items"]] == [
        people["ids"]["other"]
    ]


async def test_an_admin_finds_every_participant(client, people, make_user):
    await make_user("admin", username="ada")
    await login(client, "ada")
    assert await names(client, q="oberg") == ["Åsa Öberg"]
    assert len((await by_number(client, MAJA[2]))["items"]) == 1


async def test_an_anonymised_participant_is_not_found_by_the_old_name_or_number(client, people):
    await anonymise_candidate(people["ids"]["maja"])
    await login(client, "sara")
    assert await names(client, q="akesson") == []
    assert await names(client, q="maja") == []
    for number in MAJA:
        assert (await by_number(client, number))["items"] == []


# --- sorting and paging --------------------------------------------------------------------


async def many(make_user, count: int = 25) -> tuple[Any, list[str]]:
    """`count` participants of Sara's, Deltagare01 … registered a day apart (01 first), the
    later ones changed earlier, every third paused; and one of Olle's."""
    sara = await make_user("coordinator", username="sara")
    olle = await make_user("coordinator", username="olle")
    last_names = [f"Deltagare{n:02d}" for n in range(1, count + 1)]
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    for n, last in enumerate(last_names):
        await add(
            sara,
            "Test",
            last,
            registered_at=dt.date(2026, 1, 1) + dt.timedelta(days=n),
            status="paused" if n % 3 == 0 else "active",
            updated_at=start - dt.timedelta(hours=n),
        )
    await add(olle, "Test", "Annans")
    return sara, last_names


async def listed(client, **params: Any) -> dict[str, Any]:
    answer = await client.get("/api/v1/candidates", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_api_sorts_and_pages_the_list(client, make_user):
    _, last_names = await many(make_user)
    await login(client, "sara")

    first = await listed(client, sort="name", limit=20)
    second = await listed(client, sort="name", limit=20, offset=20)
    assert first["total"] == second["total"] == 25
    assert [c["last_name"] for c in first["items"]] == last_names[:20]
    assert [c["last_name"] for c in second["items"]] == last_names[20:]

    backwards = await listed(client, sort="-name", limit=3)
    assert [c["last_name"] for c in backwards["items"]] == last_names[::-1][:3]
    newest = await listed(client, sort="-registered", limit=2)
    assert [c["last_name"] for c in newest["items"]] == ["Deltagare25", "Deltagare24"]
    oldest = await listed(client, sort="registered", limit=2)
    assert [c["last_name"] for c in oldest["items"]] == ["Deltagare01", "Deltagare02"]
    changed = await listed(client, sort="-updated", limit=2)
    assert [c["last_name"] for c in changed["items"]] == ["Deltagare01", "Deltagare02"]
    by_status = (await listed(client, sort="status", limit=100))["items"]
    assert [c["status"] for c in by_status] == ["active"] * 16 + ["paused"] * 9
    assert by_status[0]["last_name"] == "Deltagare02"

    paused = await listed(client, status="paused", sort="name", limit=5, offset=5)
    assert paused["total"] == 9
    assert [c["last_name"] for c in paused["items"]] == [last_names[n] for n in range(15, 25, 3)]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "personnummer"},
        {"sort": "namn; drop table"},
        {"limit": "0"},
        {"limit": "201"},
        {"offset": "-1"},
    ],
)
async def test_the_list_refuses_parameters_out_of_bounds(client, make_user, params):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await client.get("/api/v1/candidates", params=params)
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("Ogiltiga uppgifter.")
    assert next(iter(params)) in answer.json()["fields"]


# --- the workbench page ----------------------------------------------------------------------


async def browser_login(client, username: str) -> None:
    await login(client, username)
    client.headers.pop("x-csrftoken", None)


def row_names(html: str) -> list[str]:
    section = html.split('<section id="deltagare"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/arbetsbord/deltagare/\d+">Test (Deltagare\d\d)</a>', section)


def form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def test_the_workbench_list_sorts_pages_and_counts(client, make_user):
    _, last_names = await many(make_user)
    await browser_login(client, "sara")

    home = await client.get("/arbetsbord", params={"status": ""}, headers=HTML)
    assert home.status_code == 200
    assert row_names(home.text) == last_names[:20]
    assert "25 deltagare, sida 1 av 2." in home.text
    assert "Mina deltagare (25)" in home.text
    assert 'href="/arbetsbord?status=&amp;sortera=namn&amp;sida=2"' in home.text
    assert 'aria-current="page"><span class="visually-hidden">Sida </span>1</a>' in home.text
    assert 'rel="next"' in home.text and 'rel="prev"' not in home.text
    # Column headers sort: name is ascending now, so its header turns it round.
    assert '<th scope="col" aria-sort="ascending">' in home.text
    assert 'href="/arbetsbord?status=&amp;sortera=-namn">Namn' in home.text
    assert 'href="/arbetsbord?status=&amp;sortera=-inskriven">Inskriven' in home.text
    assert 'href="/arbetsbord?status=&amp;sortera=-andrad">Senast ändrad' in home.text

    second = await client.get("/arbetsbord", params={"status": "", "sida": "2"}, headers=HTML)
    assert row_names(second.text) == last_names[20:]
    assert 'rel="prev"' in second.text

    newest = await client.get(
        "/arbetsbord", params={"status": "", "sortera": "-inskriven"}, headers=HTML
    )
    assert row_names(newest.text)[:3] == ["Deltagare25", "Deltagare24", "Deltagare23"]
    assert '<th scope="col" aria-sort="descending">' in newest.text

    active = await client.get("/arbetsbord", headers=HTML)  # active by default
    assert "16 deltagare" in active.text
    assert "Deltagare01" not in row_names(active.text)

    # Past the last page: to the last page, the filter and the order kept (`kernel.paging`).
    beyond = await client.get(
        "/arbetsbord",
        params={"status": "", "sortera": "-inskriven", "sida": "9"},
        headers=HTML,
        follow_redirects=False,
    )
    assert beyond.status_code == 303
    location = urlsplit(beyond.headers["location"])
    assert location.path == "/arbetsbord"
    assert dict(parse_qsl(location.query, keep_blank_values=True)) == {
        "status": "",
        "sortera": "-inskriven",
        "sida": "2",
    }
    last = await client.get(beyond.headers["location"], headers=HTML)
    assert "25 deltagare, sida 2 av 2." in last.text
    assert row_names(last.text) == [f"Deltagare{n:02d}" for n in range(5, 0, -1)]

    for bad in ({"sida": "0"}, {"sida": "100000"}):
        refused = await client.get("/arbetsbord", params=bad, headers=HTML)
        assert refused.status_code == 400, bad
        assert "Ogiltiga uppgifter" in refused.text


def error_at(html: str, name: str) -> str:
    found = re.search(rf'<span class="error" id="f-{name}-error">([^<]*)</span>', html)
    assert found, f"a message at the {name} box"
    return found.group(1)


async def test_a_wrong_filter_in_the_address_is_said_at_its_box(client, make_user):
    """`/arbetsbord?status=xyz` said "Inga deltagare matchar filtret." as if nobody had that
    status; a wrong flag filter answered the bare error page. Each is said at its own box in
    Swedish (400), the other values kept."""
    await many(make_user, 3)
    await browser_login(client, "sara")
    answer = await client.get(
        "/arbetsbord", params={"status": "xyz", "q": "Test", "sortera": "-namn"}, headers=HTML
    )
    assert answer.status_code == 400
    assert error_at(answer.text, "status") == (
        "Status: välj \u201dAktiv\u201d, \u201dAvslutad\u201d, \u201dVilande\u201d eller "
        "\u201dAlla\u201d i listan."
    )
    assert "Inga deltagare matchar filtret." not in answer.text
    assert "Rätta rutan ovan för att se deltagarna." in answer.text
    assert 'value="Test"' in answer.text and '<option value="-namn" selected>' in answer.text
    flagged = await client.get(
        "/arbetsbord", params={"flaggade": "ja", "status": "paused"}, headers=HTML
    )
    assert flagged.status_code == 400
    assert error_at(flagged.text, "flaggade").startswith("Bara de med inlåsningsflagga: kryssa")
    assert '<option value="paused" selected>' in flagged.text
    assert "Ogiltiga uppgifter" not in flagged.text
    for fine in ({"status": ""}, {"status": "paused", "flaggade": "1"}, {"flaggade": "0"}):
        answer = await client.get("/arbetsbord", params=fine, headers=HTML)
        assert answer.status_code == 200 and 'class="error"' not in answer.text, fine


def note_at(html: str, name: str) -> str:
    found = re.search(rf'<span class="hint" id="f-{name}-hint">([^<]*)</span>', html)
    assert found, f"a note at the {name} box"
    return found.group(1)


async def test_an_order_the_box_does_not_offer_shows_the_list_by_name_with_a_note(
    client, make_user
):
    """`/arbetsbord?sortera=bogus` (an old bookmark, an edited address) answered an error page
    listing the address's codes ("namn", "-namn", "andrad" …). The coordinator's list comes
    instead, in the sort box's first order, with a note at the box in the box's words."""
    _, last_names = await many(make_user, 3)
    await browser_login(client, "sara")
    for bad in ("bogus", "personnummer", "namn " * 40):
        answer = await client.get(
            "/arbetsbord", params={"status": "", "sortera": bad}, headers=HTML
        )
        assert answer.status_code == 200, bad
        assert row_names(answer.text) == last_names
        assert note_at(answer.text, "sortera") == (
            "Sorteringen i sidans adress finns inte längre, så listan visas i ordningen "
            "\u201dNamn, A\u2013Ö\u201d. Välj en annan ordning i rutan."
        )
        assert '<option value="namn" selected>' in answer.text
        assert "andrad" not in answer.text.split('id="f-sortera-hint"')[1].split("</span>")[0]
    # Every order the headings link to is one of the box's, and is taken without a note.
    for order in ("status", "-status", "-andrad"):
        answer = await client.get(
            "/arbetsbord", params={"status": "", "sortera": order}, headers=HTML
        )
        assert answer.status_code == 200 and 'id="f-sortera-hint"' not in answer.text
        assert f'<option value="{order}" selected>' in answer.text


async def test_the_list_stacks_on_a_narrow_screen(client, make_user):
    """At 375 px the table's rows stack, each cell named by its column (CSS `table.stacked`;
    `compact` runs a row's facts on after the name, an empty one left out), and the sort order can also be chosen in the form, since the headers are then hidden."""
    await many(make_user, 2)
    await browser_login(client, "sara")
    home = (await client.get("/arbetsbord", headers=HTML)).text
    assert '<table class="stacked compact">' in home
    for label in ("Namn", "Personnummer", "Status", "Inskriven", "Senast ändrad"):
        assert f'<td data-label="{label}"' in home
    assert '<select id="f-sortera" name="sortera"' in home
    css = (await client.get("/static/pages.css")).text
    assert "@media (max-width: 40rem)" in css and "table.stacked td[data-label]::before" in css


async def test_the_workbench_search_box_finds_by_name_and_by_number(client, people):
    await browser_login(client, "sara")
    home = await client.get("/arbetsbord", headers=HTML)
    token = form_token(home.text)
    assert '<form method="post" action="/arbetsbord/deltagare/sok"' in home.text

    async def search(q: str, **extra: str) -> Any:
        data = {"_csrf_token": token, "q": q, "status": "active", "sortera": "namn", **extra}
        return await client.post(
            "/arbetsbord/deltagare/sok", data=data, headers=HTML, follow_redirects=False
        )

    # A name goes on to the list, filtered by the URL.
    answer = await search("maja akesson")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/arbetsbord?status=active&q=maja+akesson&sortera=namn"
    listed = await client.get(answer.headers["location"], headers=HTML)
    assert "Maja Åkesson" in listed.text and "Erik Östlund" not in listed.text

    # A whole number, in any form, opens the participant; the number is in no URL.
    for number in MAJA:
        answer = await search(number)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/arbetsbord/deltagare/{people['ids']['maja']}"

    # A partial number, or someone else's, finds nothing, the same way.
    answers = [await search(n) for n in (MAJA[0][:8], personnummer("770707777")[0])]
    for answer in answers:
        assert answer.status_code == 200
        assert "Ingen av de deltagare du har tillgång till har det personnumret" in answer.text
        assert "Åsa" not in answer.text and "Maja Åkesson" not in answer.text
        # The number is not shown again, and the message says so (a tester saw the box
        # emptied and was asked to check a number they could no longer see).
        assert "Numret visas inte igen" in answer.text

    # Typed into the URL, a number is refused rather than searched.
    refused = await client.get("/arbetsbord", params={"q": MAJA[0]}, headers=HTML)
    assert refused.status_code == 400
    assert "söks inte från sidans adress" in refused.text
    assert "Maja Åkesson" not in refused.text
    # Nothing was listed, so the page does not claim Sara has no participants; nor is a
    # number's hit count hers.
    assert "Mina deltagare (0)" not in refused.text
    assert '<a href="#deltagare">Mina deltagare</a>' in refused.text
    for answer in answers:
        assert '<a href="#deltagare">Mina deltagare</a>' in answer.text
    assert "Mina deltagare (" in home.text


async def test_the_search_box_keeps_the_status_all_and_the_flagged_filter(client, people):

    await make_lock_in_flag(people["ids"]["sven"], "long_placement", "Länge")
    await Candidate.update({Candidate.status: "paused"}).where(
        Candidate.id == people["ids"]["sven"]
    )
    await browser_login(client, "sara")
    token = form_token((await client.get("/arbetsbord", headers=HTML)).text)
    answer = await client.post(
        "/arbetsbord/deltagare/sok",
        data={"_csrf_token": token, "q": "", "status": "", "flaggade": "1", "sortera": "-namn"},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/arbetsbord?status=&flaggade=1&sortera=-namn"
    flagged_only = await client.get(answer.headers["location"], headers=HTML)
    assert flagged_only.status_code == 200
    section = flagged_only.text.split('<section id="deltagare"', 1)[1].split("</section>")[0]
    assert "Sven Björk" in section and "1 deltagare." in section
    assert "Maja Åkesson" not in section
    # "Alla" stays all: with the default (active) the paused participant is not listed.
    active = await client.get("/arbetsbord?flaggade=1", headers=HTML)
    assert "Inga deltagare matchar filtret." in active.text


def test_page_links_show_the_ends_and_the_neighbours():
    from placements.views.workbench import page_links

    assert page_links(1, 1) == [1]
    assert page_links(1, 3) == [1, 2, 3]
    assert page_links(6, 12) == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert page_links(12, 12) == [1, None, 10, 11, 12]


# --- a personnummer typed with another dash (attack): never in a URL, looked up exactly ---------
# A number pasted from a document often has an en dash (Word turns " - " into one), a
# non-breaking hyphen or a minus sign; before, such a number went on to the name search, so it
# stood in the list's address (and the access log) and its lookup was not audited.
DASHES = ("\u2013", "\u2011", "\u2212", "\u2010", "\u2014")


def _with(dash: str, number: str) -> str:
    return number.replace("-", dash)


def test_a_number_with_any_dash_reads_as_a_personnummer():
    for dash in DASHES:
        for number in (_with(dash, MAJA[0]), _with(dash, MAJA[2]), _with(f" {dash} ", MAJA[0])):
            assert looks_like_identity_number(number), (dash, number)


async def test_a_number_with_another_dash_is_looked_up_exactly_never_put_in_a_url(client, people):
    await browser_login(client, "sara")
    token = form_token((await client.get("/arbetsbord", headers=HTML)).text)
    maja = people["ids"]["maja"]
    for dash in DASHES:
        for number in (_with(dash, MAJA[0]), _with(dash, MAJA[2])):
            before = await AuditEntry.count().where(
                (AuditEntry.action == PERSONNUMMER_SEARCH) & (AuditEntry.subject_id == maja)
            )
            answer = await client.post(
                "/arbetsbord/deltagare/sok",
                data={"_csrf_token": token, "q": number, "status": "active", "sortera": "namn"},
                headers=HTML,
                follow_redirects=False,
            )
            assert answer.status_code == 303, (dash, answer.text[:200])
            assert answer.headers["location"] == f"/arbetsbord/deltagare/{maja}", dash
            after = await AuditEntry.count().where(
                (AuditEntry.action == PERSONNUMMER_SEARCH) & (AuditEntry.subject_id == maja)
            )
            assert after == before + 1
            # Typed into an address, it is refused, not searched as a name.
            refused = await client.get("/arbetsbord", params={"q": number}, headers=HTML)
            assert refused.status_code == 400


async def test_the_api_refuses_such_a_number_in_the_name_search_and_finds_it_by_post(
    client, people
):
    await login(client, "sara")
    number = _with("\u2013", MAJA[0])
    answer = await client.get("/api/v1/candidates", params={"q": number})
    assert answer.status_code == 400
    assert answer.json()["fields"] == ["q"]
    found = await client.post("/api/v1/candidates/search", json={"personnummer": number})
    assert [c["id"] for c in found.json()["items"]] == [people["ids"]["maja"]]


# --- a personnummer typed into the list's address: refused, nothing looked up or audited -------
def _field_error(page: str) -> str:
    match = re.search(r'<span class="error" id="f-q-error">([^<]*)</span>', page)
    assert match, page[:500]
    return match.group(1)


async def test_a_personnummer_in_the_list_s_address_is_not_searched_and_the_box_is_named(
    client, people
):
    """The list (`GET /arbetsbord?q=…`) takes names only: a personnummer or samordningsnummer
    in any written form (12 or 10 digits, with "-", "+" or none) answers 400 with the form and
    a Swedish message beside the box that says to search there (the box posts, so the number
    leaves no trace in an address). No one is looked up, nothing is audited, no participant is
    listed and the number is not written back into the page."""
    await browser_login(client, "sara")
    samordningsnummer = personnummer("900161123")  # the day plus 60
    hundred = MAJA[2].replace("-", "+")  # a person over 100 writes "+"
    numbers = (*MAJA, *samordningsnummer, hundred, f"{MAJA[0][:8]} {MAJA[0][9:]}")
    for number in numbers:
        audits = await AuditEntry.count()
        answer = await client.get("/arbetsbord", params={"q": number}, headers=HTML)
        assert answer.status_code == 400, number
        message = _field_error(answer.text)
        assert "sökrutan" in message and "Sök" in message, message
        assert "/api" not in message and "POST" not in message, message
        assert await AuditEntry.count() == audits, number
        section = answer.text.split('<section id="deltagare"', 1)[1].split("</section>")[0]
        assert "Åkesson" not in section and "<table" not in section, number
        assert number not in answer.text and MAJA[3] not in answer.text, number
        assert '<form method="post" action="/arbetsbord/deltagare/sok"' in section


def test_folding_reads_keyboard_transliterations_as_the_swedish_letters():
    """ "nystroem" found nothing: on a keyboard without Swedish letters ö is typed "oe", ä
    "ae" and å "aa". A name that really holds such a pair folds alike on both sides."""
    assert fold_name("nystroem") == fold_name("Nyström") == "nystrom"
    assert fold_name("Haegg") == fold_name("Hägg")
    assert fold_name("Aasa Oeberg") == fold_name("Åsa Öberg")
    for real in ("Joel", "Israel", "Michael", "Haag", "Rafael", "Zoe"):
        assert fold_name(real) == fold_name(real.lower()) == fold_name(real.upper())


async def test_transliterated_names_find_and_real_pairs_still_match(client, make_user):
    sara = await make_user("coordinator", username="sara")
    for first, last in (
        ("Hanna", "Nyström"),
        ("Joel", "Haag"),
        ("Michael", "Israel"),
        ("Ebba", "Hägg"),
    ):
        await add(sara, first, last)
    await login(client, "sara")
    assert await names(client, q="nystroem") == ["Hanna Nyström"]
    assert await names(client, q="haegg") == ["Ebba Hägg"]
    assert await names(client, q="joel haag") == ["Joel Haag"]
    assert await names(client, q="Michael Israel") == ["Michael Israel"]
    assert await names(client, q="israel") == ["Michael Israel"]


async def test_a_name_found_only_under_other_statuses_says_so_with_a_link(client, make_user):
    """ "astrom" under the default filter "Aktiv" said "Inga deltagare matchar filtret.",
    though Kevin Åström is "Vilande": the page says how many match under other statuses and
    links to them all. Another coordinator's participant is not counted."""
    sara = await make_user("coordinator", username="sara")
    olle = await make_user("coordinator", username="olle")
    await add(sara, "Kevin", "Åström", status="paused")
    await add(sara, "Maja", "Åström", status="exited")
    await add(sara, "Erik", "Berg")
    await add(olle, "Olle", "Åström", status="paused")
    await browser_login(client, "sara")
    page = await client.get("/arbetsbord", params={"q": "astrom"}, headers=HTML)
    assert page.status_code == 200
    section = page.text.split('<section id="deltagare"', 1)[1].split("</section>", 1)[0]
    assert "Inga deltagare matchar filtret." in section
    assert "2 deltagare med andra status matchar" in section
    link = re.search(r'<a href="([^"]+)">visa alla</a>', section)
    assert link, section
    everyone = await client.get(link.group(1).replace("&amp;", "&"), headers=HTML)
    listed = everyone.text.split('<section id="deltagare"', 1)[1].split("</section>", 1)[0]
    assert "Kevin Åström" in listed and "Maja Åström" in listed
    assert "Olle Åström" not in listed and "Erik Berg" not in listed
    # One under another status is said in the singular; a name nobody has says nothing more.
    one = await client.get("/arbetsbord", params={"q": "kevin", "status": "exited"}, headers=HTML)
    assert "1 deltagare med annan status matchar" in one.text
    nobody = await client.get("/arbetsbord", params={"q": "nilsson"}, headers=HTML)
    assert "Inga deltagare matchar filtret." in nobody.text
    assert "visa alla" not in nobody.text


KNOWN = [
    w
    for first, last in (
        ("Ali", "Haddad"),
        ("Mohammed", "Yilmaz"),
        ("Lena", "Johansson"),
        ("Anna", "Andersson"),
        ("Kevin", "Åström-Berg"),
    )
    for w in name_words(first, last)
]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("hadad", "haddad"),  # a letter left out
        ("ali hadad", "ali haddad"),  # the other word kept as typed
        ("mohamed", "mohammed"),
        ("johanson", "johansson"),
        ("anderso", "andersson"),  # cut short, and a letter off
        ("astrm", "astrom"),  # folded: Åström
    ],
)
def test_a_slip_in_a_name_is_corrected_to_a_names_word(typed: str, meant: str) -> None:
    assert corrected_words(typed.split(), KNOWN) == meant.split()


@pytest.mark.parametrize("typed", ["haddad", "ali", "xyz", "hadad qqqqq", "bro", "yilmza"])
def test_no_correction_where_nothing_is_wrong_or_nothing_is_near(typed: str) -> None:
    # Found as typed; three letters left alone; one word without a neighbour spoils all;
    # two letters swapped are two edits, too many in a word shorter than eight.
    assert corrected_words(typed.split(), KNOWN) is None


async def test_a_name_typed_with_a_slip_offers_the_name_meant(client, make_user):
    """ "hadad" found nobody and said only "Inga deltagare matchar filtret.": the page offers
    the name as written ("Menade du Haddad?") with a link that finds him; another
    coordinator's participant is never offered, and the one offered is audited as read."""
    sara = await make_user("coordinator", username="sara")
    olle = await make_user("coordinator", username="olle")
    ali = await add(sara, "Ali", "Haddad", status="paused")
    await add(sara, "Erik", "Berg")
    await add(olle, "Olle", "Johansson")
    await browser_login(client, "sara")
    page = await client.get("/arbetsbord", params={"q": "hadad"}, headers=HTML)
    assert page.status_code == 200
    section = page.text.split('<section id="deltagare"', 1)[1].split("</section>", 1)[0]
    assert "Inga deltagare matchar filtret." in section
    link = re.search(r'Menade du <a href="([^"]+)">Haddad</a>\?', section)
    assert link, section
    found = await client.get(link.group(1).replace("&amp;", "&"), headers=HTML)
    listed = found.text.split('<section id="deltagare"', 1)[1].split("</section>", 1)[0]
    assert "Ali Haddad" in listed  # under every status: he is "Vilande"
    audited = await AuditEntry.select(AuditEntry.subject_id).where(
        AuditEntry.action == NAME_SUGGESTION
    )
    assert [r["subject_id"] for r in audited] == [ali]
    # Olle's Johansson is no suggestion for Sara's "johanson".
    other = await client.get("/arbetsbord", params={"q": "johanson"}, headers=HTML)
    assert "Menade du" not in other.text
    nobody = await client.get("/arbetsbord", params={"q": "qwerty"}, headers=HTML)
    assert "Menade du" not in nobody.text
