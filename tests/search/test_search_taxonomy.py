"""The packaged taxonomy and the gazetteer (`marketplace.reference`), occupation autocomplete and
the disk cache of the search's structures (`search.taxonomy_cache`)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from marketplace.reference import places, taxonomy
from search import disk_cache, taxonomy_cache


def test_taxonomy_loads_once_with_expected_sizes() -> None:
    assert len(taxonomy.occupations()) == 2412
    assert len(taxonomy.groups()) == 400
    assert taxonomy.occupations() is taxonomy.occupations()
    assert len(taxonomy.skills()) > 6000
    assert len(taxonomy.languages()) > 400


def test_both_halves_of_an_a_b_label_are_names() -> None:
    occ = next(
        o for o in taxonomy.occupations().values() if o.label == "Lagerarbetare/Terminalarbetare"
    )
    assert occ.names == ("Lagerarbetare", "Terminalarbetare")
    suggestions = taxonomy_cache.suggest_occupations("terminalarbetare", 3)
    assert suggestions[0].id == occ.id


def test_place_ignores_case_and_diacritics_and_nfd() -> None:
    expected = (58.031649, 12.80904)
    assert places.place("Vårgårda") == expected
    assert places.place("VARGARDA") == expected
    assert places.place(unicodedata.normalize("NFD", "vårgårda")) == expected
    assert places.place("Ingenstans-by-som-inte-finns") is None


def test_an_unknown_town_gets_the_closest_names_as_written() -> None:
    # A letter missing or wrong finds the town meant, spelt with its å ä ö.
    assert places.similar("Vårgåda") == ["Vårgårda"]
    assert places.similar("alinsas") == ["Alingsås"]
    assert places.did_you_mean("Göteborj") == "Menade du Göteborg?"
    # Nothing close, nothing said.
    assert places.similar("Ingenstans") == [] and places.did_you_mean("Ingenstans") == ""
    assert places.similar("") == []


def test_haversine_known_distance() -> None:
    # Vårgårda to Göteborg is about 61 km as the crow flies.
    gbg = places.place("Göteborg")
    assert gbg is not None
    d = places.haversine_km(58.031649, 12.80904, *gbg)
    assert 55 < d < 65
    assert places.haversine_km(58.0, 12.0, 58.0, 12.0) == pytest.approx(0.0)


def test_suggest_occupations_is_typo_tolerant_and_reports_group() -> None:
    top = taxonomy_cache.suggest_occupations("barnskotare", 5)[0]
    assert top.label == "Barnskötare"
    assert top.ssyk == "5311"
    assert top.group_label == "Barnskötare"
    typo = taxonomy_cache.suggest_occupations("undersköterka hemtjänst", 3)
    assert typo[0].ssyk == "5321"


def test_suggest_occupations_completes_the_last_word() -> None:
    labels = [s.label for s in taxonomy_cache.suggest_occupations("lagerarb", 5)]
    assert "Lagerarbetare/Terminalarbetare" in labels[:2]
    assert taxonomy_cache.suggest_occupations("", 5) == []


def test_static_structures_round_trip_through_the_private_disk_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = os.path.join(str(tmp_path), "cache")
    monkeypatch.setenv("SEARCH_CACHE_DIR", where)
    path = disk_cache.cache_path("taxonomy", taxonomy_cache._STATIC_INPUTS)
    assert path is not None and path.startswith(where)
    built = taxonomy_cache._static()
    disk_cache.save(path, built)
    assert oct(os.stat(where).st_mode & 0o777) == "0o700"
    loaded = disk_cache.load(path, taxonomy_cache._is_static)
    assert isinstance(loaded, tuple)
    concepts, ranker, lex = loaded
    assert [o.id for o in concepts.occupations] == [o.id for o in built[0].occupations]
    assert ranker.rank([("omsorg", 1.0, ())]) == built[1].rank([("omsorg", 1.0, ())])
    assert len(lex) == len(built[2])
    # A file others could have written is never unpickled.
    os.chmod(path, 0o666)
    assert disk_cache.load(path, taxonomy_cache._is_static) is None
    os.chmod(path, 0o600)
    with open(path, "wb") as f:
        f.write(b"not a pickle")
    assert disk_cache.load(path, taxonomy_cache._is_static) is None
    # Another kind's file in the same place is not taken for this one.
    disk_cache.save(path, ["not", "the", "structures"])
    assert disk_cache.load(path, taxonomy_cache._is_static) is None


def test_static_disk_cache_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEARCH_CACHE_DIR", "off")
    assert disk_cache.cache_path("taxonomy", taxonomy_cache._STATIC_INPUTS) is None
