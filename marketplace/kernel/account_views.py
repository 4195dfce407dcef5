"""The signed-in user's own account page (`/konto`, Mitt konto): API keys, two-step sign-in and the own password.

The pages' face of what the JSON API does at `/api/v1/tokens` and `/api/v1/me/totp`. Both
call the same kernel functions (`api_keys` for keys, `second_factor` for the second factor),
so the rules are one: only a signed-in session makes a key, making and revoking one is
audited, a user whose second factor is on gives a current code before replacing it, and
turning the factor on or off is audited.

Who sees what follows the API's guards: API keys for the roles that have an API
(`auth.API_ROLES`, not partner contacts), the second factor for those who may enrol
(`auth.TOTP_ROLES`). A new key's secret and a new authenticator secret are shown once, on
the page the form answers with (never cached), and never again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import pyotp
import segno
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from marketplace.kernel import api_keys, auth, passwords, second_factor
from marketplace.kernel.auth import AuthUser, api_roles, requires, signed_in
from marketplace.kernel.errors import MarketplaceError
from marketplace.kernel.forms import (
    Form,
    Landing,
    NoFields,
    confirmed,
    control_problems,
    field_errors,
    form_values,
    refuse,
    round_trip,
)
from marketplace.kernel.notices import done
from marketplace.kernel.paging import PageNumber, check_page
from marketplace.kernel.schemas import KeyDays, KeyName, TokenOut, TotpConfirm, TotpStart
from marketplace.kernel.views import page

ACCOUNT = "/konto"
KEYS_PER_PAGE = 20
NO_STORE = {"cache-control": "no-store"}
totp_roles = requires(*sorted(auth.TOTP_ROLES))


@dataclass(frozen=True)
class KeyList:
    """One page of the user's keys, newest first: `number` of `pages`, `total` in all."""

    total: int
    shown: list[TokenOut]
    number: int
    pages: int


class KeyForm(msgspec.Struct):
    """The page's form for a new key: the API's `TokenCreate` under names of the page's own
    (a form's labels name its fields for every message, and `days` is a participant's field)."""

    key_name: KeyName
    key_days: KeyDays = auth.TOKEN_DEFAULT_DAYS


KEY_LABELS = {"key_name": "Namn på nyckeln", "key_days": "Antal dagar"}
PASSWORD_LABELS = {
    "current_password": "Nuvarande lösenord",
    "password": "Nytt lösenord",
    "repeat": "Samma nya lösenord en gång till",
}
CODE_LABELS = {"code": "Koden"}
KEY_FORM = Form(KeyForm, labels=KEY_LABELS)
TOTP_START_FORM = Form(TotpStart, labels=CODE_LABELS)
TOTP_CONFIRM_FORM = Form(TotpConfirm, labels=CODE_LABELS)
REVOKE_UNCONFIRMED = "Kryssa i rutan ”Ja, återkalla nyckeln” för att återkalla den."
REVOKE_FORM = confirmed("confirm", REVOKE_UNCONFIRMED)


def revoke_box(token_id: int) -> str:
    """The id of one key's "Ja, återkalla" box on a page listing many (its form posts it as
    `confirm`): a refused revocation's message stands next to that key's box only."""
    return f"confirm-{token_id}"


def at_key(errors: dict[str, str], token_id: int) -> dict[str, str]:
    """A refused revocation's messages, the box's moved to that key's box."""
    return {revoke_box(token_id) if k == "confirm" else k: v for k, v in errors.items()}


async def _account(
    request: Request[AuthUser, Any, Any],
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    page_number: int = 1,
) -> Template:
    """Mitt konto: the user, their keys a page at a time and the new key's form (with what
    was typed, when it was refused), and the second factor."""
    user = request.user
    context: dict[str, Any] = {}
    if user.role in auth.API_ROLES:
        offset = (page_number - 1) * KEYS_PER_PAGE
        total, keys = await api_keys.list_keys(
            user.id, limit=KEYS_PER_PAGE, offset=offset, newest_first=True
        )
        pages = check_page(page_number, total, KEYS_PER_PAGE)
        context["keys"] = KeyList(total, keys, page_number, pages)
    if user.role in auth.TOTP_ROLES:
        context["totp_on"] = await auth.totp_is_on(user.id)
    return page(
        "account.html",
        request,
        status_code=status_code,
        values=values if values is not None else {"key_days": auth.TOKEN_DEFAULT_DAYS},
        errors=errors or {},
        labels={**KEY_LABELS, **CODE_LABELS, **PASSWORD_LABELS},
        password_labels=PASSWORD_LABELS,
        max_days=auth.TOKEN_MAX_DAYS,
        **context,
    )


@get(ACCOUNT, guards=[signed_in], include_in_schema=False, name="account-page")
async def account_page(request: Request[AuthUser, Any, Any], sida: PageNumber = 1) -> Template:
    """The signed-in user's own account: API keys and two-step sign-in."""
    return await _account(request, page_number=sida)


@post(f"{ACCOUNT}/api-nycklar", guards=[api_roles], include_in_schema=False, status_code=200)
async def key_create(request: Request[AuthUser, Any, Any]) -> Response[Any]:
    """Make a key; the answer is the page that shows its secret, this once."""

    async def create(data: KeyForm) -> Response[Any]:
        key = await api_keys.create_key(request.user, data.key_name, data.key_days)
        shown = page("account_key_created.html", request, key=key)
        shown.headers.update(NO_STORE)
        return shown

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        return await _account(request, status_code=status_code, values=values, errors=errors)

    return await round_trip(request, KEY_FORM, create, refused)


@post(
    f"{ACCOUNT}/api-nycklar/{{token_id:int}}/aterkalla",
    guards=[api_roles],
    include_in_schema=False,
    status_code=303,
)
async def key_revoke(
    request: Request[AuthUser, Any, Any], token_id: FromPath[int]
) -> Response[Any]:
    """Revoke one of the user's own keys, once its box is ticked."""

    async def revoke(_: NoFields) -> Landing:
        await api_keys.revoke_key(request.user, token_id, request.user.id)
        return f"{ACCOUNT}#api-nycklar", "api-nyckel-aterkallad"

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        return await _account(request, status_code=status_code, errors=at_key(errors, token_id))

    return await round_trip(request, REVOKE_FORM, revoke, refused)


def _qr_svg(uri: str) -> str:
    """The otpauth URI as a QR code, inline SVG (no image request, nothing cached): what an
    authenticator app scans to add the account."""
    code = segno.make(uri, error="m")
    return str(code.svg_inline(scale=4, border=4, light="#fff", svgclass="qr", title=QR_TITLE))


QR_TITLE = "QR-kod med nyckeln för autentiseringsappen"


def _enrolment_page(
    request: Request[AuthUser, Any, Any],
    uri: str,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """The page that shows a new authenticator secret (and its otpauth URI) and asks for the
    app's code (with the refused one and its message, when there was one); never cached."""
    secret = pyotp.parse_uri(uri).secret
    shown = page(
        "account_totp.html",
        request,
        status_code=status_code,
        uri=uri,
        secret=secret,
        secret_groups=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr_svg=_qr_svg(uri),
        values=values or {},
        errors=errors or {},
        labels=CODE_LABELS,
    )
    shown.headers.update(NO_STORE)
    return shown


@post(f"{ACCOUNT}/tvasteg", guards=[totp_roles], include_in_schema=False, status_code=200)
async def totp_start(request: Request[AuthUser, Any, Any]) -> Response[Any]:
    """Begin adding an authenticator app: a new secret, shown once with the code form. A user
    whose second factor is on gives a current code first."""

    async def start(data: TotpStart) -> Response[Any]:
        uri = await second_factor.start(request.user, data.code)
        return _enrolment_page(request, uri)

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        return await _account(request, status_code=status_code, errors=errors)

    return await round_trip(request, TOTP_START_FORM, start, refused)


@post(f"{ACCOUNT}/tvasteg/bekrafta", guards=[totp_roles], include_in_schema=False, status_code=303)
async def totp_confirm(request: Request[AuthUser, Any, Any]) -> Response[Any]:
    """Turn the second factor on with a code from the app; a wrong code shows the secret
    again with the message."""

    async def confirm(data: TotpConfirm) -> Landing:
        await second_factor.confirm(request.user, data.code)
        return f"{ACCOUNT}#tvasteg", "tvasteg-pa"

    async def refused(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Template:
        uri = await auth.pending_totp_uri(request.user.id)
        if uri is None:
            return await _account(request, status_code=status_code, errors=errors)
        return _enrolment_page(request, uri, status_code=status_code, values=values, errors=errors)

    return await round_trip(request, TOTP_CONFIRM_FORM, confirm, refused)


@post(f"{ACCOUNT}/losenord", guards=[signed_in], include_in_schema=False, status_code=303)
async def password_change(request: Request[AuthUser, Any, Any]) -> Response[Any]:
    """Change one's own password with the current one (`passwords.change_password`). The
    passwords are read as typed (no form helper trims them) and never shown again: a
    refused form comes back with its boxes empty."""
    values = await form_values(request)
    # A field sent twice is read as the last, as every form reads it (a list's text became
    # the password: an attack on this route).
    typed = {name: _last(values.get(name)) for name in PASSWORD_LABELS}
    try:
        refuse(control_problems(values, PASSWORD_LABELS, only=PASSWORD_LABELS))
        await passwords.change_password(
            request.user, typed["current_password"], typed["password"], typed["repeat"]
        )
    except MarketplaceError as exc:
        if exc.status_code in (401, 403):
            raise
        # A wrong password, a weak new one, too many tries (429): said on the page.
        shown = await _account(
            request, status_code=exc.status_code, errors=field_errors(exc, PASSWORD_LABELS)
        )
        shown.headers.update(exc.headers)
        return shown
    return Redirect(done(f"{ACCOUNT}#losenord", "losenord-bytt"), status_code=303)


def _last(value: object) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "")


ROUTES = [account_page, key_create, key_revoke, totp_start, totp_confirm, password_change]
