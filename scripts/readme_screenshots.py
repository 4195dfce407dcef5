"""Retake the README's screenshots from the demo data.

Start the service with demo data first (`marketplace serve --demo --port 8123`), then run:

    .venv/bin/python scripts/readme_screenshots.py --url http://127.0.0.1:8123

Uses Debian's Chromium through Playwright (never a downloaded browser). Writes
docs/screenshots/*.png.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "praktik-demo-2026"  # noqa: S105 - the documented demo login


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/logga-in")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
    print(f"docs/screenshots/{name}.png: {page.title()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    args = parser.parse_args()
    url = args.url.rstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
        page = desktop.new_page()
        page.goto(f"{url}/platser?q=lager")
        shoot(page, "platser")
        sign_in(page, url, "samordnare")
        page.goto(f"{url}/arbetsbord/platser?q=kasa")
        shoot(page, "arbetsbord-sok")
        page.goto(f"{url}/arbetsbord")
        link = page.locator("a[href^='/arbetsbord/bokningar/']").first
        href = link.get_attribute("href") or ""
        booking = re.search(r"/arbetsbord/bokningar/(\d+)", href)
        if booking:
            page.goto(f"{url}/arbetsbord/bokningar/{booking.group(1)}#overenskommelse")
            shoot(page, "overenskommelse")
        host = desktop.new_page()
        sign_in(host, url, "vard")
        host.goto(f"{url}/vard")
        shoot(host, "vard-forslag")
        phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="sv-SE")
        mobile = phone.new_page()
        sign_in(mobile, url, "samordnare")
        mobile.goto(f"{url}/arbetsbord")
        shoot(mobile, "arbetsbord-375")
        browser.close()


if __name__ == "__main__":
    main()
