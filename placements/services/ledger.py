"""The host's win-win ledger: what a host has given (placements, hours, assessments) and
received (participants who went on to work, hires of its own, the gains it named)."""

from __future__ import annotations

import datetime as dt

import msgspec

from employers.tables import Host
from marketplace import clock
from marketplace.auth import AuthUser
from marketplace.disclosure import Cells
from marketplace.errors import NotFound
from placements.schemas import outcomes as schemas
from placements.services.candidates import host_ids_of
from placements.tables import Agreement, Assessment, Booking, Outcome

HOSTED = ("active", "completed", "interrupted")
ENDED = ("completed", "interrupted")
LEDGER_NOT_FOUND = "Värdorganisationen finns inte, eller så hör den inte till dig."


def placement_hours(
    hours_per_week: int | None, start: dt.date | None, end: dt.date | None, today: dt.date
) -> int:
    """Hours a placement has given: the weekly hours over the weeks it ran (up to today)."""
    if not hours_per_week or start is None:
        return 0
    last = min(end or today, today)
    days = (last - start).days + 1
    if days <= 0:
        return 0
    return round(hours_per_week * days / 7)


async def host_ledger_for(
    user: AuthUser, host_id: int, today: dt.date | None = None
) -> schemas.HostLedger:
    """The ledger of one host. Host users see their own organisations; staff and analysts any
    (it holds figures and the host's own words, never a person)."""
    today = today or clock.today()
    if user.role == "host" and host_id not in await host_ids_of(user):
        raise NotFound(LEDGER_NOT_FOUND)
    host = await Host.select(Host.id, Host.name).where(Host.id == host_id).first()
    if host is None:
        raise NotFound(LEDGER_NOT_FOUND)
    rows = await Booking.select(
        Booking.id,
        Booking.status,
        Booking.start_date,
        Booking.end_date,
        Booking.slot.hours_per_week.as_alias("hours_per_week"),
    ).where((Booking.slot.host == host_id) & Booking.status.is_in(list(HOSTED)))
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
        hours=sum(
            placement_hours(r["hours_per_week"], r["start_date"], r["end_date"], today)
            for r in rows
        ),
        assessments_returned=len(submitted),
        assessments_due=sum(
            1 for r in rows if r["status"] in ENDED and int(r["id"]) not in submitted
        ),
        went_to_work=len({int(r["candidate"]) for r in work}),
        hired_by_host=len({int(r["candidate"]) for r in work if r["hired_by_host"]}),
        host_gains=gains,
    )
    return protect_for_analyst(ledger, ended) if user.role == "analyst" else ledger


def protect_for_analyst(ledger: schemas.HostLedger, ended: int) -> schemas.HostLedger:
    """The ledger under the small-cell rule: an analyst sees no person, so no figure that
    rests on 1–4 of them. The placement figures hang together (hosted = active + ended;
    ended = returned + due), so when one of them is small they are all hidden, with the
    hours, rather than leave one to be worked out from the others. Hosts see their own
    participants anyway, and staff every record, so they get the ledger whole."""
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
    if any(c in cells.hidden for c in (*structure, "ended")):
        cells.hidden.update((*structure, "hours"))
    hidden = [p for p in cells.paths() if p != "ended"]
    return msgspec.structs.replace(
        ledger, **{c: cells.get(c) for c in (*structure, *people, "hours")}, suppressed=hidden
    )
