"""Occupation ids the taxonomy has replaced (issue 16, item 3): the rule of
`marketplace.reference.taxonomy_changes.resolve_occupation`, its messages, and the taxonomy version."""

from __future__ import annotations

import json
from importlib import resources

from marketplace.reference import taxonomy
from marketplace.reference.taxonomy_changes import (
    current_occupation_id,
    named_candidate,
    replaced_ids,
    resolve_occupation,
    taxonomy_version,
)

# Outdated ids from data/replaced_by.json, one of each kind.
PEDAGOGASSISTENT = "haFH_21Z_Nys"  # JobTech: replaced by Lärarassistent
LARARASSISTENT = "Zfgc_BYU_HM2"
KREMATORIEMASTARE = "1W9S_5tB_4Wp"  # shares a "/"-name with one occupation (low confidence)
ST_LAKARE = "RRVt_25X_wiL"  # split into BT-läkare and 18 "ST-läkare, …"
ST_ALLMANMEDICIN = "6TcC_oXD_QPw"
BLASTRARE = "TpfP_AE2_vBL"  # split into Lackerare and Rostskyddsmålare
ROSTSKYDDSMALARE = "cA1v_Y45_FS4"
KLOTTERSANERARE = "15DU_axL_nRT"  # no known replacement; was in SSYK 7134
MASSAKOKARE = "15gk_NYN_DGx"  # no known replacement, group unknown


def test_a_current_id_is_kept():
    res = resolve_occupation(LARARASSISTENT)
    assert (res.status, res.occupation_id, res.changed) == ("current", LARARASSISTENT, False)
    assert res.notice() == "" and res.problem() == ""


def test_one_replacement_is_stored_and_said():
    res = resolve_occupation(PEDAGOGASSISTENT)
    assert res.status == "replaced" and res.occupation_id == LARARASSISTENT and res.changed
    assert res.notice() == (
        f"Yrkes-id {PEDAGOGASSISTENT} (Pedagogassistent) är ersatt av "
        f"{LARARASSISTENT} (Lärarassistent)."
    )
    assert res.notice("en") == (
        f"Occupation id {PEDAGOGASSISTENT} (Pedagogassistent) is replaced by "
        f"{LARARASSISTENT} (Lärarassistent)."
    )
    assert current_occupation_id(PEDAGOGASSISTENT) == LARARASSISTENT


def test_a_replacement_guessed_from_the_names_asks_to_check():
    res = resolve_occupation(KREMATORIEMASTARE)
    assert res.status == "replaced" and res.guessed
    occ = taxonomy.occupation(str(res.occupation_id))
    assert occ is not None and occ.label == "Krematorieföreståndare"
    assert "kontrollera att yrket stämmer" in res.notice()


def test_a_split_id_is_stored_as_the_candidate_the_title_names():
    res = resolve_occupation(ST_LAKARE, "ST-läkare inom allmänmedicin")
    assert res.status == "chosen_by_title" and res.occupation_id == ST_ALLMANMEDICIN
    assert res.notice() == (
        f"Yrkes-id {ST_LAKARE} (ST-läkare) är ersatt av flera yrken; rubriken pekar ut "
        f"{ST_ALLMANMEDICIN} (ST-läkare, allmänmedicin)."
    )
    # The distinguishing word may be inflected or derived in the title.
    assert resolve_occupation(BLASTRARE, "Rostskyddsmålare sökes").occupation_id == (
        ROSTSKYDDSMALARE
    )


def test_a_split_id_without_a_naming_title_is_refused_with_the_candidates():
    for title in ("", "Läkare till vårdcentralen", "ST-läkare"):
        res = resolve_occupation(ST_LAKARE, title)
        assert res.status == "split" and res.occupation_id is None and not res.accepted
    problem = resolve_occupation(ST_LAKARE).problem()
    assert problem.startswith(f"Yrkes-id {ST_LAKARE} (ST-läkare) har delats upp i flera yrken: ")
    assert "ST-läkare, allmänmedicin (6TcC_oXD_QPw)" in problem
    assert "BT-läkare" in problem and "11 till" in problem  # 8 listed of 19
    assert problem.endswith("Ange id för ett av dem.")
    blast = resolve_occupation(BLASTRARE, "Blästring av gjutgods").problem()
    assert "Lackerare (v2HV_VNh_D7s), Rostskyddsmålare (cA1v_Y45_FS4)" in blast


def test_a_title_naming_two_candidates_picks_none():
    candidates = (("a", "Lackerare"), ("b", "Rostskyddsmålare"))
    assert named_candidate("Lackerare och rostskyddsmålare", candidates) is None
    assert named_candidate("Lackerare", candidates) == "a"
    assert named_candidate("Lackerare", candidates[:1]) is None  # one candidate is no split


def test_an_unresolved_id_is_refused_naming_its_old_group():
    res = resolve_occupation(KLOTTERSANERARE)
    assert res.status == "unresolved" and res.occupation_id is None
    assert res.problem() == (
        f"Yrkes-id {KLOTTERSANERARE} (Klottersanerare) är inaktuellt och dess ersättare är "
        "inte känd. Det hörde till yrkesgruppen 7134 Saneringsarbetare m.fl.: "
        "välj ett aktuellt yrke där."
    )
    bare = resolve_occupation(MASSAKOKARE)
    assert bare.status == "unresolved" and "yrkesgruppen" not in bare.problem()
    assert bare.problem().endswith("Välj ett aktuellt yrke.")
    assert current_occupation_id(KLOTTERSANERARE) is None


def test_an_unknown_id_is_unknown():
    res = resolve_occupation("XXXX_000_XXX")
    assert res.status == "unknown" and res.occupation_id is None
    assert res.problem() == "Yrket XXXX_000_XXX finns inte i yrkestaxonomin."
    assert res.problem("en") == "Occupation XXXX_000_XXX is not in the occupation taxonomy."


def test_every_replacement_in_the_data_is_a_current_occupation():
    # The rule never stores an id the taxonomy lacks, whatever the data says.
    current = taxonomy.occupations()
    for old in replaced_ids():
        assert old not in current
        res = resolve_occupation(old)
        assert res.occupation_id is None or res.occupation_id in current
        assert res.accepted == bool(res.notice()) and res.accepted != bool(res.problem())


def test_the_taxonomy_version_is_recorded():
    raw = json.loads(
        resources.files("marketplace.reference")
        .joinpath("data", "taxonomy_version.json")
        .read_text("utf-8")
    )
    v = taxonomy_version()
    assert v.version == raw["taxonomy"]["version"] == 27
    assert v.published == "2025-09-16"
    assert v.occupations == len(taxonomy.occupations())
    assert v.replaced_ids == len(replaced_ids()) > 1000
    assert "taxonomy-extra" in v.replaced_ids_source
