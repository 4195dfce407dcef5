"""The demo's sign-in links to Mina sidor (`marketplace.demo.demo_sign_in_links`,
`participants.sessions.demo_sign_in_link`), counted in process: the command-line test runs
`marketplace demo` as a process of its own, which coverage does not follow.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from marketplace.demo import demo_address, demo_sign_in_links
from marketplace.kernel.errors import Conflict
from marketplace.kernel.tables import AuditEntry
from participants import sessions
from placements.tables import Candidate
from tests.builders import make_candidate, make_user
from tests.participants.conftest import sign_in_by_link, signed_in


async def test_a_demo_participant_gets_a_link_that_signs_them_in_once(client):
    coordinator = await make_user("coordinator")
    aisha = await make_candidate(coordinator, "Aisha")
    await Candidate.update(
        {
            Candidate.last_name: "Yusuf",
            Candidate.email: demo_address("Aisha.Yusuf", "deltagare.demo.example"),
            Candidate.language: "ar",
        }
    ).where(Candidate.id == aisha)
    # The other demo participant is not in this database: only one line, no error.
    lines = await demo_sign_in_links()
    assert len(lines) == 1 and lines[0].startswith("Aisha Yusuf (fungerar en gång, till ")
    url = lines[0].rsplit(": ", 1)[1]
    assert url.endswith("?sprak=ar")  # in the participant's own language
    path = urlsplit(url).path
    assert await sign_in_by_link(client, path) == 303
    assert signed_in(client)
    assert "Aisha" in (await client.get("/mina-sidor", headers={"accept": "text/html"})).text
    client.cookies.clear()
    assert await sign_in_by_link(client, path) != 303  # once only
    logged = await AuditEntry.count().where(
        (AuditEntry.action == "participant.demo_link") & (AuditEntry.subject_id == aisha)
    )
    assert logged == 1


async def test_a_participant_who_has_left_gets_no_demo_link():
    coordinator = await make_user("coordinator")
    gone = await make_candidate(coordinator, "Hanna")
    await Candidate.update({Candidate.status: "exited"}).where(Candidate.id == gone)
    with pytest.raises(Conflict):
        await sessions.demo_sign_in_link(gone)
