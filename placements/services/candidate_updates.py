"""Changing a participant's record (`update_candidate`): the one write on the record whose
effects reach past it. What hosts see follows the participant's current consent, so a change
of the adaptations or of the plan goal's sharing is applied, in the same transaction, to every
agreement not yet signed by all (`agreement_versions.apply_consent`). That puts this module
above the agreements' rows, and so above the booking core, which reads the record
(`candidates`) for its access checks.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec

from marketplace.kernel import clock
from marketplace.kernel.addresses import normalise_email
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Forbidden, ValidationFailed
from marketplace.kernel.tables import User
from placements.schemas import candidates as schemas
from placements.services import agreement_versions, booking_access, candidates
from placements.tables import Candidate, ParticipantLink, ParticipantSession

_JSON_FIELDS = {"wished_occupations", "skills", "languages"}
# What a participant signs in with: a link goes to the address or the mobile number, and e-ID
# finds the record by the personnummer.
_SIGN_IN_FIELDS = (
    (Candidate.email, "email"),
    (Candidate.phone, "phone"),
    (Candidate.personnummer, "personnummer"),
)


async def update_candidate(
    user: AuthUser, candidate_id: int, data: schemas.CandidateUpdate
) -> schemas.Candidate:
    """Change the fields sent; the audit row names the fields changed, never their values."""
    async with write_transaction(candidates.engine()):
        # First the participant's row lock, which a sign-in link's send takes too: a link is
        # written either before this change (and voided by it below) or after it (to the new
        # address), never to the old address after the void.
        await booking_access.lock_candidate(candidate_id)
        row = await candidates.staff_row(user, candidate_id)
        candidates.check_taxonomy_ids(data)
        if data.consent_date is not msgspec.UNSET or data.consent_method is not msgspec.UNSET:
            candidates.check_consent(
                row.get("consent_date")
                if data.consent_date is msgspec.UNSET
                else data.consent_date,
                row.get("consent_method") or ""
                if data.consent_method is msgspec.UNSET
                else data.consent_method,
            )
        changes: dict[Any, Any] = {}
        changed: list[str] = []
        duplicates: list[int] = []
        for field in data.__struct_fields__:
            value = getattr(data, field)
            if value is msgspec.UNSET:
                continue
            changed.append(field)
            if field == "personnummer":
                value = candidates.normalise_personnummer(value) if value.strip() else ""
                seen, hidden = (
                    await candidates.same_personnummer(user, value, candidate_id)
                    if value
                    else ([], [])
                )
                if seen:
                    raise ValidationFailed(
                        "En annan deltagare har redan det personnumret.", fields=["personnummer"]
                    )
                if hidden and value != row["personnummer"]:
                    duplicates = hidden
                changes[Candidate.personnummer] = value
            elif field == "coordinator_id":
                if user.role == "coordinator" and row["coordinator"] != user.id:
                    raise Forbidden("Bara den ansvariga samordnaren kan lämna över deltagaren.")
                row_user = await User.select(User.role, User.active).where(User.id == value).first()
                if row_user is None or row_user["role"] != "coordinator" or not row_user["active"]:
                    # As at registration: a closed account would leave the participant with
                    # no one who may see them.
                    raise ValidationFailed(
                        "Den ansvariga måste vara en aktiv samordnare. Välj en annan person.",
                        fields=["coordinator_id"],
                    )
                changes[Candidate.coordinator] = value
            elif field == "email":
                changes[Candidate.email] = normalise_email(value, required=False)
            elif field in ("first_name", "last_name"):
                changes[Candidate._meta.get_column_by_name(field)] = candidates.one_line_name(
                    value, field
                )
            elif field == "adaptations":
                changes[Candidate.adaptations] = candidates.adaptations_json(value)
            elif field in _JSON_FIELDS:
                changes[Candidate._meta.get_column_by_name(field)] = json.dumps(value)
            else:
                changes[Candidate._meta.get_column_by_name(field)] = value
        if {"plan_goal", "plan_goal_shareable", "adaptations"} & set(changed):
            goal = changes.get(Candidate.plan_goal, row["plan_goal"])
            shareable = changes.get(Candidate.plan_goal_shareable, row["plan_goal_shareable"])
            adaptations = (
                data.adaptations
                if data.adaptations is not msgspec.UNSET
                else candidates.adaptations_of(row)
            )
            if shared := candidates.shared_text_problems(goal, bool(shareable), adaptations):
                raise ValidationFailed.listed(shared)
        if data.status is not msgspec.UNSET and data.status != row["status"]:
            changes[Candidate.exited_at] = clock.today() if data.status == "exited" else None
        if changes:
            changes[Candidate.updated_at] = dt.datetime.now(dt.UTC)
            await Candidate.update(changes).where(Candidate.id == candidate_id)
        await record(user, "candidate.update", candidate_id, detail=", ".join(changed))
        if any(c in changes and changes[c] != row.get(name) for c, name in _SIGN_IN_FIELDS):
            await _end_sign_ins(candidate_id)
        if duplicates:
            await candidates.route_possible_duplicate(user, candidate_id, duplicates)
        fresh = await candidates.candidate_row(candidate_id)
        assert fresh is not None
        if {"adaptations", "plan_goal", "plan_goal_shareable"} & set(changed):
            # What hosts see follows the participant's current choices, in unsigned
            # agreements too.
            await agreement_versions.apply_consent(user, fresh)
        return await candidates.candidate_out(fresh)


async def _end_sign_ins(candidate_id: int) -> None:
    """The address, the mobile number or the personnummer changed, most often because it was
    wrong: a sign-in link not yet used may lie with a stranger, and a session may be theirs.
    Void the links and end the participant's sessions; the participant signs in again."""
    await ParticipantLink.update({ParticipantLink.replaced_at: dt.datetime.now(dt.UTC)}).where(
        (ParticipantLink.candidate == candidate_id)
        & ParticipantLink.used_at.is_null()
        & ParticipantLink.replaced_at.is_null()
    )
    await ParticipantSession.delete().where(ParticipantSession.candidate == candidate_id)
