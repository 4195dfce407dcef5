"""The workbench's participant pages in a real browser: registering a deltagare with occupation
autocomplete and skill suggestions, editing the profile and the arbetsmarknadsplan. Every page
and every failed form must pass axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re

from tests.browser.conftest import Visit


def _personnummer(nine: str) -> str:
    """Twelve digits with the Luhn check digit that completes the last nine (YYMMDDNNN)."""

    def luhn_ok(digits: str) -> bool:
        total = 0
        for i, ch in enumerate(reversed(digits)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        return total % 10 == 0

    check = next(d for d in range(10) if luhn_ok(f"{nine}{d}"))
    return f"19{nine[:6]}-{nine[6:]}{check}"


def test_register_edit_and_plan_pages_pass_axe(visit: Visit) -> None:
    visit.login("samordnare")
    page = visit.goto("/arbetsbord")
    page.get_by_role("link", name="Ny deltagare").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ny deltagare"
    visit.check("deltagare-ny")

    # Sent empty: the errors are listed, announced and tied to their fields.
    page.get_by_role("button", name="Registrera deltagaren").click()
    assert "Formuläret behöver rättas" in page.get_by_role("alert").inner_text()
    # Focused, so that a screen reader reads it and the keyboard goes on from it (a host's
    # day: focus stayed on the page's top after a refused form).
    assert page.evaluate("document.activeElement.id") == "error-summary"
    first_name = page.get_by_label(re.compile("^Förnamn"))
    assert first_name.get_attribute("aria-invalid") == "true"
    visit.check("deltagare-ny-fel")

    first_name.fill("Bea")
    page.get_by_label(re.compile("^Efternamn")).fill("Webbläsare")
    number = _personnummer("790517987")
    page.get_by_label("Personnummer eller samordningsnummer").fill(number)
    page.get_by_label("Sök yrke").press_sequentially("lagerarb", delay=30)
    page.get_by_role("checkbox", name=re.compile("Lagerarbetare")).first.check()
    skill = page.get_by_role("checkbox", name="Lagerhanteringsprogram")
    skill.check()
    page.get_by_role("checkbox", name="Arabiska", exact=True).check()
    page.get_by_label("Hemort").fill("Vårgårda")
    page.get_by_label("Anpassning 1", exact=True).fill("Korta pauser varje timme")
    page.get_by_role("checkbox", name="Får delas med värden (anpassning 1)").check()
    visit.check("deltagare-ny-ifylld")
    page.get_by_role("button", name="Registrera deltagaren").click()
    # The notice is shown, then taken out of the address (a reload does not say it again).
    page.wait_for_url(re.compile(r"/arbetsbord/deltagare/\d+$"))
    assert number not in page.url and number.replace("-", "") not in page.url
    assert page.locator("p.ok[role=status]").inner_text() == "Deltagaren är registrerad."
    assert "Lagerhanteringsprogram" in page.inner_text("main")
    assert "Arabiska" in page.inner_text("main")
    visit.check("deltagare-registrerad")

    page.get_by_role("link", name="Redigera profil").click()
    assert page.get_by_label("Personnummer eller samordningsnummer").input_value() == number
    visit.check("deltagare-profil")
    page.get_by_label("Personnummer eller samordningsnummer").fill("19790517-0000")
    page.get_by_role("button", name="Spara profilen").click()
    box = page.get_by_label("Personnummer eller samordningsnummer")
    assert box.get_attribute("aria-invalid") == "true"
    visit.check("deltagare-profil-fel")
    box.fill(number)
    page.get_by_label(re.compile("^Timmar i veckan")).fill("25")
    page.get_by_role("button", name="Spara profilen").click()
    assert page.locator("p.ok[role=status]").inner_text() == "Profilen är sparad."

    page.get_by_role("link", name="Redigera plan").click()
    visit.check("deltagare-plan")
    page.get_by_label("Deltagarens mål").fill("Arbete inom lager och logistik")
    page.get_by_role("button", name="Spara målet").click()
    assert page.locator("p.ok[role=status]").inner_text() == "Arbetsmarknadsplanen är sparad."
    page.get_by_role("link", name="Redigera plan").click()
    page.get_by_role("textbox", name=re.compile("^Aktivitet")).fill("Praktik i lager")
    page.get_by_label(re.compile("^Planerat startdatum")).fill("2027-01-11")
    page.get_by_label(re.compile("^Planerat slutdatum")).fill("2027-01-04")
    page.get_by_role("button", name="Lägg till aktiviteten").click()
    assert "ligger före planerad start" in page.get_by_role("alert").inner_text()
    visit.check("deltagare-plan-fel")
    page.get_by_label(re.compile("^Planerat slutdatum")).fill("2027-03-05")
    page.get_by_role("button", name="Lägg till aktiviteten").click()
    assert "Praktik i lager" in page.inner_text("main")
    page.get_by_role("link", name="Redigera plan").click()
    page.get_by_role("link", name="Ändra Praktik i lager").click()
    visit.check("deltagare-aktivitet")
    page.get_by_label(re.compile("^Status")).select_option("done")
    page.get_by_label(re.compile("^Uppföljning")).fill("Gick bra.")
    page.get_by_role("button", name="Spara aktiviteten").click()
    assert page.locator("p.ok[role=status]").inner_text() == "Arbetsmarknadsplanen är sparad."

    # Removing an activity asks for a ticked confirmation first.
    page.get_by_role("link", name="Redigera plan").click()
    page.get_by_role("link", name="Ändra Praktik i lager").click()
    page.get_by_role("button", name="Ta bort aktiviteten").click()
    assert "Kryssa i rutan för att bekräfta" in page.get_by_role("alert").inner_text()
    visit.check("deltagare-aktivitet-ta-bort-fel")
    page.get_by_role("checkbox", name="Ja, ta bort aktiviteten Praktik i lager").check()
    page.get_by_role("button", name="Ta bort aktiviteten").click()
    assert page.locator("p.ok[role=status]").inner_text() == "Aktiviteten är borttagen ur planen."
