"""A signed-in user's own new password (Mitt konto), given the current one.

Beside `auth` (sign-in, sessions, the password rules) as `api_keys` is: it writes the audit
log, which itself imports `auth`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from marketplace.kernel import auth
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Forbidden, Problems, TooManyRequests, Unauthenticated
from marketplace.kernel.mail import queue_mail
from marketplace.kernel.ratelimit import limiter_for
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import PasswordLink, User, UserSession

# Wrong current passwords a signed-in user may give when changing it, per 15 minutes: a
# session left open on a shared computer must not become a way to guess the password.
PASSWORD_CHANGE_ATTEMPTS = 5
NOT_THE_CURRENT_ONE = "Det nuvarande lösenordet stämmer inte. Skriv lösenordet du loggade in med."
PASSWORDS_DIFFER = "Lösenorden är inte likadana. Skriv samma lösenord i båda rutorna."
NEW_IS_THE_OLD = "Det nya lösenordet är detsamma som det nuvarande. Välj ett annat."


def check_new_password(problems: Problems, password: str, repeat: str, username: str) -> None:
    """A new password's rules, each said with the form's other mistakes: the policy, and the
    same password typed twice (the own change here, and the admin's link)."""
    with problems:
        auth.check_password_policy(password, username)
    if unicodedata.normalize("NFC", password) != unicodedata.normalize("NFC", repeat):
        problems.errors["repeat"] = PASSWORDS_DIFFER


async def change_password(user: AuthUser, current: str, password: str, repeat: str) -> None:
    """The signed-in user's own new password, given the current one; every mistake at once.

    Only from a signed-in session (the account page), never with an API key: a key that
    leaked must not be enough to take the account. Wrong current passwords are limited per
    user (`PASSWORD_CHANGE_ATTEMPTS` per 15 minutes, then 429). The user's other sessions
    end, the change is audited, and the owner gets a mail, so that a change they did not
    make does not go unnoticed.
    """
    if user.via != "session":
        raise Forbidden(
            "Lösenordet byts på sidan Mitt konto när du är inloggad, inte med en API-nyckel."
        )
    settings = get_settings()
    limiter = limiter_for(settings)
    key = f"password:change:{user.id}"
    # Every attempt counts, before the password is checked: counted after a wrong one only,
    # 30 posts sent at once all passed the check and 26 guesses were tried (an attack on
    # this route). The right current password clears the count (below): five tries with it
    # and a new one too short locked the owner out for 15 minutes "with a wrong one".
    seen = await limiter.hit(key, PASSWORD_CHANGE_ATTEMPTS, 900)
    if not seen.allowed:
        raise TooManyRequests(
            "För många försök med fel nuvarande lösenord. Försök igen om "
            f"{auth.retry_minutes(seen.retry_after)} minuter.",
            retry_after=seen.retry_after,
        )
    row = await User.select(User.password, User.email).where(User.id == user.id).first()
    if row is None:  # pragma: no cover - a signed-in user's row is there
        raise Unauthenticated(auth.SIGN_IN_REFUSED)
    problems = Problems()
    # No password is longer than 256 characters (the policy): a longer "current" one is wrong,
    # not cut to its first 256.
    written = unicodedata.normalize("NFC", current)  # the length the policy counts
    if len(written) > 256 or not User.verify_password(row["password"], current):
        problems.errors["current_password"] = NOT_THE_CURRENT_ONE
    else:
        await limiter.reset(key)  # whoever knows it needs no guesses
        if unicodedata.normalize("NFC", password) == written:
            problems.errors["password"] = NEW_IS_THE_OLD
    check_new_password(problems, password, repeat, user.username)
    problems.raise_any()
    async with write_transaction(User._meta.db):
        await User.update(
            {User.password: User.hash_password(password), User.failed_logins: 0}
        ).where(User.id == user.id)
        # Every other session ends; this one goes on (an API key has none, and is refused
        # before this by the route's guard).
        await UserSession.delete().where(
            (UserSession.user == user.id) & (UserSession.id != (user.session_id or 0))
        )
        # A link an admin sent to choose a password would undo this one: it is spent.
        await PasswordLink.update({PasswordLink.used_at: dt.datetime.now(dt.UTC)}).where(
            (PasswordLink.user == user.id) & PasswordLink.used_at.is_null()
        )
        await record(user, "user.password_changed", user.id, subject_type="user")
    if row["email"]:
        await queue_mail(
            row["email"],
            "Ditt lösenord är bytt",
            f"Hej!\n\nLösenordet till ditt konto ({user.username}) byttes just på sidan Mitt "
            "konto. Du har loggats ut överallt utom där du bytte det; dina API-nycklar fungerar "
            "som förut.\n\n"
            "Var det inte du? Kontakta systemägaren direkt, så att kontot kan stängas av och "
            "du får en länk för att välja ett nytt lösenord.\n",
            kind="password_changed",
            recipient_user_id=user.id,
        )
