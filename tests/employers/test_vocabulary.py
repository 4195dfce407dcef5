"""The employers domain's codes are declared once (employers/vocabulary.py), with one Swedish
label per code, and every layer uses that declaration."""

from __future__ import annotations

from typing import get_args

from admin import schemas as admin_schemas
from admin.services import reports
from employers import schemas, tables, vocabulary
from employers.services import hosts
from marketplace.kernel.templating import LABELS
from placements import tables as placement_tables
from placements.schemas import slots as slot_schemas


def test_host_kinds_are_one_list_with_one_set_of_labels():
    assert tables.HOST_KINDS == vocabulary.HOST_KINDS == get_args(vocabulary.HostKind)
    assert schemas.HostKind is vocabulary.HostKind
    assert admin_schemas.HostKind is vocabulary.HostKind
    assert set(vocabulary.HOST_KIND_LABELS) == set(vocabulary.HOST_KINDS)
    assert LABELS["host_kind"] is vocabulary.HOST_KIND_LABELS
    assert reports.HOST_KIND_LABELS is vocabulary.HOST_KIND_LABELS


def test_settings_have_a_long_and_a_short_label_and_a_default_per_host_kind():
    assert placement_tables.SETTINGS == vocabulary.SETTINGS == get_args(slot_schemas.Setting)
    assert set(vocabulary.SETTING_LABELS) == set(vocabulary.SETTINGS)
    assert set(vocabulary.SETTING_SHORT_LABELS) == set(vocabulary.SETTINGS)
    assert LABELS["setting"] is vocabulary.SETTING_LABELS
    assert reports.SETTING_LABELS is vocabulary.SETTING_SHORT_LABELS
    assert set(vocabulary.SETTING_BY_KIND) == set(vocabulary.HOST_KINDS)
    assert set(vocabulary.SETTING_BY_KIND.values()) <= set(vocabulary.SETTINGS)
    assert hosts.SETTING_BY_KIND is vocabulary.SETTING_BY_KIND
