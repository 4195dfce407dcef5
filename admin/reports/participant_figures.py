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

As the registered reports are (`admin.reports.registry.Report.published`), the figures of one
track, host kind or coordinator are protected for the other slices' sake too: the slices add
up to the unfiltered figures, so a count that some slice has at 1–4 is hidden in the
smallest other slice of 5 or more as well (`marketplace.kernel.disclosure.slice_hidden`).
And the placements started in the period are the 85/15 report's total, counted the same
way (the day a placement started, no earlier than its agreed start: by the agreed start
alone the two differed by a placement set going days late): hidden wherever that report
hides its total (the dashboard showed it beside a hidden one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from msgspec.structs import replace

from admin import schemas
from admin.reports.registry import slice_values
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.disclosure import (
    MIN_PERSONS,
    PROTECTED_TEXT,
    SUPPRESSED_TEXT,
    is_small,
    slice_hidden,
)
from placements.booking_states import AWAITING
from placements.rows import BookingDates
from placements.services.ledger import start_day
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
    # How a hidden whole reads: "färre än 5", or "dold" when it is hidden for another
    # figure's sake (another slice's, or the 85/15 report's hidden total).
    whole_hidden: str = SUPPRESSED_TEXT


def _protected(
    key: str, label: str, definition: str, part: int, whole: int, forced: set[str]
) -> ShareFigure:
    """One share, protected; `forced` holds the counts (`key`, `key.whole`, `key.rest`)
    hidden for another figure's sake."""
    rest = whole - part
    part_shown = not (is_small(part) or is_small(rest) or {key, f"{key}.rest"} & forced)
    whole_shown = not is_small(whole) and f"{key}.whole" not in forced
    hide_share = not part_shown or not whole_shown or whole < MIN_PERSONS
    return ShareFigure(
        key=key,
        label=label,
        definition=definition,
        part=part if part_shown else None,
        whole=whole if whole_shown else None,
        share=None if hide_share or not whole else part / whole,
        part_hidden=SUPPRESSED_TEXT if is_small(part) else PROTECTED_TEXT,
        whole_hidden=SUPPRESSED_TEXT if is_small(whole) else PROTECTED_TEXT,
    )


def _counts(exact: dict[str, tuple[int, int]]) -> dict[str, int]:
    """A slice's counts by path, as `slice_hidden` compares them: each share's part, its
    whole and what the whole leaves (which the part and the whole would give)."""
    out: dict[str, int] = {}
    for key, (part, whole) in exact.items():
        out.update({key: part, f"{key}.whole": whole, f"{key}.rest": whole - part})
    return out


async def _for_other_slices(
    f: schemas.ReportFilters, exact: dict[str, tuple[int, int]]
) -> set[str]:
    """The counts this slice (one track, host kind or coordinator) hides so that another
    slice's 1–4 cannot be worked out from the unfiltered figures minus the shown slices; the
    slices in one order, as the reports take them."""
    forced: set[str] = set()
    for name in ("track", "host_kind", "coordinator_id"):
        chosen = getattr(f, name)
        if chosen is None:
            continue
        slices: dict[Any, dict[str, int]] = {}
        own: dict[Any, set[str]] = {}
        for value in sorted({*await slice_values(name), chosen}, key=str):
            counted = exact if value == chosen else await _exact(replace(f, **{name: value}))
            slices[value] = _counts(counted)
            own[value] = _hidden(counted)
        whole = await _exact(replace(f, **{name: None}))
        forced |= slice_hidden(slices, chosen, _hidden(whole), own)
    return forced


def _hidden(exact: dict[str, tuple[int, int]]) -> set[str]:
    """The counts `_protected` hides of these figures (for the slices of a filter)."""
    out: set[str] = set()
    for key, (part, whole) in exact.items():
        if is_small(part) or is_small(whole - part):
            out.add(key)
        if is_small(whole):
            out.add(f"{key}.whole")
    return out


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


async def participant_figures(
    f: schemas.ReportFilters, *, placements_hidden: bool = False
) -> list[ShareFigure]:
    """The two figures over the period and filters, protected; `placements_hidden`: the
    85/15 report, over the same period and filters, hides its total of placements."""
    exact = await _exact(f)
    forced = await _for_other_slices(f, exact)
    # The placements started are the 85/15 report's total, protected with the reports that
    # show it (`admin.reports.linking`): hidden here wherever it is hidden there.
    if placements_hidden:
        forced.add("from_interest.whole")
    return [
        _protected(
            "from_interest",
            "Placeringar som började i deltagarens eget intresse",
            "Placeringar som startat under perioden där deltagaren själv hade markerat platsen "
            "på Mina sidor innan samordnaren föreslog den.",
            *exact["from_interest"],
            forced,
        ),
        _protected(
            "agreed_first",
            "Förslag som deltagaren sa ja till innan värden såg dem",
            "Av förslagen som samordnaren gjorde under perioden med valet ”Låt deltagaren svara "
            "först”: andelen där deltagaren svarade ”vill” på Mina sidor innan värden såg "
            "förslaget. Förslag som samordnaren skickade vidare eller återkallade innan "
            "deltagaren svarade, och förslag som deltagaren inte ville ha, räknas inte som ja.",
            *exact["agreed_first"],
            forced,
        ),
    ]


async def _exact(f: schemas.ReportFilters) -> dict[str, tuple[int, int]]:
    """Each share's (part, whole), counted exactly."""
    # Started in the period as every report counts it (`start_day`: the day it went active,
    # no earlier than the agreed start), so that the whole is the 85/15 report's total.
    started = [
        b
        for b in await Booking.select(
            Booking.id,
            Booking.candidate,
            Booking.slot,
            Booking.proposed_at,
            Booking.started_at,
            Booking.start_date,
        ).where(Booking.status.is_in(list(STARTED)), *_where(f))
        if (day := start_day(cast("BookingDates", b))) is not None and f.start <= day <= f.end
    ]
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
    return {
        "from_interest": (from_interest, len(started)),
        "agreed_first": (agreed_first, len(proposals)),
    }
