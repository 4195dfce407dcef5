"""Writing the audit log (loggkontroll). There is deliberately no function to change a row."""

from __future__ import annotations

from collections.abc import Sequence

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
    await AuditEntry.insert(_entry(actor, action, subject_id, subject_type, detail, label))


async def record_many(
    actor: AuthUser | None,
    action: str,
    subject_ids: Sequence[int | None],
    *,
    subject_type: str = "candidate",
    detail: str = "",
    details: Sequence[str] | None = None,
    label: str = "",
) -> None:
    """One audit row per subject, as `record` writes them, in one statement: a list shown is a
    read of every record in it, and a page of fifty participants was fifty statements.

    `details`, when given, holds each subject's own detail (same length as `subject_ids`);
    otherwise every row gets `detail`.
    """
    if details is not None and len(details) != len(subject_ids):
        raise ValueError("one detail per subject")
    rows = [
        _entry(actor, action, subject_id, subject_type, details[n] if details else detail, label)
        for n, subject_id in enumerate(subject_ids)
    ]
    if rows:
        await AuditEntry.insert(*rows)


def _entry(
    actor: AuthUser | None,
    action: str,
    subject_id: int | None,
    subject_type: str,
    detail: str,
    label: str,
) -> AuditEntry:
    return AuditEntry(
        actor_id=actor.id if actor else None,
        actor_label=f"{actor.username} ({actor.role})" if actor else label or "system",
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        detail=detail[:2000],
    )
