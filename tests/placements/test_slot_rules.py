"""One rule per slot field (issue 14): the API's body, the import's worded reader and its fast
path take their limits from `placements.slot_rules`, so a value is accepted or refused alike
by each. Pinned where two copies disagreed: the import took any capacity from 1 up while the
API refused more than 100; and it took any number of skills."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from marketplace.kernel.forms import field_problems
from placements import slot_rules
from placements.exchange import check_row, fast_row
from placements.schemas.slots import SlotCreate

ROW: dict[str, Any] = {
    "external_id": "r1",
    "host": {"name": "Kafé Linden", "kind": "company"},
    "kind": "praktik",
    "title": "Servitör",
    "town": "Vårgårda",
    "capacity": 2,
}

# (field, the largest or smallest value each entry point must accept, one past it)
BOUNDARIES = [
    ("capacity", slot_rules.CAPACITY_MAX, slot_rules.CAPACITY_MAX + 1),
    ("capacity", slot_rules.CAPACITY_MIN, slot_rules.CAPACITY_MIN - 1),
    ("hours_per_week", slot_rules.HOURS_MAX, slot_rules.HOURS_MAX + 1),
    ("hours_per_week", slot_rules.HOURS_MIN, slot_rules.HOURS_MIN - 1),
    ("title", "x" * slot_rules.TITLE_MAX, "x" * (slot_rules.TITLE_MAX + 1)),
    ("title", "x" * slot_rules.TITLE_MIN, "x" * (slot_rules.TITLE_MIN - 1)),
    ("description", "x" * slot_rules.DESCRIPTION_MAX, "x" * (slot_rules.DESCRIPTION_MAX + 1)),
    ("town", "x" * slot_rules.TOWN_MAX, "x" * (slot_rules.TOWN_MAX + 1)),
    (
        "skills",
        [f"kunskap {n}" for n in range(slot_rules.LABELS_MAX)],
        [f"kunskap {n}" for n in range(slot_rules.LABELS_MAX + 1)],
    ),
    (
        "adaptations",
        ["x" * slot_rules.LABEL_MAX],
        ["x" * (slot_rules.LABEL_MAX + 1)],
    ),
]


def _api_accepts(field: str, value: Any) -> bool:
    body = {"host_id": 1, "kind": "praktik", "title": "Servitör", "town": "Vårgårda"}
    try:
        msgspec.convert(body | {field: value}, SlotCreate)
    except msgspec.ValidationError:
        return False
    return True


def _import_accepts(field: str, value: Any) -> bool:
    row = ROW | {field: value}
    flat = {k: v for k, v in row.items() if k != "host"} | {
        "host.name": row["host"]["name"],
        "host.kind": row["host"]["kind"],
    }
    worded = not isinstance(check_row(1, flat, "test"), list)
    fast = fast_row(1, json.dumps(row).encode(), "test")
    if fast is not None:
        # The fast path may hand a row to the worded one, never accept what that refuses.
        assert worded, (field, value)
    return worded


@pytest.mark.parametrize(("field", "inside", "outside"), BOUNDARIES)
def test_the_api_and_the_import_agree_on_each_limit(field, inside, outside):
    assert _api_accepts(field, inside)
    assert _import_accepts(field, inside)
    assert not _api_accepts(field, outside)
    assert not _import_accepts(field, outside)


def test_the_import_names_the_limit_in_swedish():
    flat = {k: v for k, v in ROW.items() if k != "host"} | {
        "host.name": "Kafé Linden",
        "host.kind": "company",
        "capacity": 101,
        "skills": [f"kunskap {n}" for n in range(51)],
    }
    errors = check_row(7, flat, "test")
    assert isinstance(errors, list)
    reasons = {e.field: e.reason for e in errors}
    assert reasons["capacity"] == slot_rules.CAPACITY_PROBLEM
    assert reasons["skills"] == "Får ha högst 50 värden."
    assert {e.line for e in errors} == {7}


def test_a_draft_needs_a_capacity_as_the_import_does():
    """0 places once meant "not decided yet" for a draft made in the API, while the import
    and publishing needed 1: a slot with no places makes no sense, so none takes 0 now."""
    for capacity in (0, -1):
        assert not _api_accepts("capacity", capacity)
        assert not _import_accepts("capacity", capacity)
    assert (
        msgspec.convert({"host_id": 1, "kind": "praktik", "title": "Servitör"}, SlotCreate).capacity
        == 1
    )


@pytest.mark.parametrize("capacity", [0, -1, 101, "två", 1.5])
def test_the_api_and_the_import_refuse_a_capacity_in_the_same_words(capacity):
    """One capacity rule, one message: the API's body and the slot form (both through
    `field_problems`) and the import's worded reader say `CAPACITY_PROBLEM`."""
    body = {"host_id": 1, "kind": "praktik", "title": "Servitör", "capacity": capacity}
    assert field_problems(SlotCreate, body, {}, strict=True) == {
        "capacity": slot_rules.CAPACITY_PROBLEM
    }
    assert field_problems(SlotCreate, body | {"capacity": str(capacity)}, {}) == {
        "capacity": slot_rules.CAPACITY_PROBLEM
    }
    flat = {k: v for k, v in ROW.items() if k != "host"} | {
        "host.name": "Kafé Linden",
        "host.kind": "company",
        "capacity": capacity,
    }
    errors = check_row(1, flat, "test")
    assert isinstance(errors, list)
    assert [(e.field, e.reason) for e in errors] == [("capacity", slot_rules.CAPACITY_PROBLEM)]


@pytest.mark.parametrize("hours", ["37,5", "37.5", 0, 41, "tjugo"])
def test_hours_are_refused_in_words_that_say_what_to_write(hours):
    """A host's day: "37,5" was told "Timmar i veckan ska vara ett heltal, till exempel 3"."""
    body = {"host_id": 1, "kind": "praktik", "title": "Servitör", "hours_per_week": str(hours)}
    assert field_problems(SlotCreate, body, {}) == {"hours_per_week": slot_rules.HOURS_PROBLEM}
    assert "till exempel 20 eller 38" in slot_rules.HOURS_PROBLEM
