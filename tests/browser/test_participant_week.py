"""A participant's week on their own pages, on a 375 px phone, in Swedish, English and Arabic:
sign in with the link the coordinator sent, choose the language, answer a proposal ("vill";
in English and Arabic one the host sees only after that answer),
read more about a slot and mark it as interesting, sign the agreement, give their own view of an ended placement,
read the plan and their data. Every page passes axe-core with zero violations, never
scrolls sideways, and an Arabic page is `dir="rtl"` with `lang="ar"`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable

import pytest

from tests.browser.conftest import Service, Visit
from tests.browser.test_every_page_375 import in_service

# A service-side script: three participants of the demo coordinator, each with an open
# proposal, an accepted booking with its agreement, and an ended placement with the
# supervisor's assessment, all on slots nobody else uses; each gets a sign-in link.
SETUP = """
import asyncio, datetime as dt, json
from marketplace.kernel import auth, clock
from marketplace.kernel.tables import User
from placements.schemas import bookings as sb
from placements.schemas import candidates as sc
from placements.services import bookings, candidates
from placements.tables import Agreement, Assessment, AttendanceWeek, Booking, Slot
from participants import sessions

async def main():
    row = await User.select().where(User.username == "samordnare").first()
    coordinator = auth.to_auth_user(row, "token", None)
    taken = {b["slot"] for b in await Booking.select(Booking.slot)}
    used_supervisors = {b["supervisor"] for b in await Booking.select(Booking.supervisor)}
    slots = [
        s for s in await Slot.select().where(Slot.status == "published").order_by(Slot.id)
        if s["id"] not in taken and s["supervisor"] not in used_supervisors
        and (s["end_date"] is None or s["end_date"] > clock.today() + dt.timedelta(days=120))
    ]
    by_supervisor = {}
    for s in slots:
        by_supervisor.setdefault(s["supervisor"], s)
    free = list(by_supervisor.values())
    assert len(free) >= 6, len(free)
    start = clock.today() + dt.timedelta(days=14)
    out = []
    for n, (first, lang) in enumerate((("Saga", "sv"), ("Elin", "en"), ("Amal", "ar"))):
        created = await candidates.create_candidate(coordinator, sc.CandidateCreate(
            first_name=first, last_name="Veckosson", email=f"{first.lower()}@deltagare.example",
            plan_goal="Arbete i butik eller lager", track="kompetens",
            consent_date=clock.today(), consent_method="skriftligt"))
        cid = created.id
        def make(slot, first=False):
            return sb.BookingCreate(slot_id=slot["id"], candidate_id=cid, start_date=start,
                end_date=start + dt.timedelta(days=60), message="Ett bra ställe att börja på.",
                confirm_capacity=True, participant_first=first)
        # In English and Arabic the participant answers first: the host sees it after "vill".
        proposed = await bookings.propose(coordinator, make(free[2 * n], lang != "sv"))
        accepted = await bookings.propose(coordinator, make(free[2 * n + 1]))
        await bookings.accept(coordinator, accepted.id)
        await Agreement.update({Agreement.participant_goals: "Pröva butiksarbete",
            Agreement.host_gains: "Hjälp med varupåfyllning"}).where(
            Agreement.booking == accepted.id)
        monday = clock.today() - dt.timedelta(days=clock.today().weekday() + 7)
        await AttendanceWeek.insert(AttendanceWeek(booking=accepted.id, week_start=monday,
            days_present=4, days_sick=1))
        ended = (await Booking.insert(Booking(slot=free[2 * n]["id"], candidate=cid,
            coordinator=coordinator.id, status="completed",
            start_date=clock.today() - dt.timedelta(days=90),
            end_date=clock.today() - dt.timedelta(days=10))).returning(Booking.id))[0]["id"]
        await Assessment.insert(Assessment(booking=ended, attendance="god",
            strengths="Noggrann och glad", submitted_at=dt.datetime.now(dt.UTC),
            submitted_by="Handledaren"))
        await sessions.send_sign_in_link(coordinator, cid)
        out.append({"id": cid, "lang": lang, "proposed": proposed.id, "accepted": accepted.id,
                    "ended": ended})
    print(json.dumps(out))

asyncio.run(main())
"""

WIDTH = 375


def _link(service: Service, candidate_id: int) -> str:
    path = service.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        [(body,)] = db.execute(
            "SELECT body_text FROM mp_outbox WHERE kind = 'participant.link' AND candidate = ?"
            " ORDER BY id DESC LIMIT 1",
            (candidate_id,),
        ).fetchall()
    found = re.search(r"https?://[^/\s]+(/mina-sidor/logga-in/lank/\S+)", body)
    assert found, body
    return found.group(1)


def _status(service: Service, booking_id: int) -> str:
    path = service.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        [(status,)] = db.execute(
            "SELECT status FROM pl_booking WHERE id = ?", (booking_id,)
        ).fetchall()
    return str(status)


def _page(visit: Visit, lang: str, name: str) -> None:
    page = visit.page
    assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide"
    visit.check(f"deltagare-{lang}-{name}", lang=lang)


# Where the page's sides are, in the browser: the signed-in notice's bar, the language switch's
# card and the gap between its label and its list, and a Swedish term's alignment.
SIDES = """() => {
  const main = document.querySelector("main > section.card, main > .card:not(form)");
  const form = document.querySelector("form.language");
  const label = form.querySelector("label"), select = form.querySelector("select");
  const notice = document.querySelector(".notice");
  const style = notice ? getComputedStyle(notice) : null;
  return {
    mainLeft: main.getBoundingClientRect().left, mainRight: main.getBoundingClientRect().right,
    formLeft: form.getBoundingClientRect().left, formRight: form.getBoundingClientRect().right,
    labelGap: document.dir === "rtl"
      ? label.getBoundingClientRect().left - select.getBoundingClientRect().right
      : select.getBoundingClientRect().left - label.getBoundingClientRect().right,
    noticeLeft: style ? style.borderLeftWidth : null,
    noticeRight: style ? style.borderRightWidth : null,
  };
}"""


def _sides_mirror(visit: Visit, lang: str) -> None:
    """At desktop width, an Arabic page is the mirror of a Swedish one: the notice's bar and
    the language switch stand on the right (the switch flush with the cards above it, as it
    is flush left in Swedish), with the same gap between the switch's label and its list."""
    page = visit.page
    page.set_viewport_size({"width": 1280, "height": 800})
    try:
        sides = page.evaluate(SIDES)
    finally:
        page.set_viewport_size({"width": WIDTH, "height": 800})
    assert sides["labelGap"] >= 4, sides
    if lang == "ar":
        assert abs(sides["formRight"] - sides["mainRight"]) <= 1, sides
        assert (sides["noticeLeft"], sides["noticeRight"]) == ("0px", "4px"), sides
    else:
        assert abs(sides["formLeft"] - sides["mainLeft"]) <= 1, sides
        assert (sides["noticeLeft"], sides["noticeRight"]) == ("4px", "0px"), sides


@pytest.fixture(scope="module")
def week(service: Service) -> list[dict[str, int | str]]:
    return json.loads(in_service(service.env, SETUP))


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_a_participants_week_on_a_phone(
    lang: str,
    week: list[dict[str, int | str]],
    service: Service,
    new_visit: Callable[..., Visit],
) -> None:
    me = next(p for p in week if p["lang"] == lang)
    visit = new_visit(viewport={"width": WIDTH, "height": 800})
    page = visit.page
    link = _link(service, int(me["id"]))

    # --- the link from the coordinator: first the language, then sign in ------------------------
    visit.goto(link)
    _page(visit, "sv", "lank")
    if lang != "sv":
        page.locator("#sprak").select_option(lang)
        with page.expect_navigation():
            page.locator("form.language button").click()
        assert link in page.url
        _page(visit, lang, "lank-sprak")
    with page.expect_navigation():
        page.locator(f'form[action="{link}"] button').click()
    page.wait_for_url(re.compile(r"/mina-sidor$"))  # the notice shown, then out of the address
    assert page.get_by_role("status").count() == 1
    _page(visit, lang, "oversikt")
    _sides_mirror(visit, lang)
    assert page.locator("#attendance-title").is_visible()  # my attendance, week by week

    # --- a proposal: "vill", with a comment ------------------------------------------------------
    visit.goto("/mina-sidor/forslag")
    _page(visit, lang, "forslag")
    first = lang != "sv"
    assert _status(service, int(me["proposed"])) == (
        "awaiting_participant" if first else "proposed"
    )
    form = page.locator(f'form[action="/mina-sidor/forslag/{me["proposed"]}/svar"]')
    form.locator('input[value="yes"]').check()
    form.locator("textarea").fill("Jag vill gärna börja där.")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    page.wait_for_url(lambda url: "klart" not in url)
    assert page.get_by_role("status").count() == 1
    assert "Jag vill gärna börja där." in page.inner_text("main")
    assert _status(service, int(me["proposed"])) == "proposed"  # now the host has it
    _page(visit, lang, "forslag-svarat")

    # --- published slots: search and mark one ----------------------------------------------------
    visit.goto("/mina-sidor/platser?q=lager")
    _page(visit, lang, "platser")
    # A hit's long description opens in place ("Läs mer om platsen"), and the opened card
    # still fits the phone (the words of the hits: tests/participants/test_pages.py).
    more = page.locator("ul.stacked details").first
    assert more.count() == 1 and not more.locator("p").is_visible()
    more.locator("summary").click()
    assert more.locator("p").is_visible()
    _page(visit, lang, "platser-las-mer")
    # The hits are cards, with no list bullets beside them.
    assert page.locator("ul.stacked").evaluate("e => getComputedStyle(e).listStyleType") == "none"
    # Each hit is a card as wide as the search form's, with a gap before the next (at
    # desktop width, where the prose's line length must not narrow the cards).
    page.set_viewport_size({"width": 1280, "height": 800})
    gap, widths = page.evaluate(
        """() => {
          const cards = [...document.querySelectorAll("ul.stacked > li.card")];
          const form = document.querySelector("form[role=search]").getBoundingClientRect();
          return [cards[1].getBoundingClientRect().top - cards[0].getBoundingClientRect().bottom,
                  [form.width, cards[0].getBoundingClientRect().width]];
        }"""
    )
    page.set_viewport_size({"width": WIDTH, "height": 800})
    assert gap >= 8 and abs(widths[0] - widths[1]) <= 1, (gap, widths)
    mark = page.locator('form[action$="/intresse"] button').first
    with page.expect_navigation():
        mark.click()
    page.wait_for_url(lambda url: "klart" not in url)
    assert "q=lager" in page.url  # the same search
    assert page.get_by_role("status").count() == 1
    assert page.locator('form[action$="/intresse/ta-bort"]').count() == 1
    _page(visit, lang, "platser-markerad")

    # --- the agreement: read and sign ------------------------------------------------------------
    visit.goto("/mina-sidor/overenskommelse")
    _page(visit, lang, "overenskommelse")
    # The agreement's Swedish terms line up with their labels: on the right in Arabic.
    terms = page.locator('dl.facts dd[dir="ltr"]').first
    assert terms.evaluate("e => getComputedStyle(e).textAlign") == (
        "right" if lang == "ar" else "start"
    )
    # At desktop width a line of the terms stays readable (about 70 characters), not 1120 px.
    page.set_viewport_size({"width": 1280, "height": 800})
    try:
        assert terms.evaluate("e => e.getBoundingClientRect().width") <= 720
    finally:
        page.set_viewport_size({"width": WIDTH, "height": 800})
    with page.expect_navigation():
        page.locator(
            f'form[action="/mina-sidor/overenskommelse/{me["accepted"]}/underteckna"] button'
        ).click()
    page.wait_for_url(lambda url: "klart" not in url)
    assert page.get_by_role("status").count() == 1
    assert page.locator('form[action$="/underteckna"]').count() == 0
    _page(visit, lang, "overenskommelse-undertecknad")

    # --- the end: my view beside the supervisor's assessment -------------------------------------
    visit.goto("/mina-sidor/avslutade")
    _page(visit, lang, "avslutade")
    assert "Noggrann och glad" in page.inner_text("main")
    view = page.locator(f'form[action="/mina-sidor/avslutade/{me["ended"]}"]')
    view.locator("textarea").fill("Jag lärde mig kassan och att ta kunder.")
    with page.expect_navigation():
        view.locator('button[type="submit"]').click()
    page.wait_for_url(lambda url: "klart" not in url)
    assert page.get_by_role("status").count() == 1
    _page(visit, lang, "avslutade-sparat")

    # --- my plan and my data ---------------------------------------------------------------------
    visit.goto("/mina-sidor/plan")
    assert "Arbete i butik eller lager" in page.inner_text("main")
    _page(visit, lang, "plan")
    visit.goto("/mina-sidor/mina-uppgifter")
    _page(visit, lang, "mina-uppgifter")

    # --- signing out; the link was single-use ----------------------------------------------------
    with page.expect_navigation():
        page.locator('form[action="/mina-sidor/logga-ut"] button').click()
    assert "/mina-sidor/logga-in" in page.url
    _page(visit, lang, "utloggad")
    visit.goto(link)
    with page.expect_navigation():
        page.locator(f'form[action="{link}"] button').click()
    assert page.evaluate("document.documentElement.lang") == lang
    _page(visit, lang, "lank-anvand")
