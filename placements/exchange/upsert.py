"""Import: read and check a whole file off the event loop, then upsert its slots (and their
hosts and supervisors) in one transaction with `executemany`, under one search change
number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import anyio.to_thread
from piccolo.engine.sqlite import convert_datetime_in

from employers.services.hosts import coordinates_of
from employers.tables import Contact, Host
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import is_sqlite, swedish_key, write_transaction
from marketplace.kernel.errors import Conflict
from placements.exchange.files import decode_line, numbered_lines, read_csv
from placements.exchange.format import (
    DEFAULT_SOURCE,
    FORMATS,
    LIST_FIELDS,
    ExchangeError,
    FlatRow,
    reason,
)
from placements.exchange.rows import Record, check_row, fast_row
from placements.rows import HostMatch, SlotValues, StoredSlot
from placements.schemas.slots import ImportReport, RowError, RowNotice
from placements.services import take_slot_change
from placements.services.slots import EDITED_COLUMNS, json_list
from placements.tables import Slot

_CHUNK = 1000

Progress = Callable[[int, int], None]


# --- writing -------------------------------------------------------------------------------------

# Columns compared to decide whether an existing slot changed (lists compared as parsed JSON):
# what an edit writes, the host and the status.
_COMPARED = ("host", *EDITED_COLUMNS, "status")
_WRITTEN = (*_COMPARED, "paused_with_host", "published_at", "updated_at", "change_seq")


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


class _Hosts:
    """Host lookup: org number (+ name for shared municipal numbers), else name and town;
    a row with neither org number nor town, by its name alone (`by_name`)."""

    def __init__(self, rows: list[HostMatch]) -> None:
        self.by_org_name: dict[tuple[str, str], int] = {}
        self.by_org: dict[str, list[int]] = {}
        self.by_name_town: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, list[int]] = {}
        self.town: dict[int, str] = {}
        self.name: dict[int, str] = {}
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
        self.by_name.setdefault(_fold(name), []).append(host_id)
        self.town[host_id] = town
        self.name[host_id] = name
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


async def _known_hosts() -> _Hosts:
    """Every host, to match the file's hosts against."""
    return _Hosts(
        cast(
            "list[HostMatch]",
            await Host.select(
                Host.id, Host.name, Host.kind, Host.org_number, Host.town, Host.active
            ),
        )
    )


def _where(town: str, language: str) -> str:
    return reason("host_in", language, town=town) if town else reason("host_no_town", language)


def _same(values: SlotValues, old: StoredSlot) -> bool:
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
) -> Iterator[tuple[int, Record | FlatRow | RowError]]:
    """Each row as a Record (JSON Lines fast path), a raw row to check, or a line error."""
    if fmt == "csv":
        yield from read_csv(data, language)
        return
    for number, line in numbered_lines(data, language):
        record = fast_row(number, line, source)
        yield number, record if record is not None else decode_line(number, line, language)


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

    def note(self, notice: RowNotice) -> None:
        if len(self.notices) < MAX_REPORTED_ERRORS:
            self.notices.append(notice)
        else:
            self.more_notices += 1


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
            parsed.note(notice)
    return parsed


def _match_by_name(parsed: _Parsed, hosts: _Hosts, language: str) -> dict[tuple[str, str], int]:
    """The existing host of each row that names neither org number nor town: the one host of
    that name (case and spaces aside), said in the report's notices; the rows keyed by
    (source, external_id). A name several hosts share cannot choose one: the row is refused
    with the towns to choose from, and leaves `parsed.records`. A name no host has is left to
    `_write`, which creates the host."""
    matched: dict[tuple[str, str], int] = {}
    kept: list[Record] = []
    noted: set[int] = set()  # the hosts already named in a notice: once each, at its first row
    for rec in parsed.records:
        same = hosts.by_name.get(_fold(rec.host_name), [])
        if rec.host_org_number or rec.host_town or not same:
            kept.append(rec)
        elif len(same) > 1:
            towns = sorted((hosts.town[h] for h in same), key=swedish_key)
            where = ", ".join(_where(town, language) for town in towns)
            problem = reason("host_ambiguous", language, name=rec.host_name, towns=where)
            parsed.fail([RowError(line=rec.line, field="host.town", reason=problem)])
        else:
            kept.append(rec)
            matched[(rec.source, rec.external_id)] = same[0]
            if same[0] not in noted:
                noted.add(same[0])
                where = _where(hosts.town[same[0]], language)
                text = reason("host_matched", language, name=hosts.name[same[0]], town=where)
                parsed.note(RowNotice(line=rec.line, field="host.name", text=text))
    parsed.records = kept
    parsed.errors.sort(key=lambda error: error.line)
    parsed.notices.sort(key=lambda notice: notice.line)
    return matched


MOVED_MEANWHILE = (
    "Någon annan importerade samma platser till en annan organisation medan filen lästes. "
    "Inget sparades; skicka filen igen för att se vilka rader det gäller."
)


async def _refuse_moves(
    parsed: _Parsed, by_name: dict[tuple[str, str], int], hosts: _Hosts, language: str
) -> None:
    """Refuse each row that would give a stored slot another host (a new one included): the
    slot's placements, agreements and participants' details would go with it, to an
    organisation that never took them (a hostile import did just that). The API cannot move
    a slot either. The rows leave `parsed.records`."""
    stored: dict[tuple[str, str], int] = {}
    for src in sorted({r.source for r in parsed.records}):
        rows = await Slot.select(Slot.external_id, Slot.host).where(Slot.source == src)
        stored.update({(src, r["external_id"]): int(r["host"]) for r in rows})
    if any(owner not in hosts.name for owner in stored.values()):
        # Another import made hosts with their slots since `hosts` was read: read them again
        # (a slot commits with its host, so every owner read above is among them now).
        hosts = await _known_hosts()
    kept: list[Record] = []
    for rec in parsed.records:
        key = (rec.source, rec.external_id)
        owner = stored.get(key)
        if owner is None or owner == (
            by_name.get(key) or hosts.find(rec.host_name, rec.host_org_number, rec.host_town)
        ):
            kept.append(rec)
            continue
        problem = reason("moved", language, value=rec.external_id, host=hosts.name[owner])
        parsed.fail([RowError(line=rec.line, field="host.name", reason=problem)])
    parsed.records = kept
    parsed.errors.sort(key=lambda error: error.line)


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
    hosts = await _known_hosts()
    by_name = _match_by_name(parsed, hosts, language)
    await _refuse_moves(parsed, by_name, hosts, language)
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
        report.detail = reason("refused", language, n=parsed.bad_lines)
        return report
    await _write(parsed.records, by_name, report, actor=actor, draft=draft, progress=progress)
    return report


async def _write(
    records: list[Record],
    by_name: dict[tuple[str, str], int],
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
        if not is_sqlite(engine):
            # Imports take turns, so that two at once (two tabs, two admins) read each other's
            # slots and hosts and write each once (SQLite's writers take turns anyway).
            await Slot.raw("SELECT pg_advisory_xact_lock(7262012)")  # slot imports
        hosts = await _known_hosts()
        # Hosts the file names that do not exist yet, created in one batch.
        new_hosts: dict[tuple[str, str, str], Record] = {}

        def host_for(rec: Record) -> int | None:
            named = by_name.get((rec.source, rec.external_id))
            if named is not None:
                return named
            return hosts.find(rec.host_name, rec.host_org_number, rec.host_town)

        for rec in records:
            if host_for(rec) is None:
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
            hosts = await _known_hosts()
        report.hosts_created = len(pending)

        host_of = [host_for(r) for r in records]
        supervisor_of = await _supervisors(records, host_of)

        existing: dict[tuple[str, str], StoredSlot] = {}
        for src in sorted({r.source for r in records}):
            stored = cast(
                "list[StoredSlot]",
                await Slot.select(
                    Slot.id,
                    Slot.external_id,
                    Slot.paused_with_host,
                    Slot.published_at,
                    *(getattr(Slot, c) for c in _COMPARED),
                ).where(Slot.source == src),
            )
            for row in stored:
                existing[(src, row["external_id"])] = row

        changed: list[tuple[Record, SlotValues, StoredSlot | None]] = []
        for rec, host_id, supervisor in zip(records, host_of, supervisor_of, strict=True):
            assert host_id is not None
            old = existing.get((rec.source, rec.external_id))
            if old is not None and int(old["host"]) != host_id:
                # Made at another host by an import that ran between `_refuse_moves` and here.
                raise Conflict(MOVED_MEANWHILE)
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
