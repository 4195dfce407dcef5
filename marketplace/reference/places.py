"""The gazetteer: Swedish localities and their coordinates (``data/places.csv``), and the
great-circle distance between two points.

A host's town gives the host and its slots coordinates when none were entered
(`employers.services.hosts`), and the search measures distances from a town the same way.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

from marketplace.kernel.i18n import N_, Translate, swedish
from marketplace.reference.words import fold, normalize

__all__ = ["did_you_mean", "haversine_km", "place", "similar"]

_EARTH_RADIUS_KM = 6371.0088


@cache
def _rows() -> tuple[dict[str, str], ...]:
    """The gazetteer's rows (locality, municipality, latitude, longitude), read once."""
    text = (
        resources.files("marketplace.reference").joinpath("data", "places.csv").read_text("utf-8")
    )
    return tuple(csv.DictReader(text.splitlines()))


@cache
def _places() -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    main_town: set[str] = set()
    for row in _rows():
        key = fold(normalize(row["locality"]))
        coords = (float(row["latitude"]), float(row["longitude"]))
        # A locality name can exist in several municipalities; the one that gives the
        # municipality its name is the likelier meaning.
        is_main = normalize(row["locality"]) == normalize(row["municipality"])
        if key not in out or (is_main and key not in main_town):
            out[key] = coords
            if is_main:
                main_town.add(key)
    return out


@cache
def _names() -> dict[str, str]:
    """Each locality's folded key and its name as written ("vargarda" → "Vårgårda")."""
    out: dict[str, str] = {}
    for row in _rows():
        out.setdefault(fold(normalize(row["locality"])), row["locality"].strip())
    return out


def similar(town: str, limit: int = 3) -> list[str]:
    """The gazetteer's names closest to an unknown town's (a typo, a missing letter), as
    written, best first: at most `limit`, only those close enough to be what was meant."""
    key = fold(normalize(town))
    if not key:
        return []
    names = _names()
    found = process.extract(key, list(names), scorer=fuzz.ratio, limit=limit, score_cutoff=85)
    return [names[match] for match, _, _ in found]


# The question after an unknown town, marked for the participant pages' catalogs (the
# public search asks it in the visitor's language).
DID_YOU_MEAN = N_("Menade du %(names)s?")
NAMES_OR = N_("%(names)s eller %(last)s")


def did_you_mean(town: str, translate: Translate = swedish) -> str:
    """A question naming the gazetteer's closest names to an unknown town ("Menade du
    Vårgårda?"), or "" when none is close: in Swedish, or in the language of `translate`."""
    names = similar(town)
    if not names:
        return ""
    listed = (
        names[0]
        if len(names) == 1
        else translate(NAMES_OR) % {"names": ", ".join(names[:-1]), "last": names[-1]}
    )
    return translate(DID_YOU_MEAN) % {"names": listed}


def place(town: str) -> tuple[float, float] | None:
    """Return (latitude, longitude) of a Swedish locality, ignoring case and diacritics.

    Returns None for unknown names. The gazetteer is a convenience: coordinates entered by a
    user or taken from an address take precedence.
    """
    return _places().get(fold(normalize(town)))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
