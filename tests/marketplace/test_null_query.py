"""`?filter=null` on an optional parameter that is no text answers 400 naming it, in Swedish,
instead of being read as the parameter left out (the filter silently dropped)."""

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
