"""A user's own second factor (TOTP): started and confirmed, audited, for the pages and the API alike.

The JSON API (`controllers.TotpController`, `/api/v1/me/totp`) and the account page
(`account_views`, `/konto`) call these, so that both write the audit log the same way, in the
same transaction as the change: "user.totp_on" when a confirmed app turns the factor on, and
"user.totp_off" when a new enrolment switches off a factor that was on (it stays off until the
new app is confirmed). Who is the signed-in user, whom is their own account; the row holds
neither the secret nor a code. Starting an enrolment while the factor is off changes nothing
that protects the account, and is not written. An admin's reset (a lost phone) is audited by
`admin.services.users.reset_second_factor` as "user.totp_reset".
"""

from __future__ import annotations

from marketplace.kernel import auth
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.tables import User


async def start(actor: AuthUser, code: str = "") -> str:
    """Begin adding an authenticator app for `actor` (`auth.start_totp_enrolment`: a current
    code first when the factor is on); the new secret's provisioning URI. Switching an
    enrolled factor off is audited."""
    async with write_transaction(User._meta.db):
        started = await auth.start_totp_enrolment(actor.id, code)
        if started.switched_off:
            await record(actor, "user.totp_off", actor.id, subject_type="user")
    return started.uri


async def confirm(actor: AuthUser, code: str) -> None:
    """Turn `actor`'s second factor on with a code from the new app
    (`auth.confirm_totp_enrolment`), audited when it was off."""
    async with write_transaction(User._meta.db):
        if await auth.confirm_totp_enrolment(actor.id, code):
            await record(actor, "user.totp_on", actor.id, subject_type="user")
