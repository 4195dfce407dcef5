"""Slots: create, edit, publish, pause, close; the public view; host pause and resume; and the
municipal units' coverage against their targets.

Every write runs in one transaction that also calls `bump_slot_change`, so every worker's
search index sees it. Reading a slot and checking the caller's right to it is one call
(`get_slot_for`); another organisation's slot is NotFound, never Forbidden.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, cast

import msgspec
from piccolo.query import OrderByRaw
from piccolo.query.functions.aggregate import Count

from employers import schemas as emp
from employers.rows import ContactRow
from employers.services import get_host_for, managed_host_ids, may_manage_host
from employers.services.contacts import check_supervisor, contact_out, public_contacts
from employers.services.hosts import (
    SETTING_BY_KIND,
    changed_place,
    host_out,
    place_fields,
    set_host_active,
)
from employers.services.targets import targets_for_year
from employers.tables import Contact, Host
from marketplace.kernel.addresses import single_line
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import (
    equals_ci,
    is_sqlite,
    sort_term,
    swedish_order,
    write_transaction,
)
from marketplace.kernel.disclosure import Cells
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.tables import AuditEntry
from marketplace.reference import taxonomy
from marketplace.reference.taxonomy_changes import current_occupation_id, resolve_occupation
from placements import date_rules, slot_rules
from placements.rows import HostedSlotRow, SlotHosting, SlotRow, SlotValues
from placements.schemas import slots as s
from placements.services import SEAT_HOLDING, bump_slot_change, bump_slot_changes, seats_taken
from placements.tables import Booking, Slot

SLOT_NOT_FOUND = "Platsen finns inte, eller så hör den inte till din organisation."
PUBLIC_NOT_FOUND = "Platsen finns inte eller är inte publicerad."
# Bookings that used a place: those holding a seat now, and those that held one and ended.
USED_STATUSES = (*SEAT_HOLDING, "completed", "interrupted")


# --- taxonomy: IDs in the database, labels shown -----------------------------------------------


@cache
def skill_labels() -> dict[str, str]:
    """Skill labels by taxonomy ID."""
    return taxonomy.skills()


@cache
def _skill_index() -> dict[str, str]:
    """Taxonomy ID by ID and by case-folded label."""
    out: dict[str, str] = {}
    for skill_id, label in sorted(skill_labels().items()):
        out.setdefault(label.strip().casefold(), skill_id)
    out.update({skill_id: skill_id for skill_id in skill_labels()})
    return out


def store_skill(value: str) -> str:
    """A skill as stored: the taxonomy ID when `value` is an ID or a taxonomy label, else the text."""
    text = value.strip()
    index = _skill_index()
    return index.get(text) or index.get(text.casefold(), text)


def skill_refs(stored: list[str]) -> list[s.SkillRef]:
    labels = skill_labels()
    return [
        s.SkillRef(id=v, label=labels[v]) if v in labels else s.SkillRef(id=None, label=v)
        for v in stored
    ]


def skill_label(stored: str) -> str:
    return skill_labels().get(stored, stored)


def occupation_ref(occupation_id: str | None) -> s.OccupationRef | None:
    if not occupation_id:
        return None
    occ = taxonomy.occupation(occupation_id)
    if occ is None:
        return s.OccupationRef(id=occupation_id, label="", ssyk="")
    return s.OccupationRef(id=occ.id, label=occ.label, ssyk=occ.ssyk)


def known_occupation(occupation_id: str) -> bool:
    return taxonomy.occupation(occupation_id) is not None


def current_occupation(occupation_id: str) -> str | None:
    """The current id for a current or singly replaced occupation id, else None."""
    return current_occupation_id(occupation_id)


def json_list(value: Any) -> list[str]:
    """A JSON list column's value as a list of strings (both engines return text)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if not value:
        return []
    parsed = json.loads(value)
    return [str(v) for v in parsed] if isinstance(parsed, list) else []


# --- reading -----------------------------------------------------------------------------------

_SLOT_COLUMNS = (
    *Slot.all_columns(),
    Slot.host.name.as_alias("host_name"),
    Slot.host.kind.as_alias("host_kind"),
    Slot.host.town.as_alias("host_town"),
    Slot.host.active.as_alias("host_active"),
)


# The orders of a host's slot list ("-" first turns one round): its columns, each with
# whether it runs ascending. A slot without a start date comes last either way, and the
# statuses run in a host's order (published first), not by their codes; both written so
# that SQLite and PostgreSQL give the same order.
_SLOT_TABLE = f'"{Slot._meta.tablename}"'
_NO_START_LAST = OrderByRaw(f"{_SLOT_TABLE}.start_date IS NULL")
_STATUS_ORDER = OrderByRaw(
    f"CASE {_SLOT_TABLE}.status WHEN 'published' THEN 0 WHEN 'draft' THEN 1 "
    "WHEN 'paused' THEN 2 ELSE 3 END"
)
SLOT_SORTS: dict[str, tuple[tuple[Any, bool], ...]] = {
    "newest": ((Slot.created_at, False), (Slot.id, False)),
    "title": ((Slot.title, True), (Slot.id, True)),
    "status": ((_STATUS_ORDER, True), (Slot.title, True), (Slot.id, True)),
    "start": ((Slot.start_date, True), (Slot.title, True), (Slot.id, True)),
}


async def _slot_rows(
    condition: Any, limit: int | None = None, offset: int = 0, sort: str | None = None
) -> list[HostedSlotRow]:
    query = Slot.select(*_SLOT_COLUMNS).where(condition)
    if sort is None:
        query = query.order_by(Slot.published_at, ascending=False).order_by(
            Slot.id, ascending=False
        )
    else:
        turned = sort.startswith("-")
        if sort.lstrip("-") == "start":
            query = query.order_by(_NO_START_LAST)
        for column, ascending in SLOT_SORTS[sort.lstrip("-")]:
            query = query.order_by(sort_term(column), ascending=ascending != turned)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return cast("list[HostedSlotRow]", await query)


def _host_ref(row: HostedSlotRow) -> s.HostRef:
    return s.HostRef(
        id=row["host"], name=row["host_name"], kind=row["host_kind"], town=row["host_town"]
    )


async def _supervisors(rows: Sequence[SlotHosting]) -> dict[int, ContactRow]:
    ids = sorted({int(r["supervisor"]) for r in rows if r["supervisor"] is not None})
    if not ids:
        return {}
    contacts = cast("list[ContactRow]", await Contact.select().where(Contact.id.is_in(ids)))
    return {int(c["id"]): c for c in contacts}


def _supervisor_ok(row: SlotHosting, supervisor: ContactRow | None) -> bool:
    """The slot's handledare is an active contact of its host who still supervises (a host
    that unticked "Handledare" for them had the slot published and listed with them)."""
    return (
        supervisor is not None
        and supervisor["active"]
        and supervisor["is_supervisor"]
        and int(supervisor["host"]) == int(row["host"])
    )


def _public_facts(r: HostedSlotRow, taken: dict[int, int]) -> dict[str, Any]:
    """What a slot shows to anyone, read from its row the same way for the public view and
    for the managed one (which adds what only its host and the staff see)."""
    return {
        "id": r["id"],
        "host": _host_ref(r),
        "kind": r["kind"],
        "title": r["title"],
        "occupation": occupation_ref(r["occupation_id"]),
        "description": r["description"],
        "skills": skill_refs(json_list(r["skills"])),
        "town": r["town"],
        "latitude": r["latitude"],
        "longitude": r["longitude"],
        "capacity": r["capacity"],
        "open_seats": max(0, r["capacity"] - taken.get(r["id"], 0)),
        "hours_per_week": r["hours_per_week"],
        "tracks": json_list(r["tracks"]),
        "adaptations": json_list(r["adaptations"]),
        "driving_licence": r["driving_licence"],
        "start_date": r["start_date"],
        "end_date": r["end_date"],
        "setting": r["setting"],
        "published_at": r["published_at"],
    }


# The columns a slot's edit writes: what its version is made of (`slot_version`).
EDITED_COLUMNS = (
    "kind",
    "title",
    "occupation_id",
    "description",
    "skills",
    "town",
    "latitude",
    "longitude",
    "capacity",
    "hours_per_week",
    "tracks",
    "adaptations",
    "supervisor",
    "driving_licence",
    "start_date",
    "end_date",
    "setting",
)
_LIST_COLUMNS = ("skills", "tracks", "adaptations")


def _canonical(column: str, value: Any) -> Any:
    """A stored value as both engines give it alike (lists as lists, dates as text)."""
    if column in _LIST_COLUMNS:
        return json_list(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if column == "driving_licence":
        return bool(value)
    if column in ("latitude", "longitude") and value is not None:
        return float(value)
    return value


def slot_version(row: SlotRow) -> str:
    """What a slot's edit form (and the API's `version`, its ETag) was loaded from: a digest
    of the columns an edit writes. Two tabs on one slot (a host's day) each saved, and the
    second silently put back the title the first had changed; a save that names the version
    it read is refused when the slot has changed since (`update_slot`). A digest rather than
    a counter or `updated_at`: booking and status changes stamp the slot too (the search's
    change number) without changing anything the form shows, and an import or the API that
    changes a field changes the digest without having to remember to count."""
    stored = cast("Mapping[str, Any]", row)
    canonical = [_canonical(c, stored[c]) for c in EDITED_COLUMNS]
    return hashlib.sha256(msgspec.json.encode(canonical)).hexdigest()[:20]


async def _managed(rows: list[HostedSlotRow]) -> list[s.Slot]:
    taken = await seats_taken([r["id"] for r in rows])
    supervisors = await _supervisors(rows)
    out = []
    for r in rows:
        sup = supervisors.get(int(r["supervisor"])) if r["supervisor"] is not None else None
        has_supervisor = _supervisor_ok(r, sup)
        out.append(
            s.Slot(
                **_public_facts(r, taken),
                source=r["source"],
                external_id=r["external_id"],
                supervisor=contact_out(sup) if sup else None,
                needs_supervisor=not has_supervisor,
                accepts_bookings=has_supervisor
                and r["status"] == "published"
                and bool(r["host_active"]),
                status=r["status"],
                created_at=r["created_at"],
                updated_at=r["updated_at"],
                version=slot_version(r),
            )
        )
    return out


async def _public(rows: list[HostedSlotRow]) -> list[s.PublicSlot]:
    taken = await seats_taken([r["id"] for r in rows])
    contacts = await public_contacts([int(r["host"]) for r in rows])
    return [
        s.PublicSlot(**_public_facts(r, taken), contacts=contacts.get(int(r["host"]), []))
        for r in rows
    ]


def _publicly_visible() -> Any:
    return (Slot.status == "published") & (Slot.host.active == True)  # noqa: E712


async def get_slot_for(user: AuthUser | None, slot_id: int) -> HostedSlotRow:
    """The slot row (with host fields) if the user may manage it; NotFound otherwise."""
    rows = await _slot_rows(Slot.id == slot_id)
    if not rows or not await may_manage_host(user, int(rows[0]["host"])):
        raise NotFound(SLOT_NOT_FOUND)
    return rows[0]


async def get_slot(user: AuthUser, slot_id: int) -> s.Slot:
    """A slot for editing: every field, any status; another organisation's is NotFound."""
    return (await _managed([await get_slot_for(user, slot_id)]))[0]


async def get_public_slot(slot_id: int) -> s.PublicSlot:
    """A published slot of an active host, as anyone may see it."""
    rows = await _slot_rows((Slot.id == slot_id) & _publicly_visible())
    if not rows:
        raise NotFound(PUBLIC_NOT_FOUND)
    return (await _public(rows))[0]


async def list_public_slots(
    *,
    kind: str | None = None,
    town: str | None = None,
    occupation_id: str | None = None,
    host_id: int | None = None,
    setting: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> s.PublicSlotPage:
    """Published slots of active hosts, newest first, filtered and paginated."""
    condition = _publicly_visible()
    if kind:
        condition &= Slot.kind == kind
    if town:
        condition &= equals_ci(Slot.town, town.strip())
    if occupation_id:
        # A replaced id finds the slots stored under its replacement.
        condition &= Slot.occupation_id == (current_occupation(occupation_id) or occupation_id)
    if host_id is not None:
        condition &= Slot.host == host_id
    if setting:
        condition &= Slot.setting == setting
    total = await Slot.count().where(condition)
    rows = await _slot_rows(condition, limit, offset)
    return s.PublicSlotPage(total=total, limit=limit, offset=offset, items=await _public(rows))


async def list_managed_slots(
    user: AuthUser,
    *,
    host_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    sort: str | None = None,
) -> s.SlotPage:
    """Slots the user manages (every host's for coordinators and admins), any status, in the
    order `sort` (a key of `SLOT_SORTS`, "-" first for the other way round; None: the most
    recently published first)."""
    if sort is not None and sort.lstrip("-") not in SLOT_SORTS:
        raise ValidationFailed("Okänd sortering.", fields=["sort"])
    condition: Any = Slot.id > 0
    if host_id is not None:
        await get_host_for(user, host_id)
        condition &= Slot.host == host_id
    else:
        ids = await managed_host_ids(user)
        if ids is not None:
            condition &= Slot.host.is_in(ids or [-1])
    if status:
        condition &= Slot.status == status
    total = await Slot.count().where(condition)
    rows = await _slot_rows(condition, limit, offset, sort)
    return s.SlotPage(total=total, limit=limit, offset=offset, items=await _managed(rows))


# --- for the bookings side -------------------------------------------------------------------


PROPOSALS_CLOSED = "Platsen är inte publicerad och tar inte emot förslag just nu."


def takes_proposals(status: str) -> bool:
    """The one rule for whether a proposal may reach a slot's host now: the slot is published.
    A closed, paused or unpublished slot takes none. (A host that paused all its places keeps
    its published slots: proposals reach it and wait, and `booking_refusal` holds the accept
    until it resumes.) Asked by the coordinator's proposal, by the coordinator's send of a
    proposal the participant answers first, by the participant's "vill" and by the host's
    acceptance (`booking_refusal`)."""
    return status == "published"


async def slot_takes_proposals(slot_id: int) -> bool:
    """`takes_proposals` for the slot's stored status (False when there is no such slot)."""
    row = await Slot.select(Slot.status).where(Slot.id == slot_id).first()
    return row is not None and takes_proposals(row["status"])


async def booking_refusal(
    slot_id: int, *, supervisor_id: int | None = None, to_host: bool = True
) -> str | None:
    """Why a booking on this slot cannot be accepted now (Swedish), or None if it can.

    A booking needs a published slot of an active host with a named, active supervisor
    (handledare) of that host. Imports may lack one; the host is then asked to name one.
    `supervisor_id` is the supervisor the host chose while accepting, checked instead of
    the slot's own. A missing supervisor is said to the host ("ni"), or (`to_host=False`)
    to staff registering the host's answer.
    """
    rows = await _slot_rows(Slot.id == slot_id)
    if not rows:
        return "Platsen finns inte."
    row = rows[0]
    if not row["host_active"]:
        return "Värden har pausat sina platser. Bokningen kan accepteras när värden återupptar."
    if row["status"] == "closed":
        # A closed slot is reopened (as paused) before it can be published again.
        return (
            "Platsen är stängd. Öppna den igen och publicera den för att kunna acceptera, "
            "eller avböj förslaget."
        )
    if not takes_proposals(row["status"]):
        return "Platsen är inte publicerad. Publicera den först."
    chosen = supervisor_id if supervisor_id is not None else row["supervisor"]
    supervisors = await _supervisors([{"host": row["host"], "supervisor": chosen}])
    sup = supervisors.get(int(chosen)) if chosen is not None else None
    if not _supervisor_ok(row, sup):
        if not to_host:
            return (
                "Platsen saknar handledare. Värden behöver ange en handledare för platsen "
                "innan bokningen kan accepteras."
            )
        return (
            "Platsen saknar handledare. Ni behöver ange en handledare för platsen innan ni "
            "kan ta emot deltagaren."
        )
    return None


async def slot_accepts_bookings(slot_id: int) -> bool:
    """True when a booking on the slot may be accepted (see `booking_refusal`)."""
    return await booking_refusal(slot_id) is None


# --- writing -----------------------------------------------------------------------------------


def _clean_list(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


def _check_dates(values: SlotValues, current: HostedSlotRow | None = None) -> None:
    """The date table's slot rules for the dates sent that differ from the stored ones (a
    stored end date that has passed may stay while other fields change), compared with the
    stored ones."""
    stored = _slot_dates(current)
    date_rules.check(
        "slot",
        {
            k: values[k]
            for k in ("start_date", "end_date")
            if values.get(k) and values[k] != stored[k]
        },
        {**stored, **{k: values[k] for k in ("start_date", "end_date") if k in values}},
    )


def _slot_dates(slot: HostedSlotRow | None) -> dict[str, dt.date | None]:
    """A stored slot's dates, as the date rules' context (none for a new slot)."""
    return {
        "start_date": slot["start_date"] if slot else None,
        "end_date": slot["end_date"] if slot else None,
    }


def _check_occupation(occupation_id: str | None, title: str) -> tuple[str | None, str]:
    """The occupation id to store and, for a replaced id, the sentence that says so.

    An id the taxonomy has replaced is stored as its replacement; an id split into several
    occupations as the one the title names; any other unknown id is refused (the rule is in
    `marketplace.reference.taxonomy_changes`).
    """
    if not occupation_id or known_occupation(occupation_id):
        return occupation_id, ""
    resolved = resolve_occupation(occupation_id, title)
    if resolved.status == "unknown":
        raise ValidationFailed(
            f"Yrket {occupation_id} finns inte i yrkestaxonomin. Välj ett yrke i listan.",
            fields=["occupation_id"],
        )
    if resolved.occupation_id is None:
        raise ValidationFailed(resolved.problem(), fields=["occupation_id"])
    return resolved.occupation_id, resolved.notice()


def _db_values(values: SlotValues) -> SlotValues:
    """Python values to column values: lists are JSON text, skills are taxonomy IDs."""
    out = dict(values)
    if "skills" in out:
        out["skills"] = json.dumps(
            _clean_list([store_skill(v) for v in out["skills"]]), ensure_ascii=False
        )
    for key in ("tracks", "adaptations"):
        if key in out:
            out[key] = json.dumps(_clean_list(out[key]), ensure_ascii=False)
    return out


def _title(title: str) -> str:
    """The title as kept: trimmed, on one line, with enough to read (`slot_rules`)."""
    kept = single_line(title.strip(), "title", label="Rubriken")
    problem = slot_rules.title_problem(kept)
    if problem:
        raise ValidationFailed(problem, fields=["title"])
    return kept


SLOT_PERIOD_OVER = (
    "Platsens period är redan slut. Ange ett slutdatum i dag eller senare, eller pausa eller "
    "stäng platsen i stället."
)


async def _publish_problem(row: HostedSlotRow) -> ValidationFailed | None:
    """Everything a slot lacks to be published, all at once (`_publish_problems`)."""
    problems = await _publish_problems(row)
    # Each message on its own field, so that the slot form marks the fields to fill in.
    return ValidationFailed.every(problems) if problems else None


async def _publish_problems(row: HostedSlotRow) -> dict[str, str]:
    """Everything a slot lacks to be published, by field: a capacity, a town, an occupation
    (or nobody finds it by its work), a period that has not ended, and an active handledare
    (or it can take nobody)."""
    problems: list[tuple[str, str]] = []
    if not slot_rules.CAPACITY_MIN <= row["capacity"] <= slot_rules.CAPACITY_MAX:
        # Only a slot saved before every entry point needed 1 to 100 (`slot_rules.Capacity`).
        problems.append(("capacity", slot_rules.CAPACITY_PROBLEM))
    if not row["town"].strip():
        problems.append(("town", "Ange på vilken ort platsen finns innan du publicerar."))
    if not row["occupation_id"]:
        problems.append(
            (
                "occupation_id",
                "Välj vilket yrke platsen gäller innan du publicerar, så att den går att hitta.",
            )
        )
    end = row.get("end_date")
    if end is not None and end < date_rules.rules_today():
        # A published slot with a period that has ended was still found and proposed to
        # (browser walk: a host set 2020-01-01 – 2020-06-01 and it stayed published).
        problems.append(("end_date", SLOT_PERIOD_OVER))
    supervisor = row["supervisor"]
    if supervisor is None or not await Contact.exists().where(
        (Contact.id == supervisor)
        & (Contact.host == row["host"])
        & (Contact.active == True)  # noqa: E712
        & (Contact.is_supervisor == True)  # noqa: E712
    ):
        problems.append(
            (
                "supervisor_id",
                "Välj en handledare innan du publicerar: utan handledare kan platsen inte ta "
                "emot någon. Lägg till handledare under Kontaktpersoner och handledare på "
                "organisationens sida.",
            )
        )
    return dict(problems)


# How long an identical new slot by the same user is taken for the same form sent again.
SAME_FORM_WINDOW = dt.timedelta(minutes=30)


async def create_slot_once(
    user: AuthUser, data: s.SlotCreate, once: str | None
) -> tuple[s.Slot, bool]:
    """`create_slot`, unless the same form already made a slot at the host: then that slot,
    and False. The same form is the one with the same key (`once`, the key its page gave it:
    a double click, two sends at once, which take turns on the key), or one that would make
    a slot identical in every field an edit writes to one the same user made at the host
    within `SAME_FORM_WINDOW` (`_made_alike`).

    The key alone did not do: a host went Back after saving and pressed Spara again, and
    had two drafts of one slot. A signed-in page is `no-store` (it may hold personal data),
    so Back fetches the form anew, with a new key, while the browser puts back what was
    typed. Keeping the form in the browser's cache is not ours to choose, so the service
    recognises the slot it has just made. Two slots alike on purpose are rare (the places
    of one slot are its capacity) and a host who wants one changes a word or waits; the
    notice says where the saved one is."""
    return await _create_slot(user, data, once)


async def create_slot(user: AuthUser, data: s.SlotCreate) -> s.Slot:
    """Create a draft slot at a host the user manages. The setting defaults from the host's kind."""
    slot, _ = await _create_slot(user, data, None)
    return slot


async def _made_by_form(host_id: int, external_id: str) -> int | None:
    """Inside a write transaction: the slot this form already made at the host, if any. On
    PostgreSQL the sends of one form take turns on an advisory lock named by the key (SQLite's
    writers take turns anyway), so that the second send reads after the first's commit."""
    if not is_sqlite(Slot._meta.db):
        await Slot.raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"slot-form:{external_id}")
    made = (
        await Slot.select(Slot.id)
        .where((Slot.host == host_id) & (Slot.external_id == external_id))
        .first()
    )
    return int(made["id"]) if made is not None else None


async def _made_alike(user: AuthUser, host_id: int, values: SlotValues) -> int | None:
    """Inside a write transaction: the newest slot at the host that the user made by hand
    within `SAME_FORM_WINDOW` and whose every edited field is what `values` would store.
    On PostgreSQL such sends take turns on a lock named by the host and the title."""
    if not is_sqlite(Slot._meta.db):
        await Slot.raw(
            "SELECT pg_advisory_xact_lock(hashtext({}))", f"slot-new:{host_id}:{values['title']}"
        )
    since = dt.datetime.now(dt.UTC) - SAME_FORM_WINDOW
    recent = cast(
        "list[SlotRow]",
        await Slot.select()
        .where(
            (Slot.host == host_id)
            & (Slot.source == "manual")
            & (Slot.title == values["title"])
            & (Slot.created_at >= since)
        )
        .order_by(Slot.id, ascending=False),
    )
    wanted = cast("Mapping[str, Any]", _db_values(values))
    alike = [
        int(row["id"])
        for row in recent
        if all(
            _canonical(c, wanted.get(c)) == _canonical(c, cast("Mapping[str, Any]", row)[c])
            for c in EDITED_COLUMNS
        )
    ]
    if not alike:
        return None
    mine = await AuditEntry.select(AuditEntry.subject_id).where(
        (AuditEntry.action == "slot.create")
        & (AuditEntry.subject_type == "slot")
        & (AuditEntry.actor_id == user.id)
        & AuditEntry.subject_id.is_in(alike)
    )
    made = {int(r["subject_id"]) for r in mine}
    return next((slot_id for slot_id in alike if slot_id in made), None)


async def _create_slot(user: AuthUser, data: s.SlotCreate, once: str | None) -> tuple[s.Slot, bool]:
    host = await get_host_for(user, data.host_id)
    values = msgspec.structs.asdict(data)
    host_id = values.pop("host_id")
    supervisor_id = values.pop("supervisor_id")
    values["title"] = _title(values["title"])
    values["town"] = single_line(values["town"].strip(), "town", label="Orten")
    values["setting"] = values["setting"] or SETTING_BY_KIND[host["kind"]]
    values["occupation_id"], notice = _check_occupation(values["occupation_id"], values["title"])
    _check_dates(values)
    place_fields(values)
    await check_supervisor(host_id, supervisor_id)
    external_id = f"manual-{once}" if once else f"manual-{secrets.token_hex(8)}"
    async with write_transaction(Slot._meta.db):
        made = await _made_by_form(host_id, external_id) if once else None
        if once and made is None:
            made = await _made_alike(user, host_id, {**values, "supervisor": supervisor_id})
        if made is None:
            rows = await Slot.insert(
                Slot(
                    host=host_id,
                    supervisor=supervisor_id,
                    source="manual",
                    external_id=external_id,
                    status="draft",
                    **_db_values(values),
                )
            ).returning(Slot.id)
            slot_id = int(rows[0]["id"])
            await bump_slot_change(slot_id)
            detail = f"{values['title']}. {notice}" if notice else values["title"]
            await record(user, "slot.create", slot_id, subject_type="slot", detail=detail)
    if made is not None:
        return await get_slot(user, made), False
    return await get_slot(user, slot_id), True


CLOSED_UNCHANGED = (
    "Platsen är stängd och kan inte ändras. Öppna den igen för att ändra den, eller skapa en "
    "ny plats."
)


SLOT_CHANGED = (
    "Platsen har ändrats sedan du öppnade den, i en annan flik eller av någon annan. Inget är "
    "sparat. Det du skrev står kvar; vid fälten som skiljer sig från det sparade står vad som "
    "är sparat nu. Spara igen om det du skrev ska gälla."
)
STORED_DIFFERS = "Ändrat sedan du öppnade sidan."


class SlotChanged(Conflict):
    """The slot's fields changed since the sender read them (`slot_version`): nothing is
    saved. `fields` are those sent whose stored value is another now (a field sent in the
    form's name, `supervisor_id`), and `current` the slot as it is now."""

    def __init__(self, fields: list[str], current: str) -> None:
        super().__init__(SLOT_CHANGED, fields=fields, errors=dict.fromkeys(fields, STORED_DIFFERS))
        self.current = current


def _differs(values: SlotValues, stored: HostedSlotRow) -> list[str]:
    """The fields sent (as columns) whose stored value is another, in the form's names."""
    row = cast("Mapping[str, Any]", stored)
    return [
        "supervisor_id" if column == "supervisor" else column
        for column, value in _db_values(values).items()
        if column in EDITED_COLUMNS and _canonical(column, value) != _canonical(column, row[column])
    ]


async def _check_version(slot_id: int, version: str, values: SlotValues) -> None:
    """Inside the write: refuse a save read from another version of the slot than the
    stored one, unless every field it sends is already stored as sent (then nothing it says
    is lost, nor anything it would overwrite). The row is locked first on PostgreSQL (SQLite's
    writers take turns anyway), so of two saves of one version the second reads the first's."""
    if not is_sqlite(Slot._meta.db):
        await Slot.raw("SELECT id FROM pl_slot WHERE id = {} FOR UPDATE", slot_id)
    stored = (await _slot_rows(Slot.id == slot_id))[0]
    now = slot_version(stored)
    if version != now:
        differs = _differs(values, stored)
        if differs:
            raise SlotChanged(differs, now)


async def update_slot(user: AuthUser, slot_id: int, data: s.SlotUpdate) -> s.Slot:
    """Change the fields sent. A published slot must keep a capacity and a town. With a
    `version` (the form's hidden field, the API's body or If-Match), the change is made only
    to the slot as it was read (`slot_version`); without one, to the slot as it is."""
    current = await get_slot_for(user, slot_id)
    if current["status"] == "closed":
        raise Conflict(CLOSED_UNCHANGED)
    values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    version = values.pop("version", None)
    if "supervisor_id" in values:
        await check_supervisor(int(current["host"]), values["supervisor_id"])
        values["supervisor"] = values.pop("supervisor_id")
    if "title" in values:
        values["title"] = _title(values["title"])
    if "town" in values:
        values["town"] = single_line(values["town"].strip(), "town", label="Orten")
    changed_place(values, current)
    if "setting" in values and values["setting"] is None:
        values["setting"] = SETTING_BY_KIND[current["host_kind"]]
    notice = ""
    if "occupation_id" in values:
        values["occupation_id"], notice = _check_occupation(
            values["occupation_id"], values.get("title", current["title"])
        )
    _check_dates(values, current)
    if current["status"] == "published":
        # The slot as it would be: the stored row with the changed columns. What it already
        # lacked does not stop another change (a host whose supervisor had left changed the
        # places and was told to choose one "innan du publicerar"); the slot's page says
        # what it lacks.
        after = await _publish_problems(cast("HostedSlotRow", {**current, **values}))
        before = await _publish_problems(current) if after else {}
        problems = {field: message for field, message in after.items() if field not in before}
        if problems:
            raise ValidationFailed.every(problems)
    if not values:
        return await get_slot(user, slot_id)
    async with write_transaction(Slot._meta.db):
        if version is not None:
            await _check_version(slot_id, version, values)
        await Slot.update({getattr(Slot, k): v for k, v in _db_values(values).items()}).where(
            Slot.id == slot_id
        )
        await bump_slot_change(slot_id)
        detail = ", ".join(values) + (f". {notice}" if notice else "")
        await record(user, "slot.update", slot_id, subject_type="slot", detail=detail)
    return await get_slot(user, slot_id)


async def delete_slot(user: AuthUser, slot_id: int) -> None:
    """Delete an unpublished slot that never had a booking; otherwise close it instead."""
    current = await get_slot_for(user, slot_id)
    if current["status"] == "published":
        # Search learns of removals from the change that unpublishes a slot; a deleted
        # row leaves nothing to stamp, so a published slot is paused or closed first.
        raise Conflict(
            "Platsen är publicerad. Pausa eller stäng den innan du tar bort den.",
            fields=["status"],
        )
    async with write_transaction(Slot._meta.db):
        if await Booking.exists().where(Booking.slot == slot_id):
            raise Conflict(
                "Platsen har bokningar och kan inte tas bort. Stäng den i stället.",
                fields=["status"],
            )
        await bump_slot_change(slot_id)
        await Slot.delete().where(Slot.id == slot_id)
        await record(user, "slot.delete", slot_id, subject_type="slot")


_TRANSITIONS = {
    "publish": ({"draft", "paused"}, "published"),
    "pause": ({"published"}, "paused"),
    "close": ({"draft", "published", "paused"}, "closed"),
    # The undo of closing: the slot comes back paused, and the host publishes it when ready.
    "reopen": ({"closed"}, "paused"),
}
_STATUS_SV = {"draft": "utkast", "published": "publicerad", "paused": "pausad", "closed": "stängd"}
# What an action that the slot's status does not allow could not do ("kan inte …"): reopening
# leads to paused, so "kan inte bli pausad" said the wrong thing of a paused slot.
_REFUSED_SV = {
    "publish": "publiceras",
    "pause": "pausas",
    "close": "stängas",
    "reopen": "öppnas igen: det gäller bara en stängd plats",
}


async def usual_setting(host_id: int) -> str | None:
    """The setting of the host's latest slot when it is not what the host's kind gives (a
    municipal unit that is a sheltered workshop): a new slot starts from it, so that a host
    who set it once is not counted at another kind of workplace when it forgets the field."""
    latest = (
        await Slot.select(Slot.setting, Slot.host.kind.as_alias("kind"))
        .where(Slot.host == host_id)
        .order_by(Slot.id, ascending=False)
        .first()
    )
    if latest is None or latest["setting"] == SETTING_BY_KIND.get(latest["kind"]):
        return None
    return str(latest["setting"])


async def bookings_to_mind(slot_id: int) -> tuple[int, int]:
    """What closing the slot leaves as it is, for the page to say before the host closes it:
    (proposals waiting for the host's answer, which a closed slot cannot accept; placements
    accepted, agreed or running, which go on as planned). A proposal the participant has not
    yet said yes to is the host's to know of only then: not counted."""
    waiting = await Booking.count().where(
        (Booking.slot == slot_id) & (Booking.status == "proposed")
    )
    placed = await Booking.count().where(
        (Booking.slot == slot_id) & Booking.status.is_in(list(SEAT_HOLDING))
    )
    return int(waiting), int(placed)


async def change_status(user: AuthUser, slot_id: int, action: str) -> s.Slot:
    """Move a slot through draft → published → paused → closed (publish again from paused;
    a closed slot can be reopened, as paused).

    Publishing needs a capacity, a town, an occupation, an active handledare of the host,
    and an active host. (A slot imported as published without a handledare stays published
    and answers `needs_supervisor` until the host names one.)
    """
    allowed, target = _TRANSITIONS[action]
    async with write_transaction(Slot._meta.db):
        current = await get_slot_for(user, slot_id)
        if current["status"] not in allowed:
            raise Conflict(
                f"Platsen är {_STATUS_SV[current['status']]} och kan inte {_REFUSED_SV[action]}.",
                fields=["status"],
            )
        changes: dict[Any, Any] = {Slot.status: target, Slot.paused_with_host: False}
        if target == "published":
            if not current["host_active"]:
                raise Conflict(
                    "Organisationen är pausad. Återuppta den först, sedan kan platsen publiceras."
                )
            problem = await _publish_problem(current)
            if problem:
                raise problem
            if current["published_at"] is None:
                changes[Slot.published_at] = dt.datetime.now(dt.UTC)
        await Slot.update(changes).where(Slot.id == slot_id)
        await bump_slot_change(slot_id)
        await record(user, f"slot.{action}", slot_id, subject_type="slot")
    return await get_slot(user, slot_id)


# --- host pause and resume ---------------------------------------------------------------------


async def pause_host(user: AuthUser, host_id: int) -> emp.HostPaused:
    """Pause a host: every published slot becomes paused; the account and data stay."""
    async with write_transaction(Slot._meta.db):
        await set_host_active(user, host_id, False)
        rows = await (
            Slot.update({Slot.status: "paused", Slot.paused_with_host: True})
            .where((Slot.host == host_id) & (Slot.status == "published"))
            .returning(Slot.id)
        )
        ids = [int(r["id"]) for r in rows]
        if ids:
            await bump_slot_changes(ids)
    return emp.HostPaused(host=host_out(await get_host_for(user, host_id)), slots_changed=len(ids))


async def resume_host(user: AuthUser, host_id: int) -> emp.HostPaused:
    """Resume a host: the slots its pause took down are published again."""
    async with write_transaction(Slot._meta.db):
        await set_host_active(user, host_id, True)
        rows = await (
            Slot.update({Slot.status: "published", Slot.paused_with_host: False})
            .where(
                (Slot.host == host_id) & (Slot.status == "paused") & (Slot.paused_with_host == True)  # noqa: E712
            )
            .returning(Slot.id)
        )
        ids = [int(r["id"]) for r in rows]
        if ids:
            await bump_slot_changes(ids)
    return emp.HostPaused(host=host_out(await get_host_for(user, host_id)), slots_changed=len(ids))


# --- coverage of municipal units against their targets ---------------------------------------


async def unit_coverage(year: int) -> emp.Coverage:
    """Registered, published and used places per municipal unit in `year`, against its target."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    units = (
        await Host.select(Host.id, Host.name, Host.active)
        .where(Host.kind == "municipal_unit")
        .order_by(swedish_order(Host.name))
    )
    targets = await targets_for_year(year)
    ids = [int(u["id"]) for u in units]
    slots = await Slot.select(Slot.id, Slot.host, Slot.capacity, Slot.status).where(
        Slot.host.is_in(ids or [-1])
        & (Slot.start_date.is_null() | (Slot.start_date <= last))
        & (Slot.end_date.is_null() | (Slot.end_date >= first))
    )
    registered: dict[int, int] = {}
    published: dict[int, int] = {}
    for row in slots:
        host = int(row["host"])
        registered[host] = registered.get(host, 0) + int(row["capacity"])
        if row["status"] == "published":
            published[host] = published.get(host, 0) + int(row["capacity"])
    bookings = await Booking.select(Booking.slot.host.as_alias("host"), Booking.start_date).where(
        Booking.slot.host.is_in(ids or [-1]) & Booking.status.is_in(list(USED_STATUSES))
    )
    used: dict[int, int] = {}
    for row in bookings:
        start = row["start_date"]
        if start is None or first <= start <= last:
            used[int(row["host"])] = used.get(int(row["host"]), 0) + 1
    out = []
    for unit in units:
        uid = int(unit["id"])
        target = targets.get(uid)
        pub = published.get(uid, 0)
        out.append(
            emp.CoverageRow(
                host_id=uid,
                host_name=unit["name"],
                active=unit["active"],
                target=target,
                registered=registered.get(uid, 0),
                published=pub,
                used=used.get(uid, 0),
                gap=max(0, target - pub) if target is not None else None,
            )
        )
    return emp.Coverage(
        year=year,
        units=out,
        total_target=sum(targets.get(int(u["id"]), 0) for u in units),
        total_published=sum(published.values()),
    )


def protect_coverage(coverage: emp.Coverage) -> emp.Coverage:
    """The coverage as an analyst may read it: a unit's used places are placements, so of
    persons, and 1–4 is hidden (the reports' unit coverage hides the same figure). Seats and
    targets are the units' own figures, no person's, and are shown whole."""
    cells = Cells({f"units[{u.host_id}].used": u.used for u in coverage.units})
    cells.primary(*cells.values)
    return msgspec.structs.replace(
        coverage,
        units=[
            msgspec.structs.replace(u, used=cells.get(f"units[{u.host_id}].used"))
            for u in coverage.units
        ],
        suppressed=cells.paths(),
        protected=cells.protected_paths(),
    )


class HitFacts(msgspec.Struct, frozen=True):
    """What a search hit shows beside its title: free places, hours, period, and the
    description (the participant's slot search shows it; the index's cards leave it out).
    `no_supervisor_free`: no supervisor can take the participant now: the slot has none (or
    its supervisor guides as many as they can) and no other supervisor of the host has room
    (a proposal would wait for one)."""

    open_seats: int
    capacity: int
    hours_per_week: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    description: str = ""
    no_supervisor_free: bool = False


async def _without_free_supervisor(rows: list[dict[str, Any]]) -> set[int]:
    """Of the slots (rows with id, host and supervisor), those whose supervisor guides as
    many placements as they can now (seat-holding ones, as a slot's seats are counted), or
    that have no supervisor, and whose host has no other active supervisor with room (two
    queries). A slot without a supervisor is no freer than one whose supervisor is full:
    the host takes a participant only with a supervisor who has room (`capacity.room_for`),
    and a proposal to it was refused only after it had been written."""
    hosts = {int(r["host"]) for r in rows}
    if not hosts:
        return set()
    contacts = await Contact.select(Contact.id, Contact.host, Contact.supervision_capacity).where(
        Contact.host.is_in(sorted(hosts))
        & (Contact.is_supervisor == True)  # noqa: E712 - Piccolo needs ==
        & (Contact.active == True)  # noqa: E712
    )
    guided = {
        int(g["supervisor"]): int(g["n"])
        for g in await Booking.select(Booking.supervisor, Count(Booking.id, alias="n"))
        .where(
            Booking.supervisor.is_in([int(c["id"]) for c in contacts] or [0])
            & Booking.status.is_in(list(SEAT_HOLDING))
        )
        .group_by(Booking.supervisor)
    }
    with_room = {
        int(c["host"])
        for c in contacts
        if guided.get(int(c["id"]), 0) < int(c["supervision_capacity"])
    }
    return {int(r["id"]) for r in rows if int(r["host"]) not in with_room}


async def hit_facts(slot_ids: list[int], *, description: bool = False) -> dict[int, HitFacts]:
    """Free places, hours and period of the slots on a page of hits, whether a supervisor
    is free, and their description when asked (the participant's search shows it; the
    staff's cards do not read it) (four queries, whatever the number of hits)."""
    if not slot_ids:
        return {}
    columns = [
        Slot.id,
        Slot.host,
        Slot.supervisor,
        Slot.capacity,
        Slot.hours_per_week,
        Slot.start_date,
        Slot.end_date,
    ]
    rows = await Slot.select(*columns, *([Slot.description] if description else [])).where(
        Slot.id.is_in(slot_ids)
    )
    taken = await seats_taken(slot_ids)
    waiting = await _without_free_supervisor(rows)
    return {
        int(r["id"]): HitFacts(
            open_seats=max(0, r["capacity"] - taken.get(r["id"], 0)),
            capacity=r["capacity"],
            hours_per_week=r["hours_per_week"],
            start_date=r["start_date"],
            end_date=r["end_date"],
            description=r.get("description") or "",
            no_supervisor_free=int(r["id"]) in waiting,
        )
        for r in rows
    }
