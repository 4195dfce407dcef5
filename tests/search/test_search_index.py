"""SearchIndex behaviour: matching, concepts, filters, freshness, ordering, explanations."""

from __future__ import annotations

import datetime

import pytest

from marketplace.reference.places import haversine_km
from marketplace.reference.taxonomy import occupations
from search.index import SearchIndex
from search.schemas import SearchQuery, SlotDoc
from search.taxonomy_cache import concept_index

VARGARDA = (58.031649, 12.80904)


def occ_id(label: str) -> str:
    return next(o.id for o in occupations().values() if o.label == label)


def slot(slot_id: int, title: str, **kw: object) -> SlotDoc:
    base: dict[str, object] = {
        "id": slot_id,
        "external_id": f"x-{slot_id}",
        "title": title,
        "kind": "praktik",
        "town": "Vårgårda",
        "latitude": VARGARDA[0],
        "longitude": VARGARDA[1],
        "open_seats": 1,
        "published_at": datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        + datetime.timedelta(days=slot_id),
    }
    base.update(kw)
    return SlotDoc(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    idx = SearchIndex()
    idx.build(
        [
            slot(
                1,
                "Lagerarbetare",
                occupation_id=occ_id("Lagerarbetare/Terminalarbetare"),
                skills=["Truckkörning"],
                hours_per_week=40,
                tracks=["kompetens"],
            ),
            slot(
                2,
                "Städare till kontor",
                occupation_id=occ_id("Städare"),
                hours_per_week=20,
                adaptations=["Lugn miljö", "Inga tunga lyft"],
                kind="arbetsträning",
            ),
            slot(
                3,
                "Kassamedarbetare i butik",
                occupation_id=occ_id("Kassapersonal"),
                hours_per_week=25,
                driving_licence=True,
                town="Alingsås",
                latitude=57.93,
                longitude=12.53,
            ),
            slot(
                4,
                "Café i centrum",
                occupation_id=occ_id("Kafébiträde/Konditoribiträde"),
                description="Servering och disk.",
                open_seats=0,
                hours_per_week=15,
            ),
            slot(
                5,
                "Bilmekaniker",
                occupation_id=occ_id("Personbilsmekaniker"),
                host_name="Herrljunga Bil AB",
                town="Herrljunga",
                latitude=58.08,
                longitude=13.02,
                tracks=[],
            ),
            slot(
                6,
                "Hemtjänst dagtid",
                occupation_id=occ_id("Vårdbiträde"),
                description="Stöd till äldre i deras hem.",
                latitude=None,
                longitude=None,
            ),
        ]
    )
    return idx


def ids(idx: SearchIndex, **kw: object) -> list[int]:
    return [h.slot_id for h in idx.search(SearchQuery(**kw)).hits]  # type: ignore[arg-type]


def test_len_counts_live_slots(index: SearchIndex) -> None:
    assert len(index) == 6


def test_exact_title_match_ranks_first(index: SearchIndex) -> None:
    assert ids(index, q="lagerarbetare")[0] == 1


def test_folded_and_typo_queries_find_the_slot(index: SearchIndex) -> None:
    assert ids(index, q="stadare")[0] == 2
    assert ids(index, q="lagerarbetrae")[0] == 1


def test_prefix_of_last_word(index: SearchIndex) -> None:
    assert ids(index, q="lagerarb")[0] == 1
    assert ids(index, q="bilmek")[0] == 5


def test_occupation_named_in_query_finds_slot_under_another_title(index: SearchIndex) -> None:
    # Slot 3 is titled "Kassamedarbetare", but its occupation is Kassapersonal.
    assert ids(index, q="kassapersonal")[0] == 3
    # Slot 6 says nothing about "vårdbiträde" in its text; its occupation does.
    assert ids(index, q="vårdbiträde")[0] == 6
    # The other half of an A/B occupation label is a name too.
    assert ids(index, q="terminalarbetare")[0] == 1


def test_compound_query_maps_to_concept(index: SearchIndex) -> None:
    # "kassajobb" is not a word anywhere; kassa + jobb reaches Kassapersonal.
    assert ids(index, q="kassajobb")[0] == 3


def test_the_job_part_of_a_compound_finds_nothing_by_itself() -> None:
    """The "jobb" in "fabriksjobb" only says it is work: a slot whose text or occupation says
    "jobb" (a job coach, an ad that talks of "jobbet") is no answer to it."""
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Maskinoperatör", occupation_id=occ_id("Maskinoperatör foderberedning")),
            slot(2, "Jobbcoach", occupation_id=occ_id("Jobbcoach/Utbildningscoach")),
            slot(3, "Planerare", description="Jobbet är ett jobb som många jobb i en fabrik."),
        ]
    )
    assert ids(idx, q="fabriksjobb")[0] == 1
    assert 2 not in ids(idx, q="fabriksjobb")


def test_group_definition_words_find_the_group(index: SearchIndex) -> None:
    # "omsorg" appears in the definition of the Vårdbiträden group, not in slot 6's text.
    assert 6 in ids(index, q="omsorg")[:2]


def test_open_only_default_and_override(index: SearchIndex) -> None:
    assert 4 not in ids(index, q="servering")
    assert 4 in ids(index, q="servering", open_only=False)


def test_kind_filter(index: SearchIndex) -> None:
    assert ids(index, kind="arbetsträning") == [2]
    assert 2 not in ids(index, kind="praktik")


def test_track_filter_and_empty_tracks_mean_all(index: SearchIndex) -> None:
    got = set(ids(index, track="hälsa"))
    assert 1 not in got  # only "kompetens"
    assert 5 in got  # no tracks listed: open to every track
    assert 1 in ids(index, track="Kompetens")


def test_hours_filters(index: SearchIndex) -> None:
    assert set(ids(index, max_hours=20)) == {2}
    assert set(ids(index, min_hours=25)) == {1, 3}


def test_adaptations_filter_requires_all_after_normalisation(index: SearchIndex) -> None:
    assert ids(index, adaptations=["lugn  miljö"]) == [2]
    assert ids(index, adaptations=["LUGN MILJO", "inga tunga lyft"]) == [2]
    assert ids(index, adaptations=["lugn miljö", "flexibla tider"]) == []


def test_driving_licence_filter(index: SearchIndex) -> None:
    assert 3 in ids(index)
    assert 3 not in ids(index, no_driving_licence=True)


def test_town_filter_ignores_case_and_diacritics(index: SearchIndex) -> None:
    assert ids(index, town="ALINGSAS") == [3]


def test_radius_filter_uses_haversine(index: SearchIndex) -> None:
    near = VARGARDA
    got = set(ids(index, near=near, radius_km=15))
    # Alingsås (3) is about 18 km away; Herrljunga (5) about 14 km; slot 6 has no coordinates.
    d_alingsas = haversine_km(*near, 57.93, 12.53)
    d_herrljunga = haversine_km(*near, 58.08, 13.02)
    assert d_herrljunga < 15 < d_alingsas
    assert got == {1, 2, 5}


def test_empty_query_with_near_sorts_by_distance(index: SearchIndex) -> None:
    res = index.search(SearchQuery(near=(57.93, 12.53)))
    order = [h.slot_id for h in res.hits]
    assert order[0] == 3
    dists = [h.distance_km for h in res.hits if h.distance_km is not None]
    assert dists == sorted(dists)
    assert order[-1] == 6  # no coordinates: last
    assert res.total == 5  # slot 4 has no open seats


def test_empty_query_without_near_lists_newest_first(index: SearchIndex) -> None:
    assert ids(index) == [6, 5, 3, 2, 1]


def test_filters_apply_before_ranking_and_paging(index: SearchIndex) -> None:
    res = index.search(SearchQuery(q="lagerarbetare", kind="arbetsträning"))
    assert 1 not in [h.slot_id for h in res.hits]
    page = index.search(SearchQuery(limit=2, offset=2))
    assert [h.slot_id for h in page.hits] == [3, 2]
    assert page.total == 5


def test_why_lists_term_field_and_match_kind(index: SearchIndex) -> None:
    hit = index.search(SearchQuery(q="lagerarbetare")).hits[0]
    assert [(w.term, w.field, w.match) for w in hit.why] == [("lagerarbetare", "title", "exact")]
    by_occupation = index.search(SearchQuery(q="vårdbiträde")).hits[0]
    assert ("vårdbiträde", "occupation", "exact") in {
        (w.term, w.field, w.match) for w in by_occupation.why
    }
    folded = index.search(SearchQuery(q="stadare")).hits[0]
    assert {(w.term, w.match) for w in folded.why} >= {("stadare", "folded")}
    typo = index.search(SearchQuery(q="lagerarbetrae")).hits[0]
    assert any(w.match == "typo" for w in typo.why)
    compound = index.search(SearchQuery(q="kassajobb")).hits[0]
    assert any(w.match == "compound" for w in compound.why)


def test_upsert_and_remove_are_seen_immediately() -> None:
    idx = SearchIndex()
    idx.build([slot(1, "Lagerarbetare")])
    assert ids(idx, q="snickare") == []
    idx.upsert(slot(2, "Snickare sökes", occupation_id=occ_id("Träarbetare/Snickare")))
    assert ids(idx, q="snickare") == [2]
    assert len(idx) == 2
    # Replacing a slot drops its old text.
    idx.upsert(slot(2, "Målare sökes", occupation_id=occ_id("Målare")))
    assert ids(idx, q="snickare") == []
    assert ids(idx, q="målare") == [2]
    assert idx.remove(2) is True
    assert ids(idx, q="målare") == []
    assert idx.remove(2) is False
    assert len(idx) == 1


def test_profile_occupation_ids_boost(index: SearchIndex) -> None:
    got = ids(index, occupation_ids=[occ_id("Städare")])
    assert got[0] == 2


def test_slot_without_occupation_gets_one_from_its_title() -> None:
    idx = SearchIndex()
    idx.build([slot(1, "Barnskötare")])
    g = concept_index().group_pos[
        next(o.group_id for o in occupations().values() if o.label == "Barnskötare")
    ]
    assert int(idx._cols.group[0]) == g


def test_why_reads_each_slots_own_fields_from_the_postings() -> None:
    # The index keeps no document text: the reason for a hit is read from the postings, so
    # it must name the field of the hit's own slot, not a neighbour's, built or upserted.
    def doc(slot_id: int, title: str = "Medarbetare", **kw: object) -> SlotDoc:
        return slot(slot_id, title, **kw)

    idx = SearchIndex()
    idx.build(
        [
            doc(1, description="Vi packar paket. Du trivs med fikonträd."),
            doc(2, host_name="Fikonträd AB"),
            doc(3, skills=["Beskärning av fikonträd"]),
            doc(4, description="Byts ut nedan."),
            doc(4, town="Fikonträdby", description="Fikonträd i orten."),  # the later one wins
        ]
    )
    idx.upsert(doc(5, "Odlare av fikonträd"))

    def fields(q: str) -> dict[int, set[str]]:
        res = idx.search(SearchQuery(q=q, limit=10))
        return {h.slot_id: {w.field for w in h.why} for h in res.hits}

    got = fields("fikonträd")
    assert got[1] == {"description"}
    assert got[2] == {"host"}
    assert got[3] == {"skills"}
    assert got[4] == {"description"}
    assert "title" in {w.field for w in idx.search(SearchQuery(q="odlare")).hits[0].why}
    assert got[5] == {"title"}


def test_rare_adaptations_are_checked_exactly_without_the_documents() -> None:
    # Past the 62nd distinct adaptation all share one bit: those slots are checked exactly,
    # from the adaptations the index keeps for them alone.
    many = [f"Anpassning {i}" for i in range(70)]
    idx = SearchIndex()
    idx.build([slot(i + 1, "Städare", adaptations=[a]) for i, a in enumerate(many)])
    assert ids(idx, q="städare", adaptations=["anpassning 65"]) == [66]
    assert ids(idx, q="städare", adaptations=["anpassning 63"]) == [64]
    idx.upsert(slot(100, "Städare", adaptations=["Anpassning 65", "Anpassning 69"]))
    assert sorted(ids(idx, q="städare", adaptations=["anpassning 65"])) == [66, 100]
    assert ids(idx, q="städare", adaptations=["anpassning 65", "anpassning 69"]) == [100]
    idx.remove(66)
    assert ids(idx, q="städare", adaptations=["anpassning 65"]) == [100]


def test_a_replaced_slot_leaves_a_dead_row_until_a_rebuild() -> None:
    idx = SearchIndex()
    idx.build([slot(1, "Lagerarbetare"), slot(2, "Städare")])
    assert (len(idx), idx.dead_rows) == (2, 0)
    for _ in range(3):
        idx.upsert(slot(1, "Lagerarbetare"))
    assert (len(idx), idx.dead_rows) == (2, 3)
    assert idx.remove(2) and (len(idx), idx.dead_rows) == (1, 4)
    assert [h.slot_id for h in idx.search(SearchQuery(q="lagerarbetare")).hits] == [1]
    idx.build([slot(1, "Lagerarbetare")])
    assert (len(idx), idx.dead_rows) == (1, 0)


def test_a_word_that_only_says_work_is_no_reason_for_a_hit() -> None:
    """The word "jobba" in "jobba med djur" gave the reason "Matchade jobba i yrket"; only "djur" is
    one. A query of such words alone ("jobb") still says why its hits came."""
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Djurvårdare", occupation_id=occ_id("Djurvårdare")),
            slot(2, "Jobbcoach", occupation_id=occ_id("Jobbcoach/Utbildningscoach")),
        ]
    )
    hits = idx.search(SearchQuery(q="jobba med djur")).hits
    assert [h.slot_id for h in hits][:1] == [1]
    assert {w.term for w in hits[0].why} == {"djur"}
    alone = idx.search(SearchQuery(q="jobb")).hits
    assert [h.slot_id for h in alone][:1] == [2] and alone[0].why


def test_a_compound_with_a_mistyped_modifier_means_the_modifier_it_was_meant_as() -> None:
    """ "trägårdsarbete" (trädgård missing its d) split as "trä" + "gårds" + "arbete" and found
    wood and farm work; its modifier is one typo from "trädgård", which begins many words."""
    from search.taxonomy_cache import taxonomy_lexicon

    lex = taxonomy_lexicon()
    assert lex.split("tragardsarbete", mistyped=True) == ["tradgard", "arbete"]
    assert lex.split("tragardsarbete") == ["tra", "gards", "arbete"]
    # A word that splits into real words keeps its split.
    assert lex.split("lagerarbete", mistyped=True) == lex.split("lagerarbete")
    idx = SearchIndex()
    idx.build(
        [
            slot(
                1,
                "Park- och trädgårdsarbetare",
                occupation_id=occ_id("Park- och trädgårdsarbetare"),
            ),
            slot(
                2,
                "Träarbetare",
                occupation_id=occ_id("Träarbetare, utan yrkesbevis/Snickare, utan yrkesbevis"),
            ),
            slot(3, "Djurskötare på gård", occupation_id=occ_id("Djurskötare lantbruk")),
        ]
    )
    assert [h.slot_id for h in idx.search(SearchQuery(q="trägårdsarbete")).hits][:1] == [1]


def test_a_field_of_work_is_a_reason_only_for_a_word_that_names_it() -> None:
    """Seen on the demo: "tvätta bilar" said of a shop slot "Matchade biltvättare i yrket
    (samma yrkesområde)": the shop's group had a score from the whole query, and every word
    the slot's text lacked was said to match its field. A word is said to match the field of
    work only when it names that field itself."""
    idx = SearchIndex()
    idx.build(
        [
            slot(
                1,
                "Butikssäljare",
                occupation_id=occ_id("Butikssäljare, fackhandel"),
                description="Du tvättar skyltfönstren och säljer tillbehör till bilar.",
            ),
            slot(2, "Truckförare", occupation_id=occ_id("Truckförare")),
        ]
    )
    for hit in idx.search(SearchQuery(q="tvätta bilar")).hits:
        if hit.slot_id == 1:
            assert all(w.term not in {"biltvättare", "tvätta bilar"} for w in hit.why), hit.why
    gillar = idx.search(SearchQuery(q="truckförare gillar saker")).hits
    assert [h.slot_id for h in gillar][:1] == [2]
    assert {w.term for w in gillar[0].why} == {"truckförare"}


def test_one_reason_per_word_and_field_and_a_verb_phrase_is_no_folded_match() -> None:
    """ "köra truck" read as "truckförare" said "Matchade truckförare i titeln (utan å, ä och
    ö)" beside the same word's exact match and "(truck står för truckförare)": three reasons
    for one word in one field, one of them false (nobody typed it without ö)."""
    idx = SearchIndex()
    idx.build([slot(1, "Truckförare", occupation_id=occ_id("Truckförare"))])
    why = idx.search(SearchQuery(q="köra truck")).hits[0].why
    said = [(w.via or w.term, w.field) for w in why]
    assert len(said) == len(set(said)), why
    assert all(w.match != "folded" for w in why), why
    assert ("truckförare", "title") in said


def test_free_text_function_words_are_no_query_words() -> None:
    """ "jag", "gillar" and the like name no work: a slot whose description says them is no
    hit for them, and they are no reason of the slot the query's content word finds."""
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Truckförare"),
            slot(2, "Städare", description="Jag gillar när du är här."),
        ]
    )
    hits = idx.search(SearchQuery(q="jag gillar truckar ")).hits
    assert [h.slot_id for h in hits] == [1]
    assert {w.term for w in hits[0].why} == {"truckar"}
