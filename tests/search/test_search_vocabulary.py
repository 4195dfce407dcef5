"""Everyday words added in the back office: validation, the API, the page, and every worker."""

from __future__ import annotations

import re
from typing import Any

from marketplace.kernel.tables import AuditEntry
from search import vocabulary
from search.tables import EverydayWord
from tests.conftest import login

HTML = {"accept": "text/html"}
API = "/api/v1/search/everyday-words"
# Not a built-in everyday word and no vocabulary word: before it is added, it finds nothing.
WORD = "bullbod"


def form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def publish_slot(client: Any, title: str) -> int:
    """A published slot of a new host, made through the API by the signed-in admin."""
    host = await client.post(
        "/api/v1/hosts", json={"name": "Kafé Solsidan", "kind": "company", "town": "Vårgårda"}
    )
    assert host.status_code == 201, host.text
    host_id = host.json()["id"]
    contact = await client.post(
        f"/api/v1/hosts/{host_id}/contacts", json={"name": "Hanna Handledare"}
    )
    assert contact.status_code == 201, contact.text
    created = await client.post(
        "/api/v1/slots",
        json={
            "host_id": host_id,
            "kind": "praktik",
            "title": title,
            "town": "Vårgårda",
            "capacity": 1,
            "occupation_id": "DLEi_bTh_oLA",
            "supervisor_id": contact.json()["id"],
        },
    )
    assert created.status_code == 201, created.text
    slot_id = int(created.json()["id"])
    assert (await client.post(f"/api/v1/slots/{slot_id}/publish")).status_code == 200
    return slot_id


async def test_an_added_word_reaches_every_worker_at_its_next_search(make_client, make_user):
    await make_user("admin", username="ada")
    worker_a, worker_b = await make_client(), await make_client()
    await login(worker_a, "ada")
    slot_id = await publish_slot(worker_a, "Kafébiträde")

    def ids(answer: Any) -> list[int]:
        assert answer.status_code == 200, answer.text
        return [r["id"] for r in answer.json()["results"]]

    search = "/api/v1/slots/search"
    assert ids(await worker_b.get(search, params={"q": WORD})) == []
    added = await worker_a.post(API, json={"word": "Bullbod", "targets": ["kafébiträde"]})
    assert added.status_code == 201, added.text
    assert added.json()["word"] == WORD
    # Worker B's index was built before the word existed; its next search uses it, and says why.
    found = await worker_b.get(search, params={"q": WORD})
    assert ids(found) == [slot_id]
    assert found.json()["results"][0]["why"]
    # An inflected form, typed on worker A, finds it too.
    assert ids(await worker_a.get(search, params={"q": "bullboden"})) == [slot_id]

    removed = await worker_a.delete(f"{API}/{WORD}")
    assert removed.status_code == 204, removed.text
    assert ids(await worker_b.get(search, params={"q": WORD})) == []
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action)]
    assert actions.count("everyday_word.add") == 1
    assert actions.count("everyday_word.remove") == 1


async def test_unusable_words_get_a_reason_and_change_nothing(client, make_user):
    await make_user("admin", username="ada")
    await login(client, "ada")

    async def refused(body: dict[str, Any], status: int, text: str, field: str) -> None:
        answer = await client.post(API, json=body)
        assert answer.status_code == status, answer.text
        assert text in answer.text
        assert field in answer.text

    await refused({"word": "12 ab", "targets": ["städare"]}, 400, "2–40 bokstäver", "word")
    await refused({"word": "x", "targets": ["städare"]}, 400, "2–40 bokstäver", "word")
    await refused({"word": WORD, "targets": []}, 400, "1–6 ord", "targets")
    await refused(
        {"word": WORD, "targets": ["städare"] * 7 + list("abcdefg")}, 400, "1–6", "targets"
    )
    await refused(
        {"word": WORD, "targets": ["städare", "blomsterkrukeputsare"]},
        400,
        "”blomsterkrukeputsare” används inte i yrkestaxonomin",
        "targets",
    )
    await refused({"word": "dagis", "targets": ["barnskötare"]}, 409, "inbyggda", "word")
    await refused({"word": WORD, "targets": "städare"}, 400, "targets", "targets")
    assert await EverydayWord.count() == 0

    ok = await client.post(API, json={"word": WORD, "targets": ["kafébiträde", "barista"]})
    assert ok.status_code == 201, ok.text
    await refused({"word": "BULLBOD", "targets": ["städare"]}, 409, "redan tillagt", "word")
    missing = await client.delete(f"{API}/okantord")
    assert missing.status_code == 404
    assert "Inget tillagt vardagsord" in missing.text

    listed = (await client.get(API)).json()
    assert [(w["word"], w["targets"], w["built_in"]) for w in listed["added"]] == [
        (WORD, ["kafébiträde", "barista"], False)
    ]
    assert len(listed["built_in"]) >= 100
    assert all(w["built_in"] for w in listed["built_in"])


async def test_the_page_adds_keeps_what_was_typed_and_asks_before_removing(client, make_user):
    await make_user("admin", username="ada")
    await login(client, "ada")
    client.headers.pop("x-csrftoken", None)
    page = await client.get("/drift/vardagsord", headers=HTML)
    assert page.status_code == 200
    assert "Vardagsord i sökningen" in page.text
    assert "Inga ord har lagts till ännu." in page.text
    assert "dagis" in page.text  # the built-in words are listed
    assert "search/data" not in page.text and ".tsv" not in page.text  # no file of the code
    token = form_token(page.text)

    wrong = await client.post(
        "/drift/vardagsord",
        data={"word": WORD, "targets": "kafébiträde fikaproffs", "_csrf_token": token},
        headers=HTML,
    )
    assert wrong.status_code == 400
    assert "”fikaproffs” används inte i yrkestaxonomin" in wrong.text
    assert f'value="{WORD}"' in wrong.text  # nothing typed is lost
    assert 'value="kafébiträde fikaproffs"' in wrong.text
    assert await EverydayWord.count() == 0

    added = await client.post(
        "/drift/vardagsord",
        data={"word": WORD, "targets": "kafébiträde", "_csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    shown = await client.get(added.headers["location"], headers=HTML)
    assert f"Ordet ”{WORD}” är tillagt." in shown.text
    assert f'href="/drift/vardagsord/{WORD}/ta-bort"' in shown.text

    confirm = await client.get(f"/drift/vardagsord/{WORD}/ta-bort", headers=HTML)
    assert confirm.status_code == 200
    assert "står i dag för: kafébiträde" in confirm.text
    refused = await client.post(
        f"/drift/vardagsord/{WORD}/ta-bort",
        data={"_csrf_token": form_token(confirm.text)},
        headers=HTML,
    )
    assert refused.status_code == 400
    assert "Kryssa i rutan för att bekräfta" in refused.text
    assert await EverydayWord.count() == 1
    removed = await client.post(
        f"/drift/vardagsord/{WORD}/ta-bort",
        data={"confirm": "1", "_csrf_token": form_token(confirm.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert await EverydayWord.count() == 0
    assert "är borttaget" in (await client.get(removed.headers["location"], headers=HTML)).text
    gone = await client.get(f"/drift/vardagsord/{WORD}/ta-bort", headers=HTML)
    assert gone.status_code == 404


async def test_a_coordinator_cannot_teach_the_search(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await client.post(API, json={"word": WORD, "targets": ["kafébiträde"]})
    assert answer.status_code == 403
    assert (await client.get("/drift/vardagsord", headers=HTML)).status_code == 403
    assert await vocabulary.added_words() == {}
