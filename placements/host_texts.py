"""What a text the coordinator writes for a host may not say: anything that looks like a
personnummer or samordningsnummer, and anything about the participant's health.

The host sees only what the placement needs (docs DOMAIN.md, secrecy). The proposal
message and the agreement's goals are written by the coordinator and read by the host, so
one rule, `host_text_problems`, is asked of each, by the services and by the pages' forms.
A tester's walk got "Oskar har epilepsi och tar medicin" and "pnr 19900101-1234, hon har
diabetes" through to a host: the form's hint asked for neither, and only a personnummer
with a right check digit was refused.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from marketplace.kernel.luhn import luhn_ok
from placements.health_words import ALLOWED, HEALTH_STEMS

IDENTITY_TEXT = (
    "Texten får inte innehålla något som liknar ett personnummer eller samordningsnummer, "
    "inte ens med fel siffror. Ta bort numret: värden behöver det inte."
)
PHONE_HINT = (
    " Är det ett telefonnummer? Skriv det i grupper, till exempel 070-123 45 67, så går det igenom."
)
HEALTH_TEXT = (
    "Skriv inget om deltagarens hälsa, diagnoser, mediciner, funktionsnedsättningar eller "
    "missbruk (du skrev ”%(word)s”). Skriv i stället vad deltagaren behöver på arbetsplatsen, "
    "till exempel ”behöver pauser”, ”kan inte lyfta tungt” eller ”behöver tydliga "
    "instruktioner”."
)

# Every kind of dash, written as "-" before numbers are looked for.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")

# A date of 6 or 8 digits (YYMMDD or YYYYMMDD), then perhaps "-" or "+" (spaces around it
# allowed), then 4 digits, standing alone among the digits.
_IDENTITY = re.compile(
    r"(?<!\d)(?P<date>(?:19|20)?\d{6})(?P<sep>\s?[-+]\s?|\s)?(?P<tail>\d{4})(?!\d)"
)


def _is_date(digits: str) -> bool:
    """Whether YYMMDD or YYYYMMDD is a day of some year, the day plus 60 for a
    samordningsnummer. The century of a short date is unknown, so 29 February counts."""
    month, day = int(digits[-4:-2]), int(digits[-2:])
    if day > 60:
        day -= 60
    if not 1 <= month <= 12:
        return False
    year = int(digits[:4]) if len(digits) == 8 else 2000
    return 1 <= day <= calendar.monthrange(year, month)[1]


def _identity_numbers(text: str) -> Iterator[bool]:
    """For each number in `text` that looks like a personnummer or samordningsnummer,
    whether it may as well be a phone number (ten digits together, starting with 0)."""
    for found in _IDENTITY.finditer(text.translate(_DASHES)):
        date, tail = found.group("date"), found.group("tail")
        if not _is_date(date):
            continue
        together = len(date) == 6 and not (found.group("sep") or "").strip()
        phone_like = together and date.startswith("0")
        if phone_like and not luhn_ok(date + tail):
            continue
        yield phone_like


def looks_like_identity_number(text: str) -> bool:
    """True when `text` holds what looks like a personnummer or samordningsnummer, with any
    check digit: a date of 6 or 8 digits, then perhaps "-" or "+", then 4 digits
    ("850709-1234", "19900101-1234", "19850709 9805").

    Ten digits written together and starting with 0 are a phone number ("0701234567") unless
    their check digit is right; written with a dash after the sixth digit they are the
    number's form, whatever they start with. A phone number written in groups ("070-123 45
    67") is no date."""
    return any(True for _ in _identity_numbers(text))


_FOLD = str.maketrans("åäöéü", "aaoeu")
_ALLOWED = re.compile("|".join(rf"(?<!\w){pattern}" for pattern in ALLOWED))
_HEALTH = re.compile(
    "|".join(rf"(?<!\w){re.escape(stem)}" for stem in sorted(HEALTH_STEMS, key=len, reverse=True))
)


def fold(text: str) -> str:
    """`text` as health words are looked for in it: lower case, å and ä as a, ö as o, each
    letter in its place (a letter whose lower case is longer keeps its first character)."""
    plain = unicodedata.normalize("NFC", text)
    return "".join(char.lower()[:1] for char in plain).translate(_FOLD)


def health_word(text: str) -> str | None:
    """The first word in `text` that names health (`placements.health_words`), as written,
    or None. The folding keeps every letter's place, so the word is cut from the text."""
    folded = _ALLOWED.sub(lambda m: " " * len(m.group()), fold(text))
    found = _HEALTH.search(folded)
    if found is None:
        return None
    written = unicodedata.normalize("NFC", text)
    end = found.start()
    while end < len(written) and (written[end].isalnum() or written[end] == "-"):
        end += 1
    return written[found.start() : end].strip("-")


def host_text_problems(
    field: str,
    text: str,
    *,
    identity_text: str = IDENTITY_TEXT,
    health_text: str = HEALTH_TEXT,
) -> list[tuple[str, str]]:
    """What a text the host will read may not say, each as (field, message) for the form:
    a personnummer-like number, and the first health word found. The messages speak to the
    coordinator unless others are given (`assessment_problems`: to the supervisor)."""
    problems: list[tuple[str, str]] = []
    found = list(_identity_numbers(text))
    if found:
        # One mobile number in ten, written together, is also a personnummer with a right
        # check digit: say how to write it so that it passes.
        problems.append((field, identity_text + (PHONE_HINT if all(found) else "")))
    if (word := health_word(text)) is not None:
        problems.append((field, health_text % {"word": word}))
    return problems


# The supervisor's assessment is read by the host's users and the coordinator, and kept with
# the placement: the same rule, said to the one who writes it. A helper's walk got "Hon har
# ADHD och migrän … Personnummer 19840375-1234" through.
ASSESSMENT_IDENTITY_TEXT = (
    "Texten får inte innehålla något som liknar ett personnummer eller samordningsnummer, "
    "inte ens med fel siffror. Ta bort numret: bedömningen behöver det inte."
)
ASSESSMENT_HEALTH_TEXT = (
    "Skriv inget om deltagarens hälsa, diagnoser, mediciner, funktionsnedsättningar eller "
    "missbruk (du skrev ”%(word)s”). Beskriv i stället hur arbetet gick, till exempel "
    "”behövde fler pauser” eller ”arbetade bäst med tydliga instruktioner”."
)
ASSESSMENT_TEXTS = ("tasks_mastered", "strengths", "comment")


def assessment_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the assessment's texts may not say, each as (field, message): a form's `rules`,
    and the service's check for the API."""
    return [
        problem
        for name in ASSESSMENT_TEXTS
        for problem in host_text_problems(
            name,
            str(values.get(name) or ""),
            identity_text=ASSESSMENT_IDENTITY_TEXT,
            health_text=ASSESSMENT_HEALTH_TEXT,
        )
    ]
