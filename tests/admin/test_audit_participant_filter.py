"""The log review page (/loggkontroll) finds the participant whose accesses are reviewed by
name, as a coordinator finds them (å, ä and ö optional, first and last name in either order):
one of that name filters the log at once, several are offered to choose among, none says so
in Swedish and lists nothing. The id of a link in mail still works, and the pages page."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from marketplace.kernel.audit import record, record_many
from marketplace.kernel.tables import AuditEntry
from tests.admin.test_audit import actor
from tests.builders import make_candidate_row
from tests.conftest import login
from tests.placements.test_people_search import personnummer

HTML = {"accept": "text/html"}
ASA = personnummer("850312123")[0]
ANNA = personnummer("900101234")[0]


def _visible(page: str) -> str:
    """The text a person reads of the page's main part (no tags, attributes or scripts), with
    its white space as one space."""
    main = page.split('id="main"', 1)[1].split(">", 1)[1]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", main)).split())


def _rows(page: str) -> list[str]:
    """The log rows shown: each row's "Gäller" cell."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [cells[3] for cells in re.findall(r"<tr>" + r"<td>([^<]*)</td>" * 5, body)]


async def _add(coordinator: Any, first: str, last: str, pnr: str = "") -> int:
    return await make_candidate_row(
        coordinator.id, first, last_name=last, email="", personnummer=pnr
    )


@pytest.fixture
async def world(client, make_user) -> dict[str, Any]:
    sara = await make_user("coordinator", username="sara")
    ids = {
        "asa": await _add(sara, "Åsa", "Åkesson", ASA),
        "anna_berg": await _add(sara, "Anna", "Berg", ANNA),
        "anna_ek": await _add(sara, "Anna", "Ek"),
        "olle": await _add(sara, "Olle", "Östlund"),
    }
    for person in ids.values():
        await record(actor(sara), "candidate.read", person)
    await make_user("admin", username="alva")
    await login(client, "alva")
    return {"sara": sara, "ids": ids}


async def test_a_name_without_a_a_o_in_either_order_filters_by_that_participant(client, world):
    asa = world["ids"]["asa"]
    for typed in ("akesson", "Akesson asa", "  åsa  ÅKESSON "):
        page = await client.get("/loggkontroll", params={"deltagare": typed}, headers=HTML)
        assert page.status_code == 200, page.text[:1000]
        assert _rows(page.text) == [f"deltagare {asa}"]
        shown = _visible(page.text)
        assert "Vald deltagare: Åsa Åkesson, 19850312-****." in shown
        assert f'value="{html.escape(typed.strip(), quote=True)}"' in page.text
        # The CSV and the pager go by the participant found, not by the name typed.
        assert "/api/v1/audit/export?start=" in page.text
        assert f"subject_id={asa}" in page.text and "deltagare=" not in page.text
    # The review names whom it was about; it never stores the name typed.
    reviews = await AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == "audit.review")
    assert reviews and all(f"candidate {asa}" in r["detail"] for r in reviews)
    assert not any("kesson" in r["detail"].lower() for r in reviews)


async def test_several_of_a_name_are_offered_to_choose_among_and_listed_nothing_else(client, world):
    ids = world["ids"]
    page = await client.get("/loggkontroll", params={"deltagare": "anna"}, headers=HTML)
    assert page.status_code == 200
    shown = _visible(page.text)
    assert "2 deltagare har ett namn med ”anna”. Välj vems åtkomster du vill se." in shown
    assert "Anna Berg, 19900101-****" in shown and "Anna Ek" in shown
    assert "Åsa" not in shown and "Olle" not in shown
    # No rows yet: the rows of both would read as one person's.
    assert _rows(page.text) == [] and "Loggrader" not in page.text
    assert "/api/v1/audit/export" not in page.text
    # The list is a read of the two, as every list of participants is.
    listed = await AuditEntry.select(AuditEntry.subject_id).where(
        AuditEntry.action == "candidate.list"
    )
    assert sorted(r["subject_id"] for r in listed) == sorted([ids["anna_berg"], ids["anna_ek"]])

    links = re.findall(r'<a href="(/loggkontroll\?[^"]+)">Anna Berg</a>', page.text)
    assert len(links) == 1
    chosen = await client.get(html.unescape(links[0]), headers=HTML)
    assert chosen.status_code == 200
    # Her read, and the list the admin just chose from, which showed her name.
    assert _rows(chosen.text) == [f"deltagare {ids['anna_berg']}"] * 2
    assert "Deltagare listade" in chosen.text and "Deltagaren läst" in chosen.text
    assert "Vald deltagare: Anna Berg, 19900101-****." in _visible(chosen.text)
    # The choice stays while the period changes: the form carries it.
    assert f'<input type="hidden" name="subject_id" value="{ids["anna_berg"]}">' in chosen.text


async def test_no_participant_of_the_name_says_so_and_lists_no_rows(client, world):
    page = await client.get("/loggkontroll", params={"deltagare": "akeson zz"}, headers=HTML)
    assert page.status_code == 400
    message = (
        "Ingen deltagare har ett namn med ”akeson zz”. Kontrollera stavningen, eller skriv "
        "bara en del av namnet."
    )
    errors = dict(re.findall(r'<span class="error" id="f-(\w+)-error">([^<]*)</span>', page.text))
    assert {k: html.unescape(v) for k, v in errors.items()} == {"deltagare": message}
    assert 'href="#f-deltagare"' in page.text  # the summary leads to the box
    assert _rows(page.text) == [] and "Inga rader visas medan filtret behöver rättas" in page.text
    # Not a review of everyone's rows: nothing was looked at.
    assert await AuditEntry.count().where(AuditEntry.action == "audit.review") == 0


async def test_a_personnummer_is_not_taken_for_a_name(client, world):
    page = await client.get("/loggkontroll", params={"deltagare": ASA}, headers=HTML)
    assert page.status_code == 400
    assert "Skriv deltagarens namn här, inte personnumret" in page.text
    assert _rows(page.text) == []
    assert await AuditEntry.count().where(AuditEntry.action == "candidate.list") == 0


async def test_many_of_a_name_ask_for_more_of_it(client, world):
    for n in range(25):
        await _add(world["sara"], "Kim", f"Lind{n:02d}")
    page = await client.get("/loggkontroll", params={"deltagare": "kim lind"}, headers=HTML)
    assert page.status_code == 200
    shown = _visible(page.text)
    assert "Fler än 20 deltagare har ett namn med ”kim lind”." in shown
    assert "eller skriv mer av namnet: här visas de 20 första." in shown
    assert len(re.findall(r">Kim Lind\d\d</a>", page.text)) == 20


async def test_the_id_of_a_link_in_mail_still_filters_and_names_the_participant(client, world):
    olle = world["ids"]["olle"]
    page = await client.get(f"/loggkontroll?subject_id={olle}", headers=HTML)
    assert page.status_code == 200
    assert _rows(page.text) == [f"deltagare {olle}"]
    assert "Vald deltagare: Olle Östlund. Visa alla deltagare" in _visible(page.text)
    everyone = re.search(r'<a href="(/loggkontroll\?[^"]+)">Visa alla deltagare</a>', page.text)
    assert everyone and "subject_id" not in everyone.group(1)
    every_row = _rows((await client.get(html.unescape(everyone.group(1)), headers=HTML)).text)
    assert {f"deltagare {n}" for n in world["ids"].values()} < set(every_row)
    # A name typed stands instead of the id the form carried.
    typed = await client.get(
        "/loggkontroll", params={"subject_id": olle, "deltagare": "berg"}, headers=HTML
    )
    assert _rows(typed.text) == [f"deltagare {world['ids']['anna_berg']}"]
    # An id that is no participant filters by it still, and says so.
    gone = await client.get("/loggkontroll?subject_id=999999", headers=HTML)
    assert gone.status_code == 200 and _rows(gone.text) == []
    assert "Vald deltagare: nummer 999999, som inte finns bland deltagarna." in _visible(gone.text)


async def test_a_participant_found_by_name_pages_newest_first(client, world):
    asa = world["ids"]["asa"]
    await record_many(actor(world["sara"]), "candidate.match", [asa] * 120)
    first = await client.get("/loggkontroll", params={"deltagare": "akesson"}, headers=HTML)
    assert "121 rader." in first.text
    assert len(_rows(first.text)) == 100
    following = re.search(
        r'<a href="(/loggkontroll\?[^"]+)" rel="next">Äldre rader</a>', first.text
    )
    assert following and f"subject_id={asa}" in following.group(1)
    second = await client.get(html.unescape(following.group(1)), headers=HTML)
    assert second.status_code == 200
    assert _rows(second.text) == [f"deltagare {asa}"] * 21
    # Newest first: the oldest row, the read, is last on the last page.
    assert second.text.rindex("Deltagaren läst") > second.text.rindex("Deltagaren matchad")
    assert "Vald deltagare: Åsa Åkesson" in _visible(second.text)


async def test_the_page_speaks_swedish_with_no_internal_names(client, world):
    for params in ({"deltagare": "anna"}, {"deltagare": "akesson"}, {"deltagare": "qqq"}):
        page = await client.get("/loggkontroll", params=params, headers=HTML)
        shown = _visible(page.text)
        for internal in ("subject_id", "candidate", "deltagare=", "actor_id", "None", "null"):
            assert internal not in shown, (params, internal)
        assert "Åtkomster till deltagare" in shown
        assert "Å, ä och ö går att skriva som a och o." in shown
