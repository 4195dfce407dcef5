"""A small world for the candidate and booking tests: a coordinator, a host organisation with
a supervisor and a host user, a published slot and a participant (made by `tests.builders`),
plus helpers that walk a booking through its life."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import Column

from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser
from placements.schemas import bookings as sb
from placements.schemas import candidates as sc
from placements.services import agreement_versions, agreements, bookings, candidate_updates
from placements.tables import Agreement, Booking, Signature
from tests.builders import (
    make_candidate,
    make_host,
    make_host_user,
    make_slot,
    make_supervisor,
    make_user,
)

# A valid personnummer (Luhn) and one that must never reach a host.
PNR = "19850101-0006"
HEALTH_TEXT = "Hemlig hälsoanteckning: migrän och sömnproblem"
SECRET_ADAPTATION = "Hemlig anpassning: behöver vila efter medicinering"
SHARED_ADAPTATION = "Delbar anpassning: arbetar helst förmiddagar"


@dataclass
class World:
    coordinator: AuthUser
    host_user: AuthUser
    host_id: int
    supervisor_id: int
    slot_id: int
    candidate_id: int
    extra: dict[str, Any] = field(default_factory=dict)


async def make_world(*, capacity: int = 1, supervision: int = 5) -> World:
    coordinator = await make_user("coordinator")
    host_id = await make_host()
    supervisor_id = await make_supervisor(host_id, capacity=supervision)
    host_user = await make_host_user(host_id)
    slot_id = await make_slot(host_id, supervisor_id, capacity=capacity)
    candidate_id = await make_candidate(coordinator)
    return World(coordinator, host_user, host_id, supervisor_id, slot_id, candidate_id)


# Periods follow the date table (placements.date_rules): a proposal starts today or later and
# ends within two years; a placement is started on or after its start date.
TODAY = clock.today()
START = TODAY + dt.timedelta(days=14)
END = START + dt.timedelta(days=88)
ACTIVE_START = TODAY
ACTIVE_END = TODAY + dt.timedelta(days=88)


async def give_adaptations(w: World) -> None:
    """The participant has one adaptation they share with hosts and one they do not."""
    await candidate_updates.update_candidate(
        w.coordinator,
        w.candidate_id,
        sc.CandidateUpdate(
            adaptations=[
                sc.Adaptation(text=SHARED_ADAPTATION, shareable=True),
                sc.Adaptation(text=SECRET_ADAPTATION, shareable=False),
            ]
        ),
    )


async def propose(
    w: World,
    candidate_id: int | None = None,
    slot_id: int | None = None,
    start: dt.date = START,
    end: dt.date = END,
    confirm: bool = False,
) -> int:
    """Propose; `confirm` sends it even when the slot or its supervisor is full (as the
    coordinator confirms the warning on the page)."""
    booking = await bookings.propose(
        w.coordinator,
        sb.BookingCreate(
            slot_id=slot_id or w.slot_id,
            candidate_id=candidate_id or w.candidate_id,
            message="Aida vill pröva lagerarbete.",
            start_date=start,
            end_date=end,
            confirm_capacity=confirm,
        ),
    )
    return booking.id


async def propose_asking_first(w: World) -> int:
    """A proposal the participant answers first (`participant_first`, status
    `awaiting_participant`): the host sees nothing of it until they say "vill"."""
    booking = await bookings.propose(
        w.coordinator,
        sb.BookingCreate(
            slot_id=w.slot_id,
            candidate_id=w.candidate_id,
            message="Passar dig bra.",
            start_date=START,
            end_date=END,
            participant_first=True,
        ),
    )
    return booking.id


async def link_tokens(w: World, booking_id: int) -> dict[str, str]:
    """Issue signing links and return their tokens by party."""
    links = await agreements.issue_signing_links(w.coordinator, booking_id)
    return {link.party: link.url.rsplit("/", 1)[1] for link in links.links}


async def current_version(booking_id: int) -> int:
    current = await agreement_versions.current_agreement_row(booking_id)
    assert current is not None
    return int(current["version"])


GOALS = "Pröva lagerarbete och få en referens."
GAINS = "Hjälp med inleveranser under högsäsong."


async def write_win_win(booking_id: int) -> None:
    """The draft's win-win as the parties wrote it before anyone read it (the version stays
    the same, so that a test may name it): what the participant and the host gain, where
    still empty. An agreement is signed, and links are sent, only once both are written."""
    current = await agreement_versions.current_agreement_row(booking_id)
    assert current is not None
    written = {"participant_goals": GOALS, "host_gains": GAINS}
    missing = agreements.win_win_missing(current)
    if missing:
        values: dict[Column | str, Any] = {name: written[name] for name in missing}
        await Agreement.update(values).where(Agreement.id == current["id"])


async def sign_all(w: World, booking_id: int) -> None:
    """Every party signs the current version, once its win-win is written: two in the app,
    two through links."""
    await write_win_win(booking_id)
    version = await current_version(booking_id)
    await agreements.sign_in_app(w.coordinator, booking_id, seen_version=version)
    await agreements.sign_in_app(w.host_user, booking_id, seen_version=version)
    for token in (await link_tokens(w, booking_id)).values():
        await agreements.sign_by_link(token, seen_version=version)


async def backdate(booking_id: int, start: dt.date, end: dt.date) -> None:
    """Move a started placement into the past, as history the service holds: the period, the
    agreement's period and the moment it started. (The date table lets no one propose a
    period that has passed, so a placement that ran last year is written, not walked.)"""
    await Booking.update(
        {
            Booking.start_date: start,
            Booking.end_date: end,
            Booking.started_at: dt.datetime.combine(start, dt.time(8), tzinfo=dt.UTC),
        }
    ).where(Booking.id == booking_id)
    await Agreement.update({Agreement.start_date: start, Agreement.end_date: end}).where(
        Agreement.booking == booking_id
    )


async def to_active(w: World, **kw: Any) -> int:
    """A started placement: proposed from today (it may start only on its start date); a
    period in the past is history, written with `backdate`."""
    start = kw.pop("start", ACTIVE_START)
    end = kw.pop("end", ACTIVE_END)
    past = start < TODAY
    booking_id = await propose(
        w, start=TODAY if past else start, end=ACTIVE_END if past else end, **kw
    )
    await bookings.accept(w.host_user, booking_id)
    await sign_all(w, booking_id)
    await bookings.start(w.host_user, booking_id)
    if past:
        await backdate(booking_id, start, end)
    return booking_id


async def signatures_of(booking_id: int) -> dict[str, Any]:
    current = await agreement_versions.current_agreement_row(booking_id)
    assert current is not None
    rows = await Signature.select().where(Signature.agreement == current["id"])
    return {r["party"]: r for r in rows}
