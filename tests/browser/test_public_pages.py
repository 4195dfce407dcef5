"""Pages anyone can open: start page, sign-in, accessibility statement, errors."""

from __future__ import annotations

from tests.browser.conftest import Visit


def test_start_page_invites_hosts_and_passes_axe(visit: Visit) -> None:
    page = visit.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Praktik och arbetsträning")
    offer = page.get_by_role("link", name="Erbjud en praktikplats").first
    assert offer.get_attribute("href") == "/erbjud"
    visit.check("start")


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
    assert visit.page.url == visit.url("/oversikt")
    visit.page.goto(visit.url("/"))
    logout = visit.page.get_by_role("button", name="Logga ut")
    logout.focus()
    with visit.page.expect_navigation():
        visit.page.keyboard.press("Enter")
    assert visit.page.url == visit.url("/")
    assert visit.page.get_by_role("link", name="Logga in").is_visible()


def test_unknown_page_is_a_swedish_404_page(visit: Visit) -> None:
    page = visit.goto("/finns-inte", expect_status=404)
    assert page.get_by_role("heading", level=1).inner_text() == "Sidan finns inte"
    assert "Traceback" not in page.content()
    visit.check()
