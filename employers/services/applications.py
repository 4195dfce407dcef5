"""Applications to join as a host through the public form. Each waits for a coordinator or
admin, who approves it (the host is created and its contact invited) or rejects it with a note."""

from __future__ import annotations

import datetime as dt
from typing import Any

from employers import schemas
from employers.services.hosts import coordinates_of, ensure_unique
from employers.services.invitations import invite_host_user
from employers.services.orgnr import normalize_org_number
from employers.tables import Host, HostApplication
from marketplace.addresses import normalise_email, single_line
from marketplace.audit import record
from marketplace.auth import AuthUser
from marketplace.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from marketplace.mail import queue_mail
from marketplace.ratelimit import limiter_for
from marketplace.settings import get_settings

APPLICATION_NOT_FOUND = "Ansökan finns inte."
# The public form needs no account, so each source address may send this many applications
# per hour (shared by all workers with Redis). A real organisation applies once.
APPLICATIONS_PER_ADDRESS_PER_HOUR = 10
_WINDOW_S = 3600
SORTS = {"oldest": False, "newest": True}  # created_at descending?


async def throttle_applications(client: str) -> None:
    """Count one application attempt from `client`; 429 with Retry-After once over budget."""
    verdict = await limiter_for(get_settings()).hit(
        f"host_application:client:{client}", APPLICATIONS_PER_ADDRESS_PER_HOUR, _WINDOW_S
    )
    if not verdict.allowed:
        minutes = max(1, (verdict.retry_after + 59) // 60)
        raise TooManyRequests(
            "Vi har tagit emot många intresseanmälningar härifrån på kort tid. Vänta "
            f"{minutes} minuter och försök igen, eller ring kommunens arbetsmarknadsenhet.",
            retry_after=verdict.retry_after,
        )


def application_out(row: dict[str, Any]) -> schemas.Application:
    return schemas.Application(
        id=row["id"],
        org_name=row["org_name"],
        kind=row["kind"],
        org_number=row["org_number"],
        town=row["town"],
        contact_name=row["contact_name"],
        contact_email=row["contact_email"],
        contact_phone=row["contact_phone"],
        message=row["message"],
        status=row["status"],
        decided_at=row["decided_at"],
        decision_note=row["decision_note"],
        host_id=row["host"],
        created_at=row["created_at"],
    )


async def submit_application(data: schemas.ApplicationCreate) -> schemas.ApplicationReceived:
    """Anyone may apply; the application waits as `pending` for a coordinator or admin."""
    org_name = data.org_name.strip()
    contact_name = data.contact_name.strip()
    if not org_name:
        raise ValidationFailed("Ange organisationens namn.", fields=["org_name"])
    if not contact_name:
        raise ValidationFailed("Ange kontaktpersonens namn.", fields=["contact_name"])
    single_line(org_name, "org_name", label="Organisationens namn")
    single_line(contact_name, "contact_name", label="Kontaktpersonens namn")
    email = normalise_email(
        data.contact_email, "contact_email", label="Kontaktpersonens e-postadress"
    )
    org_number = normalize_org_number(data.org_number)
    async with HostApplication._meta.db.transaction():
        rows = await HostApplication.insert(
            HostApplication(
                org_name=org_name,
                kind=data.kind,
                org_number=org_number,
                town=data.town.strip(),
                contact_name=contact_name,
                contact_email=email,
                contact_phone=data.contact_phone.strip(),
                message=data.message,
            )
        ).returning(HostApplication.id)
        application_id = int(rows[0]["id"])
        await record(None, "host_application.submit", application_id, subject_type="application")
    return schemas.ApplicationReceived(
        id=application_id,
        status="pending",
        message="Tack! Vi har tagit emot er ansökan. En samordnare hör av sig via e-post.",
    )


async def count_applications(status: str | None = None) -> int:
    query = HostApplication.count()
    if status:
        query = query.where(HostApplication.status == status)
    return int(await query)


async def list_applications(
    status: str | None = None, *, limit: int = 50, offset: int = 0, sort: str = "oldest"
) -> list[schemas.Application]:
    """One page of applications, oldest first unless `sort` is "newest" (staff only; the
    controller's guard checks). The callers bound `limit` and `offset`."""
    query = HostApplication.select()
    if status:
        query = query.where(HostApplication.status == status)
    newest = SORTS.get(sort, False)
    rows = (
        await query.order_by(HostApplication.created_at, ascending=not newest)
        .order_by(HostApplication.id, ascending=not newest)
        .limit(limit)
        .offset(offset)
    )
    return [application_out(r) for r in rows]


async def _pending(application_id: int) -> dict[str, Any]:
    row = await HostApplication.select().where(HostApplication.id == application_id).first()
    if row is None:
        raise NotFound(APPLICATION_NOT_FOUND)
    if row["status"] != "pending":
        raise Conflict(f"Ansökan är redan behandlad ({row['status']}).")
    return row


async def approve_application(
    actor: AuthUser, application_id: int, note: str = ""
) -> schemas.Application:
    """Create the host from the application and invite its contact person by e-mail."""
    row = await _pending(application_id)
    now = dt.datetime.now(dt.UTC)
    async with HostApplication._meta.db.transaction():
        await ensure_unique(row["org_number"], row["org_name"])
        coords = coordinates_of(row["town"])
        created = await Host.insert(
            Host(
                name=row["org_name"],
                kind=row["kind"],
                org_number=row["org_number"],
                town=row["town"],
                latitude=coords[0] if coords else None,
                longitude=coords[1] if coords else None,
                needs=row["message"],
            )
        ).returning(Host.id)
        host_id = int(created[0]["id"])
        await HostApplication.update(
            {
                HostApplication.status: "approved",
                HostApplication.decided_by: actor.id,
                HostApplication.decided_at: now,
                HostApplication.decision_note: note,
                HostApplication.host: host_id,
            }
        ).where(HostApplication.id == application_id)
        await record(actor, "host.create", host_id, subject_type="host", detail=row["org_name"])
        await record(actor, "host_application.approve", application_id, subject_type="application")
        await invite_host_user(actor, host_id, row["contact_email"], row["contact_name"])
    done = await HostApplication.select().where(HostApplication.id == application_id).first()
    assert done is not None
    return application_out(done)


async def reject_application(
    actor: AuthUser, application_id: int, note: str
) -> schemas.Application:
    """Reject with a note that is mailed to the applicant."""
    row = await _pending(application_id)
    note = note.strip()
    if not note:
        raise ValidationFailed(
            "Skriv en kort motivering; den skickas till den som ansökte.", fields=["note"]
        )
    async with HostApplication._meta.db.transaction():
        await HostApplication.update(
            {
                HostApplication.status: "rejected",
                HostApplication.decided_by: actor.id,
                HostApplication.decided_at: dt.datetime.now(dt.UTC),
                HostApplication.decision_note: note,
            }
        ).where(HostApplication.id == application_id)
        await queue_mail(
            row["contact_email"],
            f"Er ansökan om att bli värd: {row['org_name']}",
            f"Hej {row['contact_name']}!\n\nTack för er ansökan. Vi kan tyvärr inte godkänna "
            f"den just nu.\n\nMotivering: {note}\n",
            kind="host_application_rejected",
        )
        await record(actor, "host_application.reject", application_id, subject_type="application")
    done = await HostApplication.select().where(HostApplication.id == application_id).first()
    assert done is not None
    return application_out(done)
