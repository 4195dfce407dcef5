"""Matching both ways: a participant's profile to slots, and a slot to participants."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from marketplace.kernel.tables import AuditEntry
from placements.services import bump_slot_change
from tests.builders import make_candidate_row, make_host, make_slot
from tests.conftest import login

LAGER = "DLEi_bTh_oLA"  # Lagerarbetare/Terminalarbetare, SSYK 4322
KOCK = "Vg3d_Azf_p5Y"  # Kock storhushåll, SSYK 5120
KOCK_ALC = "JbJw_as4_S93"  # Kock à la carte, same group 5120


async def slot(host: int, title: str, occupation: str, **extra: Any) -> int:
    """A published slot of one seat in Vårgårda (with its coordinates), counted by the search."""
    values: dict[str, Any] = {"latitude": 57.9469, "longitude": 12.8081, **extra}
    for key in ("skills", "tracks", "adaptations"):
        values[key] = json.dumps(values.get(key, []))
    slot_id = await make_slot(
        host,
        title=title,
        external_id=title,
        occupation_id=occupation,
        hours=values.pop("hours_per_week", None),
        description=values.pop("description", ""),
        town=values.pop("town", "Vårgårda"),
        **values,
    )
    await bump_slot_change(slot_id)
    return slot_id


async def candidate(coordinator_id: int, **extra: Any) -> int:
    """A participant in Vårgårda with a profile to match (wishes, skills, languages)."""
    values: dict[str, Any] = {
        "first_name": "Mira",
        "last_name": "Ek",
        "track": "kompetens",
        "registered_at": dt.date(2026, 1, 5),
        "home_town": "Vårgårda",
        "max_commute_km": 30,
        "driving_licence": False,
    }
    values.update(extra)
    for key in ("wished_occupations", "skills", "languages", "adaptations"):
        values[key] = json.dumps(values.get(key, []))
    return await make_candidate_row(coordinator_id, email="", **values)


async def test_candidate_to_slots_explains_and_respects_limits(client, make_user):
    sara = await make_user("coordinator", username="sara")
    host = await make_host("Vårgårda Lager AB", "company")
    wanted = await slot(host, "Lagermedarbetare", LAGER, adaptations=["Lugn miljö"])
    related = await slot(host, "Kock i skolköket", KOCK_ALC)
    await slot(host, "Lagerarbetare med truck", LAGER, driving_licence=True)
    await slot(
        host, "Lagerarbetare i Kiruna", LAGER, town="Kiruna", latitude=67.85, longitude=20.22
    )
    mira = await candidate(
        sara.id,
        wished_occupations=[LAGER, KOCK],
        adaptations=[{"text": "Lugn miljö", "shareable": True}],
    )
    await login(client, "sara")
    response = await client.get(f"/api/v1/matching/candidates/{mira}/slots")
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    # Licence and commute exclude two slots; the wished occupation ranks first.
    assert [r["id"] for r in results] == [wanted, related]
    texts = [w["text"] for w in results[0]["why"]]
    assert "Önskat yrke: Lagerarbetare/Terminalarbetare" in texts
    assert "Kan anpassa: Lugn miljö" in texts
    assert any(w["match"] == "concept" for w in results[1]["why"])
    assert {"term", "field", "match", "text"} <= set(results[0]["why"][0])
    # The profile read is audited.
    assert await AuditEntry.exists().where(
        (AuditEntry.subject_id == mira) & (AuditEntry.action == "candidate.read")
    )


async def test_a_profile_that_nothing_suits_is_told_what_to_fill_in(client, make_user):
    # The reported wording: a participant whose profile matched nothing read "Inga platser
    # matchar sökningen. Prova färre filter eller ett annat ord.", though nobody had searched.
    sara = await make_user("coordinator", username="sara")
    host = await make_host("Vårgårda Lager AB", "company")
    await slot(
        host, "Lagerarbetare i Kiruna", LAGER, town="Kiruna", latitude=67.85, longitude=20.22
    )
    mira = await candidate(sara.id, wished_occupations=[LAGER])
    await login(client, "sara")
    page = (await client.get(f"/arbetsbord/deltagare/{mira}", headers={"accept": "text/html"})).text
    assert "Inga publicerade platser passar profilen just nu." in page
    assert "Inga platser matchar sökningen" not in page


async def test_a_participants_suggested_slots_measure_from_the_participants_home(client, make_user):
    """A tester read "på orten du valde" under a participant's suggested slots, though the
    coordinator chose no town: the distance is from where the participant lives."""
    sara = await make_user("coordinator", username="sara")
    host = await make_host("Vårgårda Lager AB", "company")
    from marketplace.reference import places

    lat, lon = places.place("Vårgårda") or (0.0, 0.0)
    await slot(host, "Lagermedarbetare", LAGER, latitude=lat, longitude=lon)
    await slot(host, "Lagerarbetare i Alingsås", LAGER, latitude=57.93, longitude=12.53)
    mira = await candidate(sara.id, wished_occupations=[LAGER])
    await login(client, "sara")
    page = (await client.get(f"/arbetsbord/deltagare/{mira}", headers={"accept": "text/html"})).text
    assert "på deltagarens hemort" in page
    assert "km från deltagarens hemort" in page
    assert "orten du valde" not in page


async def test_slot_to_candidates_only_visible_and_suitable(client, make_user):
    sara = await make_user("coordinator", username="sara")
    omar = await make_user("coordinator", username="omar")
    host = await make_host("Kostenheten", "municipal_unit")
    kitchen = await slot(host, "Kock i storkök", KOCK, tracks=["kompetens"], hours_per_week=30)
    fits = await candidate(sara.id, first_name="Mira", wished_occupations=[KOCK])
    await candidate(sara.id, first_name="Ali", wished_occupations=[KOCK], track="hälsa")
    await candidate(sara.id, first_name="Bo", wished_occupations=[KOCK], hours_available=10)
    await candidate(omar.id, first_name="Omars", wished_occupations=[KOCK])
    await login(client, "sara")
    response = await client.get(f"/api/v1/matching/slots/{kitchen}/candidates")
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == [fits]
    assert body["results"][0]["why"][0]["text"] == "Önskat yrke: Kock storhushåll"
    assert await AuditEntry.exists().where(
        (AuditEntry.subject_id == fits) & (AuditEntry.action == "candidate.match")
    )


async def test_matching_is_for_staff_and_own_candidates_only(client, make_user):
    sara = await make_user("coordinator", username="sara")
    await make_user("coordinator", username="omar")
    await make_user("host", username="henrik")
    await make_user("analyst", username="anna")
    mira = await candidate(sara.id)
    await login(client, "omar")
    assert (await client.get(f"/api/v1/matching/candidates/{mira}/slots")).status_code == 404
    for name in ("henrik", "anna"):
        await login(client, name)
        assert (await client.get(f"/api/v1/matching/candidates/{mira}/slots")).status_code == 403
        assert (await client.get("/api/v1/matching/slots/1/candidates")).status_code == 403


ARABISKA = "3iEY_RGP_qXq"
SVENSKA = "zSLA_vw2_FXN"


async def test_languages_lift_slots_that_ask_for_them_both_ways(client, make_user):
    sara = await make_user("coordinator", username="sara")
    host = await make_host("Vårgårda Lager AB", "company")
    plain = await slot(host, "Lagermedarbetare", LAGER, description="Plock och pack.")
    asks = await slot(
        host,
        "Lagermedarbetare, kundkontakt",
        LAGER,
        description="Många av våra kunder talar arabiska; det är en fördel om du gör det.",
    )
    speaker = await candidate(sara.id, wished_occupations=[LAGER], languages=[ARABISKA, SVENSKA])
    only_swedish = await candidate(
        sara.id, first_name="Bo", wished_occupations=[LAGER], languages=[SVENSKA]
    )
    await login(client, "sara")
    results = (await client.get(f"/api/v1/matching/candidates/{speaker}/slots")).json()["results"]
    assert [r["id"] for r in results] == [asks, plain]
    assert "Talar arabiska, som platsen nämner" in [w["text"] for w in results[0]["why"]]
    # Swedish is everybody's working language: no reason, no lift.
    results = (await client.get(f"/api/v1/matching/candidates/{only_swedish}/slots")).json()[
        "results"
    ]
    assert not any("Talar" in w["text"] for r in results for w in r["why"])
    # From the slot's side, the same reason puts the speaker first.
    found = (await client.get(f"/api/v1/matching/slots/{asks}/candidates")).json()["results"]
    assert [r["id"] for r in found] == [speaker, only_swedish]
    assert "Talar arabiska, som platsen nämner" in [w["text"] for w in found[0]["why"]]


async def test_unknown_taxonomy_ids_are_refused_with_the_field(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    base = {"first_name": "Aida", "last_name": "Ek", "track": "kompetens"}
    for field, word in (
        ("languages", "språk"),
        ("wished_occupations", "yrke"),
        ("skills", "kompetens"),
    ):
        answer = await client.post("/api/v1/candidates/", json={**base, field: ["Okand_id_1"]})
        assert answer.status_code == 400, answer.text
        assert f"Okänt {word} i taxonomin: Okand_id_1" in answer.text
        assert field in answer.text
    ok = await client.post("/api/v1/candidates/", json={**base, "languages": [ARABISKA]})
    assert ok.status_code == 201, ok.text
    assert ok.json()["languages"] == [ARABISKA]
    changed = await client.patch(
        f"/api/v1/candidates/{ok.json()['id']}", json={"languages": ["Okand_id_2"]}
    )
    assert changed.status_code == 400


def test_a_language_named_twice_is_one_reason():
    from search.services import CandidateProfile, _ProfileKeys, _SlotKeys, profile_reasons

    profile = CandidateProfile(
        id=1,
        track="kompetens",
        wished_occupations=[],
        skills=[],
        languages=["sNoC_CTL_8Ph", SVENSKA],
        interests="",
        adaptations=[],
        driving_licence=False,
        hours_available=None,
        point=None,
        max_commute_km=None,
    )
    slot_keys = _SlotKeys(None, "Butiksbiträde", [], [], "Vårgårda", "Du talar persiska (farsi).")
    score, why = profile_reasons(_ProfileKeys(profile), slot_keys, None)
    assert [w.text for w in why] == ["Talar persiska/farsi, som platsen nämner"]
    assert score == 0.75


def test_a_place_in_the_home_town_says_so_instead_of_zero_km():
    from search.services import CandidateProfile, _ProfileKeys, _SlotKeys, profile_reasons

    profile = CandidateProfile(
        id=1,
        track="kompetens",
        wished_occupations=[],
        skills=[],
        languages=[],
        interests="",
        adaptations=[],
        driving_licence=False,
        hours_available=None,
        point=None,
        max_commute_km=None,
    )
    slot_keys = _SlotKeys(None, "Butiksbiträde", [], [], "Vårgårda", "")
    _, here = profile_reasons(_ProfileKeys(profile), slot_keys, 0.3)
    _, away = profile_reasons(_ProfileKeys(profile), slot_keys, 12.4)
    assert [w.text for w in here] == ["I hemorten, Vårgårda"]
    assert [w.text for w in away] == ["12 km från hemorten"]


TRUCK = "GQSf_fnq_kjF"  # Truckförare, SSYK 8344
PARK = "4Y6u_JPp_jas"  # Park- och trädgårdsarbetare, SSYK 6113


async def test_free_text_function_words_neither_match_nor_explain(client, make_user):
    """Seen on the demo: a participant who wants to drive trucks, interests "Gillar att köra
    truck och att laga saker", got park slots explained "Matchar intresset och i titeln" and
    "Matchade gillar i yrket (samma yrkesområde)"; another "Matchade vill i beskrivningen"."""
    sara = await make_user("coordinator", username="sara")
    host = await make_host("Vårgårda Logistik AB", "company")
    truck = await slot(host, "Truckförare – logistik", TRUCK)
    park = await slot(
        host,
        "Park- och trädgårdsarbetare",
        PARK,
        description="Vi vill att du gillar saker som att jobba ute, och jag visar dig.",
    )
    goran = await candidate(
        sara.id,
        first_name="Göran",
        wished_occupations=[TRUCK],
        interests="Gillar att köra truck och att laga saker. Jag vill jobba med det.",
    )
    await login(client, "sara")
    response = await client.get(f"/api/v1/matching/candidates/{goran}/slots")
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results][:1] == [truck]
    function_words = {"och", "att", "gillar", "saker", "jag", "vill", "med", "det"}
    for result in results:
        for why in result["why"]:
            assert why["term"].lower() not in function_words, (result["title"], why)
    park_why: list[dict[str, Any]] = next((r["why"] for r in results if r["id"] == park), [])
    assert not any(w["field"] == "occupation" for w in park_why), park_why


def test_interests_are_their_content_words():
    from search.services import _interest_words

    assert _interest_words("Gillar att köra truck och att laga saker") == {
        "kora",
        "truck",
        "laga",
    }
    assert _interest_words("Jag vill jobba med människor") == {"jobba", "manniskor"}
