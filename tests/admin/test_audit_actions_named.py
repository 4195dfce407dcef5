"""Every audit action the code records reads in Swedish on the log review page: a new action
without its words would show its internal code (as attendance's did once)."""

from __future__ import annotations

import re
from pathlib import Path

from admin.services.audit_text import action_text

ROOT = Path(__file__).resolve().parents[2]
RECORDED = re.compile(r'record\(\s*[^,()]+,\s*"([a-z_]+\.[a-z_.]+)"')


def test_every_recorded_action_has_swedish_words():
    actions = set()
    for package in ("marketplace", "employers", "placements", "search", "admin", "participants"):
        for source in (ROOT / package).rglob("*.py"):
            actions |= set(RECORDED.findall(source.read_text(encoding="utf-8")))
    assert len(actions) > 30  # the scan found the code's actions
    unnamed = sorted(a for a in actions if action_text(a) == a)
    assert not unnamed, unnamed


def test_the_learned_lift_switch_reads_in_swedish_in_the_log():
    """Seen in the admin's walk: the log showed "search_lift | learned_lift" when the lift
    was switched."""
    from admin.services import audit_text

    assert audit_text.subject_text("search_lift", None) == "sökningens inlärda lyft"
    assert audit_text.detail_text("learned_lift") == "inlärda lyft"
