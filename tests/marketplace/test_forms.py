"""HTML form values into the services' Structs, with Swedish errors naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
import pytest

from marketplace.errors import ValidationFailed
from marketplace.forms import field_errors, parse_form
from marketplace.templating import day, label, number, when


class Example(msgspec.Struct, kw_only=True):
    title: Annotated[str, msgspec.Meta(min_length=3, max_length=10)]
    capacity: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    hours: int | None = None
    start: dt.date | None = None
    tags: list[str] = msgspec.field(default_factory=list)
    licence: bool = False
    kind: Literal["praktik", "arbetsträning"] = "praktik"
    note: str = "förvalt"


LABELS = {
    "title": "Rubrik",
    "capacity": "Antal platser",
    "hours": "Timmar",
    "start": "Startdatum",
    "tags": "Kompetenser",
    "licence": "Körkort",
    "kind": "Typ",
    "note": "Anteckning",
}


def parse(values: dict[str, object]) -> Example:
    return parse_form(
        Example,
        values,
        labels=LABELS,
        lists=["tags"],
        flags=["licence"],
        blank_is_none=["hours", "start"],
        blank_is_empty=["note"],
    )


def test_strings_become_typed_values_and_blanks_follow_the_field_rules() -> None:
    parsed = parse(
        {
            "title": " Lager ",
            "capacity": "3",
            "hours": "",
            "start": "2026-05-04",
            "tags": ["Truckkort", "Plock, Pack\nInleverans", ""],
            "licence": "1",
            "note": "",
            "smuggled": "ignored",
        }
    )
    assert parsed == Example(
        title="Lager",
        capacity=3,
        hours=None,
        start=dt.date(2026, 5, 4),
        tags=["Truckkort", "Plock", "Pack", "Inleverans"],
        licence=True,
        kind="praktik",
        note="",
    )
    # An unchecked box is absent from the form: it means False, not "unchanged".
    assert parse({"title": "Lager"}).licence is False


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({}, "title", "Rubrik måste fyllas i."),
        ({"title": "ab"}, "title", "Rubrik måste ha minst 3 tecken."),
        ({"title": "a" * 11}, "title", "Rubrik får ha högst 10 tecken."),
        ({"title": "Lager", "capacity": "tre"}, "capacity", "Antal platser ska vara ett heltal."),
        ({"title": "Lager", "capacity": "101"}, "capacity", "Antal platser får vara högst 100."),
        ({"title": "Lager", "capacity": "-1"}, "capacity", "Antal platser måste vara minst 0."),
        (
            {"title": "Lager", "start": "2026-13-01"},
            "start",
            "Startdatum ska vara ett datum, ÅÅÅÅ-MM-DD.",
        ),
        ({"title": "Lager", "kind": "jobb"}, "kind", "Välj ett av alternativen under Typ."),
    ],
)
def test_each_error_names_its_field_in_swedish(
    values: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse(values)
    assert caught.value.fields == [field]
    assert caught.value.message == message
    assert field_errors(caught.value, LABELS) == {field: message}


def test_an_error_without_a_known_field_goes_to_the_whole_form() -> None:
    error = ValidationFailed("Platsen är stängd.", fields=["status"])
    assert field_errors(error, LABELS) == {"_form": "Platsen är stängd."}


def test_filters_show_swedish_words_stockholm_time_and_swedish_numbers() -> None:
    assert label("municipal_unit", "host_kind") == "Kommunal enhet"
    assert label("okänd-kod", "host_kind") == "okänd-kod"
    assert label(None, "track") == ""
    # 12:30 UTC in summer is 14:30 in Stockholm.
    assert when(dt.datetime(2026, 7, 1, 12, 30, tzinfo=dt.UTC)) == "2026-07-01 14:30"
    assert day(dt.date(2026, 7, 1)) == "2026-07-01"
    assert number(1234567) == "1\u00a0234\u00a0567"
    assert number(1.75, 2) == "1,75"
    assert number(None) == "–"
