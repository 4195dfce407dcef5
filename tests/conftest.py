"""Shared fixtures. The engine is chosen by DATABASE_URL before anything imports a table.

Run on SQLite (default: a fresh file under a temp folder) or PostgreSQL:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/marketplace_test pytest
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="mp-tests-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP / 'test.sqlite3'}")
os.environ.setdefault("VAR_DIR", str(_TMP / "var"))
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 32)
os.environ.setdefault("SCHEDULER_ENABLED", "false")
os.environ.setdefault("ENVIRONMENT", "development")
# Real argon2id, at a cost that keeps hundreds of accounts and sign-ins in the suite quick:
# 1 MiB hashes in 0.4 ms, 8 MiB took 3.5 ms (~550 accounts a pass in placements alone).
os.environ.setdefault("PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("PASSWORD_HASH_MEMORY_KIB", "1024")
# The search's cached structures are built in the test process, where coverage sees the
# build, not in a child process as a served worker has them built (`search.disk_cache`).
os.environ.setdefault("SEARCH_CACHE_BUILD_HERE", "1")
os.environ["PICCOLO_CONF"] = "marketplace.piccolo_conf"

import pytest  # noqa: E402
from litestar import Litestar  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402

import marketplace  # noqa: E402, F401
from marketplace.kernel.settings import get_settings  # noqa: E402
from tests import dbutil  # noqa: E402
from tests.connreuse import loop_hook  # noqa: E402
from tests.inloop import InLoopClient  # noqa: E402
from tests.mailutil import SmtpServer  # noqa: E402

DEMO_PASSWORD = "ett-långt-test-lösenord-42"

# `--coverage-run`: the traced and the untraced part of an engine pass (scripts/test).
pytest_plugins = ["tests.coverage_runs"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip engine-specific tests on the other engine (they are few and marked)."""
    engine = "sqlite" if get_settings().is_sqlite else "postgres"
    for item in items:
        if engine == "sqlite" and item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL-specific; runs in the PG pass"))
        if engine == "postgres" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite-specific; runs in the SQLite pass"))


@pytest.fixture(scope="session", autouse=True)
async def database() -> AsyncIterator[None]:
    """A freshly migrated database for the whole run, with connections reused by the
    session's event loop (see tests.connreuse.py)."""
    import asyncio

    await dbutil.reset_database()

    from marketplace.kernel.tables import User
    from tests.connreuse import ACTIVE, ConnectionReuse

    reuse = ConnectionReuse(User._meta.db, asyncio.get_running_loop())
    ACTIVE.append(reuse)
    yield
    ACTIVE.clear()
    await reuse.close_all()
    await dbutil.close_wiper()


@pytest.fixture(autouse=True)
async def clean_tables(database: None, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test starts with empty tables (migrations stay applied) and fresh rate limits.

    Tests marked `shares_module_rows` share rows that a module-scoped fixture made (the
    access matrix's cases, one per route, on one world): that fixture empties the tables
    when the module is done, so a test without the mark never sees them."""
    from marketplace.kernel import ratelimit

    await ratelimit.close_limiters()
    yield
    if request.node.get_closest_marker("shares_module_rows") is None:
        await dbutil.truncate_all()


# One app per distinct settings: building one costs ~0.5 s (Litestar registers ~340 handlers),
# which per test was a third of the suite's time. A test that changes the settings (and clears
# their cache) gets an app built for them, and the tests after it (settings back as they were)
# the one built before; each test still runs the app's lifespan in its own client. (Settings
# are a frozen dataclass: equal values, equal key.)
_APP_CACHE: dict[object, Litestar] = {}


def cached_app() -> Litestar:
    """The app built for the current settings (built once per distinct settings)."""
    from marketplace.app import create_app

    settings = get_settings()
    cached = _APP_CACHE.get(settings)
    if cached is None:
        cached = _APP_CACHE[settings] = create_app(outer_hooks=[loop_hook])
    return cached


@pytest.fixture
async def app() -> Litestar:
    return cached_app()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with InLoopClient(app=app, base_url="http://testserver.local") as c:
        yield c


UserFactory = Callable[..., Awaitable[Any]]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free port, for the test's mail to arrive at."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_user() -> UserFactory:
    """Create a user: `await make_user("coordinator", username="sara")`."""
    from marketplace.kernel import auth

    counter = {"n": 0}

    async def factory(role: str, username: str | None = None, **extra: Any) -> Any:
        counter["n"] += 1
        name = username or f"{role}{counter['n']}"
        return await auth.create_user(name, DEMO_PASSWORD, role, **extra)

    return factory


async def login(client: AsyncTestClient[Litestar], username: str) -> str:
    """Sign the test client in through the JSON API; set the CSRF header; return the token."""
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    csrf = response.json()["csrf_token"]
    client.headers["x-csrftoken"] = csrf
    return str(csrf)


@pytest.fixture
def sign_in() -> Callable[[AsyncTestClient[Litestar], str], Awaitable[str]]:
    return login


# Apps for the extra clients of a test (make_client, and clients a test makes itself), per
# settings value, kept for later tests: building one costs ~0.5 s, and tests that change the
# settings (SMS, production) alternated with the others and rebuilt them each time. The n-th
# extra client of a test gets the n-th app of its settings: several test clients running the
# lifespan of one app object deadlock at shutdown.
_EXTRA_APPS: dict[object, list[Litestar]] = {}


@pytest.fixture
def next_app() -> Callable[[], Litestar]:
    """An app for one more client of this test, none of them shared within the test."""
    from marketplace.app import create_app

    taken = 0

    def take() -> Litestar:
        nonlocal taken
        apps = _EXTRA_APPS.setdefault(get_settings(), [])
        if len(apps) == taken:
            apps.append(create_app(outer_hooks=[loop_hook]))
        taken += 1
        return apps[taken - 1]

    return take


@pytest.fixture
async def make_client(
    next_app: Callable[[], Litestar],
) -> AsyncIterator[Callable[[], Awaitable[AsyncTestClient[Litestar]]]]:
    """More independent clients (own cookies), e.g. host A and host B, each with an app of
    its own on the one database, like separate workers (see `next_app`)."""
    clients: list[AsyncTestClient[Litestar]] = []

    async def factory() -> AsyncTestClient[Litestar]:
        c = InLoopClient(app=next_app(), base_url="http://testserver.local")
        await c.__aenter__()
        clients.append(c)
        return c

    yield factory
    for c in clients:
        await c.__aexit__(None, None, None)
