"""Normalisation, folding, stemming, compounds and the typo budget."""

from __future__ import annotations

import unicodedata

import pytest

from search import swedish
from search.lexicon import Lexicon
from search.terms import parse_terms
from search.text import (
    derivation_root,
    fold,
    hyphen_joins,
    inflection_bases,
    normalize,
    split_compound,
    stem,
    tokenize,
    typo_budget,
    typo_distance,
)


def test_nfc_and_nfd_forms_normalise_to_the_same_string() -> None:
    nfc = unicodedata.normalize("NFC", "Vårgårda")
    nfd = unicodedata.normalize("NFD", "Vårgårda")
    assert nfc != nfd
    assert normalize(nfc) == normalize(nfd) == "vårgårda"


def test_separators_and_punctuation_become_spaces() -> None:
    assert (
        normalize("Lager/Terminal, truck-förare!  (Borås)") == "lager terminal truck förare borås"
    )
    assert tokenize("IT-tekniker / Support") == ["it", "tekniker", "support"]


def test_fold_removes_swedish_and_other_diacritics() -> None:
    assert fold("åäö") == "aao"
    assert fold("café") == "cafe"
    assert fold("städare") == "stadare"
    assert fold("plain") == "plain"


def test_hyphenated_words_are_also_joined() -> None:
    assert hyphen_joins("SIUS-konsulent och IT-tekniker") == ["siuskonsulent", "ittekniker"]
    assert hyphen_joins("Miljö- och hälsoskydd") == []


def test_swedish_stemming_merges_inflections() -> None:
    assert stem("städare") == stem("städaren")
    assert stem("kravanalytikeren") == "kravanalytiker"


def test_inflection_bases_and_derivation_roots() -> None:
    assert "cio" in inflection_bases("cioer")
    # A neuter noun in -e takes only -t: "boendet" is "boende", "lagret" still "lagr".
    assert "demensboende" in inflection_bases("demensboendet")
    assert "lagr" in inflection_bases("lagret")
    assert derivation_root("städning") == "städ" == derivation_root("städare")
    assert derivation_root("plattsättning") == derivation_root("plattsättare")
    # Too short a root is not produced.
    assert derivation_root("are") == "are"


@pytest.mark.parametrize(
    ("length", "budget"),
    [(1, 0), (4, 0), (5, 1), (8, 1), (9, 2), (20, 2)],
)
def test_typo_budget_boundaries(length: int, budget: int) -> None:
    assert typo_budget(length) == budget


def test_typo_distance_counts_a_swap_as_one_typo() -> None:
    assert typo_distance("städare", "stdäare", 1) == 1
    assert typo_distance("technical", "tecåhnicla", 2) == 2
    assert typo_distance("kock", "kick", 0) is None


VOCAB = {"lager", "jobb", "bil", "verkstad", "arbete", "miljö", "skola", "kök"}


def test_compound_splitting_against_a_vocabulary() -> None:
    assert split_compound("lagerjobb", VOCAB.__contains__) == ["lager", "jobb"]
    assert split_compound("bilverkstad", VOCAB.__contains__) == ["bil", "verkstad"]


def test_compound_splitting_handles_linking_s_and_dropped_vowel() -> None:
    # arbet(e) + s + miljö
    assert split_compound("arbetsmiljö", VOCAB.__contains__) == ["arbete", "miljö"]
    # skol(a) + kök
    assert split_compound("skolkök", VOCAB.__contains__) == ["skola", "kök"]


def test_unsplittable_words_give_none() -> None:
    assert split_compound("lager", VOCAB.__contains__) is None
    assert split_compound("xyzzyqwerty", VOCAB.__contains__) is None


def _lexicon(*words: str) -> Lexicon:
    lex = Lexicon()
    lex.add_many(words)
    return lex


def test_lexicon_typo_budget_boundaries() -> None:
    lex = _lexicon("kock", "städa", "snickare", "målarfirma", "elektriker")
    # 4 letters: one typo only for a word that matches nothing else ("kcok" for "kock"); a
    # word that is itself a word is no typo.
    assert ("kock", "typo") in {(e.token, e.kind) for e in lex.expand("kcok")}
    lex.add_many(["kick"])
    assert not any(e.kind == "typo" for e in lex.expand("kick"))
    assert not any(e.kind == "typo" for e in lex.expand("kok"))  # 3 letters: none
    # 5 letters: one typo.
    assert ("städa", "typo") in {(e.token, e.kind) for e in lex.expand("stoda")}
    assert "städa" not in {e.token for e in lex.expand("stoxa")}
    # 8 letters: one typo yes, two no.
    assert "snickare" in {e.token for e in lex.expand("snikcare")}  # one swap
    assert "snickare" not in {e.token for e in lex.expand("snixkaxe")}  # two substitutions
    # 9+ letters: two typos.
    assert "elektriker" in {e.token for e in lex.expand("elektrixer")}
    assert "elektriker" in {e.token for e in lex.expand("elxktrixer")}


def test_lexicon_exact_beats_folded_beats_typo() -> None:
    lex = _lexicon("målning", "malning", "målare")
    exps = {e.token: e for e in lex.expand("målning")}
    assert exps["målning"].kind == "exact"
    assert exps["malning"].kind == "folded"
    assert exps["målning"].weight > exps["malning"].weight
    folded = {e.token: e for e in lex.expand("malare")}
    assert folded["målare"].kind == "folded"


def test_prefix_only_for_the_last_word_unless_unknown() -> None:
    lex = _lexicon("lager", "lagerarbetare", "lagerchef")
    assert {e.token for e in lex.expand("lager", allow_prefix=True)} >= {
        "lager",
        "lagerarbetare",
        "lagerchef",
    }
    as_prefix = {e.token: e.kind for e in lex.expand("lagerarb", allow_prefix=True)}
    assert as_prefix["lagerarbetare"] == "prefix"
    # A known word that is not the last one does not complete to other words as a prefix.
    not_last = {e.token: e.kind for e in lex.expand("lager", allow_prefix=False)}
    assert not_last.get("lagerarbetare") != "prefix"


def test_a_typo_outranks_a_guess_at_the_first_part_of_a_compound() -> None:
    # "laboraat" stems to the start of "laboratorie…" compounds, but it is "laborant" mistyped.
    lex = Lexicon()
    lex.add_many(["laborant", "laboratorieanalyser", "laboratoriearbete", "fysik"])
    first = lex.expand("laboraat")[0]
    assert (first.token, first.kind) == ("laborant", "typo")


def test_a_finished_word_completes_more_weakly_than_one_cut_short() -> None:
    # "lastbil" is a word of its own: "lastbilssäljare" is a compound it begins, not what the
    # user was typing; "lastbi" is cut short, so its completions keep the prefix weight.
    lex = _lexicon("lastbil", "lastbilssäljare")
    finished = {e.token: e for e in lex.expand("lastbil", allow_prefix=True)}
    cut = {e.token: e for e in lex.expand("lastbi", allow_prefix=True)}
    assert finished["lastbilssäljare"].kind == cut["lastbilssäljare"].kind == "prefix"
    assert finished["lastbilssäljare"].weight < 0.6 < cut["lastbilssäljare"].weight
    assert finished["lastbil"].weight == 1.0


def test_an_inflected_word_also_reaches_its_base_form() -> None:
    # Snowball stems "kuratorer" to "kurator" but "kurator" to "kurat": the inflection ending
    # leads back to the base form even when the inflected form is a vocabulary word itself.
    lex = _lexicon("kurator", "kuratorer")
    exps = {e.token: e for e in lex.expand("kuratorer")}
    assert exps["kuratorer"].kind == "exact"
    assert exps["kurator"].kind == "stem"


def test_swedish_word_list_is_read_from_the_installed_package() -> None:
    assert swedish.frequent("sommar") and swedish.common("frukt") and swedish.common("vagn")
    assert not swedish.frequent("sommmer") and not swedish.common("fruktvagn")
    # common() takes folded words: "vårdag" is a word only as "vardag" there.
    assert swedish.common("vardag") and not swedish.common("vårdag")


def test_an_everyday_swedish_word_is_no_typo_of_a_vocabulary_word() -> None:
    # "sommer" is some slot's word; "sommar" is a word Swedish uses every day, not it mistyped.
    lex = _lexicon("sommer", "kock")
    assert not any(e.kind == "typo" for e in lex.expand("sommar"))
    assert ("sommer", "typo") in {(e.token, e.kind) for e in lex.expand("sommmer")}


def test_an_unknown_compound_splits_at_words_swedish_uses() -> None:
    # Neither "frukt" nor "vagn" is a vocabulary word, but both are Swedish: the compound
    # splits there, and its head finds the vocabulary compound with the same head.
    lex = _lexicon("kaffevagn", "kock")
    assert lex.split("fruktvagn") is None
    assert lex.split("fruktvagn", allow_unknown_tail=True) == ["frukt", "vagn"]
    terms = parse_terms("fruktvagn ", lex, lambda t: 1, 10)
    assert [t.text for t in terms] == ["frukt", "vagn"]
    assert "kaffevagn" in {e.token for e in terms[1].expansions}
    # A string that is no Swedish word does not split so.
    assert lex.split("qxzyvagn", allow_unknown_tail=True) is None


def test_a_long_word_costs_little_to_split() -> None:
    """Attack: a host's slot text of one 5000-letter word kept a CPU busy for about a minute
    (the occupation suggestions split it into compounds in every way). A part is at most 40
    letters, so a word is tried in time linear in its length, and a very long one not at all."""
    calls = 0

    def counting(part: str) -> bool:
        nonlocal calls
        calls += 1
        return part in VOCAB

    assert split_compound("a" * 5000, counting) is None
    assert calls == 0
    assert split_compound("lager" * 30, counting) is None  # 150 letters: tried, bounded
    assert calls < 150 * 40 * 3
    assert split_compound("lagerjobb", VOCAB.__contains__) == ["lager", "jobb"]


def test_a_known_first_part_may_have_lost_its_last_vowel() -> None:
    # "lärar" of "lärarvikarie" is "lärare" (an agent noun drops its e before the next part),
    # "skol" of "skolvärdinna" is "skola"; the rest stays an unknown word of its own.
    lex = _lexicon("lärare", "skola")
    assert lex.split(fold("lärarvikarie"), allow_unknown_tail=True) == ["larare", "vikarie"]
    assert lex.split(fold("skolvärdinna"), allow_unknown_tail=True) == ["skola", "vardinna"]


def test_a_known_plural_is_no_compound_with_a_scrap_for_its_head() -> None:
    # "kemikalier" is the plural of "kemikalie", not "kemikal" + "iera" (some slot's scrap of
    # a word): a known word is read as its parts only when its head is a word Swedish uses or
    # long enough to be one. "skolkök" still splits at its short head, which is Swedish.
    lex = _lexicon("kemikalier", "kemikaliehantering", "kemikalieinköpare", "kemikalieskåp", "iera")
    lex.add_many(["skola", "kök", "skolkök"])
    assert lex.split("kemikalier") == ["kemikal", "iera"]  # the split the vocabulary allows
    terms = parse_terms("kemikalier ", lex, lambda t: 1, 10, name_token=lambda t: False)
    assert [t.text for t in terms] == ["kemikalier"]
    terms = parse_terms("skolkök ", lex, lambda t: 1, 10, name_token=lambda t: False)
    assert [t.text for t in terms] == ["skolkok", "skola", "kok"]
