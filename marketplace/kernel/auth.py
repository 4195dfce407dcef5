"""Sign-in: password rules, server-side sessions, API tokens, the auth middleware and guards.

Sessions are our own, not Litestar's server-side backend, because that backend adopts a
session ID chosen by the client (session fixation). Here an ID is only ever minted at sign-in,
and only its SHA-256 is stored, so a leaked database does not leak live sessions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any, NamedTuple, NoReturn
from urllib.parse import unquote

import msgspec
import pyotp
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Scope
from piccolo.query.functions.aggregate import Max
from piccolo.table import Table

from marketplace.kernel.addresses import normalise_email, single_line
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import equals_ci, is_sqlite, write_transaction
from marketplace.kernel.errors import Forbidden, TooManyRequests, Unauthenticated, ValidationFailed
from marketplace.kernel.mail import queue_mail
from marketplace.kernel.ratelimit import limiter_for
from marketplace.kernel.settings import Settings, get_settings
from marketplace.kernel.tables import (
    ROLES,
    ApiToken,
    LoginOrigin,
    PasswordLink,
    User,
    UserSession,
)

log = logging.getLogger("marketplace")

SESSION_COOKIE = "mp_session"
# A participant's sign-in on Mina sidor (`participants.sessions`), named here so that the
# public pages, below that package, can tell a signed-in participant from a visitor.
PARTICIPANT_SESSION_COOKIE = "mp_deltagare"
CSRF_HEADER = "x-csrftoken"
# Refresh `last_seen_at` at most this often, so that reads do not each cost a write.
_TOUCH_INTERVAL = dt.timedelta(seconds=60)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AuthUser(msgspec.Struct, frozen=True):
    """Who is calling: the signed-in user, as the rest of the code sees them."""

    id: int
    username: str
    role: str
    name: str
    email: str
    team: str
    via: str  # "session" or "token"
    session_id: int | None = None
    csrf_token: str = ""

    @property
    def is_staff(self) -> bool:
        """Coordinators and admins act for any host."""
        return self.role in {"admin", "coordinator"}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- passwords -------------------------------------------------------------------------------


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("marketplace").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line and not line.startswith("#")
    )


def check_password_policy(password: str, username: str = "") -> None:
    """Raise `ValidationFailed` unless the password is long, varied and not a known one.
    Characters are counted as written ("å" is one, however the computer sent it)."""
    password = unicodedata.normalize("NFC", password)
    if len(password) < User._min_password_length:
        raise ValidationFailed(
            f"Lösenordet måste ha minst {User._min_password_length} tecken.", fields=["password"]
        )
    if len(password) > User._max_password_length:
        raise ValidationFailed("Lösenordet är för långt (högst 256 tecken).", fields=["password"])
    folded = password.casefold()
    if folded in _common_passwords() or len(set(folded)) < 4:
        raise ValidationFailed(
            "Lösenordet är för vanligt och lätt att gissa. Välj en längre fras.",
            fields=["password"],
        )
    if username and username.casefold() in folded:
        raise ValidationFailed("Lösenordet får inte innehålla användarnamnet.", fields=["password"])


# --- users -----------------------------------------------------------------------------------


USERNAME_TAKEN = "Användarnamnet används redan av en annan användare. Välj ett annat."
# A user name is typed at sign-in and read in logs and lists: letters, digits and . _ - @,
# no spaces or markup ("walk5 med mellanslag" and "<script>x</script>" were accepted).
USERNAME_FORM = re.compile(r"[\w.@-]{2,100}")
BAD_USERNAME = (
    "Användarnamnet får bara ha bokstäver, siffror, punkt, bindestreck, understreck och @, "
    "utan mellanslag, och 2–100 tecken."
)


def username_problem(username: str) -> str | None:
    """Why a new user name cannot be used as it is written, or None."""
    composed = unicodedata.normalize("NFC", username.strip())
    return None if USERNAME_FORM.fullmatch(composed) else BAD_USERNAME


EMAIL_TAKEN = "En annan användare har redan den e-postadressen."


async def taken(
    username: str | None, email: str | None, *, other_than: int | None = None
) -> dict[str, str]:
    """Which of a user name and an e-mail address another account than `other_than` already
    has, each with its message on its own field (`username`, `email`); one not taken, blank
    or not a valid address is left out (its own check says what is wrong with it)."""
    found: dict[str, str] = {}
    others = User.id != other_than if other_than is not None else None
    name = (username or "").strip()
    if name:
        # Case does not make another user name: "SAMORDNARE" beside "samordnare" looked
        # like the same person in every list and log.
        same = equals_ci(User.username, name)
        if await User.exists().where(same if others is None else same & others):
            found["username"] = USERNAME_TAKEN
    try:
        address = normalise_email(email, required=False)
    except ValidationFailed:
        address = ""
    if address:
        where = User.email == address
        if await User.exists().where(where if others is None else where & others):
            found["email"] = EMAIL_TAKEN
    return found


async def create_user(
    username: str,
    password: str,
    role: str,
    *,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    team: str = "",
) -> User:
    """Create an active user after checking the role, the password rules and uniqueness."""
    if role not in ROLES:
        raise ValidationFailed(
            f"Okänd roll {role!r}. Välj en av: {', '.join(ROLES)}.", fields=["role"]
        )
    username = unicodedata.normalize("NFC", username.strip())  # as sign-in reads it
    if problem := username_problem(username):
        raise ValidationFailed(problem, fields=["username"], errors={"username": problem})
    check_password_policy(password, username)
    for field, label, value in (
        ("username", "Användarnamnet", username),
        ("first_name", "Förnamnet", first_name),
        ("last_name", "Efternamnet", last_name),
    ):
        single_line(value, field, label=label)
    # Stored lower-cased, so that one mailbox is one account and matches are exact. Without
    # an address the user gets a placeholder that can never receive mail.
    email = normalise_email(email, required=False) or f"{username.lower()}@example.invalid"
    if clashes := await taken(username, email):
        raise ValidationFailed.every(clashes)
    user = User(
        username=username,
        password=password,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        team=team,
        active=True,
        admin=role == "admin",
        superuser=role == "admin",
    )
    await user.save()
    if role == "coordinator":
        await number_coordinators()
    return user


async def set_active(username: str, active: bool) -> User:
    """Enable or disable a user; disabling ends all their sessions and tokens at once.
    Either way the user's unused links to choose a password end (`end_password_links`): a
    disabled account's link only answered "ask an admin for a new link", and it worked
    again once the account was enabled, long after anyone remembered it."""
    user = await User.objects().where(User.username == username).first()
    if user is None:
        raise ValidationFailed(f"Användaren {username!r} finns inte.", fields=["username"])
    user.active = active
    await user.save([User.active])
    if not active:
        await UserSession.delete().where(UserSession.user == user.id)
    await end_password_links(user.id)
    return user


async def open_password_links(user_id: int) -> int:
    """How many of the user's links to choose a password are unused and not expired."""
    return int(
        await PasswordLink.count().where(
            (PasswordLink.user == user_id)
            & PasswordLink.used_at.is_null()
            & (PasswordLink.expires_at > dt.datetime.now(dt.UTC))
        )
    )


async def end_password_links(user_id: int, *, asked_only: bool = False) -> None:
    """End the user's unused links to choose a password (marked as spent now, as a newer
    link ends an older one), so that none of them works any more; with `asked_only`, only
    those asked for on the sign-in page (no admin sent them: `created_by` is empty)."""
    unused = (PasswordLink.user == user_id) & PasswordLink.used_at.is_null()
    if asked_only:
        unused &= PasswordLink.created_by.is_null()
    await PasswordLink.update({PasswordLink.used_at: dt.datetime.now(dt.UTC)}).where(unused)


async def active_coordinators() -> list[tuple[int, str]]:
    """(id, name) of every active coordinator, by id; the name falls back to the username."""
    rows = (
        await User.select(User.id, User.first_name, User.last_name, User.username)
        .where((User.role == "coordinator") & (User.active == True))  # noqa: E712
        .order_by(User.id)
    )
    return [(r["id"], f"{r['first_name']} {r['last_name']}".strip() or r["username"]) for r in rows]


async def number_coordinators() -> None:
    """Give every coordinator account that has no number yet the next one, in the order of
    the accounts' ids. A number is stored and never changed or reused: it stays with the
    account when it is disabled, when its role changes (and back), and whatever accounts are
    made or made coordinators later, so "Samordnare 3" is always the same person.

    Called where an account becomes a coordinator and before the numbers are read (which
    also numbers accounts written straight to the table, and on the first read after the
    upgrade numbers the existing coordinators in id order, which is the order they had).
    Two callers at once take turns (SQLite's write lock, PostgreSQL's advisory lock), so
    no number is given twice."""
    missing = User.role == "coordinator"
    if not await User.exists().where(missing & User.coordinator_number.is_null()):
        return
    engine = User._meta.db
    async with write_transaction(engine):
        if not is_sqlite(engine):
            await User.raw("SELECT pg_advisory_xact_lock(7262011)")  # coordinator numbers
        rows = (
            await User.select(User.id)
            .where(missing & User.coordinator_number.is_null())
            .order_by(User.id)
        )
        top = await User.select(Max(User.coordinator_number).as_alias("top")).first()
        number = int((top or {}).get("top") or 0)
        for row in rows:
            number += 1
            await User.update({User.coordinator_number: number}).where(User.id == row["id"])


async def coordinator_numbers() -> list[tuple[int, int]]:
    """(id, number) of every active coordinator, by number: the stored number of
    `number_coordinators`. What names a coordinator to a reader who may not see names; it
    never shifts, so a label in last month's export still means the same person."""
    await number_coordinators()
    rows = (
        await User.select(User.id, User.coordinator_number)
        .where(
            (User.role == "coordinator")
            & (User.active == True)  # noqa: E712
            & User.coordinator_number.is_not_null()
        )
        .order_by(User.coordinator_number)
    )
    return [(int(r["id"]), int(r["coordinator_number"])) for r in rows]


def user_name(row: Mapping[str, Any]) -> str:
    """A user's name as shown: the first and last names, or the username when both are blank."""
    name = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
    return name or str(row["username"])


async def name_of_user(user_id: int | None) -> str:
    """The shown name (`user_name`) of the user `user_id`; "" for none or one that is gone."""
    if user_id is None:
        return ""
    row = (
        await User.select(User.first_name, User.last_name, User.username)
        .where(User.id == user_id)
        .first()
    )
    return user_name(row) if row is not None else ""


def to_auth_user(row: dict[str, Any], via: str, session: dict[str, Any] | None) -> AuthUser:
    return AuthUser(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        name=user_name(row),
        email=row["email"],
        team=row.get("team") or "",
        via=via,
        session_id=session["id"] if session else None,
        csrf_token=session["csrf_token"] if session else "",
    )


_USER_COLUMNS = (
    User.id,
    User.username,
    User.role,
    User.first_name,
    User.last_name,
    User.email,
    User.team,
    User.active,
)


async def _active_user(user_id: int) -> dict[str, Any] | None:
    row = await User.select(*_USER_COLUMNS).where(User.id == user_id).first()
    if row is None or not row["active"]:
        return None
    return row


# --- sign-in with rate limits, lockout and TOTP ------------------------------------------------

# Roles that may enrol an authenticator app: those who see participants' personal data.
# Partner contacts (a handläggare at an agency) see only what a participant agreed to share,
# but that is still data under strong secrecy, so they may protect it the same way.
TOTP_ROLES = frozenset({"admin", "coordinator", "partner"})
_TOTP_STEP_S = 30


def retry_minutes(seconds: int) -> int:
    """Seconds to wait, as whole minutes for a message (at least 1)."""
    return max(1, (seconds + 59) // 60)


def totp_step_for(
    secret: str, code: str, last_step: int, at: dt.datetime | None = None
) -> int | None:
    """The time step `code` is valid for (±1 step of clock drift), if newer than `last_step`.

    Returning only steps after the last accepted one is what stops a code being used twice.
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6) or not secret:
        return None
    now_step = int((at or utcnow()).timestamp()) // _TOTP_STEP_S
    totp = pyotp.TOTP(secret)
    for step in (now_step - 1, now_step, now_step + 1):
        if step > last_step and hmac.compare_digest(totp.at(step * _TOTP_STEP_S), code):
            return step
    return None


SIGN_IN_REFUSED = (
    "Fel användarnamn eller lösenord, eller så är kontot avstängt eller tillfälligt spärrat. "
    "Kontrollera uppgifterna och försök igen om en stund, eller kontakta systemägaren."
)


async def _record_failure(row: dict[str, Any], settings: Settings) -> None:
    failures = int(row["failed_logins"] or 0) + 1
    values: dict[Any, Any] = {User.failed_logins: failures}
    if failures >= settings.lockout_threshold:
        until = utcnow() + dt.timedelta(minutes=settings.lockout_minutes)
        values[User.locked_until] = until
        values[User.failed_logins] = 0
        local = until.astimezone(STOCKHOLM).strftime("%H:%M")
        await queue_mail(
            row["email"],
            "Ditt konto är tillfälligt låst",
            f"Hej!\n\nNågon har försökt logga in på ditt konto ({row['username']}) med fel lösenord "
            f"{failures} gånger i rad. Kontot är därför spärrat för inloggning från nya platser "
            f"till kl. {local}. Från en dator eller ett nätverk där du har loggat in förut "
            "kommer du in som vanligt.\n\n"
            "Var det inte du? Byt lösenord och kontakta systemägaren.\n",
            kind="lockout",
            recipient_user_id=row["id"],
            dedupe_key=f"lockout:{row['id']}:{until.isoformat(timespec='minutes')}",
        )
    await User.update(values).where(User.id == row["id"])


def _origin_key(user_id: int, client: str) -> str:
    """A keyed hash of (user, address): the address itself is never stored."""
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, f"{user_id}\0{client}".encode(), hashlib.sha256).hexdigest()


async def _known_origin(user_id: int, client: str) -> bool:
    return await LoginOrigin.exists().where(LoginOrigin.key_hash == _origin_key(user_id, client))


async def _remember_origin(user_id: int, client: str) -> None:
    key = _origin_key(user_id, client)
    updated = (
        await LoginOrigin.update({LoginOrigin.last_success_at: utcnow()})
        .where(LoginOrigin.key_hash == key)
        .returning(LoginOrigin.id)
    )
    if not updated:
        await LoginOrigin.insert(LoginOrigin(key_hash=key, user=user_id)).on_conflict(
            action="DO NOTHING"
        )


async def authenticate(username: str, password: str, otp: str, client: str) -> int:
    """Check a sign-in attempt and return the user's id, or raise a clear 401/429.

    How guessing is slowed without letting a stranger lock the owner out:

    - Only failed attempts count, and only after the password has been checked.
    - Failures count per client address (any user name) and per (user name, address); both
      budgets refuse with 429 before the password is checked. They are kept the same way
      for names that exist and names that do not, so a 429 says nothing about the account.
      Shared by all workers when Redis is configured.
    - Wrong passwords in a row on one account, from any address, lock it for a while and
      mail its owner (a guard against guessing spread over many addresses). The lock binds
      new addresses only: the right password (and TOTP code) from an address this user has
      signed in from before still passes, so an attacker cannot keep the owner out.
    - Every refusal of the password step answers the same 401 and the same message,
      whether the name is unknown, the password wrong, the account disabled or locked; each
      costs the same argon2 work (dummy hashes for unknown names), so timing agrees too.

    Admins and coordinators who enrolled a TOTP app must also give a fresh code.
    """
    settings = get_settings()
    limiter = limiter_for(settings)
    name = unicodedata.normalize("NFC", username)[:100]  # "Åsa" as a Mac may send it
    pair_key = "login:pair:" + _sha256(f"{name.strip().casefold()}\0{client}")
    client_key = f"login:client:{client}"
    client_seen = await limiter.peek(client_key, settings.login_limit_per_client, 300)
    if not client_seen.allowed:
        raise TooManyRequests(
            "För många misslyckade inloggningar härifrån. Försök igen om "
            f"{retry_minutes(client_seen.retry_after)} minuter.",
            retry_after=client_seen.retry_after,
        )
    pair_seen = await limiter.peek(pair_key, settings.login_limit_per_account, 900)
    if not pair_seen.allowed:
        raise TooManyRequests(
            "För många misslyckade inloggningar med det användarnamnet härifrån. Försök igen "
            f"om {retry_minutes(pair_seen.retry_after)} minuter.",
            retry_after=pair_seen.retry_after,
        )

    async def refuse(message: str = SIGN_IN_REFUSED, fields: list[str] | None = None) -> NoReturn:
        await limiter.hit(client_key, settings.login_limit_per_client, 300)
        await limiter.hit(pair_key, settings.login_limit_per_account, 900)
        raise Unauthenticated(message, fields=fields)

    row = (
        await User.select(
            User.id,
            User.username,
            User.email,
            User.failed_logins,
            User.locked_until,
            User.totp_enabled,
            User.totp_secret,
            User.totp_last_step,
        )
        .where(User.username == name)
        .first()
    )
    # One argon2 verification for every attempt (User.login hashes for unknown names).
    written = unicodedata.normalize("NFC", password)  # the length the policy counts
    user_id = await User.login(name, password if len(written) <= 256 else written[:256])
    if row is None or user_id is None:
        if row is not None:
            await _record_failure(row, settings)
        await refuse()
    locked = row["locked_until"] is not None and row["locked_until"] > utcnow()
    if locked and not await _known_origin(user_id, client):
        # The right password, but from a new address while the account is locked: refuse it
        # exactly like a wrong one (it is no failure of the owner's, so it is not counted).
        await refuse()
    if row["totp_enabled"]:
        if not otp.strip():
            raise Unauthenticated("Ange engångskoden från din autentiseringsapp.", fields=["otp"])
        step = totp_step_for(row["totp_secret"], otp, int(row["totp_last_step"] or 0))
        # The conditional update makes two simultaneous uses of one code impossible.
        claimed = step is not None and await User.update({User.totp_last_step: step}).where(
            (User.id == user_id) & (User.totp_last_step < step)
        ).returning(User.id)
        if not claimed:
            await _record_failure(row, settings)
            await refuse("Engångskoden är fel eller redan använd.", ["otp"])
    await User.update(
        {
            User.failed_logins: 0,
            User.locked_until: None,
            # BaseUser.last_login is a naive timestamp column; store UTC in it.
            User.last_login: utcnow().replace(tzinfo=None),
        }
    ).where(User.id == user_id)
    await limiter.reset(pair_key)
    await _remember_origin(user_id, client)
    return user_id


class TotpStarted(NamedTuple):
    """An enrolment just begun: the new secret's provisioning URI, and whether it switched
    off a second factor that was on (what the audit log records)."""

    uri: str
    switched_off: bool


async def start_totp_enrolment(user_id: int, code: str = "") -> TotpStarted:
    """Give the user a new TOTP secret (not yet required): its provisioning URI, and whether
    the factor was on until now.

    A new secret switches the second factor off until it is confirmed again, so a user who
    already has it on must prove it with a current code first: a stolen session (or a
    password alone) must not be enough to remove the factor that protects the account.
    Audited by `second_factor.start`, which the pages and the API call.
    """
    was_on = await require_current_totp(user_id, code)
    secret = pyotp.random_base32()
    await User.update({User.totp_secret: secret, User.totp_enabled: False}).where(
        User.id == user_id
    )
    uri = await pending_totp_uri(user_id)
    assert uri is not None
    return TotpStarted(uri, was_on)


async def pending_totp_uri(user_id: int) -> str | None:
    """The provisioning URI of the secret an enrolment started and the user has not yet
    confirmed (`start_totp_enrolment`); None when there is none, or the factor is on."""
    row = (
        await User.select(User.username, User.totp_secret, User.totp_enabled)
        .where(User.id == user_id)
        .first()
    )
    if row is None or row["totp_enabled"] or not row["totp_secret"]:
        return None
    return pyotp.TOTP(row["totp_secret"]).provisioning_uri(
        name=row["username"], issuer_name="Praktikplatser"
    )


async def totp_is_on(user_id: int) -> bool:
    """Whether the user's sign-in asks for a code from their authenticator app."""
    row = await User.select(User.totp_enabled).where(User.id == user_id).first()
    return bool(row and row["totp_enabled"])


async def require_current_totp(user_id: int, code: str) -> bool:
    """If the user has TOTP on, claim a current, unused code or refuse (400 / 403); True
    when the factor is on (and a code was claimed), False when there is nothing to prove.

    The code's time step is claimed with a conditional update, so it cannot be used again,
    neither for this nor for a sign-in.
    """
    row = (
        await User.select(User.totp_enabled, User.totp_secret, User.totp_last_step)
        .where(User.id == user_id)
        .first()
    )
    if row is None or not row["totp_enabled"]:
        return False
    if not code.strip():
        raise ValidationFailed(
            "Tvåstegsverifieringen är på. Ange en aktuell engångskod från din "
            "autentiseringsapp för att byta eller stänga av den.",
            fields=["code"],
        )
    step = totp_step_for(row["totp_secret"], code, int(row["totp_last_step"] or 0))
    claimed = step is not None and await User.update({User.totp_last_step: step}).where(
        (User.id == user_id) & (User.totp_last_step < step)
    ).returning(User.id)
    if not claimed:
        raise Forbidden(
            "Engångskoden är fel eller redan använd. Ange koden som appen visar just nu.",
            fields=["code"],
        )
    return True


async def confirm_totp_enrolment(user_id: int, code: str) -> bool:
    """Turn the second factor on once the user proves their app shows the right code; True
    when this turned it on, False when it already was (the code is spent either way).
    Audited by `second_factor.confirm`, which the pages and the API call."""
    row = await User.select(User.totp_secret, User.totp_last_step).where(User.id == user_id).first()
    if row is None or not row["totp_secret"]:
        raise ValidationFailed("Starta registreringen av autentiseringsappen först.")
    step = totp_step_for(row["totp_secret"], code, int(row["totp_last_step"] or 0))
    if step is None:
        raise ValidationFailed(
            "Koden stämmer inte. Kontrollera klockan i telefonen.", fields=["code"]
        )
    # Conditional, so that of two confirmations at once only one reads as turning it on.
    turned_on = await (
        User.update({User.totp_enabled: True, User.totp_last_step: step})
        .where((User.id == user_id) & (User.totp_enabled == False))  # noqa: E712
        .returning(User.id)
    )
    if not turned_on:
        await User.update({User.totp_last_step: step}).where(User.id == user_id)
    return bool(turned_on)


# --- sessions --------------------------------------------------------------------------------


def session_lapsed(session: Mapping[str, Any], settings: Settings, now: dt.datetime) -> bool:
    """Whether a session row (its `created_at` and `last_seen_at`) is past the idle limit or
    the absolute one: the same rules for staff and for participants."""
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    absolute = dt.timedelta(hours=settings.session_absolute_hours)
    seen: dt.datetime = session["last_seen_at"]
    created: dt.datetime = session["created_at"]
    return now - seen > idle or now - created > absolute


async def touch_session(table: type[Table], session: Mapping[str, Any], now: dt.datetime) -> None:
    """Note that the session row (`id`, `last_seen_at`) of `table` was seen `now`: at most once
    a minute, so that a page of many requests writes once."""
    if now - session["last_seen_at"] > _TOUCH_INTERVAL:
        last_seen = table._meta.get_column_by_name("last_seen_at")
        await table.update({last_seen: now}).where(table._meta.primary_key == session["id"])


async def start_session(user_id: int, previous_raw_id: str | None = None) -> tuple[str, str]:
    """Mint a brand-new session for the user; end the previous one if any.

    Returns (raw session ID for the cookie, CSRF token). A client-chosen ID is never adopted.
    """
    if previous_raw_id:
        await end_session(previous_raw_id)
    raw = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    await UserSession(token_hash=_sha256(raw), user=user_id, csrf_token=csrf).save()
    return raw, csrf


async def end_session(raw_id: str) -> None:
    await UserSession.delete().where(UserSession.token_hash == _sha256(raw_id))


async def resolve_session(raw_id: str, settings: Settings) -> AuthUser | None:
    """The user behind a session cookie, or None if unknown, expired or the user disabled."""
    session = (
        await UserSession.select(
            UserSession.id,
            UserSession.user,
            UserSession.csrf_token,
            UserSession.created_at,
            UserSession.last_seen_at,
        )
        .where(UserSession.token_hash == _sha256(raw_id))
        .first()
    )
    if session is None:
        return None
    now = utcnow()
    if session_lapsed(session, settings, now):
        await UserSession.delete().where(UserSession.id == session["id"])
        return None
    row = await _active_user(session["user"])
    if row is None:
        await UserSession.delete().where(UserSession.id == session["id"])
        return None
    await touch_session(UserSession, session, now)
    return to_auth_user(row, "session", session)


# --- API tokens ------------------------------------------------------------------------------

TOKEN_PREFIX = "mpt_"  # noqa: S105 - a public prefix, not a secret
# Every token expires: 90 days unless asked otherwise, never more than a year. A token from
# before expiry existed (no `expires_at`) counts as expiring a year after it was made.
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365


def token_expiry(created_at: dt.datetime, expires_at: dt.datetime | None) -> dt.datetime:
    """When a token stops working."""
    return expires_at or created_at + dt.timedelta(days=TOKEN_MAX_DAYS)


async def create_token(username: str, name: str, days: int = TOKEN_DEFAULT_DAYS) -> tuple[int, str]:
    """Create an API token for a user that works for `days` days (1–365).

    The raw token is returned once and never stored."""
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationFailed(
            f"En API-nyckel kan gälla i 1–{TOKEN_MAX_DAYS} dagar.", fields=["days"]
        )
    user = await User.select(User.id, User.active).where(User.username == username).first()
    if user is None or not user["active"]:
        raise ValidationFailed(f"Användaren {username!r} finns inte eller är avstängd.")
    name = name.strip() or "token"
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name[:100],
        prefix=raw[:12],
        token_hash=_sha256(raw),
        user=user["id"],
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    await token.save()
    return int(token.id), raw


async def revoke_token(token_id: int, owner_id: int | None = None) -> bool:
    """Revoke a token by id (only the owner's, when `owner_id` is given). True if revoked."""
    query = ApiToken.update({ApiToken.revoked_at: utcnow()}).where(
        (ApiToken.id == token_id) & ApiToken.revoked_at.is_null()
    )
    if owner_id is not None:
        query = query.where(ApiToken.user == owner_id)
    rows = await query.returning(ApiToken.id)
    return bool(rows)


async def resolve_token(raw: str) -> AuthUser | None:
    token = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.user,
            ApiToken.last_used_at,
            ApiToken.created_at,
            ApiToken.expires_at,
        )
        .where((ApiToken.token_hash == _sha256(raw)) & ApiToken.revoked_at.is_null())
        .first()
    )
    if token is None:
        return None
    now = utcnow()
    if token_expiry(token["created_at"], token["expires_at"]) <= now:
        return None
    row = await _active_user(token["user"])
    if row is None:
        return None
    if token["last_used_at"] is None or now - token["last_used_at"] > _TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == token["id"])
    return to_auth_user(row, "token", None)


# --- middleware and guards -------------------------------------------------------------------


def request_path(scope: Any) -> str:
    """The path the client asked for, decoded as the router decodes it ("/%61pi/v1" is
    "/api/v1": read raw, it escaped the API's CSRF check while the router served the API).
    Inside a mounted app (the static files at /static/) Litestar has already cut
    `scope["path"]` down to the rest after the mount point, so the raw path is the start."""
    raw = scope.get("raw_path")
    if isinstance(raw, bytes) and raw:
        return unquote(raw.decode("latin-1"))
    return str(scope["path"])


def _routed_path(scope: Any) -> str:
    """The path of the route the router chose ("/api/v1/tokens" however the address was
    escaped), or the requested path where none was chosen."""
    return str(scope.get("path_template") or request_path(scope))


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Resolve the caller from a Bearer token or the session cookie; anonymous is allowed.

    Guards decide per route. Cookie-authenticated unsafe calls to the JSON API must echo the
    session's CSRF token in `X-CSRFToken`; token-authenticated calls carry no ambient
    authority and need no CSRF token. HTML forms are covered by Litestar's CSRF middleware.
    """

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        settings = get_settings()
        header = connection.headers.get("authorization", "")
        if header:
            scheme, _, credentials = header.partition(" ")
            if scheme.lower() != "bearer" or not credentials.strip():
                raise Unauthenticated("Ange en API-nyckel som 'Authorization: Bearer …'.")
            user = await resolve_token(credentials.strip())
            if user is None:
                raise Unauthenticated(
                    "API-nyckeln är ogiltig, har gått ut eller är återkallad. Skapa en ny."
                )
            return AuthenticationResult(user=user, auth="token")
        raw = connection.cookies.get(SESSION_COOKIE)
        if not raw:
            return AuthenticationResult(user=None, auth=None)
        user = await resolve_session(raw, settings)
        if user is None:
            return AuthenticationResult(user=None, auth=None)
        if (
            connection.scope.get("method") in UNSAFE_METHODS
            and _routed_path(connection.scope).startswith("/api/")
            and not hmac.compare_digest(connection.headers.get(CSRF_HEADER, ""), user.csrf_token)
        ):
            raise Forbidden(
                "CSRF-token saknas eller stämmer inte. Skicka sessionens token i X-CSRFToken."
            )
        return AuthenticationResult(user=user, auth="session")


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> AuthUser | None:
    user = connection.scope.get("user")
    return user if isinstance(user, AuthUser) else None


async def identify_for_error_page(_: Exception, scope: Scope) -> None:
    """The app's `after_exception` hook: who asked, for the error page's menu.

    An address no route answers (404), or one that takes another method (405: the
    assessment's address, POST only, opened from the address bar), is refused by the router
    before any route's `AuthMiddleware` has read the session; the error page then offered
    "Logga in" to a signed-in host, who took it that the session was gone. The session's user
    is read here instead (the cookie only: a token's caller gets JSON, with no menu). The
    page is an error page either way: a session that cannot be read leaves it anonymous."""
    if "user" in scope or scope["type"] != "http":
        return  # the middleware has read it (or refused the request), or no page is shown
    connection = ASGIConnection[Any, Any, Any, Any](scope)
    raw = connection.cookies.get(SESSION_COOKIE)
    if not raw or "text/html" not in connection.headers.get("accept", ""):
        return
    try:
        scope["user"] = await resolve_session(raw, get_settings())
    except Exception as exc:  # the database down: the error page is shown, anonymous
        log.warning("error page: the session could not be read: %s: %s", type(exc).__name__, exc)


def signed_in_user(connection: ASGIConnection[Any, Any, Any, Any]) -> AuthUser:
    """The signed-in user of a route whose guard lets only users through (401 otherwise)."""
    user = current_user(connection)
    if user is None:
        raise Unauthenticated("Du behöver logga in.")
    return user


def requires(*roles: str) -> Guard:
    """A guard that lets only signed-in users with one of `roles` through (401 / 403)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise Unauthenticated("Du behöver logga in.")
        if user.role not in roles:
            raise Forbidden("Din roll har inte behörighet till den här sidan eller åtgärden.")

    guard.__name__ = f"requires_{'_'.join(roles)}"
    # The access matrix test reads the roles off the guard; a function has no such attribute.
    guard.roles = frozenset(roles)  # type: ignore[attr-defined]
    return guard


def public(_: ASGIConnection[Any, Any, Any, Any], __: BaseRouteHandler) -> None:
    """The explicit guard of routes anyone may call, signed in or not."""


signed_in = requires(*ROLES)
# API tokens are for integrations of the roles that have an API; a partner contact has
# pages only (their own list and summaries), so no token can widen what they reach.
API_ROLES = tuple(r for r in ROLES if r != "partner")
api_roles = requires(*API_ROLES)
staff = requires("admin", "coordinator")
admin_only = requires("admin")


def route_guards(handler: BaseRouteHandler) -> list[Any]:
    """The guard functions a route resolves to (Litestar wraps sync guards; unwrap them)."""
    return [getattr(g, "func", g) for g in handler.resolve_guards()]
