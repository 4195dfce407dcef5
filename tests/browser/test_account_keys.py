"""Mitt konto in a real browser on a 375 px wide phone: a coordinator makes an API key (after a
form with two mistakes), sees its secret once, uses it, and revokes it after ticking the box;
an admin turns on two-step sign-in with an authenticator's code. Every page passes axe-core
and nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt
import io
import re
import urllib.error

import pyotp
import pytest
import zxingcpp
from PIL import Image

from tests.browser.conftest import PASSWORD, Service, Visit

PHONE = {"viewport": {"width": 375, "height": 800}}


def _fits(visit: Visit) -> None:
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    viewport = visit.page.evaluate("window.innerWidth")
    assert width <= viewport, f"{visit.page.url} is {width} px wide in a {viewport} px window"


def test_a_key_is_made_seen_once_used_and_revoked_on_a_phone(new_visit, service: Service) -> None:
    visit: Visit = new_visit(**PHONE)
    visit.login("samordnare")
    page = visit.goto("/arbetsbord")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Mitt konto").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mitt konto"
    _fits(visit)
    visit.check("konto-375")

    # Two mistakes, both shown at once, what was typed kept.
    page.get_by_label(re.compile("^Antal dagar")).fill("400")
    page.get_by_role("button", name="Skapa nyckeln").click()
    assert "Formuläret behöver rättas" in page.get_by_role("alert").inner_text()
    name = page.get_by_label(re.compile("^Namn på nyckeln"))
    days = page.get_by_label(re.compile("^Antal dagar"))
    assert name.get_attribute("aria-invalid") == "true"
    assert days.get_attribute("aria-invalid") == "true"
    assert days.input_value() == "400"
    _fits(visit)
    visit.check("konto-nyckel-fel-375")

    name.fill("Ekonomisystemet")
    days.fill("30")
    page.get_by_role("button", name="Skapa nyckeln").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Din nya API-nyckel"
    assert "Den visas bara nu" in page.inner_text("main")
    secret = page.get_by_label("API-nyckel").input_value()
    assert secret.startswith("mpt_")
    _fits(visit)
    visit.check("konto-nyckel-skapad-375")
    # The key works for an integration.
    assert service.api("GET", "/api/v1/me", secret)["username"] == "samordnare"

    page.get_by_role("link", name="Tillbaka till Mitt konto").click()
    assert secret not in page.content()  # never shown again
    key = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Ekonomisystemet")
    )
    assert "Aktiv" in key.inner_text()
    key.get_by_role("button", name=re.compile("^Återkalla nyckeln")).click()
    assert "Kryssa i rutan" in page.get_by_role("alert").inner_text()
    _fits(visit)
    visit.check("konto-aterkalla-fel-375")
    key = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Ekonomisystemet")
    )
    key.get_by_role("checkbox", name="Ja, återkalla nyckeln Ekonomisystemet").check()
    key.get_by_role("button", name=re.compile("^Återkalla nyckeln")).click()
    assert "API-nyckeln är återkallad." in page.locator("p.ok[role=status]").inner_text()
    key = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Ekonomisystemet")
    )
    assert "Återkallad" in key.inner_text()
    _fits(visit)
    visit.check("konto-aterkallad-375")
    with pytest.raises(urllib.error.HTTPError) as refused:
        service.api("GET", "/api/v1/me", secret)
    assert refused.value.code == 401
    refused.value.close()  # the refusal holds the answer's connection


def test_two_step_sign_in_is_turned_on_on_a_phone(new_visit, service: Service) -> None:
    # An account of its own: the demo's users sign in without a code in the other tests.
    service.cli(
        "users",
        "create",
        "tvastegsadmin",
        "--role",
        "admin",
        "--password",
        PASSWORD,
        "--email",
        "tove.tvasteg@vargarda.se",
    )
    visit: Visit = new_visit(**PHONE)
    visit.login("tvastegsadmin")
    page = visit.goto("/konto")
    assert "Tvåstegsverifieringen är av." in page.inner_text("main")
    page.get_by_role("button", name="Slå på tvåstegsverifiering").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Slå på tvåstegsverifiering"
    uri = page.locator("main a.secret").get_attribute("href")
    assert uri is not None and uri.startswith("otpauth://totp/")
    totp = pyotp.TOTP(pyotp.parse_uri(uri).secret)
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == totp.secret
    # The QR code, as the phone's camera sees it, holds the same key and account.
    shot = page.get_by_role("img", name=re.compile("QR-kod")).screenshot()
    scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [s.text for s in scanned] == [uri]
    _fits(visit)
    visit.check("konto-tvasteg-375")

    code = page.get_by_label(re.compile("^Koden"))
    code.fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Slå på tvåstegsverifiering").click()
    assert "Koden stämmer inte" in page.get_by_role("alert").inner_text()
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == totp.secret
    _fits(visit)
    visit.check("konto-tvasteg-fel-375")
    page.get_by_label(re.compile("^Koden")).fill(totp.now())
    page.get_by_role("button", name="Slå på tvåstegsverifiering").click()
    assert "Tvåstegsverifieringen är på." in page.locator("p.ok[role=status]").inner_text()
    visit.check("konto-tvasteg-pa-375")

    # Signing in now asks for the app's code.
    visit.logout()
    page = visit.goto("/logga-in")
    page.get_by_label("Användarnamn").fill("tvastegsadmin")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    assert "engångskoden" in page.get_by_role("alert").inner_text()
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_label(re.compile("^Engångskod")).fill(
        totp.at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    )
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(re.compile(r"/drift$"))  # an admin starts on Drift; the notice shown
    assert page.get_by_role("status").count() == 1
