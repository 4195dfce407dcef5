"""Everyday words (data/everyday.tsv): "dagis" or "mack" reach the taxonomy words they mean."""

from __future__ import annotations

from importlib import resources

import pytest

from marketplace.reference.taxonomy import occupations
from search.everyday import everyday_verbs, everyday_words
from search.index import SearchIndex
from search.lexicon import Lexicon
from search.schemas import SearchQuery
from search.taxonomy_cache import taxonomy_lexicon
from search.text import fold, tokenize
from tests.search.test_search_ranker import occ_id, slot


def test_every_everyday_word_stands_for_words_the_taxonomy_knows():
    lex = taxonomy_lexicon()
    words = everyday_words()
    assert len(words) >= 100
    for word, targets in words.items():
        assert targets, word
        for target in targets:
            direct = [e for e in lex.expand(target) if e.kind in ("exact", "folded", "stem")]
            assert direct, f"{word}: {target} is no taxonomy word"


def test_an_everyday_word_and_its_inflections_expand_to_its_taxonomy_words():
    lex = Lexicon()
    lex.add_many(["förskollärare", "barnskötare", "bensinstationspersonal", "mack"])
    lex.set_synonyms({"dagis": ("barnskötare", "förskollärare"), "mack": ("bensinstation",)})
    for typed in ("dagis", "dagiset", "DAGIS"):
        found = {e.token: e for e in lex.expand(typed.casefold())}
        assert found["barnskötare"].kind == "synonym"
        # The first-listed word stands a little above the next.
        assert found["barnskötare"].weight > found["förskollärare"].weight
    # A word's own match is never lowered by what it stands for.
    own = {e.token: e for e in lex.expand("mack")}
    assert own["mack"].kind == "exact" and own["mack"].weight == 1.0
    assert own["bensinstationspersonal"].kind == "synonym"
    assert lex.synonyms(fold("dagis")) == ("barnskötare", "förskollärare")
    assert lex.synonyms("okänt") == ()
    # Copies (each index starts from a copy of the taxonomy's lexicon) keep them.
    assert lex.copy().synonyms("dagis") == ("barnskötare", "förskollärare")


def test_everyday_word_finds_slots_titled_in_taxonomy_words_and_says_why():
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Barnskötare till Solrosens förskola", occupation_id=occ_id("Barnskötare")),
            slot(2, "Bensinstationsbiträde", occupation_id=occ_id("Bensinstationsbiträde")),
            slot(3, "Kemtvättare", occupation_id=occ_id("Kemtvättare")),
        ]
    )
    hits = idx.search(SearchQuery(q="dagis")).hits
    assert [h.slot_id for h in hits][:1] == [1]
    hits = idx.search(SearchQuery(q="mack")).hits
    assert [h.slot_id for h in hits][:1] == [2]
    why = {(w.term, w.match) for w in hits[0].why}
    assert ("mack", "concept") in why
    hits = idx.search(SearchQuery(q="tvätteriet")).hits
    assert [h.slot_id for h in hits][:1] == [3]


def test_an_unknown_compound_means_what_its_everyday_head_means() -> None:
    lex = Lexicon()
    lex.add_many(["städare", "kassapersonal", "försäkringskassa", "grovarbetare", "gitarrbyggare"])
    lex.set_synonyms(
        {"städ": ("städare",), "kassa": ("kassapersonal",), "bygge": ("grovarbetare",)}
    )
    own = {e.token: e for e in lex.expand("städ")}
    head = {e.token: e for e in lex.expand("sjukhusstäd")}
    # "sjukhusstäd" is a kind of "städ", a little less surely than "städ" itself.
    assert head["städare"].kind == "synonym"
    assert head["städare"].weight < own["städare"].weight
    assert lex.meanings("sjukhusstad") == (("städare",), pytest.approx(0.85))
    # A word the vocabulary knows means what it says: Försäkringskassan is no till.
    assert "kassapersonal" not in {e.token for e in lex.expand("försäkringskassa")}
    # Only whole table words count as heads, not words sharing their stem.
    assert "grovarbetare" not in {e.token for e in lex.expand("kyrkbyggare")}
    # Too short a head or modifier counts for nothing.
    assert lex.meanings("xstäd") == ((), 0.0)


def test_a_name_of_work_headed_by_a_word_for_a_person_means_its_modifier() -> None:
    # "mattant", "städtjejen", "bilkillen": the head only says someone does the work. Split
    # at any vocabulary words, "mattant" read "matt" + "ant" and found the carpet layers.
    kitchen, cleaner = occ_id("Köksbiträde"), occ_id("Städare")
    docs = [
        slot(1, "Köksbiträde", occupation_id=kitchen, description="Laga mat i skolans kök."),
        slot(2, "Städare", occupation_id=cleaner, description="Städ av kontor."),
        slot(3, "Mattläggare", occupation_id=occ_id("Golvläggare")),
        slot(4, "Antikvarie", occupation_id=occ_id("Antikvarie")),
    ]
    idx = SearchIndex()
    idx.build(docs)

    def top(q: str) -> int:
        return idx.search(SearchQuery(q=q, limit=3, open_only=False)).hits[0].slot_id

    assert top("mattant") == 1
    # Its reason names the word the slot's text holds.
    why = idx.search(SearchQuery(q="mattant", limit=1, open_only=False)).hits[0].why
    assert [(w.term, w.field) for w in why] == [("mat", "description")]
    assert top("städtjejen") == 2
    assert top("städtant") == 2


def test_sector_abbreviations_and_clipped_names_find_the_work_they_stand_for() -> None:
    """Abbreviations the taxonomy's names do not spell out ("dsk", "lss", "hvb") and clipped
    everyday names ("undis") reach the occupations they name, ahead of look-alike letters."""
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Distriktssköterska", occupation_id=occ_id("Distriktssköterska")),
            slot(2, "Djurskötare", occupation_id=occ_id("Djurskötare lantbruk")),
            slot(3, "Stödassistent på gruppbostad", occupation_id=occ_id("Stödassistent")),
            slot(
                4,
                "Behandlingsassistent",
                occupation_id=occ_id("Behandlingsassistent/Socialpedagog"),
            ),
            slot(5, "Undersköterska", occupation_id=occ_id("Specialistundersköterska")),
            slot(6, "Dykinstruktör", occupation_id=occ_id("Dykinstruktör")),
        ]
    )
    for query, expected in (("dsk", 1), ("lss", 3), ("hvb", 4), ("undis", 5)):
        hits = idx.search(SearchQuery(q=query)).hits
        assert [h.slot_id for h in hits][:1] == [expected], query


def test_an_everyday_verb_is_never_the_head_of_an_unknown_compound() -> None:
    lex = Lexicon()
    lex.add_many(["bagare", "kassapersonal"])
    lex.set_synonyms({"baka": ("bagare",), "kassa": ("kassapersonal",)}, frozenset({"baka"}))
    assert lex.meanings("baka") == (("bagare",), 1.0)
    assert lex.meanings("bakar") == (("bagare",), 1.0)  # its forms stand for its work
    # "tillbaka" is no kind of "baka", though "sjukhuskassa" is a kind of "kassa".
    assert lex.meanings("tillbaka") == ((), 0.0)
    assert lex.meanings("sjukhuskassa") == (("kassapersonal",), pytest.approx(0.85))
    # The built-in verbs are the one-word keys of the verbs' table; its phrases are not verbs.
    verbs = everyday_verbs()
    assert {"mala", "baka"} <= verbs and not any(" " in v for v in verbs)
    assert "klippa hår" in everyday_words() and "dagis" in everyday_words()
    assert taxonomy_lexicon().meanings("tillbaka") == ((), 0.0)


def test_older_names_colloquial_names_and_workplaces_find_their_work() -> None:
    """Words of the table's second section: an older name of an occupation ("sjukgymnast"),
    a colloquial one ("kassörska"), a workplace ("demensboende"), a verb ("diska") and a verb
    with its object ("lägga golv") reach the occupation, ahead of look-alike words."""
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Fysioterapeut", occupation_id=occ_id("Fysioterapeut")),
            slot(2, "Kassapersonal", occupation_id=occ_id("Kassapersonal")),
            slot(3, "Vårdbiträde", occupation_id=occ_id("Vårdbiträde")),
            slot(4, "Diskare", occupation_id=occ_id("Diskare")),
            slot(5, "Golvläggare", occupation_id=occ_id("Golvläggare")),
            slot(6, "Golvslipare", occupation_id=occ_id("Golvslipare, trä")),
            slot(7, "Sjukhusstädare", occupation_id=occ_id("Sjukhusstädare")),
        ]
    )
    for query, expected in (
        ("sjukgymnast", 1),
        ("kassörskan", 2),
        ("demensboendet", 3),
        ("diskar", 4),
        ("lägger golv", 5),
    ):
        hits = idx.search(SearchQuery(q=query)).hits
        assert [h.slot_id for h in hits][:1] == [expected], query


def test_no_added_everyday_word_overrides_a_word_of_an_occupation_name() -> None:
    """The table's second section holds no word that is itself a word of an occupation's
    name: "försäkring" (as in "Skadeinspektör, försäkring") or "tillverkning" already say what
    they mean, and an everyday meaning pulled other work into those names' searches."""
    text = resources.files("search").joinpath("data", "everyday.tsv").read_text("utf-8")
    second = text.split("# ---- Andra delen", 1)[1]
    name_words = {fold(w) for o in occupations().values() for w in tokenize(o.label)}
    added = [
        fold(line.split("\t")[0])
        for line in second.splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(added) >= 80
    assert [w for w in added if w in name_words] == []


def test_a_word_of_the_table_is_no_typo_of_a_vocabulary_word() -> None:
    """ "plåtis" (a colloquial plåtslagare) is one edit from "plats" once å is folded: as a
    word of the table it stands for its work, not for that look-alike."""
    lex = Lexicon()
    lex.add_many(["plats", "platschef", "plåtslagare"])
    lex.set_synonyms({"plåtis": ("plåtslagare",)})
    found = {e.token: e for e in lex.expand("plåtis")}
    assert found["plåtslagare"].kind == "synonym"
    assert "plats" not in found
    # A word the table lacks is still read as a typo: "platts" is "plats".
    assert "plats" in {e.token for e in lex.expand("platts")}


def test_a_clipped_form_in_is_stands_for_the_compound_it_is_the_first_part_of() -> None:
    """ "lokis" (five letters: the rule began at six and found nothing) is a "lokförare": the
    compound whose whole first part "lok" is, before "lokaliserare", which only begins so."""
    lex = Lexicon()
    lex.add_many(["lokförare", "lokaliserare", "förare"])
    found = {e.token: e for e in lex.expand("lokis", allow_prefix=True)}
    assert found["lokförare"].weight > found["lokaliserare"].weight
    # A word the vocabulary knows is no clipped form: "polis" stays "polis".
    lex.add_many(["polis", "polisassistent"])
    assert lex.expand("polis")[0].token == "polis"


def test_a_clipped_form_with_a_ring_or_dots_keeps_them() -> None:
    """ "städis" is a "städare": the words that begin with "städ" as written, before those
    that only its folded letters begin ("stadsbud"), and through the forms of "städ", a word
    of its own, the agent it names."""
    lex = Lexicon()
    lex.add_many(["städ", "städare", "stadsbud", "bud", "stadie"])
    found = {e.token: e for e in lex.expand("städis", allow_prefix=True)}
    assert found["städare"].weight > found["stadsbud"].weight
    assert found["städare"].kind == "prefix"


def test_a_compound_clipped_in_both_parts_stands_for_the_compound() -> None:
    """ "socsek" begins no word, but "social" begins with its start and "sekreterare" with its
    rest: it is a "socialsekreterare"; a word whose rest begins no head finds nothing so."""
    lex = Lexicon()
    lex.add_many(["social", "sekreterare", "socialsekreterare", "socialt", "sekt", "hus"])
    found = {e.token: e for e in lex.expand("socsek")}
    assert found["socialsekreterare"].kind == "prefix"
    assert "socialt" not in found
    assert not [e for e in lex.expand("sochus") if e.token == "socialsekreterare"]
    # The rest may first appear inside the modifier: the head is where a split holds.
    lex.add_many(["socialsekt", "socialsektsekreterare"])
    assert "socialsektsekreterare" in {e.token for e in lex.expand("socsek")}


def test_a_word_of_the_table_is_complete_as_typed() -> None:
    """Typed last, a word of the table is no clipped "plat…" ("platschef") and no start of a
    longer word ("gym" of "gymnasielärare"), but the compounds it begins stay ("hotell" in
    "hotellreceptionist")."""
    lex = Lexicon()
    lex.add_many(
        ["platschef", "plåtslagare", "gymnasielärare", "gymnastikledare", "hotellreceptionist"]
    )
    lex.add_many(["receptionist", "hotellstädare"])
    lex.set_synonyms(
        {"plåtis": ("plåtslagare",), "gym": ("gymnastikledare",), "hotell": ("hotellstädare",)}
    )
    plåtis = {e.token for e in lex.expand("plåtis", allow_prefix=True)}
    assert "plåtslagare" in plåtis and "platschef" not in plåtis
    gym = {e.token for e in lex.expand("gym", allow_prefix=True)}
    assert "gymnastikledare" in gym and "gymnasielärare" not in gym
    hotell = {e.token for e in lex.expand("hotell", allow_prefix=True)}
    assert {"hotellstädare", "hotellreceptionist"} <= hotell
    # A word the table lacks still completes: "gymnas" is the start of "gymnasielärare".
    assert "gymnasielärare" in {e.token for e in lex.expand("gymnas", allow_prefix=True)}


def test_a_verbs_particle_lets_the_verb_meet_its_object() -> None:
    """ "dela ut reklam" is the table's "dela reklam", "köra ut paket" its "köra paket": the
    particle (ut, in, upp …) after a verb names nothing by itself."""
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Reklamutdelare", occupation_id=occ_id("Reklamutdelare")),
            slot(2, "Budbilsförare", occupation_id=occ_id("Budbilsförare")),
            slot(3, "Garderobiär, ut och in med rockar", occupation_id=occ_id("Garderobiär")),
        ]
    )
    for query, expected in (("dela ut reklam", 1), ("köra ut paket", 2), ("dela ut", 1)):
        hits = idx.search(SearchQuery(q=query)).hits
        assert [h.slot_id for h in hits][:1] == [expected], query
        assert all(w.term not in ("ut", "in") for h in hits for w in h.why), query
    # A query of the particle alone still searches for it.
    assert [h.slot_id for h in idx.search(SearchQuery(q="ut")).hits] == [3]


def test_a_verb_of_several_words_is_read_as_its_one_verb() -> None:
    """ "ta hand om barn" is "vårda barn", "håller rent" is "städa": "hand" by itself began
    "handpaketerare", so the packers came first for "ta hand om gamla"."""
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Barnskötare", occupation_id=occ_id("Barnskötare")),
            slot(2, "Handpaketerare", occupation_id=occ_id("Packare")),
            slot(3, "Städare", occupation_id=occ_id("Städare")),
            slot(4, "Djurvårdare", occupation_id=occ_id("Djurvårdare")),
        ]
    )
    for query, expected in (
        ("ta hand om barn", 1),
        ("tar hand om djur", 4),
        ("hålla rent", 3),
        ("håller rent på kontor", 3),
    ):
        hits = idx.search(SearchQuery(q=query)).hits
        assert [h.slot_id for h in hits][:1] == [expected], query
        assert 2 not in {h.slot_id for h in hits}, query
        assert all(w.term not in ("hand", "rent") for h in hits for w in h.why), query
    # The words stay words of their own elsewhere: "hand" still begins "handpaketerare".
    assert [h.slot_id for h in idx.search(SearchQuery(q="hand")).hits][:1] == [2]


def test_a_store_chains_name_and_more_everyday_work_find_their_work() -> None:
    """The twenty-second pass's words: a store chain's name ("praktik på Willys") means the
    work in its shops, not a look-alike word (ICA read as a systems architect's slot); a
    colloquial title ("kökerska"), a field ("äldreomsorg"), a verb phrase with an inflected
    object ("klippa häckar") and a verb alone ("duka") reach the work they mean."""
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Kassapersonal", occupation_id=occ_id("Kassapersonal")),
            slot(2, "Systemarkitekt", occupation_id=occ_id("Systemarkitekt")),
            slot(3, "Köksbiträde", occupation_id=occ_id("Köksbiträde")),
            slot(4, "Vårdbiträde", occupation_id=occ_id("Vårdbiträde")),
            slot(5, "Trädgårdsanläggare", occupation_id=occ_id("Trädgårdsanläggare")),
            slot(6, "Verktygsmakare", occupation_id=occ_id("Verktygsmakare")),
            slot(7, "Servitör", occupation_id=occ_id("Servitör/Servitris")),
            slot(8, "Ungdomsledare", occupation_id=occ_id("Ungdomsledare")),
            slot(9, "Frisör", occupation_id=occ_id("Frisör")),
            slot(10, "Marknadsförsäljare i Fristad", occupation_id=occ_id("Marknadsförsäljare")),
        ]
    )
    for query, expected in (
        ("ica", 1),
        ("Willys", 1),
        ("kökerska", 3),
        ("äldreomsorgen", 4),
        ("klippa häckar", 5),
        ("duka", 7),
        ("frisering", 9),
    ):
        hits = idx.search(SearchQuery(q=query)).hits
        assert [h.slot_id for h in hits][:1] == [expected], query


def test_an_explanation_says_what_an_everyday_word_stood_for_in_the_vocabularys_spelling():
    """Seen in the browser: "Matchade ica i titeln" of a title without "ica", and
    "Matchade bussforare i yrket", a folded internal form."""
    from search.services import why_out

    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Kassapersonal", occupation_id=occ_id("Kassapersonal")),
            slot(2, "Bussförare", occupation_id=occ_id("Bussförare")),
        ]
    )
    [hit] = idx.search(SearchQuery(q="ica")).hits[:1]
    texts = [why_out(w).text for w in hit.why]
    assert "Matchade kassapersonal i titeln (ica står för kassapersonal)" in texts
    bus = idx.search(SearchQuery(q="köra buss")).hits[0]
    assert bus.slot_id == 2
    words = {w.term for w in bus.why}
    assert "bussförare" in words and "bussforare" not in words
