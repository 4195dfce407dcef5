"""Every page, as every role, on a 375 px wide phone: nothing scrolls sideways, and no page
shows an internal identifier (a snake_case name) or an English system message.

The pages are not a hand list: they are the app's own GET routes that are left out of the
JSON API's schema (the HTML pages), read from the app the service runs. Each path parameter is
filled with real ids from the demo data, chosen for the role (the host's own organisations,
the coordinator's own participants), one per status where a page differs by status (a
proposed, an accepted, an ended booking ...). A route whose parameter has no resolver below
fails the test, so a new page cannot slip past it; and every page must answer 200 to at least
one role. The pages behind links in mails (a supervisor's signing and assessment pages, a
host contact's invitation) are opened through links taken from the outbox, where the person
would find them; the test first has fresh ones sent. Error pages a person can meet (a used
link, an unknown object) are checked too, once per role and status. Answers that are not
whole HTML pages (htmx fragments, the PDF) are not pages and are skipped. An address another
role has had checked is not checked again (the admin's view of the coordinator's participant
is the same page), except the start page, which shows each role's own menu.

Where a wide table scrolls inside its own box (allowed: the page itself does not scroll), the
page is also run through axe-core at this width, since such a box must be named and reachable
by keyboard. The other browser tests run axe on every page they visit.

Each page's screenshot goes to test-artifacts/screenshots/375/<role>-<page>.png.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import (
    AXE_JS,
    AXE_TAGS,
    PASSWORD,
    ROOT,
    SCREENSHOT_DIR,
    Service,
    photograph,
)

WIDTH = 375
# Pages reached only through a fresh single-use link that the demo data holds no valid copy
# of; each is walked at 375 px (sideways scroll, axe) by the test named.
CHECKED_ELSEWHERE = {
    "/forslag/{booking_id:int}/svar/{token:str}": "tests/browser/test_host_without_account.py",
    "/konto/nytt-losenord/{token:str}": "tests/browser/test_role_days.py (the admin's day)",
    # The participant's own pages: only a participant's session opens them, in the language
    # they chose; e-ID sign-in is off without a broker (tests/participants/test_sign_in.py).
    **dict.fromkeys(
        [
            "/mina-sidor",
            "/mina-sidor/plan",
            "/mina-sidor/forslag",
            "/mina-sidor/platser",
            "/mina-sidor/overenskommelse",
            "/mina-sidor/avslutade",
            "/mina-sidor/mina-uppgifter",
            "/mina-sidor/logga-in/lank/{token:str}",
            "/mina-sidor/logga-in/e-legitimation",
            "/mina-sidor/logga-in/e-legitimation/klar",
        ],
        "tests/browser/test_participant_week.py",
    ),
}
SHOTS = SCREENSHOT_DIR / "375"

# The roles and the demo user each signs in as (None: not signed in; the link pages too).
ROLES = {
    "public": None,
    "host": "vard",
    "coordinator": "samordnare",
    "analyst": "analytiker",
    "admin": "admin",
    "partner": "partner",  # a partner contact at Arbetsförmedlingen (issue 18)
}

# Pages that show more with a query than without one, visited both ways: the search with
# hits, the full participant list. These are queries, not pages: the pages come from the app.
EXTRA_QUERIES = {
    "/platser": ["?q=lager"],
    "/arbetsbord": ["?status="],
    "/arbetsbord/platser": ["?q=lager"],
    "/arbetsbord/intag": ["?visa=alla"],
}

# An internal name: a snake_case field name (`lasts_at_least_one_month`) or a dotted event
# code (`booking.list`). Upper-case SETTING_NAMES are not matched: the jobs page names the
# settings an admin changes, as the README does.
SNAKE_CASE = re.compile(r"\b[a-zåäö]+_[a-zåäö_]+\b")
DOTTED_CODE = re.compile(r"\b[a-z]{3,}\.[a-z_]{3,}\b")
# Text that may legitimately hold such a shape: e-mail and web addresses, file names.
ALLOWED = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # an e-mail address
    re.compile(r"https?://\S+"),  # a link written out, e.g. a signing link
    re.compile(r"\b[\w/-]+\.(?:pdf|csv|tsv|xlsx|jsonl|json|txt)\b"),  # a file name
    re.compile(r"\bmpt_[\w-]+"),  # the start of an API key, as Mitt konto lists its keys
]
# What a framework, a validator or a template says when it leaks through to a person.
ENGLISH_SYSTEM = re.compile(
    r"Expected `|\bInvalid\b|\bmust be\b|\bnot found\b|\bNot Found\b|\bError\b|\berror\b"
    r"|\bNone\b|\bTrue\b|\bFalse\b|\bnull\b|\bundefined\b|\bNaN\b|\bTraceback\b"
    r"|\bException\b|\bis required\b|\bBad Request\b|\bForbidden\b|\bUnauthorized\b"
    r"|\bInternal Server\b|\bMethod Not Allowed\b|object at 0x|\{\{|\{%"
)
# The stored English codes of roles, statuses and kinds (each page shows them through the
# `label` filter, in Swedish): a bare code on a page is an internal value leaking.
ENGLISH_CODES = re.compile(
    r"\b(?:coordinator|analyst|host|candidate|booking|slot|proposed|accepted|declined"
    r"|withdrawn|agreed|active|completed|interrupted|planned|ongoing|cancelled|draft"
    r"|published|paused|closed|exited|pending|approved|rejected|company|association"
    r"|municipal|participant|supervisor)\b"
)

# Elements that overflow the window, with an ancestor that does not clip them: the culprits.
WIDEST_JS = """
() => {
  const limit = document.documentElement.clientWidth;
  const clips = el => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o !== 'visible') return a !== document.body && a !== document.documentElement;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const path = el => {
    const parts = [];
    for (let a = el; a && a !== document.body && parts.length < 4; a = a.parentElement) {
      parts.unshift(name(a));
    }
    return parts.join(' > ');
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (clips(el)) continue;
    // Text running out of its own box (a long word in a heading) widens the page too.
    const spill = getComputedStyle(el).overflowX === 'visible'
      ? Math.max(0, el.scrollWidth - el.clientWidth) : 0;
    const right = Math.max(r.right, r.left + el.clientWidth + spill);
    if (right <= limit + 0.5) continue;
    const parent = el.parentElement.getBoundingClientRect();
    const origin = parent.right <= limit + 0.5 || spill > 0;
    found.push({right: Math.round(right), origin, path: path(el),
                text: (el.innerText || '').trim().slice(0, 60)});
  }
  found.sort((a, b) => (b.origin - a.origin) || (b.right - a.right));
  return found.slice(0, 5);
}
"""


# Whether some box on the page scrolls sideways inside itself (a wide table's .table-wrap).
SCROLLS_IN_A_BOX_JS = """
() => [...document.querySelectorAll('main *')].some(el => {
  const o = getComputedStyle(el).overflowX;
  return (o === 'auto' || o === 'scroll') && el.scrollWidth > el.clientWidth + 1;
})
"""


@dataclass
class Route:
    path: str  # Litestar's template, e.g. /vard/bokningar/{booking_id:int}
    name: str
    query: list[str]  # required query parameters, e.g. host_id for /vard/platser/ny

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{([^}:]+)(?::[^}]+)?\}", self.path) + self.query

    def fill(self, values: dict[str, str]) -> str:
        path = re.sub(r"\{([^}:]+)(?::[^}]+)?\}", lambda m: quote(values[m.group(1)]), self.path)
        query = "&".join(f"{name}={quote(values[name])}" for name in self.query)
        return f"{path}?{query}" if query else path


@dataclass
class Outcome:
    visited: dict[str, set[str]] = field(default_factory=dict)  # route path -> roles with a 200
    skipped: set[str] = field(default_factory=set)  # routes that answer no whole page
    checked: set[str] = field(default_factory=set)  # addresses whose page has been checked


def in_service(env: dict[str, str], script: str) -> str:
    """Run `script` with the service's settings (its database, its key); its last line."""
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return out.strip().splitlines()[-1]


def page_routes(service: Service) -> list[Route]:
    """The app's HTML GET routes, read from the app the service runs (same settings)."""
    script = (
        "import json\n"
        "from marketplace.app import create_app\n"
        "from marketplace.kernel.settings import load_settings\n"
        "app = create_app(load_settings())\n"
        "found = []\n"
        "for route in app.routes:\n"
        "    for h in getattr(route, 'route_handlers', []):\n"
        "        if 'GET' in h.http_methods and not h.include_in_schema:\n"
        "            provided = h.resolve_dependencies()\n"
        "            query = [n for n, f in h.parsed_fn_signature.parameters.items()\n"
        "                     if not f.has_default and n != 'request'\n"
        "                     and n not in route.path_parameters and n not in provided]\n"
        "            found.append((route.path, h.handler_name, query))\n"
        "print(json.dumps(sorted(found)))\n"
    )
    routes = [Route(*found) for found in json.loads(in_service(service.env, script))]
    return [r for r in routes if not r.path.startswith(("/static", "/schema", "/health"))]


class Ids:
    """Real ids from the demo database, chosen for a role."""

    def __init__(self, service: Service) -> None:
        self.db = sqlite3.connect(service.env["DATABASE_URL"].removeprefix("sqlite:///"))
        self.base_url = service.base_url
        self.env = service.env

    def close(self) -> None:
        self.db.close()

    def rows(self, sql: str, *args: Any) -> list[str]:
        return [str(r[0]) for r in self.db.execute(sql, args).fetchall() if r[0] is not None]

    def user_id(self, username: str | None) -> int:
        found = self.rows("SELECT id FROM mp_user WHERE username = ?", username or "")
        return int(found[0]) if found else -1

    def own_hosts(self, username: str | None) -> str:
        """The host ids a host user is a member of, as an SQL list (nobody's: no ids)."""
        ids = self.rows("SELECT host FROM emp_membership WHERE user = ?", self.user_id(username))
        return ",".join(ids) or "-1"

    def values(self, param: str, role: str, path: str) -> list[str]:
        """Candidate values of a path parameter for the role (one per kind or status)."""
        username = ROLES[role]
        hosts = self.own_hosts(username) if role == "host" else None
        on_host = f"AND s.host IN ({hosts})" if hosts else ""
        # The coordinator's own participants; the admin is given the same (its pages of them
        # are the coordinator's pages, checked once); other roles are refused them anyway.
        me = self.user_id(ROLES["coordinator"])
        mine = "AND c.coordinator = ?" if role in ("coordinator", "admin") else "AND ? IS NOT NULL"
        if param == "booking_id":
            return self.rows(
                "SELECT MIN(b.id) FROM pl_booking b JOIN pl_slot s ON s.id = b.slot"
                f" JOIN pl_candidate c ON c.id = b.candidate WHERE 1=1 {on_host} {mine}"
                " GROUP BY b.status ORDER BY b.status",
                me,
            )
        if param == "slot_id":
            return self.rows(
                f"SELECT MIN(s.id) FROM pl_slot s WHERE 1=1 {on_host}"
                " GROUP BY s.status ORDER BY s.status"
            )
        if param == "host_id":
            where = f"WHERE id IN ({hosts})" if hosts else ""
            return self.rows(f"SELECT MIN(id) FROM emp_host {where} GROUP BY kind ORDER BY kind")
        if param == "contact_id":
            where = f"WHERE host IN ({hosts})" if hosts else ""
            return self.rows(f"SELECT MIN(id) FROM emp_contact {where}")
        if param == "candidate_id" and role == "partner":
            # The participants whose consent covers the partner contact's agency.
            return self.rows(
                "SELECT MIN(candidate) FROM pl_partner_consent WHERE withdrawn_on IS NULL"
            )
        if param == "agreement_id":
            return self.rows("SELECT MIN(id) FROM pl_local_agreement GROUP BY agency")
        if param == "candidate_id":
            return self.rows(
                f"SELECT MIN(c.id) FROM pl_candidate c WHERE 1=1 {mine}"
                " GROUP BY c.status ORDER BY c.status",
                me,
            )
        if param == "intake_id":
            return self.rows("SELECT MIN(id) FROM pl_application GROUP BY state ORDER BY state")
        if param == "user_id":
            return self.rows("SELECT MIN(id) FROM mp_user GROUP BY role ORDER BY role")
        if param == "message_id":
            return self.rows("SELECT MIN(id) FROM mp_outbox")
        if param == "word":
            return self.rows("SELECT MIN(word) FROM se_everyday_word")
        if param == "token":
            return []  # only in links: see `mailed_links`
        raise AssertionError(
            f"{path}: no demo value for the path parameter {{{param}}}; "
            "teach Ids.values in tests/browser/test_every_page_375.py where to find one"
        )

    def activity_urls(self, route: Route, role: str) -> list[dict[str, str]]:
        """A plan activity and its participant, the participant the role's own."""
        found = self.db.execute(
            "SELECT a.candidate, a.id FROM pl_plan_activity a"
            " JOIN pl_candidate c ON c.id = a.candidate WHERE c.coordinator = ?"
            " ORDER BY a.id LIMIT 1",
            (self.user_id(ROLES["coordinator"]),),
        ).fetchall()
        return [{"candidate_id": str(c), "activity_id": str(a)} for c, a in found]

    def attendance_links(self) -> list[str]:
        """A supervisor's single-use attendance link for this week of a running placement,
        signed with the service's own key (the demo's hosts have users, so none is mailed)."""
        booking = self.rows("SELECT MIN(id) FROM pl_booking WHERE status = 'active'")
        if not booking:
            return []
        script = (
            "from marketplace.kernel import clock\n"
            "from placements.attendance_figures import monday_of\n"
            "from placements.services.attendance import link_path\n"
            f"print(link_path({int(booking[0])}, monday_of(clock.today())))\n"
        )
        return [in_service(self.env, script).removeprefix(self.base_url)]

    def mailed_links(self, route: Route) -> list[str]:
        """Paths (with query) of links to this page in the queued mails, newest first: the
        pages reached from a mail (`/underteckna/<token>`, `/vard/inbjudan?token=...`)."""
        pattern = re.compile(
            re.escape(self.base_url)
            + "("
            + re.sub(r"\\\{[^}]+\\\}", "[A-Za-z0-9_.~-]+", re.escape(route.path))
            + r"(?:\?[^\s]*)?)(?=\s|$)"
        )
        bodies = self.rows("SELECT body_text FROM mp_outbox ORDER BY id DESC")
        links = [m.group(1) for body in bodies for m in pattern.finditer(body)]
        return list(dict.fromkeys(links))[:2]

    def urls(self, route: Route, role: str) -> list[str]:
        params = route.params
        if not params:
            base = [route.path]
        elif "token" in params:
            base = []  # a single-use link: only as mailed (`mailed_links`)
        elif set(params) == {"candidate_id", "activity_id"}:
            base = [route.fill(v) for v in self.activity_urls(route, role)]
        else:
            assert len(params) == 1, f"{route.path}: teach the test to fill {params}"
            base = [route.fill({params[0]: v}) for v in self.values(params[0], role, route.path)]
        extra = [route.path + q for q in EXTRA_QUERIES.get(route.path, [])]
        mailed = self.mailed_links(route) if "token" in params or not base or not params else []
        if route.path == "/narvaro/{token:str}":
            mailed += self.attendance_links()
        return list(dict.fromkeys(base + extra + mailed))


def _slug(role: str, url: str) -> str:
    """A screenshot's name: the role and the address, a link's token shortened to "lank"."""
    url = re.sub(r"[A-Za-z0-9_.~-]{20,}", "lank", url)
    text = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "start"
    return f"{role}-{text}"[:120]


def visible_text_problems(text: str) -> list[str]:
    """Internal names and English system text in a page's visible text."""
    cleaned = text
    for allowed in ALLOWED:
        cleaned = allowed.sub(" ", cleaned)
    problems = []
    for kind, pattern in (
        ("internal name", SNAKE_CASE),
        ("internal code", DOTTED_CODE),
        ("English code", ENGLISH_CODES),
        ("English system text", ENGLISH_SYSTEM),
    ):
        for hit in sorted({m.group(0) for m in pattern.finditer(cleaned)}):
            at = cleaned.find(hit)
            context = " ".join(cleaned[max(0, at - 40) : at + len(hit) + 40].split())
            problems.append(f"{kind} {hit!r} in …{context}…")
    return problems


def check_page(page: Page, label: str, axe: str) -> list[str]:
    """The page's problems at 375 px: sideways scrolling (and what causes it), bad text, and,
    where a wide table scrolls in its own box, what axe-core finds (such a box must be
    reachable by keyboard and named)."""
    problems = []
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll > client:
        culprits = page.evaluate(WIDEST_JS)
        named = "; ".join(f"{c['path']} (to {c['right']} px) {c['text']!r}" for c in culprits)
        problems.append(f"scrolls sideways: {scroll} px in {client} px; widest: {named}")
    text = page.evaluate("document.title") + "\n" + page.inner_text("body")
    problems += visible_text_problems(text)
    # A table wider than its box says that its columns go on (app.js marks the box).
    unmarked = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].filter(b =>"
        " b.scrollWidth > b.clientWidth + 1 && !b.classList.contains('scrolls')).length"
    )
    if unmarked:
        problems.append(f"{unmarked} wide table(s) scroll with nothing saying so")
    if page.evaluate(SCROLLS_IN_A_BOX_JS):
        page.evaluate(axe)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            AXE_TAGS,
        )
        problems += [
            f"axe-core {v['id']}: {v['help']} — "
            + "; ".join(", ".join(n["target"]) for n in v["nodes"][:3])
            for v in result["violations"]
        ]
    return [f"{label}: {p}" for p in problems]


@pytest.fixture(scope="module")
def routes(service: Service) -> list[Route]:
    shutil.rmtree(SHOTS, ignore_errors=True)  # this run's screenshots only
    return page_routes(service)


def _prepare_demo(service: Service, ids: Ids) -> None:
    """Have the mails with links sent that the demo has used up, as staff would: signing
    links for an accepted booking, an assessment link by ending an active placement, a host
    invitation; and run a job, so that its run is listed. The bookings are another
    coordinator's where the demo has one, so the walking coordinator's own participants keep
    every status."""
    admin = service.token("admin")
    words = service.api("GET", "/api/v1/search/everyday-words", admin)
    if not words.get("added"):  # an everyday word, so the page that removes one shows one
        service.api(
            "POST",
            "/api/v1/search/everyday-words",
            admin,
            {"word": "fikaproffs", "targets": ["kafébiträde"]},
        )
    walker = ids.user_id(ROLES["coordinator"])

    def booking(status: str) -> str:
        found = ids.rows(
            "SELECT id FROM pl_booking WHERE status = ? AND supervisor IS NOT NULL"
            " ORDER BY coordinator = ?, id DESC LIMIT 1",
            status,
            walker,
        )
        assert found, f"the demo has no {status} booking"
        return found[0]

    service.write_win_win(int(booking("accepted")))
    service.api("POST", f"/api/v1/bookings/{booking('accepted')}/agreement/links", admin)
    service.api("POST", f"/api/v1/bookings/{booking('active')}/end", admin, {"result": "completed"})
    service.cli("jobs", "run", "prune-job-runs")  # a job run, so the jobs page lists one
    host = ids.rows("SELECT MIN(id) FROM emp_host")[0]
    service.api(
        "POST",
        f"/api/v1/hosts/{host}/invitations",
        admin,
        {"email": "nora.nilsson@kontakt.example", "name": "Nora Nilsson"},
    )


@pytest.fixture(scope="module")
def ids(service: Service) -> Iterator[Ids]:
    found = Ids(service)
    _prepare_demo(service, found)
    yield found
    found.close()


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    return Outcome()


def _signed_in(browser: Browser, service: Service, username: str | None) -> BrowserContext:
    context = browser.new_context(
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport={"width": WIDTH, "height": 800},
    )
    context.set_default_timeout(15_000)
    if username:
        page = context.new_page()
        page.goto(service.base_url + "/logga-in")
        page.get_by_label("Användarnamn").fill(username)
        page.get_by_label("Lösenord").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_label("Lösenord").press("Enter")
        assert "/logga-in" not in page.url, f"{username} could not sign in"
        page.close()
    return context


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_a_phone_and_speaks_swedish(
    role: str,
    browser: Browser,
    service: Service,
    routes: list[Route],
    ids: Ids,
    outcome: Outcome,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    axe = AXE_JS.read_text()
    context = _signed_in(browser, service, ROLES[role])
    page = context.new_page()
    problems: list[str] = []
    pages = 0
    error_pages: set[int] = set()  # statuses whose page this role has seen
    try:
        for route in routes:
            for path in ids.urls(route, role):
                if path in outcome.checked and path != "/":
                    continue  # the same page another role has had checked; "/" shows the menu

                answer = context.request.get(service.base_url + path, max_redirects=0)
                status = answer.status
                assert status < 500, f"{role} GET {path}: {status}"
                body = (
                    answer.text() if "text/html" in answer.headers.get("content-type", "") else ""
                )
                if "<html" not in body[:500]:
                    if status == 200:
                        outcome.skipped.add(route.path)  # a fragment or a file, not a page
                    continue  # or a redirect (to the sign-in page)
                if status != 200:
                    # Not this role's page, or a used link: the error page, once per status.
                    if status in error_pages:
                        continue
                    error_pages.add(status)
                response = page.goto(service.base_url + path)
                assert response is not None
                assert response.status == status, f"{role} GET {path}: {response.status}"
                if status == 200:
                    outcome.visited.setdefault(route.path, set()).add(role)
                    outcome.checked.add(path)
                pages += 1
                problems += check_page(page, f"{role} {path} ({status})", axe)
                photograph(page, SHOTS / f"{_slug(role, path)}.png")
    finally:
        context.close()
    assert pages, f"{role}: no page answered"
    assert not problems, f"{len(problems)} problems at {WIDTH} px:\n" + "\n".join(problems)


def test_every_page_was_visited(routes: list[Route], outcome: Outcome) -> None:
    """Runs after the roles' walks: each page route answered a whole page to some role."""
    if not outcome.visited:
        pytest.skip("run together with test_every_page_fits_a_phone_and_speaks_swedish")
    missed = [
        r.path
        for r in routes
        if r.path not in outcome.visited
        and r.path not in outcome.skipped
        and r.path not in CHECKED_ELSEWHERE
    ]
    assert not missed, "pages no role could open (give the test an id for them):\n" + "\n".join(
        missed
    )
