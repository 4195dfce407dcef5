"""Each shared code of the placement domain is declared once (placements/vocabulary.py), with
one Swedish label per code, and every layer uses that declaration."""

from __future__ import annotations

from typing import get_args

import pytest

from admin.services import reports
from marketplace.kernel.templating import LABELS, add_labels, label
from placements import tables, vocabulary
from placements.schemas import outcomes as outcome_schemas
from placements.schemas import slots as slot_schemas
from placements.services import booking_access, outcomes

# (the type, its Swedish labels, the kernel's name for them)
VOCABULARIES = [
    (vocabulary.Track, vocabulary.TRACK_LABELS, "track"),
    (vocabulary.SlotKind, vocabulary.SLOT_KIND_LABELS, "slot_kind"),
    (vocabulary.SlotStatus, vocabulary.SLOT_STATUS_LABELS, "slot_status"),
    (vocabulary.BookingStatus, vocabulary.BOOKING_STATUS_LABELS, "booking_status"),
    (vocabulary.CaseStatus, vocabulary.CASE_STATUS_LABELS, "candidate_status"),
    (vocabulary.ActivityStatus, vocabulary.ACTIVITY_STATUS_LABELS, "activity_status"),
    (vocabulary.ParticipantConsentMethod, vocabulary.CONSENT_METHOD_LABELS, "consent_method"),
    (vocabulary.Attendance, vocabulary.ATTENDANCE_LABELS, "attendance"),
    (vocabulary.Recommendation, vocabulary.RECOMMENDATION_LABELS, "recommendation"),
    (vocabulary.OutcomeCategory, vocabulary.OUTCOME_LABELS, "outcome"),
]


@pytest.mark.parametrize(("kind", "labels", "name"), VOCABULARIES, ids=[v[2] for v in VOCABULARIES])
def test_every_code_has_one_swedish_label_and_pages_show_it(kind, labels, name):
    assert set(labels) == set(get_args(kind))
    assert all(text.strip() and text == text.strip() for text in labels.values())
    assert LABELS[name] is labels
    for code, text in labels.items():
        assert label(code, name) == text


def test_tracks_are_one_list_with_one_set_of_labels():
    assert vocabulary.TRACKS == ("kompetens", "hälsa", "vägledning")
    assert tables.TRACKS == vocabulary.TRACKS
    assert reports.TRACK_LABELS is vocabulary.TRACK_LABELS


def test_tables_schemas_and_services_use_the_one_declaration():
    assert tables.SLOT_KINDS == vocabulary.SLOT_KINDS == get_args(slot_schemas.SlotKind)
    assert tables.SLOT_STATUSES == vocabulary.SLOT_STATUSES == get_args(slot_schemas.Status)
    assert outcome_schemas.OutcomeCategory is vocabulary.OutcomeCategory
    assert get_args(vocabulary.OutcomeCategory) == vocabulary.OUTCOME_CATEGORIES
    assert get_args(vocabulary.BookingStatus) == vocabulary.BOOKING_STATUSES
    # The outcome's words are the same on the form, the audit text and in the reports.
    assert outcomes.CATEGORY_TEXT is vocabulary.OUTCOME_LABELS
    assert reports.CATEGORY_LABELS is vocabulary.OUTCOME_LABELS
    assert booking_access.STATUS_TEXT is vocabulary.BOOKING_STATUS_LABELS


def test_the_booking_states_know_every_status():
    from placements import booking_states

    for group in (booking_states.SEAT_HOLDING, booking_states.ENDED, booking_states.EDITABLE):
        assert set(group) <= set(vocabulary.BOOKING_STATUSES)


def test_a_vocabulary_is_declared_once():
    add_labels({"outcome": vocabulary.OUTCOME_LABELS})  # the same words again: no change
    with pytest.raises(ValueError, match="declared twice"):
        add_labels({"outcome": {**vocabulary.OUTCOME_LABELS, "arbete": "Jobb"}})
    assert LABELS["outcome"] is vocabulary.OUTCOME_LABELS
