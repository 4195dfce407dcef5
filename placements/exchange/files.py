"""Files in and out: JSON Lines and CSV read into flat rows (dotted names), and rows written
as JSON Lines, CSV or XLSX. Knows the format, not the rules of a slot."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import msgspec

from marketplace.kernel import spreadsheet
from marketplace.kernel.bodies import MAX_JSON_DEPTH, too_deep
from placements.exchange.format import (
    FIELDS,
    LIST_FIELDS,
    LIST_SEPARATOR,
    ExchangeError,
    FlatRow,
    reason,
)
from placements.schemas.slots import RowError

# A JSON object of a JSON Lines file, its nested objects as they are.
JsonObject = dict[str, Any]

# --- reading files -----------------------------------------------------------------------------


def _flatten(obj: JsonObject, prefix: str = "") -> FlatRow:
    out: FlatRow = {}
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


def numbered_lines(data: bytes, language: str) -> Iterator[tuple[int, bytes]]:
    """Non-empty lines with their numbers; a file that is not UTF-8 is refused whole."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    _decode(data, language)
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.strip():
            yield number, line


def read_jsonl(data: bytes, language: str = "sv") -> Iterator[tuple[int, FlatRow | RowError]]:
    """(line, flat row) per non-empty line, or (line, error) for a line that is not an object."""
    for number, line in numbered_lines(data, language):
        yield number, decode_line(number, line, language)


def decode_line(number: int, line: bytes, language: str) -> FlatRow | RowError:
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


REQUIRED_COLUMNS = {"external_id", "host.name", "host.kind", "kind", "title", "town", "capacity"}


def _header(text: str, delimiter: str) -> tuple[Any, list[str] | None] | csv.Error:
    """A CSV reader of `text` with `delimiter` and its header row read (None in an empty
    file), or the reader's complaint about the header row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return reader, [h.strip() for h in next(reader)]
    except StopIteration:
        return reader, None
    except csv.Error as exc:
        return exc


def _named(read: tuple[Any, list[str] | None] | csv.Error) -> int:
    """How many of the format's columns a header row names (-1 for one the reader refused)."""
    if isinstance(read, csv.Error):
        return -1
    return len(set(read[1] or ()) & set(FIELDS))


def read_csv(data: bytes, language: str = "sv") -> Iterator[tuple[int, FlatRow | RowError]]:
    """(line, row) per CSV record; empty cells count as missing, list cells split on ';'.

    Cells are separated by commas, or by semicolons when the header row names more of the
    format's columns split on ';' (what Excel set to Swedish saves as CSV; a list cell holding
    ';' is then quoted, as Excel does, and a decimal comma reads as a decimal point).

    A record the CSV reader refuses (a cell over its size limit, a quote never closed or out
    of place) is that row's error; the rows after it are still read.
    """
    text = _decode(data, language)
    read = _header(text, ",")
    if _named(read) < len(FIELDS) and _named(semicolons := _header(text, ";")) > _named(read):
        read = semicolons
    if isinstance(read, csv.Error):
        raise ExchangeError(_csv_problem(read, language))
    reader, header = read
    if header is None:
        return
    missing = sorted(REQUIRED_COLUMNS - set(header))
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
        row: FlatRow = {}
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
) -> Iterator[tuple[int, FlatRow | RowError]]:
    if fmt == "csv":
        return read_csv(data, language)
    return read_jsonl(data, language)


def guess_format(filename: str) -> str:
    """The import format from a file name: .csv is CSV, anything else JSON Lines."""
    return "csv" if filename.lower().endswith(".csv") else "jsonl"


def _nest(row: FlatRow) -> JsonObject:
    out: JsonObject = {}
    for name, value in row.items():
        if value is None or value == []:
            continue
        head, dot, tail = name.partition(".")
        if dot:
            out.setdefault(head, {})[tail] = value
        else:
            out[name] = value
    return out


def write_jsonl(rows: list[FlatRow]) -> bytes:
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


def write_csv(rows: list[FlatRow]) -> bytes:
    text = spreadsheet.csv_text(
        FIELDS, ([_cell(row[name]) for name in FIELDS] for row in rows), lineterminator="\n"
    )
    return text.encode("utf-8")


def write_xlsx(rows: list[FlatRow]) -> bytes:
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
