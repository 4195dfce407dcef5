"""Bulk import and export of slots in the slot exchange format (JSON Lines, CSV; XLSX out).

Import upserts by (source, external_id) and is all or nothing per file unless bad rows are
skipped; every bad row is reported with its line, field and reason in Swedish or English.
Hosts are matched by organisationsnummer, else by name and town, else created.

Two fields beyond the shared format make a round trip exact: `source` (the key's other half;
a row without it takes the command's source) and `status` (draft, published, paused, closed;
without it a new slot is published, or a draft when asked, and an existing one keeps its own).

Speed: the file is parsed and checked in memory, hosts and existing slots are looked up in
dictionaries loaded once, and all rows are written with `executemany` in one transaction that
takes a single search change number for every slot it writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import anyio.to_thread
import msgspec
from piccolo.engine.sqlite import convert_datetime_in

from employers.services.hosts import SETTING_BY_KIND, coordinates_of
from employers.services.orgnr import org_number_problem
from employers.tables import HOST_KINDS, Contact, Host
from marketplace import clock, spreadsheet
from marketplace.addresses import normalise_email, single_line
from marketplace.audit import record
from marketplace.auth import AuthUser
from marketplace.bodies import MAX_JSON_DEPTH, too_deep
from marketplace.dates import EARLIEST, LATEST, in_window
from marketplace.db import is_sqlite, write_transaction
from marketplace.errors import ValidationFailed
from placements import date_rules
from placements.schemas.slots import ImportReport, RowError, RowNotice
from placements.services import take_slot_change
from placements.services.slots import json_list, known_occupation, skill_label, store_skill
from placements.tables import SETTINGS, SLOT_KINDS, SLOT_STATUSES, TRACKS, Slot
from placements.vocabulary import Track
from search.taxonomy_changes import resolve_occupation

FORMATS = ("jsonl", "csv")
EXPORT_FORMATS = ("jsonl", "csv", "xlsx")
DEFAULT_SOURCE = "import"
LIST_SEPARATOR = ";"
# Column order of CSV and XLSX files; JSON Lines nests the dotted names.
FIELDS = (
    "external_id",
    "source",
    "status",
    "host.name",
    "host.kind",
    "host.org_number",
    "host.town",
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
    "supervisor.name",
    "supervisor.email",
    "supervisor.phone",
    "requirements.driving_licence",
    "start_date",
    "end_date",
    "setting",
)
LIST_FIELDS = {"skills", "tracks", "adaptations"}
_CHUNK = 1000

Progress = Callable[[int, int], None]

# Reasons in both languages: (Swedish, English), formatted with the row's values.
REASONS: dict[str, tuple[str, str]] = {
    "required": ("Fältet saknas men krävs.", "The field is missing but required."),
    "text": ("Ska vara text.", "Must be text."),
    "line_break": ("Får inte innehålla radbrytningar.", "Must not contain line breaks."),
    "email": (
        "Ska vara en e-postadress som namn@exempel.se.",
        "Must be an e-mail address like name@example.com.",
    ),
    "too_long": ("Får ha högst {n} tecken.", "May have at most {n} characters."),
    "too_short": ("Ska ha minst {n} tecken.", "Must have at least {n} characters."),
    "choice": ("Ska vara ett av: {choices}.", "Must be one of: {choices}."),
    "integer": ("Ska vara ett heltal.", "Must be a whole number."),
    "range": ("Ska vara mellan {low} och {high}.", "Must be between {low} and {high}."),
    "at_least": ("Ska vara minst {low}.", "Must be at least {low}."),
    "number": ("Ska vara ett tal.", "Must be a number."),
    "boolean": ("Ska vara true eller false.", "Must be true or false."),
    "date": ("Ska vara ett datum som 2025-03-01.", "Must be a date like 2025-03-01."),
    "date_window": (
        "Ska vara ett datum mellan {low} och {high}.",
        "Must be a date between {low} and {high}.",
    ),
    "list": ("Ska vara en lista med text.", "Must be a list of strings."),
    "end_before_start": (
        "Slutdatum är före startdatum.",
        "The end date is before the start date.",
    ),
    "too_far_ahead": (
        "Ska vara ett datum senast {high} (högst två år fram).",
        "Must be a date no later than {high} (at most two years ahead).",
    ),
    "both_coordinates": (
        "Ange både latitude och longitude, eller ingen av dem.",
        "Give both latitude and longitude, or neither.",
    ),
    "occupation": (
        "Yrket {value} finns inte i yrkestaxonomin.",
        "Occupation {value} is not in the occupation taxonomy.",
    ),
    "duplicate": (
        "external_id {value} finns redan på rad {line} i filen.",
        "external_id {value} already appears on line {line} of the file.",
    ),
    "json": (
        "Raden är inte giltig JSON: {detail}",
        "The line is not valid JSON: {detail}",
    ),
    "object": ("Raden ska vara ett JSON-objekt.", "The line must be a JSON object."),
    "encoding": (
        "Filen är inte UTF-8-kodad. Spara den som UTF-8 och försök igen.",
        "The file is not UTF-8 encoded. Save it as UTF-8 and try again.",
    ),
    "columns": (
        "Rubrikraden saknar kolumnerna: {columns}.",
        "The header row lacks the columns: {columns}.",
    ),
    "empty": ("Filen innehåller inga platser.", "The file holds no slots."),
    "cells": (
        "Raden har fler värden än rubrikraden har kolumner.",
        "The row has more values than the header row has columns.",
    ),
    "cell_size": (
        "En cell är större än {n} KiB och kan inte tas emot.",
        "A cell is larger than {n} KiB and cannot be accepted.",
    ),
    "open_quote": (
        'Ett citattecken (") öppnas men stängs aldrig; raden och resten av filen kan inte läsas.',
        'A quote (") is opened but never closed; the row and the rest of the file cannot be read.',
    ),
    "csv_quote": (
        "Raden är inte giltig CSV: ett citattecken står på fel plats.",
        "The row is not valid CSV: a quote is misplaced.",
    ),
    "too_deep": (
        "Raden är för djupt nästlad: högst {n} nivåer går att läsa.",
        "The line nests too deeply: at most {n} levels can be read.",
    ),
}


def reason(code: str, language: str = "sv", **values: Any) -> str:
    sv, en = REASONS[code]
    return (en if language == "en" else sv).format(**values)


class ExchangeError(Exception):
    """The file as a whole cannot be read (encoding, header); the message is localised."""


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
    values: dict[str, Any] = field(default_factory=dict)
    # What was done to the row on the way in (a replaced occupation id), for the report.
    notices: list[RowNotice] = field(default_factory=list)


# --- reading files -----------------------------------------------------------------------------


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name in {"host", "supervisor", "requirements"}:
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _decode(data: bytes, language: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExchangeError(reason("encoding", language)) from None


def _lines(data: bytes, language: str) -> Iterator[tuple[int, bytes]]:
    """Non-empty lines with their numbers; a file that is not UTF-8 is refused whole."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    _decode(data, language)
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.strip():
            yield number, line


def read_jsonl(
    data: bytes, language: str = "sv"
) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """(line, flat row) per non-empty line, or (line, error) for a line that is not an object."""
    for number, line in _lines(data, language):
        yield number, _decode_line(number, line, language)


def _decode_line(number: int, line: bytes, language: str) -> dict[str, Any] | RowError:
    if too_deep(line):
        return RowError(
            line=number, field="", reason=reason("too_deep", language, n=MAX_JSON_DEPTH)
        )
    try:
        obj = _JSON.decode(line)
    except msgspec.DecodeError as exc:
        # msgspec says where in English ("… (byte 23)"); the Swedish report says it in Swedish.
        at = re.search(r"byte (\d+)", str(exc))
        detail: object = exc
        if language == "sv":
            detail = f"fel nära tecken {int(at.group(1)) + 1}" if at else "den går inte att läsa"
        return RowError(line=number, field="", reason=reason("json", language, detail=detail))
    if not isinstance(obj, dict):
        return RowError(line=number, field="", reason=reason("object", language))
    return _flatten(obj)


_JSON = msgspec.json.Decoder()


def _csv_problem(exc: csv.Error, language: str) -> str:
    """A CSV reader's complaint in the reader's words."""
    text = str(exc)
    if "field larger than field limit" in text:
        return reason("cell_size", language, n=csv.field_size_limit() // 1024)
    if "unexpected end of data" in text:
        return reason("open_quote", language)
    return reason("csv_quote", language)


def read_csv(data: bytes, language: str = "sv") -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """(line, row) per CSV record; empty cells count as missing, list cells split on ';'.

    A record the CSV reader refuses (a cell over its size limit, a quote never closed or out
    of place) is that row's error; the rows after it are still read.
    """
    text = _decode(data, language)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise ExchangeError(_csv_problem(exc, language)) from None
    required = {"external_id", "host.name", "host.kind", "kind", "title", "town", "capacity"}
    missing = sorted(required - set(header))
    if missing:
        raise ExchangeError(reason("columns", language, columns=", ".join(missing)))
    last = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start, last = last + 1, reader.line_num
            yield start, RowError(line=start, field="", reason=_csv_problem(exc, language))
            continue
        start, last = last + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            yield start, RowError(line=start, field="", reason=reason("cells", language))
            continue
        row: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=False):
            if cell == "":
                continue
            cell = spreadsheet.restore_cell(cell)  # a file exported here imports unchanged
            if name in LIST_FIELDS:
                row[name] = [p.strip() for p in cell.split(LIST_SEPARATOR) if p.strip()]
            else:
                row[name] = cell
        yield start, row


def read_rows(
    data: bytes, fmt: str, language: str = "sv"
) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    if fmt == "csv":
        return read_csv(data, language)
    return read_jsonl(data, language)


def guess_format(filename: str) -> str:
    """The import format from a file name: .csv is CSV, anything else JSON Lines."""
    return "csv" if filename.lower().endswith(".csv") else "jsonl"


# --- checking rows -------------------------------------------------------------------------------


def latest_slot_date() -> dt.date:
    """The last day a slot's period may reach (the date table's slot rule)."""
    future = date_rules.rule_for("slot", "end_date").future
    assert future is not None
    return clock.today() + dt.timedelta(days=future)


class _Row:
    """Field readers for one row that collect errors instead of stopping at the first."""

    def __init__(self, line: int, raw: dict[str, Any], language: str) -> None:
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
        self, name: str, low: int, high: int | None = None, *, required: bool = False
    ) -> int | None:
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
            self.fail(name, "integer")
            return None
        if number < low or (high is not None and number > high):
            if high is None:
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

    def strings(self, name: str, high: int = 200) -> list[str]:
        value = self.raw.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            value = [p for p in value.split(LIST_SEPARATOR)]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, "list")
            return []
        items = list(dict.fromkeys(v.strip() for v in value if v.strip()))
        if any(len(v) > high for v in items):
            self.fail(name, "too_long", n=high)
            return []
        return items


def check_row(
    line: int, raw: dict[str, Any], default_source: str, language: str = "sv"
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
    title = r.text("title", required=True, low=3, high=200)
    occupation_id = r.text("occupation_id", high=20)
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
    description = r.text("description", high=5000) or ""
    skills = r.strings("skills")
    town = r.text("town", required=True, high=100)
    latitude = r.number("latitude", -90, 90)
    longitude = r.number("longitude", -180, 180)
    if (raw.get("latitude") is None) != (raw.get("longitude") is None):
        r.fail("longitude" if raw.get("longitude") is None else "latitude", "both_coordinates")
    capacity = r.integer("capacity", 1, required=True)
    hours = r.integer("hours_per_week", 1, 40)
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
    values: dict[str, Any],
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
    title: Annotated[str, msgspec.Meta(min_length=3, max_length=200)]
    town: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    capacity: Annotated[int, msgspec.Meta(ge=1)]
    source: Annotated[str, msgspec.Meta(max_length=60)] | None = None
    status: Literal["draft", "published", "paused", "closed"] | None = None
    occupation_id: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    description: Annotated[str, msgspec.Meta(max_length=5000)] | None = None
    skills: list[_Text200] | None = None
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    hours_per_week: Annotated[int, msgspec.Meta(ge=1, le=40)] | None = None
    tracks: list[Track] | None = None
    adaptations: list[_Text200] | None = None
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


# --- writing -------------------------------------------------------------------------------------

# Columns compared to decide whether an existing slot changed (lists compared as parsed JSON).
_COMPARED = (
    "host",
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
    "status",
)
_WRITTEN = (*_COMPARED, "paused_with_host", "published_at", "updated_at", "change_seq")


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


class _Hosts:
    """Host lookup: org number (+ name for shared municipal numbers), else name and town."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.by_org_name: dict[tuple[str, str], int] = {}
        self.by_org: dict[str, list[int]] = {}
        self.by_name_town: dict[tuple[str, str], int] = {}
        self.kind: dict[int, str] = {}
        self.active: dict[int, bool] = {}
        for row in rows:
            self.add(
                int(row["id"]),
                row["name"],
                row["kind"],
                row["org_number"],
                row["town"],
                bool(row["active"]),
            )

    def add(self, host_id: int, name: str, kind: str, org: str, town: str, active: bool) -> None:
        if org:
            self.by_org_name.setdefault((org, _fold(name)), host_id)
            self.by_org.setdefault(org, []).append(host_id)
        self.by_name_town.setdefault((_fold(name), _fold(town)), host_id)
        self.kind[host_id] = kind
        self.active[host_id] = active

    def find(self, name: str, org: str, town: str) -> int | None:
        if org:
            found = self.by_org_name.get((org, _fold(name)))
            if found is not None:
                return found
            candidates = self.by_org.get(org, [])
            if len(candidates) == 1 and self.kind[candidates[0]] != "municipal_unit":
                return candidates[0]
        return self.by_name_town.get((_fold(name), _fold(town)))


def _same(values: dict[str, Any], old: dict[str, Any]) -> bool:
    """True when the row would not change the stored slot (lists compared as parsed JSON)."""
    for name in _COMPARED:
        new_value, old_value = values.get(name), old.get(name)
        if new_value == old_value:
            continue
        if name in LIST_FIELDS and json_list(new_value) == json_list(old_value):
            continue
        if name == "driving_licence" and bool(new_value) == bool(old_value):
            continue
        return False
    return True


async def _executemany(txn: Any, sql_sqlite: str, sql_pg: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if is_sqlite(Slot._meta.db):
        await txn.connection.executemany(sql_sqlite, rows)
    else:
        await txn.connection.executemany(sql_pg, rows)


async def _insert_many(
    txn: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert rows in one go: COPY on PostgreSQL (several times faster than INSERTs),
    `executemany` on SQLite."""
    if not rows:
        return
    if is_sqlite(Slot._meta.db):
        lite, _ = _insert_sql(table, columns)
        await txn.connection.executemany(lite, rows)
    else:
        await txn.connection.copy_records_to_table(table, records=rows, columns=list(columns))


_HOST_COLUMNS = (
    "name",
    "kind",
    "org_number",
    "town",
    "latitude",
    "longitude",
    "address",
    "sector",
    "needs",
    "active",
    "digest_mail",
    "created_at",
    "updated_at",
)


def _insert_sql(table: str, columns: tuple[str, ...]) -> tuple[str, str]:
    cols = ", ".join(f'"{c}"' for c in columns)
    q = ", ".join("?" for _ in columns)
    d = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    # Column names are this module's constants, never input; values are bound parameters.
    return (
        f"INSERT INTO {table} ({cols}) VALUES ({q})",  # noqa: S608
        f"INSERT INTO {table} ({cols}) VALUES ({d})",  # noqa: S608
    )


def _update_sql(columns: tuple[str, ...]) -> tuple[str, str]:
    lite = ", ".join(f'"{c}" = ?' for c in columns)
    pg = ", ".join(f'"{c}" = ${i}' for i, c in enumerate(columns, start=1))
    return (
        f"UPDATE pl_slot SET {lite} WHERE id = ?",  # noqa: S608 - constant column names
        f"UPDATE pl_slot SET {pg} WHERE id = ${len(columns) + 1}",  # noqa: S608
    )


def _rows(
    data: bytes, fmt: str, source: str, language: str
) -> Iterator[tuple[int, Record | dict[str, Any] | RowError]]:
    """Each row as a Record (JSON Lines fast path), a raw row to check, or a line error."""
    if fmt == "csv":
        yield from read_csv(data, language)
        return
    for number, line in _lines(data, language):
        record = fast_row(number, line, source)
        yield number, record if record is not None else _decode_line(number, line, language)


# A report lists this many bad rows and counts the rest: a file of a million bad rows must not
# become a report larger than the file.
MAX_REPORTED_ERRORS = 100


@dataclass
class _Parsed:
    """What reading and checking a whole file found (see `_parse`)."""

    rows: int = 0
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0
    bad_lines: int = 0
    notices: list[RowNotice] = field(default_factory=list)
    more_notices: int = 0

    def fail(self, errors: Iterable[RowError]) -> None:
        self.bad_lines += 1
        for error in errors:
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(error)
            else:
                self.more_errors += 1


def _parse(data: bytes, fmt: str, source: str, language: str) -> _Parsed:
    """Read and check every row of the file: plain CPU work, run off the event loop."""
    parsed = _Parsed()
    seen: dict[tuple[str, str], int] = {}
    for line, raw in _rows(data, fmt, source, language):
        parsed.rows += 1
        if isinstance(raw, RowError):
            parsed.fail([raw])
            continue
        checked = raw if isinstance(raw, Record) else check_row(line, raw, source, language)
        if isinstance(checked, list):
            parsed.fail(checked)
            continue
        key = (checked.source, checked.external_id)
        if key in seen:
            parsed.fail(
                [
                    RowError(
                        line=line,
                        field="external_id",
                        reason=reason("duplicate", language, value=key[1], line=seen[key]),
                    )
                ]
            )
            continue
        seen[key] = line
        parsed.records.append(checked)
        for notice in checked.notices:
            if len(parsed.notices) < MAX_REPORTED_ERRORS:
                parsed.notices.append(notice)
            else:
                parsed.more_notices += 1
    return parsed


async def import_slots(
    data: bytes,
    fmt: str,
    *,
    actor: AuthUser | None = None,
    source: str = DEFAULT_SOURCE,
    skip_bad_rows: bool = False,
    draft: bool = False,
    language: str = "sv",
    progress: Progress | None = None,
) -> ImportReport:
    """Import a file of slots. All or nothing unless `skip_bad_rows`; see the module doc.

    The file is read and checked in a worker thread, so that a large file does not stop the
    service from answering others meanwhile. The report lists the first `MAX_REPORTED_ERRORS`
    errors and counts the rest in `more_errors`.

    Raises `ExchangeError` when the file as a whole cannot be read.
    """
    if fmt not in FORMATS:
        raise ExchangeError(reason("choice", language, choices=", ".join(FORMATS)))
    parsed = await anyio.to_thread.run_sync(_parse, data, fmt, source, language)
    if parsed.rows == 0:
        raise ExchangeError(reason("empty", language))
    report = ImportReport(
        rows=parsed.rows,
        created=0,
        updated=0,
        unchanged=0,
        skipped=parsed.bad_lines if skip_bad_rows else 0,
        hosts_created=0,
        written=False,
        errors=parsed.errors,
        more_errors=parsed.more_errors,
        notices=parsed.notices,
        more_notices=parsed.more_notices,
    )
    if parsed.errors and not skip_bad_rows:
        return report
    await _write(parsed.records, report, actor=actor, draft=draft, progress=progress)
    return report


async def _write(
    records: list[Record],
    report: ImportReport,
    *,
    actor: AuthUser | None,
    draft: bool,
    progress: Progress | None,
) -> None:
    engine = Slot._meta.db
    now = dt.datetime.now(dt.UTC)
    # SQLite stores the same text Piccolo's adapter makes; adapting once saves a call per row.
    stamp: Any = convert_datetime_in(now) if is_sqlite(engine) else now
    async with write_transaction(engine) as txn:
        hosts = _Hosts(
            await Host.select(
                Host.id, Host.name, Host.kind, Host.org_number, Host.town, Host.active
            )
        )
        # Hosts the file names that do not exist yet, created in one batch.
        new_hosts: dict[tuple[str, str, str], Record] = {}
        for rec in records:
            if hosts.find(rec.host_name, rec.host_org_number, rec.host_town) is None:
                new_hosts.setdefault(
                    (rec.host_org_number, _fold(rec.host_name), _fold(rec.host_town)), rec
                )
        pending = list(new_hosts.values())
        if pending:
            host_rows = []
            for rec in pending:
                coords = coordinates_of(rec.host_town or rec.values["town"])
                host_rows.append(
                    (
                        rec.host_name,
                        rec.host_kind,
                        rec.host_org_number,
                        rec.host_town,
                        coords[0] if coords else None,
                        coords[1] if coords else None,
                        "",
                        "",
                        "",
                        True,
                        False,
                        stamp,
                        stamp,
                    )
                )
            await _insert_many(txn, "emp_host", _HOST_COLUMNS, host_rows)
            hosts = _Hosts(
                await Host.select(
                    Host.id, Host.name, Host.kind, Host.org_number, Host.town, Host.active
                )
            )
        report.hosts_created = len(pending)

        host_of = [hosts.find(r.host_name, r.host_org_number, r.host_town) for r in records]
        supervisor_of = await _supervisors(records, host_of)

        existing: dict[tuple[str, str], dict[str, Any]] = {}
        for src in sorted({r.source for r in records}):
            for row in await Slot.select(
                Slot.id,
                Slot.external_id,
                Slot.paused_with_host,
                Slot.published_at,
                *(getattr(Slot, c) for c in _COMPARED),
            ).where(Slot.source == src):
                existing[(src, row["external_id"])] = row

        changed: list[tuple[Record, dict[str, Any], dict[str, Any] | None]] = []
        for rec, host_id, supervisor in zip(records, host_of, supervisor_of, strict=True):
            assert host_id is not None
            old = existing.get((rec.source, rec.external_id))
            values = dict(rec.values, host=host_id)
            if supervisor is not None:
                values["supervisor"] = supervisor
            elif old is not None:
                values["supervisor"] = old["supervisor"]  # the host may have named one since
            else:
                values["supervisor"] = None
            if rec.status is not None:
                status = rec.status
            elif old is not None:
                status = old["status"]
            else:
                status = "draft" if draft else "published"
            paused_with_host = False
            if status == "published" and not hosts.active[host_id]:
                status, paused_with_host = "paused", True
            elif old is not None and status == old["status"]:
                paused_with_host = bool(old["paused_with_host"])
            values["status"] = status
            if old is not None and _same(values, old):
                report.unchanged += 1
                continue
            published_at = old["published_at"] if old is not None else None
            if published_at is None and status != "draft":
                published_at = now
            values.update(
                paused_with_host=paused_with_host,
                published_at=stamp if published_at is now else published_at,
                updated_at=stamp,
            )
            changed.append((rec, values, old))
        # One change number for every slot written, and none when nothing changed.
        seq = await take_slot_change() if changed else 0
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for rec, values, old in changed:
            values["change_seq"] = seq
            if old is None:
                inserts.append((rec.source, rec.external_id, stamp, *(values[c] for c in _WRITTEN)))
            else:
                updates.append((*(values[c] for c in _WRITTEN), old["id"]))
        insert_columns = ("source", "external_id", "created_at", *_WRITTEN)
        update_lite, update_pg = _update_sql(_WRITTEN)
        total = len(inserts) + len(updates)
        done = 0
        for start in range(0, len(inserts), _CHUNK * 10):
            part = inserts[start : start + _CHUNK * 10]
            await _insert_many(txn, "pl_slot", insert_columns, part)
            done += len(part)
            if progress:
                progress(done, total)
        for start in range(0, len(updates), _CHUNK):
            part = updates[start : start + _CHUNK]
            await _executemany(txn, update_lite, update_pg, part)
            done += len(part)
            if progress:
                progress(done, total)
        report.created = len(inserts)
        report.updated = len(updates)
        report.written = True
        await record(
            actor,
            "slots.import",
            None,
            subject_type="slot",
            detail=f"{report.created} nya, {report.updated} ändrade, "
            f"{report.unchanged} oförändrade, {report.skipped} hoppade över",
        )


async def _supervisors(records: list[Record], host_of: list[int | None]) -> list[int | None]:
    """The contact ID of each row's supervisor, matched by e-mail or name at its host, or created."""
    wanted_hosts = sorted({h for r, h in zip(records, host_of, strict=True) if r.supervisor and h})
    known: dict[tuple[int, str], int] = {}
    for start in range(0, len(wanted_hosts), 500):
        for row in await Contact.select(
            Contact.id, Contact.host, Contact.name, Contact.email
        ).where(Contact.host.is_in(wanted_hosts[start : start + 500])):
            owner = int(row["host"])
            if row["email"]:
                known.setdefault((owner, "@" + row["email"].casefold()), int(row["id"]))
            known.setdefault((owner, _fold(row["name"])), int(row["id"]))
    out: list[int | None] = []
    for rec, host in zip(records, host_of, strict=True):
        if rec.supervisor is None or host is None:
            out.append(None)
            continue
        name, email, phone = rec.supervisor
        key = (host, "@" + email.casefold()) if email else (host, _fold(name))
        if key not in known:
            rows = await Contact.insert(
                Contact(
                    host=host,
                    name=name or email,
                    email=email,
                    phone=phone,
                    is_supervisor=True,
                    supervision_capacity=1,
                )
            ).returning(Contact.id)
            known[key] = int(rows[0]["id"])
            if name:
                known.setdefault((host, _fold(name)), known[key])
        out.append(known[key])
    return out


# --- export --------------------------------------------------------------------------------------

_EXPORT_COLUMNS = (
    Slot.id,
    Slot.source,
    Slot.external_id,
    Slot.status,
    Slot.host.name.as_alias("host_name"),
    Slot.host.kind.as_alias("host_kind"),
    Slot.host.org_number.as_alias("host_org_number"),
    Slot.host.town.as_alias("host_town"),
    Slot.kind,
    Slot.title,
    Slot.occupation_id,
    Slot.description,
    Slot.skills,
    Slot.town,
    Slot.latitude,
    Slot.longitude,
    Slot.capacity,
    Slot.hours_per_week,
    Slot.tracks,
    Slot.adaptations,
    Slot.supervisor.name.as_alias("sup_name"),
    Slot.supervisor.email.as_alias("sup_email"),
    Slot.supervisor.phone.as_alias("sup_phone"),
    Slot.driving_licence,
    Slot.start_date,
    Slot.end_date,
    Slot.setting,
)


async def export_rows(
    *, status: str | None = None, source: str | None = None, host_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Slots as flat exchange rows (dotted names), by ID. Filters are optional."""
    condition: Any = Slot.id > 0
    if status:
        condition &= Slot.status == status
    if source:
        condition &= Slot.source == source
    if host_ids is not None:
        condition &= Slot.host.is_in(host_ids or [-1])
    out: list[dict[str, Any]] = []
    last = 0
    while True:
        rows = (
            await Slot.select(*_EXPORT_COLUMNS)
            .where(condition & (Slot.id > last))
            .order_by(Slot.id)
            .limit(5000)
        )
        if not rows:
            return out
        last = rows[-1]["id"]
        for r in rows:
            out.append(
                {
                    "external_id": r["external_id"],
                    "source": r["source"],
                    "status": r["status"],
                    "host.name": r["host_name"],
                    "host.kind": r["host_kind"],
                    "host.org_number": r["host_org_number"] or None,
                    "host.town": r["host_town"] or None,
                    "kind": r["kind"],
                    "title": r["title"],
                    "occupation_id": r["occupation_id"],
                    "description": r["description"] or None,
                    "skills": [skill_label(v) for v in json_list(r["skills"])],
                    "town": r["town"],
                    "latitude": r["latitude"],
                    "longitude": r["longitude"],
                    "capacity": r["capacity"],
                    "hours_per_week": r["hours_per_week"],
                    "tracks": json_list(r["tracks"]),
                    "adaptations": json_list(r["adaptations"]),
                    "supervisor.name": r["sup_name"] or None,
                    "supervisor.email": r["sup_email"] or None,
                    "supervisor.phone": r["sup_phone"] or None,
                    "requirements.driving_licence": bool(r["driving_licence"]),
                    "start_date": r["start_date"].isoformat() if r["start_date"] else None,
                    "end_date": r["end_date"].isoformat() if r["end_date"] else None,
                    "setting": r["setting"],
                }
            )
        if len(rows) < 5000:
            return out


def _nest(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if value is None or value == []:
            continue
        head, dot, tail = name.partition(".")
        if dot:
            out.setdefault(head, {})[tail] = value
        else:
            out[name] = value
    return out


def write_jsonl(rows: list[dict[str, Any]]) -> bytes:
    encoder = msgspec.json.Encoder()
    return b"".join(encoder.encode(_nest(r)) + b"\n" for r in rows)


def _cell(value: Any) -> Any:
    """A field as the exchange format writes it in a cell (the kernel defuses the text)."""
    if value is None:
        return None
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv(rows: list[dict[str, Any]]) -> bytes:
    text = spreadsheet.csv_text(
        FIELDS, ([_cell(row[name]) for name in FIELDS] for row in rows), lineterminator="\n"
    )
    return text.encode("utf-8")


def write_xlsx(rows: list[dict[str, Any]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet("Platser")
    bold = book.add_format({"bold": True})
    spreadsheet.write_xlsx_row(sheet, 0, FIELDS, bold)
    for i, row in enumerate(rows, start=1):
        spreadsheet.write_xlsx_row(sheet, i, [_cell(row[name]) for name in FIELDS])
    book.close()
    return buffer.getvalue()


async def export_slots(fmt: str, **filters: Any) -> bytes:
    """The slots in `fmt` (jsonl, csv or xlsx), in the exchange format's fields."""
    rows = await export_rows(**filters)
    if fmt == "csv":
        return write_csv(rows)
    if fmt == "xlsx":
        return write_xlsx(rows)
    return write_jsonl(rows)
