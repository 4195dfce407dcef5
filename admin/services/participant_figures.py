"""Two figures of the participant's own pages (issue 17), for the dashboard:

- the share of placements that started from the participant's own interest (the participant
  marked the slot on /mina-sidor before the coordinator proposed it);
- of the proposals a coordinator made with "let the participant answer first" (the booking
  starts as `awaiting_participant`, unseen by the host), the share the participant said
  "vill" to on /mina-sidor while the host had not yet seen it (which is what sends it on).
  One the coordinator sent on or withdrew before the participant answered, or one the
  participant said "vill inte" to, counts in the whole but not the part.

Both are counted over the report period and filters, and pass the small-cell rule
(`marketplace.kernel.disclosure`): a count of 1–4 is hidden, and a share is hidden when its numerator
is hidden, its denominator is under 5, or what it leaves out (denominator minus numerator)
is 1–4 (which the two shown figures would otherwise give away).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from admin import schemas
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.disclosure import MIN_PERSONS, PROTECTED_TEXT, SUPPRESSED_TEXT, is_small
from placements.booking_states import AWAITING
from placements.tables import Booking, BookingEvent, ParticipantAnswer, ParticipantInterest

STARTED = ("active", "completed", "interrupted")


@dataclass(frozen=True)
class ShareFigure:
    key: str
    label: str
    definition: str
    part: int | None  # None: hidden by the small-cell rule
    whole: int | None
    share: float | None
    # How a hidden part reads: "färre än 5", or "dold" when it is 5 or more, hidden because
    # the rest (whole − part) is small and the part would give it.
    part_hidden: str = SUPPRESSED_TEXT


def _protected(key: str, label: str, definition: str, part: int, whole: int) -> ShareFigure:
    rest = whole - part
    hide_share = is_small(part) or whole < MIN_PERSONS or is_small(rest)
    return ShareFigure(
        key=key,
        label=label,
        definition=definition,
        part=None if is_small(part) or is_small(rest) else part,
        whole=None if is_small(whole) else whole,
        share=None if hide_share or not whole else part / whole,
        part_hidden=SUPPRESSED_TEXT if is_small(part) else PROTECTED_TEXT,
    )


def _where(f: schemas.ReportFilters) -> list[Any]:
    where: list[Any] = []
    if f.track:
        where.append(Booking.candidate._.track == f.track)
    if f.coordinator_id:
        where.append(Booking.coordinator == f.coordinator_id)
    if f.host_kind:
        where.append(Booking.slot._.host._.kind == f.host_kind)
    return where


def _day(at: dt.datetime | None) -> dt.date | None:
    return at.astimezone(STOCKHOLM).date() if at else None


async def participant_figures(f: schemas.ReportFilters) -> list[ShareFigure]:
    started = await Booking.select(
        Booking.id, Booking.candidate, Booking.slot, Booking.proposed_at
    ).where(
        Booking.status.is_in(list(STARTED)),
        Booking.start_date >= f.start,
        Booking.start_date <= f.end,
        *_where(f),
    )
    interests = {
        (int(i["candidate"]), int(i["slot"])): i["created_at"]
        for i in await ParticipantInterest.select(
            ParticipantInterest.candidate, ParticipantInterest.slot, ParticipantInterest.created_at
        ).where(ParticipantInterest.candidate.is_in([b["candidate"] for b in started] or [-1]))
    }
    from_interest = sum(
        1
        for b in started
        if (marked := interests.get((int(b["candidate"]), int(b["slot"])))) is not None
        and marked <= b["proposed_at"]
    )
    # Proposals made with the option: their first event puts them in `awaiting_participant`.
    first_asked = {
        int(e["booking"])
        for e in await BookingEvent.select(BookingEvent.booking).where(
            (BookingEvent.from_status == "") & (BookingEvent.to_status == AWAITING)
        )
    }
    proposals = [
        b
        for b in await Booking.select(Booking.id, Booking.proposed_at).where(
            Booking.id.is_in(sorted(first_asked) or [-1]), *_where(f)
        )
        if (day := _day(b["proposed_at"])) is not None and f.start <= day <= f.end
    ]
    ids = [int(b["id"]) for b in proposals] or [-1]
    answers = {
        int(a["booking"]): a
        for a in await ParticipantAnswer.select(
            ParticipantAnswer.booking, ParticipantAnswer.answer, ParticipantAnswer.answered_at
        ).where(ParticipantAnswer.booking.is_in(ids))
    }
    # When the host first saw each one (it left `awaiting_participant` for `proposed`).
    host_saw = {
        int(e["booking"]): e["at"]
        for e in await BookingEvent.select(BookingEvent.booking, BookingEvent.at).where(
            BookingEvent.booking.is_in(ids)
            & (BookingEvent.from_status == AWAITING)
            & (BookingEvent.to_status == "proposed")
        )
    }
    agreed_first = sum(
        1
        for b in proposals
        if (a := answers.get(int(b["id"]))) is not None
        and a["answer"] == "yes"
        and a["answered_at"] is not None
        and (seen := host_saw.get(int(b["id"]))) is not None
        and a["answered_at"] <= seen
    )
    return [
        _protected(
            "from_interest",
            "Placeringar som började i deltagarens eget intresse",
            "Placeringar som startat under perioden där deltagaren själv hade markerat platsen "
            "på Mina sidor innan samordnaren föreslog den.",
            from_interest,
            len(started),
        ),
        _protected(
            "agreed_first",
            "Förslag som deltagaren sa ja till innan värden såg dem",
            "Av förslagen som samordnaren gjorde under perioden med valet ”Låt deltagaren svara "
            "först”: andelen där deltagaren svarade ”vill” på Mina sidor innan värden såg "
            "förslaget. Förslag som samordnaren skickade vidare eller återkallade innan "
            "deltagaren svarade, och förslag som deltagaren inte ville ha, räknas inte som ja.",
            agreed_first,
            len(proposals),
        ),
    ]
