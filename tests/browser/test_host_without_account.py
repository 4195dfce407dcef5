"""A host WITHOUT an account answers a proposal in a real browser, at desktop width and on a
375 px wide phone: the coordinator proposes on the workbench, the host's contact person
opens the single-use link from the mail, reads what the host needs, confirms and accepts;
the coordinator sees the answer, and who gave it, in the booking's history. The link then
no longer works. Every page passes axe-core; the phone page never scrolls sideways.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from marketplace.kernel import clock
from tests.browser.conftest import Service, Visit

# Published slots of active hosts that no user signs in for, whose supervisor has an address
# and guides nobody yet, with the address of the host's contact person.
FREE_SLOTS = """
SELECT s.id, s.title, c.email
FROM pl_slot s
JOIN emp_host h ON h.id = s.host
JOIN emp_contact sup ON sup.id = s.supervisor
JOIN emp_contact c ON c.host = h.id AND c.is_public_contact AND c.active AND c.email <> ''
WHERE s.status = 'published' AND h.active AND sup.active AND sup.email <> ''
  AND NOT EXISTS (SELECT 1 FROM emp_membership m WHERE m.host = h.id)
  AND NOT EXISTS (SELECT 1 FROM pl_booking b WHERE b.supervisor = s.supervisor)
  AND NOT EXISTS (SELECT 1 FROM pl_booking b WHERE b.slot = s.id)
  AND (s.end_date IS NULL OR s.end_date > date('now', '+100 days'))
ORDER BY s.id
"""


def _rows(service: Service, sql: str) -> list[tuple]:
    path = service.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def _fits(visit: Visit) -> None:
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    viewport = visit.page.evaluate("window.innerWidth")
    assert width <= viewport, f"{visit.page.url} is {width} px wide in a {viewport} px window"


def _answer_link(service: Service, address: str) -> str:
    path = service.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        [(body,)] = db.execute(
            "SELECT body_text FROM mp_outbox WHERE kind = 'booking.answer_link' AND recipient = ? "
            "ORDER BY id DESC LIMIT 1",
            (address,),
        ).fetchall()
    found = re.search(r"https?://\S+/forslag/\d+/svar/\S+", body)
    assert found, body
    return found.group(0)


def _walk(
    service: Service,
    coordinator: Visit,
    host: Visit,
    slot: tuple,
    participant: tuple,
    name: str,
) -> None:
    slot_id, title, contact_address = slot
    candidate_id, first_name, last_name = participant

    # --- the coordinator proposes the participant ---------------------------------------------
    page = coordinator.goto(f"/arbetsbord/platser/{slot_id}/foresla")
    page.get_by_role("combobox", name=re.compile("^Deltagare")).select_option(str(candidate_id))
    page.get_by_label("Meddelande till värden").fill(
        f"{first_name} vill gärna prova på arbetet hos er, helst förmiddagar."
    )
    page.get_by_role("button", name="Skicka förslaget till värden").click()
    assert "Förslaget är skickat till värden" in page.get_by_role("status").first.inner_text()
    assert contact_address in page.inner_text("#svar")
    booking_url = page.url.split("?")[0]
    coordinator.check(f"{name}-foreslaget")

    # --- the host's contact person opens the link in the mail, with no account ----------------
    link = _answer_link(service, contact_address)
    response = host.page.goto(link)
    assert response is not None and response.status == 200
    assert response.headers.get("cache-control") == "no-store"
    main = host.page.inner_text("main")
    assert title in main and first_name in main
    assert last_name not in main  # the participant only as far as the decision needs
    assert "Logga ut" not in host.page.content()  # nobody is signed in
    host.check(f"{name}-svarslank")
    if name.endswith("375"):
        _fits(host)

    # --- ... confirms and accepts --------------------------------------------------------------
    host.page.get_by_role("button", name="Acceptera förslaget").click()
    assert "Kryssa i rutan" in host.page.get_by_role("alert").inner_text()  # asked to confirm
    host.check()
    host.page.get_by_label(re.compile("tar emot deltagaren")).check()
    host.page.get_by_role("button", name="Acceptera förslaget").click()
    assert "Tack! Ni har tackat ja" in host.page.get_by_role("heading", level=1).inner_text()
    assert "samordnaren är meddelad" in host.page.get_by_role("status").inner_text()
    host.check(f"{name}-accepterat")
    if name.endswith("375"):
        _fits(host)

    # --- the link works once ---------------------------------------------------------------------
    again = host.page.goto(link)
    assert again is not None and again.status == 410
    assert "Länken är redan använd" in host.page.get_by_role("heading", level=1).inner_text()
    assert "Ni tackade ja till förslaget" in host.page.get_by_role("status").inner_text()
    host.check()

    # --- the coordinator sees the answer and who gave it ------------------------------------------
    page = coordinator.goto(booking_url.removeprefix(coordinator.base_url))
    assert "accepterad" in page.inner_text("main")
    assert "(värden, via e-postlänk)" in page.inner_text(".timeline")
    coordinator.check(f"{name}-accepterat-arbetsbord")


def test_a_host_without_an_account_accepts_from_the_mail_link(
    service: Service, new_visit: Callable[..., Visit]
) -> None:
    slots = _rows(service, FREE_SLOTS)
    # Two walks, each on its own host and supervisor, each with a newly registered
    # participant (through the API, as the case system would), so no period can clash.
    by_host: dict[str, tuple] = {}
    for slot in slots:
        by_host.setdefault(slot[2], slot)
    distinct = list(by_host.values())
    assert len(distinct) >= 2, slots
    token = service.token("samordnare")
    participants = []
    for first, last in (("Selma", "Lindgrenius"), ("Vilgot", "Sjömansson")):
        created = service.api(
            "POST",
            "/api/v1/candidates",
            token,
            {
                "first_name": first,
                "last_name": last,
                "track": "kompetens",
                # The consent to contacting hosts: no proposal without it.
                "consent_date": clock.today().isoformat(),
                "consent_method": "skriftligt",
            },
        )
        participants.append((created["id"], first, last))

    coordinator = new_visit()
    coordinator.login("samordnare")
    _walk(service, coordinator, new_visit(), distinct[0], participants[0], "vard-utan-konto")

    phone_coordinator = new_visit(viewport={"width": 375, "height": 800})
    phone_coordinator.login("samordnare")
    phone_host = new_visit(viewport={"width": 375, "height": 800})
    _walk(
        service,
        phone_coordinator,
        phone_host,
        distinct[1],
        participants[1],
        "vard-utan-konto-375",
    )
