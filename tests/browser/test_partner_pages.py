"""Partner agencies (issue 18) in a real browser on a 375 px phone, axe on every page: the
coordinator records a participant's consent that Arbetsförmedlingen may see the placements;
the demo's partner contact at Arbetsförmedlingen then finds the participant in their list
and reads the summary, and nothing else is theirs; the admin's back office lists agencies
and local agreements."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.browser.conftest import Visit

PHONE = {"viewport": {"width": 375, "height": 800}}


def _fits(visit: Visit) -> None:
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    viewport = visit.page.evaluate("window.innerWidth")
    assert width <= viewport, f"{visit.page.url} is {width} px wide in a {viewport} px window"


def test_a_consent_recorded_by_the_coordinator_is_what_the_partner_contact_sees(
    new_visit,
) -> None:
    coordinator: Visit = new_visit(**PHONE)
    coordinator.login("samordnare")
    page = coordinator.goto("/arbetsbord?status=")
    # A participant of Sara's without a consent yet (the demo gave three of them one).
    names = page.locator("td[data-label=Namn] a")
    chosen = None
    for index in range(names.count()):
        name = names.nth(index).inner_text().strip()
        if name not in ("Amir Haddad", "Hanna Nyström", "Yusuf Ali"):
            chosen = name
            names.nth(index).click()
            break
    assert chosen, "Sara has a participant without a consent"
    page.wait_for_load_state("load")
    page.get_by_role("link", name=re.compile("Samtycken till samverkan")).click()
    page.wait_for_url("**/samverkan")
    _fits(coordinator)
    coordinator.check("samverkan-samtycken-375")
    # Every mistake at once: no agreement, no way it was given.
    page.get_by_role("button", name="Registrera samtycket").click()
    page.wait_for_load_state("load")
    summary = page.locator(".error-summary")
    assert "Lokal överenskommelse" in summary.inner_text()
    assert "hur samtycket gavs" in summary.inner_text()
    _fits(coordinator)
    coordinator.check("samverkan-samtycken-fel-375")
    page.get_by_label("Lokal överenskommelse").select_option(
        label="Arbetsförmedlingen: Lokal överenskommelse om samverkan i Vårgårda (Af-2026/1187)"
    )
    page.get_by_label("Hur samtycket gavs").select_option("skriftligt")
    page.get_by_label("Närvaron under placeringen").check()
    page.get_by_role("button", name="Registrera samtycket").click()
    page.wait_for_load_state("load")
    assert "Samtycket är registrerat" in page.locator(".notice").inner_text()
    coordinator.check()
    consents_page = urlsplit(page.url).path

    partner: Visit = new_visit(**PHONE)
    partner.login("partner")
    partner.page.wait_for_url(partner.url("/samverkan"))
    page = partner.page
    listed = page.locator("table th[scope=row] a").all_inner_texts()
    assert chosen in listed and "Amir Haddad" in listed
    _fits(partner)
    partner.check("samverkan-partner-lista-375")
    page.get_by_role("link", name=chosen).click()
    page.wait_for_load_state("load")
    shared = urlsplit(page.url).path
    text = page.locator("main").inner_text()
    assert chosen in text and "Placeringar" in text and "närvaro" in text
    assert "Utfall" not in page.locator("h2").all_inner_texts()  # not covered
    assert not re.search(r"\d{8}-\d{4}", text), "no personnummer on the partner's page"
    _fits(partner)
    partner.check("samverkan-partner-deltagare-375")
    # The menu offers nothing else, and nothing else opens.
    menu = page.get_by_role("navigation", name="Huvudmeny").inner_text()
    assert "Arbetsbord" not in menu and "Rapporter" not in menu
    partner.goto("/arbetsbord", expect_status=403)
    partner.check()

    # The participant withdraws: revoking cannot be undone, so the box asks first.
    page = coordinator.goto(consents_page)
    assert "ersätter det nya samtycket det gamla" in page.locator("main").inner_text()
    page.get_by_role("button", name="Registrera att samtycket är återkallat").click()
    page.wait_for_load_state("load")
    box = page.get_by_label(re.compile("Ja, deltagaren har återkallat samtycket"))
    assert box.get_attribute("aria-invalid") == "true"
    assert "Kryssa i rutan" in page.locator("main").inner_text()
    _fits(coordinator)
    coordinator.check("samverkan-aterkalla-fraga-375")
    box.check()
    page.get_by_role("button", name="Registrera att samtycket är återkallat").click()
    page.wait_for_load_state("load")
    assert "Samtycket till Arbetsförmedlingen är återkallat" in (
        page.locator(".notice").inner_text()
    )
    coordinator.check()
    partner.goto(shared, expect_status=404)


def test_the_back_office_lists_agencies_and_agreements_on_a_phone(new_visit) -> None:
    admin: Visit = new_visit(**PHONE)
    admin.login("admin")
    page = admin.goto("/drift/samverkan")
    text = page.locator("main").inner_text()
    assert "Arbetsförmedlingen" in text and "Försäkringskassan" in text
    _fits(admin)
    admin.check("drift-samverkan-375")
    page.get_by_role("link", name="Lokal överenskommelse om samverkan i Vårgårda").click()
    page.wait_for_load_state("load")
    _fits(admin)
    admin.check("drift-samverkan-overenskommelse-375")
    # Ending the agreement asks first and says what it does; unconfirmed, nothing changes.
    page.get_by_label("Gäller till och med").fill("2020-01-01")
    page.get_by_label("Gäller från").fill("2019-01-01")
    page.get_by_role("button", name="Spara överenskommelsen").click()
    page.wait_for_load_state("load")
    text = page.locator("main").inner_text()
    assert "slutar genast ge Arbetsförmedlingen tillgång" in text
    assert page.get_by_label("Jag vill spara ändringen ändå").is_visible()
    _fits(admin)
    admin.check("drift-samverkan-overenskommelse-fraga-375")
    page = admin.goto(urlsplit(page.url).path)
    assert "Den gäller i dag" in page.locator("main").inner_text()
