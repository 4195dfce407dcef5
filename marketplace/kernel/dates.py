"""The one window a date the service takes in must fall in: 2000-01-01 to 2100-12-31.

A booking dated 9999-12-31 was stored, and the lock-in sweep then failed on every run adding
months to it (`year 10000 is out of range`). No placement, plan or report in this service
reaches outside this window, so a date outside it is a typing mistake or an attack: it is
refused at every entry point with a 400 that names the field. Request bodies and forms check
it through `DateBounded` (their Structs inherit it), query parameters and import rows through
`date_problem`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from marketplace.kernel.errors import ValidationFailed

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)

# The months as Swedish writes them in running text ("mars 2026"), January first: one list for
# the report files' periods and the attendance pages' months.
MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def month_name(year: int, month: int) -> str:
    """A month as running text says it: "mars 2026"."""
    return f"{MONTH_NAMES[month - 1]} {year}"


# How a person calls each date field; an unnamed one is "Datumet".
LABELS = {
    "date": "Datumet",
    "start_date": "Startdatum",
    "end_date": "Slutdatum",
    "start": "Periodens början",
    "end": "Periodens slut",
    "outcome_date": "Utfallsdatum",
    "registered_at": "Inskrivningsdatum",
    "planned_start": "Planerad start",
    "planned_end": "Planerat slut",
    "due_by": "Förfallodatum",
    "due_date": "Förfallodatum",
    "consent_date": "Datum för samtycket",
}


def in_window(day: dt.date) -> bool:
    if isinstance(day, dt.datetime):
        day = day.date()
    return EARLIEST <= day <= LATEST


def date_problem(day: dt.date, label: str = "Datumet") -> str | None:
    """The Swedish reason a date is refused, or None when it is in the window."""
    if in_window(day):
        return None
    return (
        f"{label} {day.isoformat()} går inte att ta emot: "
        f"ange ett datum mellan {EARLIEST.isoformat()} och {LATEST.isoformat()}."
    )


def check_date(day: dt.date | None, field: str, label: str | None = None) -> None:
    """Raise a 400 naming `field` when `day` lies outside the window (None passes)."""
    if day is None:
        return
    problem = date_problem(day, label or LABELS.get(field, "Datumet"))
    if problem:
        raise ValidationFailed(problem, fields=[field])


def check_fields(obj: msgspec.Struct) -> None:
    """Check every date field of a Struct against the window."""
    for name in obj.__struct_fields__:
        value: Any = getattr(obj, name)
        if isinstance(value, dt.date):
            check_date(value, name)


class DateBounded(msgspec.Struct):
    """Base of every input Struct with dates: each date field is checked against the window
    when the Struct is decoded from JSON or converted from a form."""

    def __post_init__(self) -> None:
        check_fields(self)


class FrozenDateBounded(msgspec.Struct, frozen=True):
    """`DateBounded` for frozen Structs (filters that are hashed and compared)."""

    def __post_init__(self) -> None:
        check_fields(self)
