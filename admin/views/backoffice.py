"""The back office: piccolo-admin, mounted at /admin/ for admins only and built once.

piccolo-admin signs in against our one user table (`marketplace.tables.User`, argon2) and keeps
its own session table (piccolo_api's `sessions`). Two locks guard it: the Litestar route guard
(`admin_only`, our own session) and piccolo-admin's check of `BaseUser.admin`, which
`create_user` sets only for the admin role.

Only what an admin should edit by hand is registered: host organisations, their contacts,
slots (with their taxonomy-backed occupation and skills) and municipal units' targets.
Candidates and audit rows are not; they go through the service's own guarded pages.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from litestar import asgi
from litestar.handlers.asgi_handlers import ASGIRouteHandler
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)
from piccolo.columns import Column
from piccolo_admin.endpoints import TableConfig, create_admin
from piccolo_api.crud.hooks import Hook, HookType
from piccolo_api.session_auth.tables import SessionsBase
from starlette.exceptions import HTTPException as StarletteHTTPException

from employers.tables import HOST_KINDS, Contact, Host, UnitTarget
from marketplace.auth import admin_only
from marketplace.settings import Settings
from marketplace.tables import User
from placements.services import bump_slot_change
from placements.tables import SETTINGS, SLOT_KINDS, SLOT_STATUSES, Slot
from search import taxonomy

MOUNT_PATH = "/admin"
# Tables the back office may show. Candidates, health notes and audit rows are never here.
BACK_OFFICE_TABLES = (Host, Contact, Slot, UnitTarget)
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_TABLE_WRITE = re.compile(r"^/api/tables/(?P<table>[a-z_]+)/(?:(?P<id>\d+)/)?$")


def _refuse(message: str) -> StarletteHTTPException:
    return StarletteHTTPException(status_code=400, detail=message)


def check_slot_values(values: dict[str, Any]) -> None:
    """Refuse slot values that break the rules the service's own forms enforce."""
    occupation_id = values.get("occupation_id")
    if occupation_id and taxonomy.occupation(str(occupation_id)) is None:
        raise _refuse(
            f"Yrkes-id {occupation_id!r} finns inte i yrkestaxonomin. "
            "Ange ett id ur JobTech-taxonomin eller lämna fältet tomt."
        )
    if "skills" in values:
        skills = values["skills"]
        if isinstance(skills, str):
            try:
                skills = json.loads(skills or "[]")
            except ValueError:
                skills = None
        if not isinstance(skills, list) or not all(
            isinstance(s, str) and 0 < len(s) <= 200 for s in skills
        ):
            raise _refuse('Kompetenser anges som en JSON-lista med text, t.ex. ["truckkort"].')
    for field, allowed in (("kind", SLOT_KINDS), ("status", SLOT_STATUSES), ("setting", SETTINGS)):
        if field in values and values[field] not in allowed:
            raise _refuse(f"{field} måste vara en av: {', '.join(allowed)}.")
    if "capacity" in values and (values["capacity"] is None or int(values["capacity"]) < 1):
        raise _refuse("Antal platser (capacity) måste vara minst 1.")


def _by_name(values: dict[Any, Any]) -> dict[str, Any]:
    return {(k._meta.name if isinstance(k, Column) else str(k)): v for k, v in values.items()}


async def _slot_pre_save(row: Slot) -> Slot:
    check_slot_values(row.to_dict())
    return row


async def _slot_pre_patch(row_id: Any, values: dict[Any, Any]) -> dict[Any, Any]:
    check_slot_values(_by_name(values))
    return values


async def _host_pre_save(row: Host) -> Host:
    if row.kind not in HOST_KINDS:
        raise _refuse(f"Typ av värd måste vara en av: {', '.join(HOST_KINDS)}.")
    return row


async def _host_pre_patch(row_id: Any, values: dict[Any, Any]) -> dict[Any, Any]:
    kind = _by_name(values).get("kind")
    if kind is not None and kind not in HOST_KINDS:
        raise _refuse(f"Typ av värd måste vara en av: {', '.join(HOST_KINDS)}.")
    return values


def _no_delete(message: str) -> Hook:
    async def refuse(row_id: Any) -> None:
        raise _refuse(message)

    return Hook(hook_type=HookType.pre_delete, callable=refuse)


def table_configs() -> list[TableConfig]:
    """What the back office shows and the rules its edits follow."""
    return [
        TableConfig(
            Host,
            hooks=[
                Hook(HookType.pre_save, _host_pre_save),
                Hook(HookType.pre_patch, _host_pre_patch),
                _no_delete("Värdar raderas inte här. Pausa värden (active) i stället."),
            ],
            menu_group="Värdar",
        ),
        TableConfig(
            Contact,
            hooks=[_no_delete("Kontakter raderas inte här. Markera kontakten som inaktiv.")],
            menu_group="Värdar",
        ),
        TableConfig(
            Slot,
            hooks=[
                Hook(HookType.pre_save, _slot_pre_save),
                Hook(HookType.pre_patch, _slot_pre_patch),
                _no_delete("Platser raderas inte här. Stäng platsen (status closed) i stället."),
            ],
            menu_group="Platser",
        ),
        TableConfig(UnitTarget, menu_group="Värdar"),
    ]


def admin_allowed_hosts(settings: Settings) -> list[str]:
    """Host names piccolo-admin's CSRF check accepts: ALLOWED_HOSTS, else BASE_URL's host."""
    hosts = [h for h in settings.allowed_hosts if h != "*"]
    base_host = urlsplit(settings.base_url).hostname
    if base_host and base_host not in hosts:
        hosts.append(base_host)
    return hosts


async def _slots_touched(table: str, row_id: int) -> list[int]:
    """Slots whose search entry a back-office write to this row changes."""
    if table == Slot._meta.tablename:
        return [row_id]
    column = Slot.host if table == Host._meta.tablename else Slot.supervisor
    rows = await Slot.select(Slot.id).where(column == row_id)
    return [int(r["id"]) for r in rows]


class SearchFreshness:
    """Keeps the search freshness contract for back-office writes.

    piccolo-admin writes outside our services, so after a write to a slot, a host or a contact
    has been committed, the affected slots get the next change number. Stamping after the
    commit means a worker that sees the new number also sees the new contents.
    """

    watched = frozenset(t._meta.tablename for t in (Slot, Host, Contact))

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        route_path = path.removeprefix(scope.get("root_path", ""))
        match = _TABLE_WRITE.match(route_path) if scope["type"] == "http" else None
        if (
            match is None
            or scope.get("method", "") not in _WRITE_METHODS
            or match["table"] not in self.watched
        ):
            await self.app(scope, receive, send)
            return
        status = 0
        body = bytearray()
        method = scope.get("method", "")

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and method == "POST":
                body.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if not 200 <= status < 300:
            return
        row_id = int(match["id"]) if match["id"] else _created_id(bytes(body))
        if row_id is None:
            return
        for slot_id in await _slots_touched(match["table"], row_id):
            await bump_slot_change(slot_id)


def _created_id(body: bytes) -> int | None:
    try:
        created = json.loads(body or b"null")
    except ValueError:
        return None
    if isinstance(created, list) and created and isinstance(created[0], dict):
        created = created[0]
    value = created.get("id") if isinstance(created, dict) else None
    return value if isinstance(value, int) else None


def build_back_office(settings: Settings) -> ASGIApp:
    """The piccolo-admin ASGI app, built once per process for the settings that shape it.

    Building it registers some 170 FastAPI routes (a quarter of a second); an app made again
    in the same process (tests make one per test) reuses it. It keeps no state of its own
    between requests: sessions live in the database.
    """
    return _back_office(settings.is_production, tuple(admin_allowed_hosts(settings)))


@cache
def _back_office(production: bool, allowed_hosts: tuple[str, ...]) -> ASGIApp:
    app = create_admin(
        tables=table_configs(),
        auth_table=User,
        session_table=SessionsBase,
        production=production,
        site_name="Praktikplatser – administration",
        allowed_hosts=list(allowed_hosts),
        auto_include_related=True,
        debug=False,
    )
    return SearchFreshness(app)


def back_office_route(settings: Settings) -> ASGIRouteHandler:
    """The guarded mount of the back office at /admin (built here, once)."""
    inner = build_back_office(settings)

    @asgi(
        MOUNT_PATH,
        is_mount=True,
        guards=[admin_only],
        copy_scope=True,
        name="back_office",
    )
    async def back_office(scope: Scope, receive: Receive, send: Send) -> None:
        original = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
        if original == MOUNT_PATH:
            # Served at /admin the page loads its assets from the wrong folder.
            await _redirect(send, MOUNT_PATH + "/", scope.get("query_string", b""))
            return
        # Litestar hands a mounted app the rest of the path and adds a trailing slash; give
        # the app the path it was asked for, the way Starlette expects (root_path + path).
        rest = scope["path"]
        if not original.endswith("/") and rest.endswith("/") and rest != "/":
            rest = rest[:-1]
        scope["root_path"] = MOUNT_PATH
        scope["path"] = MOUNT_PATH + rest
        await inner(scope, receive, send)

    return back_office


async def _redirect(send: Send, location: str, query: bytes) -> None:
    target = location + ("?" + query.decode("latin-1") if query else "")
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 308,
        "headers": [(b"location", target.encode("latin-1")), (b"content-length", b"0")],
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
    await send(end)
