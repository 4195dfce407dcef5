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

from placements.exchange.export import export_rows, export_slots
from placements.exchange.files import guess_format, read_csv, read_jsonl, read_rows
from placements.exchange.format import (
    DEFAULT_SOURCE,
    EXPORT_FORMATS,
    FIELDS,
    FORMATS,
    ExchangeError,
    reason,
)
from placements.exchange.rows import Record, check_row, fast_row, latest_slot_date
from placements.exchange.upsert import MAX_REPORTED_ERRORS, import_slots

__all__ = [
    "DEFAULT_SOURCE",
    "EXPORT_FORMATS",
    "FIELDS",
    "FORMATS",
    "MAX_REPORTED_ERRORS",
    "ExchangeError",
    "Record",
    "check_row",
    "export_rows",
    "export_slots",
    "fast_row",
    "guess_format",
    "import_slots",
    "latest_slot_date",
    "read_csv",
    "read_jsonl",
    "read_rows",
    "reason",
]
