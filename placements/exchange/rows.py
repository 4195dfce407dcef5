"""One row checked against the rules of a slot: `check_row`, which words every fault, and
`fast_row`, msgspec's typed path for a clean JSON line (any row it is unsure of goes to
`check_row`). Both take their limits from `placements.slot_rules`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec

from employers.services.hosts import SETTING_BY_KIND, coordinates_of
from employers.services.orgnr import org_number_problem
from employers.tables import HOST_KINDS
from marketplace.kernel import clock
from marketplace.kernel.addresses import normalise_email, single_line, suggested_address
from marketplace.kernel.dates import EARLIEST, LATEST, in_window
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.forms import CONTROL_CHARACTERS
from marketplace.reference.taxonomy_changes import resolve_occupation
from placements import date_rules
from placements import slot_rules as rules
from placements.exchange.format import LIST_SEPARATOR, FlatRow, reason
from placements.rows import SlotValues
from placements.schemas.slots import RowError, RowNotice
from placements.services.slots import known_occupation, store_skill
from placements.tables import SETTINGS, SLOT_KINDS, SLOT_STATUSES, TRACKS
from placements.vocabulary import Track


@dataclass
class Record:
    """One valid row, as column values, plus what it needs resolved (host, supervisor)."""

    line: int
    source: str
    external_id: str
    host_name: str
    host_kind: str
    host_org_number: str
    host_town: str
    status: str | None
    supervisor: tuple[str, str, str] | None
    values: SlotValues = field(default_factory=dict)
    # What was done to the row on the way in (a replaced occupation id), for the report.
    notices: list[RowNotice] = field(default_factory=list)


# --- checking rows -------------------------------------------------------------------------------


def latest_slot_date() -> dt.date:
    """The last day a slot's period may reach (the date table's slot rule)."""
    future = date_rules.rule_for("slot", "end_date").future
    assert future is not None
    return clock.today() + dt.timedelta(days=future)


class _Row:
    """Field readers for one row that collect errors instead of stopping at the first."""

    def __init__(self, line: int, raw: FlatRow, language: str) -> None:
        self.line = line
        self.raw = raw
        self.language = language
        self.errors: list[RowError] = []

    def fail(self, name: str, code: str, **values: Any) -> None:
        self.errors.append(
            RowError(line=self.line, field=name, reason=reason(code, self.language, **values))
        )

    def text(
        self, name: str, *, required: bool = False, low: int = 0, high: int = 200
    ) -> str | None:
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, "required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(name, "text")
            return None
        text = str(value).strip()
        if CONTROL_CHARACTERS.search(text):
            self.fail(name, "control")
            return None
        if len(text) > high:
            self.fail(name, "too_long", n=high)
            return None
        if len(text) < low:
            self.fail(name, "too_short", n=low)
            return None
        return text

    def choice(self, name: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        options = tuple(choices)
        if value is not None and value not in options:
            self.fail(name, "choice", choices=", ".join(options))
            return None
        return value

    def integer(
        self,
        name: str,
        low: int,
        high: int | None = None,
        *,
        required: bool = False,
        problem: str | None = None,
    ) -> int | None:
        """The field as a whole number from `low` to `high`; `problem` is the reason's code
        for any value it is not (not a whole number, or out of range) when the rule has its
        own words."""
        value = self.raw.get(name)
        if value is None:
            if required:
                self.fail(name, "required")
            return None
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip())
        if number is None:
            self.fail(name, problem or "integer")
            return None
        if number < low or (high is not None and number > high):
            if problem is not None:
                self.fail(name, problem)
            elif high is None:
                self.fail(name, "at_least", low=low)
            else:
                self.fail(name, "range", low=low, high=high)
            return None
        return number

    def number(self, name: str, low: float, high: float) -> float | None:
        value = self.raw.get(name)
        if value is None:
            return None
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip().replace(",", "."))
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            self.fail(name, "number")
            return None
        if not low <= number <= high:
            self.fail(name, "range", low=low, high=high)
            return None
        return number

    def boolean(self, name: str) -> bool | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            folded = value.strip().casefold()
            if folded in {"true", "1", "ja", "yes", "sant"}:
                return True
            if folded in {"false", "0", "nej", "no", "falskt"}:
                return False
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self.fail(name, "boolean")
        return None

    def date(self, name: str) -> dt.date | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                if in_window(day):
                    return day
                self.fail(name, "date_window", low=EARLIEST, high=LATEST)
                return None
        self.fail(name, "date")
        return None

    def strings(
        self, name: str, high: int = rules.LABEL_MAX, most: int = rules.LABELS_MAX
    ) -> list[str]:
        value = self.raw.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            value = [p for p in value.split(LIST_SEPARATOR)]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, "list")
            return []
        items = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        if any(CONTROL_CHARACTERS.search(v) for v in items):
            self.fail(name, "control")
            return []
        if any(len(v) > high for v in items):
            self.fail(name, "too_long", n=high)
            return []
        if len(items) > most:
            self.fail(name, "too_many", n=most)
            return []
        return items


def check_row(
    line: int, raw: FlatRow, default_source: str, language: str = "sv"
) -> Record | list[RowError]:
    """A valid row as a `Record`, or every fault it has."""
    r = _Row(line, raw, language)
    external_id = r.text("external_id", required=True)
    source = r.text("source", high=60) or default_source
    status = r.choice("status", SLOT_STATUSES)
    host_name = r.text("host.name", required=True)
    host_kind = r.choice("host.kind", HOST_KINDS, required=True)
    org_number = r.text("host.org_number", high=20) or ""
    if org_number:
        problem = org_number_problem(org_number, language)
        if problem:
            r.errors.append(RowError(line=line, field="host.org_number", reason=problem))
        else:
            digits = org_number.replace("-", "").replace(" ", "")[-10:]
            org_number = f"{digits[:6]}-{digits[6:]}"
    host_town = r.text("host.town", high=100) or ""
    kind = r.choice("kind", SLOT_KINDS, required=True)
    title = r.text("title", required=True, low=rules.TITLE_MIN, high=rules.TITLE_MAX)
    occupation_id = r.text("occupation_id", high=rules.OCCUPATION_ID_MAX)
    notices: list[RowNotice] = []
    if occupation_id and not known_occupation(occupation_id):
        # An id the taxonomy has replaced is stored as its replacement (see
        # search.taxonomy_changes for the rule); one that cannot be resolved is refused.
        resolved = resolve_occupation(occupation_id, title or "")
        if resolved.status == "unknown":
            r.fail("occupation_id", "occupation", value=occupation_id)
        elif resolved.occupation_id is None:
            r.errors.append(
                RowError(line=line, field="occupation_id", reason=resolved.problem(language))
            )
        else:
            notices.append(
                RowNotice(line=line, field="occupation_id", text=resolved.notice(language))
            )
            occupation_id = resolved.occupation_id
    description = r.text("description", high=rules.DESCRIPTION_MAX) or ""
    skills = r.strings("skills")
    town = r.text("town", required=True, high=rules.TOWN_MAX)
    latitude = r.number("latitude", rules.LATITUDE_MIN, rules.LATITUDE_MAX)
    longitude = r.number("longitude", rules.LONGITUDE_MIN, rules.LONGITUDE_MAX)
    if (raw.get("latitude") is None) != (raw.get("longitude") is None):
        r.fail("longitude" if raw.get("longitude") is None else "latitude", "both_coordinates")
    capacity = r.integer(
        "capacity", rules.CAPACITY_MIN, rules.CAPACITY_MAX, required=True, problem="capacity"
    )
    hours = r.integer("hours_per_week", rules.HOURS_MIN, rules.HOURS_MAX)
    tracks = r.strings("tracks")
    for track in tracks:
        if track not in TRACKS:
            r.fail("tracks", "choice", choices=", ".join(TRACKS))
            break
    adaptations = r.strings("adaptations")
    sup_name = r.text("supervisor.name") or ""
    sup_email = r.text("supervisor.email", high=320) or ""
    if sup_email:
        try:
            sup_email = normalise_email(sup_email)
        except ValidationFailed:
            # Å, ä or ö before the @ (no mail could go to it) is said with the address to try.
            suggestion = suggested_address(sup_email)
            if suggestion:
                r.fail("supervisor.email", "email_letters", value=suggestion)
            else:
                r.fail("supervisor.email", "email")
    # These become mail headers (subjects, names): one line each.
    for name, value in (
        ("title", title),
        ("town", town),
        ("host.name", host_name),
        ("supervisor.name", sup_name),
    ):
        if value and _has_line_break(value):
            r.fail(name, "line_break")
    sup_phone = r.text("supervisor.phone", high=40) or ""
    driving = r.boolean("requirements.driving_licence")
    start = r.date("start_date")
    end = r.date("end_date")
    latest = latest_slot_date()
    for name, day in (("start_date", start), ("end_date", end)):
        if day and day > latest:
            r.fail(name, "too_far_ahead", high=latest)
    if start and end and end < start:
        r.fail("end_date", "end_before_start")
    setting = r.choice("setting", SETTINGS)
    if r.errors:
        return r.errors
    assert external_id and host_name and host_kind and kind and title and town and capacity
    record = _record(
        line,
        source,
        external_id,
        status,
        (host_name, host_kind, org_number, host_town),
        (sup_name, sup_email, sup_phone),
        {
            "kind": kind,
            "title": title,
            "occupation_id": occupation_id,
            "description": description,
            "skills": skills,
            "town": town,
            "latitude": latitude,
            "longitude": longitude,
            "capacity": capacity,
            "hours_per_week": hours,
            "tracks": tracks,
            "adaptations": adaptations,
            "driving_licence": bool(driving),
            "start_date": start,
            "end_date": end,
            "setting": setting or SETTING_BY_KIND[host_kind],
        },
    )
    record.notices = notices
    return record


_encode = msgspec.json.Encoder().encode


def _record(
    line: int,
    source: str,
    external_id: str,
    status: str | None,
    host: tuple[str, str, str, str],
    supervisor: tuple[str, str, str],
    values: SlotValues,
) -> Record:
    """A checked row as column values: lists as JSON text, skills as taxonomy IDs."""
    if values["latitude"] is None or values["longitude"] is None:
        coords = coordinates_of(values["town"])
        values["latitude"], values["longitude"] = coords if coords else (None, None)
    values["skills"] = _encode(list(dict.fromkeys(store_skill(v) for v in values["skills"])))
    values["skills"] = values["skills"].decode()
    values["tracks"] = _encode(values["tracks"]).decode()
    values["adaptations"] = _encode(values["adaptations"]).decode()
    return Record(
        line=line,
        source=source,
        external_id=external_id,
        host_name=host[0],
        host_kind=host[1],
        host_org_number=host[2],
        host_town=host[3],
        status=status,
        supervisor=supervisor if supervisor[0] or supervisor[1] else None,
        values=values,
    )


# The fast path for JSON Lines: msgspec decodes a well-formed row straight into typed fields.
# Any row it refuses, or that needs cleaning (spaces, an invalid org number …), goes through
# `check_row`, which is the authority and words the reasons.
_Text200 = Annotated[str, msgspec.Meta(max_length=200)]
_Labels = Annotated[list[_Text200], msgspec.Meta(max_length=rules.LABELS_MAX)]


class _WireHost(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: Literal["company", "municipal_unit", "association", "public_agency"]
    org_number: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    town: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class _WireSupervisor(msgspec.Struct):
    name: _Text200 | None = None
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class _WireRequirements(msgspec.Struct):
    driving_licence: bool | None = None


class _Wire(msgspec.Struct):
    external_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    host: _WireHost
    kind: Literal["praktik", "arbetsträning"]
    title: rules.Title
    town: Annotated[str, msgspec.Meta(min_length=1, max_length=rules.TOWN_MAX)]
    capacity: rules.Capacity
    source: Annotated[str, msgspec.Meta(max_length=60)] | None = None
    status: Literal["draft", "published", "paused", "closed"] | None = None
    occupation_id: Annotated[str, msgspec.Meta(max_length=rules.OCCUPATION_ID_MAX)] | None = None
    description: rules.Description | None = None
    skills: _Labels | None = None
    latitude: rules.Latitude | None = None
    longitude: rules.Longitude | None = None
    hours_per_week: rules.Hours | None = None
    tracks: list[Track] | None = None
    adaptations: _Labels | None = None
    supervisor: _WireSupervisor | None = None
    requirements: _WireRequirements | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    setting: Literal["open_workplace", "municipal_workplace", "sheltered"] | None = None


_WIRE = msgspec.json.Decoder(_Wire)


def _has_line_break(text: str) -> bool:
    try:
        single_line(text, "", label="")
    except ValidationFailed:
        return True
    return False


def _is_normal_email(text: str) -> bool:
    """True when the address is valid and already in its stored (normalised) form."""
    try:
        return normalise_email(text) == text
    except ValidationFailed:
        return False


def _clean(text: str | None) -> str | None:
    """The text if it needs no cleaning ("" counts as missing); raises _Slow otherwise."""
    if text is None or text == "":
        return None
    if text != text.strip():
        raise _Slow
    return text


def _clean_items(items: list[str] | None) -> list[str]:
    if not items:
        return []
    for item in items:
        if not item or item != item.strip():
            raise _Slow
    return list(dict.fromkeys(items))


class _Slow(Exception):
    """The row needs the careful path."""


def fast_row(line: int, raw: bytes, default_source: str) -> Record | None:
    """The row as a `Record` when it is well formed and clean, else None (use `check_row`)."""
    try:
        wire = _WIRE.decode(raw)
        external_id = _clean(wire.external_id)
        host_name = _clean(wire.host.name)
        title = _clean(wire.title)
        town = _clean(wire.town)
        org = _clean(wire.host.org_number) or ""
        sup = wire.supervisor or _WireSupervisor()
        sup_name, sup_email, sup_phone = _clean(sup.name), _clean(sup.email), _clean(sup.phone)
        host_town = _clean(wire.host.town) or ""
        source = _clean(wire.source) or default_source
        occupation_id = _clean(wire.occupation_id)
        description = _clean(wire.description) or ""
        skills = _clean_items(wire.skills)
        adaptations = _clean_items(wire.adaptations)
    except (msgspec.DecodeError, _Slow):
        return None
    if not (external_id and host_name and title and len(title) >= 3 and town):
        return None
    texts = (external_id, host_name, title, town, org, host_town, source, occupation_id)
    more = (sup_name, sup_email, sup_phone, description, *skills, *adaptations)
    if CONTROL_CHARACTERS.search("".join(t for t in (*texts, *more) if t)):
        return None  # the careful path names the field
    if any(_has_line_break(t or "") for t in (host_name, title, town, sup_name)):
        return None
    if sup_email and not _is_normal_email(sup_email):
        return None
    if (wire.latitude is None) != (wire.longitude is None):
        return None
    if wire.start_date and wire.end_date and wire.end_date < wire.start_date:
        return None
    if any(
        d is not None and (not in_window(d) or d > latest_slot_date())
        for d in (wire.start_date, wire.end_date)
    ):
        return None
    if occupation_id and not known_occupation(occupation_id):
        return None
    if org:
        if org_number_problem(org) is not None:
            return None
        digits = org.replace("-", "").replace(" ", "")[-10:]
        org = f"{digits[:6]}-{digits[6:]}"
    return _record(
        line,
        source,
        external_id,
        wire.status,
        (host_name, wire.host.kind, org, host_town),
        (sup_name or "", sup_email or "", sup_phone or ""),
        {
            "kind": wire.kind,
            "title": title,
            "occupation_id": occupation_id,
            "description": description,
            "skills": skills,
            "town": town,
            "latitude": wire.latitude,
            "longitude": wire.longitude,
            "capacity": wire.capacity,
            "hours_per_week": wire.hours_per_week,
            "tracks": list(dict.fromkeys(wire.tracks or [])),
            "adaptations": adaptations,
            "driving_licence": bool(wire.requirements and wire.requirements.driving_licence),
            "start_date": wire.start_date,
            "end_date": wire.end_date,
            "setting": wire.setting or SETTING_BY_KIND[wire.host.kind],
        },
    )
