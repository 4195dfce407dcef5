"""The host's win-win ledger: what a host has given (placements, hours, assessments) and
received (participants who went on to work, hires of its own, the gains it named)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import msgspec

from employers.tables import Host
from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.disclosure import Cells
from marketplace.kernel.errors import NotFound
from placements import booking_states
from placements.rows import BookingDates, BookingEnd, LedgerPlacementRow, PlacementHoursRow
from placements.schemas import outcomes as schemas
from placements.services.candidates import host_ids_of
from placements.tables import Agreement, Assessment, Booking, Outcome

HOSTED = ("active", "completed", "interrupted")
ENDED = booking_states.ENDED
LEDGER_NOT_FOUND = "Värdorganisationen finns inte, eller så hör den inte till dig."


# The one definition of a host's hours, shown with the figure wherever it appears (the host's
# page, the analysts' host ledger, its CSV and XLSX and the API's catalogue).
HOURS_DEFINITION = (
    "timmar i veckan enligt överenskommelsen gånger antalet veckor placeringen har pågått: "
    "från den dag den startade (tidigast det överenskomna startdatumet) till och med sista "
    "dagen; för en pågående placering till och med i dag, men längst till det planerade "
    "slutdatumet"
)
# The booking columns `placement_hours` reads.
HOURS_COLUMNS = (
    Booking.status,
    Booking.started_at,
    Booking.start_date,
    Booking.end_date,
    Booking.ended_at,
    Booking.hours_per_week,
)


def weekly_hours(booking_hours: int | None, slot_hours: int | None) -> int | None:
    """The weekly hours a booking is for, as every page shows them: those kept on the booking
    when the host accepted (`pl_booking.hours_per_week`; a later edit of the slot does not
    change them), else, before acceptance, the slot's current hours."""
    return booking_hours if booking_hours is not None else slot_hours


def start_day(row: BookingDates) -> dt.date | None:
    """The day a placement started: the Stockholm day it went active, but no earlier than
    its agreed start date (the agreement, and its insurance, begin then; a placement set
    going early starts on that day). The reports use the same day for "started in the
    period"."""
    started = row.get("started_at")
    went_active = clock.local_date(started) if started is not None else None
    agreed = row.get("start_date")
    if went_active is None or agreed is None:
        return went_active or agreed
    return max(went_active, agreed)


def last_day(row: BookingEnd, today: dt.date) -> dt.date | None:
    """The last day a placement ran: its end date once ended (ending records the day it
    ended there), else today but no later than the planned end date."""
    end = row.get("end_date")
    ended = row.get("ended_at")
    if end is None and row.get("status") in ENDED and ended is not None:
        end = clock.local_date(ended)
    return min(end or today, today)


def hours_over(hours_per_week: int | None, first: dt.date | None, last: dt.date | None) -> int:
    """Weekly hours over the days from `first` to `last`, both included, rounded to hours."""
    if not hours_per_week or first is None or last is None:
        return 0
    days = (last - first).days + 1
    return round(hours_per_week * days / 7) if days > 0 else 0


def placement_hours(row: PlacementHoursRow, today: dt.date) -> int:
    """The hours a placement has given its host (`HOURS_DEFINITION`), from a booking row
    with the `HOURS_COLUMNS`."""
    return hours_over(row.get("hours_per_week"), start_day(row), last_day(row, today))


# A partner contact sees only what a participant's consent shares, never a host's ledger.
LEDGER_READERS = ("admin", "coordinator", "host", "analyst")


async def host_ledger_for(
    user: AuthUser, host_id: int, today: dt.date | None = None
) -> schemas.HostLedger:
    """The ledger of one host. Host users see their own organisations; staff and analysts any
    (it holds figures and the host's own words, never a person), under the small-cell rule
    for those who do not see the persons counted (`SMALL_CELL_READERS`). It takes no period: it
    counts everything up to today, so no two requests differ by a chosen day (the reports'
    whole-month rule has nothing to apply to here; see `admin.services.disclosure`)."""
    today = today or clock.today()
    if user.role not in LEDGER_READERS:
        raise NotFound(LEDGER_NOT_FOUND)
    if user.role == "host" and host_id not in await host_ids_of(user):
        raise NotFound(LEDGER_NOT_FOUND)
    host = await Host.select(Host.id, Host.name).where(Host.id == host_id).first()
    if host is None:
        raise NotFound(LEDGER_NOT_FOUND)
    rows = cast(
        "list[LedgerPlacementRow]",
        await Booking.select(Booking.id, *HOURS_COLUMNS).where(
            (Booking.slot.host == host_id) & Booking.status.is_in(list(HOSTED))
        ),
    )
    ids = [int(r["id"]) for r in rows] or [0]
    submitted = {
        int(r["booking"])
        for r in await Assessment.select(Assessment.booking).where(
            Assessment.booking.is_in(ids) & Assessment.submitted_at.is_not_null()
        )
    }
    work = await Outcome.select(Outcome.candidate, Outcome.hired_by_host).where(
        Outcome.booking.is_in(ids) & (Outcome.category == "arbete")
    )
    gains_rows = (
        await Agreement.select(Agreement.host_gains)
        .where(
            Agreement.booking.is_in(ids)
            & (Agreement.status == "signed")
            & (Agreement.host_gains != "")
        )
        .order_by(Agreement.id)
    )
    gains: list[str] = []
    for r in gains_rows:
        text = r["host_gains"].strip()
        if text and text not in gains:
            gains.append(text)
    ended = sum(1 for r in rows if r["status"] in ENDED)
    ledger = schemas.HostLedger(
        host_id=host["id"],
        host_name=host["name"],
        placements_hosted=len(rows),
        placements_active=sum(1 for r in rows if r["status"] == "active"),
        hours=sum(placement_hours(r, today) for r in rows),
        assessments_returned=len(submitted),
        assessments_due=sum(
            1 for r in rows if r["status"] in ENDED and int(r["id"]) not in submitted
        ),
        went_to_work=len({int(r["candidate"]) for r in work}),
        hired_by_host=len({int(r["candidate"]) for r in work if r["hired_by_host"]}),
        host_gains=gains,
    )
    return protect(ledger, ended) if user.role in SMALL_CELL_READERS else ledger


# Readers who do not see the persons behind a host's figures: an analyst sees no person, a
# coordinator only their own participants (the ledger counts every coordinator's).
SMALL_CELL_READERS = ("analyst", "coordinator")


def protect(ledger: schemas.HostLedger, ended: int) -> schemas.HostLedger:
    """The ledger under the small-cell rule, for `SMALL_CELL_READERS`: no figure that rests
    on 1–4 persons. The placement figures hang together (hosted = active + ended; ended =
    returned + due), so when one of them is small they are all hidden, with the hours and
    the host's gains (one text per signed agreement: how many there are would give a lower
    bound of the hidden count), rather than leave one to be worked out from the others.
    Hosts see their own participants anyway, and admins every record, so they get the
    ledger whole."""
    structure = (
        "placements_hosted",
        "placements_active",
        "assessments_returned",
        "assessments_due",
    )
    people = ("went_to_work", "hired_by_host")
    cells = Cells(
        {c: getattr(ledger, c) for c in (*structure, *people)}
        | {"hours": ledger.hours, "ended": ended}
    )
    cells.primary(*structure, *people, "ended")
    gains = ledger.host_gains
    if any(c in cells.hidden for c in (*structure, "ended")):
        cells.hidden.update((*structure, "hours"))
        gains = []
    also = ["host_gains"] if ledger.host_gains and not gains else []
    return msgspec.structs.replace(
        ledger,
        **{c: cells.get(c) for c in (*structure, *people, "hours")},
        host_gains=gains,
        suppressed=[*(p for p in cells.paths() if p != "ended"), *also],
        protected=[*(p for p in cells.protected_paths() if p != "ended"), *also],
    )
