"""Employers' and coordinators' own words (issue 16): inflection, short typos, compounds read
whole and as parts, the lexical channel over a slot's own text, alternative labels,
abbreviations and verb phrases; and every real ad found by its own headline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import search.index
from search.index import SearchIndex, concept_support, doc_from_exchange, rarity
from search.lexicon import MATCH_WEIGHTS, Lexicon
from search.schemas import SearchQuery
from search.taxonomy_cache import concept_index, taxonomy_lexicon
from search.terms import parse_terms
from search.text import fold, leads_others, restored_bases
from tests.search.test_search_ranker import ids, occ_id, slot

REAL_CORPUS = (
    Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "real" / "corpus.jsonl"
)


def kinds(lex: Lexicon, word: str) -> dict[str, str]:
    return {e.token: e.kind for e in lex.expand(word)}


# --- inflection ---------------------------------------------------------------------------


def test_restored_bases_put_back_the_vowel_inflection_drops() -> None:
    assert "lager" in restored_bases("lagr")  # lagret, lagren
    assert "cykel" in restored_bases("cykl")  # cykeln, cyklar
    assert "kassa" in restored_bases("kass")  # kassor, kassorna
    assert restored_bases("kock")[0] == "kock"
    assert "gym" in restored_bases("gymm")  # gymmet: the consonant doubled
    assert "hem" in restored_bases("hemm")  # hemmet
    assert restored_bases("buss")[0] == "buss"  # bussen: the word's own double first


@pytest.mark.parametrize(
    ("typed", "base"),
    [
        ("lagret", "lager"),
        ("lagren", "lager"),
        ("kassorna", "kassa"),
        ("kassan", "kassa"),
        ("fönstret", "fönster"),
        ("sjuksköterskorna", "sjuksköterska"),
        ("programmet", "program"),
    ],
)
def test_definite_and_plural_forms_reach_the_base_form(typed: str, base: str) -> None:
    lex = Lexicon()
    lex.add_many(["lager", "kassa", "fönster", "sjuksköterska", "lag", "program"])
    assert kinds(lex, typed).get(base) == "stem"


def test_a_short_stem_cut_from_a_longer_word_matches_only_that_words_forms() -> None:
    """ "lager" stems to "lag", as "lagar" (laws; cooks) and "lagen" (the law) do: "lager"
    found cooks' and caretakers' slots that "lagar mellanmål" (helper-136). The typed word's
    own forms still match; a word that is its stem keeps all its forms."""
    lex = Lexicon()
    lex.add_many(["lager", "lagar", "lagen", "bil", "bilar", "bilarna"])
    lex.add_many(["målare", "målaren", "målarna", "mål", "målet"])
    lager = {e.token for e in lex.expand("lager")}
    assert "lagar" not in lager and "lagen" not in lager
    painters = {e.token: e.weight for e in lex.expand("målarna")}
    assert painters["målare"] == pytest.approx(MATCH_WEIGHTS["stem"])
    assert painters["målaren"] == pytest.approx(MATCH_WEIGHTS["stem"])
    assert "målet" not in painters
    cars = {e.token: e.weight for e in lex.expand("bil")}
    assert cars["bilar"] == pytest.approx(MATCH_WEIGHTS["stem"])
    assert cars["bilarna"] == pytest.approx(MATCH_WEIGHTS["stem"])


def test_lager_puts_the_warehouse_before_a_kitchen_that_lagar_mat() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Kock", description="Du lagar mellanmål och lunch."),
            slot(2, "Medarbetare", description="Arbete på vårt lager med plock och pack."),
        ]
    )
    assert ids(idx, "lager")[:1] == [2]


def test_an_inflected_head_reaches_the_compounds_its_base_heads() -> None:
    """ "mekaniker" is no word of its own in the vocabulary, only the head of compounds
    ("bilmekaniker"): "mekanikerna" found only "mekanik" and missed every mechanic. A word
    that is no vocabulary word reaches the compounds its base forms head; one that is
    keeps to its own forms."""
    lex = Lexicon()
    lex.add_many(["bilmekaniker", "cykelmekaniker", "mekanik", "lager", "lagerarbetare"])
    found = kinds(lex, "mekanikerna")
    assert found.get("bilmekaniker") == "compound"
    assert found.get("cykelmekaniker") == "compound"
    assert "bilmekaniker" not in kinds(lex, "mekanik")  # a word of its own: its own forms


def test_an_everyday_words_inflected_form_means_what_it_means() -> None:
    # "gym" is no word of the slots, only an everyday word for instructors: "gymmet" (the
    # consonant doubled) found nothing at all.
    lex = Lexicon()
    lex.add_many(["instruktör", "kassa", "kassapersonal"])
    lex.set_synonyms({"gym": ("instruktör",), "kassa": ("kassapersonal",)})
    for typed, meant in (("gymmet", "instruktör"), ("gymmen", "instruktör")):
        assert kinds(lex, typed).get(meant) == "synonym", typed


def test_lagret_finds_the_slots_that_lager_finds() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
            slot(2, "Medarbetare på lager", description="Plock och pack på vårt lager."),
            slot(3, "Kock", occupation_id=occ_id("Kock à la carte")),
        ]
    )
    base = set(ids(idx, "lager"))
    assert {1, 2} <= base
    for form in ("lagret", "lagren", "lagrets"):
        got = ids(idx, form)
        assert {1, 2} <= set(got), form
        assert 3 not in got


# --- short typos --------------------------------------------------------------------------


def test_a_four_letter_word_may_have_one_typo_when_it_matches_nothing() -> None:
    lex = Lexicon()
    lex.add_many(["kassa", "kock", "kassor"])
    assert kinds(lex, "kasa").get("kassa") == "typo"  # a letter left out
    assert kinds(lex, "kcok").get("kock") == "typo"  # two letters swapped
    # A word that is a word of its own is no typo.
    lex.add_many(["kasa"])
    assert "kassa" not in kinds(lex, "kasa")


def test_a_word_cut_short_is_no_word_mistyped_twice() -> None:
    lex = Lexicon()
    lex.add_many(["ekonomiassistent", "ekonomisk"])
    found = kinds(lex, "ekonomiass")
    assert found.get("ekonomiassistent") == "prefix"
    assert "ekonomisk" not in found  # two letters off, and the word begins another
    # Without a word it begins, the two-letter typo stands.
    assert kinds(lex, "ekonmisak").get("ekonomisk") == "typo"


def test_kasa_finds_the_till_slots() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Kassapersonal", occupation_id=occ_id("Kassapersonal")),
            slot(2, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
        ]
    )
    assert ids(idx, "kasa")[:1] == [1]


def test_kasa_means_kassa_with_what_kassa_means() -> None:
    # Seen in the browser: "kasa" found 22 slots, dishwashers and cafés first (their text
    # says "kassa"), against "kassa"'s till staff first: the typo reached the word but not
    # the occupation the word stands for.
    idx = SearchIndex()
    idx.build(
        [
            *(
                slot(
                    i,
                    title,
                    occupation_id=occ_id(title),
                    description="Disk, servering och kassa i vårt kafé.",
                )
                for i, title in ((1, "Köksbiträde"), (2, "Diskare"), (3, "Restaurangbiträde"))
            ),
            slot(4, "Kassapersonal", occupation_id=occ_id("Kassapersonal")),
            slot(5, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
        ]
    )
    assert ids(idx, "kassa")[:1] == [4]
    assert ids(idx, "kasa")[:1] == ids(idx, "kasa ")[:1] == [4]
    # And the reason says it was read as a typo (not "samma yrkesområde").
    [why] = idx.search(SearchQuery(q="kasa")).hits[0].why
    assert (why.term, why.match) == ("kasa", "typo")


def test_a_typo_with_two_closest_words_takes_neither_ones_meaning() -> None:
    lex = Lexicon()
    lex.add_many(["kassa", "kassapersonal", "kock", "kök", "köksbiträde"])
    lex.set_synonyms({"kassa": ("kassapersonal",), "kök": ("köksbiträde",)})
    assert kinds(lex, "kasa").get("kassapersonal") == "synonym"
    # "kcok" is "kock" or "kök" mistyped: not the "köksbiträde" that "kök" stands for.
    assert {"kock", "kök"} <= kinds(lex, "kcok").keys()
    assert "köksbiträde" not in kinds(lex, "kcok")


# --- compounds: heads and modifiers -------------------------------------------------------


def test_a_compound_the_names_lack_is_read_whole_and_as_its_parts() -> None:
    idx = SearchIndex()
    idx.build([slot(1, "Utvecklare", description="Vi arbetar med webbutveckling och webb.")])
    terms = parse_terms("webbutveckling", idx._lex, idx._df, 1, name_token=idx._name_token)
    whole = [t for t in terms if t.whole]
    parts = [t.text for t in terms if t.compound_part]
    assert len(whole) == 1 and not whole[0].concept
    assert parts == ["webb", "utveckling"]
    # A word that names an occupation keeps its meaning and is not taken apart.
    terms = parse_terms("undersköterska", idx._lex, idx._df, 1, name_token=idx._name_token)
    assert [t.compound_part for t in terms] == [False]


def test_an_action_noun_reaches_its_verb() -> None:
    lex = Lexicon()
    lex.add_many(["städa", "städar", "packar"])
    # "-ning" names the doing of the verb: the texts that say the verb say what it names.
    assert kinds(lex, "städning") == {"städa": "stem", "städar": "stem"}
    assert kinds(lex, "packningen") == {"packar": "stem"}


def test_a_compound_of_an_action_noun_finds_the_ad_that_says_the_verb() -> None:
    # The ad says what it teaches ("undervisar ... matematik"), never "undervisning".
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Läxhjälpare", description="Du undervisar elever i matematik."),
            slot(2, "Matematiker", description="Du arbetar med statistik."),
            slot(3, "Lärare", description="Undervisning i svenska."),
        ]
    )
    assert ids(idx, "matematikundervisning")[0] == 1


def test_a_word_derived_from_the_typed_word_is_no_form_of_it() -> None:
    lex = Lexicon()
    lex.add_many(["hemsjukvård", "hemsjukvårdare", "innesäljare", "sälj", "säljare"])
    exps = {e.token: e for e in lex.expand("hemsjukvård")}
    # The agent "hemsjukvårdare" shares the stemmer's stem, but is derived from the work.
    assert exps["hemsjukvårdare"].weight == pytest.approx(MATCH_WEIGHTS["root"])
    # A word cut short, or a clipped stem, still stands for the agent it begins.
    cut = {e.token: e for e in lex.expand("innesälj")}
    assert cut["innesäljare"].weight == pytest.approx(MATCH_WEIGHTS["stem"])
    clipped = {e.token: e for e in lex.expand("sälj")}
    assert clipped["säljare"].weight == pytest.approx(MATCH_WEIGHTS["stem"])


def test_a_field_word_does_not_name_the_occupation_of_its_agents_title() -> None:
    # "hemsjukvårdare" is a job title of the hospital ward assistants' occupation; the
    # query "hemsjukvård" names the work (which nurses' ads say), not that title, so the
    # slots' own text still counts.
    idx = SearchIndex()
    idx.build([slot(1, "Sjukvårdsbiträde", occupation_id=occ_id("Sjukvårdsbiträde"))])
    terms = parse_terms("hemsjukvård", idx._lex, idx._df, 1, name_token=idx._name_token)
    assert idx._concepts.score(terms).named == 0.0
    terms = parse_terms("hemsjukvårdare", idx._lex, idx._df, 1, name_token=idx._name_token)
    assert idx._concepts.score(terms).named == 1.0


def test_a_word_of_its_own_does_not_name_the_occupation_it_begins() -> None:
    # "infektion" is a Swedish word though the vocabulary has it only inside longer ones
    # ("infektionssjuksköterska"): it names a field, not a cut-short occupation, so the
    # slots' own text still counts. A word cut short ("infektionssjuksk") still names.
    idx = SearchIndex()
    idx.build([slot(1, "Sjuksköterska", occupation_id=occ_id("Sjuksköterska, grundutbildad"))])

    def named(q: str) -> float:
        terms = parse_terms(q, idx._lex, idx._df, 1, name_token=idx._name_token)
        return idx._concepts.score(terms).named

    assert named("infektion") < 0.5
    assert named("infektionssjuksk") == 1.0
    assert named("infektionssjuksköterska") == 1.0


def test_the_ad_that_says_a_field_word_beats_slots_only_its_field_reaches() -> None:
    # Read as a cut-short "infektionssjuksköterska", the word named that occupation and its
    # group lifted every specialist nurse's slot above the one ad that says the word.
    nurse = occ_id("Sjuksköterska, grundutbildad")
    specialists = ("Neurosjuksköterska", "Diabetessjuksköterska", "Onkologisjuksköterska")
    titles = [
        *(("Sjuksköterska", nurse),) * 5,
        *((title, occ_id(title)) for title in specialists for _ in range(3)),
        *(("Telefonförsäljare", occ_id("Telefonförsäljare")),) * 20,
    ]
    docs = [slot(1, "Sjuksköterska till infektionsavdelningen", occupation_id=nurse)]
    docs += [slot(i, title, occupation_id=occ) for i, (title, occ) in enumerate(titles, 2)]
    idx = SearchIndex()
    idx.build(docs)
    assert ids(idx, "infektion")[:1] == [1]


def test_a_compound_modifier_that_is_only_a_stem_still_splits() -> None:
    lex = Lexicon()
    lex.add_many(["solceller", "försäljning", "sol", "cell"])
    # "solcell" is no word, but the stem of "solceller": two parts, not three.
    assert lex.split(fold("solcellsförsäljning")) == ["solcell", "forsaljning"]


def test_a_modifier_that_only_begins_words_splits_off_a_known_head() -> None:
    lex = Lexicon()
    lex.add_many(["mottagning", "hudpatienter", "huddiagnoser"])
    # "hud" alone is too short a modifier; "hudmottagning" finds nothing else.
    assert lex.split(fold("hudmottagning"), allow_unknown_tail=True) is None
    lex.add_many(["ortopedpatienter"])
    assert lex.split(fold("ortopedmottagning"), allow_unknown_tail=True) == [
        "ortoped",
        "mottagning",
    ]
    # A linking s is dropped from the modifier.
    assert lex.split(fold("ortopedsmottagning"), allow_unknown_tail=True) == [
        "ortoped",
        "mottagning",
    ]
    # A modifier that begins no word does not split.
    assert lex.split(fold("xylofmottagning"), allow_unknown_tail=True) is None


def test_a_compound_whose_modifier_is_no_word_of_its_own_finds_the_ad() -> None:
    # The slots say "epilepsipatienter", never "epilepsi": the query found nothing at all.
    nurse = occ_id("Sjuksköterska, grundutbildad")
    idx = SearchIndex()
    idx.build(
        [
            slot(
                1,
                "Sjuksköterska",
                occupation_id=nurse,
                description="På vår mottagning möter du epilepsipatienter.",
            ),
            slot(2, "Sjuksköterska", occupation_id=nurse, description="Vår mottagning."),
            slot(3, "Kock", occupation_id=occ_id("Kock à la carte"), description="Mat."),
        ]
    )
    assert not idx._lex.is_folded_word("epilepsi")
    assert ids(idx, "epilepsimottagning")[:1] == [1]


def test_the_ad_about_the_modifier_beats_slots_of_the_broader_head() -> None:
    sales = occ_id("Telefonförsäljare")
    docs = [
        slot(
            1,
            "Säljare sökes",
            occupation_id=sales,
            description="Du säljer värmepumpar till villaägare. Värmepumpar är framtiden. "
            "Vi ger dig utbildning i värmepumpar och försäljning.",
        ),
        *(
            slot(
                i, "Telefonförsäljare", occupation_id=sales, description="Försäljning per telefon."
            )
            for i in range(2, 12)
        ),
    ]
    idx = SearchIndex()
    idx.build(docs)
    assert ids(idx, "värmepumpsförsäljning")[:1] == [1]


# --- an occupation without slots -------------------------------------------------------------


def plumbing_index() -> SearchIndex:
    idx = SearchIndex()
    vent = occ_id("Ventilationsmontör")
    metal = occ_id("Montör metallprodukter")
    idx.build(
        [
            *(slot(i, "Ventilationsmontör", occupation_id=vent) for i in (1, 2)),
            *(slot(i, "Montör metallprodukter", occupation_id=metal) for i in (3, 4, 5)),
        ]
    )
    return idx


def test_a_named_occupation_without_slots_is_served_by_its_groups_other_work() -> None:
    """No slot is a VVS-montör's: the query is no longer read as served by the occupation
    match, and the other plumbing work of its group comes before fitters of metal products,
    whose name shares only the head word."""
    idx = plumbing_index()
    assert set(ids(idx, "VVS-montör")[:2]) == {1, 2}


def test_an_occupation_whose_slots_were_all_removed_holds_none() -> None:
    idx = plumbing_index()
    idx.upsert(slot(6, "VVS-montör", occupation_id=occ_id("VVS-montör")))
    assert ids(idx, "VVS-montör")[:1] == [6]
    idx.remove(6)
    assert set(ids(idx, "VVS-montör")[:2]) == {1, 2}


# --- the lexical channel ------------------------------------------------------------------


def test_a_field_word_only_the_ad_text_uses_finds_the_ad() -> None:
    nurse = occ_id("Sjuksköterska, grundutbildad")
    idx = SearchIndex()
    idx.build(
        [
            slot(
                1,
                "Sjuksköterska till vår avdelning",
                occupation_id=nurse,
                description="Du arbetar inom palliativ vård. Den palliativa vården är vår "
                "specialitet. Palliativ vård i hemmet.",
            ),
            *(slot(i, "Sjuksköterska", occupation_id=nurse) for i in range(2, 15)),
        ]
    )
    assert ids(idx, "palliativ vård")[:1] == [1]


def test_a_specialists_slot_whose_text_says_the_field_word_keeps_most_of_its_text_boost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A field word names no occupation, so specialists' slots step back; but the text boost
    # of a nurse's ad that is about the field, in its title and text, is damped less.
    idx = SearchIndex()
    idx.build(
        [
            slot(
                1,
                "Sjuksköterska till äldrepsykiatrisk mottagning",
                occupation_id=occ_id("Sjuksköterska, grundutbildad"),
                description="Äldrepsykiatrin söker sjuksköterska. Inom äldrepsykiatri möter du"
                " äldre patienter.",
            ),
            # work without a degree that the word also finds, so the preference holds
            slot(
                2,
                "Undersköterska till äldrepsykiatrin",
                occupation_id=occ_id("Undersköterska, vård- och specialavdelning och mottagning"),
                description="Inom äldrepsykiatri möter du äldre patienter.",
            ),
            slot(3, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
        ]
    )

    def score() -> float:
        hits = idx.search(SearchQuery(q="äldrepsykiatri")).hits
        return next(h.score for h in hits if h.slot_id == 1)

    kept = score()
    monkeypatch.setattr(search.index, "_LEX_LEVEL_EXPONENT", 1.0)
    assert score() < kept - 0.1


def test_a_field_that_has_no_work_without_a_degree_does_not_step_its_specialists_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "onkologi" names no occupation, but no slot of work without a degree is about it: the
    # nurse's slot is what the word is about and does not step back. Once an assistant
    # nurse's slot says the word as strongly, the nurse's slot steps back again.
    nurse = slot(
        1,
        "Sjuksköterska till onkologisk klinik",
        occupation_id=occ_id("Sjuksköterska, grundutbildad"),
        description="Onkologi är vår specialitet. Du arbetar inom onkologi.",
    )
    store = slot(2, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare"))

    def nurse_score(idx: SearchIndex) -> float:
        hits = idx.search(SearchQuery(q="onkologi")).hits
        return next(h.score for h in hits if h.slot_id == 1)

    alone = SearchIndex()
    alone.build([nurse, store])
    relaxed = nurse_score(alone)
    with monkeypatch.context() as m:
        m.setattr(search.index, "_entry_share", lambda scores, entry: 1.0)
        assert nurse_score(alone) < relaxed - 0.5
    assistant = slot(
        3,
        "Undersköterska till onkologisk klinik",
        occupation_id=occ_id("Undersköterska, vård- och specialavdelning och mottagning"),
        description="Onkologi är vår specialitet. Du arbetar inom onkologi.",
    )
    beside = SearchIndex()
    beside.build([nurse, store, assistant])
    stepped_back = nurse_score(beside)
    monkeypatch.setattr(search.index, "_entry_share", lambda scores, entry: 1.0)
    assert stepped_back == pytest.approx(nurse_score(beside))


def test_a_word_only_slot_texts_use_finds_the_other_slots_of_their_kind_of_work() -> None:
    # No occupation is named by "burgare"; the ad that sells them is coded as a restaurant
    # assistant's, and so the other restaurant assistants' slots follow it.
    idx = SearchIndex()
    idx.build(
        [
            slot(
                1,
                "Medarbetare till vår restaurang",
                occupation_id=occ_id("Restaurangbiträde"),
                description="Vi steker burgare. Du tar emot beställningar av burgare och pommes.",
            ),
            slot(2, "Restaurangbiträde", occupation_id=occ_id("Restaurangbiträde")),
            slot(3, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
        ]
    )
    assert ids(idx, "burgare") == [1, 2]


def test_a_word_only_slot_texts_use_finds_the_other_slots_of_their_occupation_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The ad that says "burgare" is coded as a kitchen assistant's; kitchen and restaurant
    # assistants share a group, and the group's feedback lifts both alike. The feedback to
    # the ad's own occupation puts the other kitchen assistant's slot first.
    kitchen = occ_id("Köksbiträde")
    idx = SearchIndex()
    idx.build(
        [
            slot(
                1,
                "Medarbetare till vårt kök",
                occupation_id=kitchen,
                description="Vi steker burgare. Du tar emot beställningar av burgare och pommes.",
            ),
            slot(2, "Restaurangbiträde", occupation_id=occ_id("Restaurangbiträde")),
            slot(3, "Köksbiträde", occupation_id=kitchen),
            slot(4, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
        ]
    )

    def score(slot_id: int) -> float:
        hits = idx.search(SearchQuery(q="burgare")).hits
        return next(h.score for h in hits if h.slot_id == slot_id)

    assert ids(idx, "burgare")[:3] == [1, 3, 2]
    assert score(3) > score(2) + 0.1
    monkeypatch.setattr(search.index, "_TEXT_OCC_W", 0.0)
    assert score(3) == pytest.approx(score(2), abs=0.05)


def test_concept_support_is_full_for_a_named_or_taxonomy_word_and_none_for_a_text_word() -> None:
    # (best occupation score, how fully the query names one, the group ranker's best)
    assert concept_support(0.0, 0.0, 0.0) == 0.0
    assert concept_support(1.0, 0.0, 0.0) == 1.0
    assert concept_support(0.0, 0.5, 0.0) == 1.0
    assert concept_support(0.0, 0.0, 4.0) == 1.0
    assert concept_support(0.0, 0.0, 9.0) == 1.0  # capped
    assert concept_support(0.2, 0.1, 1.0) == pytest.approx(0.25)
    assert concept_support(0.2, 0.0, 0.4) == pytest.approx(0.2)


def test_a_word_only_slot_texts_use_lifts_their_kind_of_work_more_than_a_supported_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "cytostatika" is in no occupation name, group label, definition or skill: the nurse's
    # ad that uses it is the only evidence of the work meant, so the other nurses' slots
    # follow it more closely than the text feedback alone would lift them.
    # (The rare-word boost is left out: with it the one mention lifts the group to the
    # concept scale's cap either way.)
    monkeypatch.setattr(search.index, "_RARE_BOOST", 0.0)
    nurse = occ_id("Sjuksköterska, grundutbildad")
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Sjuksköterska", occupation_id=nurse, description="Du ger cytostatika."),
            slot(2, "Sjuksköterska", occupation_id=nurse),
            slot(3, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
        ]
    )

    def score(q: str, slot_id: int) -> float:
        return next(h.score for h in idx.search(SearchQuery(q=q)).hits if h.slot_id == slot_id)

    lifted = score("cytostatika", 2)
    named = score("sjuksköterska", 2)
    monkeypatch.setattr(search.index, "_TEXT_GROUP_UNSUPPORTED", 0.0)
    idx._term_post_cache.clear()
    assert score("cytostatika", 2) < lifted - 0.1
    assert score("sjuksköterska", 2) == named  # a query that names the work is unchanged


def test_the_level_prior_damps_text_feedback_as_far_as_the_query_is_supported() -> None:
    # A nurse's ad and a warehouse worker's slot say the word equally well. With full concept
    # support the level prior (work without a degree first) holds the nurses' group back; for
    # a word only the text says, the text is the only evidence and lifts both groups alike.
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Sjuksköterska", occupation_id=occ_id("Sjuksköterska, grundutbildad")),
            slot(2, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
        ]
    )
    text_matches = (np.array([0, 1]), np.array([1.0, 1.0]))
    nurses, warehouse = (int(idx._cols.group[p]) for p in (0, 1))

    def lifts(prior: float) -> tuple[float, float]:
        groups: dict[int, float] = {}
        idx._text_groups(groups, text_matches, 0.0, 3.0, prior=prior)
        return groups[nurses], groups[warehouse]

    damped, undamped = lifts(1.0), lifts(0.0)
    assert damped[0] < damped[1]
    assert undamped[0] == pytest.approx(undamped[1])
    assert undamped[0] > damped[0]


def test_a_host_named_like_the_query_counts_less_than_a_description_that_says_it() -> None:
    # The host's name says who offers the work; the nurse's ad says what the work is about.
    warehouse = occ_id("Lagerarbetare/Terminalarbetare")
    nurse = occ_id("Sjuksköterska, grundutbildad")
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Lagerarbetare", occupation_id=warehouse, host_name="Cytostatika Logistik AB"),
            slot(2, "Sjuksköterska", occupation_id=nurse, description="Du ger cytostatika."),
            slot(3, "Sjuksköterska", occupation_id=nurse),
            slot(4, "Lagerarbetare", occupation_id=warehouse),
        ]
    )
    assert ids(idx, "cytostatika")[:2] == [2, 3]


@pytest.mark.parametrize(
    ("name", "leads"),
    [
        ("Arbetsledare lager och terminal", True),
        ("Förman djuruppfödning", True),
        ("Kökschef", True),
        ("Internatföreståndare/Skolmåltidsföreståndare", True),
        ("Lagerarbetare/Terminalarbetare", False),
        ("Chefssekreterare", False),  # works for a chief, leads no one
        ("Fritidsledare", False),
    ],
)
def test_names_that_lead_others_work(name: str, leads: bool) -> None:
    assert leads_others(name) is leads


def test_a_supervisor_steps_back_for_a_word_of_the_work_it_leads() -> None:
    # SSYK files "Arbetsledare lager och terminal" with warehouse work (4321): for a word
    # that names neither, the warehouse worker comes first, as a specialist's slot would.
    lead = occ_id("Arbetsledare lager och terminal")
    work = occ_id("Lagerarbetare/Terminalarbetare")
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Arbetsledare lager och terminal", occupation_id=lead),
            slot(2, "Lagerarbetare/Terminalarbetare", occupation_id=work),
        ]
    )
    assert ids(idx, "terminal") == [2, 1]


def test_a_host_name_repeated_in_the_title_and_text_counts_as_the_host() -> None:
    # "Packare – Socialkontoret", "Hos Socialkontoret i Vårgårda.": the name says who offers
    # the work. The social secretary's ad, whose own text says where the work is, comes first.
    packer = occ_id("Lagerarbetare/Terminalarbetare")
    social = occ_id("Socialsekreterare")
    host = "Socialkontoret"
    docs = [
        slot(
            i,
            f"Packare – {host}",
            occupation_id=packer,
            host_name=host,
            description=f"Hos {host} i Vårgårda. Packar varor.",
        )
        for i in range(1, 4)
    ] + [
        slot(
            9,
            "Socialsekreterare",
            occupation_id=social,
            host_name="Vårgårda kommun",
            description="Utreder ärenden på socialkontoret.",
        )
    ]
    idx = SearchIndex()
    idx.build(docs)
    assert ids(idx, "socialkontoret")[0] == 9
    # The name still finds the host's slots, and the slot as it was added later reads the same.
    assert set(ids(idx, "socialkontoret")[1:]) == {1, 2, 3}
    idx.upsert(slot(10, f"Packare – {host}", occupation_id=packer, host_name=host))
    assert ids(idx, "socialkontoret")[0] == 9
    assert search.index._own_text("Socialkontoret", host) == "Socialkontoret"  # all it says


def test_rarity_falls_with_the_number_of_slots_that_say_the_word() -> None:
    assert rarity(1) == pytest.approx(0.77, abs=0.01)
    assert rarity(3) == pytest.approx(0.54, abs=0.01)
    assert rarity(1) > rarity(2) > rarity(5) > rarity(19) > 0.0
    assert rarity(search.index._RARE_SLOTS) == 0.0
    assert rarity(1000) == 0.0


def test_only_a_slot_whose_prose_alone_says_a_word_counts_as_its_own_mention() -> None:
    # Title and skills are matched by the field match; generated slots echo their skills in
    # the description, which is no word of their own.
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Sjuksköterska", description="Du arbetar med ortopedi."),
            slot(2, "Undersköterska", description="Ortopedi.", skills=["Ortopedi"]),
            slot(3, "Sjuksköterska inom ortopedi"),
            slot(4, "Kock", description="Mat."),
        ]
    )
    terms = parse_terms("ortopedi ", idx._lex, idx._df, len(idx))
    hits = idx._term_postings(terms[0].expansions)
    assert hits is not None
    prose = {int(idx._cols.slot_id[d]): bool(p) for d, p in zip(hits.docs, hits.prose)}
    assert prose == {1: True, 2: False, 3: False}


def test_a_rare_word_said_once_in_an_ads_prose_lifts_the_ad(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One mention in a long text is all an employer's ad says of its field; a word only a
    # few slots say is evidence enough. A word many slots say gains nothing.
    nurse = occ_id("Sjuksköterska, grundutbildad")
    warehouse = occ_id("Lagerarbetare/Terminalarbetare")
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Sjuksköterska", occupation_id=nurse, description="Vi arbetar med ortopedi."),
            *(
                slot(i, "Lagerarbetare", occupation_id=warehouse, description="Truck och lager.")
                for i in range(2, 32)
            ),
        ]
    )

    def score(q: str, slot_id: int) -> float:
        return next(h.score for h in idx.search(SearchQuery(q=q)).hits if h.slot_id == slot_id)

    rare, common = score("ortopedi", 1), score("truck", 2)
    monkeypatch.setattr(search.index, "_RARE_BOOST", 0.0)
    idx._term_post_cache.clear()
    assert score("ortopedi", 1) < rare - 0.1
    assert score("truck", 2) == common


def test_term_frequency_is_counted_alike_by_build_and_upsert() -> None:
    docs = [
        slot(
            1,
            "Säljare",
            description="Solceller. Solceller och batterier. Batterier.",
            skills=["Solceller", "Solceller, montage"],
        ),
        slot(2, "Kock", description="Mat."),
    ]
    built = SearchIndex()
    built.build(docs)
    upserted = SearchIndex()
    upserted.build([])
    for d in docs:
        upserted.upsert(d)
    for word in ("solceller", "batterier", "säljare", "mat"):
        assert sorted(built._post[word]) == sorted(upserted._post[word]), word
    assert list(built._cols.length[:2]) == list(upserted._cols.length[:2])
    for q in ("solceller", "batterierna", "säljare"):
        assert ids(built, q) == ids(upserted, q)


# --- abbreviations, colloquial forms and verb phrases -------------------------------------


def test_abbreviations_stand_for_occupation_names() -> None:
    lex = taxonomy_lexicon()
    concepts = concept_index()
    assert "sjuksköterska" in concepts.abbreviations("ssk", lex.is_folded_word)
    assert concepts.abbreviations("usk", lex.is_folded_word)[0] == "undersköterska"
    # Words with vowels after the first letter are no abbreviations.
    assert concepts.abbreviations("kok", lex.is_folded_word) == []


def test_alternative_labels_name_their_occupations() -> None:
    concepts = concept_index()
    lex = taxonomy_lexicon()
    for word, label in (("sjuksyster", "Sjuksköterska, grundutbildad"), ("doktor", "Läkare")):
        terms = parse_terms(word + " ", lex, lambda t: 1, 10)
        scores = concepts.score(terms)
        occ = concepts.occ_pos[occ_id(label)]
        assert scores.occupations.get(occ, 0.0) > 0.5, word
        assert scores.named > 0.5, word


def test_a_word_inside_longer_labels_names_no_occupation() -> None:
    # "b2b" stands in "B2B-säljare", "B2B-mötesbokare", … : it points at their occupations,
    # but says what kind of sales, not who does it, so the query still names none.
    concepts = concept_index()
    terms = parse_terms("b2b ", taxonomy_lexicon(), lambda t: 1, 10)
    scores = concepts.score(terms)
    assert scores.occupations
    assert scores.named < 0.5


def test_a_label_word_stands_for_the_head_its_occupations_share() -> None:
    words = concept_index().alias_words()
    # A job title of twenty nurses' occupations, named "…sjuksköterska".
    assert words["sjuksyster"] == ("sjuksköterska",)
    # The one occupation a label word names, named by one word.
    assert words["doktor"] == ("läkare",)
    # A form of a name word already means the name ("snickaren", a label of Träarbetare/Snickare).
    assert "snickaren" not in words
    # Occupation names themselves are no label words.
    assert "sjuksköterska" not in words


def test_a_label_word_finds_the_slots_its_head_word_finds() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "ST-läkare allmänmedicin", occupation_id=occ_id("ST-läkare, allmänmedicin")),
            slot(2, "Läkare", occupation_id=occ_id("Läkare")),
            slot(3, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
        ]
    )
    assert sorted(ids(idx, "doktor")) == sorted(ids(idx, "läkare")) == [1, 2]


def test_abbreviation_and_colloquial_words_find_the_slots() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Sjuksköterska", occupation_id=occ_id("Sjuksköterska, grundutbildad")),
            slot(
                2,
                "Undersköterska",
                occupation_id=occ_id("Undersköterska, vård- och specialavdelning och mottagning"),
            ),
            slot(3, "Lagerarbetare", occupation_id=occ_id("Lagerarbetare/Terminalarbetare")),
        ]
    )
    assert ids(idx, "ssk")[:1] == [1]
    assert ids(idx, "usk")[:1] == [2]
    assert ids(idx, "sjuksyster")[:1] == [1]


def test_initials_and_syllables_stand_for_the_phrases_the_taxonomy_uses() -> None:
    phrases = concept_index().abbreviated_phrases
    assert phrases["pa"] == ("personlig", "assistent")  # an occupation's and a group's name
    assert phrases["sabo"] == ("särskilt", "boende")  # two letters of each word
    # Where the texts use the abbreviation as a word of their own, they mean that.
    assert "it" not in phrases
    assert "hr" not in phrases
    # Initials used once are no evidence: "ICA" is a shop, not "ISA certifierad arborist".
    assert "ica" not in phrases


def test_an_abbreviation_in_capitals_is_read_as_its_phrase() -> None:
    lex = Lexicon()
    lex.add_many(["personlig", "assistent", "pa", "konsult", "packare", "adm", "administratör"])
    phrases = {"pa": ("personlig", "assistent"), "adm": ("agency", "development", "manager")}.get

    def texts(q: str) -> list[str]:
        return [t.text for t in parse_terms(q, lex, lambda t: 1, 10, phrases=phrases)]

    # "PA" is also a vocabulary word ("PA-konsult"): read both ways, and finished, so no
    # completion ("packare") is looked for.
    terms = parse_terms("PA", lex, lambda t: 1, 10, phrases=phrases)
    assert [t.text for t in terms] == ["pa", "personlig", "assistent"]
    assert not any(e.kind == "prefix" for t in terms for e in t.expansions)
    assert texts("pa konsult") == ["pa", "konsult"]  # small letters: a word like others
    # In small letters only a word nothing else explains is an abbreviation: "adm" begins
    # "administratör".
    assert texts("adm") == ["adm"]
    assert texts("xyz") == ["xyz"]  # no phrase: the word stays
    # The words read stay within the query's limit, however many abbreviations it holds.
    keys = [f"q{a}{b}" for a in "bcd" for b in "fghjklmnpr"]  # 30 abbreviations
    many = {k: ("personlig", f"ord{k}", "assistent") for k in keys}
    query = " ".join(k.upper() for k in keys)
    assert len(parse_terms(query, lex, lambda t: 1, 10, phrases=many.get)) > 24
    assert len(parse_terms(query, lex, lambda t: 1, 10, max_words=24, phrases=many.get)) <= 24


def test_an_abbreviation_in_capitals_finds_the_slots_of_its_phrase() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Personlig assistent", occupation_id=occ_id("Personlig assistent")),
            slot(2, "Packare", occupation_id=occ_id("Packare")),
            slot(3, "Vårdbiträde", occupation_id=occ_id("Vårdbiträde")),
            slot(4, "HR-konsult", occupation_id=occ_id("HR-konsult/PA-konsult")),
        ]
    )
    assert ids(idx, "PA")[:2] == [1, 4]
    assert ids(idx, "SÄBO")[:1] == [3]
    assert 2 not in ids(idx, "PA")


@pytest.mark.parametrize(
    ("phrase", "compound"),
    [
        ("tvätta bilar", "biltvättare"),
        ("boka möten", "mötesbokare"),
        ("planera underhåll", "underhållsplanerare"),
        # A verb whose agent is built on another root: one who drives is a "förare".
        ("köra truck", "truckförare"),
    ],
)
def test_a_verb_and_its_object_name_the_work_as_one_compound(phrase: str, compound: str) -> None:
    lex = Lexicon()
    lex.add_many([compound, *phrase.split()])
    terms = parse_terms(phrase, lex, lambda t: 1, 10)
    assert fold(compound) in {t.text for t in terms}


def test_work_verbs_only_frame_the_query() -> None:
    lex = Lexicon()
    lex.add_many(["jobba", "barn"])
    terms = {t.text: t.weight for t in parse_terms("jobba med barn", lex, lambda t: 1, 10)}
    assert terms["barn"] > 3 * terms["jobba"]


def test_verb_phrase_finds_the_slot_the_compound_names() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Biltvättare", occupation_id=occ_id("Bilvårdare")),
            slot(2, "Kemtvättare", occupation_id=occ_id("Kemtvättare")),
            slot(3, "Bilförsäljare", occupation_id=occ_id("Bilförsäljare")),
        ]
    )
    assert ids(idx, "tvätta bilar")[:1] == [1]


def test_an_everyday_phrase_names_work_that_neither_of_its_words_names() -> None:
    lex = Lexicon()
    lex.add_many(["frisör", "trädgårdsarbetare", "klipp", "hår", "gräs", "kock", "mat"])
    lex.set_synonyms(
        {
            "klippa hår": ("frisör",),
            "klippa gräs": ("trädgårdsarbetare",),
            "laga mat": ("kock",),
            "laga cykel": ("cykelmekaniker",),
        }
    )
    # Either word may be inflected; the object decides what the verb's work is.
    # A plural that drops an e before l, n or r is still its word ("cyklar" is "cykel").
    assert lex.phrase_synonyms("laga", "cyklar") == ("cykelmekaniker",)
    assert lex.phrase_synonyms("lagar", "cykeln") == ("cykelmekaniker",)
    assert lex.phrase_synonyms("klippa", "har") == ("frisör",)
    assert lex.phrase_synonyms("klipper", "haret") == ("frisör",)
    assert lex.phrase_synonyms("klippte", "grasmattan") == ()
    assert lex.phrase_synonyms("klipper", "graset") == ("trädgårdsarbetare",)
    assert lex.phrase_synonyms("lagar", "maten") == ("kock",)
    assert lex.phrase_synonyms("mat", "laga") == ()  # the order of the words counts
    # A phrase is no single everyday word, and a copy of the lexicon keeps it.
    assert lex.synonyms("klippa") == () and lex.synonyms("klippa har") == ()
    assert lex.copy().phrase_synonyms("klippa", "har") == ("frisör",)
    texts = {t.text: t for t in parse_terms("klipper håret", lex, lambda t: 1, 10)}
    assert {e.token for e in texts["klipper haret"].expansions} >= {"frisör"}
    assert all(e.kind == "synonym" for e in texts["klipper haret"].expansions)


def test_an_everyday_phrase_finds_the_work_it_names() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Frisör", occupation_id=occ_id("Frisör")),
            slot(
                2,
                "Park- och trädgårdsarbetare",
                occupation_id=occ_id("Park- och trädgårdsarbetare"),
            ),
            slot(3, "Verktygsmakare", occupation_id=occ_id("Verktygsmakare")),
            slot(4, "Kock storhushåll", occupation_id=occ_id("Kock storhushåll")),
            slot(5, "Köksbiträde", occupation_id=occ_id("Köksbiträde")),
            slot(6, "Målare", occupation_id=occ_id("Målare")),
            slot(7, "Fastighetsmäklare", occupation_id=occ_id("Fastighetsmäklare")),
        ]
    )
    assert ids(idx, "klippa hår")[:1] == [1]
    assert ids(idx, "klippa gräs")[:1] == [2]
    assert ids(idx, "laga mat ")[:1] == [4]
    # A verb whose agent is not the verb and -are, of four letters: "måla" → målare.
    assert ids(idx, "måla hus")[:1] == [6]


# --- every real ad by its own headline ----------------------------------------------------


@pytest.fixture(scope="module")
def real_index() -> tuple[SearchIndex, dict[int, str], list[tuple[str, str]]]:
    if not REAL_CORPUS.exists():
        pytest.skip(f"the real-ad corpus is not here: {REAL_CORPUS}")
    rows = [json.loads(line) for line in REAL_CORPUS.read_text("utf-8").splitlines()]
    docs = [doc_from_exchange(r, i + 1) for i, r in enumerate(rows)]
    idx = SearchIndex()
    idx.build(docs)
    real = [(d.external_id, d.title) for d in docs if d.external_id.startswith("real-")]
    return idx, {d.id: d.external_id for d in docs}, real


def test_every_real_ad_is_found_in_the_top10_by_its_own_headline(
    real_index: tuple[SearchIndex, dict[int, str], list[tuple[str, str]]],
) -> None:
    idx, by_id, real = real_index
    assert len(real) == 83
    missed = []
    for ext, title in real:
        hits = idx.search(SearchQuery(q=title, limit=10, open_only=False)).hits
        if ext not in [by_id[h.slot_id] for h in hits]:
            missed.append((ext, title))
    assert not missed, missed


def test_the_entry_share_follows_the_best_slot_of_work_without_a_degree() -> None:
    share = search.index._entry_share
    entry = np.array([True, False])
    assert share(np.array([1.0, 4.0]), entry) == pytest.approx(0.5)  # a quarter of the best
    assert share(np.array([2.0, 4.0]), entry) == 1.0  # half of the best: the prior holds
    assert share(np.array([0.0, 4.0]), np.array([False, False])) == 0.0
    assert share(np.array([0.0, 0.0]), entry) == 1.0  # nothing scores: nothing to weigh
