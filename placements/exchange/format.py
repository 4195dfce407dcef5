"""The slot exchange format itself: its fields in file order, its list separator, and the
reasons a row or a file is refused, in Swedish and English."""

from __future__ import annotations

from typing import Any

from placements import slot_rules

# One row of an exchange file as read or to be written: a field's name (dotted for the nested
# objects of JSON Lines: "host.name") and its value. Which fields a row has is up to the file.
FlatRow = dict[str, Any]

FORMATS = ("jsonl", "csv")
EXPORT_FORMATS = ("jsonl", "csv", "xlsx")
DEFAULT_SOURCE = "import"
LIST_SEPARATOR = ";"
# Column order of CSV and XLSX files; JSON Lines nests the dotted names.
FIELDS = (
    "external_id",
    "source",
    "status",
    "host.name",
    "host.kind",
    "host.org_number",
    "host.town",
    "kind",
    "title",
    "occupation_id",
    "description",
    "skills",
    "town",
    "latitude",
    "longitude",
    "capacity",
    "hours_per_week",
    "tracks",
    "adaptations",
    "supervisor.name",
    "supervisor.email",
    "supervisor.phone",
    "requirements.driving_licence",
    "start_date",
    "end_date",
    "setting",
)
LIST_FIELDS = {"skills", "tracks", "adaptations"}

REASONS: dict[str, tuple[str, str]] = {
    "required": ("Fältet saknas men krävs.", "The field is missing but required."),
    "text": ("Ska vara text.", "Must be text."),
    "line_break": ("Får inte innehålla radbrytningar.", "Must not contain line breaks."),
    "email": (
        "Ska vara en e-postadress som namn@exempel.se.",
        "Must be an e-mail address like name@example.com.",
    ),
    "email_letters": (
        "Går inte att skicka e-post till: före @ får en adress bara ha bokstäverna a–z (inte "
        "å, ä, ö eller é), siffror och tecken som . - _ +. Menar du {value}?",
        "Cannot receive mail: before the @ an address may only have the letters a–z (not å, "
        "ä, ö or é), digits and characters such as . - _ +. Did you mean {value}?",
    ),
    "too_long": ("Får ha högst {n} tecken.", "May have at most {n} characters."),
    "too_many": ("Får ha högst {n} värden.", "May have at most {n} values."),
    "too_short": ("Ska ha minst {n} tecken.", "Must have at least {n} characters."),
    "choice": ("Ska vara ett av: {choices}.", "Must be one of: {choices}."),
    "integer": ("Ska vara ett heltal.", "Must be a whole number."),
    "range": ("Ska vara mellan {low} och {high}.", "Must be between {low} and {high}."),
    "at_least": ("Ska vara minst {low}.", "Must be at least {low}."),
    "capacity": (
        slot_rules.CAPACITY_PROBLEM,
        "Give how many participants the slot takes at the same time: a whole number from "
        f"{slot_rules.CAPACITY_MIN} to {slot_rules.CAPACITY_MAX}.",
    ),
    "number": ("Ska vara ett tal.", "Must be a number."),
    "boolean": ("Ska vara true eller false.", "Must be true or false."),
    "date": ("Ska vara ett datum som 2025-03-01.", "Must be a date like 2025-03-01."),
    "date_window": (
        "Ska vara ett datum mellan {low} och {high}.",
        "Must be a date between {low} and {high}.",
    ),
    "list": ("Ska vara en lista med text.", "Must be a list of strings."),
    "end_before_start": (
        "Slutdatum är före startdatum.",
        "The end date is before the start date.",
    ),
    "too_far_ahead": (
        "Ska vara ett datum senast {high} (högst två år fram).",
        "Must be a date no later than {high} (at most two years ahead).",
    ),
    "both_coordinates": (
        "Ange både latitude och longitude, eller ingen av dem.",
        "Give both latitude and longitude, or neither.",
    ),
    "occupation": (
        "Yrket {value} finns inte i yrkestaxonomin.",
        "Occupation {value} is not in the occupation taxonomy.",
    ),
    "control": (
        "Fältet har ett osynligt styrtecken (som ett nolltecken, ett escape-tecken eller ett "
        "tecken som vänder skrivriktningen), som skulle kunna förvanska texten på platsens "
        "sida. Ta bort det och skicka filen igen.",
        "The field holds an invisible control character (such as a null, an escape or a "
        "character that turns the writing direction), which could disguise the text on the "
        "slot's page. Remove it and send the file again.",
    ),
    "moved": (
        "Platsen {value} finns redan hos {host}. En import flyttar ingen plats till en annan "
        "organisation (dess placeringar och överenskommelser hör till {host}): rätta värdens "
        "namn, organisationsnummer och ort, eller ge raden ett nytt external_id för en ny plats.",
        "Slot {value} already belongs to {host}. An import moves no slot to another "
        "organisation (its placements and agreements belong to {host}): correct the host's "
        "name, org number and town, or give the row a new external_id for a new slot.",
    ),
    "duplicate": (
        "external_id {value} finns redan på rad {line} i filen.",
        "external_id {value} already appears on line {line} of the file.",
    ),
    "json": (
        "Raden är inte giltig JSON: {detail}",
        "The line is not valid JSON: {detail}",
    ),
    "object": ("Raden ska vara ett JSON-objekt.", "The line must be a JSON object."),
    "encoding": (
        "Filen är inte UTF-8-kodad. Spara den som UTF-8 och försök igen.",
        "The file is not UTF-8 encoded. Save it as UTF-8 and try again.",
    ),
    "columns": (
        "Rubrikraden saknar kolumnerna: {columns}.",
        "The header row lacks the columns: {columns}.",
    ),
    "host_matched": (
        "Värden anges utan host.town och host.org_number (här och på senare rader med samma "
        "namn) och kopplades till den enda värden som heter så: {name}, {town}.",
        "The host is given without host.town and host.org_number (here and on later rows of "
        "the same name) and was matched to the only host of that name: {name}, {town}.",
    ),
    "host_ambiguous": (
        "Flera värdar heter {name}: {towns}. Ange host.town (eller host.org_number) för "
        "den värd raden gäller.",
        "Several hosts are named {name}: {towns}. Give host.town (or host.org_number) of "
        "the host the row is for.",
    ),
    "host_in": ("i {town}", "in {town}"),
    "host_no_town": ("utan ort", "no town"),
    "empty": ("Filen innehåller inga platser.", "The file holds no slots."),
    "refused": (
        "Inget sparades: filen har rader med fel ({n} st). Rätta raderna som listas i errors "
        "och skicka filen igen, eller skicka den med skip_bad_rows för att spara de andra.",
        "Nothing was saved: the file has rows with errors ({n}). Correct the rows listed in "
        "errors and send the file again, or send it with skip_bad_rows to save the others.",
    ),
    "cells": (
        "Raden har fler värden än rubrikraden har kolumner.",
        "The row has more values than the header row has columns.",
    ),
    "cell_size": (
        "En cell är större än {n} KiB och kan inte tas emot.",
        "A cell is larger than {n} KiB and cannot be accepted.",
    ),
    "open_quote": (
        'Ett citattecken (") öppnas men stängs aldrig; raden och resten av filen kan inte läsas.',
        'A quote (") is opened but never closed; the row and the rest of the file cannot be read.',
    ),
    "csv_quote": (
        "Raden är inte giltig CSV: ett citattecken står på fel plats.",
        "The row is not valid CSV: a quote is misplaced.",
    ),
    "too_deep": (
        "Raden är för djupt nästlad: högst {n} nivåer går att läsa.",
        "The line nests too deeply: at most {n} levels can be read.",
    ),
}


def reason(code: str, language: str = "sv", **values: Any) -> str:
    sv, en = REASONS[code]
    return (en if language == "en" else sv).format(**values)


class ExchangeError(Exception):
    """The file as a whole cannot be read (encoding, header); the message is localised."""
