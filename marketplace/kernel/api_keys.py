"""A user's API keys: listed, created and revoked, audited, for the pages and the API alike.

The JSON API (`controllers.TokenController`), the account page (`account_views`, `/konto`) and
the admins' user page call these, so that the rules are one: only a signed-in session makes
a key (a key that made keys would outlive its own expiry and revocation), a key is revoked by
its owner (or, named by its owner, by an admin), and both are written to the audit log
("token.create", "token.revoke") in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from piccolo.columns.combination import Combinable

from marketplace.kernel import auth
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Forbidden, NotFound
from marketplace.kernel.schemas import TokenOut
from marketplace.kernel.tables import ApiToken, User

# Where a key is made instead, when a key tries to make one.
NOT_WITH_A_KEY = (
    "En API-nyckel kan inte skapa nya nycklar. Logga in och skapa nyckeln under Mitt konto, /konto."
)
NO_SUCH_KEY = "Ingen aktiv API-nyckel med det id:t."


@dataclass(frozen=True)
class CreatedKey:
    """A key just made: the secret (`raw`) is here once and never stored."""

    id: int
    name: str
    raw: str
    expires_at: dt.datetime


def _working(now: dt.datetime) -> Combinable:
    """Piccolo's condition for keys that still work: not revoked, not expired (a key without
    `expires_at` expires a year after it was made, `auth.token_expiry`)."""
    oldest = now - dt.timedelta(days=auth.TOKEN_MAX_DAYS)
    return ApiToken.revoked_at.is_null() & (
        (ApiToken.expires_at > now)
        | (ApiToken.expires_at.is_null() & (ApiToken.created_at > oldest))
    )


async def list_keys(
    user_id: int,
    *,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
    working_only: bool = False,
) -> tuple[int, list[TokenOut]]:
    """The user's keys (never the secret) and how many there are in all: every key, or only
    those that still work (`working_only`); in the order they were made, or newest first; a
    page of `limit` from `offset`, or all (`limit` None)."""
    now = auth.utcnow()
    where: Combinable = ApiToken.user == user_id
    if working_only:
        where = where & _working(now)
    total = int(await ApiToken.count().where(where))
    query = (
        ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
            ApiToken.expires_at,
        )
        .where(where)
        .order_by(ApiToken.id, ascending=not newest_first)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    keys = []
    for row in await query:
        expires = auth.token_expiry(row["created_at"], row["expires_at"])
        keys.append(
            TokenOut(
                id=row["id"],
                name=row["name"],
                prefix=row["prefix"],
                created_at=row["created_at"],
                last_used_at=row["last_used_at"],
                revoked_at=row["revoked_at"],
                expires_at=expires,
                active=row["revoked_at"] is None and expires > now,
            )
        )
    return total, keys


async def create_key(actor: AuthUser, name: str, days: int = auth.TOKEN_DEFAULT_DAYS) -> CreatedKey:
    """Make a key for the signed-in `actor`, working for `days` days (1–365), audited.
    Refused (403) when the caller is itself a key."""
    if actor.via != "session":
        raise Forbidden(NOT_WITH_A_KEY)
    async with write_transaction(User._meta.db):
        token_id, raw = await auth.create_token(actor.username, name, days)
        await record(actor, "token.create", token_id, subject_type="token")
        row = (
            await ApiToken.select(ApiToken.name, ApiToken.expires_at)
            .where(ApiToken.id == token_id)
            .first()
        )
    assert row is not None and row["expires_at"] is not None
    return CreatedKey(id=token_id, name=row["name"], raw=raw, expires_at=row["expires_at"])


async def revoke_key(actor: AuthUser, token_id: int, owner_id: int | None) -> None:
    """Revoke a key that still has not been revoked, audited: only the one of `owner_id`
    when given (None: any user's, for an admin's API call). 404 when there is none."""
    async with write_transaction(User._meta.db):
        if not await auth.revoke_token(token_id, owner_id):
            raise NotFound(NO_SUCH_KEY)
        await record(actor, "token.revoke", token_id, subject_type="token")
