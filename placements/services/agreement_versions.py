"""An agreement's versions as rows: drafting version 1 when the host accepts, writing a change
(in place before any signature; after one, a new version with fresh, unsigned signatures, and
an agreed booking goes back to accepted), applying the participant's withdrawn consent to
every agreement not yet signed by all, and whether the current version is fully signed.

Below the booking actions, which draft the agreement on accept and start a placement only
when it is signed (`bookings`), and below the record's change that withdraws a consent
(`candidate_updates`); reading, changing and signing an agreement as a user is
`agreements`, on top.
"""

from __future__ import annotations

import json
from typing import Any, cast

from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.settings import get_settings
from placements import booking_states
from placements.rows import (
    AgreementChanges,
    AgreementRow,
    BookingRow,
    CandidateGoal,
    CandidateRow,
)
from placements.services import booking_access, booking_mail, booking_moves
from placements.services.candidates import candidate_row, shareable_adaptations
from placements.tables import Agreement, Booking, Signature
from placements.vocabulary import AGREEMENT_FIELD_LABELS

# The parties who sign every agreement, in the order pages list them.
PARTIES = ("coordinator", "host", "supervisor", "participant")


def json_list(value: Any) -> list[Any]:
    """A JSON list column's value as a list (SQLite hands back the text)."""
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return list(value or [])


async def new_signatures(agreement_id: int) -> None:
    """One unsigned signature row per party for a new agreement version."""
    for party in PARTIES:
        await Signature.insert(Signature(agreement=agreement_id, party=party))


async def draft_agreement(booking: BookingRow, actor: AuthUser | None) -> int:
    """Draft version 1 from the booking (its period and the weekly hours accepted) and the
    participant's plan (inside the accept transaction). Only adaptations marked shareable are
    copied in. The tasks and what the host gains are left for the parties to write: the
    agreement is signed only once its win-win is written (`agreements.check_win_win`)."""
    candidate = await candidate_row(booking["candidate"])
    assert candidate is not None
    hours = booking["hours_per_week"]
    agreement = Agreement(
        booking=booking["id"],
        version=1,
        status="draft",
        start_date=booking["start_date"],
        end_date=booking["end_date"],
        weekly_schedule=f"{hours} timmar i veckan" if hours else "",
        # Not the advert's text: written to draw applicants ("Vi har funnits på orten sedan
        # 1980-talet…"), it is no list of tasks anyone agrees to. The host writes the tasks.
        tasks="",
        participant_goals=shared_goal(candidate),
        host_gains="",
        supervisor=booking["supervisor"],
        coordinator=booking["coordinator"],
        follow_up_meetings="[]",
        adaptations_shared=json.dumps(shareable_adaptations(candidate), ensure_ascii=False),
        insurance_text=get_settings().insurance_text,
    )
    await agreement.save()
    await new_signatures(int(agreement.id))
    return int(agreement.id)


def shared_goal(candidate: CandidateGoal) -> str:
    """The plan goal, if the participant agreed to share it with a host; else nothing."""
    return candidate["plan_goal"] if candidate["plan_goal_shareable"] else ""


async def current_agreement_row(booking_id: int) -> AgreementRow | None:
    """The booking's newest agreement version (None before the host accepts)."""
    return cast(
        "AgreementRow | None",
        await Agreement.select()
        .where(Agreement.booking == booking_id)
        .order_by(Agreement.version, ascending=False)
        .first(),
    )


async def versions_of(booking_id: int) -> list[AgreementRow]:
    """Every version of the booking's agreement, newest first."""
    return cast(
        "list[AgreementRow]",
        await Agreement.select()
        .where(Agreement.booking == booking_id)
        .order_by(Agreement.version, ascending=False),
    )


async def agreement_row(agreement_id: int) -> AgreementRow | None:
    """One agreement version, every column (None if there is none)."""
    return cast(
        "AgreementRow | None", await Agreement.select().where(Agreement.id == agreement_id).first()
    )


def goals_now(goals: str, candidate: CandidateGoal) -> str:
    """The agreement's goals, without the plan goal once its sharing is withdrawn."""
    plan_goal = (candidate["plan_goal"] or "").strip()
    if plan_goal and not candidate["plan_goal_shareable"] and goals.strip() == plan_goal:
        return ""
    return goals


async def write_change(
    actor: AuthUser | None,
    booking: BookingRow,
    agreement: AgreementRow,
    values: AgreementChanges,
) -> int:
    """Write changed agreement fields under the booking's lock; returns the current row's id.

    Unsigned: changed in place, with the next version number. Signed by anyone: the old
    version is superseded and a new one, with fresh signatures, is made; an agreed booking
    goes back to accepted and the coordinator and host are told."""
    booking_id = int(booking["id"])
    version = int(agreement["version"]) + 1
    any_signed = await Signature.exists().where(
        (Signature.agreement == agreement["id"]) & Signature.signed_at.is_not_null()
    )
    if not any_signed:
        columns: dict[Any, Any] = {
            Agreement._meta.get_column_by_name(k): v for k, v in values.items()
        }
        columns[Agreement.version] = version
        await Agreement.update(columns).where(Agreement.id == agreement["id"])
        if actor is not None and values:
            # The version number goes up with every change, so that a signing page read
            # before it cannot sign the new text; the timeline says why it moved.
            parts = [AGREEMENT_FIELD_LABELS.get(key, key) for key in values]
            changed = ", ".join([parts[0], *(part.lower() for part in parts[1:])])
            await booking_moves.note_event(
                actor,
                booking,
                f"Överenskommelsen ändrades (version {version}): {changed}. Ingen hade skrivit "
                "under än.",
            )
        return int(agreement["id"])
    await Agreement.update({Agreement.status: "superseded"}).where(Agreement.id == agreement["id"])
    # The new version's columns: the old version's, changed.
    fields: dict[str, Any] = {k: v for k, v in agreement.items() if k not in ("id", "created_at")}
    fields.update(values)
    fields.update(version=version, status="draft")
    fresh = Agreement(**fields)
    await fresh.save()
    agreement_id = int(fresh.id)
    await new_signatures(agreement_id)
    if booking_states.can("change_agreement", booking["status"]):
        await booking_moves.transition(
            booking,
            "accepted",
            actor,
            note="Överenskommelsen ändrades; alla parter behöver skriva under igen.",
        )
    elif actor is not None:
        # Signed by some, not yet agreed: the status stays, so the timeline had no word of
        # it, while the signatures already given and the links sent stopped counting.
        await booking_moves.note_event(
            actor,
            booking,
            f"Överenskommelsen ändrades (version {version}). Underskrifterna som redan fanns "
            "gäller inte längre, och länkarna som skickats fungerar inte: alla parter behöver "
            "skriva under igen.",
        )
    await booking_mail.notify(
        [
            *(await booking_mail.coordinator_recipients(booking)),
            *(await booking_mail.host_user_recipients(booking["slot"], booking_id)),
        ],
        "Överenskommelsen har ändrats och behöver skrivas under igen",
        f"Hej!\n\nÖverenskommelsen har ändrats (version {version}). Alla parter behöver "
        "läsa den och skriva under igen.",
        kind="agreement.changed",
        booking_id=booking_id,
        actor=actor,
    )
    return agreement_id


async def apply_consent(actor: AuthUser | None, candidate: CandidateRow) -> None:
    """The participant's current choices, applied to every agreement not yet signed by all
    (inside the transaction that changed the candidate): an adaptation no longer shareable,
    and the plan goal once its sharing is withdrawn, leave the text. Signed agreements keep
    their text, but what they show follows the same choices (`agreement_out`)."""
    allowed = set(shareable_adaptations(candidate))
    rows = await Booking.select(Booking.id).where(
        (Booking.candidate == candidate["id"]) & Booking.status.is_in(["accepted"])
    )
    for head in rows:
        booking = await booking_access.lock_booking(int(head["id"]))
        if booking["status"] != "accepted":
            continue
        agreement = await current_agreement_row(int(booking["id"]))
        if agreement is None or agreement["status"] in ("superseded", "cancelled", "signed"):
            continue
        values: AgreementChanges = {}
        shared = json_list(agreement["adaptations_shared"])
        kept = [a for a in shared if a in allowed]
        if kept != shared:
            values["adaptations_shared"] = json.dumps(kept, ensure_ascii=False)
        goals = goals_now(agreement["participant_goals"], candidate)
        if goals != agreement["participant_goals"]:
            values["participant_goals"] = goals
        if values:
            await write_change(actor, booking, agreement, values)
            await record(
                actor,
                "agreement.consent",
                candidate["id"],
                detail=f"bokning {booking['id']}: {', '.join(sorted(values))} (delning återkallad)",
            )


async def fully_signed(booking_id: int) -> bool:
    """True when the booking's current agreement version carries every party's signature."""
    agreement = (
        await Agreement.select(Agreement.id)
        .where((Agreement.booking == booking_id) & (Agreement.status != "superseded"))
        .order_by(Agreement.version, ascending=False)
        .first()
    )
    if agreement is None:
        return False
    rows = await Signature.select(Signature.party, Signature.signed_at).where(
        Signature.agreement == agreement["id"]
    )
    signed = {r["party"] for r in rows if r["signed_at"] is not None}
    return signed >= set(PARTIES)
