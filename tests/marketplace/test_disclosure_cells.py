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


def test_hidden_parts_that_add_up_to_what_the_total_leaves_are_not_given_away():
    # 5 and four 1s in a total of 9: hiding only the 5 ("dold", at least 5) left 9 for
    # parts of at least 5 + 1 + 1 + 1 + 1, so each was known.
    cells = Cells({"total": 9, "a": 5, "b": 1, "c": 1, "d": 1, "e": 1, "f": 0})
    cells.primary("total", "a", "b", "c", "d", "e", "f")
    cells.group("total", ["a", "b", "c", "d", "e", "f"])
    assert "total" in cells.hidden
    # Two 4s and a 6 in 14: the 6 hidden, 14 left for "dold" and two of 1–4 could be 6, 4, 4
    # or more for the "dold": not known, so the total stays.
    cells = Cells({"total": 14, "a": 6, "b": 4, "c": 4})
    cells.primary("total", "a", "b", "c")
    cells.group("total", ["a", "b", "c"])
    assert cells.get("total") == 14 and cells.paths() == ["a", "b", "c"]


def test_a_small_total_of_four_hidden_parts_does_not_say_fewer_than_5():
    # Persons to work or studies as the demo had it: four months of 1, eight of 0, total 4.
    # "Färre än 5" on the total and on four months gave each month as 1.
    months = {f"m{i}": (1 if i < 4 else 0) for i in range(12)}
    cells = Cells({"total": 4, **months})
    cells.primary("total", *months)
    cells.group("total", list(months))
    assert hidden_text("total", cells.protected_paths()) == PROTECTED_TEXT
    assert hidden_text("m0", cells.protected_paths()) == SUPPRESSED_TEXT
    # Three months of 1 leave the total 3 or 4: it may say "färre än 5".
    months = {f"m{i}": (1 if i < 3 else 0) for i in range(12)}
    cells = Cells({"total": 3, **months})
    cells.primary("total", *months)
    cells.group("total", list(months))
    assert hidden_text("total", cells.protected_paths()) == SUPPRESSED_TEXT
