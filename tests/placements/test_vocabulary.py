"""Each shared code of the placement domain is declared once (placements/vocabulary.py); the
kernel's page labels say the same words."""

from __future__ import annotations

from admin.services.reports import TRACK_LABELS
from marketplace.templating import LABELS
from placements import tables, vocabulary


def test_tracks_are_one_list_with_one_set_of_labels():
    assert vocabulary.TRACKS == ("kompetens", "hälsa", "vägledning")
    assert tables.TRACKS == vocabulary.TRACKS
    assert set(vocabulary.TRACK_LABELS) == set(vocabulary.TRACKS)
    assert TRACK_LABELS == vocabulary.TRACK_LABELS
    assert LABELS["track"] == vocabulary.TRACK_LABELS
