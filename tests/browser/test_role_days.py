"""A real working day for every role, end to end, through the pages only: the public, a
coordinator, a host with an account, a host without one, a municipal unit, an analyst and an
admin, each at desktop width (1280 px) and on a phone (375 px).

Every page visited passes axe-core (WCAG 2.1 A/AA) with no console errors (`Visit.check`),
shows no internal identifier (a snake_case name) and no English system message, and does not
scroll sideways. Each step's screenshot goes to
`test-artifacts/screenshots/days/<role>-<width>/NN-step.png`.

What other people do on the way (a coordinator proposing to the host whose day this is, the
participant signing on paper) is done through the JSON API, as another person or the case
system would; mail is read where a person would find it: in the admin's outbox page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Locator, Page

from employers.services.orgnr import luhn_check_digit
from marketplace.kernel import clock
from tests.browser.conftest import SCREENSHOT_DIR, Service, Visit

WIDTHS = [pytest.param(1280, id="1280"), pytest.param(375, id="375")]
DAYS_DIR = SCREENSHOT_DIR / "days"

# Pages that still scroll sideways at 375 px (issue 15, item 12), or still show the jobs and the
# audit log's events by their codes and English descriptions (item 8), which work in progress on
# another branch fixes: here the test records the sideways ones in sideways.txt instead of
# failing. Empty these when that work is merged; no other page may.
SIDEWAYS_PENDING: tuple[str, ...] = ()
LANGUAGE_PENDING: tuple[str, ...] = ()

# A snake_case name (an internal field or value) in the visible text of a page.
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
# English a system would say (a validator, a framework's error page, a null), and English
# prose (an untranslated description): words that never occur in Swedish text.
ENGLISH = re.compile(
    r"\b(Expected|Invalid|invalid|must be|is required|Not Found|Internal Server Error|"
    r"Bad Request|Forbidden|Traceback|None|null|undefined|NaN|True|False|"
    r"the|The|every|Every|once|with|whose)\b"
)


def _rows(service: Service, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    path = service.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchall()


def _org_number(nine: str) -> str:
    digits = nine + luhn_check_digit(nine)
    return f"{digits[:6]}-{digits[6:]}"


@dataclass
class Day:
    """One role's day in one tab: every step is checked and photographed."""

    visit: Visit
    role: str
    width: int
    steps: int = 0
    sideways: list[str] = field(default_factory=list)

    @property
    def page(self) -> Page:
        return self.visit.page

    def step(self, name: str) -> None:
        """Check the page as it stands (axe, console, language, width) and photograph it."""
        page = self.page
        page.wait_for_load_state("load")
        path = page.url.removeprefix(self.visit.base_url).split("?")[0].split("#")[0]
        text = page.inner_text("body")
        if not path.startswith(LANGUAGE_PENDING):
            assert not SNAKE.findall(text), f"internal names on {page.url}: {SNAKE.findall(text)}"
            assert not ENGLISH.findall(text), f"English on {page.url}: {ENGLISH.findall(text)}"
        width = page.evaluate("document.documentElement.scrollWidth")
        window = page.evaluate("window.innerWidth")
        if width > window:
            assert path.startswith(SIDEWAYS_PENDING), (
                f"{page.url} is {width} px wide in a {window} px window"
            )
            self.sideways.append(f"{path} ({width} px)")
        self.steps += 1
        self.visit.check(f"days/{self.role}-{self.width}/{self.steps:02d}-{name}")

    def goto(self, path: str, name: str, *, expect_status: int = 200) -> Page:
        self.visit.goto(path, expect_status=expect_status)
        self.step(name)
        return self.page

    def click(self, role: str, name: str | re.Pattern[str], **options: Any) -> None:
        """Click a link or button by its accessible name and wait for the new page."""
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=name, **options).first.click()  # type: ignore[arg-type]

    def status(self) -> str:
        """The success message the page announces."""
        return self.page.locator("[role=status]").first.inner_text()


@pytest.fixture
def new_day(
    new_visit: Callable[..., Visit],
) -> Iterator[Callable[[str, int], Day]]:
    """A tab for one role's day at a width; its screenshot folder starts empty."""
    days: list[Day] = []

    def factory(role: str, width: int) -> Day:
        folder = DAYS_DIR / f"{role}-{width}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        day = Day(new_visit(viewport={"width": width, "height": 900}), role, width)
        days.append(day)
        return day

    yield factory
    for day in days:
        if day.sideways:
            (DAYS_DIR / f"{day.role}-{day.width}" / "sideways.txt").write_text(
                "\n".join(day.sideways) + "\n"
            )


# --- the mail a person would read --------------------------------------------------------------


def _mail_link(
    service: Service, admin: Day, recipient: str, subject: str, path: str, name: str
) -> str:
    """Open the newest mail to `recipient` whose subject starts with `subject` in the
    admin's outbox page, which shows the link without its secret, and return the link that
    contains `path` as the recipient has it (the mail as sent, from the database)."""
    page = admin.goto("/drift/utkorg", f"utkorg-{name}")
    row = page.locator("tr", has_text=recipient).filter(has_text=subject).first
    with page.expect_navigation():
        row.get_by_role("link").first.click()
    admin.step(f"brev-{name}")
    shown = page.locator("pre.mail-body").inner_text()
    assert path + "[dold länk]" in shown or "?token=[dold länk]" in shown, shown
    [(body,)] = _rows(
        service,
        "SELECT body_text FROM mp_outbox WHERE recipient = ? AND subject LIKE ?"
        " ORDER BY id DESC LIMIT 1",
        recipient,
        subject + "%",
    )
    found = re.search(r"https?://\S+" + re.escape(path) + r"\S*", body)
    assert found, f"no {path} link in:\n{body}"
    return found.group(0)


def _coordinator_api(service: Service) -> Callable[..., Any]:
    token = service.token("samordnare")

    def call(method: str, path: str, body: Any = None) -> Any:
        return service.api(method, path, token, body)

    return call


def _participant(api: Callable[..., Any], first: str, last: str, track: str = "kompetens") -> int:
    created = api(
        "POST",
        "/api/v1/candidates",
        {
            "first_name": first,
            "last_name": last,
            "track": track,
            "home_town": "Vårgårda",
            "consent_date": clock.today().isoformat(),
            "consent_method": "muntligt",
            "adaptations": [{"text": "Vill börja klockan nio", "shareable": True}],
        },
    )
    return int(created["id"])


def _coordinator_writes_goals(service: Service, page: Page) -> None:
    """The coordinator writes the participant's side of the win-win (the host's page shows
    the booking): the agreement is signed only once both sides are written."""
    found = re.search(r"/vard/bokningar/(\d+)", page.url)
    assert found, page.url
    service.write_win_win(int(found.group(1)))
    page.reload()


def _sign_end_and_close(service: Service, api: Callable[..., Any], booking_id: int) -> None:
    """What the coordinator and the participant do after the host signed: the coordinator
    signs, the supervisor and the participant sign on paper, the placement starts and ends."""
    service.write_win_win(booking_id)
    version = api("GET", f"/api/v1/bookings/{booking_id}/agreement")["version"]
    signatures = api("GET", f"/api/v1/bookings/{booking_id}/agreement")["signatures"]
    missing = {s["party"] for s in signatures if not s["signed"]}
    if "coordinator" in missing:
        api("POST", f"/api/v1/bookings/{booking_id}/agreement/sign", {"version": version})
    for party in ("supervisor", "participant"):
        if party in missing:
            api(
                "POST",
                f"/api/v1/bookings/{booking_id}/agreement/paper-signature",
                {"party": party, "version": version},
            )
    api("POST", f"/api/v1/bookings/{booking_id}/start")
    api("POST", f"/api/v1/bookings/{booking_id}/end", {"result": "completed"})


def _hit(page: Page, title: str, host: str) -> Locator:
    """The search result whose title is exactly `title` at `host`: a bare substring would also
    take "Praktik som kassapersonal" for "Kassapersonal" (another test may publish one)."""
    exact = page.get_by_role("heading", name=title, exact=True)
    return page.locator("#results li", has_text=host).filter(has=exact).first


# Published slots at active hosts that no user signs in for and where nothing is booked yet,
# whose supervisor and contact person have addresses, open for the next months, with a title
# no other published slot has (so a search for it finds it on the first page).
FREE_SLOTS = """
SELECT s.id, s.title, h.name, c.email
FROM pl_slot s
JOIN emp_host h ON h.id = s.host
JOIN emp_contact sup ON sup.id = s.supervisor
JOIN emp_contact c ON c.host = h.id AND c.is_public_contact AND c.active AND c.email <> ''
WHERE s.status = 'published' AND h.active AND sup.active AND sup.email <> ''
  AND NOT EXISTS (SELECT 1 FROM emp_membership m WHERE m.host = h.id)
  AND NOT EXISTS (SELECT 1 FROM pl_booking b JOIN pl_slot o ON o.id = b.slot WHERE o.host = h.id)
  AND (s.start_date IS NULL OR s.start_date <= date('now'))
  AND (s.end_date IS NULL OR s.end_date > date('now', '+100 days'))
  AND (SELECT count(*) FROM pl_slot t WHERE t.title = s.title AND t.status = 'published') = 1
ORDER BY s.id
"""
# Published slots of a host user's organisation whose supervisor is fully booked now.
FULL_SLOTS = """
SELECT s.id, s.title, h.name
FROM pl_slot s
JOIN emp_host h ON h.id = s.host
JOIN emp_contact sup ON sup.id = s.supervisor
WHERE s.status = 'published' AND h.name = ?
  AND (SELECT count(*) FROM pl_booking b WHERE b.supervisor = sup.id
       AND b.status IN ('accepted', 'agreed', 'active')
       AND (b.end_date IS NULL OR b.end_date >= date('now'))) >= sup.supervision_capacity
ORDER BY s.id
"""

# Slots whose supervisor has no room during a period (start, end): the bookings that hold a
# seat and overlap it, as the service counts them.
FULL_DURING = """
SELECT s.id, s.title, h.name
FROM pl_slot s
JOIN emp_host h ON h.id = s.host
JOIN emp_contact sup ON sup.id = s.supervisor
WHERE s.status = 'published' AND h.name = ?
  AND (SELECT count(*) FROM pl_booking b WHERE b.supervisor = sup.id
       AND b.status IN ('accepted', 'agreed', 'active')
       AND (b.end_date IS NULL OR b.end_date >= ?)
       AND (b.start_date IS NULL OR b.start_date <= ?)) >= sup.supervision_capacity
ORDER BY s.id
"""

# A published slot with seats for two and a supervisor who guides one at a time.
SLOT_WITH_ROOM = """
SELECT s.id FROM pl_slot s
JOIN emp_host h ON h.id = s.host
JOIN emp_contact sup ON sup.id = s.supervisor
WHERE s.status = 'published' AND h.name = ? AND s.capacity >= 2
  AND sup.supervision_capacity = 1 AND sup.active
ORDER BY s.id
"""


# --- the public -----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_role_public_searches_opens_a_slot_and_offers_one(
    new_day: Callable[[str, int], Day], width: int
) -> None:
    day = new_day("allmanhet", width)
    page = day.goto("/", "start")
    day.click("link", "Sök praktikplats")
    day.step("sok")

    # An everyday word: "dagis" is what people say for förskola.
    search = page.get_by_label("Vad vill du göra?")
    search.fill("dagis")
    search.press("Enter")
    page.wait_for_url(re.compile(r"q=dagis"))
    hits = page.locator("#results li")
    assert hits.count() > 0, page.inner_text("#results")
    assert re.search(r"[Bb]arnskötare|[Ff]örskol", page.inner_text("#results"))
    day.step("vardagsord")

    # A misspelled word still finds the slots, and says so.
    search.fill("undersköterka")
    search.press("Enter")
    page.wait_for_url(re.compile(r"q=undersk%C3%B6terka"))
    hit = page.locator("#results li", has_text="Undersköterska").first
    assert "stavfel" in hit.inner_text()
    assert re.search(r"ledig|Fullbokad", hit.inner_text())  # free places are shown
    day.step("stavfel")

    with page.expect_navigation():
        hit.get_by_role("link").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Undersköterska")
    assert "Lediga platser" in page.inner_text("main")
    day.step("plats")

    # An employer who read the slot offers one of their own.
    day.click("link", "Erbjud en praktikplats")
    day.step("erbjud")
    name = f"Kullings Kakelugnsmakeri {width}"
    page.get_by_label("Organisationens namn").fill(name)
    page.get_by_label("Typ av organisation").select_option("company")
    page.get_by_label("Organisationsnummer").fill(_org_number(f"5566{width:05d}"))
    page.get_by_label("Ort").fill("Vårgårda")
    page.get_by_label("Kontaktperson").fill("Greta Kakelsson")
    page.get_by_label("E-postadress").fill(f"greta{width}@kakel.example")
    page.get_by_label("Vad kan ni erbjuda?").fill("Praktik i vår verkstad: puts, kakel och lera.")
    day.click("button", "Skicka intresseanmälan")
    assert "Tack för er anmälan" in page.get_by_role("heading", level=1).inner_text()
    day.step("tack")


# --- a coordinator ------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_role_coordinator_registers_proposes_and_follows_a_placement_to_its_outcome(
    service: Service, new_day: Callable[[str, int], Day], width: int
) -> None:
    first, last = {1280: ("Tindra", "Vågbäck"), 375: ("Alvar", "Östling")}[width]
    full_slot = _rows(service, FULL_SLOTS, "Vårgårda Bygg AB")
    assert full_slot, "the demo has a fully booked supervisor at Vårgårda Bygg AB"
    _, full_title, full_host = full_slot[0]
    free = _rows(service, FREE_SLOTS)
    assert free, "the demo has free slots at hosts without an account"
    _, title, host, _ = free[0]
    day = new_day("samordnare", width)
    day.visit.login("samordnare")
    page = day.page
    day.step("arbetsbord")

    # --- register a participant, with consent ---------------------------------------------------
    day.click("link", "Ny deltagare")
    day.step("ny-deltagare")
    page.get_by_label(re.compile("^Förnamn")).fill(first)
    page.get_by_label(re.compile("^Efternamn")).fill(last)
    page.get_by_label("E-postadress").fill(f"{first.lower()}@deltagare.example")
    page.get_by_label(re.compile("^Spår")).select_option(label="Kompetens")
    page.get_by_label("Hemort").fill("Vårgårda")
    page.get_by_label("Dag för samtycket").fill(clock.today().isoformat())
    page.get_by_label("Hur samtycket gavs").select_option(
        label="Muntligt (antecknat av samordnaren)"
    )
    day.click("button", "Registrera deltagaren")
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"{first} {last}")
    assert "Inte registrerat" not in page.inner_text("main")  # the consent is recorded
    # Only the best matches are listed, and the page says so (no count without a way to them).
    assert "som passar bäst visas" in page.locator("#results [role=status]").inner_text()
    day.step("deltagare")
    participant_url = page.url

    # --- a slot whose supervisor is fully booked: the coordinator is warned ---------------------
    day.click("link", "Sök fritt bland platserna")
    page.get_by_label("Vad vill du göra?").fill(full_title)
    page.get_by_label("Vad vill du göra?").press("Enter")
    page.wait_for_url(re.compile(r"q="))
    hit = _hit(page, full_title, full_host)
    day.step("sok-full")
    with page.expect_navigation():
        hit.get_by_role("link", name=re.compile("^Föreslå")).click()
    page.get_by_role("combobox", name=re.compile("^Deltagare")).select_option(
        label=f"{first} {last}"
    )
    day.click("button", "Skicka förslaget till värden")
    warning = page.get_by_role("group", name="Värden har inte plats under perioden")
    assert "Kryssa i rutan" in warning.inner_text() or "kryssa i rutan" in warning.inner_text()
    assert page.get_by_label(re.compile("Jag har läst varningen")).is_visible()
    day.step("varning-handledare")

    # --- ... so the coordinator proposes a free slot instead -----------------------------------
    day.click("link", "Sök platser")
    page.get_by_label("Vad vill du göra?").fill(title)
    page.get_by_label("Vad vill du göra?").press("Enter")
    page.wait_for_url(re.compile(r"q="))
    hit = _hit(page, title, host)
    with page.expect_navigation():
        hit.get_by_role("link", name=re.compile("^Föreslå")).click()
    day.step("foresla")
    today = clock.today()
    page.get_by_role("combobox", name=re.compile("^Deltagare")).select_option(
        label=f"{first} {last}"
    )
    page.get_by_label("Meddelande till värden").fill(
        f"{first} vill gärna prova arbetet hos er, helst på förmiddagarna."
    )
    page.get_by_label("Startdatum").fill(today.isoformat())
    page.get_by_label("Slutdatum").fill((today + dt.timedelta(days=28)).isoformat())
    day.click("button", "Skicka förslaget till värden")
    assert "föreslagen" in page.inner_text("main")
    assert "engångslänk" in page.inner_text("#svar")  # the host has no account: mailed a link
    day.step("foreslagen")
    booking_path = page.url.removeprefix(day.visit.base_url).split("?")[0]

    # --- the host answers by phone; the coordinator records it ---------------------------------
    page.get_by_text("Svar per telefon").click()
    page.get_by_label("Värden tackar ja").check()
    page.get_by_label(re.compile("^Vem hos värden svarade")).fill("Kim Karlsson, platschef")
    page.get_by_label(re.compile("^Anteckning om samtalet")).fill(
        "Tackar ja, börjar måndag klockan nio."
    )
    day.click("button", "Registrera svaret")
    assert "accepterad" in page.inner_text("main")
    assert "Kim Karlsson" in page.inner_text(".timeline")
    day.step("telefonsvar")

    # --- the agreement: completed, signed in the app and on paper, printable, as a PDF --------
    page.get_by_text("Ändra överenskommelsen", exact=True).click()
    page.get_by_label("Schema per vecka").fill("Måndag–torsdag 9–14")
    page.get_by_label("Uppgifter").fill("Ta emot varor, plocka och packa.")
    page.get_by_label("Deltagarens mål").fill("Pröva yrket och få en referens.")
    page.get_by_label("Vad värden får ut av placeringen").fill("Avlastning i vardagen.")
    day.click("button", "Spara överenskommelsen")
    assert "Måndag–torsdag 9–14" in page.inner_text("#overenskommelse")
    day.step("overenskommelse")
    day.click("button", "Skriv under som samordnare")
    for party in ("Värd", "Handledare", "Deltagare"):
        page.get_by_text("Registrera en underskrift på papper").click()
        page.get_by_label("Vem skrev under på papper?").select_option(label=party)
        if party == "Värd":
            # The host's signature is in the name of the person who signed for it.
            page.get_by_label("Vem skrev under för värden?").fill("Kim Karlsson")
        day.click("button", "Registrera underskrift på papper")
    assert "överenskommen" in page.inner_text("main")
    assert "Väntar" not in page.inner_text("table.signatures")
    day.step("underskrivet")
    pdf = page.get_by_role("link", name=re.compile("Ladda ner som PDF"))
    answer = page.request.get(day.visit.url(pdf.get_attribute("href") or ""))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    day.click("link", "Utskriftsvänlig version")
    assert title in page.inner_text("main") and f"{first} {last}" in page.inner_text("main")
    day.step("utskrift")
    page.go_back()

    # --- the placement starts, and ends after a confirmation ----------------------------------
    day.goto(booking_path, "overenskommen")
    day.click("button", "Starta placeringen nu")
    assert "pågående" in page.inner_text("main")
    day.step("pagaende")
    page.get_by_label("Hur slutade placeringen?").select_option(label="Genomförd enligt plan")
    day.click("button", "Avsluta placeringen")
    assert page.get_by_label("Ja, avsluta placeringen").get_attribute("aria-invalid") == "true"
    assert "pågående" in page.inner_text("main")  # nothing ended without the tick
    day.step("avsluta-bekrafta")
    page.get_by_label("Ja, avsluta placeringen").check()
    day.click("button", "Avsluta placeringen")
    assert "avslutad" in page.inner_text("main")
    day.step("avslutad")

    # --- the outcome ---------------------------------------------------------------------------
    page.get_by_role("combobox", name=re.compile("^Utfall")).select_option(label="Studier")
    page.get_by_label("Studierna ger rätt till studiemedel (CSN)").check()
    day.click("button", "Registrera utfallet")
    assert "Registrerat: Studier" in page.inner_text("main")
    day.step("utfall")

    # --- the participant's timeline, then the follow-ups that are due ---------------------------
    page.goto(participant_url)
    assert title in page.inner_text("main")
    day.step("tidslinje")
    day.click("link", "Arbetsbord", exact=True)
    form = page.locator("#uppfoljningar form").first
    who = form.locator("strong").inner_text()
    form.get_by_label(re.compile("^Var är")).select_option(label="Annan insats")
    form.get_by_label("Anteckning").fill("Går en kurs i svenska för yrkeslivet.")
    with page.expect_navigation():
        form.get_by_role("button", name="Spara uppföljningen").click()
    assert page.url.endswith("#uppfoljningar")
    day.step("uppfoljning")
    assert who  # the follow-up named the person it was about


# --- a host with an account ---------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_role_host_answers_picks_a_supervisor_edits_signs_and_assesses(
    service: Service, new_day: Callable[[str, int], Day], width: int
) -> None:
    first, last = {1280: ("Vera", "Hjulström"), 375: ("Måns", "Fälgén")}[width]
    supervisor = {1280: "Leo Däckman", 375: "Ylva Ventil"}[width]
    host = "Vårgårda Däck & Service AB"
    today = clock.today()
    period_end = today + dt.timedelta(days=21)
    api = _coordinator_api(service)
    full = _rows(service, FULL_DURING, host, today.isoformat(), period_end.isoformat())
    if not full:
        # Earlier tests on the shared service may have freed the demo's busy supervisor: make
        # one busy for the period the way a host does, by accepting another proposal.
        [(free_slot,)] = _rows(service, SLOT_WITH_ROOM, host)[:1]
        filler = api(
            "POST",
            "/api/v1/bookings",
            {
                "slot_id": free_slot,
                "candidate_id": _participant(api, f"Fylla{width}", "Platsson"),
                "start_date": today.isoformat(),
                "end_date": period_end.isoformat(),
                "confirm_capacity": True,
            },
        )
        service.api("POST", f"/api/v1/bookings/{filler['id']}/accept", service.token("vard"), {})
        full = _rows(service, FULL_DURING, host, today.isoformat(), period_end.isoformat())
    assert full, f"the demo has a fully booked supervisor at {host}"
    slot_id, _, _ = full[0]
    candidate = _participant(api, first, last)
    booking = api(
        "POST",
        "/api/v1/bookings",
        {
            "slot_id": slot_id,
            "candidate_id": candidate,
            "message": f"{first} har jobbat på en verkstad förut och vill tillbaka.",
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=21)).isoformat(),
            "confirm_capacity": True,
        },
    )
    # A second proposal, which the host declines.
    other = {1280: ("Hugo", "Bultén"), 375: ("Saga", "Mutterström")}[width]
    api(
        "POST",
        "/api/v1/bookings",
        {
            "slot_id": slot_id,
            "candidate_id": _participant(api, *other),
            "message": f"{other[0]} vill helst arbeta med bilar.",
            "start_date": (today + dt.timedelta(days=60)).isoformat(),
            "end_date": (today + dt.timedelta(days=90)).isoformat(),
            "confirm_capacity": True,
        },
    )

    day = new_day("vard", width)
    day.visit.login("vard")
    page = day.page
    # Until the host says yes, it sees the participant's first name only.
    proposal = page.locator("#forslag article", has_text=re.compile(rf"\b{first} till "))
    assert last not in proposal.inner_text()
    assert "inte plats" in proposal.inner_text()  # the usual supervisor is busy
    day.step("min-organisation")

    # --- one proposal is declined, with a reason -------------------------------------------------
    declined = page.locator("#forslag article", has_text=re.compile(rf"\b{other[0]} till "))
    declined.get_by_label("Skäl om ni avböjer").fill("Vi har ingen bilmekaniker som kan handleda.")
    with page.expect_navigation():
        declined.get_by_role("button", name="Avböj").click()
    assert day.status()
    assert f"{other[0]} till " not in page.inner_text("#forslag")
    # The page lands on the proposals, further down: the confirmation stays in view at the top
    # of the window (it was scrolled out of view at 375 px), with the proposals below it.
    notice = page.locator("[role=status]").first.bounding_box()
    heading = page.locator("#forslag").bounding_box()
    assert notice is not None and heading is not None
    assert notice["y"] >= 0 and notice["y"] + notice["height"] <= 900
    assert heading["y"] >= notice["y"] + notice["height"]
    day.step("avbojt")

    # --- a colleague becomes a supervisor -------------------------------------------------------
    day.click("link", host, exact=True)
    day.step("organisation")
    form = page.locator("form", has=page.get_by_role("button", name="Lägg till"))
    form.get_by_label(re.compile("^Namn")).fill(supervisor)
    form.get_by_label("Roll eller titel").fill("Verkstadschef")
    form.get_by_label("E-postadress").fill(f"{supervisor.split()[0].lower()}@dack.example")
    form.get_by_label("Handledare", exact=True).check()
    form.get_by_label("Kan handleda samtidigt").fill("1")
    day.click("button", "Lägg till")
    assert supervisor in page.locator("#kontakter table").inner_text()
    day.step("ny-handledare")

    # --- accept the proposal with the new supervisor --------------------------------------------
    page.goto(day.visit.url("/vard"))
    with page.expect_navigation():
        proposal.get_by_role("link", name=re.compile("Välj en annan handledare")).click()
    day.step("forslag")
    choice = page.get_by_label("Handledare", exact=True)
    choice.select_option(choice.locator("option", has_text=supervisor).get_attribute("value"))
    day.click("button", "Acceptera förslaget")
    assert "accepterad" in page.inner_text("main")
    assert supervisor in page.inner_text("#overenskommelse")
    day.step("accepterad")

    # --- complete the agreement and sign it ------------------------------------------------------
    page.get_by_text("Ändra överenskommelsen", exact=True).click()
    page.get_by_label("Schema per vecka").fill("Tisdag–fredag 8–13")
    page.get_by_label("Uppgifter").fill("Däckbyten, tvätt av fälgar och hjälp i lagret.")
    page.get_by_label("Vad ni får ut av placeringen").fill("Hjälp under däcksäsongen.")
    day.click("button", "Spara överenskommelsen")
    assert "Tisdag–fredag 8–13" in page.inner_text("#overenskommelse")
    day.step("overenskommelse")
    _coordinator_writes_goals(service, page)
    day.click("button", re.compile("skriver under för organisationen"))
    assert "Överenskommelsen är undertecknad" in day.status()
    day.step("underskrift")

    # --- the placement runs and ends; the host assesses it ---------------------------------------
    _sign_end_and_close(service, api, int(booking["id"]))
    page.goto(day.visit.url("/vard"))
    item = page.locator("#bedomningar li", has_text=f"{first} {last}")
    with page.expect_navigation():
        item.get_by_role("link").click()
    day.step("bedomning")
    page.get_by_role("combobox", name=re.compile("^Närvaro")).select_option(index=1)
    page.get_by_label(re.compile("^Uppgifter deltagaren klarade")).fill("Däckbyten på egen hand.")
    page.get_by_label(re.compile("^Rekommendation")).select_option(index=1)
    day.click("button", "Lämna bedömningen")
    assert "Bedömningen är inskickad" in day.status()
    day.step("bedomd")


# --- a host without an account ------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_role_host_without_account_answers_signs_and_assesses_through_mailed_links(
    service: Service, new_day: Callable[[str, int], Day], width: int
) -> None:
    first, last = {1280: ("Siri", "Blomgren"), 375: ("Edvin", "Lövkvist")}[width]
    free = _rows(service, FREE_SLOTS)
    assert free, "the demo has free slots at hosts without an account"
    slot_id, title, _, contact = free[0]
    [(supervisor_email,)] = _rows(
        service,
        "SELECT c.email FROM pl_slot s JOIN emp_contact c ON c.id = s.supervisor WHERE s.id = ?",
        slot_id,
    )
    api = _coordinator_api(service)
    candidate = _participant(api, first, last)
    today = clock.today()
    booking = api(
        "POST",
        "/api/v1/bookings",
        {
            "slot_id": slot_id,
            "candidate_id": candidate,
            "message": f"{first} är noggrann och vill gärna arbeta med händerna.",
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=21)).isoformat(),
        },
    )
    booking_id = int(booking["id"])
    mailbox = new_day("vard-utan-konto-brev", width)
    mailbox.visit.login("admin")
    host_day = new_day("vard-utan-konto", width)
    page = host_day.page

    # --- the proposal arrives by mail; the host answers through the link -----------------------
    link = _mail_link(service, mailbox, contact, "Ny deltagare föreslagen", "/svar/", "forslag")
    page.goto(link)
    assert title in page.inner_text("main") and first in page.inner_text("main")
    assert last not in page.inner_text("main")  # only what the decision needs
    host_day.step("forslag")
    page.get_by_label(re.compile("tar emot deltagaren")).check()
    host_day.click("button", "Acceptera förslaget")
    assert "Tack! Ni har tackat ja" in page.get_by_role("heading", level=1).inner_text()
    host_day.step("tackat-ja")

    # --- the coordinator sends the agreement; the host signs it through its link ---------------
    service.write_win_win(booking_id)
    api("POST", f"/api/v1/bookings/{booking_id}/agreement/links")
    link = _mail_link(service, mailbox, contact, "Skriv under", "/underteckna/", "underteckna")
    page.goto(link)
    assert title in page.inner_text("main")
    host_day.step("overenskommelse")
    host_day.click("button", re.compile("^Jag godkänner version"))
    assert "Du har godkänt" in page.get_by_role("heading", level=1).first.inner_text()
    host_day.step("godkant")

    # --- after the placement the supervisor assesses it through the mailed link ----------------
    _sign_end_and_close(service, api, booking_id)
    link = _mail_link(service, mailbox, supervisor_email, "", "/bedomning/", "bedomning")
    page.goto(link)
    host_day.step("bedomning")
    page.get_by_role("group", name="Närvaro").get_by_role("radio").first.check()
    page.get_by_role("group", name="Rekommendation").get_by_role("radio").first.check()
    host_day.click("button", "Skicka bedömningen")
    assert "Tack" in page.get_by_role("heading", level=1).first.inner_text()
    host_day.step("bedomd")


# --- a municipal unit ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_role_municipal_unit_publishes_a_slot_and_takes_a_participant(
    service: Service, new_day: Callable[[str, int], Day], width: int
) -> None:
    first, last = {1280: ("Nora", "Ekdahl"), 375: ("Elias", "Grönvall")}[width]
    unit = {
        1280: "Vårgårda kommun, Daglig verksamhet Verkstaden",
        375: "Vårgårda kommun, Hemtjänst Norra",
    }[width]
    kitchen = "Vårgårda kommun, Kostenheten"
    slot_title = f"Diskare i storköket, {width}"
    api = _coordinator_api(service)
    candidate = _participant(api, first, last, track="hälsa")
    [(unit_slot,)] = _rows(
        service,
        "SELECT s.id FROM pl_slot s JOIN emp_host h ON h.id = s.host WHERE h.name = ? "
        "AND s.status = 'published' AND s.supervisor IS NOT NULL ORDER BY s.id LIMIT 1",
        unit,
    )
    today = clock.today()
    api(
        "POST",
        "/api/v1/bookings",
        {
            "slot_id": unit_slot,
            "candidate_id": candidate,
            "message": f"{first} vill komma igång i lugn takt, först några timmar om dagen.",
            "start_date": (today + dt.timedelta(days=7)).isoformat(),
            "end_date": (today + dt.timedelta(days=63)).isoformat(),
        },
    )
    day = new_day("enhet", width)
    day.visit.login("enhet")
    page = day.page
    day.step("min-organisation")

    # --- a new slot in the kitchen, published -----------------------------------------------------
    day.click("link", f"Ny plats hos {kitchen}")
    page.get_by_label("Rubrik").fill(slot_title)
    page.get_by_label("Sök yrke").press_sequentially("disk", delay=30)
    page.get_by_role("radio", name=re.compile("^Diskare")).first.check()
    page.get_by_label("Beskrivning").fill("Disk och plock i ett lugnt storkök, dagtid.")
    page.get_by_label("Ort", exact=True).fill("Vårgårda")
    page.get_by_label("Antal platser").fill("1")
    page.get_by_label("Timmar i veckan").fill("20")
    page.get_by_label("Handledare", exact=True).select_option(index=1)
    day.step("ny-plats")
    day.click("button", "Spara")
    assert "Platsen är sparad" in day.status()
    day.click("button", "Publicera")
    assert "Publicerad" in page.inner_text("main")
    day.step("publicerad")

    # --- a participant proposed to another of the units: accept and sign -------------------------
    page.goto(day.visit.url("/vard"))
    proposal = page.locator("#forslag article", has_text=re.compile(rf"\b{first} till "))
    assert unit.removeprefix("Vårgårda kommun, ") in proposal.inner_text() or proposal.count()
    day.step("forslag")
    with page.expect_navigation():
        proposal.get_by_role("button", name=re.compile("^Acceptera")).click()
    assert "accepterad" in page.inner_text("main")
    day.step("accepterad")
    _coordinator_writes_goals(service, page)
    day.click("button", re.compile("skriver under för organisationen"))
    assert "Överenskommelsen är undertecknad" in day.status()
    day.step("underskrift")

    # --- what the units have given and got -------------------------------------------------------
    page.goto(day.visit.url("/vard#vinst"))
    assert unit in page.inner_text("#vinst")
    assert ".;" not in page.inner_text("#vinst")  # what each gained, one item each
    day.step("vinst")


# --- an analyst -----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_role_analyst_reads_the_overview_and_downloads_a_report(
    new_day: Callable[[str, int], Day], width: int
) -> None:
    day = new_day("analytiker", width)
    day.visit.login("analytiker")
    page = day.page
    assert page.url.startswith(day.visit.url("/oversikt"))
    day.step("oversikt")
    day.click("link", "Rapporter")
    day.step("rapporter")

    # A narrower period, chosen in the form's month fields (reports cover whole months),
    # with every other filter left at "Alla".
    year = clock.today().year
    page.get_by_label("Från").first.fill(f"{year}-01")
    page.get_by_label("Till").first.fill(f"{clock.today():%Y-%m}")
    day.click("button", "Visa")
    assert f"start={year}-01&" in page.url
    day.step("rapporter-period")
    # ... and only the municipal units' placements.
    page.get_by_label("Värdtyp").select_option(label="Kommunal enhet")
    day.click("button", "Visa")
    assert "host_kind=municipal_unit" in page.url
    assert page.get_by_label("Värdtyp").input_value() == "municipal_unit"
    day.step("rapporter-kommunala-enheter")

    # The Swedish-Excel CSV: a byte order mark, semicolons, decimal commas.
    link = page.get_by_role("link", name="Ladda ner CSV för svenskt Excel").first
    with page.expect_download() as download:
        link.click()
    raw = download.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    # The file says what it covers (title, definition, period, filters), then the table.
    title, table = rows[: rows.index([])], rows[rows.index([]) + 1 :]
    assert ["Värdtyp", "Kommunal enhet"] in title and any(r[0] == "Period" for r in title)
    assert len(table) > 1 and len(table[0]) > 1, table[:3]
    assert not any(re.fullmatch(r"-?\d+\.\d+", cell) for row in rows for cell in row)
    day.step("efter-nedladdning")


# --- an admin -------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_role_admin_manages_a_user_reads_the_outbox_and_the_jobs(
    service: Service, new_day: Callable[[str, int], Day], width: int
) -> None:
    first = {1280: "Lisa", 375: "Lova"}[width]
    username = f"{first.lower()}.lind"
    day = new_day("admin", width)
    day.visit.login("admin")
    page = day.page
    day.step("start")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Drift").click()
    page.wait_for_load_state("load")
    day.step("drift")

    # --- the scheduled jobs, in Swedish ----------------------------------------------------------
    day.click("link", "Schemalagda jobb")
    jobs = page.get_by_role("table", name="Jobb och senaste körning")
    assert jobs.locator("tbody tr").count() >= 10  # every sweep, with what it does
    day.step("jobb")

    # --- who has read whose data: the audit log, narrowed to one user ---------------------------
    day.click("link", "Loggkontroll")
    day.step("loggkontroll")
    who = page.get_by_label("Åtkomster av användare")
    who.select_option(
        who.locator("option", has_text=re.compile(r"^samordnare \(")).get_attribute("value")
    )
    day.click("button", "Sök")
    assert "actor_id=" in page.url
    rows = page.locator("table tbody tr")
    assert rows.count() > 0 and all("samordnare" in r for r in rows.all_inner_texts()[:20])
    day.step("loggkontroll-samordnare")

    # --- a new coordinator gets an account ---------------------------------------------------------
    day.click("link", "Användare", exact=True)
    day.step("anvandare")
    day.click("link", "Ny användare")
    page.get_by_label(re.compile("^Användarnamn")).fill(username)
    page.get_by_label(re.compile("^Förnamn")).fill(first)
    page.get_by_label(re.compile("^Efternamn")).fill("Lind")
    page.get_by_label(re.compile("^E-postadress")).fill(f"{username}@vargarda.example")
    page.get_by_label(re.compile("^Roll")).select_option(label="Samordnare")
    page.get_by_label("Team").fill("kompetenscenter")
    day.step("ny-anvandare")
    day.click("button", "Skapa användaren och skicka länken")
    assert f"{first} Lind" in page.get_by_role("heading", level=1).inner_text()
    day.step("anvandare-skapad")

    # --- the mail with her link, in the outbox; she chooses a password and signs in --------------
    link = _mail_link(
        service, day, f"{username}@vargarda.example", "", "/konto/nytt-losenord/", "losenord"
    )
    newcomer = new_day("admin-ny-anvandare", width)
    newcomer.page.goto(link)
    newcomer.step("valj-losenord")
    newcomer.page.get_by_label(re.compile("^Nytt lösenord")).fill("diskbänk-och-kaffe-2026")
    newcomer.page.get_by_label(re.compile("^Samma lösenord")).fill("diskbänk-och-kaffe-2026")
    newcomer.click("button", "Spara lösenordet")
    assert username in newcomer.status()
    newcomer.step("losenord-sparat")
    newcomer.visit.login(username, "diskbänk-och-kaffe-2026")
    assert newcomer.page.url.startswith(newcomer.visit.url("/arbetsbord"))
    newcomer.step("arbetsbord")

    # --- she moves to analysis: a new role, then the account is closed ---------------------------
    page.goto(day.visit.url("/drift/anvandare"))
    day.click("link", f"{first} Lind")
    page.get_by_label(re.compile("^Roll")).select_option(label="Analytiker")
    day.click("button", "Spara uppgifterna")
    assert "Analytiker" in page.inner_text("main")
    day.step("ny-roll")
    page.get_by_label("Ja, stäng av användaren").check()
    day.click("button", "Stäng av användaren")
    assert "Avstängd" in page.inner_text("main")
    day.step("avstangd")
