"""Secret link tokens that are stored only as a hash: the one way to make and look them up.

A link that lets a person act without an account (a host invitation, a host's answer to a
proposal) carries a random token; the database holds only its SHA-256, so a copy of the
database, a backup or a log of queries cannot be turned back into a working link. The row
that holds the hash also holds when the link expires and when it was used: a link works once
and for a set time, and every use can be traced to its row.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """The stored form of a link token (hex SHA-256, 64 characters)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh link token and its stored hash: (token for the link, hash for the row)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)
