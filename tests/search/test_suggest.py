"""Occupation suggestions for hosts (issue 16, item 5): the ranking on cases written for the
test (never ad text), the JSON endpoint (guard, Swedish 4xx) and the slot form's "Föreslå
yrke" flow, with and without JavaScript."""

from __future__ import annotations

import copy
import os
import re
import threading
import time
from pathlib import Path

import pytest

from marketplace.app import create_app
from placements.tables import Slot
from search import disk_cache, suggest
from search.suggest import (
    MAX_DESCRIPTION,
    SuggestionModel,
    Weights,
    suggest_for_slot,
    suggestion_model,
)
from tests.builders import add_member, make_host
from tests.conftest import login

HTML = {"accept": "text/html"}
URL = "/api/v1/taxonomy/occupation-suggestions"


def labels(title: str, description: str = "") -> list[str]:
    return [s.label for s in suggest_for_slot(title, description)]


# Each case: what a host might write, and an occupation that must be among the three. The
# kinds: the occupation named in the title, an inflected or compound title, a title that only
# frames the work ("Praktik") with the work in the description, a place name in the title.
CASES = [
    (
        "Lagerarbetare",
        "Du plockar och packar varor och kör truck.",
        "Lagerarbetare/Terminalarbetare",
    ),
    ("Lagerjobb i Halmstad", "", "Lagerarbetare/Terminalarbetare"),
    ("Barnskötare", "Praktik på en förskola med barn 1–5 år.", "Barnskötare"),
    ("Städning", "Du städar kontor och trappuppgångar.", "Städare"),
    ("Receptionist på hotell", "Du tar emot gäster.", "Hotellreceptionist"),
    (
        "Undersköterska inom hemtjänsten",
        "Du hjälper äldre i deras hem.",
        "Undersköterska, hemtjänst, äldreboende och habilitering",
    ),
    ("Bilmekaniker", "Service och reparation av personbilar.", "Personbilsmekaniker"),
    ("Praktik", "Du tar hand om hästar i stallet, mockar och utfodrar.", "Hästskötare"),
    ("Praktik i köket", "Du hjälper kocken och diskar i vår restaurang.", "Köksbiträde"),
    ("Säljare i butik", "Du hjälper kunder i vår klädbutik.", "Butikssäljare, fackhandel"),
]


@pytest.mark.parametrize(("title", "description", "expected"), CASES)
def test_the_occupation_meant_is_among_the_three(title, description, expected):
    got = labels(title, description)
    assert len(got) == 3
    assert expected in got, got


def test_suggestions_carry_the_hosts_own_words_and_group():
    top = suggest_for_slot("Lagerarbetare", "Du plockar och packar varor.")[0]
    assert top.label == "Lagerarbetare/Terminalarbetare"
    assert top.ssyk and top.group_label
    assert "lagerarbetare" in top.words


def test_a_place_name_is_no_evidence():
    # "Halmstad" ends in "stad", which an unfolded "städ" must not meet; the town says nothing.
    assert labels("Halmstad") == []
    assert "Städare" not in labels("Ortoped till Halmstad")


def test_nothing_to_go_on_gives_no_suggestions_and_long_text_is_cut():
    assert labels("") == []
    assert labels("1234") == []
    assert labels("Praktik") == []  # a word that only frames the work
    assert len(labels("Lagerarbetare", "lager " * (MAX_DESCRIPTION))) == 3


def test_the_model_is_built_once():
    assert suggestion_model() is suggestion_model()


def test_threads_that_ask_at_once_share_one_build(monkeypatch: pytest.MonkeyPatch) -> None:
    # A served worker's warm-up thread and a host's first request may ask at the same time:
    # the second waits for the first's build instead of starting its own.
    model = suggestion_model()
    builds: list[int] = []
    started = threading.Event()

    def slow_build(*args: object, **kwargs: object) -> SuggestionModel:
        builds.append(1)
        started.set()
        time.sleep(0.2)
        return model

    monkeypatch.setattr(suggest, "_model", None)
    monkeypatch.setattr(disk_cache, "cached_build", slow_build)
    warm = suggest.warm_in_background()
    assert warm.daemon  # a stopping worker does not wait for it
    started.wait(5)
    results: list[SuggestionModel] = []
    askers = [threading.Thread(target=lambda: results.append(suggestion_model())) for _ in range(3)]
    for t in askers:
        t.start()
    for t in [warm, *askers]:
        t.join(5)
    assert builds == [1]
    assert results == [model, model, model]


async def test_a_served_worker_warms_the_model_as_it_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from marketplace.app import suggestion_model_hook

    warmed: list[int] = []
    monkeypatch.setattr(suggest, "warm_in_background", lambda: warmed.append(1))
    async with suggestion_model_hook(create_app()):
        assert warmed == [1]


def test_the_model_comes_from_the_private_disk_cache_and_suggests_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEARCH_CACHE_DIR", str(tmp_path / "cache"))
    path = disk_cache.cache_path("suggest", suggest._MODEL_INPUTS)
    assert path is not None
    # The builder is the process's own model (built once per process; building another would
    # cost seconds and test nothing more): what is checked is the trip through the disk.
    built = disk_cache.cached_build(
        "suggest", suggest._MODEL_INPUTS, suggestion_model, suggest._is_model
    )
    # The builder itself gets the saved copy too (a built copy lies among its garbage).
    assert built is not suggestion_model()
    assert os.path.exists(path)  # saved for the next process
    loaded = disk_cache.cached_build("suggest", suggest._MODEL_INPUTS, _never, suggest._is_model)
    assert loaded is not built
    text = ("Lagerarbetare", "Du plockar och packar varor och kör truck.")
    assert (
        loaded.suggest(*text, 3) == built.suggest(*text, 3) == suggestion_model().suggest(*text, 3)
    )
    # A model with other weights (as the benchmark's tuning makes) is not taken.
    other = copy.copy(built)
    other.weights = Weights(name=9.0)
    assert not suggest._is_model(other)


def _never() -> SuggestionModel:
    raise AssertionError("built again although the disk cache holds the model")


async def _host(client, make_user) -> int:
    user = await make_user("host", username="henrik")
    host = await make_host("Vårgårda Lager AB", "company")
    await add_member(user.id, host)
    await login(client, "henrik")
    return host


async def test_endpoint_answers_hosts_and_staff_only(client, make_user):
    body = {"title": "Lagerarbetare", "description": "Plocka och packa varor."}
    anonymous = await client.post(URL, json=body)
    assert anonymous.status_code == 401
    await make_user("analyst", username="anna")
    await login(client, "anna")
    assert (await client.post(URL, json=body)).status_code == 403
    for role, name in (("host", "henrik"), ("coordinator", "sara"), ("admin", "adam")):
        await make_user(role, username=name)
        await login(client, name)
        answer = await client.post(URL, json=body)
        assert answer.status_code == 200, (role, answer.text)
        got = answer.json()
        assert len(got) == 3
        assert got[0]["label"] == "Lagerarbetare/Terminalarbetare"
        assert set(got[0]) == {"id", "label", "ssyk", "group", "words"}


async def test_endpoint_refuses_bad_input_in_swedish(client, make_user):
    await make_user("host", username="henrik")
    await login(client, "henrik")
    empty = await client.post(URL, json={"title": " ", "description": "12 34"})
    assert empty.status_code == 400
    assert empty.json()["detail"].startswith("Skriv en rubrik eller en beskrivning")
    assert empty.json()["fields"] == ["title", "description"]
    too_long = await client.post(URL, json={"title": "x" * 201})
    assert too_long.status_code == 400
    assert "title" in too_long.json()["fields"]
    assert "högst 200 tecken" in too_long.json()["detail"]
    unknown = await client.post(URL, json={"title": "Kock", "rubrik": "Kock"})
    assert unknown.status_code == 400
    assert "finns inte här" in unknown.json()["detail"]
    wrong_type = await client.post(URL, json={"title": 5})
    assert wrong_type.status_code == 400
    assert wrong_type.json()["detail"].startswith("Ogiltiga uppgifter.")


def _token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def _radios(html: str) -> list[str]:
    return re.findall(r'name="occupation_id" value="([^"]*)"', html)


async def test_the_form_suggests_without_javascript_and_saves_nothing(client, make_user):
    host = await _host(client, make_user)
    client.headers.pop("x-csrftoken", None)  # a form sends its token as a field
    form = await client.get(f"/vard/platser/ny?host_id={host}", headers=HTML)
    assert "Föreslå yrke" in form.text
    fields = {
        "_csrf_token": _token(form.text),
        "host_id": str(host),
        "kind": "praktik",
        "title": "Lagerarbetare",
        "description": "Du plockar och packar varor och kör truck.",
        "capacity": "1",
    }
    shown = await client.post(
        "/vard/platser/ny", data={**fields, "foresla_yrke": "1"}, headers=HTML
    )
    assert shown.status_code == 200
    assert await Slot.count() == 0  # suggesting saves nothing
    assert "Förslag utifrån rubriken och beskrivningen" in shown.text
    suggested = [v for v in _radios(shown.text) if v]
    assert len(suggested) == 3
    lager = suggest_for_slot(fields["title"], fields["description"])[0].id
    assert suggested[0] == lager
    # What the host wrote is kept in the form.
    assert 'value="Lagerarbetare"' in shown.text
    assert "Du plockar och packar varor och kör truck." in shown.text
    # One click (the radio) and Spara: the slot is saved with the occupation.
    saved = await client.post(
        "/vard/platser/ny",
        data={**fields, "_csrf_token": _token(shown.text), "occupation_id": lager},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert await Slot.select(Slot.occupation_id).first() == {"occupation_id": lager}
    slot_id = saved.headers["location"].split("/")[-1].split("?")[0]
    # Editing: the same button on an existing slot, again without saving.
    edit = await client.get(f"/vard/platser/{slot_id}", headers=HTML)
    again = await client.post(
        f"/vard/platser/{slot_id}",
        data={
            **fields,
            "_csrf_token": _token(edit.text),
            "title": "Kock",
            "description": "Du lagar lunch i vårt storkök.",
            "occupation_id": lager,
            "foresla_yrke": "1",
        },
        headers=HTML,
    )
    assert again.status_code == 200
    assert lager in _radios(again.text)  # the chosen occupation stays chosen
    assert await Slot.select(Slot.title).first() == {"title": "Lagerarbetare"}


async def test_the_form_says_what_is_missing_in_swedish(client, make_user):
    host = await _host(client, make_user)
    client.headers.pop("x-csrftoken", None)
    form = await client.get(f"/vard/platser/ny?host_id={host}", headers=HTML)
    answer = await client.post(
        "/vard/platser/ny",
        data={
            "_csrf_token": _token(form.text),
            "host_id": str(host),
            "kind": "praktik",
            "title": "",
            "foresla_yrke": "1",
        },
        headers=HTML,
    )
    assert answer.status_code == 400
    assert "Skriv en rubrik eller en beskrivning" in answer.text
    assert await Slot.count() == 0


async def test_the_htmx_partial_lists_three_to_pick(client, make_user):
    host = await _host(client, make_user)
    form = await client.get(f"/vard/platser/ny?host_id={host}", headers=HTML)
    # htmx sends the page's token (its csrf-token meta) as a header, as app.js sets it up.
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', form.text)
    assert meta
    client.headers["x-csrftoken"] = meta.group(1)
    answer = await client.post(
        "/vard/yrkesforslag",
        data={"title": "Barnskötare", "description": "Förskola med små barn."},
        headers={**HTML, "hx-request": "true"},
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text  # the fieldset only
    assert 'id="occupation-choices"' in answer.text
    assert len([v for v in _radios(answer.text) if v]) == 3
    assert "Barnskötare" in answer.text
    nothing = await client.post("/vard/yrkesforslag", data={"title": ""}, headers=HTML)
    assert nothing.status_code == 200
    assert "Skriv en rubrik eller en beskrivning" in nothing.text
    assert [v for v in _radios(nothing.text) if v] == []
