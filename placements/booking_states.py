"""The booking transitions around a proposal the participant answers first (issue 17).

A coordinator may let the participant answer a proposal before the host sees it. The
booking then starts as `awaiting_participant`, which the host never sees, and leaves it by
one of the actions below. Pure: no database, so every transition is unit-tested on its own.
The older transitions (accept, decline, start, end, …) keep their checks in
`placements.services.bookings`; `withdraw` is here since it now also covers the new state.
"""

from __future__ import annotations

AWAITING = "awaiting_participant"

# (action, from status) → the status the booking moves to. An action on a status missing
# here is illegal (409). A participant's answer to a proposal the host already has keeps
# the booking where it is: the answer is only recorded.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("participant_yes", AWAITING): "proposed",
    ("participant_no", AWAITING): "withdrawn",
    ("participant_yes", "proposed"): "proposed",
    ("participant_no", "proposed"): "proposed",
    ("send_to_host", AWAITING): "proposed",
    ("withdraw", AWAITING): "withdrawn",
    ("withdraw", "proposed"): "withdrawn",
    ("withdraw", "accepted"): "withdrawn",
    ("withdraw", "agreed"): "withdrawn",
}

# Statuses the host has never been told about: hidden from every host view and mail.
UNSEEN_BY_HOST = (AWAITING,)


def can(action: str, status: str) -> bool:
    """True when `action` is allowed on a booking in `status`."""
    return (action, status) in TRANSITIONS


def next_status(action: str, status: str) -> str:
    """The status `action` moves a booking in `status` to; KeyError when illegal (ask
    `can` first)."""
    return TRANSITIONS[(action, status)]


def participant_action(answer: str) -> str:
    """The action of the participant's answer: "yes" is "vill", anything else "vill inte"."""
    return "participant_yes" if answer == "yes" else "participant_no"
