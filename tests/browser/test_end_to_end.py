"""The whole path of one placement, in a real browser, as the three parties would walk it.

An employer applies through the public form; a coordinator approves; the host's contact
chooses a password through the invitation link, names a supervisor and publishes a slot; the
coordinator finds it with a misspelled word and proposes a participant; the host accepts; the
host and the coordinator sign in the app, the supervisor and the participant through links;
the placement starts and ends; the supervisor assesses; the coordinator records the outcome;
the dashboard counts it. Every page on the way must pass axe-core.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from marketplace.kernel import clock
from tests.browser.conftest import Service, Visit


def _link(body: str, path: str) -> str:
    found = re.search(r"https?://\S+" + re.escape(path) + r"\S*", body)
    assert found, f"no {path} link in:\n{body}"
    return found.group(0)


def test_a_placement_from_application_to_outcome(
    service: Service, new_visit: Callable[[], Visit]
) -> None:
    # --- an employer applies through the public form ---------------------------------------
    employer = new_visit()
    page = employer.goto("/erbjud")
    employer.check("erbjud")
    page.get_by_role("button", name="Skicka intresseanmälan").click()
    # Nothing filled in: the errors are listed, announced and tied to their fields.
    summary = page.get_by_role("alert")
    assert "Formuläret behöver rättas" in summary.inner_text()
    name_box = page.get_by_label("Organisationens namn")
    assert name_box.get_attribute("aria-invalid") == "true"
    described = name_box.get_attribute("aria-describedby") or ""
    assert "måste fyllas i" in page.locator(f"#{described.split()[-1]}").inner_text()
    employer.check("erbjud-fel")
    name_box.fill("Vårgårda Lager AB")
    page.get_by_label("Typ av organisation").select_option("company")
    page.get_by_label("Organisationsnummer").fill("556036-0793")
    page.get_by_label("Ort").fill("Vårgårda")
    page.get_by_label("Kontaktperson").fill("Lena Lagerström")
    page.get_by_label("E-postadress").fill("lena@lager.example")
    page.get_by_label("Vad kan ni erbjuda?").fill("Plock och packning på vårt centrallager.")
    page.get_by_role("button", name="Skicka intresseanmälan").click()
    assert "Tack för er anmälan" in page.get_by_role("heading", level=1).inner_text()
    employer.check()

    # --- a coordinator approves the application ----------------------------------------------
    coordinator = new_visit()
    coordinator.login("samordnare")
    coordinator.page.wait_for_url(coordinator.url("/arbetsbord"))  # the notice taken out
    coordinator.check("arbetsbord")
    page = coordinator.goto("/arbetsbord/ansokningar")
    coordinator.check("ansokningar")
    page.get_by_role("button", name="Godkänn och bjud in Lena Lagerström").click()
    assert "Inga anmälningar väntar" in page.inner_text("main")

    # --- the host's contact follows the invitation link and signs in --------------------------
    invitation = _link(service.mails("host_invitation")[-1], "/vard/inbjudan")
    host = new_visit()
    page = host.page
    page.goto(invitation)
    assert "Vårgårda Lager AB" in page.inner_text("main")
    host.check("inbjudan")
    page.get_by_label("Användarnamn").fill("lena")
    page.get_by_label("Nytt lösenord").fill("hyllor-och-pallar-2026")
    page.get_by_label("Upprepa lösenordet").fill("hyllor-och-pallar-2026")
    page.get_by_role("button", name="Spara lösenord").click()
    assert "lena" in page.get_by_role("status").inner_text()
    host.login("lena", "hyllor-och-pallar-2026")
    page.wait_for_url(host.url("/vard"))
    host.check("vard-tom")

    # --- the host names a supervisor ---------------------------------------------------------
    page.get_by_role("link", name="Vårgårda Lager AB", exact=True).click()
    page.get_by_label(re.compile(r"^Namn")).fill("Sven Handledare")
    page.get_by_label("Roll eller titel").fill("Lagerchef")
    page.get_by_label("E-postadress").fill("sven@lager.example")
    page.get_by_role("button", name="Lägg till").click()
    assert "Sven Handledare" in page.locator("#kontakter table").inner_text()
    host.check("organisation")

    # --- ... and publishes a slot, with occupation autocomplete and skill suggestions ---------
    host.goto("/vard")
    page.get_by_role("link", name="Ny plats hos Vårgårda Lager AB").click()
    page.get_by_label("Rubrik").fill("Lagerarbete på centrallagret")
    page.get_by_label("Sök yrke").press_sequentially("lagerarb", delay=30)
    choice = page.get_by_role("radio", name=re.compile("Lagerarbetare"))
    choice.first.check()
    page.get_by_role("checkbox", name="Lagerhanteringsprogram").check()
    page.get_by_label("Beskrivning").fill("Plock, packning och inleverans. Lugn miljö på dagtid.")
    page.get_by_label("Ort", exact=True).fill("Vårgårda")
    page.get_by_label("Antal platser").fill("1")
    page.get_by_label("Timmar i veckan").fill("20")
    page.get_by_label("Handledare", exact=True).select_option(label="Sven Handledare")
    host.check("ny-plats")
    page.get_by_role("button", name="Spara").click()
    assert "Platsen är sparad" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Publicera").click()
    assert "Publicerad" in page.inner_text("main")
    host.check("plats-redigera")

    # --- the public sees it ------------------------------------------------------------------
    visitor = new_visit()
    page = visitor.goto("/platser?q=lager")
    visitor.check("platser")
    page.get_by_role("link", name="Lagerarbete på centrallagret").click()
    assert "Vårgårda Lager AB" in page.inner_text("main")
    assert "Lagerhanteringsprogram" in page.inner_text("main")
    visitor.check("plats")

    # --- a participant is registered (through the API, as the case system would) -------------
    token = service.token("samordnare")
    candidate = service.api(
        "POST",
        "/api/v1/candidates",
        token,
        {
            "first_name": "Amina",
            "last_name": "Deltagare",
            "email": "amina@deltagare.example.se",
            "track": "kompetens",
            "home_town": "Vårgårda",
            "adaptations": [{"text": "Korta pauser varje timme", "shareable": True}],
            "plan_goal": "Arbete inom lager och logistik",
            # Her consent to contacting hosts: no proposal without it.
            "consent_date": clock.today().isoformat(),
            "consent_method": "skriftligt",
        },
    )

    # --- the coordinator finds the slot with a misspelled word and proposes Amina -------------
    page = coordinator.goto(f"/arbetsbord/deltagare/{candidate['id']}")
    coordinator.check("deltagare")
    page = coordinator.goto("/arbetsbord/platser")
    page.get_by_label("Vad vill du göra?").fill("lagerarbte")
    page.get_by_label("Vad vill du göra?").press("Enter")
    page.wait_for_url(re.compile(r"q=lagerarbte"))  # htmx swapped the hits and pushed the URL
    hit = page.locator("#results li", has_text="Lagerarbete på centrallagret")
    assert "stavfel" in hit.inner_text()
    coordinator.check("arbetsbord-sok")
    hit.get_by_role("link", name=re.compile("Föreslå")).click()
    coordinator.check("foresla")
    page.get_by_role("combobox", name=re.compile("^Deltagare")).select_option(
        label="Amina Deltagare"
    )
    page.get_by_label("Meddelande till värden").fill("Amina vill arbeta med lager och logistik.")
    page.get_by_role("button", name="Skicka förslaget till värden").click()
    assert "föreslagen" in page.inner_text("main")
    booking_url = page.url

    # --- the host accepts and signs ----------------------------------------------------------
    page = host.goto("/vard")
    # Until the host says yes, it sees the participant's first name only.
    assert "Amina till Lagerarbete på centrallagret" in page.inner_text("#forslag")
    assert "Amina Deltagare" not in page.inner_text("#forslag")
    host.check("vard-forslag")
    page.get_by_role("button", name="Acceptera Amina").click()
    assert "accepterad" in page.inner_text("main")
    assert "Korta pauser varje timme" in page.inner_text("main")
    host.check("vard-bokning")
    host_booking_url = page.url

    # --- the coordinator completes the agreement, signs it and sends the links ---------------
    page = coordinator.page
    page.goto(booking_url)
    page.get_by_text("Ändra överenskommelsen", exact=True).click()
    # Both sides of the win-win: the agreement is signed only once both are written.
    page.get_by_label("Deltagarens mål").fill("Pröva lagerarbete och få en referens")
    page.get_by_label("Vad värden får ut av placeringen").fill("Hjälp vid inleveranser")
    page.get_by_role("button", name="Spara överenskommelsen").click()
    page.get_by_role("button", name="Skriv under som samordnare").click()
    coordinator.check("overenskommelse")

    # --- the host signs in the app ------------------------------------------------------------
    host.page.goto(host_booking_url)
    assert "Hjälp vid inleveranser" in host.page.inner_text("#overenskommelse")
    host.page.get_by_role("button", name="och skriver under för organisationen").click()
    assert "och skriver under för organisationen" not in host.page.inner_text("main")
    host.check()
    with page.expect_navigation():  # a bare click returns once the answer starts to arrive
        page.get_by_role("button", name="Skicka länkar för underskrift").click()
    # The page says where the links went, never the links: each is in its party's mail.
    assert page.locator("li.signing-link-sent").count() == 2
    assert "/underteckna/" not in page.content()
    coordinator.check("signeringslankar")
    urls = [_link(body, "/underteckna/") for body in service.mails("agreement.link")[-2:]]
    for number, url in enumerate(urls):
        signer = new_visit()
        signer.page.goto(url)
        signer.check(f"underteckna-{number}")
        signer.page.get_by_role("button", name="Jag godkänner").click()
        assert "Du har godkänt" in signer.page.get_by_role("heading", level=1).first.inner_text()
        signer.check()

    # --- the placement runs and ends ---------------------------------------------------------
    page.goto(booking_url)
    assert "överenskommen" in page.inner_text("main")
    page.get_by_role("button", name="Starta placeringen nu").click()
    assert "pågående" in page.inner_text("main")
    page.get_by_label("Hur slutade placeringen?").select_option("completed")
    page.get_by_label("Ja, avsluta placeringen").check()
    page.get_by_role("button", name="Avsluta placeringen").click()
    assert "avslutad" in page.inner_text("main"), page.inner_text("main")

    # --- the supervisor assesses through the link in the mail ----------------------------------
    assessment_url = _link(service.mails("assessment.link")[-1], "/bedomning/")
    supervisor = new_visit()
    supervisor.page.goto(assessment_url)
    supervisor.check("bedomning")
    supervisor.page.get_by_role("group", name="Närvaro").get_by_role("radio").first.check()
    supervisor.page.get_by_role("group", name="Rekommendation").get_by_role("radio").first.check()
    supervisor.page.get_by_role("button", name="Skicka bedömningen").click()
    supervisor.check()

    # --- the coordinator records the outcome: work ---------------------------------------------
    page.goto(booking_url)
    page.get_by_role("combobox", name=re.compile("^Utfall")).select_option("arbete")
    page.get_by_label("Anställningen varar minst en månad i följd").check()
    page.get_by_label("Anställd hos värden").check()
    page.get_by_role("button", name="Registrera utfallet").click()
    assert "Registrerat: Arbete" in page.inner_text("main")
    coordinator.check("utfall")

    # --- the dashboard counts it, but never shows a figure about fewer than 5 persons ---------
    analyst = new_visit()
    analyst.login("analytiker")
    page = analyst.goto("/oversikt")
    month = clock.today().strftime("%Y-%m")
    row = page.locator("#work-or-studies table tr", has_text=month)
    assert row.locator("td").inner_text().strip() == "färre än 5"
    analyst.check("oversikt")

    # --- a host opening a coordinator page gets a Swedish 403 page -----------------------------
    page = host.goto("/arbetsbord", expect_status=403)
    assert page.get_by_role("heading", level=1).inner_text() == "Ingen behörighet"
    assert "Traceback" not in page.content()
    host.check("403")
