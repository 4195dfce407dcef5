"""Issue 13, item 18: pages reached through a secret link (signing, assessment) are never
cached, and reading them is audited like any read of participant data.

Every answer of the link-page router carries `Cache-Control: no-store`: the page itself, the
refusal of a bad or used link, and a refused submit. Opening the assessment page writes an
audit row for the participant, as opening the signing page does.
"""

from __future__ import annotations

import re

from marketplace.kernel.tables import AuditEntry
from placements.services import assessment_links, bookings
from tests.placements.bookingdata import (
    TODAY,
    link_tokens,
    make_world,
    propose,
    to_active,
    write_win_win,
)


def csrf_of(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def no_store(response) -> bool:
    return "no-store" in response.headers.get("cache-control", "")


async def test_signing_link_pages_are_never_cached_and_reads_are_audited(client):
    w = await make_world()
    booking_id = await propose(w)
    await bookings.accept(w.host_user, booking_id)
    await write_win_win(booking_id)
    token = (await link_tokens(w, booking_id))["participant"]
    shown = await client.get(f"/underteckna/{token}", headers={"accept": "text/html"})
    assert shown.status_code == 200 and no_store(shown)
    reads = await AuditEntry.select().where(AuditEntry.action == "agreement.read")
    assert [r["subject_id"] for r in reads] == [w.candidate_id]
    assert reads[0]["actor_id"] is None and "via länk" in reads[0]["detail"]

    stale = await client.post(
        f"/underteckna/{token}", data={"_csrf_token": csrf_of(shown.text), "version": "99"}
    )
    assert stale.status_code == 409 and no_store(stale)
    bad = await client.get(f"/underteckna/{token}x", headers={"accept": "text/html"})
    assert bad.status_code == 400 and no_store(bad)
    garbage = await client.get("/underteckna/inte-en-länk", headers={"accept": "text/html"})
    assert garbage.status_code == 400 and no_store(garbage)


async def test_assessment_link_page_is_never_cached_and_its_read_is_audited(client):
    w = await make_world()
    booking_id = await to_active(w)
    await bookings.end(w.host_user, booking_id, "completed", TODAY)
    token = assessment_links.assessment_token(booking_id)
    assert await AuditEntry.count().where(AuditEntry.action == "assessment.read") == 0
    shown = await client.get(f"/bedomning/{token}", headers={"accept": "text/html"})
    assert shown.status_code == 200 and no_store(shown)
    reads = await AuditEntry.select().where(AuditEntry.action == "assessment.read")
    assert len(reads) == 1
    assert reads[0]["subject_id"] == w.candidate_id and reads[0]["actor_id"] is None
    assert f"bokning {booking_id}" in reads[0]["detail"]

    invalid = await client.post(
        f"/bedomning/{token}", data={"_csrf_token": csrf_of(shown.text), "attendance": "x"}
    )
    assert invalid.status_code == 400 and no_store(invalid)
    # Health and a personnummer are refused at their fields on the link's form too.
    health = await client.post(
        f"/bedomning/{token}",
        data={
            "_csrf_token": csrf_of(shown.text),
            "attendance": "god",
            "recommendation": "would_hire",
            "comment": "Har diabetes, pnr 19840375-1234",
        },
    )
    assert health.status_code == 400
    assert 'id="f-comment-error"' in health.text and "bedömningen behöver det inte" in health.text
    refused = await client.get(f"/bedomning/{token}x", headers={"accept": "text/html"})
    assert refused.status_code == 400 and no_store(refused)
    assert await AuditEntry.count().where(AuditEntry.action == "assessment.read") == 3
