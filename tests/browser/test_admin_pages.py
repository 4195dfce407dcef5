"""Admins' pages in a real browser: teaching the search an everyday word, trying it, and
removing it after a confirmation. Every page and every failed form must pass axe-core."""

from __future__ import annotations

import re

from tests.browser.conftest import Visit


def test_an_admin_adds_tries_and_removes_an_everyday_word(visit: Visit) -> None:
    visit.login("admin")
    page = visit.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Drift").click()
    page.get_by_role("link", name="Vardagsord i sökningen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Vardagsord i sökningen"
    visit.check("vardagsord")

    page.get_by_label(re.compile("^Vardagsord")).fill("bullbod")
    page.get_by_label(re.compile("^Står för")).fill("kafébiträde fikaproffs")
    page.get_by_role("button", name="Lägg till").click()
    assert "Formuläret behöver rättas" in page.get_by_role("alert").inner_text()
    targets = page.get_by_label(re.compile("^Står för"))
    assert targets.get_attribute("aria-invalid") == "true"
    assert targets.input_value() == "kafébiträde fikaproffs"  # nothing typed is lost
    visit.check("vardagsord-fel")

    targets.fill("kafébiträde")
    page.get_by_role("button", name="Lägg till").click()
    assert "Ordet ”bullbod” är tillagt." in page.locator("p.ok[role=status]").inner_text()
    visit.check("vardagsord-tillagt")

    page.get_by_role("link", name="Prova att söka på det").click()
    page.wait_for_url(re.compile(r"/platser\?q=bullbod$"))
    assert "Kafébiträde" in page.inner_text("main")
    visit.check()

    visit.goto("/drift/vardagsord")
    page.get_by_role("link", name="Ta bort bullbod").click()
    page.get_by_role("button", name="Ta bort ordet").click()
    assert "Kryssa i rutan" in page.get_by_role("alert").inner_text()
    visit.check("vardagsord-ta-bort-fel")
    page.get_by_role("checkbox", name="Ja, ta bort vardagsordet bullbod").check()
    page.get_by_role("button", name="Ta bort ordet").click()
    assert "Ordet ”bullbod” är borttaget." in page.locator("p.ok[role=status]").inner_text()
    assert "Inga ord har lagts till ännu." in page.inner_text("main")
