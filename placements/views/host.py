"""The host portal (`/vard`): the host's organisations, slots, proposals, agreements,
placements, assessments and win-win ledger.

It lives in `placements` because it shows slots and bookings; the organisation and supervisor
pages are in `employers/views.py`. Every action calls one service; the pages only arrange.
The slot form's occupation pickers (what the host typed, and three occupations suggested from
the title and description) are served by the search (`search.occupation_pages`); the form's
own "Föreslå yrke" without JavaScript asks the suggester the app factory hands it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from collections.abc import Sequence
from functools import partial
from typing import Annotated, Any, Protocol

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from employers.services import contacts as contact_services
from employers.services import hosts as host_services
from employers.vocabulary import SETTING_BY_KIND
from marketplace.kernel import clock
from marketplace.kernel.auth import AuthUser, requires
from marketplace.kernel.auth import signed_in_user as _user
from marketplace.kernel.errors import NotFound, ValidationFailed, said_once
from marketplace.kernel.forms import (
    ACTION,
    Form,
    Landing,
    NoFields,
    confirmed,
    form_values,
    is_ticked,
    list_items,
    rerender_as,
    round_trip,
)
from marketplace.kernel.notices import done
from marketplace.kernel.paging import OrderKey, PageNumber, chosen_order, page_count
from marketplace.kernel.templating import LABELS
from marketplace.kernel.views import action_posts, page
from marketplace.reference import taxonomy
from placements import booking_states, date_rules
from placements.host_texts import assessment_problems
from placements.schemas import agreements as agreement_schemas
from placements.schemas import attendance as attendance_schemas
from placements.schemas import bookings as booking_schemas
from placements.schemas import outcomes as outcome_schemas
from placements.schemas import slots as slot_schemas
from placements.services import agreements as agreement_services
from placements.services import answers as answer_services
from placements.services import attendance as attendance_services
from placements.services import booking_access, seats_taken
from placements.services import bookings as booking_services
from placements.services import candidates as candidate_services
from placements.services import ledger as ledger_services
from placements.services import outcomes as outcome_services
from placements.services import slots as slot_services
from placements.services import supervisors as supervisor_services
from placements.views import attendance as attendance_views
from placements.views import workbench as workbench_views

host_only = requires("host")
# The slot form also serves admins, who edit any host's slots here (the back office's job),
# through the same service rules and audit as the host.
slot_editors = requires("host", "admin")

SLOT_LABELS = {
    "kind": "Typ av plats",
    "title": "Rubrik",
    "occupation_id": "Yrke",
    "description": "Beskrivning",
    "skills": "Kompetenser",
    "town": "Ort",
    "capacity": "Antal platser",
    "hours_per_week": "Timmar i veckan",
    "tracks": "Passar spåren",
    "adaptations": "Anpassningar som finns",
    "supervisor_id": "Handledare",
    "driving_licence": "Körkort krävs",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "setting": "Typ av arbetsplats",
}
SLOT_CREATE_LABELS = {**SLOT_LABELS, "host_id": "Organisation"}
ASSESSMENT_LABELS = {
    "attendance": "Närvaro",
    "tasks_mastered": "Uppgifter deltagaren klarade",
    "strengths": "Styrkor",
    "recommendation": "Rekommendation",
    "comment": "Övrigt",
}
# What a host writes into the agreement; the period, the participant's goals and what is shared
# about the participant stay the coordinator's.
HOST_AGREEMENT_LABELS = {
    "weekly_schedule": "Schema per vecka",
    "tasks": "Uppgifter",
    "host_gains": "Vad ni får ut av placeringen",
}
# A closed slot can be reopened (as paused), as the box's hint says: the refusal must not
# claim otherwise.
CLOSE_UNCONFIRMED = (
    "Kryssa i rutan ”Ja, jag vill stänga platsen” för att stänga den. "
    "En stängd plats syns inte i sökningen och tar inte emot nya förslag."
)
OPEN_FOR_HOST = ("accepted", "agreed", "active")
ENDED = ("completed", "interrupted")


# The host's own slots, a page at a time: a municipal unit may have hundreds, and the list
# used to stop at 200 without a word.
SLOTS_PER_PAGE = 50
# The slot list's orders, as the sort box offers them (Swedish keys in the address, "-" first
# for the other way round), the default first, and the service's key for each.
SLOT_SORT_CHOICES = [
    ("nyast", "Nyast först"),
    ("-nyast", "Äldst först"),
    ("rubrik", "Rubrik, A–Ö"),
    ("-rubrik", "Rubrik, Ö–A"),
    ("status", "Status, publicerade först"),
    ("-status", "Status, stängda först"),
    ("start", "Startdatum, tidigast först"),
    ("-start", "Startdatum, senast först"),
]
SLOT_SORTS = {"nyast": "newest", "rubrik": "title", "status": "status", "start": "start"}
# The list's columns that sort: (column key, heading, the order a first click gives).
SLOT_SORT_COLUMNS = [("rubrik", "Rubrik", "rubrik"), ("status", "Status", "status")]


PAST_SHOWN = 10  # ended and assessed placements on the host's page, the latest


async def _home_context(
    user: AuthUser, sida: int = 1, sortera: str | None = None
) -> dict[str, Any]:
    _, organisations = await host_services.list_hosts_for(user, limit=100)
    order, sort_note = chosen_order(sortera, SLOT_SORT_CHOICES)
    sort = ("-" if order.startswith("-") else "") + SLOT_SORTS[order.lstrip("-")]
    total = (await slot_services.list_managed_slots(user, limit=1)).total
    slot_pages = page_count(total, SLOTS_PER_PAGE)
    slot_page = min(sida, slot_pages)
    slots = (
        await slot_services.list_managed_slots(
            user, limit=SLOTS_PER_PAGE, offset=(slot_page - 1) * SLOTS_PER_PAGE, sort=sort
        )
    ).items
    lists = await booking_services.bookings_by_status_for(
        user, ["proposed", "accepted", "agreed", "active", "completed", "interrupted"]
    )
    proposals = lists["proposed"]
    # A proposal the slot's supervisor has no room for is answered on its own page, where
    # the host picks another supervisor or period.
    fits = {
        b.id: (await answer_services.accept_options_for(user, b.id, audit=False)).fits
        for b in proposals
    }
    # A proposal to a slot that takes no accept now (paused, closed, without a supervisor):
    # the host is told why and sent to the slot, not offered an accept that fails.
    refusals = {b.id: await slot_services.booking_refusal(b.slot_id) for b in proposals}
    # Each accepted proposal's agreement, and whom it waits for: "signed" (the host has, the
    # others have not), "gains" (the host writes what it gains first), "goals" (the
    # coordinator writes the participant's goals first) or "host" (the host's signature).
    to_sign = []
    for booking in lists["accepted"]:
        agreement = await agreement_services.get_agreement_for(user, booking.id)
        missing = agreement_services.unsignable(agreement)
        if any(s.party == "host" and s.signed for s in agreement.signatures):
            waits_for = "signed"
        elif "host_gains" in missing:
            waits_for = "gains"
        elif missing:
            waits_for = "goals"
        else:
            waits_for = "host"
        to_sign.append((booking, agreement, waits_for))
    placements = lists["agreed"] + lists["active"]
    supervisor_gone = await supervisor_services.without_supervisor(
        [*lists["accepted"], *placements]
    )
    ended = lists["completed"] + lists["interrupted"]
    assessed = await outcome_services.submitted_assessments(ended)
    to_assess = [booking for booking in ended if booking.id not in assessed]
    # The ended and assessed ones were listed nowhere: a host reporting a last week's
    # attendance typed the booking's address. The latest first, a handful.
    past = sorted(
        (b for b in ended if b.id in assessed),
        key=lambda b: (b.ended_at or dt.datetime.min.replace(tzinfo=dt.UTC), b.id),
        reverse=True,
    )
    ledgers = [await ledger_services.host_ledger_for(user, h.id) for h in organisations]
    return {
        "organisations": organisations,
        "supervisor_gone": supervisor_gone,
        "slots": slots,
        "slots_total": total,
        "slot_page": slot_page,
        "slot_pages": slot_pages,
        "slot_order": order,
        "slot_sort_note": sort_note,
        "slot_sort_choices": SLOT_SORT_CHOICES,
        "slot_sort_columns": SLOT_SORT_COLUMNS,
        "proposals": proposals,
        "fits": fits,
        "refusals": refusals,
        "to_sign": to_sign,
        "placements": placements,
        "to_assess": to_assess,
        "past": past[:PAST_SHOWN],
        "past_total": len(past),
        "ledgers": ledgers,
        "hours_definition": ledger_services.HOURS_DEFINITION,
    }


@get("/vard", guards=[host_only], include_in_schema=False, name="host_home")
async def host_home(
    request: Request[Any, Any, Any], sida: PageNumber = 1, sortera: OrderKey = None
) -> Template:
    """The host's page; its slot list paged by `sida` and sorted by `sortera` (an order the
    sort box does not offer shows the newest first, said at the box)."""
    context = await _home_context(_user(request), sida, sortera)
    return page("placements/host/home.html", request, errors={}, **context)


# --- slots -----------------------------------------------------------------------------------


def _slot_values(slot: slot_schemas.Slot) -> dict[str, Any]:
    """A slot as the form's values."""
    return {
        "kind": slot.kind,
        "title": slot.title,
        "occupation_id": slot.occupation.id if slot.occupation else "",
        "occupation_label": slot.occupation.label if slot.occupation else "",
        "description": slot.description,
        "skills": [s.label for s in slot.skills],
        "town": slot.town,
        "capacity": str(slot.capacity),
        "hours_per_week": "" if slot.hours_per_week is None else str(slot.hours_per_week),
        "tracks": list(slot.tracks),
        "adaptations": "\n".join(slot.adaptations),
        "supervisor_id": str(slot.supervisor.id) if slot.supervisor else "",
        "driving_licence": "1" if slot.driving_licence else "",
        "start_date": slot.start_date.isoformat() if slot.start_date else "",
        "end_date": slot.end_date.isoformat() if slot.end_date else "",
        "setting": slot.setting,
    }


# Skills shown as boxes at once; the rest of the group's are a click away ("Fler kompetenser").
SKILLS_SHOWN = 30


def skill_suggestions(occupation_id: str) -> list[str]:
    """Every skill the taxonomy relates to the occupation's group, the closest first
    (`taxonomy.closest_skills`); the form shows `SKILLS_SHOWN` and folds the rest."""
    return taxonomy.closest_skills(occupation_id) if occupation_id else []


async def _slot_form_context(
    user: AuthUser,
    host_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
    slot: slot_schemas.Slot | None = None,
) -> dict[str, Any]:
    host = await host_services.get_host(user, host_id)
    supervisors = [
        (c.id, c.name)
        for c in await contact_services.list_contacts(user, host_id)
        if c.is_supervisor and c.active
    ]
    # The skills as the form saves them: the ticked boxes and those typed one per line (the
    # "Fler kompetenser" box, posted empty, is no skill of its own), each a ticked box.
    chosen = list_items(values.get("skills"), commas=False)
    values = {**values, "skills": chosen}
    suggestions = skill_suggestions(str(values.get("occupation_id") or ""))
    chosen_occupation = taxonomy.occupation(str(values.get("occupation_id") or ""))
    if chosen_occupation is not None:
        values = {**values, "occupation_label": chosen_occupation.label}
    return {
        "host": host,
        "values": values,
        "errors": errors,
        "labels": SLOT_LABELS,
        "supervisors": supervisors,
        "kinds": list(LABELS["slot_kind"].items()),
        "tracks": list(LABELS["track"].items()),
        "settings": list(LABELS["setting"].items()),
        "kind_setting": LABELS["setting"].get(SETTING_BY_KIND.get(host.kind, ""), ""),
        # What closing the slot leaves as it is (the close box's hint).
        "mind": await slot_services.bookings_to_mind(slot.id) if slot else (0, 0),
        # Seats held now: more than the places after the host lowered them (a host's day:
        # 2 running placements, places 2 → 1, saved as "0 av 1 plats ledig" without a word).
        "seats_held": (await seats_taken([slot.id])).get(slot.id, 0) if slot else 0,
        "skill_options": [(s, s) for s in dict.fromkeys([*chosen, *suggestions])],
        "skills_shown": max(SKILLS_SHOWN, len(chosen)),
        # A new slot's form carries its own key, kept when the form comes back refused.
        "once": _once(values) or secrets.token_urlsafe(16),
        # A slot's form carries the version it was read from, kept when it comes back.
        "version": _version(values) or (slot.version if slot else ""),
    }


_SLOT_FORM_ARGS: dict[str, Any] = {
    "lists": ["tracks", "adaptations"],
    # A skill's label may hold a comma (the taxonomy's "Utbildning, armén"): one per line.
    "lines": ["skills"],
    "flags": ["driving_licence"],
    "blank_is_none": [
        "occupation_id",
        "hours_per_week",
        "supervisor_id",
        "start_date",
        "end_date",
        "setting",
    ],
    "blank_is_empty": ["description", "town"],
    "rules": date_rules.form_rules("slot"),
}
SLOT_CREATE_FORM = Form(slot_schemas.SlotCreate, labels=SLOT_CREATE_LABELS, **_SLOT_FORM_ARGS)
SLOT_UPDATE_FORM = Form(slot_schemas.SlotUpdate, labels=SLOT_LABELS, **_SLOT_FORM_ARGS)
CLOSE_SLOT_FORM = confirmed("confirm", CLOSE_UNCONFIRMED)


async def _slot_form_page(
    request: Request[Any, Any, Any],
    host_id: int,
    slot: slot_schemas.Slot | None,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int,
) -> Template:
    """The slot form again, with what was typed and the messages."""
    context = await _slot_form_context(_user(request), host_id, values, errors, slot)
    return page(
        "placements/host/slot_form.html", request, status_code=status_code, slot=slot, **context
    )


# The slot form's "Föreslå yrke" button: without JavaScript it posts the whole form, which is
# shown again with three suggested occupations and nothing saved; with htmx it asks
# `/vard/yrkesforslag` (served by the search: `search.occupation_pages`) for them only.
SUGGEST_BUTTON = "foresla_yrke"


class OccupationSuggester(Protocol):
    """Suggested occupations for a slot's title and description (each with the `id`, `label`,
    `group_label` and `words` that `placements/host/_occupation_choices.html` shows), and
    why there are none ("" when there are some)."""

    async def __call__(self, title: str, description: str) -> tuple[Sequence[Any], str]: ...


_suggester: OccupationSuggester | None = None


def use_occupation_suggester(suggester: OccupationSuggester) -> None:
    """Give the slot form its occupation suggestions. The app factory hands it the search's
    (`search.occupation_pages.slot_form_suggestions`), since `placements` never imports `search`."""
    global _suggester
    _suggester = suggester


async def _occupation_suggestions(values: dict[str, Any]) -> tuple[Sequence[Any], str]:
    """Suggested occupations for the form's title and description, or why there are none."""
    if _suggester is None:
        raise RuntimeError("The slot form has no occupation suggester (see create_app).")
    return await _suggester(str(values.get("title") or ""), str(values.get("description") or ""))


async def _form_with_suggestions(
    request: Request[Any, Any, Any],
    user: AuthUser,
    host_id: int,
    slot: slot_schemas.Slot | None,
    values: dict[str, Any],
) -> Template:
    suggestions, problem = await _occupation_suggestions(values)
    errors = {"title": problem} if problem else {}
    context = await _slot_form_context(user, host_id, values, errors, slot)
    return page(
        "placements/host/slot_form.html",
        request,
        status_code=400 if problem else 200,
        slot=slot,
        occupation_suggestions=suggestions,
        **context,
    )


# The organisations offered when a new slot's organisation is to be chosen (an admin may
# choose among every host: the rest are found by name).
HOST_CHOICES = 100
CHOOSE_HOST = "Välj vilken organisation platsen hör till."


@get("/vard/platser/ny", guards=[slot_editors], include_in_schema=False, name="slot_new")
async def slot_new(
    request: Request[Any, Any, Any],
    host_id: Annotated[int | None, QueryParameter(ge=1)] = None,
    q: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> Response[Any] | Template:
    """The new slot's form for the organisation `host_id`. Without one (the address typed,
    or a link that left it out), a host user of one organisation is sent to its form, and
    one of several (or an admin) chooses the organisation first."""
    user = _user(request)
    if host_id is None:
        total, hosts = await host_services.list_hosts_for(user, q=q, limit=HOST_CHOICES)
        if len(hosts) == 1 and not q and user.role == "host":
            return Redirect(f"/vard/platser/ny?host_id={hosts[0].id}", status_code=303)
        return page(
            "placements/host/slot_host_choice.html",
            request,
            hosts=hosts,
            more=total - len(hosts),
            q=q or "",
        )
    values = {"kind": "praktik", "capacity": "1", "host_id": str(host_id)}
    usual = await slot_services.usual_setting(host_id)
    if usual:
        values["setting"] = usual
    context = await _slot_form_context(user, host_id, values, {})
    return page("placements/host/slot_form.html", request, slot=None, **context)


async def _posted_host_id(user: AuthUser, values: dict[str, Any]) -> int:
    """The organisation a posted new slot belongs to: the form's hidden field, or, when it is
    missing, the host user's only organisation."""
    raw = str(values.get("host_id") or "").strip()
    if not raw:
        _, hosts = await host_services.list_hosts_for(user, limit=2)
        if len(hosts) == 1 and user.role == "host":
            return hosts[0].id
        raise ValidationFailed(CHOOSE_HOST, fields=["host_id"])
    if not raw.isdigit():
        raise ValidationFailed(CHOOSE_HOST, fields=["host_id"])
    return int(raw)


@post("/vard/platser/ny", guards=[slot_editors], include_in_schema=False, status_code=303)
async def slot_create(request: Request[Any, Any, Any]) -> Response[Any]:
    user = _user(request)
    values = await form_values(request)
    host_id = await _posted_host_id(user, values)
    if is_ticked(values, SUGGEST_BUTTON):
        return await _form_with_suggestions(request, user, host_id, None, values)

    def parse(values: dict[str, Any]) -> slot_schemas.SlotCreate:
        return SLOT_CREATE_FORM({**values, "host_id": str(host_id)})

    async def create(data: slot_schemas.SlotCreate) -> Landing:
        slot, made = await slot_services.create_slot_once(user, data, _once(values))
        return f"/vard/platser/{slot.id}", "plats-sparad" if made else "plats-redan-sparad"

    refused = partial(_slot_form_page, request, host_id, None)
    return await round_trip(request, parse, create, refused, fields=SLOT_LABELS)


_ONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _once(values: dict[str, Any]) -> str | None:
    """The new-slot form's own key, when it is one the form could have carried."""
    key = str(values.get("once") or "")
    return key if _ONCE.fullmatch(key) else None


_VERSION = re.compile(r"[0-9a-f]{1,64}")


def _version(values: dict[str, Any]) -> str | None:
    """The version of the slot the edit form was read from, when it is one it could carry."""
    version = str(values.get("version") or "")
    return version if _VERSION.fullmatch(version) else None


def _stored_text(field: str, slot: slot_schemas.Slot) -> str:
    """A field of the slot as stored, in the words the form shows it with."""

    def listed(items: Sequence[str]) -> str:
        return ", ".join(items) or "inga"

    shown: dict[str, str] = {
        "kind": LABELS["slot_kind"].get(slot.kind, slot.kind),
        "title": slot.title,
        "occupation_id": slot.occupation.label if slot.occupation else "inget yrke",
        "description": slot.description[:120] + ("…" if len(slot.description) > 120 else "")
        or "ingen",
        "skills": listed([s.label for s in slot.skills]),
        "town": slot.town or "ingen",
        "capacity": str(slot.capacity),
        "hours_per_week": "inga" if slot.hours_per_week is None else str(slot.hours_per_week),
        "tracks": listed([LABELS["track"].get(x, x) for x in slot.tracks]),
        "adaptations": listed(slot.adaptations),
        "supervisor_id": slot.supervisor.name if slot.supervisor else "ingen",
        "driving_licence": "krävs" if slot.driving_licence else "krävs inte",
        "start_date": slot.start_date.isoformat() if slot.start_date else "inget",
        "end_date": slot.end_date.isoformat() if slot.end_date else "inget",
        "setting": LABELS["setting"].get(slot.setting, slot.setting),
    }
    return shown.get(field, "")


@get("/vard/platser/{slot_id:int}", guards=[slot_editors], include_in_schema=False)
async def slot_edit(
    request: Request[Any, Any, Any],
    slot_id: FromPath[int],
) -> Template:
    user = _user(request)
    slot = await slot_services.get_slot(user, slot_id)
    context = await _slot_form_context(user, slot.host.id, _slot_values(slot), {}, slot)
    return page("placements/host/slot_form.html", request, slot=slot, **context)


@post(
    "/vard/platser/{slot_id:int}", guards=[slot_editors], include_in_schema=False, status_code=303
)
async def slot_update(request: Request[Any, Any, Any], slot_id: FromPath[int]) -> Response[Any]:
    user = _user(request)
    slot = await slot_services.get_slot(user, slot_id)
    values = await form_values(request)
    if is_ticked(values, SUGGEST_BUTTON):
        return await _form_with_suggestions(request, user, slot.host.id, slot, values)

    changed: list[slot_schemas.Slot] = []

    async def save(data: slot_schemas.SlotUpdate) -> Landing:
        try:
            await slot_services.update_slot(user, slot_id, data)
        except slot_services.SlotChanged:
            changed.append(await slot_services.get_slot(user, slot_id))
            raise
        return f"/vard/platser/{slot_id}", "plats-sparad"

    # The stored dates as they are may stay (an end date that has passed included); a date
    # typed anew is checked with the form's other fields.
    stored = {"start_date": slot.start_date, "end_date": slot.end_date}
    form = dataclasses.replace(SLOT_UPDATE_FORM, rules=date_rules.form_rules("slot", stored))
    # The form cannot offer a supervisor who has been ended, so it sends none: that is no
    # choice to remove them (an attack on this route: saving the places took the ended
    # supervisor off the slot, and making them active again did not bring them back).
    keep_supervisor = (
        slot.needs_supervisor
        and not values.get("supervisor_id")
        and (await slot_services.get_slot_for(user, slot_id))["supervisor"] is not None
    )

    def parse(posted: dict[str, Any]) -> slot_schemas.SlotUpdate:
        if keep_supervisor:
            posted = {k: v for k, v in posted.items() if k != "supervisor_id"}
        # The version is no field the host fills in (the form reads labelled fields only). A
        # form without one it could carry (opened before forms had it) saves as before, to
        # the slot as it is.
        data = form(posted)
        version = _version(posted)
        return msgspec.structs.replace(data, version=version) if version else data

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        """The form again. Refused because the slot changed since this tab read it: with
        what this tab typed, the stored value beside each field that differs, and the
        current version, so that Spara again (having seen them) saves what was typed."""
        shown = slot
        if changed:
            shown = changed[0]
            values = {**values, "version": shown.version}
            errors = {
                **errors,
                "_form": slot_services.SLOT_CHANGED,
                **{
                    field: f"{slot_services.STORED_DIFFERS} Sparat nu: ”{_stored_text(field, shown)}”."
                    for field in errors
                    if field in SLOT_LABELS
                },
            }
        return await _slot_form_page(
            request, slot.host.id, shown, values=values, errors=errors, status_code=status_code
        )

    return await round_trip(request, parse, save, refused, fields=SLOT_LABELS)


async def _change_status(
    request: Request[Any, Any, Any],
    slot_id: int,
    action: str,
    notice: str,
    form: Form[NoFields] = ACTION,
) -> Response[Any]:
    """Publish, pause, close or reopen the slot through `slots.change_status`; a refusal shows
    the slot's saved form with the reason at the top (or at the confirmation box)."""
    user = _user(request)

    async def change(_: NoFields) -> Landing:
        await slot_services.change_status(user, slot_id, action)
        return f"/vard/platser/{slot_id}", notice

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        slot = await slot_services.get_slot(user, slot_id)
        return await _slot_form_page(
            request,
            slot.host.id,
            slot,
            values=_slot_values(slot),
            errors=errors,
            status_code=status_code,
        )

    # What publishing lacks is said at the slot form's fields (capacity, town, occupation,
    # supervisor), each linked from the summary, not as one paragraph at the top.
    fields = [*form.fields, *SLOT_LABELS]
    return await round_trip(request, form, change, refused, fields=fields)


# The POST route of one status action on a slot.
_slot_post = action_posts("/vard/platser/{slot_id:int}", slot_editors)


@_slot_post("publicera")
async def slot_publicera(request: Request[Any, Any, Any], slot_id: FromPath[int]) -> Response[Any]:
    """Publish the slot: it shows in the search."""
    return await _change_status(request, slot_id, "publish", "plats-publicerad")


@_slot_post("pausa")
async def slot_pausa(request: Request[Any, Any, Any], slot_id: FromPath[int]) -> Response[Any]:
    """Pause the slot: it leaves the search until it is published again."""
    return await _change_status(request, slot_id, "pause", "plats-pausad")


@_slot_post("stang")
async def slot_stang(request: Request[Any, Any, Any], slot_id: FromPath[int]) -> Response[Any]:
    """Close the slot. It takes the slot off the market for good, so the host ticks a box
    first; the check is on the server, so it holds without JavaScript too."""
    return await _change_status(request, slot_id, "close", "plats-stangd", CLOSE_SLOT_FORM)


@_slot_post("oppna")
async def slot_oppna(request: Request[Any, Any, Any], slot_id: FromPath[int]) -> Response[Any]:
    """Reopen a closed slot: it comes back paused."""
    return await _change_status(request, slot_id, "reopen", "plats-oppnad")


@get("/vard/kompetenser", guards=[slot_editors], include_in_schema=False)
async def skill_options(
    request: Request[Any, Any, Any],
    occupation_id: Annotated[str, QueryParameter(max_length=20)] = "",
) -> Template:
    """htmx: the taxonomy's skills for the chosen occupation, as checkboxes."""
    options = [(s, s) for s in skill_suggestions(occupation_id)]
    return page(
        "placements/host/_skills.html",
        request,
        skill_options=options,
        skills_shown=SKILLS_SHOWN,
        values={"skills": []},
        errors={},
        labels=SLOT_LABELS,
    )


# --- proposals, agreements, placements, assessments --------------------------------------------


ACCEPT_LABELS = {"supervisor_id": "Handledare", "start_date": "Startdatum", "end_date": "Slutdatum"}
ACCEPT_FORM = Form(
    booking_schemas.AcceptRequest, labels=ACCEPT_LABELS, blank_is_none=list(ACCEPT_LABELS)
)
HOST_AGREEMENT_FORM = Form(
    agreement_schemas.AgreementUpdate,
    labels=HOST_AGREEMENT_LABELS,
    blank_is_empty=list(HOST_AGREEMENT_LABELS),
)
ASSESSMENT_FORM = Form(
    outcome_schemas.AssessmentCreate,
    labels=ASSESSMENT_LABELS,
    blank_is_empty=["tasks_mastered", "strengths", "comment"],
    rules=assessment_problems,
)
NO_DECLINE_REASON = "Skriv varför ni avböjer, så kan samordnaren hitta en bättre plats."


async def _booking_form_page(
    request: Request[Any, Any, Any],
    booking_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    agreement_values: dict[str, Any] | None = None,
    decline_values: dict[str, Any] | None = None,
    error_heading: str = "",
) -> Template:
    """The booking's page, or the page again with what was typed in the refused form and its
    messages (`agreement_values`, `decline_values`: what was typed in the refused agreement
    or decline form; `error_heading`: the messages' heading when no form was wrong)."""
    context = await _booking_context(_user(request), booking_id)
    if error_heading:
        context["error_heading"] = error_heading
    if agreement_values is not None:
        context["agreement_values"] = agreement_values
    context["decline_values"] = decline_values or {}
    return page(
        "placements/host/booking.html",
        request,
        status_code=status_code,
        values=values or {},
        errors=errors or {},
        **context,
    )


@post(
    "/vard/bokningar/{booking_id:int}/acceptera",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_accept(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Response[Any]:
    """Accept, with the slot's supervisor or another with room, for the proposed period or
    another; a refusal shows the proposal again with the reason and what would fit."""

    async def accept(choice: booking_schemas.AcceptRequest) -> Landing:
        try:
            await booking_services.accept(_user(request), booking_id, choice)
        except booking_services.SameAnswerAgain as again:
            # Back and resubmit, or a second tab: the first yes counted.
            return f"/vard/bokningar/{booking_id}", again.notice
        return f"/vard/bokningar/{booking_id}", "forslag-accepterat"

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        return await _booking_form_page(
            request,
            booking_id,
            values=values,
            errors=errors,
            status_code=status_code,
            error_heading=await _answered_heading(booking_id),
        )

    return await round_trip(request, ACCEPT_FORM, accept, refused)


ANSWERED_HEADING = "Förslaget är redan besvarat"


async def _answered_heading(booking_id: int) -> str:
    """The heading of a refused answer: a proposal answered before is no form to correct
    (`booking_services.answered_refusal` says what was answered and when); "" (the form's
    own heading) while it is still open."""
    row = await booking_access.booking_row(booking_id)
    return ANSWERED_HEADING if row is not None and row["status"] != "proposed" else ""


# The decline form's hidden field saying it was sent from the booking's own page, which then
# shows a refusal and is left for the proposals on the portal's start page, like the other.
FROM_BOOKING_PAGE = ("fran", "bokningen")


DECLINE_FIELDS = {"reason": "Skäl"}


def _decline_reason(values: dict[str, Any]) -> str:
    reason = str(values.get("reason", "")).strip()[:2000]
    if not reason:
        raise ValidationFailed(NO_DECLINE_REASON, fields=["reason"])
    return reason


@post(
    "/vard/bokningar/{booking_id:int}/avboj",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_decline(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Response[Any]:
    user = _user(request)
    # Another organisation's booking, or none, is a 404 before the form is read: it was a
    # form error about the reason under "Avböjandet behöver rättas".
    visible = await booking_access.booking_row_for(user, booking_id)
    if not await booking_access.may_act_as_host(user, visible):
        raise NotFound(booking_access.BOOKING_NOT_FOUND)

    async def decline(reason: str) -> Landing:
        try:
            await booking_services.decline(user, booking_id, reason)
        except booking_services.SameAnswerAgain as again:
            # Back and resubmit, or a second tab: the first no counted.
            return f"/vard/bokningar/{booking_id}", again.notice
        return "/vard#forslag", "forslag-avbojt"

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        name, value = FROM_BOOKING_PAGE
        heading = await _answered_heading(booking_id)
        if values.get(name) == value:
            return await _booking_form_page(
                request,
                booking_id,
                decline_values=values,
                errors=errors,
                status_code=status_code,
                error_heading=heading,
            )
        return page(
            "placements/host/home.html",
            request,
            status_code=status_code,
            errors={booking_id: said_once(errors)},
            error_heading=heading,
            **await _home_context(user),
        )

    return await round_trip(request, _decline_reason, decline, refused, fields=DECLINE_FIELDS)


async def _booking_context(user: AuthUser, booking_id: int) -> dict[str, Any]:
    booking = await booking_services.get_booking_for(user, booking_id)
    participant = None
    # What this booking's status lets the host see (`booking_states.host_view`): nothing more
    # of the participant once it declined, the first name and shared adaptations of a
    # proposal, the last name and contact details once it has accepted.
    view = booking_states.host_view(booking.status, booking.ended_at, clock.now())
    if view >= booking_states.HostView.PROPOSAL:
        participant = await candidate_services.get_participant_for_host(
            user, booking.participant.id, booking_id
        )
    agreement = None
    if (
        booking.status not in ("proposed", "declined", "withdrawn")
        and view >= booking_states.HostView.PROPOSAL
    ):
        agreement = await agreement_services.get_agreement_for(user, booking_id)
    assessment = None
    if booking.status in ENDED:
        assessment = await outcome_services.get_assessment_for(user, booking_id)
    options = None
    refusal = None
    if booking.status == "proposed":
        options = await answer_services.accept_options_for(user, booking_id, audit=False)
        refusal = await slot_services.booking_refusal(booking.slot_id)
    presence = None
    if booking.status in attendance_services.REPORTABLE:
        presence = await attendance_services.attendance_for(user, booking_id)
    coordinator_name, coordinator_email = await booking_access.coordinator_contact(
        booking.coordinator_id
    )
    return {
        **attendance_views.context(presence, f"/vard/bokningar/{booking_id}/narvaro"),
        "supervisor_change": await supervisor_services.change_options(user, booking_id),
        "contacts_link": f"/vard/organisation/{booking.host_id}#kontakter",
        "booking": booking,
        "coordinator_name": coordinator_name,
        "coordinator_email": coordinator_email,
        "options": options,
        "refusal": refusal,
        "participant": participant,
        "contact_days": booking_states.HOST_CONTACT_DAYS,
        "agreement": agreement,
        # Why the host cannot sign yet, said in place of the sign button (empty: it can).
        "sign_waits": [
            agreement_services.WIN_WIN_MISSING_FOR_HOST[name]
            for name in agreement_services.unsignable(agreement)
        ]
        if agreement
        else [],
        "assessment": assessment,
        "attendance": list(LABELS["attendance"].items()),
        "recommendations": list(LABELS["recommendation"].items()),
        "labels": ASSESSMENT_LABELS,
        "end_labels": workbench_views.END_LABELS,
        "agreement_labels": HOST_AGREEMENT_LABELS,
        "agreement_values": {k: getattr(agreement, k) for k in HOST_AGREEMENT_LABELS}
        if agreement
        else {},
    }


@get("/vard/bokningar/{booking_id:int}", guards=[host_only], include_in_schema=False)
async def booking_page(request: Request[Any, Any, Any], booking_id: FromPath[int]) -> Template:
    return await _booking_form_page(request, booking_id)


@post(
    "/vard/bokningar/{booking_id:int}/underteckna",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_sign(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Redirect | Template:
    user = _user(request)
    seen = agreement_services.form_version(await form_values(request))
    try:
        await agreement_services.sign_in_app(user, booking_id, seen_version=seen)
    except agreement_services.StaleVersion as exc:
        # The text changed since the page was shown: show the new text, sign nothing.
        return await _booking_form_page(
            request,
            booking_id,
            status_code=exc.status_code,
            errors={"_form": exc.message},
            error_heading=agreement_services.NOT_SIGNED_HEADING,
        )
    except agreement_services.NotWinWin as exc:
        # A page shown before the win-win was emptied (the page offers no button while it
        # is): what the host gains is the host's to write, in the form the page opens; the
        # goals are the coordinator's. Nothing is signed, and no form of the host's was wrong.
        return await _booking_form_page(
            request,
            booking_id,
            status_code=exc.status_code,
            errors=exc.for_host(),
            error_heading=agreement_services.NOT_SIGNED_HEADING,
        )
    return Redirect(
        done(f"/vard/bokningar/{booking_id}#overenskommelse", "overenskommelse-undertecknad"),
        status_code=303,
    )


@post(
    "/vard/bokningar/{booking_id:int}/overenskommelse",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_agreement(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Response[Any]:
    """The host completes the agreement: the schedule, the tasks and what the host gains. After
    any signature the change is a new version that every party signs again."""

    async def save(data: agreement_schemas.AgreementUpdate) -> Landing:
        await agreement_services.update_agreement(_user(request), booking_id, data)
        return f"/vard/bokningar/{booking_id}#overenskommelse", "overenskommelse-sparad"

    show = partial(_booking_form_page, request, booking_id)
    refused = rerender_as(show, values="agreement_values")
    # The agreement's rules (a written schedule is not emptied) with the form's other errors.
    rules = await agreement_services.period_rules(_user(request), booking_id)
    form = dataclasses.replace(HOST_AGREEMENT_FORM, rules=rules)
    return await round_trip(request, form, save, refused)


@post(
    "/vard/bokningar/{booking_id:int}/handledare",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_supervisor(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Response[Any]:
    """Another supervisor for the placement (one who left, or fell ill): the agreement names
    them before the start; a running placement keeps what was signed."""

    async def change(data: booking_schemas.SupervisorChange) -> Landing:
        await supervisor_services.change_supervisor(
            _user(request), booking_id, data.supervisor_id, confirm_resign=data.confirm_resign
        )
        return f"/vard/bokningar/{booking_id}#handledare", "handledare-bytt"

    refused = partial(_booking_form_page, request, booking_id)
    row = await booking_access.booking_row_for(_user(request), booking_id)
    return await round_trip(request, await workbench_views.supervisor_form(row), change, refused)


@post(
    "/vard/bokningar/{booking_id:int}/bedomning",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_assess(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Response[Any]:
    async def submit(data: outcome_schemas.AssessmentCreate) -> Landing:
        await outcome_services.submit_assessment(_user(request), booking_id, data)
        return f"/vard/bokningar/{booking_id}#bedomning", "bedomning-skickad"

    refused = partial(_booking_form_page, request, booking_id)
    return await round_trip(request, ASSESSMENT_FORM, submit, refused)


@post(
    "/vard/bokningar/{booking_id:int}/avsluta",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_end(request: Request[Any, Any, Any], booking_id: FromPath[int]) -> Response[Any]:
    """The host ends the placement, as planned or early (the service lets the host, as the
    domain has the host report the end); the same form and rules as the coordinator's, the
    box ticked first. The coordinator is told, and the page then asks for the assessment."""

    async def end(data: booking_schemas.EndRequest) -> Landing:
        await booking_services.end(
            _user(request), booking_id, data.result, data.end_date, data.reason
        )
        return f"/vard/bokningar/{booking_id}#bedomning", "placering-avslutad-vard"

    refused = partial(_booking_form_page, request, booking_id)
    row = await booking_access.booking_row_for(_user(request), booking_id)
    return await round_trip(request, workbench_views.end_form(row), end, refused)


@post(
    "/vard/bokningar/{booking_id:int}/narvaro",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_attendance(
    request: Request[Any, Any, Any], booking_id: FromPath[int]
) -> Response[Any]:
    """The supervisor reports a week's attendance: days present, days absent by reason. The
    days are checked against the placement's period with the form's other rules, so every
    problem is said at once (the service's rule, read here for the booking as it stands)."""
    booking = await booking_access.booking_row_for(_user(request), booking_id)

    async def report(data: attendance_schemas.WeekReport) -> Landing:
        await attendance_services.record_week(_user(request), booking_id, data, source="host")
        return f"/vard/bokningar/{booking_id}#narvaro", "narvaro-sparad"

    refused = partial(_booking_form_page, request, booking_id)
    parse = await attendance_views.report_parser(booking)
    return await round_trip(request, parse, report, refused, fields=attendance_views.LABELS)


@post(
    "/vard/bokningar/{booking_id:int}/narvaro/{week:date}/ta-bort",
    guards=[host_only],
    include_in_schema=False,
    status_code=303,
)
async def booking_attendance_withdraw(
    request: Request[Any, Any, Any], booking_id: FromPath[int], week: FromPath[dt.date]
) -> Response[Any]:
    """The supervisor withdraws a week's report once its box is ticked."""

    async def withdraw(_: NoFields) -> Landing:
        await attendance_services.withdraw_week(_user(request), booking_id, week)
        return f"/vard/bokningar/{booking_id}#narvaro", "narvaro-borttagen"

    refused = partial(_booking_form_page, request, booking_id)
    return await round_trip(request, attendance_views.withdraw_form(week), withdraw, refused)


ROUTES = [
    host_home,
    slot_new,
    slot_create,
    slot_edit,
    slot_update,
    slot_publicera,
    slot_pausa,
    slot_stang,
    slot_oppna,
    skill_options,
    booking_accept,
    booking_decline,
    booking_page,
    booking_sign,
    booking_agreement,
    booking_supervisor,
    booking_assess,
    booking_end,
    booking_attendance,
    booking_attendance_withdraw,
]
