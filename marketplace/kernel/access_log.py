"""The served worker's access log without personnummer.

uvicorn logs every request's path with its query string. A personnummer typed into a search
box that sends its words by GET (the slot search, the public search) would stand there in
clear, in a file kept longer and read more widely than the audit log, which never holds one.
`install()` masks anything shaped like a personnummer or samordningsnummer (10 or 12 digits,
with or without its "-" or "+", also URL-encoded) in each access-log line before it is
written; the request itself is untouched.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
MASK = "[personnummer]"
# 12 or 10 digits with an optional separator before the last four ("-", "+", or "+" as %2B),
# not inside a longer run of digits.
_PERSONNUMMER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}(?:-|\+|%2[bB])?\d{4}(?!\d)")


def mask(text: str) -> str:
    """`text` with every personnummer-shaped number replaced by a note."""
    return _PERSONNUMMER.sub(MASK, text)


class MaskPersonnummer(logging.Filter):
    """Masks personnummer in an access-log record's arguments (the path is one of them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True


def install() -> None:
    """Add the mask to uvicorn's access logger once (each worker process calls this)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, MaskPersonnummer) for f in logger.filters):
        logger.addFilter(MaskPersonnummer())
