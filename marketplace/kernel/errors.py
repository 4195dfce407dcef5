"""Domain errors. Services raise these; one exception map in the app turns them into answers.

Messages are Swedish, because they reach the people using the service, and say what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def said_once(errors: Mapping[str, str]) -> str:
    """The messages per field as one text, each message said once, in order (for a place
    that shows one message for several fields)."""
    return " ".join(dict.fromkeys(errors.values()))


def by_field(found: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(field, message) pairs as one message per field, in order: two rules that speak of one
    field are both said."""
    per_field: dict[str, str] = {}
    for field, message in found:
        per_field[field] = f"{per_field[field]} {message}" if field in per_field else message
    return per_field


class MarketplaceError(Exception):
    """Base of every domain error: an HTTP status, a message and the fields concerned.

    `errors` holds one message per field when several fields are wrong at once (a form with
    three mistakes); without it every field in `fields` shares `message`.
    """

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        fields: list[str] | None = None,
        errors: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or list(errors or ())
        self.errors: dict[str, str] = dict(errors or {})
        self.headers: dict[str, str] = {}


class ValidationFailed(MarketplaceError):
    """The input breaks a rule; `fields` names what to correct."""

    status_code = 400

    @classmethod
    def every(cls, errors: Mapping[str, str]) -> ValidationFailed:
        """One error for several fields, each with its message (each message said once)."""
        return cls(said_once(errors), fields=list(errors), errors=errors)

    @classmethod
    def listed(cls, found: Iterable[tuple[str, str]]) -> ValidationFailed:
        """`every` for a list of (field, message) problems (`by_field`)."""
        return cls.every(by_field(found))


class Problems:
    """Several checks, each reported: `with problems:` around each check catches its
    `MarketplaceError`; `raise_any()` then raises them all as one `ValidationFailed`, so a
    person sees every mistake at once.

        problems = Problems()
        with problems:
            start = parse_day(raw_start, "start")
        with problems:
            end = parse_day(raw_end, "end")
        problems.raise_any()
    """

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def __enter__(self) -> Problems:
        return self

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        if not isinstance(exc, MarketplaceError):
            return False
        given = exc.errors or dict.fromkeys(exc.fields or ["_form"], exc.message)
        for name, message in given.items():
            self.errors.setdefault(name, message)
        return True

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationFailed.every(self.errors)


class Unauthenticated(MarketplaceError):
    """Sign-in is needed."""

    status_code = 401


class Forbidden(MarketplaceError):
    """Signed in, but this role may not do this."""

    status_code = 403


class NotFound(MarketplaceError):
    """No such object, or none the caller may see (both answer alike, to hide existence)."""

    status_code = 404


class Conflict(MarketplaceError):
    """The action does not fit the object's current state (capacity, lifecycle, duplicates)."""

    status_code = 409


class UnsupportedMediaType(MarketplaceError):
    """The body is sent in a format the operation does not take."""

    status_code = 415


class TooManyRequests(MarketplaceError):
    """Too many attempts; try again later (in `retry_after` seconds: a Retry-After header)."""

    status_code = 429

    def __init__(
        self,
        message: str,
        *,
        fields: list[str] | None = None,
        errors: Mapping[str, str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message, fields=fields, errors=errors)
        if retry_after is not None:
            self.headers["Retry-After"] = str(max(1, retry_after))
