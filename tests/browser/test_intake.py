"""From an application to a first proposal, in a real browser (issue 18), with axe-core on
every page, the resident's side on a 375 px phone and the coordinator's queue at 375 px too.

A resident applies through the public form (a first try with mistakes); the coordinator finds
the application in the queue, books the planning meeting (the invitation with its calendar
file goes to the outbox), finds that the plan cannot be marked before the meeting and that
cancelling asks for a ticked box, marks the plan as made once the meeting has begun, which
makes the applicant a participant, and proposes them for a slot.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable

from marketplace.kernel import clock
from tests.browser.conftest import Service, Visit

PHONE = {"viewport": {"width": 375, "height": 800}}


def _meeting_began(service: Service, first_name: str) -> None:
    """The applicant's booked meeting began an hour ago (its time has come: the service
    refuses to book one in the past)."""
    began = str(clock.now() - dt.timedelta(hours=1))  # as Piccolo stores it on SQLite
    path = service.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE pl_planning_meeting SET starts_at = ? WHERE status = 'booked' AND "
            "application IN (SELECT id FROM pl_application WHERE first_name = ?)",
            (began, first_name),
        )


def test_from_application_to_a_first_proposal(
    service: Service, new_visit: Callable[..., Visit]
) -> None:
    # --- a resident applies on a phone -----------------------------------------------------------
    resident = new_visit(**PHONE)
    page = resident.goto("/ansok")
    resident.check("ansok-375")
    page.get_by_label("Förnamn").fill("Tova")
    page.get_by_role("button", name="Skicka ansökan").click()
    summary = page.get_by_role("alert")
    assert "Formuläret behöver rättas" in summary.inner_text()
    assert "Kryssa i rutan" in summary.inner_text()
    assert page.get_by_label("Personnummer").get_attribute("aria-invalid") == "true"
    resident.check("ansok-fel-375")
    page.get_by_label("Efternamn").fill("Intagsson")
    page.get_by_label("Personnummer").fill("19850101-0006")
    page.get_by_label("E-postadress").fill("tova@sokande.example")
    page.get_by_label("Vad vill du ha hjälp med? (frivilligt)").fill("Jag vill arbeta i lager.")
    page.get_by_label(re.compile("Jag har läst hur kommunen behandlar")).check()
    page.get_by_role("button", name="Skicka ansökan").click()
    assert "Tack för din ansökan" in page.get_by_role("heading", level=1).inner_text()
    assert "tova@sokande.example" in page.inner_text("main")
    resident.check("ansok-tack-375")

    # --- the coordinator's queue, on a phone too -----------------------------------------------
    phone = new_visit(**PHONE)
    phone.login("samordnare")
    page = phone.goto("/arbetsbord/intag")
    assert "Tova Intagsson" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.check("ansokningar-375")

    coordinator = new_visit()
    coordinator.login("samordnare")
    page = coordinator.goto("/arbetsbord")
    page.get_by_role("link", name=re.compile("^Ansökningar om stöd")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ansökningar"
    assert "Försenad" in page.inner_text("main")  # the demo's application from four days ago
    coordinator.check("ansokningar")
    page.get_by_role("link", name="Tova Intagsson").click()
    coordinator.check("ansokan")

    # --- the planning meeting is booked ----------------------------------------------------------
    day = clock.today() + dt.timedelta(days=1)
    page.get_by_label("Dag").fill(day.isoformat())
    page.get_by_label("Klockslag").fill("09:30")
    page.get_by_label("Plats").fill("Kompetenscentret, rum 2")
    page.get_by_role("button", name="Boka mötet").click()
    assert "inbjudan är skickad" in page.get_by_role("status").first.inner_text()
    assert "Flytta planeringsmötet" in page.inner_text("main")
    coordinator.check("ansokan-bokad")
    invitation = service.mails("planning_meeting")[-1]
    assert "kl. 09:30" in invitation and "Kompetenscentret, rum 2" in invitation

    # --- before the meeting: no plan yet, and cancelling asks first -----------------------------
    main = page.inner_text("main")
    assert "Mötet har inte hållits än" in main and f"{day} 09:30" in main
    assert page.get_by_role("button", name="Planen är upprättad").count() == 0
    page.get_by_role("button", name="Avboka mötet").click()
    assert "Kryssa i rutan ”Ja, avboka mötet”" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("Ja, avboka mötet").get_attribute("aria-invalid") == "true"
    assert "Flytta planeringsmötet" in page.inner_text("main")  # still booked
    coordinator.check("ansokan-avboka-ej-ikryssad")
    assert not [m for m in service.mails("planning_meeting") if "inställt" in m]

    # --- the plan is made at the meeting: the applicant becomes a participant -------------------
    _meeting_began(service, "Tova")
    page.reload()
    page.get_by_role("button", name="Planen är upprättad").click()
    assert re.search(r"/arbetsbord/deltagare/\d+/plan", page.url)
    assert "sökande är nu deltagare" in page.get_by_role("status").first.inner_text()
    coordinator.check("plan-upprattad")
    participant = re.search(r"/arbetsbord/deltagare/(\d+)/", page.url)
    assert participant

    # --- a first proposal of a slot ------------------------------------------------------------
    page = coordinator.goto("/arbetsbord/platser")
    page.get_by_label("Vad vill du göra?").fill("lager")
    page.get_by_label("Vad vill du göra?").press("Enter")
    page.wait_for_url(re.compile(r"q=lager"))
    page.locator("#results li").first.get_by_role("link", name=re.compile("Föreslå")).click()
    page.get_by_role("combobox", name=re.compile("^Deltagare")).select_option(
        label="Tova Intagsson"
    )
    coordinator.check("ansokan-foresla")
    # The button says where the proposal goes as the box is ticked and unticked.
    first = page.get_by_role("checkbox", name=re.compile("^Låt deltagaren svara först"))
    first.check()
    assert page.get_by_role("button", name="Skicka förslaget till deltagaren först").is_visible()
    first.uncheck()
    page.get_by_role("button", name="Skicka förslaget till värden").click()
    assert "föreslagen" in page.inner_text("main")
    coordinator.check("ansokan-forslag")


def test_changing_language_on_the_form_keeps_what_was_typed(
    service: Service, new_visit: Callable[..., Visit]
) -> None:
    """Half-way through the form the applicant changes to Arabic: the form comes back right
    to left with their name, number and message, and no error shown (nothing was sent)."""
    visit = new_visit(**PHONE)
    page = visit.goto("/ansok")
    page.get_by_label("Förnamn").fill("Samira")
    page.get_by_label("Personnummer").fill("19850101-0006")
    page.get_by_label("Vad vill du ha hjälp med? (frivilligt)").fill("Jag vill arbeta i kök.")
    page.get_by_label("Språk", exact=True).select_option("ar")
    with page.expect_navigation():
        page.get_by_role("button", name="Byt språk").click()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.locator(".notice").inner_text() == "تم تغيير اللغة."
    assert page.locator("#f-first_name").input_value() == "Samira"
    assert page.locator("#f-personnummer").input_value() == "19850101-0006"
    assert page.locator("#f-message").input_value() == "Jag vill arbeta i kök."
    assert page.get_by_role("alert").count() == 0
    assert "/ansok" in page.url and "Samira" not in page.url
    visit.check("ansok-sprakbyte-ar-375", lang="ar")
