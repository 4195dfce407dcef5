"""Query filters that were silently dropped now answer a Swedish 400 naming them: "null" for
an optional parameter that is no text (read as the parameter left out), and an unknown
status."""

from __future__ import annotations

from tests.conftest import login


async def test_null_for_an_optional_filter_is_refused_and_named(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    response = await client.get("/api/v1/bookings", params={"candidate_id": "null"})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["fields"] == ["candidate_id"]
    message = body["errors"]["candidate_id"]
    assert message.startswith("Deltagaren: ange ett värde"), message
    assert "candidate_id" not in body["detail"] and "null" not in body["detail"]
    # Two such parameters are both named at once.
    both = await client.get("/api/v1/bookings", params={"candidate_id": "null", "slot_id": "null"})
    assert both.status_code == 400 and sorted(both.json()["fields"]) == ["candidate_id", "slot_id"]


async def test_the_filter_left_out_or_given_still_works(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    assert (await client.get("/api/v1/bookings")).status_code == 200
    assert (await client.get("/api/v1/bookings", params={"candidate_id": "3"})).status_code == 200
    # A text parameter takes "null" as the word it is (a search for it).
    assert (await client.get("/api/v1/candidates", params={"q": "null"})).status_code == 200


async def test_an_unknown_status_filter_is_refused_not_ignored(client, make_user):
    """`?status=abc` listed nothing with 200 (a pattern inside FromQuery is dropped; a free
    text was taken as it was): now a Swedish 400 naming the choices."""
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    for path in ("/api/v1/follow-ups", "/api/v1/host-applications"):
        refused = await client.get(path, params={"status": "abc"})
        assert refused.status_code == 400, (path, refused.text)
        assert refused.json()["fields"] == ["status"]
        assert "välj ett av alternativen" in refused.json()["errors"]["status"]
    assert (await client.get("/api/v1/follow-ups", params={"status": "done"})).status_code == 200
    ok = await client.get("/api/v1/host-applications", params={"status": "pending"})
    assert ok.status_code == 200
