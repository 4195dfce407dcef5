"""The back office's start page (`/drift`): the menu's "Drift" opens it, and it leads to
every section of the back office, each with what is done there."""

from __future__ import annotations

import re

from tests.conftest import login

HTML = {"accept": "text/html"}


def _links(html: str, start: str, end: str) -> list[str]:
    part = html[html.index(start) :]
    return re.findall(r'href="(/[^"?]*)"', part[: part.index(end)])


async def test_drift_is_the_admins_start_page_leading_to_every_section(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    assert (await client.get("/drift", headers=HTML)).status_code == 403
    await make_user("admin", username="ada")
    await login(client, "ada")
    home = await client.get("/drift", headers=HTML)
    assert home.status_code == 200
    assert "<h1>Drift</h1>" in home.text
    assert '<a href="/drift">Drift</a>' in home.text  # the main menu's way in
    sections = _links(home.text, 'aria-label="Drift"', "</nav>")
    listed = _links(home.text, "<h1>Drift</h1>", "</main>")
    assert sections and listed == sections  # every section of the menu, in its order
    assert "Vem som har läst eller ändrat vad" in home.text
    for address in sections:
        assert (await client.get(address, headers=HTML)).status_code == 200, address
