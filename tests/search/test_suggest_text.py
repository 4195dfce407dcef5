"""The text features of the occupation suggestions (issue 16, item 5), pure: compound heads
that never stand alone, and description evidence relative to the best group. Cases written
for the test, never ad text."""

from __future__ import annotations

from search.suggest import _relative, _shared_endings, suggest_for_slot, suggestion_model


def test_an_ending_that_three_words_share_is_a_head():
    words = {"telefonförsäljare", "eventförsäljare", "bokförsäljare", "innesäljare"}
    endings = _shared_endings(words)
    assert "försäljare" in endings
    assert "säljare" in endings  # all four end in it
    assert "onförsäljare" not in endings  # one word only


def test_an_ending_that_two_words_share_is_not_enough():
    assert "försäljare" not in _shared_endings({"telefonförsäljare", "eventförsäljare"})


def test_scores_relative_to_the_best():
    assert _relative({1: 0.02, 2: 0.01}) == {1: 1.0, 2: 0.5}
    assert _relative({}) == {}
    assert _relative({1: 0.0}) == {}


def test_a_compound_splits_at_a_known_modifier_before_the_longest_head():
    model = suggestion_model()
    # "försäljare" never stands alone in the taxonomy, "telefonför" is no word.
    assert model._parts("telefonförsäljare") == ["telefon", "försäljare"]
    assert model._parts("eventförsäljare") == ["event", "försäljare"]
    # The linking s goes with the modifier, and a head that is a word wins.
    assert model._parts("butikssäljare") == ["butik", "säljare"]
    assert model._parts("lagerarbetare") == ["lager", "arbetare"]


def test_the_modifier_of_a_name_is_its_qualifier():
    model = suggestion_model()
    occ = next(i for i, o in enumerate(model.occupations) if o.label == "Telefonförsäljare")
    assert model.qualifiers[occ] == [frozenset({"telefon"})]


def test_the_description_tells_which_seller():
    got = [s.label for s in suggest_for_slot("Säljare", "Du besöker kunder i ditt distrikt.")]
    assert "Utesäljare" in got, got


def test_a_texts_words_are_read_once_and_the_cache_stays_small():
    model = suggestion_model()
    first = model._text_words("Lagerarbetare till Halmstad")
    assert first == ("lagerarbetare",)  # a place name is no evidence
    assert model._text_words("Lagerarbetare till Halmstad") is first
    for n in range(200):
        model._text_words(f"Lagerarbetare {n}")
    assert len(model._words_cache) <= 64


def test_the_description_tells_the_work_behind_a_generic_title():
    # "Medarbetare" names hundreds of job titles; the text says which work.
    got = [
        s.label
        for s in suggest_for_slot(
            "Medarbetare sökes", "Du plockar och packar varor på vårt lager och kör truck."
        )
    ]
    assert "Lagerarbetare/Terminalarbetare" in got, got


def test_a_seller_who_sells_by_telephone():
    got = [
        s.label
        for s in suggest_for_slot(
            "Säljare", "Du ringer upp kunder och säljer abonnemang per telefon."
        )
    ]
    assert got[0] == "Telefonförsäljare", got
