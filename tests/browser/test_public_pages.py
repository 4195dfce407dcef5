"""Pages anyone can open: start page, sign-in, accessibility statement, errors."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.browser.conftest import Service, Visit


def test_start_page_invites_hosts_and_passes_axe(visit: Visit) -> None:
    page = visit.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Praktik och arbetsträning")
    offer = page.get_by_role("link", name="Erbjud en praktikplats").first
    assert offer.get_attribute("href") == "/erbjud"
    visit.check("start")


def test_the_start_page_in_arabic_on_a_phone_leads_to_the_application(
    new_visit: Callable[..., Visit],
) -> None:
    """A resident who reads Arabic chooses it on the start page: the page is right to left,
    fits 375 px, and its way to apply leads to the form in Arabic."""
    visit = new_visit(viewport={"width": 375, "height": 800})
    page = visit.goto("/")
    page.get_by_label("Språk", exact=True).select_option("ar")
    with page.expect_navigation():
        page.get_by_role("button", name="Byt språk").click()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text().startswith("التدريب العملي")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    visit.check("start-ar-375", lang="ar")
    with page.expect_navigation():
        page.get_by_role("link", name="قدّم طلباً للحصول على الدعم").click()
    assert page.url.endswith("/ansok")
    assert page.evaluate("document.documentElement.lang") == "ar"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(visit: Visit) -> None:
    page = visit.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_accessibility_statement(visit: Visit) -> None:
    page = visit.goto("/tillganglighet")
    assert page.get_by_role("heading", level=1).inner_text() == "Tillgänglighetsredogörelse"
    assert "DOS-lagen" in page.inner_text("main")
    visit.check("tillganglighet")


def test_wrong_password_error_is_tied_to_the_fields(visit: Visit) -> None:
    page = visit.goto("/logga-in")
    visit.check("logga-in")
    page.get_by_label("Användarnamn").fill("samordnare")
    page.get_by_label("Lösenord").fill("fel-lösenord-igen")
    page.get_by_role("button", name="Logga in").click()
    alert = page.get_by_role("alert")
    assert "Fel användarnamn eller lösenord" in alert.inner_text()
    password = page.get_by_label("Lösenord")
    assert password.get_attribute("aria-invalid") == "true"
    assert password.get_attribute("aria-describedby") == alert.get_attribute("id")
    visit.check()


def test_sign_in_and_out_by_keyboard_lands_each_role_on_its_page(visit: Visit) -> None:
    visit.login("analytiker")
    visit.page.wait_for_url(visit.url("/oversikt"))
    visit.page.goto(visit.url("/"))
    logout = visit.page.get_by_role("button", name="Logga ut")
    logout.focus()
    with visit.page.expect_navigation():
        visit.page.keyboard.press("Enter")
    assert visit.page.get_by_role("status").inner_text() == "Du är utloggad."
    # Shown, and taken out of the address: a reload does not say it again.
    visit.page.wait_for_url(visit.url("/"))
    visit.page.reload()
    assert visit.page.get_by_role("status").count() == 0
    assert visit.page.get_by_role("link", name="Logga in").is_visible()


def test_unknown_page_is_a_swedish_404_page(visit: Visit) -> None:
    page = visit.goto("/finns-inte", expect_status=404)
    assert page.get_by_role("heading", level=1).inner_text() == "Sidan finns inte"
    assert "Traceback" not in page.content()
    visit.check()


def _published_slots(service: Service) -> list[int]:
    """Two hosts with published slots, made through the JSON API as an integration would."""
    token = service.token("admin")
    ids = []
    for n, (host, title, town) in enumerate(
        [
            ("Kvarnens Stall", "Hovslagare i ridstallet", "Vårgårda"),
            ("Hemtjänst Norra", "Köksbiträde i äldreboendets kök", "Östadkulle"),
        ]
    ):
        created = service.api(
            "POST",
            "/api/v1/hosts",
            token,
            {"name": f"{host} {service.base_url[-5:]}-{n}", "kind": "company", "town": town},
        )
        supervisor = service.api(
            "POST",
            f"/api/v1/hosts/{created['id']}/contacts",
            token,
            {"name": "Hanna Handledare"},
        )
        slot = service.api(
            "POST",
            "/api/v1/slots",
            token,
            {
                "host_id": created["id"],
                "kind": "praktik",
                "title": title,
                "description": "Plocka, diska och ta emot varor.",
                "town": town,
                "capacity": 1,
                "hours_per_week": 20,
                # A slot is published with its work and its handledare.
                "occupation_id": ("Tufb_JbW_wS6", "oRB5_b7i_Qzv")[n],  # Hovslagare, Köksbiträde
                "supervisor_id": supervisor["id"],
            },
        )
        service.api("POST", f"/api/v1/slots/{slot['id']}/publish", token)
        ids.append(int(slot["id"]))
    return ids


def test_search_filters_explains_hits_and_opens_the_slot_page(
    service: Service, visit: Visit
) -> None:
    _published_slots(service)
    page = visit.goto("/platser")
    visit.check()
    search = page.get_by_label("Vad vill du göra?")
    search.fill("hovslagre")  # misspelled on purpose
    search.press("Enter")
    page.wait_for_url(re.compile(r"q=hovslagre"))
    hit = page.locator("#results li", has_text="Hovslagare i ridstallet")
    assert "stavfel" in hit.locator(".why").inner_text()
    assert "Köksbiträde" not in page.inner_text("#results")
    visit.check("platser-sok")
    # A filter narrows the hits in place; the count is announced in a status region.
    page.get_by_label("Ort", exact=True).fill("Östadkulle")
    page.get_by_label("Vad vill du göra?").fill("")
    page.get_by_label("Ort", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"town=%C3%96stadkulle"))
    assert "1 plats hittades" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Köksbiträde i äldreboendets kök").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Köksbiträde i äldreboendets kök"
    assert "Lediga platser" in page.inner_text("main")
    visit.check()


def test_slot_page_of_unknown_slot_is_a_swedish_404(visit: Visit) -> None:
    page = visit.goto("/platser/999999", expect_status=404)
    assert "Traceback" not in page.content()
    visit.check()


def test_offer_form_reports_a_bad_organisation_number_at_its_field(visit: Visit) -> None:
    page = visit.goto("/erbjud")
    page.get_by_label("Organisationens namn").fill("Föreningen Vävstugan")
    page.get_by_label("Typ av organisation").select_option("association")
    page.get_by_label("Organisationsnummer").fill("802000-0000")
    page.get_by_label("Kontaktperson").fill("Vera Väv")
    page.get_by_label("E-postadress").fill("vera@vav.example")
    page.get_by_role("button", name="Skicka intresseanmälan").click()
    field = page.get_by_label("Organisationsnummer")
    assert field.get_attribute("aria-invalid") == "true"
    error_id = (field.get_attribute("aria-describedby") or "").split()[-1]
    assert "kontrollsiffra" in page.locator(f"#{error_id}").inner_text()
    # What was typed is kept, so only the wrong field needs fixing.
    assert page.get_by_label("Organisationens namn").input_value() == "Föreningen Vävstugan"
    visit.check()


def test_the_search_and_a_slot_in_arabic_on_a_phone(
    service: Service, new_visit: Callable[..., Visit]
) -> None:
    """A job seeker without an account chooses Arabic on the search at 375 px: the page is
    right to left and does not scroll sideways, a filter changed in place is kept when the
    language is changed again, and the slot's page speaks it too."""
    _published_slots(service)
    visit = new_visit(viewport={"width": 375, "height": 800})
    page = visit.goto("/platser?q=hovslagare")
    page.get_by_label("Språk", exact=True).select_option("ar")
    with page.expect_navigation():
        page.get_by_role("button", name="Byt språk").click()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text().startswith("ابحث عن أماكن")
    # The count (other tests' slots are in the same service), and the switch's notice.
    assert "تم العثور" in page.locator("#results [role=status]").inner_text()
    assert page.locator(".notice").inner_text() == "تم تغيير اللغة."
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    visit.check("platser-ar-375", lang="ar")
    # A filter changes the hits in place (htmx) and the address; the switch follows it.
    page.get_by_label("نوع المكان").select_option("arbetsträning")
    page.wait_for_url(re.compile(r"kind=arbetstr%C3%A4ning"))
    page.get_by_label("اللغة", exact=True).select_option("en")
    with page.expect_navigation():
        page.get_by_role("button", name="غيّر اللغة").click()
    assert "kind=arbetstr%C3%A4ning" in page.url
    assert page.get_by_label("Type of place").input_value() == "arbetsträning"
    assert re.search(r"\bfound\b", page.locator("#results [role=status]").inner_text())
    page.get_by_label("Language", exact=True).select_option("ar")
    with page.expect_navigation():
        page.get_by_role("button", name="Change language").click()
    page.goto(visit.url("/platser?q=hovslagare"))
    page.get_by_role("link", name="Hovslagare i ridstallet").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Hovslagare i ridstallet"
    assert page.get_by_role("heading", name="عن المكان").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    visit.check("plats-ar-375", lang="ar")
