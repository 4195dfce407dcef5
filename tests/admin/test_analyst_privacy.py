"""An analyst's session never receives a name, a personnummer or a free-text note.

Every GET route of the app is called as an analyst (API as JSON, pages as HTML), with the
ids of the data set's objects in the path, plus every report export; no answer may hold
anything that identifies a participant.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.admin import reportdata
from tests.admin.reportdata import A_EMAIL, A_FIRST, A_LAST, A_PHONE, A_PNR, SECRET_TEXTS
from tests.conftest import login

REPORTS = (
    "to-work-or-studies",
    "exits",
    "real-workplaces",
    "lead-times",
    "lock-in",
    "follow-ups",
    "assessments",
    "unit-coverage",
    "host-ledger",
)
NEEDLES = (
    A_FIRST,
    A_LAST,
    A_PNR,
    A_PNR.replace("-", ""),
    A_EMAIL,
    A_PHONE,
    "Storgatan 12",
    "Birgitta",
    "Lindqvistberg",
    "Cecilia",
    "Nordanstig",
    "Dawit",
    "Haileselassie",
    # Coordinators are people too: an analyst sees them by number only.
    "Oskarsson",
    *SECRET_TEXTS,
)


def leaks(text: str) -> list[str]:
    folded = text.casefold()
    return [n for n in NEEDLES if n.casefold() in folded]


def get_paths(app) -> list[str]:
    paths = []
    for route in app.routes:
        if route.path.startswith("/static"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if "GET" in getattr(handler, "http_methods", ()):
                paths.append(route.path)
    return sorted(set(paths))


@pytest.fixture
async def data(make_user):
    return await reportdata.build(make_user)


async def test_analyst_receives_nothing_personal_on_any_route(app, client, make_user, data):
    await make_user("analyst", username="anna", first_name="Anna", last_name="Analytiker")
    await login(client, "anna")
    called = 0
    ids = sorted({*data.candidates.values(), *data.bookings.values(), *data.hosts.values()})
    for path in get_paths(app):
        variants = [path]
        if re.search(r"\{[^}]+:int\}", path):
            variants = [re.sub(r"\{[^}]+:int\}", str(i), path) for i in ids]
        for url in variants:
            url = re.sub(r"\{[^}]+\}", "x", url)
            for accept in ("application/json", "text/html"):
                response = await client.get(url, headers={"accept": accept})
                called += 1
                assert response.status_code < 500, f"{url}: {response.status_code}"
                assert leaks(response.text) == [], f"{url} ({accept}) leaks {leaks(response.text)}"
    assert called > 20
    # The report pages, API and CSV exports with every filter an analyst can set.
    coordinator = data.coordinators["c1"]
    for query in ("", f"?coordinator_id={coordinator}", "?track=kompetens", "?host_kind=company"):
        sep = "&" if query else "?"
        page = await client.get(f"/rapporter{query}", headers={"accept": "text/html"})
        assert page.status_code == 200 and leaks(page.text) == []
        for name in REPORTS:
            api = await client.get(f"/api/v1/reports/{name}{query}")
            assert api.status_code == 200 and leaks(api.text) == []
            export = await client.get(f"/api/v1/reports/{name}/export{query}{sep}format=csv")
            assert export.status_code == 200 and leaks(export.content.decode("utf-8-sig")) == []
            if query.startswith("?coordinator_id"):
                # The workbook's filter lines name the coordinator as the list did, never by
                # the account's id.
                book = await client.get(f"/api/v1/reports/{name}/export{query}&format=xlsx")
                with zipfile.ZipFile(io.BytesIO(book.content)) as sheets:
                    strings = sheets.read("xl/sharedStrings.xml").decode()
                assert "Samordnare 1" in strings and f"#{coordinator}" not in strings
    catalogue = await client.get("/api/v1/reports/")
    # Analysts see a running number, never a name or the account's id.
    assert [(c["label"], c["value"]) for c in catalogue.json()["coordinators"]] == [
        ("Samordnare 1", "1"),
        ("Samordnare 2", "2"),
    ]
