"""The booking's states and transitions, in one place. Pure: no database, so every
transition is unit-tested on its own (tests/placements/test_booking_states.py).

    awaiting_participant → proposed | withdrawn       (the participant answers first, issue 17)
    proposed → accepted | declined | withdrawn        (withdrawn: the coordinator, or the
                                                       participant's "vill inte")
    accepted → agreed (every party signed) | withdrawn
    agreed   → active (started) | accepted (the agreement changed) | withdrawn
    active   → completed | interrupted

`placements.services.booking_moves.transition` refuses a move that is no edge of this graph, and
every service asks `can(action, status)` before it acts (409 with a Swedish message if not).
A coordinator may let the participant answer a proposal before the host sees it: the booking
then starts as `awaiting_participant`, which the host never sees.
"""

from __future__ import annotations

import datetime as dt
import enum

AWAITING = "awaiting_participant"

# Groups of statuses the services ask about.
SEAT_HOLDING = ("accepted", "agreed", "active")  # holds a seat and a supervisor's capacity
ENDED = ("completed", "interrupted")
EDITABLE = ("accepted", "agreed")  # the agreement may change
REPORTABLE = ("active", *ENDED)  # attendance may be reported

# (action, from status) → the status the booking moves to. An action on a status missing
# here is illegal (409). The participant's "vill inte" closes an open proposal wherever it
# is: unseen by the host, or withdrawn from the host, who is told it is withdrawn (not why).
# Only recorded, it left the host free to accept a placement the participant had said no to.
# A "vill" to a proposal the host already has keeps it where it is: it is only recorded.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("participant_yes", AWAITING): "proposed",
    ("participant_no", AWAITING): "withdrawn",
    ("participant_yes", "proposed"): "proposed",
    ("participant_no", "proposed"): "withdrawn",
    ("send_to_host", AWAITING): "proposed",
    ("withdraw", AWAITING): "withdrawn",
    ("withdraw", "proposed"): "withdrawn",
    ("withdraw", "accepted"): "withdrawn",
    ("withdraw", "agreed"): "withdrawn",
    ("accept", "proposed"): "accepted",
    ("decline", "proposed"): "declined",
    ("all_signed", "accepted"): "agreed",
    ("change_agreement", "agreed"): "accepted",
    ("start", "agreed"): "active",
    ("complete", "active"): "completed",
    ("interrupt", "active"): "interrupted",
}

# Actions that need a status but do not move the booking.
ALLOWED_IN: dict[str, tuple[str, ...]] = {
    "answer": ("proposed",),  # the host's answer link
    "sign": ("accepted",),
    "change": EDITABLE,
    "assess": ENDED,
    "outcome": ENDED,
    "report_attendance": REPORTABLE,
}

# Every move the graph allows, whatever the action: (from status, to status).
EDGES = frozenset((before, after) for (_, before), after in TRANSITIONS.items() if before != after)

# Statuses the host has never been told about: hidden from every host view and mail.
UNSEEN_BY_HOST = (AWAITING,)


class HostView(enum.IntEnum):
    """How much a host may know of the participant on a booking (OSL 26:1: no more than the
    placement needs). Each level includes the ones below it."""

    HIDDEN = 0  # the booking itself is not shown
    FIRST_NAME = 1  # the booking stays in the host's lists by the first name, nothing more
    PROPOSAL = 2  # also the adaptations the participant agreed to share
    PLACEMENT = 3  # also the last name, the e-mail address and the phone number


# The one rule for every host path (the portal's pages and lists, the API, the answer link):
# a proposal shows what the host needs to decide; the last name and contact details follow
# once the host has said yes. A declined proposal keeps only its first name in the host's
# lists; one the host never heard of, or a withdrawn one, is gone.
HOST_VIEWS: dict[str, HostView] = {
    AWAITING: HostView.HIDDEN,
    "withdrawn": HostView.HIDDEN,
    "declined": HostView.FIRST_NAME,
    "proposed": HostView.PROPOSAL,
    **{status: HostView.PLACEMENT for status in (*SEAT_HOLDING, *ENDED)},
}


# Once a placement has ended, the host keeps its contact details this long (for the last
# weeks' attendance, the assessment, a question afterwards); then the booking stays in its
# lists by the first name, as a declined one does (OSL 26:1: a host asked a year later for the
# participant's phone and adaptations by typing the booking's address).
HOST_CONTACT_DAYS = 90


def host_view(
    status: str, ended_at: dt.datetime | None = None, now: dt.datetime | None = None
) -> HostView:
    """What a host may know of the participant on a booking in `status` (a status missing
    from `HOST_VIEWS` shows nothing), that ended at `ended_at` (if it has): an ended one
    more than HOST_CONTACT_DAYS before `now` by the first name only."""
    view = HOST_VIEWS.get(status, HostView.HIDDEN)
    return min(view, HostView.FIRST_NAME) if long_ended(status, ended_at, now) else view


def long_ended(
    status: str, ended_at: dt.datetime | None = None, now: dt.datetime | None = None
) -> bool:
    """A placement that ended more than HOST_CONTACT_DAYS before `now`: the host reads it by
    the participant's first name only (`host_view`) and reports no more attendance for it."""
    return (
        status in ENDED
        and ended_at is not None
        and now is not None
        and now - ended_at > dt.timedelta(days=HOST_CONTACT_DAYS)
    )


def statuses_host_sees(at_least: HostView) -> tuple[str, ...]:
    """The statuses in which a host sees at least `at_least` of the participant."""
    return tuple(status for status, view in HOST_VIEWS.items() if view >= at_least)


def can(action: str, status: str) -> bool:
    """True when `action` is allowed on a booking in `status`."""
    return (action, status) in TRANSITIONS or status in ALLOWED_IN.get(action, ())


def is_edge(before: str, after: str) -> bool:
    """True when the graph has a move from `before` to `after`."""
    return (before, after) in EDGES


def end_action(result: str) -> str:
    """The action that ends an active placement as `result` (completed or interrupted)."""
    return "complete" if result == "completed" else "interrupt"


def next_status(action: str, status: str) -> str:
    """The status `action` moves a booking in `status` to; KeyError when illegal (ask
    `can` first)."""
    return TRANSITIONS[(action, status)]


def participant_action(answer: str) -> str:
    """The action of the participant's answer: "yes" is "vill", anything else "vill inte"."""
    return "participant_yes" if answer == "yes" else "participant_no"
