"""The workbench's participant list in a real browser: sortable, paged, and usable on a
375 px wide phone without sideways scrolling (the rows stack)."""

from __future__ import annotations

from tests.browser.conftest import Visit


def _fits(visit: Visit) -> None:
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    viewport = visit.page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page is {width} px wide in a {viewport} px window"


def test_the_participant_list_sorts_pages_and_fits_a_phone(new_visit) -> None:
    wide: Visit = new_visit()
    wide.login("samordnare")
    page = wide.goto("/arbetsbord?status=")
    page.get_by_role("link", name="Inskriven").click()
    page.wait_for_url("**sortera=-inskriven**")
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("Inskriven")
    wide.check("deltagare-lista")

    phone: Visit = new_visit(viewport={"width": 375, "height": 800})
    phone.login("samordnare")
    page = phone.goto("/arbetsbord?status=")
    _fits(phone)
    # A row's facts run on after the name (an empty one left out): five lines, not nine.
    row = page.locator("table.stacked tbody tr").first
    line = row.locator("td").first.bounding_box()
    box = row.bounding_box()
    assert line and box and box["height"] <= 6 * line["height"], (box, line)
    empty = page.locator("table.stacked tbody td.empty").first
    assert empty.evaluate("e => getComputedStyle(e).display") == "none"
    page.get_by_label("Sortera").select_option("-andrad")
    page.get_by_role("button", name="Sök").click()
    page.wait_for_url("**sortera=-andrad**")
    _fits(phone)
    phone.check("deltagare-lista-375")


def test_the_host_sorts_its_slots_on_a_phone(new_visit) -> None:
    """The host's slot list sorts by a heading and, at 375 px where the headings are hidden,
    by the sort box, and fits the phone."""
    wide: Visit = new_visit()
    wide.login("enhet")
    page = wide.goto("/vard")
    page.locator("#platser").get_by_role("link", name="Rubrik").click()
    page.wait_for_url("**sortera=rubrik**")
    assert page.locator("#platser th[aria-sort=ascending]").inner_text().startswith("Rubrik")
    wide.check("vard-platser-rubrik")

    phone: Visit = new_visit(viewport={"width": 375, "height": 800})
    phone.login("enhet")
    page = phone.goto("/vard?sortera=okand")
    assert "visas i ordningen" in page.locator("#f-sortera-hint").inner_text()
    _fits(phone)
    page.get_by_label("Sortera platserna").select_option("start")
    page.get_by_role("button", name="Sortera").click()
    page.wait_for_url("**sortera=start**")
    _fits(phone)
    page.locator("#platser").scroll_into_view_if_needed()
    phone.check("vard-platser-375")
