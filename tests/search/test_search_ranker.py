"""The group ranker, head/qualifier title splitting, the bulk build and the per-word caches."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from marketplace.reference.taxonomy import occupations
from search.index import _TITLE, _TITLE_QUALIFIER, SearchIndex
from search.names import name_parts
from search.schemas import SearchQuery, SlotDoc
from search.taxonomy_cache import concept_index, group_ranker


def occ_id(label: str) -> str:
    return next(o.id for o in occupations().values() if o.label == label)


def slot(slot_id: int, title: str, **kw: object) -> SlotDoc:
    base: dict[str, object] = {
        "id": slot_id,
        "external_id": f"x-{slot_id}",
        "title": title,
        "kind": "praktik",
        "town": "Vårgårda",
        "open_seats": 1,
        "published_at": datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        + datetime.timedelta(days=slot_id),
    }
    base.update(kw)
    return SlotDoc(**base)  # type: ignore[arg-type]


def ids(idx: SearchIndex, q: str, **kw: object) -> list[int]:
    return [h.slot_id for h in idx.search(SearchQuery(q=q, **kw)).hits]  # type: ignore[arg-type]


def ranked_groups(word: str, fallback: tuple[str, ...] = ()) -> list[str]:
    """SSYK codes of the groups the ranker returns for one folded word, best first."""
    scores = group_ranker().rank([(word, 1.0, fallback)])
    groups = concept_index().groups
    return [groups[g].ssyk for g, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


# --- the group ranker ----------------------------------------------------------------------


def test_ranker_puts_the_group_a_word_names_first() -> None:
    assert ranked_groups("stadare")[0] == "9111"  # Städare
    assert ranked_groups("plattsattning")[0] == "7112"  # Plattsättare (derivation root)


def test_ranker_prefers_the_work_to_its_managers() -> None:
    # "omsorg" heads the care groups' definitions and only qualifies "Chefer inom
    # äldreomsorg" (SSYK 1, weighed down as a manager's group).
    order = ranked_groups("omsorg")
    assert not order[0].startswith("1")
    assert order.index("5321") < order.index("1530")
    assert order.index("5330") < order.index("1530")


def test_ranker_reads_an_unknown_compound_by_its_parts_and_ignores_the_job_word() -> None:
    # "lagerjobb" is no word of any group; "lager" + "jobb" is, and "jobb" only says "a job".
    assert ranked_groups("lagerjobb")[:2] == ranked_groups("lager")[:2]
    assert ranked_groups("lagerjobb")[0] == "4322"


def test_ranker_uses_fallback_forms_only_when_the_word_matches_nothing() -> None:
    assert ranked_groups("stdxare") == []
    assert ranked_groups("stdxare", ("stadare",))[0] == "9111"
    # A word that matches on its own ignores its fallback.
    assert ranked_groups("omsorg", ("stadare",)) == ranked_groups("omsorg")


def test_ranker_scores_are_cached_per_word_and_stable() -> None:
    first = group_ranker().rank([("truck", 1.0, ())])
    again = group_ranker().rank([("truck", 1.0, ())])
    assert first == again
    assert first is not again  # callers may not mutate the cache through the result


def test_ranker_prefers_groups_that_say_all_the_words_of_a_phrase() -> None:
    # A verb and its object describe one kind of work together: a group whose text says only
    # one of them keeps that word's share of its score, so groups saying both come first.
    ranker = group_ranker()
    verb = ranker.rank([("skota", 1.0, ())])
    obj = ranker.rank([("djur", 1.0, ())])
    both = ranker.rank([("skota", 1.0, ()), ("djur", 1.0, ())])
    only_obj = [g for g in obj if g not in verb]
    assert only_obj
    for g in only_obj:
        assert both[g] == pytest.approx(0.5 * obj[g])
    for g in set(verb) & set(obj):
        assert both[g] == pytest.approx(verb[g] + obj[g])
    top = sorted(both, key=lambda g: -both[g])[:3]
    assert all(g in verb and g in obj for g in top)
    # A word no group knows ("ta" in a phrase) neither lifts nor lowers any group.
    assert ranker.rank([("djur", 1.0, ()), ("xqzvw", 1.0, ())]) == pytest.approx(obj)


# --- head and qualifier words in names and titles -------------------------------------------


def test_name_parts_split_head_from_qualifiers() -> None:
    assert name_parts("Enhetschef inom social omsorg") == (["enhetschef"], ["social", "omsorg"])
    assert name_parts("Städare – Kontoret") == (["städare"], ["kontoret"])
    # Words coordinated with the head belong to it.
    assert name_parts("Park- och trädgårdsarbetare")[0] == ["park", "trädgårdsarbetare"]


def test_title_head_and_qualifier_words_are_indexed_in_their_own_fields() -> None:
    idx = SearchIndex()
    idx.build([slot(1, "Kock – Skolköket i Hedared", occupation_id=occ_id("Kock storhushåll"))])
    fields = {t: {c & 7 for c in idx._post[t]} for t in ("kock", "skolköket", "hedared")}
    assert fields == {
        "kock": {_TITLE},
        "skolköket": {_TITLE_QUALIFIER},
        "hedared": {_TITLE_QUALIFIER},
    }


def test_an_incidental_qualifier_word_ranks_below_the_same_word_as_head() -> None:
    kock = occ_id("Kock storhushåll")
    idx = SearchIndex()
    idx.build(
        [
            # The same words in both titles: "skolköket" qualifies the first, heads the second.
            slot(1, "Kock – Skolköket", occupation_id=kock),
            slot(2, "Skolköket söker kock", occupation_id=kock),
        ]
    )
    assert ids(idx, "skolköket ") == [2, 1]
    assert ids(idx, "kock ") == [1, 2]
    hits = idx.search(SearchQuery(q="skolköket ")).hits
    assert hits[0].score > hits[1].score
    assert all(w.field == "title" for h in hits for w in h.why)


# --- the bulk build and the incremental path agree -------------------------------------------


def _corpus() -> list[SlotDoc]:
    return [
        slot(
            1,
            "Lagerarbetare – Logistikhuset",
            occupation_id=occ_id("Lagerarbetare/Terminalarbetare"),
            skills=["Truckkörning", "Plock och pack"],
            description="Hos Logistikhuset i Vårgårda. Plockar och packar varor. Vi erbjuder stöd.",
            tracks=["kompetens"],
            adaptations=["Lugn miljö"],
            hours_per_week=30,
        ),
        slot(2, "Städare", occupation_id=occ_id("Städare"), host_name="Städbolaget AB"),
        slot(3, "Barnskötare sökes", description="Förskola. SIUS-konsulent finns."),
        slot(4, "Kassamedarbetare i butik", occupation_id=occ_id("Kassapersonal")),
        slot(5, "Lagerarbetare", town="Alingsås", kind="arbetsträning"),
    ]


QUERIES = [
    "lager",
    "lagerarbetare",
    "stadare",
    "kassajobb",
    "barnomsorg",
    "siuskonsulent",
    "plock ",
]


def test_build_equals_upserting_one_by_one() -> None:
    built = SearchIndex()
    built.build(_corpus())
    grown = SearchIndex()
    grown.build([])
    for doc in _corpus():
        grown.upsert(doc)
    for q in QUERIES:
        assert built.search(SearchQuery(q=q, open_only=False)) == grown.search(
            SearchQuery(q=q, open_only=False)
        ), q
    assert built.search(SearchQuery(track="kompetens")) == grown.search(
        SearchQuery(track="kompetens")
    )
    assert built.search(SearchQuery(adaptations=["lugn miljö"])) == grown.search(
        SearchQuery(adaptations=["lugn miljö"])
    )


def test_build_with_a_repeated_slot_keeps_the_later_one() -> None:
    idx = SearchIndex()
    idx.build([slot(1, "Snickare"), slot(2, "Städare"), slot(1, "Målare")])
    assert len(idx) == 2
    assert ids(idx, "snickare ") == []
    assert ids(idx, "målare ") == [1]


def test_paging_agrees_with_a_longer_page() -> None:
    # Only candidates that can still reach the page are reranked: pages must still agree.
    idx = SearchIndex()
    idx.build([slot(i, t) for i, t in enumerate(["Lagerarbetare", "Lagerchef", "Lager"] * 8, 1)])
    full = idx.search(SearchQuery(q="lager", limit=20)).hits
    for offset in (0, 5, 10, 15):
        page = idx.search(SearchQuery(q="lager", limit=5, offset=offset)).hits
        assert page == full[offset : offset + 5]


# --- the per-word postings cache -----------------------------------------------------------


@pytest.mark.parametrize("write", ["upsert_new", "replace", "remove"])
def test_cached_word_postings_reflect_writes_at_once(write: str) -> None:
    idx = SearchIndex()
    idx.build([slot(1, "Lagerarbetare"), slot(2, "Städare")])
    assert ids(idx, "lagerarbetare ") == [1]
    assert idx._term_post_cache  # the word's reduced postings are now cached
    if write == "upsert_new":
        idx.upsert(slot(3, "Lagerarbetare natt"))
        assert not idx._term_post_cache  # postings changed: the cache is dropped
        assert sorted(ids(idx, "lagerarbetare ")) == [1, 3]
    elif write == "replace":
        idx.upsert(slot(1, "Målare"))
        assert ids(idx, "lagerarbetare ") == []
        assert ids(idx, "målare ") == [1]
    else:
        assert idx.remove(1)
        assert ids(idx, "lagerarbetare ") == []
    # Searching again refills the cache with the same answers.
    assert ids(idx, "städare ") == [2]
    assert ids(idx, "städare ") == [2]


# --- the string-similarity rerank -----------------------------------------------------------


def test_a_query_naming_no_occupation_keeps_only_a_share_of_the_rerank(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import search.index as index_module

    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Hundskötare", occupation_id=occ_id("Hundskötare")),
            slot(2, "Trädgårdsanläggare", occupation_id=occ_id("Trädgårdsanläggare")),
        ]
    )

    def scores(q: str) -> dict[int, float]:
        return {h.slot_id: h.score for h in idx.search(SearchQuery(q=q)).hits}

    everyday, named = "skötsel av grönytor", "hundskötare "
    with_rerank = scores(everyday), scores(named)
    monkeypatch.setattr(index_module, "_RERANK_WEIGHT", 0.0)
    without = scores(everyday), scores(named)
    share = 0.25 * 0.35  # at most a quarter of the full rerank weight
    # The everyday words name no occupation: the rerank adds at most that share.
    assert all(0 <= with_rerank[0][s] - without[0][s] <= share + 1e-3 for s in without[0])
    # "hundskötare" names one: its exact title gets the full rerank.
    assert with_rerank[1][1] - without[1][1] > share + 0.1


# --- everyday words: what the query names, and the skill level of the work ---------------------


def _named(q: str) -> float:
    idx = SearchIndex()
    from search.terms import parse_terms

    return concept_index().score(parse_terms(q, idx._lex, lambda t: 1, 10)).named


def test_a_name_cut_short_or_mistyped_still_names_its_occupation() -> None:
    # Neither word is a head word of a name as typed; the whole query is close to one.
    assert _named("modersmålslär förskola") >= 0.9
    assert _named("ptpjpsykoolg") > 0.5
    # Everyday words, each a vocabulary word, name nothing however close a name looks
    # ("reception på hotell" against "Receptionschef, hotell").
    assert _named("reception på hotell") < 0.3
    assert _named("äldreomsorg") == 0.0


def test_an_everyday_word_prefers_work_without_a_degree() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(1, "Forskare, skogsbruk", occupation_id=occ_id("Forskare, skogsbruk")),
            slot(2, "Skogsvårdare", occupation_id=occ_id("Skogsvårdare"), description="Skogsbruk"),
        ]
    )
    # "skogsbruk" names neither occupation: the forest worker's slot comes first although the
    # researcher's title holds the word itself.
    assert ids(idx, "skogsbruk") == [2, 1]
    # Naming the occupation still finds it first.
    assert ids(idx, "forskare skogsbruk")[:1] == [1]


def test_a_word_that_only_says_work_does_not_rank_the_groups(monkeypatch: Any) -> None:
    # "jobba" in "jobba med djur" says nothing of which work: the group ranker (which counts
    # the share of the words a group says) is given the other words only, unless there are none.
    idx = SearchIndex()
    idx.build([slot(1, "Djurskötare")])
    seen: list[list[str]] = []
    rank = idx._groups.rank

    def spy(words: Any, *args: Any) -> Any:
        seen.append([w for w, _, _ in words])
        return rank(words, *args)

    monkeypatch.setattr(idx._groups, "rank", spy)
    idx.search(SearchQuery(q="jobba med djur"))
    assert seen and "jobba" not in seen[-1] and "djur" in seen[-1]
    idx.search(SearchQuery(q="jobba"))
    assert "jobba" in seen[-1]
