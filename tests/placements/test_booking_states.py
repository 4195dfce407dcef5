"""The booking state machine as a pure table: every action from every status, the edges that
transition() allows, and the statuses that only permit an action without moving."""

from __future__ import annotations

from typing import cast

import pytest

from placements import booking_states
from placements.booking_states import AWAITING, can, next_status, participant_action
from placements.rows import BookingRow
from placements.services import booking_moves

ALL_STATUSES = (
    AWAITING,
    "proposed",
    "accepted",
    "declined",
    "withdrawn",
    "agreed",
    "active",
    "completed",
    "interrupted",
)


def test_the_participant_says_vill_and_the_host_gets_it() -> None:
    assert can("participant_yes", AWAITING)
    assert next_status("participant_yes", AWAITING) == "proposed"


def test_the_participant_says_vill_inte_and_it_closes_unseen() -> None:
    assert can("participant_no", AWAITING)
    assert next_status("participant_no", AWAITING) == "withdrawn"
    assert "withdrawn" not in booking_states.UNSEEN_BY_HOST


def test_a_vill_to_a_proposal_the_host_has_only_records_it() -> None:
    assert next_status("participant_yes", "proposed") == "proposed"


def test_a_vill_inte_withdraws_a_proposal_the_host_has() -> None:
    """A "vill inte" once the host has the proposal closes it: only recorded, the host could
    still accept a placement the participant had said no to."""
    assert next_status("participant_no", "proposed") == "withdrawn"
    assert booking_states.is_edge("proposed", "withdrawn")


def test_the_coordinator_sends_it_on_or_withdraws_it() -> None:
    assert next_status("send_to_host", AWAITING) == "proposed"
    assert next_status("withdraw", AWAITING) == "withdrawn"


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != AWAITING])
def test_only_an_awaiting_proposal_is_sent_on(status: str) -> None:
    assert not can("send_to_host", status)
    with pytest.raises(KeyError):
        next_status("send_to_host", status)


@pytest.mark.parametrize(
    "status", ["declined", "withdrawn", "active", "completed", "interrupted", "accepted"]
)
def test_a_settled_proposal_takes_no_answer(status: str) -> None:
    assert not can("participant_yes", status)
    assert not can("participant_no", status)


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_withdraw_before_the_placement_starts_only(status: str) -> None:
    allowed = status in (AWAITING, "proposed", "accepted", "agreed")
    assert can("withdraw", status) is allowed


def test_answers_name_their_action() -> None:
    assert participant_action("yes") == "participant_yes"
    assert participant_action("no") == "participant_no"
    assert participant_action("") == "participant_no"


def test_the_host_never_sees_an_awaiting_proposal() -> None:
    from placements.services.candidates import HIDDEN_FROM_HOST

    assert AWAITING in HIDDEN_FROM_HOST


# --- the whole graph -------------------------------------------------------------------------

# Every legal (action, from) → to, written out by hand from the state machine in the docs.
EXPECTED = {
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
ACTIONS = sorted({action for action, _ in EXPECTED})


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_every_action_from_every_status(action: str, status: str) -> None:
    expected = EXPECTED.get((action, status))
    assert can(action, status) is (expected is not None)
    if expected is None:
        with pytest.raises(KeyError):
            next_status(action, status)
    else:
        assert next_status(action, status) == expected


def test_the_table_is_exactly_the_documented_graph() -> None:
    assert booking_states.TRANSITIONS == EXPECTED


@pytest.mark.parametrize("before", ALL_STATUSES)
@pytest.mark.parametrize("after", ALL_STATUSES)
def test_edges_are_the_moves_of_some_action(before: str, after: str) -> None:
    moves = {(b, a) for (_, b), a in EXPECTED.items() if b != a}
    assert booking_states.is_edge(before, after) is ((before, after) in moves)


def test_ended_declined_and_withdrawn_are_final() -> None:
    for status in ("completed", "interrupted", "declined", "withdrawn"):
        assert not [e for e in booking_states.EDGES if e[0] == status]


@pytest.mark.parametrize(
    ("action", "statuses"),
    [
        ("answer", {"proposed"}),
        ("sign", {"accepted"}),
        ("change", {"accepted", "agreed"}),
        ("assess", {"completed", "interrupted"}),
        ("outcome", {"completed", "interrupted"}),
        ("report_attendance", {"active", "completed", "interrupted"}),
    ],
)
def test_actions_that_keep_the_status(action: str, statuses: set[str]) -> None:
    assert {s for s in ALL_STATUSES if can(action, s)} == statuses
    with pytest.raises(KeyError):
        next_status(action, next(iter(statuses)))


def test_an_end_names_its_action() -> None:
    assert booking_states.end_action("completed") == "complete"
    assert booking_states.end_action("interrupted") == "interrupt"


def test_seat_holding_statuses_are_the_ones_between_accept_and_end() -> None:
    assert booking_states.SEAT_HOLDING == ("accepted", "agreed", "active")
    from placements.services import SEAT_HOLDING

    assert SEAT_HOLDING is booking_states.SEAT_HOLDING


async def test_transition_refuses_a_move_off_the_graph_in_swedish() -> None:
    from marketplace.kernel.errors import Conflict

    with pytest.raises(Conflict) as refused:
        # Only the keys a refused move reads.
        row = cast("BookingRow", {"id": 1, "status": "completed"})
        await booking_moves.transition(row, "active", None)
    assert str(refused.value) == (
        "Bokningen är avslutad och kan inte bli pågående. "
        "Placeringen är redan avslutad; registrera utfallet."
    )
