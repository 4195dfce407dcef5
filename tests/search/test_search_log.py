"""The search log: what a slot search keeps (words, hits, what it led to, a keyed searcher),
what it never keeps (names, personnummer, e-mail, phone numbers, user ids), its retention,
and the admin page that lists searches that found nothing or led nowhere."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
from typing import Any

from marketplace.kernel.settings import get_settings, load_settings
from marketplace.kernel.tables import AuditEntry
from marketplace.reference import taxonomy
from marketplace.scheduler import job_specs, run_job
from placements.services import bump_slot_change, bump_slot_changes
from placements.tables import Slot
from search import usage
from search.tables import EverydayWord, SearchEvent, SearchLog
from tests import builders
from tests.conftest import login
from tests.placements import bookingdata as bd

HTML = {"accept": "text/html"}
PNR = "19850101-0006"
BARISTA = "h6oZ_9aZ_27G"


async def browser_login(client: Any, username: str) -> None:
    """Sign in, then act as a browser: forms carry the page's CSRF field, not the API header."""
    await login(client, username)
    client.headers.pop("x-csrftoken", None)


async def post_form(client: Any, url: str, data: dict[str, str], **kw: Any) -> Any:
    """Post a form as a browser does, with the CSRF field of a page the user can see."""
    home = await client.get("/", headers=HTML)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', home.text)
    if token is None:
        home = await client.get("/drift/sokningar", headers=HTML)
        token = re.search(r'name="_csrf_token" value="([^"]+)"', home.text)
    if token is None:
        home = await client.get("/arbetsbord", headers=HTML)
        token = re.search(r'name="_csrf_token" value="([^"]+)"', home.text)
    assert token, "no page with a CSRF field"
    return await client.post(url, data={**data, "_csrf_token": token.group(1)}, headers=HTML, **kw)


def refs_in(html: str) -> set[str]:
    return set(re.findall(r"sokning=([A-Za-z0-9_-]{16})", html))


async def rows() -> list[dict[str, Any]]:
    return await SearchLog.select().order_by(SearchLog.id)


async def test_query_words_drop_numbers_addresses_and_phone_numbers():
    q = f"Lager {PNR} anna.berg@example.se 070-123 45 67 +46701234567 truck 19850101 B-körkort"
    assert usage.query_words(q) == ["lager", "truck", "b", "körkort"]
    assert usage.query_words("  LAGER,  lager! ") == ["lager"]
    assert usage.query_words("0701234567") == []


async def test_participant_names_are_never_logged(client, make_user):
    w = await bd.make_world()
    # Two participants: "Åsa Berg-Lund" and "Lagerqvist" must not make "lager" a name.
    await builders.make_candidate(w.coordinator, "Åsa")
    from placements.tables import Candidate

    await Candidate.update({Candidate.last_name: "Berg-Lund"}).where(Candidate.first_name == "Åsa")
    await builders.make_candidate(w.coordinator, "Sven")
    await Candidate.update({Candidate.last_name: "Lagerqvist"}).where(
        Candidate.first_name == "Sven"
    )
    assert await usage.clean_words("asa lund LAGER Aida truck") == ["lager", "truck"]

    await login(client, w.coordinator.username)
    answer = await client.get(
        "/arbetsbord/platser",
        params={"q": f"Åsa Berg lager {PNR} asa@example.se 0701234567"},
        headers=HTML,
    )
    assert answer.status_code == 200, answer.text
    (row,) = await rows()
    assert row["words"] == "lager"
    # The searcher is a keyed hash: neither the user id nor the user name, and stable.
    secret = get_settings().secret_key.encode()
    expected = hmac.new(
        secret, f"search-log\0{w.coordinator.id}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    assert row["searcher"] == expected
    stored = " ".join(str(v) for v in row.values()).casefold()
    for secret_text in ("åsa", "asa", "berg", "aida", "andersson", PNR, "@", "0701234567"):
        assert secret_text not in stored
    assert w.coordinator.username not in stored
    # A query made only of a name and numbers leaves nothing, so nothing is written.
    await client.get("/arbetsbord/platser", params={"q": "Åsa Berg-Lund 070-1234567"}, headers=HTML)
    assert len(await rows()) == 1


async def test_people_search_and_the_api_are_never_logged(client):
    w = await bd.make_world()
    await browser_login(client, w.coordinator.username)
    found = await post_form(
        client, "/arbetsbord/deltagare/sok", {"q": "Aida lager"}, follow_redirects=True
    )
    assert found.status_code == 200, found.text
    assert (await client.get("/api/v1/slots/search", params={"q": "lager"})).status_code == 200
    assert await rows() == []


async def test_a_search_notes_what_it_led_to(client, make_client):
    w = await bd.make_world()
    await Slot.update({Slot.occupation_id: BARISTA}).where(Slot.id == w.slot_id)
    await bump_slot_change(w.slot_id)
    await browser_login(client, w.coordinator.username)

    first = await client.get("/arbetsbord/platser", params={"q": "lagerarbetare"}, headers=HTML)
    assert first.status_code == 200
    (ref,) = refs_in(first.text)
    (row,) = await rows()
    assert row["reference"] == ref and row["words"] == "lagerarbetare" and row["hits"] == 1
    assert row["filtered"] is False or row["filtered"] == 0

    # The hit's page notes the open, once, and carries the reference to the propose form.
    for _ in range(2):
        opened = await client.get(f"/platser/{w.slot_id}", params={"sokning": ref}, headers=HTML)
        assert opened.status_code == 200
        assert f"foresla?sokning={ref}" in opened.text
    form = await client.get(
        f"/arbetsbord/platser/{w.slot_id}/foresla", params={"sokning": ref}, headers=HTML
    )
    assert f'name="sokning" value="{ref}"' in form.text
    proposed = await post_form(
        client,
        f"/arbetsbord/platser/{w.slot_id}/foresla",
        {"candidate_id": str(w.candidate_id), "sokning": ref},
        follow_redirects=False,
    )
    assert proposed.status_code == 303, proposed.text
    events = await SearchEvent.select().order_by(SearchEvent.id)
    assert [(e["search"], e["kind"], e["slot_id"]) for e in events] == [
        (row["id"], "open", w.slot_id),
        (row["id"], "propose", w.slot_id),
    ]
    group = taxonomy.occupation(BARISTA)
    assert group is not None and events[1]["group_id"] == group.group_id

    # Someone else with the same link adds nothing; a visitor's open of a staff search neither.
    other = await make_client()
    await login(other, (await builders.make_user("coordinator")).username)
    assert (await other.get(f"/platser/{w.slot_id}", params={"sokning": ref})).status_code == 200
    assert len(await SearchEvent.select()) == 2
    assert not await usage.record_event(ref, "open", w.slot_id, None)
    # A reference older than LINK_HOURS is no longer tied to anything.
    late = dt.datetime.now(dt.UTC) + dt.timedelta(hours=usage.LINK_HOURS + 1)
    assert not await usage.record_event(ref, "open", w.slot_id + 1, w.coordinator, now=late)
    # Made-up references are ignored.
    assert not await usage.record_event("x" * 16, "open", w.slot_id, w.coordinator)
    assert (await client.get(f"/platser/{w.slot_id}?sokning=%27%3B--")).status_code == 200


async def test_later_pages_keep_the_search_and_filters_are_noted(client):
    w = await bd.make_world()
    more = [
        await builders.make_slot(w.host_id, w.supervisor_id, title=f"Lagerarbetare {n}")
        for n in range(12)
    ]
    await bump_slot_changes([w.slot_id, *more])
    first = await client.get("/platser", params={"q": "lager", "kind": "praktik"}, headers=HTML)
    (ref,) = refs_in(first.text)
    assert f"sokning={ref}&amp;sida=2" in first.text
    second = await client.get(
        "/platser", params={"q": "lager", "kind": "praktik", "sida": 2, "sokning": ref}
    )
    assert refs_in(second.text) == {ref}
    (row,) = await rows()
    assert row["hits"] == 13 and row["searcher"] == ""
    assert row["filtered"] in (True, 1)
    # An htmx request (a filter changed) is a new search.
    await client.get("/platser", params={"q": "lager"}, headers={"hx-request": "true"})
    assert len(await rows()) == 2


async def test_retention_deletes_old_searches_and_what_they_led_to():
    assert "prune-search-log" in job_specs()
    assert load_settings({"SEARCH_LOG_DAYS": "30"}).search_log_days == 30
    assert get_settings().search_log_days == 180
    now = dt.datetime(2031, 6, 1, 12, tzinfo=dt.UTC)
    for ref, days in (
        ("old0000000000000", 181),
        ("edge000000000000", 179),
        ("new0000000000000", 1),
    ):
        await SearchLog.insert(
            SearchLog(
                reference=ref, words="lager", hits=2, created_at=now - dt.timedelta(days=days)
            )
        )
    old = await SearchLog.select(SearchLog.id).where(SearchLog.reference == "old0000000000000")
    await SearchEvent.insert(SearchEvent(search=old[0]["id"], kind="open", slot_id=1))
    settings = get_settings()
    run = await run_job("prune-search-log", now=now, settings=settings)
    assert run.outcome == "ok" and run.counts == {"deleted": 1}
    assert sorted(r["reference"] for r in await rows()) == ["edge000000000000", "new0000000000000"]
    assert await SearchEvent.select() == []
    # Idempotent, and a shorter period deletes more.
    short = dataclasses.replace(settings, search_log_days=30)
    assert (await run_job("prune-search-log", now=now, settings=short)).counts == {"deleted": 1}
    assert (await run_job("prune-search-log", now=now, settings=short)).counts == {"deleted": 0}


async def log_search(words: str, hits: int, *, led_to: bool = False, days: int = 0) -> None:
    ref = usage.new_ref()
    await SearchLog.insert(
        SearchLog(
            reference=ref,
            words=words,
            hits=hits,
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days),
        )
    )
    if led_to:
        row = await SearchLog.select(SearchLog.id).where(SearchLog.reference == ref).first()
        assert row is not None
        await SearchEvent.insert(SearchEvent(search=row["id"], kind="open", slot_id=1))


def table_words(html: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)</th>', html)


async def test_admin_page_lists_misses_grouped_sorted_and_paged(client, make_user):
    await make_user("admin", username="ada")
    await login(client, "ada")
    for _ in range(3):
        await log_search("fikabröd", 0)
    await log_search("hunddagis", 0, days=5)
    await log_search("hunddagis", 4)
    await log_search("lager", 7, led_to=True)  # led somewhere: never listed
    await log_search("lager", 7, led_to=True)
    await log_search("kassa", 3, days=2)  # found something, led nowhere

    page = await client.get("/drift/sokningar", headers=HTML)
    assert page.status_code == 200
    assert "Sökningar utan träff" in page.text and 'href="/drift/sokningar"' in page.text
    assert table_words(page.text) == ["fikabröd", "hunddagis", "kassa"]
    empty = await client.get("/drift/sokningar", params={"visa": "tomma"}, headers=HTML)
    assert table_words(empty.text) == ["fikabröd", "hunddagis"]
    nowhere = await client.get("/drift/sokningar", params={"visa": "ingenstans"}, headers=HTML)
    assert table_words(nowhere.text) == ["hunddagis", "kassa"]
    by_word = await client.get("/drift/sokningar", params={"ordning": "ord"}, headers=HTML)
    assert table_words(by_word.text) == ["fikabröd", "hunddagis", "kassa"]
    latest = await client.get("/drift/sokningar", params={"ordning": "senast"}, headers=HTML)
    assert table_words(latest.text)[-1] == "kassa"
    # Unknown choices fall back to the defaults; the page never shows an internal name.
    odd = await client.get("/drift/sokningar", params={"visa": "x", "ordning": "y"}, headers=HTML)
    assert odd.status_code == 200 and "missed_searches" not in odd.text
    assert (
        "Sorteringen i sidans adress finns inte längre, så listan visas i ordningen "
        "\u201dFlest sökningar\u201d. Välj en annan ordning i rutan."
    ) in odd.text
    assert "f-ordning-hint" not in latest.text

    page_data = await usage.missed_searches("alla", "antal", 2, 2)
    assert page_data.total == 3
    assert [(r.words, r.searches, r.empty, r.nowhere) for r in page_data.rows] == [
        ("kassa", 1, 0, 1)
    ]
    first = await usage.missed_searches("alla", "antal", 2, 0)
    assert [(r.words, r.searches, r.empty, r.nowhere) for r in first.rows] == [
        ("fikabröd", 3, 3, 0),
        ("hunddagis", 2, 1, 1),
    ]
    for n in range(30):
        await log_search(f"ord{chr(97 + n % 26)}{chr(97 + n // 26)}", 0)
    paged = await client.get("/drift/sokningar", params={"sida": 2}, headers=HTML)
    assert "Sida 2 av 2" in paged.text and len(table_words(paged.text)) == 8


async def test_teaching_a_word_from_the_page_is_one_audited_step(client, make_user):
    await make_user("admin", username="ada")
    await browser_login(client, "ada")
    w = await bd.make_world()
    await Slot.update({Slot.title: "Kafébiträde"}).where(Slot.id == w.slot_id)
    await bump_slot_change(w.slot_id)
    await log_search("fikajobb", 0)
    page = await client.get("/drift/sokningar", headers=HTML)
    assert 'value="fikajobb"' in page.text  # the word is offered, ready to teach

    wrong = await post_form(
        client,
        "/drift/sokningar/lar",
        {"word": "fikajobb", "targets": "blärgh", "words": "fikajobb", "visa": "tomma"},
    )
    assert wrong.status_code == 400
    assert "används inte i yrkestaxonomin" in wrong.text
    assert 'value="blärgh"' in wrong.text and "<details open" in wrong.text
    assert await EverydayWord.select() == []

    taught = await post_form(
        client,
        "/drift/sokningar/lar",
        {"word": "Fikajobb", "targets": "kafébiträde", "words": "fikajobb", "visa": "tomma"},
        follow_redirects=False,
    )
    assert taught.status_code == 303
    assert taught.headers["location"].startswith("/drift/sokningar?visa=tomma")
    (word,) = await EverydayWord.select()
    assert word["word"] == "fikajobb" and word["targets"] == "kafébiträde"
    (audit,) = await AuditEntry.select().where(AuditEntry.action == "everyday_word.add")
    assert "sökloggen" in audit["detail"]
    found = await client.get("/api/v1/slots/search", params={"q": "fikajobb"})
    assert [r["id"] for r in found.json()["results"]] == [w.slot_id]

    # The list shows the word as taught, with the way to take it back, which asks first.
    again = await client.get("/drift/sokningar", headers=HTML)
    assert "”fikajobb” är inlärt" in again.text
    assert 'href="/drift/vardagsord/fikajobb/ta-bort"' in again.text
    unconfirmed = await post_form(client, "/drift/vardagsord/fikajobb/ta-bort", {})
    assert unconfirmed.status_code == 400
    assert len(await EverydayWord.select()) == 1
    removed = await post_form(
        client, "/drift/vardagsord/fikajobb/ta-bort", {"confirm": "1"}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert await EverydayWord.select() == []
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action)]
    assert actions.count("everyday_word.remove") == 1


def _row_of(html: str, words: str) -> str:
    """The table row of a logged search's words."""
    start = html.index(f'<th scope="row">{words}</th>')
    return html[start : html.index("</tr>", start)]


async def test_a_word_the_search_already_knows_is_shown_with_its_meaning_not_offered(
    client, make_user
):
    await make_user("admin", username="ada")
    await browser_login(client, "ada")
    for words in ("hunddagis", "lager", "b bilverkstad", "blippblopp", "hunddagis blippblopp"):
        await log_search(words, 0)
    page = await client.get("/drift/sokningar", headers=HTML)
    # A built-in everyday word says what it stands for; nothing to teach.
    hunddagis = _row_of(page.text, "hunddagis")
    assert "”hunddagis” känner sökningen redan som vardagsord: det står för djurvårdare" in (
        hunddagis
    )
    assert "Lär sökningen ett ord" not in hunddagis and 'name="word"' not in hunddagis
    assert "ändrar inget här" in hunddagis
    # A word of the taxonomy itself is found as it stands.
    lager = _row_of(page.text, "lager")
    assert "”lager” är ett ord i yrkestaxonomin" in lager and 'name="word"' not in lager
    # A single letter is no word to teach; the everyday word beside it is known.
    workshop = _row_of(page.text, "b bilverkstad")
    assert "står för personbilsmekaniker" in workshop and 'name="word"' not in workshop
    # An unknown word is offered, also beside a known one.
    assert 'value="blippblopp"' in _row_of(page.text, "blippblopp")
    both = _row_of(page.text, "hunddagis blippblopp")
    assert "står för djurvårdare" in both and 'value="blippblopp"' in both


async def test_the_teach_form_tells_every_problem_at_once(client, make_user):
    await make_user("admin", username="ada")
    await browser_login(client, "ada")
    await log_search("hunddagis", 0)
    sent = {"words": "hunddagis", "visa": "alla"}
    # A built-in word and a target outside the taxonomy: both in one answer, each at its field.
    wrong = await post_form(
        client, "/drift/sokningar/lar", {**sent, "word": "hunddagis", "targets": "qwertyx"}
    )
    assert wrong.status_code == 400
    shown = dict(re.findall(r'<span class="error" id="f-(\w+)-error">([^<]*)</span>', wrong.text))
    assert "inbyggda vardagsorden och står för djurvårdare" in shown["word"]
    assert "”qwertyx” används inte i yrkestaxonomin" in shown["targets"]
    assert 'value="qwertyx"' in wrong.text  # nothing typed is lost
    # Only the built-in word wrong: a 409 that says what the word already means.
    built_in = await post_form(
        client, "/drift/sokningar/lar", {**sent, "word": "Hunddagis", "targets": "djurvårdare"}
    )
    assert built_in.status_code == 409
    assert "står för djurvårdare. Sökningen använder det redan." in built_in.text
    assert await EverydayWord.select() == []
