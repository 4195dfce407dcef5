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
