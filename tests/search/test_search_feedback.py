"""Term-level pseudo-relevance feedback (issue 16, twelfth pass): for a query the taxonomy
hardly supports and that finds few slots, the words most of the best slots share, and few
slots say, are looked for too."""

from __future__ import annotations

import pytest

import search.index
from search.index import SearchIndex
from search.schemas import SlotDoc
from tests.search.test_search_ranker import ids, slot

# Made-up words no taxonomy text says: a product name, and the machine its slots work with.
_QUERY = "zorbexia"
_SHARED = "kvarnstensvals"


_TITLES = ("Kock", "Städare", "Butikssäljare", "Lagerarbetare")


def _fillers(n: int, start: int = 100) -> list[SlotDoc]:
    return [
        slot(
            start + i,
            _TITLES[i % len(_TITLES)],
            description=f"Vi söker en glad medarbetare till vår verksamhet nummer {i}.",
        )
        for i in range(n)
    ]


def _corpus() -> list[SlotDoc]:
    said = [
        slot(
            i,
            "Maskinoperatör",
            description=f"Vi söker en glad medarbetare. Vi tillverkar {_QUERY}. "
            f"Du sköter vår {_SHARED}.",
        )
        for i in (1, 2, 3)
    ]
    # Says what the others' text says, not the query's word.
    other = slot(4, "Lagerarbetare", description=f"Du sköter och rengör vår {_SHARED} varje dag.")
    return [*said, other, *_fillers(96)]


def test_a_word_the_best_slots_share_finds_the_slot_that_only_says_it() -> None:
    idx = SearchIndex()
    idx.build(_corpus())
    got = ids(idx, _QUERY)
    assert set(got[:3]) == {1, 2, 3}  # the slots that say the word stay first
    assert 4 in got


def test_without_the_feedback_that_slot_is_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search.index, "_PRF_SUPPORT", 0.0)
    idx = SearchIndex()
    idx.build(_corpus())
    assert 4 not in ids(idx, _QUERY)


def test_the_feedback_reads_slots_added_after_the_build() -> None:
    idx = SearchIndex()
    idx.build(_fillers(96))
    for doc in _corpus()[:4]:
        idx.upsert(doc)
    assert set(idx._slot_words(idx._pos[4])) >= {_SHARED, "rengör"}
    got = ids(idx, _QUERY)
    assert set(got[:3]) == {1, 2, 3}
    assert 4 in got


def test_the_forward_index_holds_title_skills_and_description_not_host() -> None:
    idx = SearchIndex()
    idx.build(
        [
            slot(
                1,
                "Lagerarbetare",
                skills=["Truckkort"],
                description="Plock och pack.",
                host_name="Firma Exempel",
            )
        ]
    )
    words = set(idx._slot_words(idx._pos[1]))
    assert {"lagerarbetare", "truckkort", "plock", "pack"} <= words
    assert "firma" not in words


def test_words_many_slots_say_are_not_added() -> None:
    idx = SearchIndex()
    idx.build(_corpus())
    terms = search.index.parse_terms(_QUERY + " ", idx._lex, idx._df, len(idx))
    docs, scores, _, support = idx._score(terms, [], [])
    assert support < search.index._PRF_SUPPORT
    words = [w for w, _ in idx._feedback_words(terms, docs, scores)]
    assert _SHARED in words
    assert "medarbetare" not in words  # the best slots share it, but so does every slot
    assert _QUERY not in words  # the query's own word


def test_a_query_the_taxonomy_supports_gets_no_feedback(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = SearchIndex._feedback_words

    def spy(self: SearchIndex, *a: object) -> list[tuple[str, float]]:
        calls.append("x")
        return original(self, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(SearchIndex, "_feedback_words", spy)
    idx = SearchIndex()
    idx.build([slot(1, "Kock", description="Laga mat."), *_fillers(20)])
    assert ids(idx, "kock")[0] == 1
    assert not calls
