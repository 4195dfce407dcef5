"""Database engines for both supported back ends, the transaction helpers services use, and Swedish sort order.

SQLite is the embedded default: every connection runs in WAL mode with `synchronous=FULL`,
a busy timeout and foreign keys on. PostgreSQL runs production and every CI run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.columns import Text, Varchar
from piccolo.columns.combination import WhereRaw
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import (
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
    dict_factory,
)
from piccolo.querystring import QueryString

from marketplace.kernel import orm_speedups
from marketplace.kernel.settings import Settings

# Every process that queries imports this module first (the engine is made here).
orm_speedups.install()

SQLITE_BUSY_TIMEOUT_S = 30.0

T = TypeVar("T")

# aiosqlite logs every query's parameters at DEBUG, personnummer included; logs must never
# hold one, so its logger stays at INFO whatever the root level is.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

_PRAGMAS = (
    "PRAGMA foreign_keys = 1",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
)


# SQL functions for SQLite, which lacks what PostgreSQL has built in (e.g. TRANSLATE): name ->
# (number of arguments, a deterministic Python function). Registered on every connection;
# the module that uses one adds it here when imported (see placements.services.people_search).
SQLITE_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {}


class SafeSQLiteTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction, which closes its connection when `BEGIN` fails.

    `BEGIN IMMEDIATE` gives up with "database is locked" when another process holds the
    write lock past the busy timeout; Piccolo then leaves the connection it opened for the
    transaction open, and its thread outlives the request (and keeps the process from
    exiting).
    """

    async def begin(self) -> None:
        try:
            await super().begin()  # type: ignore[no-untyped-call]  # Piccolo: untyped
        except BaseException:
            await self.connection.close()
            raise


class SafeSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, with the durability pragmas on every connection.

    Piccolo opens a new connection per query outside a transaction and only turns on foreign
    keys; `synchronous` and `busy_timeout` are per connection, so they are set here each time.
    """

    async def get_connection(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        try:
            # aiosqlite types row_factory as a class (sqlite3.Row); sqlite3 takes any callable.
            connection.row_factory = dict_factory  # type: ignore[assignment]
            # The engine's own timeout (SQLITE_BUSY_TIMEOUT_S unless set otherwise) is the wait.
            timeout = float(self.connection_kwargs.get("timeout", SQLITE_BUSY_TIMEOUT_S))
            for pragma in (*_PRAGMAS, f"PRAGMA busy_timeout = {int(timeout * 1000)}"):
                # Closed at once: a pragma that answers with a row (journal_mode) keeps its
                # statement in progress until its cursor goes, and SQLite refuses to COMMIT
                # on the connection while it does.
                async with connection.execute(pragma):
                    pass
            for name, (arguments, function) in SQLITE_FUNCTIONS.items():
                await connection.create_function(name, arguments, function, deterministic=True)
        except BaseException:
            # A pragma can fail (`journal_mode` waits for a lock another process holds, and
            # gives up after the timeout): the connection's thread must end with it, or it
            # outlives the request and keeps the process from exiting.
            await connection.close()
            raise
        return connection

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return SafeSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        connection = await self.get_connection()
        try:
            # One call into the connection's thread for the statement and its rows (Piccolo
            # makes four: execute, commit, fetch, close the cursor), and a commit only when
            # the statement opened a transaction (a write; a read opens none).
            rows = await connection.execute_fetchall(query, args or [])
            if connection.in_transaction:
                await connection.commit()
            return list(rows)
        finally:
            await connection.close()

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        """A statement inside a transaction, in one call into the connection's thread.

        Piccolo sends `PRAGMA foreign_keys = 1` before each one (a no-op inside a
        transaction; every connection turns foreign keys on when it opens, `get_connection`)
        and then executes, fetches and closes the cursor: four calls, each a hand-off to
        aiosqlite's thread and back."""
        connection.row_factory = dict_factory
        return list(await connection.execute_fetchall(query, args or []))


def make_engine(settings: Settings) -> Engine[Any]:
    """Build the Piccolo engine that `DATABASE_URL` names."""
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return SafeSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    return PostgresEngine(config=postgres_config(settings.database_url))


def postgres_config(url: str) -> dict[str, Any]:
    """asyncpg connection parameters from a postgresql:// URL."""
    parts = urlsplit(url)
    config: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "database": unquote(parts.path.lstrip("/")),
    }
    if parts.username:
        config["user"] = unquote(parts.username)
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


_WRITER_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _writer_lock() -> asyncio.Lock:
    """This event loop's queue of SQLite writers (a lock belongs to one loop)."""
    loop = asyncio.get_running_loop()
    lock = _WRITER_LOCKS.get(loop)
    if lock is None:
        lock = _WRITER_LOCKS[loop] = asyncio.Lock()
    return lock


def is_sqlite(engine: Engine[Any]) -> bool:
    return engine.engine_type == "sqlite"


@contextlib.asynccontextmanager
async def connection_pool(engine: Engine[Any], max_size: int) -> AsyncIterator[None]:
    """On PostgreSQL, a pool of connections while the block runs (a worker's lifetime, one
    command of the CLI). Without it every query opens a connection of its own, for which
    PostgreSQL forks a server process. SQLite needs none."""
    if is_sqlite(engine):
        yield
        return
    assert isinstance(engine, PostgresEngine)
    await engine.start_connection_pool(min_size=min(2, max_size), max_size=max_size)
    try:
        yield
    finally:
        await engine.close_connection_pool()


@contextlib.asynccontextmanager
async def write_transaction(engine: Engine[Any]) -> AsyncIterator[Any]:
    """A transaction for read-then-write work (capacity checks, counters).

    On SQLite it is `BEGIN IMMEDIATE`, which takes the write lock up front so that two
    writers cannot both read the old state. On PostgreSQL it is an ordinary transaction;
    callers lock the rows they depend on with `SELECT … FOR UPDATE` (see
    `placements.services.booking_access`: `lock_placement`, `lock_booking`, `lock_candidate`).
    """
    if is_sqlite(engine):
        assert isinstance(engine, SQLiteEngine)
        if engine.current_transaction.get() is not None:
            async with engine.transaction() as txn:  # nested: joins the outer transaction
                yield txn
            return
        # SQLite has one writer at a time. Queue this process's writers on a lock, so that
        # they take turns at once instead of sleeping in SQLite's busy handler (which leaves
        # the database idle between turns); other processes still meet the busy timeout.
        lock = _writer_lock()
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_S):
            await lock.acquire()
        try:
            async with engine.transaction(transaction_type=TransactionType.immediate) as txn:
                yield txn
        finally:
            lock.release()
    else:
        async with engine.transaction() as txn:
            yield txn


# --- text matching ---------------------------------------------------------------------------

LIKE_ESCAPE = "\\"


def like_escape(text: str) -> str:
    """`text` with LIKE's wildcards taken literally (`%`, `_` and the escape character itself).

    Every LIKE pattern built from what a person typed goes through here, and the query says
    `ESCAPE '\\'` (see `contains_ci`): SQLite has no default escape character.
    """
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def _like_sql(column: Any, pattern: str) -> WhereRaw:
    name = column._meta.get_full_name(with_alias=False)
    operator = "LIKE" if is_sqlite(column._meta.table._meta.db) else "ILIKE"
    return WhereRaw(f"{name} {operator} {{}} ESCAPE '{LIKE_ESCAPE}'", pattern)


def contains_ci(column: Any, text: str) -> WhereRaw:
    """`column` holds `text` literally, ignoring case (ILIKE; SQLite's LIKE for ASCII)."""
    return _like_sql(column, f"%{like_escape(text)}%")


def starts_with(column: Any, text: str) -> WhereRaw:
    """`column` begins with `text` literally (ASCII case ignored, as LIKE does on SQLite)."""
    return _like_sql(column, f"{like_escape(text)}%")


def equals_ci(column: Any, text: str) -> WhereRaw:
    """`column` equals `text` literally, ignoring case: no character of `text` is a wildcard."""
    return _like_sql(column, like_escape(text))


# --- ordering --------------------------------------------------------------------------------

# Swedish alphabetical order on both engines, whatever the database's collation: case is
# ignored, å ä ö come after z in that order (Æ Ø sort as Ä Ö, Ü as Y), and the other accented
# letters as their base letter ("Émile" beside "Emil"). SQLite compares bytes (Ä before Å),
# and PostgreSQL's C.UTF-8 puts every capital before every small letter, so the key is made
# here: each such letter replaced by an ASCII character that sorts the Swedish way ("|", "~"
# and DEL come after every small letter, in that order), then lower-cased, then compared byte
# by byte. PostgreSQL makes the key with one TRANSLATE; SQLite, which has none, calls Python
# (a function registered on every connection: its parser refuses forty nested replace()).
_AFTER_Z = ("|", "~", "\x7f")  # for å, ä, ö
_SWEDISH_LETTERS = {
    **dict.fromkeys("Åå", _AFTER_Z[0]),
    **dict.fromkeys("ÄäÆæ", _AFTER_Z[1]),
    **dict.fromkeys("ÖöØø", _AFTER_Z[2]),
    **dict.fromkeys("Üü", "y"),
    **dict.fromkeys("ÉéÈèÊêËë", "e"),
    **dict.fromkeys("ÁáÀàÂâ", "a"),
    **dict.fromkeys("ÍíÏï", "i"),
    **dict.fromkeys("ÓóÔô", "o"),
    **dict.fromkeys("Úú", "u"),
    **dict.fromkeys("Çç", "c"),
    **dict.fromkeys("Ññ", "n"),
}
_SWEDISH_KEY = str.maketrans(_SWEDISH_LETTERS)
_TRANSLATE_FROM = "".join(_SWEDISH_LETTERS)
_TRANSLATE_TO = "".join(_SWEDISH_LETTERS.values())


def swedish_key(text: str | None) -> str:
    """The Swedish sort key of `text` (see above), for sorting in Python; None sorts first."""
    return (text or "").translate(_SWEDISH_KEY).lower()


SQLITE_FUNCTIONS["swedish_key"] = (1, swedish_key)


def swedish_order(column: Any) -> QueryString:
    """An ORDER BY term for a text column in Swedish alphabetical order (see above). A column
    of a joined table sorts only where the query selects or filters on it too (the join)."""
    return QueryString(
        swedish_order_sql(
            column._meta.get_full_name(with_alias=False), is_sqlite(column._meta.table._meta.db)
        )
    )


def sort_term(column: Any) -> Any:
    """What to ORDER BY for `column`: a text column in Swedish alphabetical order, any other
    column (a date, a number, an order already spelt out) as it is."""
    if isinstance(column, Varchar | Text):
        return swedish_order(column)
    return column


# PostgreSQL built with ICU (Debian's is) has a Swedish collation: ordering by it costs about
# what ordering by the column costs, where the key above costs a TRANSLATE per row (20,000
# names: 8.5 ms against 99 ms, bench/RESULTS.md). `use_swedish_collation` looks for it when a
# worker starts; until then, or without ICU, the key is used. Both give the same order.
ICU_SWEDISH = "sv-x-icu"
_POSTGRES_COLLATION: list[str] = []


async def use_swedish_collation(engine: Engine[Any]) -> bool:
    """On PostgreSQL, order text by its ICU Swedish collation from now on, if it has one.
    Returns whether it does (False on SQLite)."""
    _POSTGRES_COLLATION.clear()
    if is_sqlite(engine):
        return False
    rows = await engine.run_querystring(
        QueryString("SELECT count(*) AS n FROM pg_collation WHERE collname = {}", ICU_SWEDISH)
    )
    if rows and int(rows[0]["n"]) > 0:
        _POSTGRES_COLLATION.append(ICU_SWEDISH)
    return bool(_POSTGRES_COLLATION)


def swedish_order_sql(expression: str, sqlite: bool) -> str:
    """`swedish_order` for an SQL expression of raw SQL (`expression` is SQL, never input)."""
    if sqlite:
        return f"swedish_key({expression})"
    if _POSTGRES_COLLATION:
        return f"coalesce({expression}, '') COLLATE \"{_POSTGRES_COLLATION[0]}\""
    return (
        f"lower(translate(coalesce({expression}, ''), '{_TRANSLATE_FROM}', "
        f"'{_TRANSLATE_TO}')) COLLATE \"C\""
    )


def label_order(column: Any, labels: Mapping[str, str]) -> QueryString:
    """An ORDER BY term for a column of codes, in the Swedish order of the words a page shows
    for them (`labels`: code → words); a code without words comes last."""
    codes = swedish_sorted(labels, key=lambda code: labels[code])
    name = column._meta.get_full_name(with_alias=False)
    cases = " ".join(f"WHEN {_sql_text(code)} THEN {i}" for i, code in enumerate(codes))
    return QueryString(f"CASE {name} {cases} ELSE {len(codes)} END")


def _sql_text(code: str) -> str:
    return "'" + code.replace("'", "''") + "'"


def swedish_sorted(items: Iterable[T], key: Callable[[T], str | None]) -> list[T]:
    """`items` in the order `swedish_order` gives, sorted in Python."""
    return sorted(items, key=lambda item: swedish_key(key(item)))
