"""Admins' pages in a real browser: teaching the search an everyday word, trying it, and
removing it after a confirmation. Every page and every failed form must pass axe-core."""

from __future__ import annotations

import re

from tests.browser.conftest import Visit


def test_an_admin_adds_tries_and_removes_an_everyday_word(visit: Visit) -> None:
    visit.login("admin")
    page = visit.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Drift").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Drift"  # the start page
    visit.check("drift")
    page.get_by_role("heading", name="Vardagsord i sökningen").get_by_role("link").click()
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
    # The word is gone from the list (other tests of this service may have added their own).
    assert page.get_by_role("link", name="Ta bort bullbod").count() == 0
    assert "bullbod" not in page.inner_text("main").replace("Ordet ”bullbod” är borttaget.", "")


def test_an_admin_teaches_a_word_from_a_search_that_found_nothing(visit: Visit) -> None:
    # A visitor searches for a word the search does not know.
    page = visit.goto("/platser?q=blippblopp")
    assert "Inga platser matchar sökningen" in page.inner_text("main")

    visit.login("admin")
    page = visit.goto("/drift/vardagsord")
    page.get_by_role("navigation", name="Drift").get_by_role(
        "link", name="Sökningar utan träff"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sökningar utan träff"
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="blippblopp"))
    row.get_by_text("Lär sökningen ett ord").click()
    assert row.get_by_label("Vardagsord").input_value() == "blippblopp"
    visit.check("sokningar")

    row.get_by_label("Står för").fill("fikaproffs")
    row.get_by_role("button", name="Lär sökningen ordet").click()
    assert "Formuläret behöver rättas" in page.get_by_role("alert").inner_text()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="blippblopp"))
    assert row.get_by_label("Står för").input_value() == "fikaproffs"  # nothing typed is lost
    visit.check("sokningar-fel")

    row.get_by_label("Står för").fill("kafébiträde")
    row.get_by_role("button", name="Lär sökningen ordet").click()
    assert "Ordet ”blippblopp” är tillagt." in page.locator("p.ok[role=status]").inner_text()
    assert "”blippblopp” är inlärt och står för kafébiträde" in page.inner_text("main")
    visit.check("sokningar-inlart")

    page.get_by_role("navigation", name="Drift").get_by_role("link", name="Inlärda lyft").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Inlärda lyft i sökningen"
    visit.check("inlarda-lyft")
    page.get_by_role("button", name="Stäng av lyften").click()
    assert "Lyften är avstängda." in page.locator("p.ok[role=status]").inner_text()
    visit.check("inlarda-lyft-av")
    page.get_by_role("button", name="Slå på lyften").click()
    assert "Lyften är påslagna." in page.locator("p.ok[role=status]").inner_text()


def test_an_admin_finds_a_mail_in_the_outbox_on_a_phone(new_visit) -> None:
    """At 375 px each mail's subject, the link that opens it, is in view at the head of its
    row (the table stacked, nothing to scroll sideways for); the search narrows the list."""
    visit: Visit = new_visit(viewport={"width": 375, "height": 800})
    visit.login("admin")
    page = visit.goto("/drift")
    page.get_by_role("heading", name="Utkorg").get_by_role("link").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Utkorg"
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    first = page.locator("tr.outbox-row th[scope=row] a").first
    box = first.bounding_box()
    assert first.is_visible() and box is not None and box["x"] >= 0 and box["x"] + 40 <= width
    visit.check("utkorg-375")

    subject = first.inner_text().strip()
    page.get_by_label("Mottagare eller ämne").fill(subject)
    page.get_by_role("button", name="Sök").click()
    page.wait_for_load_state("load")
    assert "meddelanden matchar" in page.locator("main").inner_text()
    shown = page.locator("tr.outbox-row th[scope=row] a").all_inner_texts()
    assert shown and all(subject in s for s in shown)
    visit.check("utkorg-sok-375")
    page.locator("tr.outbox-row th[scope=row] a").first.click()
    page.wait_for_load_state("load")
    assert subject in page.locator("main").inner_text()
    visit.check()


def test_an_admin_reviews_the_log_of_a_participant_found_by_name_on_a_phone(new_visit) -> None:
    """At 375 px the log review finds a participant by name typed without å, ä and ö: several
    of the name are offered as links, one chosen (or the only one) filters the log and is
    named above it, and a name nobody has says so and lists nothing. Nothing scrolls sideways."""
    visit: Visit = new_visit(viewport={"width": 375, "height": 800})
    visit.login("admin")
    page = visit.goto("/loggkontroll")
    width = page.evaluate("window.innerWidth")
    box = page.get_by_label("Åtkomster till deltagare")

    box.fill("ali")  # Yusuf Ali, Ali Mohamud and Nour Khalil
    page.get_by_role("button", name="Sök").click()
    page.wait_for_load_state("load")
    choices = page.get_by_role("region", name="Välj deltagare").get_by_role("link")
    names = choices.all_inner_texts()
    assert {"Yusuf Ali", "Ali Mohamud", "Nour Khalil"} <= set(names), names
    assert page.locator("table").count() == 0  # no rows until one is chosen
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    visit.check("loggkontroll-valj-375")

    choices.filter(has_text="Ali Mohamud").click()
    page.wait_for_load_state("load")
    assert "Vald deltagare: Ali Mohamud" in page.locator("main p[role=status]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    visit.check("loggkontroll-vald-375")

    box = page.get_by_label("Åtkomster till deltagare")
    box.fill("astrom kevin")
    page.get_by_role("button", name="Sök").click()
    page.wait_for_load_state("load")
    assert "Vald deltagare: Kevin Åström" in page.locator("main p[role=status]").inner_text()
    assert page.get_by_role("region", name="Loggrader").is_visible()
    visit.check()

    page.get_by_label("Åtkomster till deltagare").fill("qqqzzz")
    page.get_by_role("button", name="Sök").click()
    page.wait_for_load_state("load")
    assert "Ingen deltagare har ett namn med ”qqqzzz”" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Åtkomster till deltagare").get_attribute("aria-invalid") == "true"
    assert page.locator("table").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    visit.check("loggkontroll-ingen-375")


def test_an_admin_hands_out_a_register_extract_in_swedish_on_a_phone(new_visit, service) -> None:
    """A8 of a tester's walk: the extract handed to the person showed the tables' column
    names and codes, and every audit row as a table of its own. At 375 px the page is in
    Swedish words, its long tables stack, nothing scrolls sideways, and it passes axe."""
    token = service.token("admin")
    found = service.api("GET", "/api/v1/candidates/?q=Kevin%20%C3%85str%C3%B6m", token)
    [person] = [p["id"] for p in found["items"] if p["last_name"] == "Åström"]
    visit: Visit = new_visit(viewport={"width": 375, "height": 800})
    visit.login("admin")
    page = visit.goto(f"/registerutdrag/{person}")
    page.get_by_label("Skäl till utdraget").fill("Begäran från den registrerade")
    page.get_by_role("button", name="Ta fram registerutdraget").click()
    page.wait_for_load_state("load")
    main = page.locator("main").inner_text()
    assert "Kevin" in main and "Åström" in main and "Samordnare" in main
    for code in ("first_name", "last_name", "actor_label", "subject_type", "candidate.extract"):
        assert code not in main, code
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", main)
    audit = page.locator("section[aria-labelledby=sec-mp_audit]")
    assert audit.locator("table").count() == 1
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    visit.check("registerutdrag-375")
