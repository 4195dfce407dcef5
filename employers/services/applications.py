"""Applications to join as a host through the public form. Each waits for a coordinator or
admin, who approves it (the host is created and its contact invited) or rejects it with a note."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import cast

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from employers import schemas
from employers.rows import ApplicationNotice, HostApplicationRow, HostIdentity
from employers.services.hosts import coordinates_of, ensure_unique
from employers.services.invitations import invite_host_user
from employers.services.orgnr import normalize_org_number
from employers.tables import Host, HostApplication
from marketplace.kernel.addresses import normalise_email, single_line
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.mail import queue_mail
from marketplace.kernel.ratelimit import spend
from marketplace.kernel.settings import get_settings
from marketplace.kernel.sms import check_phone
from marketplace.kernel.tables import User

APPLICATION_NOT_FOUND = "Ansökan finns inte."
# The public form needs no account, so each source address may send this many applications
# per hour (shared by all workers with Redis). A real organisation applies once.
APPLICATIONS_PER_ADDRESS_PER_HOUR = 10
_WINDOW_S = 3600
SORTS = {"oldest": False, "newest": True}  # created_at descending?


async def throttle_applications(client: str) -> None:
    """Count one application attempt from `client`; 429 with Retry-After once over budget."""
    await spend(
        f"host_application:client:{client}",
        APPLICATIONS_PER_ADDRESS_PER_HOUR,
        _WINDOW_S,
        # The unit's name from the settings (UNIT_NAME), its braces kept from `{minutes}`'s format.
        (
            "Vi har tagit emot många intresseanmälningar härifrån på kort tid. Vänta {minutes} "
            "minuter och försök igen, eller ring {unit}."
        ).replace("{unit}", get_settings().unit_name.replace("{", "{{").replace("}", "}}")),
    )


# --- possible duplicates of existing hosts -----------------------------------------------------

# Two names this alike (rapidfuzz token_sort_ratio, 0–100, legal form left out) in the same
# town are probably the same organisation: "Vårgårda Bygg AB" and "Vårgårda bygg".
SIMILAR_NAME_SCORE = 85
_LEGAL_FORMS = re.compile(
    r"\b(ab|hb|kb|aktiebolag|handelsbolag|kommanditbolag|ek|för|ekonomisk förening|publ)\b"
)


def _name_key(name: str) -> str:
    """A name to compare: lower case, no punctuation, no legal form, å ä ö as a a o (a name
    typed without them is the same name)."""
    folded = unicodedata.normalize("NFKD", default_process(name))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_LEGAL_FORMS.sub(" ", plain).split())


def _same_town(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def duplicates_among(
    hosts: Iterable[HostIdentity], org_number: str, org_name: str, town: str
) -> list[str]:
    """Names of the hosts an application may duplicate: the same organisation number, or a
    very similar name in the same town."""
    key = _name_key(org_name)
    found: list[str] = []
    for host in hosts:
        same_number = bool(org_number) and host["org_number"] == org_number
        similar = (
            _same_town(town, host["town"])
            and bool(key)
            and fuzz.token_sort_ratio(key, _name_key(host["name"])) >= SIMILAR_NAME_SCORE
        )
        if (same_number or similar) and host["name"] not in found:
            found.append(host["name"])
    return found


async def _hosts_for_comparison() -> list[HostIdentity]:
    return cast(
        "list[HostIdentity]",
        list(await Host.select(Host.name, Host.org_number, Host.town).order_by(Host.name)),
    )


async def possible_duplicates(org_number: str, org_name: str, town: str) -> list[str]:
    return duplicates_among(await _hosts_for_comparison(), org_number, org_name, town)


def duplicate_text(names: list[str]) -> str:
    """“möjlig dubblett av Vårgårda Bygg AB”, as the list page and the mail say it."""
    return "möjlig dubblett av " + ", ".join(names) if names else ""


async def _notify_staff(application_id: int, row: ApplicationNotice, duplicates: list[str]) -> None:
    """One mail per new application to every active coordinator and admin, linking to the
    applications page, and saying which existing host it may duplicate."""
    staff = await User.select(User.id, User.email).where(
        User.role.is_in(["coordinator", "admin"]) & User.active.eq(True)
    )
    link = get_settings().base_url.rstrip("/") + "/arbetsbord/ansokningar"
    where = f" i {row['town']}" if row["town"] else ""
    number = f" (organisationsnummer {row['org_number']})" if row["org_number"] else ""
    text = duplicate_text(duplicates)
    warning = (
        f"\nObs! {text[:1].upper()}{text[1:]}. Se efter om värden redan finns.\n" if text else ""
    )
    subject = f"Ny intresseanmälan från värd: {row['org_name']}"
    if duplicates:
        subject += f" ({duplicate_text(duplicates)})"
    body = (
        f"Hej!\n\n{row['org_name']}{where}{number} vill ta emot praktikanter och väntar på "
        f"beslut. Kontaktperson: {row['contact_name']}.\n{warning}\n"
        f"Godkänn eller avslå anmälan här: {link}\n"
    )
    for user in staff:
        if not user["email"]:
            continue
        await queue_mail(
            user["email"],
            subject,
            body,
            kind="host_application.new",
            recipient_user_id=int(user["id"]),
            dedupe_key=f"host_application:{application_id}:{user['id']}",
            meta={"application_id": application_id, "link": link},
        )


def application_out(
    row: HostApplicationRow, duplicates: list[str] | None = None
) -> schemas.Application:
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
        possible_duplicates=duplicates or [],
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
    town = data.town.strip()
    phone = check_phone(data.contact_phone, "contact_phone")
    async with write_transaction(HostApplication._meta.db):
        rows = await HostApplication.insert(
            HostApplication(
                org_name=org_name,
                kind=data.kind,
                org_number=org_number,
                town=town,
                contact_name=contact_name,
                contact_email=email,
                contact_phone=phone,
                message=data.message,
            )
        ).returning(HostApplication.id)
        application_id = int(rows[0]["id"])
        duplicates = await possible_duplicates(org_number, org_name, town)
        await record(
            None,
            "host_application.submit",
            application_id,
            subject_type="application",
            detail=duplicate_text(duplicates),
        )
        await _notify_staff(
            application_id,
            {
                "org_name": org_name,
                "org_number": org_number,
                "town": town,
                "contact_name": contact_name,
            },
            duplicates,
        )
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
    rows = cast(
        "list[HostApplicationRow]",
        await query.order_by(HostApplication.created_at, ascending=not newest)
        .order_by(HostApplication.id, ascending=not newest)
        .limit(limit)
        .offset(offset),
    )
    hosts = await _hosts_for_comparison() if rows else []
    return [
        application_out(
            r,
            duplicates_among(hosts, r["org_number"], r["org_name"], r["town"])
            if r["status"] == "pending"
            else [],
        )
        for r in rows
    ]


async def _pending(application_id: int) -> HostApplicationRow:
    row = await HostApplication.select().where(HostApplication.id == application_id).first()
    if row is None:
        raise NotFound(APPLICATION_NOT_FOUND)
    if row["status"] != "pending":
        decided = {"approved": "godkänd", "rejected": "avslagen"}.get(row["status"], "behandlad")
        raise Conflict(f"Ansökan är redan {decided}.")
    return cast("HostApplicationRow", row)


async def approve_application(
    actor: AuthUser, application_id: int, note: str = ""
) -> schemas.Application:
    """Create the host from the application and invite its contact person by e-mail."""
    row = await _pending(application_id)
    now = dt.datetime.now(dt.UTC)
    async with write_transaction(HostApplication._meta.db):
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
    return application_out(cast("HostApplicationRow", done))


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
    async with write_transaction(HostApplication._meta.db):
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
    return application_out(cast("HostApplicationRow", done))
