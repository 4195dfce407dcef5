"""Issue 13, item 20: anonymous host applications had no rate limit (300 accepted in one
second) and the staff's list of them had no paging."""

from __future__ import annotations

import datetime as dt
import re

from employers.services.applications import APPLICATIONS_PER_ADDRESS_PER_HOUR
from employers.tables import HostApplication
from marketplace.kernel.settings import get_settings
from tests.conftest import login
from tests.employers.test_applications import valid_form
from tests.inloop import InLoopClient

NOTE = "Sorteringen i sidans adress finns inte längre, så listan visas i ordningen "
HTML = {"accept": "text/html"}


def form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def test_api_applications_are_limited_per_address(client):
    for i in range(APPLICATIONS_PER_ADDRESS_PER_HOUR):
        sent = await client.post(
            "/api/v1/host-applications", json={**valid_form(), "org_name": f"Förening {i}"}
        )
        assert sent.status_code == 201, sent.text
    refused = await client.post("/api/v1/host-applications", json=valid_form())
    assert refused.status_code == 429
    assert "försök igen" in refused.json()["detail"]
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert await HostApplication.count() == APPLICATIONS_PER_ADDRESS_PER_HOUR


async def test_html_form_shares_the_limit_and_says_so_in_swedish(client):
    for _ in range(APPLICATIONS_PER_ADDRESS_PER_HOUR):
        await client.post("/api/v1/host-applications", json=valid_form())
    form = await client.get("/erbjud", headers=HTML)
    refused = await client.post(
        "/erbjud", data={**valid_form(), "_csrf_token": form_token(form.text)}, headers=HTML
    )
    assert refused.status_code == 429
    assert "Vänta" in refused.text
    assert "retry-after" in refused.headers
    assert 'value="Vårgårda Ridklubb"' in refused.text  # the input is kept
    assert await HostApplication.count() == APPLICATIONS_PER_ADDRESS_PER_HOUR


async def _many_applications(n: int) -> None:
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    await HostApplication.insert(
        *[
            HostApplication(
                org_name=f"Förening {i:02d}",
                kind="association",
                contact_name="Stina",
                contact_email=f"stina{i}@example.org",
                created_at=base + dt.timedelta(minutes=i),
            )
            for i in range(n)
        ]
    )


async def test_api_list_is_paged_and_sorted(client, make_user):
    await _many_applications(45)
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    first = await client.get("/api/v1/host-applications", params={"limit": 20})
    assert first.status_code == 200
    assert first.headers["x-total-count"] == "45"
    assert [a["org_name"] for a in first.json()][:2] == ["Förening 00", "Förening 01"]
    assert len(first.json()) == 20
    last = await client.get("/api/v1/host-applications", params={"limit": 20, "offset": 40})
    assert [a["org_name"] for a in last.json()] == [f"Förening {i}" for i in range(40, 45)]
    newest = await client.get("/api/v1/host-applications", params={"limit": 1, "sort": "newest"})
    assert [a["org_name"] for a in newest.json()] == ["Förening 44"]
    default = await client.get("/api/v1/host-applications")
    assert len(default.json()) == 45  # the default page (50) holds them all
    for bad in ({"limit": 0}, {"limit": 201}, {"limit": -1}, {"offset": -1}, {"sort": "x"}):
        answer = await client.get("/api/v1/host-applications", params=bad)
        assert answer.status_code == 400, bad
        assert answer.json()["detail"].startswith("Ogiltiga uppgifter")


async def test_page_shows_twenty_at_a_time_with_links(client, make_user):
    await _many_applications(45)
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    client.headers.pop("x-csrftoken", None)
    first = await client.get("/arbetsbord/ansokningar", headers=HTML)
    assert first.status_code == 200
    assert first.text.count("Godkänn och bjud in") == 20
    assert "Sida 1 av 3" in first.text
    assert 'href="/arbetsbord/ansokningar?sida=2&amp;ordning=aldst"' in first.text
    assert "Förening 00" in first.text and "Förening 20" not in first.text
    third = await client.get("/arbetsbord/ansokningar?sida=3", headers=HTML)
    assert third.text.count("Godkänn och bjud in") == 5
    assert "Förening 44" in third.text
    assert "sida=2" in third.text and "sida=4" not in third.text
    newest = await client.get("/arbetsbord/ansokningar?ordning=nyast", headers=HTML)
    assert newest.text.index("Förening 44") < newest.text.index("Förening 43")
    assert "Sorteringen i sidans adress" not in newest.text
    # An order the page does not offer (an old or edited link): the oldest first, said so.
    odd = await client.get("/arbetsbord/ansokningar?ordning=bogus", headers=HTML)
    assert odd.status_code == 200
    assert odd.text.index("Förening 00") < odd.text.index("Förening 01")
    assert f"{NOTE}\u201däldst först\u201d." in odd.text
    # A page past the end shows the last one; nonsense is a Swedish 400, never a 500.
    beyond = await client.get("/arbetsbord/ansokningar?sida=99", headers=HTML)
    assert "Sida 3 av 3" in beyond.text
    bad = await client.get("/arbetsbord/ansokningar?sida=0", headers=HTML)
    assert bad.status_code == 400


async def test_the_refusal_names_the_unit_of_the_settings(monkeypatch, next_app):
    monkeypatch.setenv("UNIT_NAME", "Arbetsmarknadsenheten {Herrljunga}")
    get_settings.cache_clear()
    try:
        async with InLoopClient(app=next_app(), base_url="http://testserver.local") as client:
            for _ in range(APPLICATIONS_PER_ADDRESS_PER_HOUR):
                await client.post("/api/v1/host-applications", json=valid_form())
            refused = await client.post("/api/v1/host-applications", json=valid_form())
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert refused.status_code == 429
    assert refused.json()["detail"].endswith(
        "försök igen, eller ring Arbetsmarknadsenheten {Herrljunga}."
    )
    assert "kommunens arbetsmarknadsenhet" not in refused.text
