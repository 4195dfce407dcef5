"""A slot search's words and filters, checked and turned into the index's `SearchQuery`."""

from __future__ import annotations

from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.i18n import N_
from marketplace.reference.places import place
from placements.tables import SLOT_KINDS, TRACKS
from search.schemas import SearchQuery

WRONG_KIND = N_("Typ av plats: välj praktik eller arbetsträning.")
WRONG_TRACK = N_("Spår: välj kompetens, hälsa eller vägledning.")


def wrong_choices(kind: str | None, track: str | None) -> dict[str, str]:
    """The message for each of the kind and the track that is given but no choice the search
    offers, by field: both said at once."""
    wrong = {}
    if kind is not None and kind not in SLOT_KINDS:
        wrong["kind"] = WRONG_KIND
    if track is not None and track not in TRACKS:
        wrong["track"] = WRONG_TRACK
    return wrong


def parse_near(near: str | None) -> tuple[float, float] | None:
    if not near:
        return None
    parts = near.split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise ValidationFailed(
            "near ska vara latitud,longitud i decimalgrader, t.ex. near=57.94,12.81.",
            fields=["near"],
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed("near ligger utanför jordklotet.", fields=["near"])
    return lat, lon


def slot_query(
    q: str,
    *,
    limit: int,
    offset: int = 0,
    kind: str | None = None,
    track: str | None = None,
    town: str | None = None,
    near: str | None = None,
    radius_km: float | None = None,
    max_hours: int | None = None,
    min_hours: int | None = None,
    adaptations: str | None = None,
    driving_licence: bool | None = None,
    open_only: bool = True,
) -> SearchQuery:
    """Validate a slot search's words and filters into a `SearchQuery`: a `ValidationFailed`
    names the wrong field in Swedish. The one way in for the API, the public page and the
    workbench; every filter is a keyword.

    `near` is "lat,lon"; `radius_km` needs a point (`near`, or a `town` the gazetteer knows);
    `adaptations` is a comma-separated list; `driving_licence=False` keeps slots that need
    no licence."""
    wrong = wrong_choices(kind, track)
    if wrong:
        raise ValidationFailed(" ".join(wrong.values()), errors=wrong)
    point = parse_near(near)
    if radius_km is not None and point is None:
        town_point = place(town) if town else None
        if town_point is None:
            raise ValidationFailed(
                "Avstånd i km kräver en plats att räkna från: ange en känd ort eller near=lat,lon.",
                fields=["radius_km"],
            )
        point, town = town_point, None
    return SearchQuery(
        q=q,
        limit=limit,
        offset=offset,
        kind=kind,
        track=track,
        town=town or None,
        near=point,
        radius_km=radius_km,
        max_hours=max_hours,
        min_hours=min_hours,
        adaptations=[a.strip() for a in (adaptations or "").split(",") if a.strip()],
        no_driving_licence=driving_licence is False,
        open_only=open_only,
    )
