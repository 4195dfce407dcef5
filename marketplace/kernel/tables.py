"""Tables of the kernel: users, sessions, API tokens, the audit log and the outbox.

The audit log and the mail outbox live here, not in a domain package, because every domain
package writes to them and domain packages may not import one another freely.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from marketplace.kernel.settings import get_settings

ROLES = ("admin", "coordinator", "host", "analyst", "partner")


@functools.cache
def _argon2(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _hasher() -> PasswordHasher:
    """argon2id with the configured cost (settings; the test suite turns it down for speed).

    Verification reads the parameters from each stored hash, so changing the cost never
    locks anyone out; `User.login` rehashes on the next sign-in.
    """
    settings = get_settings()
    return _argon2(settings.password_hash_time_cost, settings.password_hash_memory_kib)


def _forms(password: str) -> tuple[str, ...]:
    """The forms of a typed password to try: composed (NFC, as hashes are made now), and as
    sent when that differs (a hash made earlier from the same computer's decomposed form)."""
    composed = unicodedata.normalize("NFC", password)
    return (composed,) if composed == password else (composed, password)


def _verifies(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


class User(BaseUser, tablename="mp_user"):
    """A person who signs in. One table serves the service and the back office.

    Passwords are hashed with argon2id. `role` decides what the user may do; a host user is
    linked to its organisations in `employers`.
    """

    id: Serial
    role = Varchar(length=20, default="coordinator", index=True)
    team = Varchar(length=100, default="", help_text="Coordinators in one team may share.")
    totp_secret = Varchar(length=64, default="", secret=True)
    totp_enabled = Boolean(default=False)
    totp_last_step = Integer(default=0, help_text="Last accepted TOTP time step (no reuse).")
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    coordinator_number = Integer(
        null=True,
        default=None,
        help_text="Names a coordinator to analysts (Samordnare N); given once, never changed.",
    )

    _min_password_length = 12
    _max_password_length = 256

    @classmethod
    def hash_password(cls, password: str, salt: str = "", iterations: int | None = None) -> str:
        """An argon2id hash of the password in Unicode's composed form (NFC); salt and
        iterations belong to argon2's own encoding. A Mac sends "å" as "a" and a ring, a
        Windows PC as one character: the same password typed on either must match."""
        composed = unicodedata.normalize("NFC", password)
        if len(composed) > cls._max_password_length:  # as the policy counts
            raise ValueError("Lösenordet är för långt.")
        return _hasher().hash(composed)

    @classmethod
    def verify_password(cls, stored: str, password: str) -> bool:
        """True when `password` matches the stored hash, typed in either Unicode form (a
        hash made before passwords were composed holds the characters as they were sent)."""
        return any(_verifies(stored, form) for form in _forms(password))

    @classmethod
    async def login(cls, username: str, password: str) -> int | None:
        """The user's id when the credentials are right and the account active, else None.

        `marketplace.kernel.auth` calls it inside its sign-in check (throttling, lockout, second
        factor); nothing else signs anyone in.
        """
        row = (
            await cls.select(cls.id, cls.password, cls.active)
            .where(cls.username == username)
            .first()
            .run()
        )
        if row is None:
            # Hash anyway so that timing does not reveal which user names exist.
            for form in _forms(password):  # as many as `verify_password` would try
                _hasher().hash(form)
            return None
        if not cls.verify_password(row["password"], password) or not row["active"]:
            return None
        if _hasher().check_needs_rehash(row["password"]):
            await cls.update({cls.password: cls.hash_password(password)}).where(cls.id == row["id"])
        return int(row["id"])

    def __init__(self, **kwargs: Any) -> None:
        password = kwargs.get("password")
        if password and not password.startswith("$argon2"):
            kwargs["password"] = self.hash_password(password)
        Table.__init__(self, **kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        # BaseUser only recognises its own pbkdf2 prefix; argon2 hashes must not be rehashed.
        if name == "password" and isinstance(value, str) and not value.startswith("$argon2"):
            value = self.hash_password(value)
        Table.__setattr__(self, name, value)


class UserSession(Table, tablename="mp_session"):
    """A server-side browser or API session. Only a hash of the session ID is stored."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=False)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())


class LoginOrigin(Table, tablename="mp_login_origin"):
    """An address a user has signed in from successfully before (only a keyed hash of
    user and address is stored). A locked account still lets its owner in from such an
    address, so that an attacker elsewhere cannot lock the owner out."""

    id: Serial
    key_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    last_success_at = Timestamptz(default=TimestamptzNow())


class PasswordLink(Table, tablename="mp_password_link"):
    """A single-use link that lets a user choose a password: sent when an admin creates a
    staff account or resets one's password. Only a SHA-256 of the token is stored."""

    id: Serial
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_by = Integer(null=True, default=None, help_text="The admin who sent the link.")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="mp_api_token"):
    """An integration token, shown once at creation and stored as a hash."""

    id: Serial
    name = Varchar(length=100)
    prefix = Varchar(length=12)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None, help_text="After this the token fails.")


class AuditEntry(Table, tablename="mp_audit"):
    """Append-only log of every read or change of a candidate's record (loggkontroll).

    The application offers no path that updates or deletes these rows; on PostgreSQL a
    trigger refuses it as well.
    """

    id: Serial
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = Integer(null=True, default=None, index=True)
    actor_label = Varchar(length=200, default="")
    subject_type = Varchar(length=40, default="candidate")
    subject_id = Integer(null=True, default=None, index=True)
    action = Varchar(length=60)
    detail = Text(default="")


class OutboxMessage(Table, tablename="mp_outbox"):
    """A notification mail or SMS, written in the same transaction as the change that caused
    it. For an SMS (`channel = "sms"`) the recipient is an E.164 number and the subject empty."""

    id: Serial
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    channel = Varchar(length=10, default="mail")
    recipient = Varchar(length=320)
    recipient_user_id = Integer(null=True, default=None)
    candidate = Integer(
        null=True,
        default=None,
        index=True,
        help_text="The participant (pl_candidate.id) the mail is to or about, set when queued.",
    )
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text(default="")
    kind = Varchar(length=60, default="notice", index=True)
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    digest = Boolean(default=False)
    status = Varchar(length=20, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    meta = JSON(default="{}")


class JobRun(Table, tablename="mp_job_run"):
    """One run of a scheduled sweep: when, how it went and what it did."""

    id: Serial
    job = Varchar(length=60, index=True)
    started_at = Timestamptz(default=TimestamptzNow(), index=True)
    finished_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=20, default="running")
    counts = JSON(default="{}")
    error = Text(default="")
    worker = Varchar(length=100, default="")


__all__ = [
    "ROLES",
    "ApiToken",
    "AuditEntry",
    "JobRun",
    "OutboxMessage",
    "User",
    "UserSession",
]
