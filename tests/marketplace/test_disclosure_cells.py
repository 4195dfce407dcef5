"""The small-cell rule's cells (pure): which hidden cells read "färre än 5" and which "dold"."""

from __future__ import annotations

from marketplace.kernel.disclosure import (
    PROTECTED_TEXT,
    SUPPRESSED_TEXT,
    Cells,
    also_hidden,
    hidden_text,
    slice_hidden,
)


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


def test_a_cell_with_nothing_to_show_is_not_hidden_with_what_it_rests_on():
    # A month without a month-end figure beside a hidden count of persons read "dold", as
    # if a figure existed.
    cells = Cells({"persons": 1, "snapshot": None, "other": 1, "other_snapshot": 1})
    cells.primary("persons", "other")
    cells.depends("snapshot", "persons")
    cells.depends("other_snapshot", "other")
    assert cells.paths() == ["other", "other_snapshot", "persons"]
    assert cells.get("snapshot") is None


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


def test_a_total_hidden_for_another_figure_s_sake_is_not_the_sum_of_its_shown_parts():
    # 85/15 of one host kind: its total hidden because another report hides the same
    # figure, while 10 open and 6 sheltered were shown: 16 by addition.
    with also_hidden({"total"}):
        cells = Cells({"total": 16, "open": 10, "municipal": 0, "sheltered": 6})
        cells.primary("total", "open", "municipal", "sheltered")
        cells.group("total", ["open", "municipal", "sheltered"])
    assert cells.paths() == ["sheltered", "total"]
    assert cells.protected_paths() == ["sheltered", "total"]


def test_a_partial_sum_hidden_for_another_figure_s_sake_is_not_the_sum_of_its_parts():
    # On real workplaces hidden (the snapshot hides it), open 5 and municipal 7 shown: the 5
    # is hidden too, and then the total's parts hold one hidden part, which the total less
    # the shown ones would give: a second one goes, whichever rule came first.
    for first in ("group", "partial"):
        with also_hidden({"real"}):
            cells = Cells({"total": 20, "open": 5, "municipal": 7, "sheltered": 8, "real": 12})
            cells.primary("total", "open", "municipal", "sheltered", "real")
            rules = {
                "group": lambda: cells.group("total", ["open", "municipal", "sheltered"]),
                "partial": lambda: cells.partial("real", ["open", "municipal"]),
            }
            rules[first]()
            rules["partial" if first == "group" else "group"]()
        assert cells.paths() == ["municipal", "open", "real"], first
        assert cells.get("total") == 20


def test_one_figure_in_two_cells_is_hidden_in_both():
    # Follow-ups due at 90 and at 180 days of the same exits: 4 done and 4 not of 8 at 90
    # days hides the 8 (two 4s), which the 180 days' 8 gave back.
    cells = Cells({"due90": 8, "done90": 4, "not90": 4, "due180": 8, "done180": 0, "not180": 8})
    cells.primary(*cells.values)
    cells.group("due90", ["done90", "not90"])
    cells.group("due180", ["done180", "not180"])
    cells.same("due90", "due180")
    assert {"due90", "due180", "not180"} <= cells.hidden


def test_a_count_a_slice_hides_by_its_own_rules_is_a_group_over_the_slices():
    # Exits to work: 6 in track A, hidden there ("dold") beside 3 sick; 10 in B; the whole
    # shows 16 (it hid the 5 in studies instead), so 16 − 10 gave A's 6 and A's total of 9
    # less it the 3. B hides its 10 as well.
    slices = {"A": {"work": 6, "sick": 3}, "B": {"work": 10, "sick": 0}}
    own = {"A": {"work", "sick"}, "B": set()}
    assert slice_hidden(slices, "B", {"studies"}, own) == {"work"}
    assert slice_hidden(slices, "A", {"studies"}, own) == set()
    # Where the whole hides it too, nothing more is needed.
    assert slice_hidden(slices, "B", {"work"}, own) == set()
