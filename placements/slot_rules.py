"""The limits of a slot's fields, in one place.

The API's and the pages' bodies (`placements.schemas.slots`), the import's two row readers
(`placements.exchange.rows`: the worded `check_row` and msgspec's fast path) and the services
all take their limits from here, so a rule cannot drift between them. (Before this module the
import took any capacity from 1 up, while the API refused more than 100; now both refuse it.
And a draft could be saved with 0 places while publishing and the import needed 1; now every
entry point needs 1 to 100 and says so in the same words, `CAPACITY_PROBLEM`.)

Rules that need more than a limit live in the services and are called by every entry point:
the period (`placements.date_rules`, the "slot" rows), an occupation id the taxonomy has
replaced (`search.taxonomy_changes.resolve_occupation`), and what publishing needs
(`placements.services.slots`).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

import msgspec

TITLE_MIN, TITLE_MAX = 3, 200
DESCRIPTION_MAX = 5000
TOWN_MAX = 100
LABEL_MAX = 200  # one skill or adaptation
LABELS_MAX = 50  # skills, adaptations
OCCUPATION_ID_MAX = 20
# A slot takes 1 to 100 participants at a time, a draft too: 0 places is no slot. A draft
# created without a capacity gets 1 (the form starts at 1), never 0.
CAPACITY_MIN, CAPACITY_MAX = 1, 100
CAPACITY_PROBLEM = (
    f"Ange hur många deltagare platsen tar emot samtidigt: ett heltal från {CAPACITY_MIN} "
    f"till {CAPACITY_MAX}."
)
HOURS_MIN, HOURS_MAX = 1, 40
LATITUDE_MIN, LATITUDE_MAX = -90.0, 90.0
LONGITUDE_MIN, LONGITUDE_MAX = -180.0, 180.0

Title = Annotated[str, msgspec.Meta(min_length=TITLE_MIN, max_length=TITLE_MAX)]
TITLE_PROBLEM = (
    f"Skriv en rubrik på minst {TITLE_MIN} tecken som säger vad platsen gäller, till exempel "
    "Lagerarbetare."
)


# Characters that show nothing of their own: format characters (zero-width), combining marks
# (they only change the character before them), and the Hangul fillers, which count as
# letters ("\u3164\u3164\u3164" was saved as a title: an attack on the slot routes).
_UNSEEN_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")


def title_problem(title: str) -> str | None:
    """What is wrong with a title as it is kept (trimmed), or None. The length rule of
    `Title` reads the text as sent: "   " or "  a  " passed it and was saved as "" or "a",
    and a title of only invisible characters (zero-width or other format characters, which
    `str.strip` leaves) showed as nothing."""
    seen = [
        c
        for c in title
        if not c.isspace()
        and unicodedata.category(c) not in _UNSEEN_CATEGORIES
        and c not in _FILLERS
    ]
    if len(seen) < TITLE_MIN or not any(c.isalnum() for c in seen):
        return TITLE_PROBLEM
    return None


Description = Annotated[str, msgspec.Meta(max_length=DESCRIPTION_MAX)]
Town = Annotated[str, msgspec.Meta(max_length=TOWN_MAX)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=LABEL_MAX)]
Labels = Annotated[list[Label], msgspec.Meta(max_length=LABELS_MAX)]
# The one capacity rule, with its one message (`marketplace.kernel.forms.own_problem`): the
# API's and the pages' bodies, the import's fast path and its worded reader all use it.
Capacity = Annotated[
    int,
    msgspec.Meta(ge=CAPACITY_MIN, le=CAPACITY_MAX, extra={"problem": CAPACITY_PROBLEM}),
]
# Whole hours: "37,5" was told "ska vara ett heltal, till exempel 3" (a host's day).
HOURS_PROBLEM = (
    f"Ange timmar i veckan som ett heltal från {HOURS_MIN} till {HOURS_MAX}, till exempel 20 "
    "eller 38 (avrunda en halvtimme)."
)
Hours = Annotated[int, msgspec.Meta(ge=HOURS_MIN, le=HOURS_MAX, extra={"problem": HOURS_PROBLEM})]
Latitude = Annotated[float, msgspec.Meta(ge=LATITUDE_MIN, le=LATITUDE_MAX)]
Longitude = Annotated[float, msgspec.Meta(ge=LONGITUDE_MIN, le=LONGITUDE_MAX)]
OccupationId = Annotated[str, msgspec.Meta(min_length=1, max_length=OCCUPATION_ID_MAX)]
