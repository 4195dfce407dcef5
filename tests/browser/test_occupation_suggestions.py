"""The slot form's "Föreslå yrke" in a real browser (issue 16, item 5): the host writes a title
and a description, asks for suggestions, picks one of the three with one click and saves. With
JavaScript the suggestions replace the occupation choices in place; the page must pass axe-core
before and after."""

from __future__ import annotations

import re

from tests.browser.conftest import Visit


def test_host_picks_a_suggested_occupation(visit: Visit) -> None:
    visit.login("vard")
    page = visit.goto("/vard")
    page.get_by_role("link", name=re.compile("^Ny plats hos")).first.click()
    page.get_by_label("Rubrik").fill("Lagerarbete")
    page.get_by_label("Beskrivning").fill("Du plockar och packar varor och kör truck på lagret.")
    url_before = page.url
    page.get_by_role("button", name="Föreslå yrke").click()
    choices = page.locator("#occupation-choices")
    choices.get_by_text("Förslag utifrån rubriken och beskrivningen").wait_for()
    assert page.url == url_before  # in place, nothing sent as a save
    suggested = choices.get_by_role("radio")
    assert suggested.count() == 4  # three suggestions and "Inget yrke valt"
    lager = choices.get_by_role("radio", name=re.compile("^Lagerarbetare.Terminalarbetare"))
    visit.check("plats-yrkesforslag")
    lager.check()
    # Choosing an occupation fetches its skills, as the autocomplete's choices do.
    page.locator("#skill-choices").get_by_role("checkbox").first.wait_for()
    page.get_by_label("Ort", exact=True).fill("Vårgårda")
    page.get_by_label("Antal platser").fill("1")
    page.get_by_role("button", name="Spara").click()
    assert "Platsen är sparad" in page.get_by_role("status").inner_text()
    chosen = page.locator("#occupation-choices").get_by_role("radio", checked=True)
    assert chosen.count() == 1
    assert "Lagerarbetare/Terminalarbetare" in chosen.locator("xpath=..").inner_text()
    visit.check()
