"""The search service over the database: the public API contract, filters and freshness."""

from __future__ import annotations

import json
from typing import Any

from placements.services import bump_slot_change
from placements.tables import Slot
from search.schemas import SearchQuery
from search.services import SlotSearch
from tests.builders import make_host, make_slot


async def search_slot(host: int | None = None, **fields: Any) -> int:
    """A published slot of one seat in Vårgårda (with its coordinates), counted by the search;
    of a company of its own unless `host` is given."""
    if host is None:
        host = await make_host("Vårgårda Lager AB", "company")
    values: dict[str, Any] = {"latitude": 57.9469, "longitude": 12.8081, **fields}
    for key in ("skills", "tracks", "adaptations"):
        if key in values:
            values[key] = json.dumps(values[key])
    title: str = values.pop("title")
    slot_id = await make_slot(
        host,
        title=title,
        external_id=values.pop("external_id", f"t-{title}"),
        hours=values.pop("hours_per_week", None),
        description=values.pop("description", ""),
        **values,
    )
    await bump_slot_change(slot_id)
    return slot_id


async def test_contract_and_why(client):
    slot = await search_slot(title="Lagerarbetare till vårt centrallager", skills=["Truckkörning"])
    response = await client.get("/api/v1/slots/search", params={"q": "lagerjobb"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    hit = body["results"][0]
    assert set(hit) >= {"id", "external_id", "title", "kind", "town", "host", "score", "why"}
    assert hit["id"] == slot
    assert hit["host"] == {"name": "Vårgårda Lager AB", "kind": "company"}
    assert hit["why"], "every hit explains itself"
    why = hit["why"][0]
    assert why["field"] == "title"
    assert why["match"] in {"compound", "prefix", "typo", "exact", "stem", "folded", "concept"}
    assert why["text"].startswith("Matchade ")


async def test_drafts_paused_and_closed_are_not_public(client):
    await search_slot(title="Städare i skolan", status="draft")
    paused = await search_slot(title="Städare på kontor", status="paused")
    await search_slot(title="Städare på hotell", status="closed")
    response = await client.get("/api/v1/slots/search", params={"q": "städare"})
    assert response.json()["total"] == 0
    await Slot.update({Slot.status: "published"}).where(Slot.id == paused)
    await bump_slot_change(paused)
    response = await client.get("/api/v1/slots/search", params={"q": "städare"})
    assert [r["id"] for r in response.json()["results"]] == [paused]


async def test_every_change_is_seen_by_another_worker_on_next_search():
    # Two SlotSearch objects stand for two workers, each with its own index.
    worker_a, worker_b = SlotSearch(), SlotSearch()
    await worker_a.rebuild()
    await worker_b.rebuild()
    slot = await search_slot(title="Kock i storkök")
    for worker in (worker_a, worker_b):
        result = await worker.search(SearchQuery(q="kock"))
        assert [h.slot_id for h in result.hits] == [slot]
    # Edited through "worker A": B sees the new title at once.
    await Slot.update({Slot.title: "Bagare i bageri"}).where(Slot.id == slot)
    await bump_slot_change(slot)
    assert (await worker_b.search(SearchQuery(q="kock"))).total == 0
    assert (await worker_b.search(SearchQuery(q="bagare"))).total == 1
    # Paused: gone everywhere.
    await Slot.update({Slot.status: "paused"}).where(Slot.id == slot)
    await bump_slot_change(slot)
    assert (await worker_a.search(SearchQuery(q="bagare"))).total == 0
    assert (await worker_b.search(SearchQuery(q="bagare"))).total == 0


async def test_rebuild_swaps_without_losing_concurrent_changes():
    worker = SlotSearch()
    await worker.rebuild()
    first = await search_slot(title="Frisör i salong")
    task = worker.rebuild_in_background()
    second = await search_slot(title="Frisör på landet")
    await task
    result = await worker.search(SearchQuery(q="frisör"))
    assert {h.slot_id for h in result.hits} == {first, second}


async def test_filters_and_empty_query_by_distance(client):
    host = await make_host("Föreningen Gården", "association")
    near = await search_slot(host, title="Lantbruksarbete", town="Vårgårda", hours_per_week=20)
    far = await search_slot(
        host,
        title="Lantbruksarbete i norr",
        town="Kiruna",
        latitude=67.8557,
        longitude=20.2253,
        hours_per_week=40,
        kind="arbetsträning",
        driving_licence=True,
    )
    by_distance = await client.get(
        "/api/v1/slots/search", params={"near": "57.94,12.80", "limit": 10}
    )
    assert [r["id"] for r in by_distance.json()["results"]] == [near, far]
    radius = await client.get(
        "/api/v1/slots/search", params={"q": "lantbruk", "near": "57.94,12.80", "radius_km": 50}
    )
    assert [r["id"] for r in radius.json()["results"]] == [near]
    kind = await client.get("/api/v1/slots/search", params={"kind": "arbetsträning"})
    assert [r["id"] for r in kind.json()["results"]] == [far]
    hours = await client.get("/api/v1/slots/search", params={"max_hours": 30})
    assert [r["id"] for r in hours.json()["results"]] == [near]
    licence = await client.get("/api/v1/slots/search", params={"driving_licence": "false"})
    assert [r["id"] for r in licence.json()["results"]] == [near]


async def test_bad_parameters_answer_400_naming_the_field(client):
    cases = {
        "near": {"near": "57.9"},
        "kind": {"kind": "jobb"},
        "track": {"track": "okänd"},
        "radius_km": {"radius_km": "10"},
    }
    for field, params in cases.items():
        response = await client.get("/api/v1/slots/search", params=params)
        assert response.status_code == 400, field
        assert field in response.json()["fields"] or field in response.json()["detail"]
    # A wrong kind and a wrong track at once: both named.
    both = await client.get("/api/v1/slots/search", params={"kind": "jobb", "track": "okänd"})
    assert both.status_code == 400 and set(both.json()["fields"]) == {"kind", "track"}
    too_many = await client.get("/api/v1/slots/search", params={"limit": 5000})
    assert too_many.status_code == 400


async def test_occupation_autocomplete_is_typo_tolerant(client):
    response = await client.get("/api/v1/taxonomy/occupations", params={"q": "underskoterska"})
    assert response.status_code == 200
    first = response.json()[0]
    assert first["label"].startswith("Undersköterska")
    assert first["ssyk"].startswith("53")
    assert first["group"]


async def test_rebuild_streams_batches_and_keeps_cards_not_documents(monkeypatch):
    # The rebuild pulls the slots a batch at a time (here two per batch, so five slots take
    # three batches and an unpublished one is skipped) and keeps a card per slot.
    from search import services

    monkeypatch.setattr(services, "_BATCH", 2)
    host = await make_host("Bageriet i Byn", "company")
    made = [await search_slot(host, title=f"Bagare {n}", external_id=f"b-{n}") for n in range(5)]
    await search_slot(host, title="Bagare utkast", status="draft")
    worker = SlotSearch()
    await worker.rebuild()
    result = await worker.search(SearchQuery(q="bagare", limit=10))
    assert {h.slot_id for h in result.hits} == set(made)
    assert set(worker.cards) == set(made)
    card = worker.cards[made[3]]
    assert (card.title, card.external_id, card.host_name, card.town) == (
        "Bagare 3",
        "b-3",
        "Bageriet i Byn",
        "Vårgårda",
    )
    assert card.host_name is worker.cards[made[0]].host_name, "shared, not copied"
    # A change reaches the card at the next catch-up; an unpublished slot loses its card.
    await Slot.update({Slot.title: "Konditor 3"}).where(Slot.id == made[3])
    await bump_slot_change(made[3])
    await Slot.update({Slot.status: "paused"}).where(Slot.id == made[4])
    await bump_slot_change(made[4])
    assert (await worker.search(SearchQuery(q="konditor"))).total == 1
    assert worker.cards[made[3]].title == "Konditor 3"
    assert made[4] not in worker.cards
