"""Browser tests: the real service in a subprocess, driven by Debian's Chromium.

Playwright's sync API cannot share a pytest run with pytest-asyncio tests, so these run in a
pytest invocation of their own, which must not load `tests/conftest.py` (its async fixtures
would reset the database of the asyncio suite and start an event loop):

    .venv/bin/pytest tests/browser --confcutdir=tests/browser -p no:cacheprovider

`scripts/test` runs exactly that after the main suite. The service runs on a temporary SQLite
file; Playwright never downloads a browser: it launches Debian's Chromium, which `.ci/run`
installs: its headless shell (package chromium-headless-shell, the build Playwright itself
runs headless) where present, else the full browser (package chromium); `CHROMIUM=/path`
chooses. The same Blink renders both; the shell leaves out the browser's windowing layer and
costs a quarter less CPU per page (bench/RESULTS.md, CI time, eleventh step). Every page a test visits is checked with axe-core (vendored in
`vendor/`) and must show zero WCAG 2.1 A/AA violations and no console errors (a CSP violation
shows as one). Screenshots go to `test-artifacts/screenshots/` (or `$SCREENSHOT_DIR`);
`SCREENSHOTS=off` (what `scripts/test` sets under CI, where nobody looks at them) leaves them
out: every check still runs, and a failing test's tabs are still photographed.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Response,
    sync_playwright,
)

STARTUP_S = 240  # how long the demo service may take to answer (`service`)
ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM") or next(
    (p for p in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if os.path.exists(p)),
    "/usr/bin/chromium",
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.1 level A and AA, as DOS-lagen requires (axe's tags for 2.0 and the 2.1 additions).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-artifacts" / "screenshots"))
# SCREENSHOTS=off: the checks run, nothing is photographed but a failing test's tabs. The
# ~390 full-page PNGs cost Chromium about a sixth of its CPU in this pass.
SCREENSHOTS = os.environ.get("SCREENSHOTS", "on") != "off"
PASSWORD = "praktik-demo-2026"  # the demo users' documented password (marketplace/demo.py)


def pytest_configure(config: pytest.Config) -> None:
    if "tests.conftest" in sys.modules:
        raise pytest.UsageError(
            "Run the browser tests on their own: "
            ".venv/bin/pytest tests/browser --confcutdir=tests/browser"
        )


def photograph(page: Page, path: Path) -> None:
    """A full-page screenshot of the page as it stands, unless SCREENSHOTS=off."""
    if SCREENSHOTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    """The running service: its address, its environment and a way to run CLI commands."""

    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run `marketplace <args>` against the same database; return stdout, fail loudly."""
        result = subprocess.run(
            [sys.executable, "-m", "marketplace.cli", *args],
            env=self.env,
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"marketplace {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def mails(self, kind: str) -> list[str]:
        """Bodies of the queued mails of a kind, oldest first (the scheduler is off, so mail
        stays in the outbox, where a person's inbox would be)."""
        path = self.env["DATABASE_URL"].removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            rows = db.execute(
                "SELECT body_text FROM mp_outbox WHERE kind = ? ORDER BY id", (kind,)
            ).fetchall()
        return [r[0] for r in rows]

    def write_win_win(self, booking_id: int) -> None:
        """Write the win-win of the booking's agreement where it is still empty, as the parties
        would before signing: an agreement is signed, and links sent, only once both sides of
        it are written (the API writes them through a new version; the tests name versions)."""
        path = self.env["DATABASE_URL"].removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            db.execute(
                "UPDATE pl_agreement SET participant_goals = 'Pröva arbetet och få en referens' "
                "WHERE booking = ? AND trim(participant_goals) = ''",
                (booking_id,),
            )
            db.execute(
                "UPDATE pl_agreement SET host_gains = 'Hjälp i det dagliga arbetet' "
                "WHERE booking = ? AND trim(host_gains) = ''",
                (booking_id,),
            )

    def api(self, method: str, path: str, token: str, body: Any = None) -> Any:
        """Call the JSON API with a Bearer token, as an integration would."""
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")

    def token(self, username: str) -> str:
        """A fresh API token for the user, made through the CLI."""
        return self.cli("tokens", "create", username, "--name", "browser-test").split()[-1]


@pytest.fixture(scope="session")
def service() -> Iterator[Service]:
    """`marketplace serve --demo` on a free port and a fresh SQLite file."""
    tmp = Path(tempfile.mkdtemp(prefix="mp-browser-"))
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "PICCOLO_"))},
        "DATABASE_URL": f"sqlite:///{tmp / 'browser.sqlite3'}",
        "VAR_DIR": str(tmp / "var"),
        "SECRET_KEY": "browser-test-secret-" + "k" * 32,
        "ENVIRONMENT": "development",
        "SCHEDULER_ENABLED": "false",
        "BASE_URL": f"http://127.0.0.1:{port}",
        # Every tab signs in from 127.0.0.1; the sign-in limits are tested in the main suite.
        "LOGIN_LIMIT_PER_CLIENT": "100000",
        "LOGIN_LIMIT_PER_ACCOUNT": "100000",
        # An SMTP port nothing listens on: mail stays in the outbox, where links are read.
        "SMTP_PORT": str(_free_port()),
    }
    log_path = tmp / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "marketplace.cli", "serve", "--demo", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    svc = Service(f"http://127.0.0.1:{port}", env, process, log_path)
    # About 40 s on an idle machine; the browser pass runs beside the SQLite and PostgreSQL
    # passes on two cores, where 90 s was once not enough.
    deadline = time.monotonic() + STARTUP_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited with {process.returncode}:\n{svc.log()}")
        try:
            with urllib.request.urlopen(svc.base_url + "/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            process.terminate()
            raise RuntimeError(f"the service did not answer within {STARTUP_S} s:\n{svc.log()}")
        time.sleep(0.3)
    yield svc
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A signed-in (or anonymous) browser tab with the page checks every test applies."""

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str, *, expect_status: int = 200) -> Page:
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == expect_status, (
            f"GET {path}: {response.status}\n{self.page.content()[:2000]}"
        )
        return self.page

    def check(self, name: str | None = None, *, lang: str = "sv") -> None:
        """Assert zero axe-core WCAG 2.1 A/AA violations and no console errors; screenshot.
        Pages are Swedish, but the participant's own pages in the language they chose."""
        page = self.page
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.lang") == lang
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # evaluate() runs outside the page's CSP, so the page keeps `script-src 'self'`.
            page.evaluate(AXE_JS.read_text())
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            AXE_TAGS,
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)
        errors, self.console_errors[:] = list(self.console_errors), []
        assert not errors, f"console errors on {page.url}:\n" + "\n".join(errors)
        self.checked.append(page.url)
        if name:
            photograph(page, SCREENSHOT_DIR / f"{name}.png")

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Sign in through the form, by keyboard, as a person would."""
        self.goto("/logga-in")
        self.page.get_by_label("Användarnamn").fill(username)
        self.page.get_by_label("Lösenord").fill(password)
        self.page.get_by_label("Lösenord").press("Enter")
        self.page.wait_for_load_state("load")
        assert "/logga-in" not in self.page.url, self.page.content()[:2000]

    def logout(self) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Logga ut").click()


def _collect_errors(errors: list[str]) -> Callable[[ConsoleMessage], None]:
    def on_console(message: ConsoleMessage) -> None:
        # Chromium logs every 4xx answer, also a form's deliberate 400; failed loads of
        # sub-resources are caught by `_collect_failed_loads`, documents by `Visit.goto`.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    return on_console


def _collect_page_errors(errors: list[str]) -> Callable[[Error], None]:
    def on_page_error(exc: Error) -> None:
        errors.append(f"uncaught: {exc}")

    return on_page_error


def _collect_failed_loads(errors: list[str]) -> Callable[[Response], None]:
    """A failing script, style sheet or htmx request is an error; the document's own status
    is asserted by `Visit.goto`."""

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} on {response.request.method} {response.url}")

    return on_response


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


FAILED = pytest.StashKey[bool]()
FAILURE_DIR = SCREENSHOT_DIR.parent / "failures"


@pytest.fixture
def new_visit(
    browser: Browser, service: Service, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Visit]]:
    """Open independent tabs (own cookies), e.g. the host's and the coordinator's side by side.

    When the test fails, each tab's screenshot and HTML go to test-artifacts/failures/.
    """
    contexts: list[BrowserContext] = []

    def factory(**options: Any) -> Visit:
        context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", **options)
        # Generous: CI runs this pass beside both engines' suites on two cores, where a page
        # that takes 2 s alone has taken 10; a page that hangs still fails.
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page, service.base_url)
        page.on("console", _collect_errors(visit.console_errors))
        page.on("pageerror", _collect_page_errors(visit.console_errors))
        page.on("response", _collect_failed_loads(visit.console_errors))
        return visit

    yield factory
    if request.node.stash.get(FAILED, False):
        FAILURE_DIR.mkdir(parents=True, exist_ok=True)
        for number, context in enumerate(contexts):
            for tab in context.pages:
                stem = FAILURE_DIR / f"{request.node.name}-{number}"
                tab.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(f"<!-- {tab.url} -->\n{tab.content()}")
    for context in contexts:
        context.close()


@pytest.fixture
def visit(new_visit: Callable[[], Visit]) -> Visit:
    return new_visit()
