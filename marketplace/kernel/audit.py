"""Writing the audit log (loggkontroll). There is deliberately no function to change a row."""

from __future__ import annotations

from marketplace.kernel.auth import AuthUser
from marketplace.kernel.tables import AuditEntry


async def record(
    actor: AuthUser | None,
    action: str,
    subject_id: int | None,
    *,
    subject_type: str = "candidate",
    detail: str = "",
    label: str = "",
) -> None:
    """Append one audit row: who (`actor`, None for a signed link or the system), whom, what.

    `label` names an actor who is not a user (a participant on their own pages) when `actor`
    is None. Call it inside the same transaction as the read or change it records. `detail` must never
    hold a personnummer or a health note's text.
    """
    await AuditEntry.insert(
        AuditEntry(
            actor_id=actor.id if actor else None,
            actor_label=f"{actor.username} ({actor.role})" if actor else label or "system",
            subject_type=subject_type,
            subject_id=subject_id,
            action=action,
            detail=detail[:2000],
        )
    )
