"""User management for admins, in the Swedish UI: list, create staff accounts, change name,
e-mail, role and team, disable and enable, reset the second factor, and send a link to choose
a new password. Every change is audited (subject type "user").

A new staff account gets no password from the admin: it gets a single-use link by mail
(`mp_password_link`, only a SHA-256 of the token is stored, valid `LINK_DAYS` days), so no
admin ever knows another person's password. A disabled account gets no link, and disabling
ends its unused ones (`kernel.auth.set_active`), so that no link waits for an account that
cannot use it, nor comes back when it is enabled. Host users are invited from their
organisation's page (employers' invitations), because they belong to an organisation.

Rules that keep the service usable:
- an admin cannot disable themselves or take away their own admin role (no lock-out);
- the last active admin stays an active admin;
- a coordinator with active participants keeps the role until the participants are handed
  over (otherwise nobody may see them).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

import msgspec

from admin.rows import UserListRow, ValidPasswordLink
from admin.services import undelivered
from marketplace.kernel import accounts, auth, passwords
from marketplace.kernel.addresses import normalise_email, single_line
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser, user_name
from marketplace.kernel.db import equals_ci, label_order, sort_term, write_transaction
from marketplace.kernel.errors import (
    Conflict,
    MarketplaceError,
    NotFound,
    Problems,
    ValidationFailed,
)
from marketplace.kernel.mail import queue_template_mail
from marketplace.kernel.paging import check_page
from marketplace.kernel.ratelimit import limiter_for, spend
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import PasswordLink, User, UserSession
from marketplace.kernel.tokens import new_token, token_hash
from placements.services import partners
from placements.tables import Candidate

log = logging.getLogger("marketplace")

LINK_DAYS = 7
LINK_LIFE = dt.timedelta(days=LINK_DAYS)
# A link the user asked for on the sign-in page: whoever reads the mailbox within the hour.
ASKED_LINK_LIFE = dt.timedelta(hours=1)
LINK_PATH = "/konto/nytt-losenord"
USER_NOT_FOUND = accounts.USER_NOT_FOUND
INVALID_LINK = (
    "Länken är ogiltig, redan använd eller för gammal. Be om en ny under ”Glömt lösenordet?” "
    "på inloggningssidan, eller be en administratör skicka en."
)
ROLE_TEXT = {
    "admin": "Administratör",
    "coordinator": "Samordnare",
    "analyst": "Analytiker",
    "host": "Värd",
    "partner": "Partnerkontakt",
}
# Roles an admin creates here; a partner contact (a handläggare at an agency that cooperates
# under a local agreement) is bound to one agency when created.
STAFF_ROLES = ("coordinator", "analyst", "admin", "partner")
# A role bound to an organisation: never changed to or from (create a new account instead).
BOUND_ROLES = ("host", "partner")
SORTS = {
    "namn": ("last_name", True),
    "anvandarnamn": ("username", True),
    "roll": ("role", True),
    "skapad": ("created_at", False),
}
PER_PAGE = 50
CHOOSE_AGENCY = "Välj vilken myndighet partnerkontakten arbetar på."
NO_AGENCY = "Bara en partnerkontakt hör till en myndighet. Välj ingen myndighet för den här rollen."

StaffRole = Literal["coordinator", "analyst", "admin", "partner"]
Role = Literal["coordinator", "analyst", "admin", "host", "partner"]
Short = msgspec.Meta(max_length=100)


class StaffUserCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    username: Any
    first_name: Any
    last_name: Any
    email: Any
    role: StaffRole
    team: Any = ""
    agency_id: int | None = None


class UserUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    first_name: Any
    last_name: Any
    email: Any
    role: Role
    team: Any = ""


class UserRow(msgspec.Struct, kw_only=True):
    id: int
    username: str
    first_name: str
    last_name: str
    name: str
    email: str
    role: str
    role_text: str
    team: str
    active: bool
    totp_enabled: bool
    created_at: dt.datetime | None
    open_link: bool = False
    agency: str = ""


class UserPage(msgspec.Struct, kw_only=True):
    rows: list[UserRow]
    total: int
    page: int
    pages: int


def _text(value: Any, field: str, label: str, *, required: bool, max_length: int = 100) -> str:
    text = single_line(str(value or "").strip(), field, label=label)
    if required and not text:
        raise ValidationFailed(f"Fyll i {label.lower()}.", fields=[field])
    if len(text) > max_length:
        raise ValidationFailed(f"{label} får ha högst {max_length} tecken.", fields=[field])
    return text


# The rules for each field of a new staff user, for the form to report with its other errors.
STAFF_FIELD_CHECKS: dict[str, Callable[[Any], object]] = {
    "username": lambda v: _text(v, "username", "Användarnamnet", required=True),
    "first_name": lambda v: _text(v, "first_name", "Förnamnet", required=True),
    "last_name": lambda v: _text(v, "last_name", "Efternamnet", required=True),
    "email": lambda v: normalise_email(str(v or "")),
    "team": lambda v: _text(v, "team", "Teamet", required=False),
}


def _check_all(checks: list[tuple[str, Any]], found: MarketplaceError | None = None) -> list[Any]:
    """Run every check and raise once with all problems, each on its field, with the error
    `found` before (the database's: an address already taken). Without problems of its own,
    `found` is raised as it is (a conflict stays a 409)."""
    values: list[Any] = []
    errors: dict[str, str] = {}
    for field, check in checks:
        try:
            values.append(check())
        except ValidationFailed as exc:
            values.append(None)
            for name, message in (
                exc.errors or dict.fromkeys(exc.fields or [field], exc.message)
            ).items():
                errors.setdefault(name, message)
    if found is not None:
        if not errors:
            raise found
        for name, message in (found.errors or dict.fromkeys(found.fields, found.message)).items():
            errors.setdefault(name, message)
    if errors:
        raise ValidationFailed.every(errors)
    return values


def _agency_for_role(role: str, agency_id: int | None) -> int | None:
    """A partner contact needs an agency; other roles have none."""
    if role == "partner" and agency_id is None:
        raise ValidationFailed(CHOOSE_AGENCY, fields=["agency_id"])
    if role != "partner" and agency_id is not None:
        raise ValidationFailed(NO_AGENCY, fields=["agency_id"])
    return agency_id


def agency_rule(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The new user form's rule over role and agency (`_agency_for_role`), for the form to
    report with its other problems: a partner contact without an agency, or an agency for
    another role."""
    if "role" not in data:
        return []
    agency = data.get("agency_id")
    if data["role"] == "partner" and agency is None:
        return [("agency_id", CHOOSE_AGENCY)]
    if data["role"] != "partner" and agency is not None:
        return [("agency_id", NO_AGENCY)]
    return []


async def new_user_problem(username: Any, email: Any) -> MarketplaceError | None:
    """The error a new account with this user name and e-mail address meets in the database:
    each one another account already has, on its own field (None when both are free)."""
    clashes = await auth.taken(str(username or ""), str(email or ""))
    if username and (problem := auth.username_problem(str(username))):
        clashes["username"] = problem
    return ValidationFailed.every(clashes) if clashes else None


async def _role_change_problem(
    actor: AuthUser, user_id: int, old: str, new: str
) -> MarketplaceError | None:
    """Why an account with role `old` may not get role `new` (None when it may)."""
    if new == old or new not in ROLE_TEXT:
        return None
    if "host" in (new, old):
        return ValidationFailed(
            "En värdanvändare hör till en organisation och kan inte bli personal, och "
            "personal kan inte bli värd. Skapa ett nytt konto i stället.",
            fields=["role"],
        )
    if "partner" in (new, old):
        return ValidationFailed(
            "En partnerkontakt hör till en myndighet och kan inte få en annan roll, och "
            "ingen annan kan bli partnerkontakt. Skapa ett nytt konto i stället.",
            fields=["role"],
        )
    if user_id == actor.id and old == "admin":
        return Conflict(
            "Du kan inte ta bort din egen administratörsroll. Be en annan administratör göra det.",
            fields=["role"],
        )
    if old == "coordinator" and await _has_active_participants(user_id):
        return Conflict(
            "Samordnaren har aktiva deltagare. Lämna över dem till en annan samordnare "
            "innan rollen ändras.",
            fields=["role"],
        )
    return None


async def edit_problem(
    actor: AuthUser, user_id: int, role: Any, email: Any
) -> MarketplaceError | None:
    """The error a change of the user's role and e-mail address meets in the database: a role
    the account may not get, an address another account has; both on their fields at once
    (a role change that only conflicts with the account's state stays a 409)."""
    row = await User.select(User.role).where(User.id == user_id).first()
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    role_problem = await _role_change_problem(actor, user_id, row["role"], str(role or ""))
    clashes = await auth.taken(None, str(email or ""), other_than=user_id)
    if role_problem is None:
        return ValidationFailed.every(clashes) if clashes else None
    if not clashes:
        return role_problem
    return ValidationFailed.every({"role": role_problem.message, **clashes})


def _unknowable_password(username: str) -> str:
    """A random password nobody is told, which passes the rules for this user name."""
    while True:
        password = secrets.token_urlsafe(32)
        if username.casefold() not in password.casefold():
            return password


def _row_out(row: UserListRow, open_link: bool = False, agency: str = "") -> UserRow:
    name = user_name(row)
    return UserRow(
        id=row["id"],
        username=row["username"],
        first_name=row["first_name"] or "",
        last_name=row["last_name"] or "",
        name=name,
        email="" if row["email"].endswith("@example.invalid") else row["email"],
        role=row["role"],
        role_text=ROLE_TEXT.get(row["role"], "Okänd roll"),
        team=row["team"] or "",
        active=bool(row["active"]),
        totp_enabled=bool(row["totp_enabled"]),
        created_at=row.get("created_at"),
        open_link=open_link,
        agency=agency,
    )


_COLUMNS = (
    User.id,
    User.username,
    User.first_name,
    User.last_name,
    User.email,
    User.role,
    User.team,
    User.active,
    User.totp_enabled,
    User.created_at,
)


async def list_users(
    *, role: str = "", status: str = "", sort: str = "namn", page: int = 1
) -> UserPage:
    """Users a page at a time, filtered by role and status, sorted by a known column."""
    query = User.select(*_COLUMNS)
    count = User.count()
    if role in ROLE_TEXT:
        query = query.where(User.role == role)
        count = count.where(User.role == role)
    if status in ("aktiva", "avstangda"):
        active = status == "aktiva"
        query = query.where(User.active == active)
        count = count.where(User.active == active)
    column, ascending = SORTS.get(sort, SORTS["namn"])
    if column == "role":  # in the order of the words the list shows
        query = query.order_by(label_order(User.role, ROLE_TEXT))
    elif column != "last_name":
        query = query.order_by(
            sort_term(User._meta.get_column_by_name(column)), ascending=ascending
        )
    # By name (or, after another order, a role's users by name), in Swedish order.
    query = query.order_by(sort_term(User.last_name)).order_by(sort_term(User.first_name))
    total = int(await count)
    pages = check_page(page, total, PER_PAGE)
    page = max(1, page)
    rows = cast(
        "list[UserListRow]",
        await query.order_by(User.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE),
    )
    return UserPage(rows=[_row_out(r) for r in rows], total=total, page=page, pages=pages)


async def get_user(user_id: int) -> UserRow:
    row = cast("UserListRow | None", await User.select(*_COLUMNS).where(User.id == user_id).first())
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    # A disabled account's link works for nobody (`_valid_link`): none is said to wait.
    open_link = bool(row["active"]) and await auth.open_password_links(user_id) > 0
    bound = await partners.agency_of(user_id) if row["role"] == "partner" else None
    return _row_out(row, open_link=open_link, agency=bound["name"] if bound else "")


async def _send_password_link(
    actor: AuthUser | None, user_id: int, *, new_account: bool, lifetime: dt.timedelta = LINK_LIFE
) -> None:
    """Queue the mail with a fresh link; older unused links of the user stop working. No
    `actor`: the user asked for it themself (`request_password_link`)."""
    row = (
        await User.select(User.email, User.username, User.first_name)
        .where(User.id == user_id)
        .first()
    )
    assert row is not None
    if row["email"].endswith("@example.invalid"):
        raise ValidationFailed(
            "Användaren har ingen e-postadress. Lägg till en först, så att länken kan skickas.",
            fields=["email"],
        )
    now = dt.datetime.now(dt.UTC)
    # Asked for on the sign-in page, by anyone who knows the name, a link ends only earlier
    # links asked for so, never one an admin sent (a new account's 7-day link was cancelled
    # by a stranger asking in its owner's name).
    await auth.end_password_links(user_id, asked_only=actor is None)
    token, stored = new_token()
    await PasswordLink.insert(
        PasswordLink(
            user=user_id,
            token_hash=stored,
            created_by=actor.id if actor is not None else None,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    await queue_template_mail(
        row["email"],
        "password_link",
        get_settings(),
        recipient_user_id=user_id,
        link=f"{LINK_PATH}/{token}",
        first_name=row["first_name"] or row["username"],
        username=row["username"],
        new_account=new_account,
        asked=actor is None,
        days=LINK_DAYS,
    )


async def create_staff_user(actor: AuthUser, data: StaffUserCreate) -> UserRow:
    """Create a coordinator, analyst, admin or partner contact (bound to the agency chosen)
    and mail them a link to choose a password. Every problem is reported at once: each field's,
    the agency's and a user name or address already taken."""
    found = await new_user_problem(data.username, data.email)
    username, first, last, email, team, _agency = _check_all(
        [
            ("username", lambda: _text(data.username, "username", "Användarnamnet", required=True)),
            (
                "first_name",
                lambda: _text(data.first_name, "first_name", "Förnamnet", required=True),
            ),
            ("last_name", lambda: _text(data.last_name, "last_name", "Efternamnet", required=True)),
            ("email", lambda: normalise_email(str(data.email or ""))),
            ("team", lambda: _text(data.team, "team", "Teamet", required=False)),
            ("agency_id", lambda: _agency_for_role(data.role, data.agency_id)),
        ],
        found,
    )
    async with write_transaction(User._meta.db):
        # Nobody knows this password: the person chooses their own through the link.
        user = await auth.create_user(
            username,
            _unknowable_password(username),
            data.role,
            email=email,
            first_name=first,
            last_name=last,
            team=team,
        )
        user_id = int(user.id)
        if data.role == "partner":
            await partners.bind_contact(user_id, data.agency_id)
        await _send_password_link(actor, user_id, new_account=True)
        await record(
            actor, "user.create", user_id, subject_type="user", detail=ROLE_TEXT[data.role]
        )
    return await get_user(user_id)


async def _has_active_participants(user_id: int) -> bool:
    return bool(
        await Candidate.exists().where(
            (Candidate.coordinator == user_id)
            & (Candidate.status != "exited")
            & Candidate.anonymised_at.is_null()
        )
    )


@dataclass(frozen=True)
class SavedUser:
    """A user as saved, and how many of their mails that failed for the old address were
    sent again to the corrected one (`undelivered.resend_to_corrected`)."""

    user: UserRow
    resent: int = 0


async def update_user(actor: AuthUser, user_id: int, data: UserUpdate) -> SavedUser:
    """Change name, e-mail, role and team; the audit row names the fields changed. Every
    problem is reported at once: each field's, the role's and an address already taken.
    A corrected address gets the user's mails that failed for the old one, where they are
    still worth having (`undelivered.resend_to_corrected`): correcting it is why they failed."""
    resent = 0
    async with write_transaction(User._meta.db):
        found = await edit_problem(actor, user_id, data.role, data.email)
        first, last, email, team = _check_all(
            [
                (
                    "first_name",
                    lambda: _text(data.first_name, "first_name", "Förnamnet", required=True),
                ),
                (
                    "last_name",
                    lambda: _text(data.last_name, "last_name", "Efternamnet", required=True),
                ),
                ("email", lambda: normalise_email(str(data.email or ""))),
                ("team", lambda: _text(data.team, "team", "Teamet", required=False)),
            ],
            found,
        )
        row = await User.select().where(User.id == user_id).first()
        if row is None:
            raise NotFound(USER_NOT_FOUND)
        new = {
            "first_name": first,
            "last_name": last,
            "email": email,
            "role": data.role,
            "team": team,
        }
        changed = [k for k, v in new.items() if row[k] != v]
        if changed:
            changes: dict[Any, Any] = {User._meta.get_column_by_name(k): v for k, v in new.items()}
            changes[User.admin] = data.role == "admin"
            changes[User.superuser] = data.role == "admin"
            await User.update(changes).where(User.id == user_id)
            if "role" in changed:
                # A new role takes effect at the next sign-in, not in a stale session.
                await UserSession.delete().where(UserSession.user == user_id)
                if data.role == "coordinator":  # the analysts' label, given once (kept after)
                    await auth.number_coordinators()
            await record(
                actor, "user.update", user_id, subject_type="user", detail=", ".join(changed)
            )
            if "email" in changed:
                resent = await undelivered.resend_to_corrected(
                    user_id, row["email"], email, dt.datetime.now(dt.UTC)
                )
    return SavedUser(await get_user(user_id), resent)


async def set_user_active(actor: AuthUser, user_id: int, active: bool) -> UserRow:
    """Disable (sessions and tokens stop at once) or enable a user (`kernel.accounts`)."""
    await accounts.set_user_active(actor, user_id, active)
    return await get_user(user_id)


async def reset_second_factor(actor: AuthUser, user_id: int) -> UserRow:
    """Turn the user's TOTP off (a lost phone): they sign in with the password and set up
    the app again. Their sessions end, so the reset is felt at once."""
    async with write_transaction(User._meta.db):
        row = await User.select(User.totp_enabled).where(User.id == user_id).first()
        if row is None:
            raise NotFound(USER_NOT_FOUND)
        if not row["totp_enabled"] and not await User.exists().where(
            (User.id == user_id) & (User.totp_secret != "")
        ):
            raise Conflict("Användaren har ingen tvåstegsverifiering att återställa.")
        await User.update(
            {User.totp_enabled: False, User.totp_secret: "", User.totp_last_step: 0}
        ).where(User.id == user_id)
        await UserSession.delete().where(UserSession.user == user_id)
        await record(actor, "user.totp_reset", user_id, subject_type="user")
    return await get_user(user_id)


DISABLED_NO_LINK = (
    "Kontot är avstängt, och en länk för att välja lösenord fungerar inte för ett avstängt "
    "konto. Aktivera användaren först och skicka sedan en ny länk."
)


async def send_password_link(actor: AuthUser, user_id: int) -> UserRow:
    """Mail the user a new single-use link to choose a password (the old password still
    works until they use it). A disabled account gets none (409): the link would only say
    "ask an admin for a new one", and disabling ended its links so that none comes back
    when the account is enabled again."""
    async with write_transaction(User._meta.db):
        row = await User.select(User.active).where(User.id == user_id).first()
        if row is None:
            raise NotFound(USER_NOT_FOUND)
        if not row["active"]:
            raise Conflict(DISABLED_NO_LINK)
        await _send_password_link(actor, user_id, new_account=False)
        await record(actor, "user.password_link", user_id, subject_type="user")
    return await get_user(user_id)


# --- forgotten password: a link the user asks for ----------------------------------------------

FORGOT_EMPTY = "Skriv din e-postadress eller ditt användarnamn."
FORGOT_TOO_MANY = (
    "Härifrån har det begärts för många länkar den senaste timmen. Försök igen om "
    "{minutes} minuter, eller be en administratör skicka en länk."
)
# Per client address, and per account (beyond which no more mail is sent, saying nothing).
FORGOT_PER_CLIENT = 10
FORGOT_PER_ACCOUNT = 3
FORGOT_WINDOW_S = 3600


async def request_password_link(typed: str, client: str) -> str:
    """Check an ask for a link to choose a new password (the e-mail address or user name
    `typed`): a Swedish 400 when it is empty, a 429 past `FORGOT_PER_CLIENT` asks an hour
    from one client address. Returns the text to look the account up by, which
    `send_asked_link` does after the answer has gone (the view's background task): the answer
    is then the same, in words and in time, whether such an account exists or not, so that
    the form tells no one who has an account."""
    text = single_line(typed, "adress", label="Adressen").strip()[:254]
    if not text:
        raise ValidationFailed(FORGOT_EMPTY, fields=["adress"])
    await spend(f"forgot:client:{client}", FORGOT_PER_CLIENT, FORGOT_WINDOW_S, FORGOT_TOO_MANY)
    return text


async def send_asked_link(text: str) -> None:
    """Mail a link valid `ASKED_LINK_LIFE` to the active account whose e-mail address or
    user name `text` is, if there is one with an address: at most `FORGOT_PER_ACCOUNT` an
    hour. The old password works until the link is used; a second factor is still asked at
    sign-in. Audited as "user.password_link_asked", with no actor."""
    try:
        address = normalise_email(text, required=False)
    except ValidationFailed:
        address = ""
    found = (
        await User.select(User.id, User.email)
        .where(
            (User.active == True)  # noqa: E712 (a Piccolo condition)
            & ((User.email == address) if address else equals_ci(User.username, text))
        )
        .first()
    )
    if found is None or found["email"].endswith("@example.invalid"):
        return
    limiter = limiter_for(get_settings())
    if not (
        await limiter.hit(f"forgot:user:{found['id']}", FORGOT_PER_ACCOUNT, FORGOT_WINDOW_S)
    ).allowed:
        return
    async with write_transaction(User._meta.db):
        await _send_password_link(None, found["id"], new_account=False, lifetime=ASKED_LINK_LIFE)
        await record(None, "user.password_link_asked", found["id"], subject_type="user")


async def send_asked_link_quietly(text: str) -> None:
    """`send_asked_link` as a background task: a failure is logged, never shown."""
    try:
        await send_asked_link(text)
    except Exception:
        log.exception("a password link asked for could not be sent")


# --- the link itself -------------------------------------------------------------------------


async def _valid_link(token: str) -> ValidPasswordLink:
    row = await PasswordLink.select().where(PasswordLink.token_hash == token_hash(token)).first()
    if row is None or row["used_at"] is not None or row["expires_at"] <= dt.datetime.now(dt.UTC):
        raise NotFound(INVALID_LINK)
    user = await User.select(User.username, User.active).where(User.id == row["user"]).first()
    if user is None or not user["active"]:
        raise NotFound(INVALID_LINK)
    return cast("ValidPasswordLink", row | {"username": user["username"]})


async def password_link_user(token: str) -> str:
    """The user name a valid link is for (shown on its page)."""
    return str((await _valid_link(token))["username"])


async def set_password_by_link(token: str, password: str, repeat: str) -> str:
    """Set the password once; the link is spent, other sessions end. Returns the user name."""
    async with write_transaction(User._meta.db):
        row = await _valid_link(token)
        problems = Problems()
        passwords.check_new_password(problems, password, repeat, row["username"])
        problems.raise_any()
        spent = (
            await PasswordLink.update({PasswordLink.used_at: dt.datetime.now(dt.UTC)})
            .where((PasswordLink.id == row["id"]) & PasswordLink.used_at.is_null())
            .returning(PasswordLink.id)
        )
        if not spent:
            raise NotFound(INVALID_LINK)
        await User.update(
            {User.password: User.hash_password(password), User.failed_logins: 0}
        ).where(User.id == row["user"])
        # A link asked for on the sign-in page leaves an admin's standing; the first used
        # ends the others.
        await auth.end_password_links(row["user"])
        await UserSession.delete().where(UserSession.user == row["user"])
        await record(None, "user.password_set", row["user"], subject_type="user")
    return str(row["username"])
