"""User management pages for admins (`/drift/anvandare`), and the page behind the single-use
link where a person chooses a password (`/konto/nytt-losenord/{token}`).

The pages call `admin.services.users`, which audits every change. Disabling a user and
resetting a second factor ask first (a ticked box, checked on the server).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from admin.services import users
from marketplace.kernel import account_views, api_keys
from marketplace.kernel.auth import AuthUser, admin_only, public
from marketplace.kernel.controllers import client_address
from marketplace.kernel.errors import MarketplaceError
from marketplace.kernel.forms import (
    ACTION,
    Form,
    Landing,
    NoFields,
    confirmed,
    control_problems,
    field_errors,
    form_values,
    refuse,
    rerender_as,
    round_trip,
)
from marketplace.kernel.notices import done
from marketplace.kernel.paging import OrderKey, chosen_filter, chosen_order
from marketplace.kernel.views import page
from placements.services import partners

Token = Annotated[str, msgspec.Meta(max_length=500)]
LABELS = {
    "username": "Användarnamn",
    "first_name": "Förnamn",
    "last_name": "Efternamn",
    "email": "E-postadress",
    "role": "Roll",
    "team": "Team",
}
NEW_LABELS = {**LABELS, "agency_id": "Myndighet"}
PASSWORD_LABELS = {"password": "Nytt lösenord", "repeat": "Samma lösenord en gång till"}
STATUS_CHOICES = [("", "Alla"), ("aktiva", "Aktiva"), ("avstangda", "Avstängda")]
SORT_CHOICES = [
    ("namn", "Namn"),
    ("anvandarnamn", "Användarnamn"),
    ("roll", "Roll"),
    ("skapad", "Senast skapade först"),
]
DISABLE_UNCONFIRMED = "Kryssa i rutan ”Ja, stäng av användaren” för att stänga av kontot."
TOTP_UNCONFIRMED = "Kryssa i rutan ”Ja, återställ tvåstegsverifieringen” för att återställa den."
NO_STORE = {"cache-control": "no-store"}
ADMIN_BOX = "bekrafta_admin"
ADMIN_GIVEN = (
    "Kryssa i rutan för att bekräfta att {name} ska bli administratör och kunna ändra allt "
    "i tjänsten, och spara igen."
)
ADMIN_TAKEN = (
    "Kryssa i rutan för att bekräfta att {name} inte längre ska vara administratör, och spara igen."
)
EDIT_LABELS = {k: v for k, v in LABELS.items() if k != "username"}
NEW_USER_FORM = Form(
    users.StaffUserCreate,
    labels=NEW_LABELS,
    blank_is_empty=list(LABELS),
    blank_is_none=["agency_id"],
    checks=users.STAFF_FIELD_CHECKS,
    rules=users.agency_rule,
)
EDIT_USER_FORM = Form(
    users.UserUpdate,
    labels=EDIT_LABELS,
    blank_is_empty=list(EDIT_LABELS),
    checks=users.STAFF_FIELD_CHECKS,
)


def _page(
    template: str,
    request: Request[Any, Any, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """The app's page (`marketplace.kernel.views.page`) with this module's labels in its context."""
    answer = page(
        template,
        request,
        status_code=status_code,
        **{"labels": LABELS, "role_text": users.ROLE_TEXT, **context},
    )
    answer.headers.update(headers or {})
    return answer


def _posted(values: dict[str, Any], name: str) -> str:
    """One posted field's text (the last, when it was sent more than once)."""
    raw = values.get(name)
    return str((raw[-1] if raw else "") if isinstance(raw, list) else raw or "")


def _staff_role_choices() -> list[tuple[str, str]]:
    return [(r, users.ROLE_TEXT[r]) for r in users.STAFF_ROLES]


def _changeable_roles(role: str) -> list[tuple[str, str]]:
    """The roles an account may be given: a host or a partner contact keeps theirs."""
    if role in users.BOUND_ROLES:
        return [(role, users.ROLE_TEXT[role])]
    return [(r, users.ROLE_TEXT[r]) for r in users.STAFF_ROLES if r not in users.BOUND_ROLES]


@get("/drift/anvandare", guards=[admin_only], include_in_schema=False, name="users-page")
async def users_page(
    request: Request[AuthUser, Any, Any],
    roll: Annotated[str, QueryParameter(max_length=20)] = "",
    status: Annotated[str, QueryParameter(max_length=20)] = "",
    sortera: OrderKey = None,
    sida: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
) -> Template:
    """Every user, filtered by role and status, sorted, a page at a time. An order the sort
    box does not offer shows them by name, said at the box."""
    sortera, sort_note = chosen_order(sortera, SORT_CHOICES)
    role_choices = [("", "Alla roller"), *users.ROLE_TEXT.items()]
    roll, role_note = chosen_filter(roll.strip(), role_choices)
    status, status_note = chosen_filter(status.strip(), STATUS_CHOICES)
    listing = await users.list_users(role=roll, status=status, sort=sortera, page=sida)
    return _page(
        "admin/users.html",
        request,
        listing=listing,
        filters={"roll": roll, "status": status, "sortera": sortera},
        role_choices=role_choices,
        status_choices=STATUS_CHOICES,
        sort_choices=SORT_CHOICES,
        notes={"roll": role_note, "status": status_note, "sortera": sort_note},
    )


@get("/drift/anvandare/ny", guards=[admin_only], include_in_schema=False)
async def user_new(request: Request[AuthUser, Any, Any]) -> Template:
    return _page(
        "admin/user_new.html",
        request,
        values={"role": "coordinator"},
        errors={},
        role_choices=_staff_role_choices(),
        agency_choices=await partners.agency_choices(),
        labels=NEW_LABELS,
    )


@post("/drift/anvandare/ny", guards=[admin_only], include_in_schema=False, status_code=303)
async def user_create(request: Request[AuthUser, Any, Any]) -> Response[Any]:
    async def create(data: users.StaffUserCreate) -> Landing:
        created = await users.create_staff_user(request.user, data)
        return f"/drift/anvandare/{created.id}", "anvandare-skapad"

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        return _page(
            "admin/user_new.html",
            request,
            status_code=status_code,
            values=values,
            errors=errors,
            role_choices=_staff_role_choices(),
            agency_choices=await partners.agency_choices(),
            labels=NEW_LABELS,
        )

    values = await form_values(request)
    # A user name or address already taken is told with the form's other problems, at once.
    taken = await users.new_user_problem(_posted(values, "username"), _posted(values, "email"))
    return await round_trip(request, NEW_USER_FORM.also(taken), create, refused)


async def _user_page(
    request: Request[AuthUser, Any, Any],
    user_id: int,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    shown = await users.get_user(user_id)
    role_choices = _changeable_roles(shown.role)
    _, keys = await api_keys.list_keys(user_id, newest_first=True, working_only=True)
    return _page(
        "admin/user.html",
        request,
        status_code=status_code,
        shown=shown,
        api_keys=keys,
        values=values
        if values is not None
        else {
            "first_name": shown.first_name,
            "last_name": shown.last_name,
            "email": shown.email,
            "role": shown.role,
            "team": shown.team,
        },
        errors=errors or {},
        role_choices=role_choices,
        is_self=shown.id == request.user.id,
    )


@get("/drift/anvandare/{user_id:int}", guards=[admin_only], include_in_schema=False)
async def user_page(request: Request[AuthUser, Any, Any], user_id: FromPath[int]) -> Template:
    return await _user_page(request, user_id)


@post(
    "/drift/anvandare/{user_id:int}",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def user_update(
    request: Request[AuthUser, Any, Any], user_id: FromPath[int]
) -> Response[Any]:
    async def save(data: users.UserUpdate) -> Landing:
        saved = await users.update_user(request.user, user_id, data)
        if saved.resent:
            return f"/drift/anvandare/{user_id}", "anvandare-sparad-skickas-igen"
        return f"/drift/anvandare/{user_id}", "anvandare-sparad"

    values = await form_values(request)
    found = await users.edit_problem(
        request.user, user_id, _posted(values, "role"), _posted(values, "email")
    )
    refused = partial(_user_page, request, user_id)
    form = EDIT_USER_FORM
    before = await users.get_user(user_id)
    role = _posted(values, "role")
    role_refused = found is not None and (found.status_code == 409 or "role" in found.errors)
    if role != before.role and "admin" in (role, before.role) and not role_refused:
        # Rights over everything are given or taken in one step of their own: the box is
        # shown, and asked for, once the change is chosen (and always on an admin's page).
        message = ADMIN_GIVEN if role == "admin" else ADMIN_TAKEN
        form = replace(form, boxes={ADMIN_BOX: message.format(name=before.name)})
    return await round_trip(request, form.also(found), save, refused)


async def _action(
    request: Request[AuthUser, Any, Any],
    user_id: int,
    saved: str,
    run: Callable[[], Awaitable[object]],
    form: Form[NoFields] = ACTION,
) -> Response[Any]:
    """Run one action on a user (with a `confirmed` form, only once its box is ticked). An
    error shows on the user's page next to the action."""

    async def act(_: NoFields) -> Landing:
        await run()
        return f"/drift/anvandare/{user_id}", saved

    refused = rerender_as(partial(_user_page, request, user_id), values=None)
    return await round_trip(request, form, act, refused)


@post(
    "/drift/anvandare/{user_id:int}/stang-av",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def user_disable(
    request: Request[AuthUser, Any, Any], user_id: FromPath[int]
) -> Response[Any]:
    return await _action(
        request,
        user_id,
        "anvandare-avstangd",
        lambda: users.set_user_active(request.user, user_id, False),
        confirmed("confirm_disable", DISABLE_UNCONFIRMED),
    )


@post(
    "/drift/anvandare/{user_id:int}/aktivera",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def user_enable(
    request: Request[AuthUser, Any, Any], user_id: FromPath[int]
) -> Response[Any]:
    return await _action(
        request,
        user_id,
        "anvandare-aktiverad",
        lambda: users.set_user_active(request.user, user_id, True),
    )


@post(
    "/drift/anvandare/{user_id:int}/tvasteg",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def user_reset_totp(
    request: Request[AuthUser, Any, Any], user_id: FromPath[int]
) -> Response[Any]:
    return await _action(
        request,
        user_id,
        "tvasteg-aterstallt",
        lambda: users.reset_second_factor(request.user, user_id),
        confirmed("confirm_totp", TOTP_UNCONFIRMED),
    )


@post(
    "/drift/anvandare/{user_id:int}/losenordslank",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def user_password_link(
    request: Request[AuthUser, Any, Any], user_id: FromPath[int]
) -> Response[Any]:
    return await _action(
        request,
        user_id,
        "losenordslank-skickad",
        lambda: users.send_password_link(request.user, user_id),
    )


@post(
    "/drift/anvandare/{user_id:int}/api-nycklar/{token_id:int}/aterkalla",
    guards=[admin_only],
    include_in_schema=False,
    status_code=303,
)
async def user_key_revoke(
    request: Request[AuthUser, Any, Any], user_id: FromPath[int], token_id: FromPath[int]
) -> Response[Any]:
    """Revoke one of the user's API keys once its box is ticked: the kernel's revocation, as
    the owner's own on Mitt konto, audited ("token.revoke")."""

    async def revoke(_: NoFields) -> Landing:
        await api_keys.revoke_key(request.user, token_id, user_id)
        return f"/drift/anvandare/{user_id}#api-nycklar", "api-nyckel-aterkallad"

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        shown = account_views.at_key(errors, token_id)
        return await _user_page(request, user_id, status_code=status_code, errors=shown)

    return await round_trip(request, account_views.REVOKE_FORM, revoke, refused)


# --- forgotten password: the user asks for a link ---------------------------------------------

FORGOT_LABELS = {"adress": "E-postadress eller användarnamn"}


def _forgot_page(
    request: Request[Any, Any, Any],
    *,
    status_code: int = 200,
    typed: str = "",
    errors: dict[str, str] | None = None,
    heading: str | None = None,
) -> Template:
    return _page(
        "admin/forgot_password.html",
        request,
        status_code=status_code,
        headers=NO_STORE,
        values={"adress": typed},
        errors=errors or {},
        forgot_labels=FORGOT_LABELS,
        # Too many asks is nothing wrong with the form ("Formuläret behöver rättas").
        heading=heading or "Formuläret behöver rättas",
    )


@get("/glomt-losenord", guards=[public], include_in_schema=False)
async def forgot_page(request: Request[Any, Any, Any]) -> Template:
    """Ask for a link to choose a new password (after asking, the notice says what happens)."""
    return _forgot_page(request)


@post("/glomt-losenord", guards=[public], include_in_schema=False, status_code=303)
async def forgot_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    """Mail a link to the account with that address or user name, if there is one: the next
    page says the same either way (`users.request_password_link`)."""
    values = await form_values(request)
    typed = _posted(values, "adress")
    try:
        refuse(control_problems(values, FORGOT_LABELS, only=FORGOT_LABELS))
        text = await users.request_password_link(typed, client_address(request))
    except MarketplaceError as exc:
        refused = _forgot_page(
            request,
            status_code=exc.status_code,
            typed=typed[:254],
            errors=field_errors(exc, FORGOT_LABELS) or {"adress": exc.message},
            heading="Försök igen senare" if exc.status_code == 429 else None,
        )
        refused.headers.update(exc.headers)
        return refused
    # The account is looked up, and mailed, after the answer has gone: the same answer in
    # the same time whether it exists or not.
    return Redirect(
        done("/glomt-losenord", "losenordslank-begard"),
        status_code=303,
        background=BackgroundTask(users.send_asked_link_quietly, text),
    )


# --- the link: choose a password ---------------------------------------------------------------


@get("/konto/nytt-losenord/{token:str}", guards=[public], include_in_schema=False)
async def password_page(request: Request[Any, Any, Any], token: FromPath[Token]) -> Template:
    username = await users.password_link_user(token)
    return _page(
        "admin/password_link.html",
        request,
        headers=NO_STORE,
        username=username,
        token=token,
        errors={},
        password_labels=PASSWORD_LABELS,
        done=False,
    )


@post(
    "/konto/nytt-losenord/{token:str}",
    guards=[public],
    include_in_schema=False,
    status_code=200,
)
async def password_submit(request: Request[Any, Any, Any], token: FromPath[Token]) -> Template:
    values = await form_values(request)
    # A field sent twice is read as the last, as every form reads it (the list's text became
    # the password: a hostile test of this route).
    password = _posted(values, "password")
    repeat = _posted(values, "repeat")
    try:
        # No form helper reads the passwords: invisible control characters are refused here.
        unreadable = control_problems(values, PASSWORD_LABELS, only=PASSWORD_LABELS)
        if unreadable:
            await users.password_link_user(token)  # a dead link says so first
        refuse(unreadable)
        username = await users.set_password_by_link(token, password, repeat)
    except MarketplaceError as exc:
        if exc.status_code == 404:
            raise
        return _page(
            "admin/password_link.html",
            request,
            status_code=exc.status_code,
            headers=NO_STORE,
            username=await users.password_link_user(token),
            token=token,
            errors=field_errors(exc, PASSWORD_LABELS),
            password_labels=PASSWORD_LABELS,
            done=False,
        )
    return _page(
        "admin/password_link.html",
        request,
        headers=NO_STORE,
        username=username,
        token="",
        errors={},
        password_labels=PASSWORD_LABELS,
        done=True,
    )


ROUTES = [
    forgot_page,
    forgot_submit,
    users_page,
    user_new,
    user_create,
    user_page,
    user_update,
    user_disable,
    user_enable,
    user_reset_totp,
    user_password_link,
    user_key_revoke,
    password_page,
    password_submit,
]
