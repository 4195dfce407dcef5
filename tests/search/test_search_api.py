"""The search service over the database: the public API contract, filters and freshness."""

from __future__ import annotations

import json
from typing import Any

from employers.tables import Host
from placements.services import bump_slot_change
from placements.tables import Slot
from search.schemas import SearchQuery
from search.services import SlotSearch


async def make_slot(host: Host | None = None, **fields) -> Slot:
    if host is None:
        host = Host(name="Vårgårda Lager AB", kind="company", town="Vårgårda")
        await host.save()
    values: dict[str, Any] = {
        "external_id": f"t-{fields.get('title', 'x')}",
        "kind": "praktik",
        "town": "Vårgårda",
        "status": "published",
        "capacity": 1,
        "latitude": 57.9469,
        "longitude": 12.8081,
    }
    values.update(fields)
    for key in ("skills", "tracks", "adaptations"):
        if key in values:
            values[key] = json.dumps(values[key])
    slot = Slot(host=host.id, **values)
    await slot.save()
    await bump_slot_change(slot.id)
    return slot


async def test_contract_and_why(client):
    slot = await make_slot(title="Lagerarbetare till vårt centrallager", skills=["Truckkörning"])
    response = await client.get("/api/v1/slots/search", params={"q": "lagerjobb"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    hit = body["results"][0]
    assert set(hit) >= {"id", "external_id", "title", "kind", "town", "host", "score", "why"}
    assert hit["id"] == slot.id
    assert hit["host"] == {"name": "Vårgårda Lager AB", "kind": "company"}
    assert hit["why"], "every hit explains itself"
    why = hit["why"][0]
    assert why["field"] == "title"
    assert why["match"] in {"compound", "prefix", "typo", "exact", "stem", "folded", "concept"}
    assert why["text"].startswith("Matchade ")


async def test_drafts_paused_and_closed_are_not_public(client):
    await make_slot(title="Städare i skolan", status="draft")
    paused = await make_slot(title="Städare på kontor", status="paused")
    await make_slot(title="Städare på hotell", status="closed")
    response = await client.get("/api/v1/slots/search", params={"q": "städare"})
    assert response.json()["total"] == 0
    await Slot.update({Slot.status: "published"}).where(Slot.id == paused.id)
    await bump_slot_change(paused.id)
    response = await client.get("/api/v1/slots/search", params={"q": "städare"})
    assert [r["id"] for r in response.json()["results"]] == [paused.id]


async def test_every_change_is_seen_by_another_worker_on_next_search():
    # Two SlotSearch objects stand for two workers, each with its own index.
    worker_a, worker_b = SlotSearch(), SlotSearch()
    await worker_a.rebuild()
    await worker_b.rebuild()
    slot = await make_slot(title="Kock i storkök")
    for worker in (worker_a, worker_b):
        result = await worker.search(SearchQuery(q="kock"))
        assert [h.slot_id for h in result.hits] == [slot.id]
    # Edited through "worker A": B sees the new title at once.
    await Slot.update({Slot.title: "Bagare i bageri"}).where(Slot.id == slot.id)
    await bump_slot_change(slot.id)
    assert (await worker_b.search(SearchQuery(q="kock"))).total == 0
    assert (await worker_b.search(SearchQuery(q="bagare"))).total == 1
    # Paused: gone everywhere.
    await Slot.update({Slot.status: "paused"}).where(Slot.id == slot.id)
    await bump_slot_change(slot.id)
    assert (await worker_a.search(SearchQuery(q="bagare"))).total == 0
    assert (await worker_b.search(SearchQuery(q="bagare"))).total == 0


async def test_rebuild_swaps_without_losing_concurrent_changes():
    worker = SlotSearch()
    await worker.rebuild()
    first = await make_slot(title="Frisör i salong")
    task = worker.rebuild_in_background()
    second = await make_slot(title="Frisör på landet")
    await task
    result = await worker.search(SearchQuery(q="frisör"))
    assert {h.slot_id for h in result.hits} == {first.id, second.id}


async def test_filters_and_empty_query_by_distance(client):
    host = Host(name="Föreningen Gården", kind="association", town="Vårgårda")
    await host.save()
    near = await make_slot(host, title="Lantbruksarbete", town="Vårgårda", hours_per_week=20)
    far = await make_slot(
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
    assert [r["id"] for r in by_distance.json()["results"]] == [near.id, far.id]
    radius = await client.get(
        "/api/v1/slots/search", params={"q": "lantbruk", "near": "57.94,12.80", "radius_km": 50}
    )
    assert [r["id"] for r in radius.json()["results"]] == [near.id]
    kind = await client.get("/api/v1/slots/search", params={"kind": "arbetsträning"})
    assert [r["id"] for r in kind.json()["results"]] == [far.id]
    hours = await client.get("/api/v1/slots/search", params={"max_hours": 30})
    assert [r["id"] for r in hours.json()["results"]] == [near.id]
    licence = await client.get("/api/v1/slots/search", params={"driving_licence": "false"})
    assert [r["id"] for r in licence.json()["results"]] == [near.id]


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
    host = Host(name="Bageriet i Byn", kind="company", town="Vårgårda")
    await host.save()
    made = [await make_slot(host, title=f"Bagare {n}", external_id=f"b-{n}") for n in range(5)]
    await make_slot(host, title="Bagare utkast", status="draft")
    worker = SlotSearch()
    await worker.rebuild()
    result = await worker.search(SearchQuery(q="bagare", limit=10))
    assert {h.slot_id for h in result.hits} == {s.id for s in made}
    assert set(worker.cards) == {s.id for s in made}
    card = worker.cards[made[3].id]
    assert (card.title, card.external_id, card.host_name, card.town) == (
        "Bagare 3",
        "b-3",
        "Bageriet i Byn",
        "Vårgårda",
    )
    assert card.host_name is worker.cards[made[0].id].host_name, "shared, not copied"
    # A change reaches the card at the next catch-up; an unpublished slot loses its card.
    await Slot.update({Slot.title: "Konditor 3"}).where(Slot.id == made[3].id)
    await bump_slot_change(made[3].id)
    await Slot.update({Slot.status: "paused"}).where(Slot.id == made[4].id)
    await bump_slot_change(made[4].id)
    assert (await worker.search(SearchQuery(q="konditor"))).total == 1
    assert worker.cards[made[3].id].title == "Konditor 3"
    assert made[4].id not in worker.cards
