"""The transitions around a proposal the participant answers first: a pure table."""

from __future__ import annotations

import pytest

from placements import booking_states
from placements.booking_states import AWAITING, can, next_status, participant_action

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


def test_an_answer_to_a_proposal_the_host_has_only_records_it() -> None:
    assert next_status("participant_yes", "proposed") == "proposed"
    assert next_status("participant_no", "proposed") == "proposed"


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
