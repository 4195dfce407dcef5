"""Page forms refuse invisible control characters, as the JSON API does. From an attack
(2026): a slot's title posted from the host's form with a right-to-left override (U+202E), a
participant's name with a NUL and a description with a terminal's colour codes (ESC) were
stored as typed, and reached the search, the exports and the audit log; only JSON bodies were
refused. Now every page form refuses them at the field, with the form's other messages, and
comes back with the text typed, the characters taken out and said where they were. Tabs and
line breaks in a text of several lines stay allowed, as in JSON.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import re
from html import unescape

from placements.tables import Candidate, Slot
from tests.builders import make_host, make_host_user
from tests.placements.test_attacks_signatures import csrf_of, login
from tests.placements.test_candidate_pages import register
from tests.test_form_errors import field_errors_on, summary_on

HTML = {"accept": "text/html"}


def box(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*id="f-{name}"[^>]*>', html)
    assert found, f"no box {name}"
    return unescape(found.group(0))


def area(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*id="f-{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, f"no text area {name}"
    return unescape(found.group(1))


async def test_the_slot_form_refuses_them_at_each_field_with_its_other_messages(client):
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    form = await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)
    typed = {
        "kind": "praktik",
        "title": "Lager\u202earbete",
        "description": "Uppgifter på lagret:\n\t– packa\x1b[31m\n\t– plocka\x1b[0m",
        "town": "Vårgårda",
        "capacity": "0",
    }
    refused = await client.post(
        "/vard/platser/ny",
        data={"_csrf_token": csrf_of(form.text), "host_id": str(host_id), **typed},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    errors = field_errors_on(refused.text)
    assert errors["title"] == (
        "Rubrik: texten innehöll ett osynligt styrtecken (ett tecken som styr "
        "skrivriktningen, U+202E) efter ”Lager”. Det är borttaget ur fältet; läs igenom "
        "texten och försök igen."
    )
    assert errors["description"] == (
        "Beskrivning: texten innehöll 2 osynliga styrtecken, det första (ett escape-tecken, "
        "U+001B) efter ”…på lagret: – packa”. De är borttagna ur fältet; läs igenom texten och "
        "försök igen."
    )
    assert "capacity" in errors  # every message at once
    assert summary_on(refused.text) == [errors["title"], errors["description"], errors["capacity"]]
    # What was typed comes back, without the invisible characters; nothing is saved.
    assert 'value="Lagerarbete"' in box(refused.text, "title")
    assert area(refused.text, "description") == (
        "Uppgifter på lagret:\n\t– packa[31m\n\t– plocka[0m"
    )
    assert 'value="Vårgårda"' in box(refused.text, "town")
    assert "\x1b" not in refused.text and "\u202e" not in refused.text
    assert await Slot.count() == 0
    # Line breaks and tabs are text: sent again as shown (mended), the slot is saved.
    saved = await client.post(
        "/vard/platser/ny",
        data={
            "_csrf_token": csrf_of(refused.text),
            "host_id": str(host_id),
            **typed,
            "title": "Lagerarbete",
            "description": "Uppgifter:\n\t– packa\n\t– plocka",
            "capacity": "2",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    row = await Slot.select(Slot.title, Slot.description).first()
    assert row == {"title": "Lagerarbete", "description": "Uppgifter:\n\t– packa\n\t– plocka"}


async def test_the_participant_form_refuses_them_in_names_and_an_adaptations_row(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    refused = await register(
        client,
        first_name="\x00Amina",
        last_name="Deltagare\u2066",
        personnummer="19850101-0007",  # a wrong check digit, said at the same time
        interests="Lager\x9b och logistik",
        **{"adaptations-1-text": "Behöver lugn\x85 miljö"},
    )
    assert refused.status_code == 400
    errors = field_errors_on(refused.text)
    assert errors["first_name"] == (
        "Förnamn: texten innehöll ett osynligt styrtecken (ett nolltecken, U+0000) först i "
        "texten. Det är borttaget ur fältet; läs igenom texten och försök igen."
    )
    assert errors["last_name"].startswith(
        "Efternamn: texten innehöll ett osynligt styrtecken (ett tecken som styr "
        "skrivriktningen, U+2066) efter ”Deltagare”."
    )
    assert errors["interests"].startswith(
        "Intressen: texten innehöll ett osynligt styrtecken (ett styrtecken, U+009B) efter ”Lager”."
    )
    # The adaptation's row is read by the profile's own parse, not the form helper's fields.
    assert errors["adaptations-1-text"].startswith(
        "Anpassning 2: texten innehöll ett osynligt styrtecken (ett styrtecken, U+0085) "
        "efter ”Behöver lugn”."
    )
    assert "kontrollsiffra" in errors["personnummer"]
    assert len(summary_on(refused.text)) == 5
    assert 'value="Amina"' in box(refused.text, "first_name")
    assert 'value="Deltagare"' in box(refused.text, "last_name")
    assert 'value="Behöver lugn miljö"' in box(refused.text, "adaptations-1-text")
    assert area(refused.text, "interests") == "Lager och logistik"
    assert await Candidate.count() == 0
    # A text of several lines keeps its line breaks and tabs.
    saved = await register(client, interests="Lager\n\tlogistik", experience="Truck\r\nKassa")
    assert saved.status_code == 303, saved.text
    row = await Candidate.select(Candidate.interests, Candidate.adaptations).first()
    assert row is not None
    assert row["interests"] == "Lager\n\tlogistik"
    assert json.loads(row["adaptations"])[1]["text"] == "Behöver lugn miljö"
