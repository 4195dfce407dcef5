"""One bad row must not stop a sweep for everyone.

A booking dated 9999 made the lock-in sweep fail on every run, so nobody's flags were raised.
Sweeps work through their rows one by one inside `RowGuard.row(key)`: a row that fails is
logged with its key (never personal data) and skipped, and the run goes on and counts it as
`skipped_rows`. A storage outage is not a bad row: it still stops the run, which the scheduler
records and tries again.

Only wrap work that leaves no transaction half done: a row's own transaction, or plain
computation. Inside a larger PostgreSQL transaction a failed statement aborts the whole of it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from marketplace.kernel.outage import is_outage

log = logging.getLogger("marketplace.kernel.sweeps")


class RowGuard:
    """Counts and logs the rows of one sweep run that fail, so that the others still run."""

    def __init__(self, job: str) -> None:
        self.job = job
        self.failed = 0

    @contextlib.contextmanager
    def row(self, key: object) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            if is_outage(exc):
                raise
            self.failed += 1
            log.exception("sweep %s: row %s failed and was skipped", self.job, key)

    def counts(self, counts: dict[str, int]) -> dict[str, int]:
        """The run's counts, with `skipped_rows` when a row failed."""
        if self.failed:
            counts["skipped_rows"] = self.failed
        return counts
