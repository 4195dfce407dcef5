"""Contacts and supervisors (handledare) of a host: who guides participants, how many at once,
and who may be shown to the public."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import msgspec

from employers import schemas
from employers.rows import ContactRow
from employers.services import get_host_for, may_manage_host
from employers.tables import Contact
from marketplace.kernel.addresses import normalise_email, single_line
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import swedish_order, write_transaction
from marketplace.kernel.errors import NotFound, ValidationFailed
from marketplace.kernel.sms import check_phone

CONTACT_NOT_FOUND = "Kontaktpersonen finns inte, eller så hör den inte till din organisation."


def contact_out(row: ContactRow) -> schemas.Contact:
    return schemas.Contact(
        id=row["id"],
        host_id=row["host"],
        name=row["name"],
        role=row["role"],
        email=row["email"],
        phone=row["phone"],
        is_supervisor=row["is_supervisor"],
        supervision_capacity=row["supervision_capacity"],
        # An ended contact is shown nowhere; the choice is kept for when they come back.
        is_public_contact=row["is_public_contact"] and row["active"],
        active=row["active"],
    )


def public_contact_out(row: ContactRow) -> schemas.PublicContact:
    return schemas.PublicContact(
        name=row["name"], role=row["role"], email=row["email"], phone=row["phone"]
    )


def _check_email(email: str) -> str:
    return normalise_email(email, required=False)


def _check_name(name: str) -> str:
    name = single_line(name.strip(), "name", label="Kontaktpersonens namn")
    if not name:
        raise ValidationFailed("Ange kontaktpersonens namn.", fields=["name"])
    return name


# The rules for single fields of a contact, for a form to report with its other errors.
CONTACT_FIELD_CHECKS: dict[str, Callable[[Any], object]] = {
    "name": lambda v: _check_name(str(v or "")),
    "email": lambda v: _check_email(str(v or "")),
    "phone": lambda v: check_phone(str(v or "")),
}


def check_supervision_capacity(is_supervisor: bool, capacity: int) -> None:
    """The one rule for a supervisor's capacity, used by the API, the pages and the import:
    a supervisor guides at least one participant at a time (0 would make every slot they
    supervise a dead end). A contact who is not a supervisor may keep 0."""
    if is_supervisor and capacity < 1:
        raise ValidationFailed(
            "En handledare måste kunna handleda minst 1 deltagare åt gången. "
            "Ange 1 eller fler, eller markera att kontaktpersonen inte är handledare.",
            fields=["supervision_capacity"],
        )


@dataclass(frozen=True)
class Holding:
    """What a contact supervises in the placements' package, for the contact's page before
    it is ended: a placement that has not ended or a slot (`kind` "placement" or "slot", its
    id, a Swedish line that names it, and whether the slot is closed)."""

    kind: str
    id: int
    text: str
    closed: bool = False


HoldingsLookup = Callable[[int], Awaitable[list[Holding]]]
_holdings_lookup: HoldingsLookup | None = None


def use_holdings_lookup(lookup: HoldingsLookup) -> None:
    """Tell the contact pages what a contact supervises. The app factory hands it the
    placements' (`placements.services.supervisors.contact_holdings`), since `employers` never
    imports `placements`."""
    global _holdings_lookup
    _holdings_lookup = lookup


async def contact_holdings(contact_id: int) -> list[Holding]:
    """The placements and slots the contact supervises now (none without a lookup)."""
    return await _holdings_lookup(contact_id) if _holdings_lookup is not None else []


# How many slots a successor took over: (open, closed).
SlotHandover = Callable[[int, int], Awaitable[tuple[int, int]]]
_slot_handover: SlotHandover | None = None


def use_slot_handover(handover: SlotHandover) -> None:
    """Tell `deactivate_contact` how a successor takes over an ended contact's slots (the
    placements', `placements.services.supervisors.hand_over_slots`, given by the app factory:
    `employers` never imports `placements`)."""
    global _slot_handover
    _slot_handover = handover


SUCCESSOR_NOT_SUPERVISOR = (
    "Den som ska ta över platserna måste vara en annan aktiv handledare hos organisationen. "
    "Välj en i listan, eller ingen och välj handledare för platserna senare."
)


async def successors(contact: ContactRow) -> list[schemas.Contact]:
    """Who may take over the contact's slots when it ends: the host's other active
    supervisors, by name."""
    rows = cast(
        "list[ContactRow]",
        await Contact.select()
        .where(
            (Contact.host == contact["host"])
            & (Contact.id != contact["id"])
            & (Contact.active == True)  # noqa: E712
            & (Contact.is_supervisor == True)  # noqa: E712
        )
        .order_by(swedish_order(Contact.name)),
    )
    return [contact_out(r) for r in rows]


def contact_form_rules(typed: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`check_supervision_capacity` over a form's typed fields, so that the form says it with
    its other mistakes (a host fixed a name, an address and a phone number, and only then
    heard that a supervisor needs room for one)."""
    try:
        capacity = int(str(typed.get("supervision_capacity", "")).strip())
    except ValueError:
        return []  # not a number: the form's own check says so
    try:
        check_supervision_capacity(bool(typed.get("is_supervisor")), capacity)
    except ValidationFailed as exc:
        return [("supervision_capacity", exc.message)]
    return []


async def get_contact_for(user: AuthUser | None, contact_id: int) -> ContactRow:
    """The contact row if the user may manage its host; NotFound otherwise."""
    row = await Contact.select().where(Contact.id == contact_id).first()
    if row is None or not await may_manage_host(user, int(row["host"])):
        raise NotFound(CONTACT_NOT_FOUND)
    return cast("ContactRow", row)


async def list_contacts(user: AuthUser, host_id: int) -> list[schemas.Contact]:
    """Every contact of a host the user manages, supervisors first, by name."""
    await get_host_for(user, host_id)
    rows = cast(
        "list[ContactRow]",
        await Contact.select()
        .where(Contact.host == host_id)
        .order_by(Contact.is_supervisor, ascending=False)
        .order_by(swedish_order(Contact.name)),
    )
    return [contact_out(r) for r in rows]


async def public_contacts(host_ids: list[int]) -> dict[int, list[schemas.PublicContact]]:
    """The contacts each host marked public (active ones only), for anonymous readers."""
    if not host_ids:
        return {}
    rows = cast(
        "list[ContactRow]",
        await Contact.select()
        .where(
            Contact.host.is_in(sorted(set(host_ids)))
            & (Contact.is_public_contact == True)  # noqa: E712 - Piccolo needs ==
            & (Contact.active == True)  # noqa: E712
        )
        .order_by(swedish_order(Contact.name)),
    )
    out: dict[int, list[schemas.PublicContact]] = {}
    for row in rows:
        out.setdefault(int(row["host"]), []).append(public_contact_out(row))
    return out


async def create_contact(
    user: AuthUser, host_id: int, data: schemas.ContactCreate
) -> schemas.Contact:
    """Add a contact or supervisor to a host the user manages."""
    await get_host_for(user, host_id)
    values = msgspec.structs.asdict(data)
    values["name"] = _check_name(values["name"])
    values["email"] = _check_email(values["email"])
    values["phone"] = check_phone(values["phone"])
    check_supervision_capacity(values["is_supervisor"], values["supervision_capacity"])
    async with write_transaction(Contact._meta.db):
        rows = await Contact.insert(Contact(host=host_id, **values)).returning(Contact.id)
        contact_id = int(rows[0]["id"])
        await record(user, "contact.create", contact_id, subject_type="contact")
    return contact_out(await get_contact_for(user, contact_id))


async def update_contact(
    user: AuthUser, contact_id: int, data: schemas.ContactUpdate
) -> schemas.Contact:
    """Change the fields sent on a contact of a host the user manages."""
    current = await get_contact_for(user, contact_id)
    values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if "is_supervisor" in values or "supervision_capacity" in values:
        check_supervision_capacity(
            values.get("is_supervisor", current["is_supervisor"]),
            values.get("supervision_capacity", current["supervision_capacity"]),
        )
    if "name" in values:
        values["name"] = _check_name(values["name"])
    if "email" in values:
        values["email"] = _check_email(values["email"])
    if "phone" in values:
        values["phone"] = check_phone(values["phone"])
    if values:
        async with write_transaction(Contact._meta.db):
            await Contact.update({getattr(Contact, k): v for k, v in values.items()}).where(
                Contact.id == contact_id
            )
            await record(
                user, "contact.update", contact_id, subject_type="contact", detail=", ".join(values)
            )
    return contact_out(await get_contact_for(user, contact_id))


async def deactivate_contact(
    user: AuthUser, contact_id: int, successor_id: int | None = None
) -> schemas.Contact:
    """Retire a contact: kept for past agreements, no longer a supervisor for new bookings,
    and no longer shown on the host's slot pages (`public_contacts` reads active contacts
    only). Whether they were shown is kept: made active again, they are shown again.

    With `successor_id` (another active supervisor of the host) the successor takes over
    every slot the contact supervised, the closed ones too (reopened, one without a supervisor
    could not be published), in the same transaction; placements keep their supervisor until
    each is changed on its own page (a change there is the agreement's).
    """
    row = await get_contact_for(user, contact_id)
    successor = None
    if successor_id is not None:
        successor = next((c for c in await successors(row) if c.id == successor_id), None)
        if successor is None:
            raise ValidationFailed(SUCCESSOR_NOT_SUPERVISOR, fields=["successor_id"])
    async with write_transaction(Contact._meta.db):
        await Contact.update({Contact.active: False}).where(Contact.id == contact_id)
        detail = ""
        if successor is not None and _slot_handover is not None:
            open_moved, closed_moved = await _slot_handover(contact_id, successor.id)
            if moved := open_moved + closed_moved:
                detail = f"{moved} {'plats' if moved == 1 else 'platser'}"
                if closed_moved:
                    detail += (
                        f" (varav {closed_moved} {'stängd' if closed_moved == 1 else 'stängda'})"
                    )
                detail += f" till {successor.name}"
        await record(user, "contact.deactivate", contact_id, subject_type="contact", detail=detail)
    return contact_out(await get_contact_for(user, contact_id))


async def check_supervisor(host_id: int, contact_id: int | None) -> None:
    """A slot's supervisor must be an active contact of the slot's own host, marked as a
    supervisor (handledare)."""
    if contact_id is None:
        return
    row = (
        await Contact.select(Contact.host, Contact.active, Contact.is_supervisor)
        .where(Contact.id == contact_id)
        .first()
    )
    if row is None or int(row["host"]) != host_id or not row["active"] or not row["is_supervisor"]:
        raise ValidationFailed(
            "Handledaren finns inte bland organisationens aktiva handledare. Markera "
            "kontaktpersonen som handledare, eller välj en annan.",
            fields=["supervisor_id"],
        )
