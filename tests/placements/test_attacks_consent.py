"""Issue 13, item 16: what the host sees follows the participant's current choices.

An adaptation whose sharing is withdrawn used to stay in the host's unsigned draft, and the
plan goal was copied into every agreement without any consent. Now the plan goal goes into an
agreement only if the participant agreed to share it (`plan_goal_shareable`), and withdrawing
a consent takes the item out of every agreement not yet signed by all (a new version) and out
of what the host portal shows, signed agreements included.
"""

from __future__ import annotations

import json

from placements.rows import AgreementRow
from placements.schemas import candidates as sc
from placements.services import (
    agreement_versions,
    agreements,
    bookings,
    candidate_updates,
    candidates,
)
from placements.tables import Agreement
from tests.conftest import login
from tests.placements.bookingdata import (
    SHARED_ADAPTATION,
    make_world,
    propose,
    sign_all,
    signatures_of,
    write_win_win,
)

GOAL = "Arbete inom lager och logistik"


async def share(w, *, adaptation: bool, goal: bool) -> None:
    await candidate_updates.update_candidate(
        w.coordinator,
        w.candidate_id,
        sc.CandidateUpdate(
            adaptations=[sc.Adaptation(text=SHARED_ADAPTATION, shareable=adaptation)],
            plan_goal=GOAL,
            plan_goal_shareable=goal,
        ),
    )


async def accepted(w) -> int:
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    return booking_id


async def stored(booking_id: int) -> AgreementRow:
    row = await agreement_versions.current_agreement_row(booking_id)
    assert row is not None
    return row


async def test_plan_goal_goes_into_the_agreement_only_with_consent():
    w = await make_world()
    await share(w, adaptation=True, goal=False)
    booking_id = await accepted(w)
    assert (await stored(booking_id))["participant_goals"] == ""
    host_view = await agreements.get_agreement_for(w.host_user, booking_id)
    assert GOAL not in host_view.participant_goals

    w2 = await make_world()
    await share(w2, adaptation=True, goal=True)
    booking2 = await accepted(w2)
    assert (await stored(booking2))["participant_goals"] == GOAL
    candidate = await candidates.get_candidate_for(w2.coordinator, w2.candidate_id)
    assert candidate.plan_goal_shareable


async def test_withdrawn_sharing_leaves_the_unsigned_draft_and_the_host_portal(client):
    w = await make_world()
    await share(w, adaptation=True, goal=True)
    booking_id = await accepted(w)
    before = await stored(booking_id)
    assert json.loads(before["adaptations_shared"]) == [SHARED_ADAPTATION]
    assert before["participant_goals"] == GOAL

    await share(w, adaptation=False, goal=False)
    after = await stored(booking_id)
    assert json.loads(after["adaptations_shared"]) == []
    assert after["participant_goals"] == ""
    assert after["version"] == before["version"] + 1, "a signature on the old text is refused"
    await login(client, w.host_user.username)
    page = await client.get(f"/vard/bokningar/{booking_id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert SHARED_ADAPTATION not in page.text and GOAL not in page.text
    api = await client.get(f"/api/v1/bookings/{booking_id}/agreement")
    assert SHARED_ADAPTATION not in api.text and GOAL not in api.text


async def test_withdrawal_after_a_signature_makes_a_new_version_to_sign_again():
    w = await make_world()
    await share(w, adaptation=True, goal=True)
    booking_id = await accepted(w)
    await write_win_win(booking_id)  # the goal was shared: what the host gains is written
    await agreements.sign_in_app(w.host_user, booking_id, seen_version=1)
    await share(w, adaptation=False, goal=True)
    versions = {
        r["version"]: r["status"]
        for r in await Agreement.select(Agreement.version, Agreement.status).where(
            Agreement.booking == booking_id
        )
    }
    assert versions == {1: "superseded", 2: "draft"}
    current = await stored(booking_id)
    assert json.loads(current["adaptations_shared"]) == []
    assert current["participant_goals"] == GOAL, "the goal is still shared"
    assert all(s["signed_at"] is None for s in (await signatures_of(booking_id)).values())


async def test_a_signed_agreement_keeps_its_text_but_shows_only_what_is_shared_now():
    w = await make_world()
    await share(w, adaptation=True, goal=True)
    booking_id = await accepted(w)
    await sign_all(w, booking_id)
    await share(w, adaptation=False, goal=False)
    row = await stored(booking_id)
    assert row["status"] == "signed"
    assert json.loads(row["adaptations_shared"]) == [SHARED_ADAPTATION], "the signed record"
    shown = await agreements.get_agreement_for(w.host_user, booking_id)
    assert shown.adaptations_shared == []
    assert shown.participant_goals == ""
