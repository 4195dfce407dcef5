"""Who may see and act on a booking, the row locks every write takes, and the booking as the
API and the pages show it.

The lowest layer of the booking core above the pure states (`placements.booking_states`): the
notifications (`booking_mail`), the status change (`booking_moves`), the agreement's versions
and the link senders build on it, the actions (`bookings`) on those, and the agreement,
answer and outcome services on top. Every transition runs in `write_transaction` with its
rows locked (PostgreSQL), always in the same order: participant, supervisor(s), slot,
booking, then the change counter (`lock_placement`, `lock_booking`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import msgspec

from employers.tables import Contact
from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser, user_name
from marketplace.kernel.db import is_sqlite, write_transaction
from marketplace.kernel.errors import Conflict, NotFound
from marketplace.kernel.tables import User
from placements import vocabulary
from placements.booking_states import ENDED, HostView, host_view
from placements.rows import BookingDates, BookingEnd, BookingHead, BookingRow, CandidateName
from placements.schemas import bookings as schemas
from placements.services.candidates import (
    display_name,
    host_ids_of,
    name_for_host,
    visible_coordinator_ids,
)
from placements.tables import Booking, BookingEvent, Candidate, Slot

BOOKING_NOT_FOUND = "Bokningen finns inte, eller så har du inte tillgång till den."
STATUS_TEXT = vocabulary.BOOKING_STATUS_LABELS  # one wording for pages, mails and the API


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def engine() -> Any:
    return Booking._meta.db


# --- access ----------------------------------------------------------------------------------


async def booking_row(booking_id: int) -> BookingRow | None:
    """The booking's row, every column (None if there is none); no access check."""
    return cast("BookingRow | None", await Booking.select().where(Booking.id == booking_id).first())


async def coordinator_contact(coordinator_id: int | None) -> tuple[str, str]:
    """The name and work e-mail of a booking's coordinator, whom the host asks about the
    proposal or the placement (("", "") when the booking has none). The caller has already
    been let see the booking (or holds one of its links)."""
    if coordinator_id is None:
        return "", ""
    row = (
        await User.select(User.first_name, User.last_name, User.username, User.email)
        .where(User.id == coordinator_id)
        .first()
    )
    if row is None:
        return "", ""
    return user_name(row), row["email"] or ""


async def may_act_as_host(user: AuthUser, booking: BookingRow) -> bool:
    """Host users of the slot's host, and staff (who act for any host)."""
    if user.is_staff:
        return True
    if user.role != "host":
        return False
    host_id = await host_of_slot(int(booking["slot"]))
    return host_id in await host_ids_of(user)


async def host_of_slot(slot_id: int) -> int:
    """The host organisation of a slot."""
    row = await Slot.select(Slot.host).where(Slot.id == slot_id).first()
    assert row is not None
    return int(row["host"])


async def booking_row_for(user: AuthUser, booking_id: int) -> BookingRow:
    """The booking row if the caller may see it; NotFound otherwise (another org's too).

    Staff see bookings of the candidates they may see; host users see bookings on their
    organisations' slots (withdrawn proposals disappear from their view); analysts none.
    """
    row = await booking_row(booking_id)
    if row is None:
        raise NotFound(BOOKING_NOT_FOUND)
    if user.is_staff:
        allowed = await visible_coordinator_ids(user)
        if allowed is None:
            return row
        owner = (
            await Candidate.select(Candidate.coordinator)
            .where(Candidate.id == row["candidate"])
            .first()
        )
        if owner is not None and owner["coordinator"] in allowed:
            return row
        raise NotFound(BOOKING_NOT_FOUND)
    if user.role == "host" and await host_of_slot(int(row["slot"])) in await host_ids_of(user):
        if host_view(row["status"]) >= HostView.FIRST_NAME:
            return row
        if row["status"] == "withdrawn" and await _was_proposed_to_host(booking_id):
            # Answered at the moment it was withdrawn, or its mail's link opened after: not
            # a bare "finns inte" (a proposal the host never saw stays unknown to them).
            raise NotFound(PROPOSAL_WITHDRAWN)
    raise NotFound(BOOKING_NOT_FOUND)


PROPOSAL_WITHDRAWN = (
    "Samordnaren har återkallat förslaget, så ni behöver inte svara på det. Förslaget "
    "visas inte längre bland era bokningar."
)


async def _was_proposed_to_host(booking_id: int) -> bool:
    """Whether the booking was ever a proposal to the host (not only to the participant)."""
    return bool(
        await BookingEvent.exists().where(
            (BookingEvent.booking == booking_id) & (BookingEvent.to_status == "proposed")
        )
    )


OVERLAP_TEXT = (
    "Deltagaren har redan en placering under samma period. En deltagare kan inte ha två "
    "placeringar samtidigt."
)
CHANGED_MEANWHILE = "Bokningen ändrades av någon annan samtidigt. Ladda om sidan och försök igen."
# The PostgreSQL exclusion constraint against overlapping seat-holding placements of one
# participant (placements migration 2026-12-03T17:30:00).
NO_OVERLAP_CONSTRAINT = "pl_booking_no_overlap"


def _overlap_violation(exc: BaseException) -> bool:
    try:
        from asyncpg.exceptions import ExclusionViolationError
    except ImportError:  # pragma: no cover - asyncpg comes with piccolo[postgres]
        return False
    return isinstance(exc, ExclusionViolationError)


@contextlib.asynccontextmanager
async def placement_transaction() -> AsyncIterator[Any]:
    """`write_transaction` for writes that change a placement: the database's own guard
    against overlapping placements answers 409 in Swedish, never 500."""
    try:
        async with write_transaction(engine()) as txn:
            yield txn
    except Exception as exc:
        if _overlap_violation(exc):
            raise Conflict(OVERLAP_TEXT) from None
        raise


_FOR_UPDATE = {
    "pl_candidate": "SELECT id FROM pl_candidate WHERE id = {} FOR UPDATE",
    "emp_contact": "SELECT id FROM emp_contact WHERE id = {} FOR UPDATE",
    "pl_slot": "SELECT id FROM pl_slot WHERE id = {} FOR UPDATE",
    "pl_booking": "SELECT id FROM pl_booking WHERE id = {} FOR UPDATE",
}


async def _for_update(table: str, row_id: int) -> None:
    await Booking.raw(_FOR_UPDATE[table], row_id)


async def lock_candidate(candidate_id: int) -> None:
    """Inside a write transaction: lock the participant's row, for writes that read what an
    earlier write for the same participant left (a count, an existing row) and must not run
    beside a second one (a double click, sends at once). SQLite needs no row lock:
    `write_transaction` already serialises its writers."""
    if not is_sqlite(engine()):
        await _for_update("pl_candidate", candidate_id)


async def lock_placement(booking_id: int, *, new_supervisor: int | None = None) -> BookingRow:
    """Inside a write transaction: lock every row that a placement's capacity and overlap
    checks depend on, and return the booking fresh. The one lock order for them all:

        participant → supervisor(s), by id → slot → booking

    Call it from every write that changes a booking's period, participant or supervisor, or
    makes it hold a seat (accept, agreement period change, start, end). `new_supervisor` is a
    supervisor the write is about to give the booking (accept takes the slot's). SQLite needs
    no row locks: `write_transaction` already serialises its writers.

    If the booking's participant, supervisor or slot changed between reading them and
    locking, the caller gets a 409 asking to try again (locking more now would break the
    order)."""
    head = cast(
        "BookingHead | None",
        await Booking.select(Booking.slot, Booking.candidate, Booking.supervisor)
        .where(Booking.id == booking_id)
        .first(),
    )
    if head is None:
        raise NotFound(BOOKING_NOT_FOUND)
    if not is_sqlite(engine()):
        await _for_update("pl_candidate", int(head["candidate"]))
        for contact_id in sorted({c for c in (head["supervisor"], new_supervisor) if c}):
            await _for_update("emp_contact", int(contact_id))
        await _for_update("pl_slot", int(head["slot"]))
        await _for_update("pl_booking", booking_id)
    row = await booking_row(booking_id)
    assert row is not None
    if (row["slot"], row["candidate"], row["supervisor"]) != (
        head["slot"],
        head["candidate"],
        head["supervisor"],
    ):
        raise Conflict(CHANGED_MEANWHILE)
    return row


async def lock_booking(booking_id: int) -> BookingRow:
    """Inside a write transaction: lock the slot, then the booking, and return it fresh (for
    writes that change neither period, participant nor supervisor; see `lock_placement`)."""
    head = await Booking.select(Booking.slot).where(Booking.id == booking_id).first()
    if head is None:
        raise NotFound(BOOKING_NOT_FOUND)
    if not is_sqlite(engine()):
        await Slot.raw("SELECT id FROM pl_slot WHERE id = {} FOR UPDATE", head["slot"])
        await Booking.raw("SELECT id FROM pl_booking WHERE id = {} FOR UPDATE", booking_id)
    row = await booking_row(booking_id)
    assert row is not None
    return row


# --- what a host may read --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HostReading:
    """What a host may read about one booking now: the one rule every answer a host reads
    about a booking follows (its detail and timeline, its attendance, its assessment), so
    that the API never shows what the host's pages hide.

    - What staff wrote (the coordinator's notes: an interruption's reason, a corrected
      outcome, a note when sending a proposal on) is the municipality's, never the host's,
      at any age (the proposal's message to the host is its own field).
    - Once the placement ended more than `HOST_CONTACT_DAYS` ago (`host_view` below
      `PLACEMENT`), no text names the participant by the surname: a timeline's "Elin Holm
      (via länk)" reads "Elin (via länk)", as the page shows the first name only.
    """

    view: HostView
    first_name: str
    last_name: str

    def text(self, text: str, *, staff_wrote: bool = False) -> str:
        """`text` as the host may read it ("" for what staff wrote)."""
        if staff_wrote:
            return ""
        last = self.last_name.strip()
        if self.view >= HostView.PLACEMENT or not last or not text:
            return text
        words = r"\s+".join(re.escape(w) for w in f"{self.first_name} {last}".split())
        text = re.sub(rf"(?<!\w){words}(?!\w)", self.first_name.strip(), text, flags=re.I)
        surname = r"\s+".join(re.escape(w) for w in last.split())
        return re.sub(rf"(?<!\w){surname}(?!\w)", "…", text, flags=re.I)


async def host_reading(viewer: AuthUser | None, booking: BookingRow) -> HostReading | None:
    """What `viewer` may read about `booking` when it is a host (a host user, or a host
    answering through a link: `viewer` None); None for staff, who read everything."""
    if viewer is not None and viewer.is_staff:
        return None
    name = cast(
        "CandidateName | None",
        await Candidate.select(Candidate.first_name, Candidate.last_name)
        .where(Candidate.id == booking["candidate"])
        .first(),
    )
    return HostReading(
        view=host_view(booking["status"], booking["ended_at"], clock.now()),
        first_name=name["first_name"] if name else "",
        last_name=name["last_name"] if name else "",
    )


async def staff_among(user_ids: Sequence[int | None]) -> set[int]:
    """Which of these users are staff (coordinators, admins): what they wrote stays theirs."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return set()
    rows = await User.select(User.id, User.role).where(User.id.is_in(ids))
    return {int(r["id"]) for r in rows if r["role"] in ("admin", "coordinator")}


# --- output ----------------------------------------------------------------------------------


async def booking_out(
    row: BookingRow, viewer: AuthUser | None, *, with_events: bool = False
) -> schemas.Booking:
    """The booking as the API and the pages show it to `viewer`, with its timeline if asked
    (`bookings_out` says whose name it carries)."""
    [out] = await bookings_out([row], viewer)
    if with_events:
        reading = await host_reading(viewer, row)
        out = msgspec.structs.replace(out, events=await _events(row["id"], reading))
    return out


async def bookings_out(
    rows: Sequence[BookingRow], viewer: AuthUser | None
) -> list[schemas.Booking]:
    """Bookings for a list (no timelines), in three queries whatever their number: one
    booking at a time took three each (slot and host, participant, supervisor).

    Staff read the participant's full name; anyone else (a host user, or a host answering
    through a link: `viewer` None) reads it as a host may on each booking's status
    (`candidates.name_for_host`): the first name until the host has accepted."""
    if not rows:
        return []
    slots = {
        s["id"]: s
        for s in await Slot.select(
            Slot.id, Slot.title, Slot.host, Slot.host.name.as_alias("host_name")
        ).where(Slot.id.is_in(sorted({r["slot"] for r in rows})))
    }
    names = {
        c["id"]: cast("CandidateName", c)
        for c in await Candidate.select(
            Candidate.id, Candidate.first_name, Candidate.last_name
        ).where(Candidate.id.is_in(sorted({r["candidate"] for r in rows})))
    }
    supervisor_ids = sorted({r["supervisor"] for r in rows if r["supervisor"] is not None})
    supervisors: dict[int, str] = {}
    if supervisor_ids:
        supervisors = {
            c["id"]: c["name"]
            for c in await Contact.select(Contact.id, Contact.name).where(
                Contact.id.is_in(supervisor_ids)
            )
        }
    staff = viewer is not None and viewer.is_staff
    out = [
        _booking(
            row,
            slots[row["slot"]],
            display_name(names[row["candidate"]])
            if staff
            else name_for_host(
                names[row["candidate"]], host_view(row["status"], row["ended_at"], clock.now())
            ),
            supervisors.get(row["supervisor"], "") if row["supervisor"] is not None else "",
        )
        for row in rows
    ]
    if staff:
        return out
    # The proposal's message (written to the host) and the host's own reason, as the host
    # may read them (`HostReading`: no surname once the placement is long over).
    for booking, row in zip(out, rows, strict=True):
        name = names[row["candidate"]]
        reading = HostReading(
            view=host_view(row["status"], row["ended_at"], clock.now()),
            first_name=name["first_name"],
            last_name=name["last_name"],
        )
        booking.message = reading.text(booking.message)
        booking.decline_reason = reading.text(booking.decline_reason)
    return out


async def _events(booking_id: int, reading: HostReading | None) -> list[schemas.BookingEvent]:
    """The booking's timeline, as a host may read it when `reading` says so."""
    rows = (
        await BookingEvent.select()
        .where(BookingEvent.booking == booking_id)
        .order_by(BookingEvent.at)
        .order_by(BookingEvent.id)
    )
    staff = await staff_among([e["actor_id"] for e in rows]) if reading else set()

    def shown(text: str, *, staff_wrote: bool = False) -> str:
        return reading.text(text, staff_wrote=staff_wrote) if reading else text

    return [
        schemas.BookingEvent(
            at=e["at"],
            actor=shown(e["actor_label"]),
            from_status=e["from_status"],
            to_status=e["to_status"],
            note=shown(e["note"], staff_wrote=e["actor_id"] in staff),
            to_status_text=STATUS_TEXT.get(e["to_status"], e["to_status"]),
        )
        for e in rows
    ]


def _booking(
    row: BookingRow, slot: dict[str, Any], participant_name: str, supervisor: str
) -> schemas.Booking:
    return schemas.Booking(
        id=row["id"],
        status=row["status"],
        status_text=STATUS_TEXT.get(row["status"], row["status"]),
        slot_id=row["slot"],
        slot_title=slot["title"],
        host_id=slot["host"],
        host_name=slot["host_name"] or "",
        participant=schemas.Participant(id=row["candidate"], name=participant_name),
        coordinator_id=row["coordinator"],
        supervisor_id=row["supervisor"],
        supervisor_name=supervisor,
        message=row["message"],
        decline_reason=row["decline_reason"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        proposed_at=row["proposed_at"],
        decided_at=row["decided_at"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        events=[],
    )


async def fresh_booking(booking_id: int, viewer: AuthUser | None) -> schemas.Booking:
    """The booking as it is now, as `viewer` may see it, with its timeline (after a write)."""
    row = await booking_row(booking_id)
    assert row is not None
    return await booking_out(row, viewer, with_events=True)


def actual_start_of(booking: BookingDates) -> dt.date | None:
    """The day a placement really started: its start date, or the day it was started when
    that was earlier."""
    start_date = booking["start_date"]
    started_at = booking["started_at"]
    started = clock.local_date(started_at) if started_at else None
    if started and start_date:
        return min(started, start_date)
    return started or start_date


def ended_on(booking: BookingEnd) -> dt.date | None:
    """The last day of an ended placement (None while it runs): ending writes the real last
    day to `end_date` (`bookings.end`); `ended_at` is only when someone pressed the button.
    The day of exit that an outcome describes and its follow-ups count from."""
    if booking["status"] not in ENDED:
        return None
    end_date, ended_at = booking["end_date"], booking["ended_at"]
    if end_date:
        return end_date
    return clock.local_date(ended_at) if ended_at else None
