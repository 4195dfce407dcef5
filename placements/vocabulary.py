"""The placement domain's codes that several layers share, each declared once: the type the
schemas validate with, the tuple the tables, import and filters check against, and the
Swedish labels pages and reports show.

The kernel's page labels (`marketplace.templating.LABELS["track"]`) hold the same words for
the templates; tests/placements/test_vocabulary.py pins that they agree.
"""

from __future__ import annotations

from typing import Literal, get_args

# The strategy's three tracks (spår).
Track = Literal["kompetens", "hälsa", "vägledning"]
TRACKS: tuple[str, ...] = get_args(Track)
TRACK_LABELS: dict[str, str] = {
    "kompetens": "Kompetens",
    "hälsa": "Hälsa",
    "vägledning": "Vägledning",
}
