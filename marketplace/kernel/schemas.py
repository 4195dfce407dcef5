"""Request and response bodies of the kernel's API (auth, users, tokens, health)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
# At most 256 characters as written (the policy counts the composed form, NFC); a Mac may
# send a letter with its accents as several characters, so the body allows four per letter.
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
Role = Literal["admin", "coordinator", "host", "analyst", "partner"]
# An API key's name and how many days it works (auth.TOKEN_MAX_DAYS): the API's and the
# account page's rule alike.
KeyName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
KeyDays = Annotated[int, msgspec.Meta(ge=1, le=365)]


class Health(msgspec.Struct):
    status: str
    database: str
    engine: str


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Password
    otp: Annotated[str, msgspec.Meta(max_length=12)] = ""


class TotpEnrolment(msgspec.Struct):
    provisioning_uri: str


class TotpConfirm(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=6, max_length=12)]


class TotpStart(msgspec.Struct, forbid_unknown_fields=True):
    """Starting over: a user who has TOTP on must give a current code."""

    code: Annotated[str, msgspec.Meta(max_length=12)] = ""


class Me(msgspec.Struct):
    id: int
    username: str
    name: str
    role: str
    email: str
    auth: str


class LoginResult(msgspec.Struct):
    user: Me
    csrf_token: str


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Password
    role: Role
    email: Annotated[str, msgspec.Meta(max_length=255)] = ""
    first_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    last_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    team: Annotated[str, msgspec.Meta(max_length=100)] = ""


class UserOut(msgspec.Struct):
    id: int
    username: str
    name: str
    role: str
    email: str
    team: str
    active: bool


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: KeyName
    days: KeyDays = 90  # how long the token works


class TokenCreated(msgspec.Struct):
    id: int
    name: str
    token: str
    expires_at: dt.datetime


class TokenOut(msgspec.Struct):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    expires_at: dt.datetime
    active: bool  # neither revoked nor expired


class Page(msgspec.Struct):
    """Pagination envelope for lists: `total` counts every match, `items` is this page."""

    total: int
    limit: int
    offset: int


class JobRunOut(msgspec.Struct):
    """One recorded run of a scheduled sweep."""

    id: int
    job: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    counts: dict[str, int]
    error: str
    worker: str


class JobRunPage(Page):
    items: list[JobRunOut]


class JobOut(msgspec.Struct):
    """A scheduled sweep, how often it runs, and its latest run."""

    name: str
    title: str  # the job's name for people, in Swedish
    description: str
    interval_seconds: int
    last_run: JobRunOut | None
