"""The learned lift: words whose results keep leading to proposals in one occupation group lift
that group, once the evidence passes the thresholds and not before; switched off (by the
admin switch or the setting), the results are exactly the index's."""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

import pytest

from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import AuditEntry
from marketplace.reference import taxonomy
from search import lift, usage
from search.schemas import SearchQuery
from search.services import run_search, slot_search
from search.tables import SearchEvent, SearchLog
from tests.conftest import login
from tests.search.test_search_api import search_slot
from tests.search.test_search_log import HTML, browser_login, post_form

BARISTA = "h6oZ_9aZ_27G"
HAIRDRESSER = "tuoE_9Nj_fAS"
WORDS = "lagerarbete"


@pytest.fixture(autouse=True)
async def fresh_index() -> None:
    """As a worker starts: its index and learned pairs built from this test's database."""
    await slot_search().rebuild()


def group(occupation_id: str) -> str:
    occupation = taxonomy.occupation(occupation_id)
    assert occupation is not None
    return occupation.group_id


async def proposals(
    words: str, group_id: str, count: int, searchers: int, slot_id: int, first: int = 0
) -> None:
    """`count` logged searches for `words`, each led to a proposal in `group_id`, made by
    `searchers` different (hashed) searchers in turn, numbered from `first`."""
    for i in range(count):
        ref = usage.new_ref()
        searcher = f"{first + i % searchers:032x}"
        await SearchLog.insert(SearchLog(reference=ref, words=words, hits=2, searcher=searcher))
        row = await SearchLog.select(SearchLog.id).where(SearchLog.reference == ref).first()
        assert row is not None
        await SearchEvent.insert(
            SearchEvent(search=row["id"], kind="propose", slot_id=slot_id, group_id=group_id)
        )
    async with write_transaction(SearchLog._meta.db):
        await usage.learning_changed()


async def two_slots() -> tuple[int, int]:
    """Two slots the index ranks alike for WORDS; they differ only in occupation group."""
    first = await search_slot(title="Lagerarbete i butiken", external_id="a", occupation_id=BARISTA)
    second = await search_slot(
        title="Lagerarbete i butiken", external_id="b", occupation_id=HAIRDRESSER
    )
    return first, second


def query(q: str = WORDS, **kw: Any) -> SearchQuery:
    return SearchQuery(q=q, limit=kw.pop("limit", 10), **kw)


async def ids(q: str = WORDS, **kw: Any) -> list[int]:
    return [r.id for r in (await run_search(query(q, **kw))).results]


async def index_page(q: SearchQuery) -> list[tuple[int, float, list[str]]]:
    result = slot_search().index.search(q)
    return [(h.slot_id, h.score, [w.match for w in h.why]) for h in result.hits]


async def served_page(q: SearchQuery) -> list[tuple[int, float, list[str]]]:
    response = await run_search(q)
    return [(r.id, r.score, [w.match for w in r.why]) for r in response.results]


async def admin() -> AuthUser:
    from marketplace.kernel import auth
    from tests.conftest import DEMO_PASSWORD

    user = await auth.create_user("ada", DEMO_PASSWORD, "admin")
    return auth.to_auth_user(user.to_dict(), "token", None)


async def test_the_lift_changes_order_once_the_evidence_is_strong_enough_and_not_before():
    first, second = await two_slots()
    assert await ids() == [first, second]
    base = await index_page(query())
    assert base[0][1] == base[1][1], "the two slots score alike without the lift"

    # Four proposals (threshold 5), from three searchers: not yet.
    await proposals(WORDS, group(HAIRDRESSER), 4, 3, second)
    assert await ids() == [first, second]
    assert await lift.learned_pairs(get_settings()) == []
    # The fifth passes every threshold: the group is lifted, and the hit says why.
    await proposals(WORDS, group(HAIRDRESSER), 1, 1, second, first=3)
    (pair,) = await lift.learned_pairs(get_settings())
    assert (pair.words, pair.group_id, pair.proposals, pair.searchers, pair.share) == (
        WORDS,
        group(HAIRDRESSER),
        5,
        4,
        1.0,
    )
    response = await run_search(query())
    assert [r.id for r in response.results] == [second, first]
    top = response.results[0]
    assert top.score == round(base[0][1] * (1 + lift.MAX_LIFT), 4)
    assert top.why[-1].match == "learned"
    assert "ofta föreslaget för de här sökorden" in top.why[-1].text
    assert response.total == 2
    # Only the same words are lifted; other words rank as the index does.
    assert await served_page(query("lager i butiken")) == await index_page(query("lager i butiken"))
    # The same words typed otherwise (case, punctuation) are the same words.
    assert await ids("  Lagerarbete! ") == [second, first]


async def test_too_small_a_share_or_too_few_searchers_lift_nothing():
    first, second = await two_slots()
    # Five proposals from only two searchers.
    await proposals(WORDS, group(HAIRDRESSER), 5, 2, second)
    assert await ids() == [first, second]
    # A third searcher: lifted.
    await proposals(WORDS, group(HAIRDRESSER), 1, 1, second, first=2)
    assert await ids() == [second, first]
    # The words also led to proposals in another group: 6 of 11 is below 60 %.
    await proposals(WORDS, group(BARISTA), 5, 5, first, first=10)
    assert await lift.learned_pairs(get_settings()) == []
    assert await ids() == [first, second]


async def test_with_the_lift_off_results_are_exactly_the_index(monkeypatch: pytest.MonkeyPatch):
    _, second = await two_slots()
    await search_slot(title="Lagerarbetare", external_id="c", occupation_id=HAIRDRESSER)
    await search_slot(title="Städare", external_id="d", occupation_id=BARISTA)
    await proposals(WORDS, group(HAIRDRESSER), 6, 3, second)
    queries = [query(), query(limit=1, offset=1), query("lager"), query("städare"), query("")]
    assert await served_page(query()) != await index_page(query()), "the lift is on"

    user = await admin()
    assert await lift.set_switch(user, False)
    assert not await lift.set_switch(user, False)  # already off: nothing changes
    for q in queries:
        assert await served_page(q) == await index_page(q)
        assert (await run_search(q)).total == slot_search().index.search(q).total
    assert await lift.set_switch(user, True)
    assert await served_page(query()) != await index_page(query()), "on again"

    # The setting turns it off everywhere, whatever the switch says.
    off = dataclasses.replace(get_settings(), search_lift=False)
    monkeypatch.setattr(lift, "get_settings", lambda: off)
    async with write_transaction(SearchLog._meta.db):
        await usage.learning_changed()
    for q in queries:
        assert await served_page(q) == await index_page(q)
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action)]
    assert actions == ["search_lift.off", "search_lift.on"]


async def test_pages_of_a_lifted_search_agree_with_each_other():
    slots = []
    for n, occupation in enumerate([BARISTA, HAIRDRESSER] * 4):
        slot = await search_slot(
            title="Lagerarbete i butiken", external_id=f"p{n}", occupation_id=occupation
        )
        slots.append(slot)
    await proposals(WORDS, group(HAIRDRESSER), 5, 3, slots[1])
    whole = await ids(limit=8)
    assert whole[:4] == slots[1::2], "the lifted group comes first, in the index's order"
    pages = [await ids(limit=3, offset=offset) for offset in (0, 3, 6)]
    assert [i for p in pages for i in p] == whole


async def test_admins_see_the_learned_pairs_and_switch_them_off(client, make_user):
    first, second = await two_slots()
    await proposals(WORDS, group(HAIRDRESSER), 5, 3, second)
    await make_user("admin", username="ada")
    await browser_login(client, "ada")
    page = await client.get("/drift/sokningar/lyft", headers=HTML)
    assert page.status_code == 200
    occupation_group = taxonomy.groups()[group(HAIRDRESSER)]
    row = re.search(r"<th scope=\"row\">lagerarbete</th>(.*?)</tr>", page.text, re.S)
    assert row and occupation_group.label in row.group(1) and occupation_group.ssyk in row.group(1)
    assert "Lyften är påslagna." in page.text and "Stäng av lyften" in page.text
    assert [
        r["id"] for r in (await client.get("/api/v1/slots/search?q=lagerarbete")).json()["results"]
    ] == [second, first]

    off = await post_form(client, "/drift/sokningar/lyft", {"enabled": "0"}, follow_redirects=True)
    assert off.status_code == 200 and "Lyften är avstängda." in off.text
    assert "Slå på lyften" in off.text
    answer = await client.get("/api/v1/slots/search?q=lagerarbete")
    assert [r["id"] for r in answer.json()["results"]] == [first, second]
    bad = await post_form(client, "/drift/sokningar/lyft", {"enabled": "kanske"})
    assert bad.status_code == 400 and "Välj om lyften" in bad.text
    (entry,) = await AuditEntry.select().where(AuditEntry.action == "search_lift.off")
    assert entry["subject_type"] == "search_lift"


async def test_fewer_than_five_proposals_are_never_shown_as_a_figure(
    client, make_user, monkeypatch: pytest.MonkeyPatch
):
    from search import views

    low = dataclasses.replace(get_settings(), search_lift_min_proposals=3)
    monkeypatch.setattr(views, "get_settings", lambda: low)
    _, second = await two_slots()
    await proposals(WORDS, group(HAIRDRESSER), 3, 3, second)
    await make_user("admin", username="ada")
    await login(client, "ada")
    page = await client.get("/drift/sokningar/lyft", headers=HTML)
    row = re.search(r"<th scope=\"row\">lagerarbete</th>(.*?)</tr>", page.text, re.S)
    assert row and "<td>färre än 5</td>" in row.group(1) and "<td>3</td>" not in row.group(1)


async def test_a_coordinator_cannot_see_or_switch_the_lift(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    assert (await client.get("/drift/sokningar/lyft", headers=HTML)).status_code == 403
    assert (await client.get("/drift/sokningar", headers=HTML)).status_code == 403
    assert await lift.switch_on()


async def test_a_worker_rebuilds_its_index_once_re_indexed_slots_pile_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every booking's move re-indexes its slot; the dead rows that leaves are dropped by a
    rebuild in the background, after which the index answers as before."""
    from placements.services import bump_slot_change
    from search import services

    monkeypatch.setattr(services, "REBUILD_AFTER_DEAD", 3)
    first = await search_slot(title="Lagerarbetare")
    second = await search_slot(title="Kock till skolköket", host=None)
    search = slot_search()
    await search.rebuild()
    assert (len(search.index), search.index.dead_rows) == (2, 0)
    before = search.index
    for _ in range(3):
        await bump_slot_change(first)
        await search.catch_up()
    assert search.index is before and before.dead_rows == 3  # not more than the limit yet
    await bump_slot_change(first)
    await search.catch_up()
    task = search._rebuild_task
    assert task is not None
    await task
    assert search.index is not before
    assert (len(search.index), search.index.dead_rows) == (2, 0)
    found = await run_search(SearchQuery(q="kock"))
    assert [h.id for h in found.results] == [second]


async def test_a_stopping_worker_cancels_a_rebuild_in_the_background() -> None:
    await search_slot(title="Lagerarbetare")
    search = slot_search()
    before = search.index
    task = search.rebuild_in_background()
    await search.stop_rebuild()
    assert task.done() and search.index is before
    await search.stop_rebuild()  # nothing running: nothing to do


async def test_a_failed_rebuild_in_the_background_is_logged_and_the_index_kept(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio
    import contextlib

    from search import services

    search = slot_search()
    before = search.index

    async def broken(self: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.SlotSearch, "rebuild", broken)
    task = search.rebuild_in_background()
    with contextlib.suppress(RuntimeError):
        await task
    await asyncio.sleep(0)  # the done callback runs in the loop's next turn
    assert search.index is before
    assert any(
        r.message == "search index rebuild failed" and r.levelno == logging.ERROR
        for r in caplog.records
    )
