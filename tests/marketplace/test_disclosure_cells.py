"""The small-cell rule's cells (pure): which hidden cells read "färre än 5" and which "dold"."""

from __future__ import annotations

from marketplace.kernel.disclosure import PROTECTED_TEXT, SUPPRESSED_TEXT, Cells, hidden_text


def test_a_part_hidden_to_protect_a_small_one_reads_dold_and_the_small_one_fewer_than_5():
    # 85/15 as the demo had it: 9 open, 4 municipal, 2 sheltered of 15.
    cells = Cells(
        {"total": 15, "open": 9, "municipal": 4, "sheltered": 2, "real": 13, "share": 0.87}
    )
    cells.primary("total", "open", "municipal", "sheltered", "real")
    cells.group("total", ["open", "municipal", "sheltered"])
    cells.partial("real", ["open", "municipal"])
    cells.share("share", "real", "total")
    assert cells.paths() == ["municipal", "open", "real", "share", "sheltered"]
    # Only the counts of 1–4 say "färre än 5"; the 9, the 13 and the share are "dold".
    assert cells.protected_paths() == ["open", "real", "share"]
    protected = cells.protected_paths()
    assert hidden_text("municipal", protected) == SUPPRESSED_TEXT == "färre än 5"
    assert hidden_text("open", protected) == PROTECTED_TEXT == "dold"
    assert cells.get("total") == 15


def test_a_total_hidden_for_lack_of_a_larger_part_reads_dold():
    cells = Cells({"total": 12, "a": 4, "b": 4, "c": 4, "hours": 200.0})
    cells.primary("total", "a", "b", "c")
    cells.group("total", ["a", "b", "c"])
    cells.depends("hours", "a")
    assert cells.paths() == ["a", "b", "c", "hours", "total"]
    assert cells.protected_paths() == ["hours", "total"]


def test_nothing_hidden_nothing_protected():
    cells = Cells({"total": 10, "a": 5, "b": 5})
    cells.primary("total", "a", "b")
    cells.group("total", ["a", "b"])
    assert cells.paths() == [] and cells.protected_paths() == []
