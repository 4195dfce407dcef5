"""Enabling and disabling an account, audited, with its rule, for the pages and the API alike.

The JSON API once skipped the rule (an admin could disable themself, the last active admin)
and the audit; both now call `set_user_active` here."""

from __future__ import annotations

from marketplace.kernel import auth
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, NotFound
from marketplace.kernel.tables import User

USER_NOT_FOUND = "Användaren finns inte."


async def active_admins() -> int:
    """How many admin accounts are active."""
    return int(
        await User.count().where((User.role == "admin") & (User.active == True))  # noqa: E712
    )


async def check_may_disable(actor: AuthUser, user_id: int, role: str, active: bool) -> None:
    """Never one's own account, and never the last active admin (nobody could sign in to
    manage users after it)."""
    if user_id == actor.id:
        raise Conflict("Du kan inte stänga av ditt eget konto.")
    if role == "admin" and active and await active_admins() <= 1:
        raise Conflict("Den sista aktiva administratören kan inte stängas av.")


def _links_text(n: int) -> str:
    return "1 oanvänd lösenordslänk" if n == 1 else f"{n} oanvända lösenordslänkar"


async def set_user_active(actor: AuthUser, user_id: int, active: bool) -> None:
    """Disable (sessions, tokens and unused password links stop at once) or enable a user
    (a link left unused from before ends too: `auth.set_active`), audited when it changes,
    with the number of links that stopped working."""
    async with write_transaction(User._meta.db):
        row = (
            await User.select(User.username, User.role, User.active)
            .where(User.id == user_id)
            .first()
        )
        if row is None:
            raise NotFound(USER_NOT_FOUND)
        if not active:
            await check_may_disable(actor, user_id, row["role"], row["active"])
        if bool(row["active"]) != active:
            links = await auth.open_password_links(user_id)
            await auth.set_active(row["username"], active)
            await record(
                actor,
                "user.enable" if active else "user.disable",
                user_id,
                subject_type="user",
                detail=f"{_links_text(links)} slutade gälla" if links else "",
            )
