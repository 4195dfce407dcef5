"""The served worker's access log without personnummer, typed words or link tokens.

uvicorn logs every request's path with its query string. A personnummer or a name typed into
a search box that sends its words by GET (the slot search, the public search) would stand
there in clear, in a file kept longer and read more widely than the audit log, which never
holds one; a single-use link's token in a path would let a reader of the log open the link
first. `install()` rewrites each access-log line before it is written (the request itself is
untouched):

- the values of the free-text parameters (`FREE_TEXT`: the search words, and the search a
  slot's page was opened from) become "[text]": the search log (`search.usage`) keeps the
  words a search used, without names;
- a path segment that is a token (`TOKEN`: 32 or more characters of a token's alphabet)
  becomes "[token]";
- anything else shaped like a personnummer or samordningsnummer (10 or 12 digits, with or
  without its "-" or "+" or any dash, spaces between its groups, URL-encoded or not) becomes
  "[personnummer]".
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote, unquote

ACCESS_LOGGER = "uvicorn.access"
MASK = "[personnummer]"
TEXT_MASK = "[text]"
TOKEN_MASK = "[token]"  # noqa: S105 (the note a token is replaced by)
FREE_TEXT = frozenset({"q", "sok", "fran"})
# 12 or 10 digits (read decoded), perhaps a space between the date's groups, and an optional
# separator before the last four ("-", "+", any dash, spaces around it), not inside a longer
# run of digits.
_PERSONNUMMER = re.compile(
    r"(?<!\d)(?:\d{2} ?)?\d{2} ?\d{2} ?\d{2} ?(?:[-+\u2010-\u2015\u2212] ?)?\d{4}(?!\d)"
)
TOKEN = re.compile(r"[A-Za-z0-9_\-.~]{32,}")


def _clean(text: str) -> str:
    return _PERSONNUMMER.sub(MASK, text)


def mask(text: str) -> str:
    """A logged path (or any text) with its free-text values, tokens and personnummer-shaped
    numbers replaced by notes. The rest is shown decoded as far as it was encoded."""
    path, sep, query = text.partition("?")
    segments = [
        TOKEN_MASK if TOKEN.fullmatch(part) else _clean(unquote(part)) for part in path.split("/")
    ]
    shown = "/".join(segments)
    if not sep:
        return shown
    pairs = [
        (name, TEXT_MASK if name in FREE_TEXT else _clean(value))
        for name, value in parse_qsl(query, keep_blank_values=True)
    ]
    return (
        shown
        + "?"
        + "&".join(f"{quote(name, safe='')}={quote(value, safe='[] ')}" for name, value in pairs)
    )


class MaskPersonnummer(logging.Filter):
    """Masks personnummer in an access-log record's arguments (the path is one of them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = _clean(unquote(record.msg))
        return True


def install() -> None:
    """Add the mask to uvicorn's access logger once (each worker process calls this)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, MaskPersonnummer) for f in logger.filters):
        logger.addFilter(MaskPersonnummer())
