"""Paging past a list's end (`marketplace.kernel.paging`): a tester's day paged to
`?sida=999` on the outbox, the user list and others, and to an offset past the last row on
the audit log and the jobs page, and saw an empty list with nothing saying why. Every list
now answers such an address with a redirect (303) to its last page, the other filters kept;
a page number that is no number, below 1 or huge is a Swedish 400, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from marketplace.kernel.paging import PastLastPage, check_offset, check_page
from marketplace.scheduler import run_job
from tests.builders import make_outbox_message
from tests.conftest import login

HTML = {"accept": "text/html"}


def test_the_rule_names_the_last_page() -> None:
    assert check_page(3, 120, 50) == 3
    assert check_page(1, 0, 50) == 1  # an empty list is one page
    with pytest.raises(PastLastPage) as past:
        check_page(999, 120, 50)
    assert (past.value.param, past.value.value) == ("sida", 3)
    check_offset(0, 0, 100)
    check_offset(100, 101, 100)
    with pytest.raises(PastLastPage) as beyond:
        check_offset(500, 120, 50)
    assert (beyond.value.param, beyond.value.value) == ("offset", 100)


def _query(location: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(location)
    return parts.path, dict(parse_qsl(parts.query))


async def test_every_list_past_its_end_goes_to_its_last_page(client: Any, make_user: Any) -> None:
    await make_user("admin", username="ada")
    base = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    for n in range(55):
        await make_outbox_message(
            f"p{n}@example.se", f"Brev {n:02d}", created_at=base + dt.timedelta(minutes=n)
        )
    await run_job("expire-slots", worker="vm:1")
    await login(client, "ada")
    for address, param, last, kept in (
        ("/drift/utkorg?status=pending&sida=999", "sida", "2", {"status": "pending"}),
        ("/drift/anvandare?roll=admin&sida=999", "sida", "1", {"roll": "admin"}),
        ("/loggkontroll?offset=100000", "offset", "0", {}),
        ("/drift/jobb?offset=5000", "offset", "0", {}),
        ("/drift/vardar?sida=40", "sida", "1", {}),
        ("/arbetsbord/ansokningar?sida=40", "sida", "1", {}),
    ):
        past = await client.get(address, headers=HTML, follow_redirects=False)
        assert past.status_code == 303, address
        path, query = _query(past.headers["location"])
        assert path == urlsplit(address).path
        assert query == {**kept, param: last}, address
        landed = await client.get(past.headers["location"], headers=HTML)
        assert landed.status_code == 200, address
    last = await client.get("/drift/utkorg?sida=999", headers=HTML)
    assert "Brev 00" in last.text and "Sida 2 av 2" in last.text
    # Nonsense is the page's Swedish 400, never a 500 nor a redirect.
    for nonsense in ("abc", "-1", "0", "99999999999999999999999"):
        for address in ("/drift/utkorg", "/drift/anvandare", "/arbetsbord/intag", "/konto"):
            answer = await client.get(f"{address}?sida={nonsense}", headers=HTML)
            assert answer.status_code == 400, (address, nonsense)
            assert "Sidan" in answer.text, (address, nonsense)
    for nonsense in ("abc", "-1", "99999999999999999999999"):
        answer = await client.get(f"/loggkontroll?offset={nonsense}", headers=HTML)
        assert answer.status_code == 400, nonsense


async def test_the_workbench_and_the_missed_searches_go_to_their_last_page(
    client: Any, make_user: Any
) -> None:
    """Seen by a tester after the rule above: the workbench's participant list and the
    admin's missed searches ("sökningar som inte hittade något") still showed an empty page
    past their end. They redirect to their last page like every list, their filters and
    order kept; a refused teach form on the missed searches shows its page, no redirect."""
    from search.tables import SearchLog
    from tests.builders import make_candidate_row
    from tests.search.test_search_log import browser_login, post_form, table_words

    sara = await make_user("coordinator", username="sara")
    await make_user("admin", username="ada")
    for n in range(23):  # 20 to a page: two pages
        await make_candidate_row(sara.id, f"Sida{n:02d}", last_name="Bläddrasson")
    await make_candidate_row(sara.id, "Annan", last_name="Person")
    now = dt.datetime.now(dt.UTC)
    for n in range(30):  # 25 to a page: two pages
        await SearchLog.insert(
            SearchLog(reference=f"ref{n:013d}", words=f"ord{n:02d}", hits=0, created_at=now)
        )

    await browser_login(client, "sara")
    past = await client.get(
        "/arbetsbord",
        params={"q": "bläddrasson", "status": "active", "sortera": "-namn", "sida": "999"},
        headers=HTML,
        follow_redirects=False,
    )
    assert past.status_code == 303
    path, query = _query(past.headers["location"])
    assert (path, query) == (
        "/arbetsbord",
        {"q": "bläddrasson", "status": "active", "sortera": "-namn", "sida": "2"},
    )
    landed = await client.get(past.headers["location"], headers=HTML)
    assert landed.status_code == 200
    assert "23 deltagare, sida 2 av 2." in landed.text
    assert "Sida02 Bläddrasson" in landed.text and "Sida00 Bläddrasson" in landed.text
    assert "Sida03 Bläddrasson" not in landed.text  # on the first page, in reverse order
    # The last page itself and an empty list's only page stay as they are.
    for address in ("/arbetsbord?q=bl%C3%A4ddrasson&sida=2", "/arbetsbord?q=ingen&sida=1"):
        stays = await client.get(address, headers=HTML, follow_redirects=False)
        assert stays.status_code == 200, address
    nobody = await client.get("/arbetsbord?q=ingen&sida=3", headers=HTML, follow_redirects=False)
    assert nobody.status_code == 303
    assert _query(nobody.headers["location"]) == ("/arbetsbord", {"q": "ingen", "sida": "1"})

    client.cookies.clear()
    await browser_login(client, "ada")
    past = await client.get(
        "/drift/sokningar",
        params={"visa": "tomma", "ordning": "ord", "sida": "999"},
        headers=HTML,
        follow_redirects=False,
    )
    assert past.status_code == 303
    assert _query(past.headers["location"]) == (
        "/drift/sokningar",
        {"visa": "tomma", "ordning": "ord", "sida": "2"},
    )
    landed = await client.get(past.headers["location"], headers=HTML)
    assert landed.status_code == 200
    assert "30 sökord, sida 2 av 2." in landed.text
    assert table_words(landed.text) == [f"ord{n:02d}" for n in range(25, 30)]
    # A refused teach form posted from a page past the end: that page again, with the error.
    refused = await post_form(
        client,
        "/drift/sokningar/lar",
        {"word": "ord00", "targets": "", "words": "ord00", "visa": "tomma", "sida": "999"},
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert "location" not in refused.headers
