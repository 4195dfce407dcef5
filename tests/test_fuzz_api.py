"""Bounded API fuzzing: Schemathesis generates valid and invalid requests for every operation in
the OpenAPI schema and runs them in-process against the app, as an admin and a coordinator
(Bearer API tokens) and anonymously.

Checks: every built-in check, `status_code_conformance` included (every error an operation can
answer is in the schema, see marketplace/kernel/openapi.py), except `positive_data_acceptance` (see
docs/reliability.md for why).
`ignored_auth` needs the schema to say which operations need a token; Litestar's schema does
not, so the loaded schema is given a Bearer scheme on every operation whose guard is not
`public`, derived from the very guards the app enforces.

Bounds: `max_examples` per operation and caller, derandomized (the same cases on every run), a
deadline per example. Run: `pytest tests/test_fuzz_api.py` (on either engine).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.checks import CheckFunction
from schemathesis.python import asgi
from schemathesis.specs.openapi import checks as openapi_checks

from marketplace.kernel import auth
from marketplace.kernel.auth import public, route_guards
from marketplace.kernel.tables import User
from tests import dbutil
from tests.builders import add_member, make_candidate_row, make_contact, make_host, make_slot
from tests.conftest import DEMO_PASSWORD
from tests.connreuse import loop_hook

MAX_EXAMPLES = 6
DEADLINE = dt.timedelta(seconds=10)  # generous: CI shares two cores with other work
EXCLUDED_CHECKS: list[CheckFunction] = [
    # A schema-valid body can still break a business rule (an unknown slot id, a password on
    # the common-password list, a booking in the wrong state): 400/404/409 are right there.
    openapi_checks.positive_data_acceptance,
]
CALLERS = ("admin", "coordinator", "anonymous")


@pytest.fixture(autouse=True)
async def clean_tables(database: None) -> None:
    """Keep the users, tokens and objects of `fuzz_data` for the whole module (the shared
    fixture would empty the tables after each operation); `fuzz_data` empties them at the end."""


@pytest.fixture(scope="module", autouse=True)
async def fuzz_data(database: None) -> AsyncIterator[dict[str, str]]:
    """An admin and a coordinator with API tokens, and real objects for the small ids the
    generator tries first: a host with a host user and a supervisor, a published slot, a
    participant."""
    await dbutil.truncate_all()
    tokens: dict[str, str] = {}
    for role in ("admin", "coordinator"):
        await auth.create_user(f"fuzz_{role}", DEMO_PASSWORD, role)
        tokens[role] = (await auth.create_token(f"fuzz_{role}", "fuzz"))[1]
    host_user = await auth.create_user("fuzz_host", DEMO_PASSWORD, "host")
    host = await make_host("Fuzz AB", "company")
    await add_member(host_user.id, host)
    contact = await make_contact(host, "Hanna Handledare", capacity=3)
    await make_slot(host, contact, capacity=2, external_id="fuzz-1", hours=None, description="")
    coordinator = await User.select(User.id).where(User.username == "fuzz_coordinator")
    await make_candidate_row(
        coordinator[0]["id"], "Aida", email="", registered_at=dt.date(2030, 1, 2)
    )
    yield tokens
    # The apps' lifespans end here, in Schemathesis's loop (the reused connections are closed
    # there), not at the interpreter's exit.
    asgi.shutdown_lifespans()
    await dbutil.truncate_all()


def declare_auth(raw: dict[str, Any], app: Litestar) -> dict[str, Any]:
    """Mark every operation whose guard is not `public` as needing a Bearer token."""
    guarded: set[tuple[str, str]] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if public in route_guards(handler) and len(route_guards(handler)) == 1:
                continue
            for method in handler.http_methods:
                path = route.path
                for name in handler.parsed_fn_signature.parameters:
                    path = path.replace(f"{{{name}:int}}", f"{{{name}}}")
                    path = path.replace(f"{{{name}:str}}", f"{{{name}}}")
                guarded.add((method.lower(), path))
    raw.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
    }
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and (method, path) in guarded:
                operation["security"] = [{"bearer": []}]
    return raw


def load_schema() -> Any:
    """The app's schema, loaded in-process as a client would, with auth declared."""
    from marketplace.app import create_app

    app = create_app()
    loaded = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    schema = schemathesis.openapi.from_dict(declare_auth(dict(loaded.raw_schema), app))
    # The requests go to an app whose lifespan (run by Schemathesis once, in an event loop of
    # its own, at the first request) reuses its connections like the other test clients'
    # (tests.connreuse). Opening one per query, as outside a pool, forked a PostgreSQL server
    # process for each: most of this module's time. (The app above started its lifespan at
    # collection, before the reuse is installed; a pool cannot serve: the engine is shared
    # with the session's own loop.)
    schema.app = create_app(outer_hooks=[loop_hook])
    schema.location = "/schema/openapi.json"
    # The coverage phase sends dozens of boundary cases per operation whatever max_examples
    # says; the fuzzing phase alone keeps the run within CI's budget.
    schema.config.phases.coverage.enabled = False
    return schema


schema = load_schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=DEADLINE,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_fuzz(case: Any, fuzz_data: dict[str, str]) -> None:
    """Each generated request is sent as every caller."""
    for caller in CALLERS:
        headers = {}
        if caller != "anonymous":
            headers["Authorization"] = f"Bearer {fuzz_data[caller]}"
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)
