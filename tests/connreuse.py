"""Database connections kept open across queries, for the test suite's own event loop.

Outside a pool, Piccolo opens a connection for every query and closes it after: PostgreSQL
forks a server process for each, and on SQLite each is a thread of its own with four
pragmas. On PostgreSQL the suite spent more time connecting than testing. The served app has a real pool (`serve_app`); the in-process test
clients cannot, because the lifespan runs in an event loop of its own. So the tests hand
back each connection the session's loop closes, reset (on PostgreSQL asyncpg's `reset`:
RESET ALL, advisory locks released, listeners dropped; on SQLite only a connection outside
a transaction comes back), and lend it to the next query. Connections of
any other loop (a test client's lifespan, a worker thread) are opened and closed as before.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from marketplace.kernel.db import SQLITE_FUNCTIONS


class _Lent:
    """A connection whose `close` hands it back for reuse in the loop that borrowed it."""

    def __init__(self, connection: Any, owner: ConnectionReuse, loop: Any) -> None:
        self._connection = connection
        self._owner = owner
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._connection, name, value)

    async def close(self, **_options: Any) -> None:
        await self._owner.give_back(self._connection, self._loop)


class ConnectionReuse:
    """Installed on the engine at the start of the session. Reuse happens only in loops that
    say when they end: the session's own (`close_all`), and each test client's lifespan loop
    (`loop_hook`, an outer lifespan hook of the test apps). Any other loop, e.g. a worker
    thread's, opens and closes as in production."""

    def __init__(self, engine: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.engine = engine
        self.idle: dict[Any, list[Any]] = {loop: []}  # per registered loop
        self.functions: dict[int, set[str]] = {}  # SQLite: functions each connection has
        self.opened_with: dict[int, str] = {}  # the connection settings each was opened with
        # The engine class has __slots__: the method is replaced on the class, for this
        # engine only.
        self.engine_class = type(engine)
        self.sqlite = engine.engine_type == "sqlite"
        # The method Piccolo (and marketplace.kernel.db) call for a connection outside a pool.
        self.method = "get_connection" if self.sqlite else "get_new_connection"
        self.original = getattr(self.engine_class, self.method)
        reuse = self

        async def connect(engine_self: Any) -> Any:
            if engine_self is reuse.engine:
                return await reuse.get()
            return await reuse.original(engine_self)

        setattr(self.engine_class, self.method, connect)

    async def open_new(self) -> Any:
        return await self.original(self.engine)

    async def get(self) -> Any:
        loop = asyncio.get_running_loop()
        idle = self.idle.get(loop)
        if idle is None:
            return await self.open_new()
        settings = self._settings()
        while idle:
            connection = idle.pop()
            if self.opened_with.get(id(connection)) != settings:
                await self._close(connection)  # a test changed the connection settings
            elif self.sqlite:
                await self._add_sqlite_functions(connection)
                return _Lent(connection, self, loop)
            elif not connection.is_closed():
                return _Lent(connection, self, loop)
        connection = await self.open_new()
        self.opened_with[id(connection)] = settings
        if self.sqlite:
            self.functions[id(connection)] = set(SQLITE_FUNCTIONS)
        return _Lent(connection, self, loop)

    def _settings(self) -> str:
        """The engine's connection settings now (a test may change them, e.g. PostgreSQL's
        lock_timeout): a connection opened with others is not lent."""
        return repr(self.engine.connection_kwargs if self.sqlite else self.engine.config)

    async def _add_sqlite_functions(self, connection: Any) -> None:
        """SQL functions a module registered after this connection was opened."""
        known = self.functions.setdefault(id(connection), set())
        for name, (arguments, function) in SQLITE_FUNCTIONS.items():
            if name not in known:
                await connection.create_function(name, arguments, function, deterministic=True)
                known.add(name)

    async def give_back(self, connection: Any, loop: Any) -> None:
        idle = self.idle.get(loop)
        try:
            if idle is None:
                raise RuntimeError("its event loop has ended")
            if self.sqlite:
                if connection.in_transaction:
                    raise RuntimeError("handed back inside a transaction")
            else:
                if connection.is_closed():
                    return
                if connection.is_in_transaction():
                    raise RuntimeError("handed back inside a transaction")
                await connection.reset(timeout=5)
        except Exception:
            await self._close(connection)
            return
        idle.append(connection)

    async def _close(self, connection: Any) -> None:
        self.functions.pop(id(connection), None)
        self.opened_with.pop(id(connection), None)
        with contextlib.suppress(Exception):
            if self.sqlite:
                await connection.close()
            else:
                await connection.close(timeout=5)

    def adopt(self, loop: asyncio.AbstractEventLoop) -> None:
        """Reuse connections in `loop` too, a loop a test runs itself (it calls
        `release_loop` in that loop when it is done)."""
        self.idle.setdefault(loop, [])

    async def release_loop(self) -> None:
        """Close the running loop's idle connections and stop reusing in it."""
        for connection in self.idle.pop(asyncio.get_running_loop(), []):
            await self._close(connection)

    @contextlib.asynccontextmanager
    async def loop_hook(self, app: Any) -> AsyncIterator[None]:
        """An outer lifespan hook: reuse connections in the lifespan's loop while it runs.
        A lifespan in a loop that reuses already (the session's, where the tests' own clients
        serve the app) leaves that loop's connections alone."""
        loop = asyncio.get_running_loop()
        if loop in self.idle:
            yield
            return
        self.idle[loop] = []
        try:
            yield
        finally:
            await self.release_loop()

    async def close_all(self) -> None:
        """At the end of the session (in its loop): every idle connection closed."""
        setattr(self.engine_class, self.method, self.original)
        await self.release_loop()
        for loop_idle in self.idle.values():
            for connection in loop_idle:
                await self._close(connection)
        self.idle.clear()


ACTIVE: list[ConnectionReuse] = []  # the session's, once the database fixture installed it


@contextlib.asynccontextmanager
async def loop_hook(app: Any) -> AsyncIterator[None]:
    """`create_app(outer_hooks=[loop_hook])` in the tests' app fixtures."""
    if not ACTIVE:
        yield
        return
    async with ACTIVE[0].loop_hook(app):
        yield
