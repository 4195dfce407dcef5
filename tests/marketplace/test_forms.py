"""HTML form values into the services' Structs, with Swedish errors naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
import pytest

from marketplace.kernel.errors import Conflict, ValidationFailed
from marketplace.kernel.forms import (
    Form,
    control_problem,
    control_problems,
    field_errors,
    field_problems,
    parse_form,
    swedish_reason,
    without_control_characters,
)
from marketplace.kernel.templating import day, label, number, when


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
        ({"title": "a" * 11}, "title", "Rubrik får vara högst 10 tecken."),
        (
            {"title": "Lager", "capacity": "tre"},
            "capacity",
            "Antal platser ska vara ett heltal, till exempel 3.",
        ),
        ({"title": "Lager", "capacity": "101"}, "capacity", "Antal platser får vara högst 100."),
        ({"title": "Lager", "capacity": "-1"}, "capacity", "Antal platser måste vara minst 0."),
        (
            {"title": "Lager", "start": "2026-13-01"},
            "start",
            "Startdatum: ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-04.",
        ),
        (
            {"title": "Lager", "kind": "jobb"},
            "kind",
            "Typ: välj ett av alternativen (Praktik, Arbetsträning).",
        ),
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


def test_every_wrong_field_is_reported_at_once_each_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse({"title": "ab", "capacity": "tre", "start": "2026-02-30", "kind": "jobb"})
    expected = {
        "title": "Rubrik måste ha minst 3 tecken.",
        "capacity": "Antal platser ska vara ett heltal, till exempel 3.",
        "start": "Startdatum: ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-04.",
        "kind": "Typ: välj ett av alternativen (Praktik, Arbetsträning).",
    }
    assert caught.value.errors == expected
    assert caught.value.fields == list(expected)
    assert field_errors(caught.value, LABELS) == expected
    # The whole message (what the JSON answer and a page without the fields show) names each.
    for message in expected.values():
        assert caught.value.message.count(message) == 1


def test_a_date_outside_the_window_is_reported_with_the_other_fields() -> None:
    problems = field_problems(Example, {"start": "1900-01-01", "capacity": "500"}, LABELS)
    assert problems == {
        "title": "Rubrik måste fyllas i.",
        "capacity": "Antal platser får vara högst 100.",
        "start": "Startdatum 1900-01-01 går inte att ta emot: "
        "ange ett datum mellan 2000-01-01 och 2100-12-31.",
    }


def test_a_rule_about_two_fields_stands_at_both() -> None:
    error = ValidationFailed("Slutdatum kommer före startdatum.", fields=["start", "end"])
    assert field_errors(error, ["start", "end"]) == {
        "start": "Slutdatum kommer före startdatum.",
        "end": "Slutdatum kommer före startdatum.",
    }


@pytest.mark.parametrize(
    ("message", "label", "choices", "swedish"),
    [
        ("Expected `str` of length <= 200", "Sökordet", (), "Sökordet får vara högst 200 tecken."),
        (
            "Invalid RFC3339 encoded date - at `$.start`",
            "Startdatum",
            (),
            "Startdatum: ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-04.",
        ),
        (
            "Invalid RFC3339 encoded datetime - at `$.received_at`",
            "Mottagen",
            (),
            "Mottagen: ange tidpunkten som datum, T och klockslag med tidszon, till exempel "
            "2026-12-04T09:30:00+01:00 (timmen 00–23).",
        ),
        (
            "Expected `datetime`, got `int` - at `$.received_at`",
            "Mottagen",
            (),
            "Mottagen: ange tidpunkten som datum, T och klockslag med tidszon, till exempel "
            "2026-12-04T09:30:00+01:00 (timmen 00–23).",
        ),
        ("Expected `int`, got `str`", "Sidan", (), "Sidan ska vara ett heltal, till exempel 3."),
        ("Expected `int` >= 0", "Sidan", (), "Sidan måste vara minst 0."),
        ("Expected `int` <= 100", "Antal per sida", (), "Antal per sida får vara högst 100."),
        ("Expected `float` > 0.0", "Avstånd i km", (), "Avstånd i km måste vara större än 0."),
        (
            "Invalid enum value 'x'",
            "Värdtyp",
            ("company", "municipal_unit"),
            "Värdtyp: välj ett av alternativen (Företag, Kommunal enhet).",
        ),
        ("Invalid enum value 'x'", "Spår", (), "Spår: välj ett av alternativen i listan."),
        ("Object missing required field `title`", "Rubrik", (), "Rubrik måste fyllas i."),
        ("Expected `bool`, got `str`", "Körkort", (), "Körkort ska vara ja eller nej."),
        ("Expected `str` matching regex '^x$'", "Kod", (), "Kod har fel format."),
        ("Something new from msgspec", "Kod", (), "Kod har ett värde som inte går att ta emot."),
    ],
)
def test_msgspec_reasons_become_swedish_sentences(
    message: str, label: str, choices: tuple[str, ...], swedish: str
) -> None:
    assert swedish_reason(message, label, choices) == swedish


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


@pytest.mark.parametrize(
    ("message", "english"),
    [
        ("Expected `array` of length >= 2", "Skills: choose at least 2."),
        ("Expected `array` of length <= 3", "Skills: choose at most 3."),
        ("Expected `int` < 10", "Skills must be less than 10."),
        ("Expected `str` matching regex '^x$'", "Skills is in the wrong format."),
    ],
)
def test_reasons_in_a_participants_language(message: str, english: str) -> None:
    """A form on a participant-facing page says why in the page's language."""
    from marketplace.kernel.i18n import gettext_for

    assert swedish_reason(message, "Skills", translate=gettext_for("en")) == english


class _Seats(msgspec.Struct, kw_only=True):
    seats: (
        Annotated[int, msgspec.Meta(ge=1, le=9, extra={"problem": "Ange 1 till 9 platser."})]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    other: Annotated[int, msgspec.Meta(ge=1)] = 1


def test_a_type_with_its_own_message_says_it_for_every_refusal():
    """A rule that carries its words is said so whatever the value's fault (too small, too
    large, not a number), on the API's strict path and the form's text alike; a type without
    one keeps the generic words."""
    for value in (0, 10, "nio"):
        assert field_problems(_Seats, {"seats": value}, {}, strict=True) == {
            "seats": "Ange 1 till 9 platser."
        }
    assert field_problems(_Seats, {"seats": "0"}, {"seats": "Platser"}) == {
        "seats": "Ange 1 till 9 platser."
    }
    assert field_problems(_Seats, {"other": 0}, {"other": "Annat"}) == {
        "other": "Annat måste vara minst 1."
    }


def test_a_control_character_is_refused_with_the_other_mistakes_and_said_where_it_was():
    """The JSON bodies' rule (`bodies.refuse_control_characters`) on a page's form: each field
    holding one is named, with the form's other mistakes; tabs and line breaks are text."""
    with pytest.raises(ValidationFailed) as refused:
        parse({"title": "ab\u202ecdefghijkl", "capacity": "många", "note": "rad 1\n\trad 2"})
    errors = refused.value.errors
    assert list(errors) == ["title", "capacity"]
    # Said where it was, and the text checked as shown again (without it): too long too.
    assert errors["title"] == (
        "Rubrik: texten innehöll ett osynligt styrtecken (ett tecken som styr skrivriktningen, "
        "U+202E) efter ”ab”. Det är borttaget ur fältet; läs igenom texten och försök igen. "
        "Rubrik får vara högst 10 tecken."
    )
    assert parse({"title": "Lager", "note": "rad 1\r\n\trad 2"}).note == "rad 1\r\n\trad 2"


def test_a_passwords_control_character_is_said_without_quoting_it():
    message = control_problem("hemlig\x1bfras", "Nytt lösenord", secret=True)
    assert message == (
        "Nytt lösenord: texten innehöll ett osynligt styrtecken (ett escape-tecken, U+001B). "
        "Skriv lösenordet igen, utan det."
    )
    assert control_problems({"password": "hemlig\x1bfras", "note": "ok\tok"}) == {
        "password": "Lösenord: texten innehöll ett osynligt styrtecken (ett escape-tecken, "
        "U+001B). Skriv lösenordet igen, utan det."
    }
    assert without_control_characters({"a": "x\x00y", "b": ["\u2066z", "w\n"]}) == {
        "a": "xy",
        "b": ["z", "w\n"],
    }


def test_a_problem_found_before_the_parse_is_told_with_the_forms_own() -> None:
    form = Form(Example, labels=LABELS, lists=["tags"], blank_is_none=["hours", "start"])
    taken = ValidationFailed.every({"note": "Anteckningen finns redan.", "title": "Tagen."})
    with pytest.raises(ValidationFailed) as caught:
        form.also(taken)({"title": "ab", "capacity": "tre", "note": "x"})
    # Each on its field, in the form's order; a field's own problem stands before the found one.
    assert caught.value.errors == {
        "title": "Rubrik måste ha minst 3 tecken.",
        "capacity": "Antal platser ska vara ett heltal, till exempel 3.",
        "note": "Anteckningen finns redan.",
    }
    # Without problems of its own the form raises what was found as it is (a 409 stays one).
    conflict = Conflict("Upptagen.", fields=["title"])
    with pytest.raises(Conflict) as whole:
        form.also(conflict)({"title": "Rubriken"})
    assert whole.value is conflict
    assert form.also(None)({"title": "Rubriken"}).title == "Rubriken"


def test_a_rule_says_nothing_of_a_field_that_has_a_problem_of_its_own():
    """Seen in a host's walk: 8 days present read "får vara högst 7" and "Ange minst en dag"
    at once (the rule read the form without the refused field), and a comment too long read
    "Skriv vad den andra frånvaron var". A field's own problem is what it says."""

    class Week(msgspec.Struct, kw_only=True):
        days_present: Annotated[int, msgspec.Meta(ge=0, le=7)] = 0
        days_other: Annotated[int, msgspec.Meta(ge=0, le=7)] = 0
        absence_note: Annotated[str, msgspec.Meta(max_length=10)] = ""

    def rules(typed):
        days = int(typed.get("days_present", 0)) + int(typed.get("days_other", 0))
        if days == 0:
            yield "days_present", "Ange minst en dag."
        if int(typed.get("days_other", 0)) and not typed.get("absence_note"):
            yield "absence_note", "Skriv vad den andra frånvaron var."

    labels = {
        "days_present": "Dagar på plats",
        "days_other": "Annan frånvaro",
        "absence_note": "Kommentar",
    }
    with pytest.raises(ValidationFailed) as refused:
        parse_form(
            Week,
            {"days_present": "8", "days_other": "1", "absence_note": "x" * 11},
            labels=labels,
            rules=rules,
        )
    errors = refused.value.errors
    assert "högst 7" in errors["days_present"] and "minst en dag" not in errors["days_present"]
    assert "Skriv vad" not in errors["absence_note"] and "10" in errors["absence_note"]
    # Without a problem of its own, the field hears the rule.
    with pytest.raises(ValidationFailed) as refused:
        parse_form(Week, {"days_other": "1"}, labels=labels, rules=rules)
    assert refused.value.errors == {"absence_note": "Skriv vad den andra frånvaron var."}


class _Ending(msgspec.Struct):
    result: Literal["completed", "interrupted"]
    signer: str
    note: str


def test_a_question_left_unanswered_is_asked_again_not_garbled() -> None:
    """Fuzzing the API: an ending without its result said "Välj hur slutade placeringen?.",
    and a question box left empty "Vem hos värden svarade? måste fyllas i."."""
    labels = {
        "result": "Hur slutade placeringen?",
        "signer": "Vem hos värden svarade?",
        "note": "Anteckning",
    }
    assert field_problems(_Ending, {}, labels) == {
        "result": "Svara på frågan ”Hur slutade placeringen?”.",
        "signer": "Svara på frågan ”Vem hos värden svarade?”.",
        "note": "Anteckning måste fyllas i.",
    }
