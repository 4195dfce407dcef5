"""Storage outages answer 503 with Retry-After, and a readiness check proves a write works.

A database that is locked past the busy timeout, a full disk, a lost or refused connection,
or a PostgreSQL with no connection slots left is not the caller's mistake and not a bug in the
request: the same request will work once storage is back. Such errors answer 503 with a
`Retry-After` header and a Swedish message, and are logged as warnings, not as crashes.

`/health` says whether the database answers a read; `ready()` (behind `/health/ready`) writes a
row in a transaction and rolls it back, so a load balancer stops sending traffic to a worker
that cannot write.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.types import ExceptionHandlersMap

log = logging.getLogger("marketplace")

RETRY_AFTER_S = 30
MESSAGE = (
    "Tjänsten kan inte spara just nu eftersom databasen är upptagen eller otillgänglig. "
    "Inget har sparats. Försök igen om en halv minut."
)

# SQLite's own words for the outages (sqlite3.OperationalError carries no error code here).
_SQLITE_OUTAGES = (
    "database is locked",
    "database table is locked",
    "database or disk is full",
    "disk i/o error",
    "unable to open database file",
    "attempt to write a readonly database",
)


def _postgres_outages() -> tuple[type[Exception], ...]:
    try:
        from asyncpg import exceptions as pg
    except ImportError:  # pragma: no cover - asyncpg comes with piccolo[postgres]
        return ()
    return (
        pg.PostgresConnectionError,  # class 08: connection lost, refused, does not exist
        pg.InsufficientResourcesError,  # class 53: disk full, out of memory, too many connections
        pg.OperatorInterventionError,  # class 57: shutdown, cannot connect now, query cancelled
        pg.LockNotAvailableError,  # 55P03: lock_timeout passed
        pg.ReadOnlySQLTransactionError,  # 25006: a standby, or a database set read-only
    )


POSTGRES_OUTAGES = _postgres_outages()
# A refused or reset connection to the database server, and the SQLite writer queue's wait.
NETWORK_OUTAGES: tuple[type[Exception], ...] = (ConnectionError, TimeoutError)
OUTAGE_TYPES: tuple[type[Exception], ...] = (
    sqlite3.OperationalError,
    *POSTGRES_OUTAGES,
    *NETWORK_OUTAGES,
)


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says storage is unavailable for now, rather than the request is wrong."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return any(words in text for words in _SQLITE_OUTAGES)
    return isinstance(exc, POSTGRES_OUTAGES + NETWORK_OUTAGES)


Responder = Callable[[Request[Any, Any, Any], int, str, list[str]], Response[Any]]
Handler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]


def outage_handlers(respond: Responder, crash: Handler) -> ExceptionHandlersMap:
    """Exception handlers for the app: an outage answers 503 (through `respond`, which words
    it as JSON or as a page), anything else of these types goes to `crash`."""

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        if not is_outage(exc):
            return crash(request, exc)
        log.warning(
            "storage unavailable on %s %s: %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            exc,
        )
        response = respond(request, 503, MESSAGE, [])
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    handlers: ExceptionHandlersMap = dict.fromkeys(OUTAGE_TYPES, handle)
    return handlers


async def can_write() -> str | None:
    """None when a row can be written (in a transaction that is rolled back), else the reason."""
    from marketplace.kernel.db import write_transaction
    from marketplace.kernel.tables import JobRun

    class _RolledBack(Exception):
        pass

    engine: Any = JobRun._meta.db
    try:
        async with write_transaction(engine):
            await JobRun.insert(JobRun(job="readiness", outcome="probe", worker="ready"))
            raise _RolledBack
    except _RolledBack:
        return None
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning("readiness: cannot write: %s: %s", type(exc).__name__, exc)
        return type(exc).__name__
