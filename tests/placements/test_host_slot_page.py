"""The host's slot page, from a host's day (December 2026): publishing a draft that lacks a
capacity, a town, an occupation and a supervisor listed all four as one paragraph at the top,
linked to nothing and marking no field. Each is now said at its field and linked from the
summary, as the form's own errors are.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from employers.tables import Contact
from marketplace.kernel import clock
from marketplace.reference import taxonomy
from placements import slot_rules
from placements.services import bump_slot_change, seats_taken
from placements.tables import Slot
from placements.views.host import skill_suggestions
from tests.builders import (
    add_member,
    make_booking,
    make_candidate,
    make_contact,
    make_host,
    make_host_user,
    make_slot,
    make_user,
)
from tests.conftest import login as api_login
from tests.placements.bookingdata import make_world, to_active
from tests.placements.test_attacks_signatures import csrf_of, login

HTML = {"accept": "text/html"}


async def test_publishing_an_incomplete_draft_marks_each_missing_field(client):
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    slot_id = await make_slot(host_id, None, capacity=0, town="", status="draft")
    await login(client, user.username)
    url = f"/vard/platser/{slot_id}"
    shown = await client.get(url, headers=HTML)
    refused = await client.post(
        f"{url}/publicera",
        data={"_csrf_token": csrf_of(shown.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    for field in ("capacity", "town", "occupation_id", "supervisor_id"):
        assert f'id="f-{field}-error"' in refused.text, field
        assert f'href="#f-{field}"' in refused.text, field
        assert f'id="f-{field}"' in refused.text, field  # the link has a target
    assert "Ange på vilken ort platsen finns innan du publicerar." in refused.text
    # The supervisors are added on the organisation's page, which the slot page links to.
    assert "Kontaktpersoner och handledare på organisationens sida" in refused.text
    assert f'href="/vard/organisation/{host_id}#kontakter"' in refused.text
    row = await Slot.select(Slot.status).where(Slot.id == slot_id).first()
    assert row == {"status": "draft"}


async def test_the_json_api_names_each_missing_field_with_its_own_message(client):
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    slot_id = await make_slot(host_id, None, capacity=1, town="", status="draft")
    await api_login(client, user.username)
    answer = await client.post(f"/api/v1/slots/{slot_id}/publish")
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert set(errors) == {"town", "occupation_id", "supervisor_id"}
    assert errors["town"] == "Ange på vilken ort platsen finns innan du publicerar."


async def test_the_slot_form_refuses_0_places_in_the_words_the_api_and_the_import_use(client):
    """A draft was saved with 0 places from the form; now the form says what the API and the
    import say, at the field, and saves nothing."""
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    form = await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)
    assert form.status_code == 200
    typed = {"kind": "praktik", "title": "Trädgårdsarbetare", "capacity": "0"}
    refused = await client.post(
        "/vard/platser/ny",
        data={"_csrf_token": csrf_of(form.text), "host_id": str(host_id), **typed},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert 'id="f-capacity-error"' in refused.text
    assert slot_rules.CAPACITY_PROBLEM in refused.text
    assert await Slot.count() == 0
    # Editing a draft to 0 places is refused alike, and the draft keeps its capacity.
    slot_id = await make_slot(host_id, None, capacity=2, status="draft")
    url = f"/vard/platser/{slot_id}"
    shown = await client.get(url, headers=HTML)
    edited = await client.post(
        url,
        data={"_csrf_token": csrf_of(shown.text), **typed, "capacity": "-3", "town": "Vårgårda"},
        headers=HTML,
        follow_redirects=False,
    )
    assert edited.status_code == 400
    assert slot_rules.CAPACITY_PROBLEM in edited.text
    row = await Slot.select(Slot.capacity).where(Slot.id == slot_id).first()
    assert row == {"capacity": 2}


async def test_the_slot_form_says_a_passed_end_date_with_its_other_errors_and_keeps_a_stored_one(
    client,
):
    """A host saved a draft ending 2025-06-30 (the year mistyped) and learnt only at
    "Publicera" that it could never be published. The form now says it at the field with the
    form's other mistakes; a slot whose stored period has ended keeps it while its text is
    edited."""
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    form = await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)
    typed = {"kind": "praktik", "title": "", "capacity": "1", "end_date": "2025-06-30"}
    refused = await client.post(
        "/vard/platser/ny",
        data={"_csrf_token": csrf_of(form.text), "host_id": str(host_id), **typed},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    for field in ("title", "end_date"):
        assert f'id="f-{field}-error"' in refused.text, field
    assert "Slutdatum 2025-06-30 har redan passerat." in unescape(refused.text)
    assert await Slot.count() == 0

    ended = dt.date(2025, 6, 30)
    slot_id = await make_slot(host_id, None, status="draft", start=dt.date(2025, 1, 7), end=ended)
    url = f"/vard/platser/{slot_id}"
    shown = await client.get(url, headers=HTML)
    stored = {"start_date": "2025-01-07", "end_date": "2025-06-30", "town": "Vårgårda"}
    saved = await client.post(
        url,
        data={"_csrf_token": csrf_of(shown.text), **typed, **stored, "title": "Trädgårdsarbetare"},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    row = await Slot.select(Slot.title, Slot.end_date).where(Slot.id == slot_id).first()
    assert row == {"title": "Trädgårdsarbetare", "end_date": ended}
    moved = await client.post(
        url,
        data={"_csrf_token": csrf_of(shown.text), **typed, **stored, "end_date": "2025-07-31"},
        headers=HTML,
        follow_redirects=False,
    )
    assert moved.status_code == 400
    assert 'id="f-title-error"' in moved.text  # with the form's other mistake
    assert "Slutdatum 2025-07-31 har redan passerat." in unescape(moved.text)


async def test_the_form_saves_a_published_slot_whose_supervisor_has_left(client):
    """The host's day: after the supervisor was ended, saving the slot's form with only the
    places changed said "Välj en handledare innan du publicerar"."""
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    supervisor = await make_contact(host_id, "Maja Lind")
    slot_id = await make_slot(host_id, supervisor, capacity=2)
    await Contact.update({Contact.active: False}).where(Contact.id == supervisor)
    await login(client, user.username)
    url = f"/vard/platser/{slot_id}"
    shown = await client.get(url, headers=HTML)
    assert shown.status_code == 200
    typed = {"kind": "praktik", "title": "Lagerarbetare", "capacity": "3", "town": "Vårgårda"}
    saved = await client.post(
        url,
        data={"_csrf_token": csrf_of(shown.text), **typed, "supervisor_id": ""},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, unescape(saved.text)
    row = (
        await Slot.select(Slot.capacity, Slot.status, Slot.supervisor)
        .where(Slot.id == slot_id)
        .first()
    )
    # The ended supervisor stays named (the form cannot offer them, so it sent none): made
    # active again, they supervise the slot again (an attack: saving took them off it).
    assert row == {"capacity": 3, "status": "published", "supervisor": supervisor}


# --- the new slot's organisation ---------------------------------------------------------------
# `/vard/platser/ny` answered a bare 400 without `?host_id=`: to a host who typed the address, or
# followed a link that left it out. A host of one organisation now gets its form; one of several
# (or an admin) chooses; a host of none is told what to do.


async def test_a_host_of_one_organisation_gets_its_form_without_the_id(client):
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    sent = await client.get("/vard/platser/ny", headers=HTML, follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/vard/platser/ny?host_id={host_id}"
    form = await client.get(sent.headers["location"], headers=HTML)
    assert form.status_code == 200
    assert "Ny plats hos Vårgårda Trädgård AB" in form.text
    # A form posted without the hidden field is the host's only organisation's slot.
    created = await client.post(
        "/vard/platser/ny",
        data={"_csrf_token": csrf_of(form.text), "kind": "praktik", "title": "Trädgårdsarbete"},
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    assert await Slot.select(Slot.host, Slot.capacity).where(Slot.title == "Trädgårdsarbete") == [
        {"host": host_id, "capacity": 1}
    ]


async def test_a_host_of_several_organisations_chooses_and_the_start_page_links_carry_ids(client):
    first = await make_host("Alingsås Bageri AB", "company")
    second = await make_host("Lerums Kafé AB", "company")
    user = await make_host_user(first)
    await add_member(user.id, second)
    await make_host("Någon annans AB", "company")
    await login(client, user.username)
    choice = await client.get("/vard/platser/ny", headers=HTML)
    assert choice.status_code == 200
    assert "Välj vilken organisation den nya platsen hör till." in choice.text
    for host_id, name in ((first, "Alingsås Bageri AB"), (second, "Lerums Kafé AB")):
        assert f'href="/vard/platser/ny?host_id={host_id}">Ny plats hos {name}</a>' in choice.text
    assert "Någon annans AB" not in choice.text
    home = await client.get("/vard", headers=HTML)
    for host_id in (first, second):
        assert f'href="/vard/platser/ny?host_id={host_id}"' in home.text
    # Without the hidden field the post cannot know which: a Swedish 400, nothing saved.
    refused = await client.post(
        "/vard/platser/ny",
        data={"_csrf_token": csrf_of(choice.text), "kind": "praktik", "title": "Bagare"},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert "Välj vilken organisation platsen hör till." in refused.text
    assert await Slot.count() == 0


async def test_a_host_of_no_organisation_is_told_what_to_do(client):
    user = await make_user("host")
    await login(client, user.username)
    page = await client.get("/vard/platser/ny", headers=HTML)
    assert page.status_code == 200
    assert "Du hör inte till någon organisation ännu" in page.text
    assert "arbetsmarknadsenheten" in page.text


async def test_an_admin_chooses_among_every_organisation_and_finds_one_by_name(client):
    first = await make_host("Alingsås Bageri AB", "company")
    await make_host("Lerums Kafé AB", "company")
    admin = await make_user("admin")
    await login(client, admin.username)
    choice = await client.get("/vard/platser/ny", headers=HTML)
    assert choice.status_code == 200
    assert "Alingsås Bageri AB" in choice.text and "Lerums Kafé AB" in choice.text
    found = await client.get("/vard/platser/ny", params={"q": "bageri"}, headers=HTML)
    assert f'href="/vard/platser/ny?host_id={first}"' in found.text
    assert "Lerums Kafé AB" not in found.text
    none = await client.get("/vard/platser/ny", params={"q": "finns inte"}, headers=HTML)
    assert none.status_code == 200 and "Ingen organisation heter något med" in none.text


# --- the skills a refused form comes back with --------------------------------------------------
# A host's day (2026): the slot form refused for a missing title came back with an empty skill
# ticked (the "Fler kompetenser" box, posted empty, shown as a checkbox of its own), and the
# skills typed there one per line as one checkbox holding them all. It now comes back with
# exactly the skills ticked and typed, each its own ticked box, and no empty one.

_SKILL_BOX = re.compile(r'<input type="checkbox" name="skills" value="([^"]*)"( checked)?>')


def ticked_skills(html: str) -> list[str]:
    return [unescape(value) for value, checked in _SKILL_BOX.findall(html) if checked]


async def test_a_refused_slot_form_comes_back_with_the_skills_ticked_and_typed(client):
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    form = await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)
    # A suggested skill of the occupation (Soldat/Sjöman) whose label holds a comma.
    occupation_id = "UDVa_DtE_Fpb"
    suggested = skill_suggestions(occupation_id)
    assert "Utbildning, armén" in suggested
    typed = {
        "kind": "praktik",
        "title": "",  # refused: the title must be given
        "occupation_id": occupation_id,
        "capacity": "1",
        # Two boxes ticked, then the "Fler kompetenser" box: two typed, one per line.
        "skills": ["Utbildning, armén", "Kundbemötande", " Truckkort A\r\n\r\nLagerarbete \r\n"],
    }
    refused = await client.post(
        "/vard/platser/ny",
        data={"_csrf_token": csrf_of(form.text), "host_id": str(host_id), **typed},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert 'id="f-title-error"' in refused.text
    assert ticked_skills(refused.text) == [
        "Utbildning, armén",
        "Kundbemötande",
        "Truckkort A",
        "Lagerarbete",
    ]
    assert 'name="skills" value=""' not in refused.text
    # The other suggestions stay offered, unticked.
    offered = [unescape(value) for value, _ in _SKILL_BOX.findall(refused.text)]
    assert "Utbildning, flyget" in offered
    assert "Utbildning, flyget" not in ticked_skills(refused.text)
    # Nothing ticked: the empty "Fler kompetenser" box alone ticks nothing.
    refused = await client.post(
        "/vard/platser/ny",
        data={"_csrf_token": csrf_of(form.text), "host_id": str(host_id), **typed, "skills": ""},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert ticked_skills(refused.text) == []
    assert 'name="skills" value=""' not in refused.text
    assert await Slot.count() == 0


async def test_a_ticked_skill_whose_label_holds_a_comma_is_saved_whole(client):
    """The taxonomy's "Utbildning, armén" ticked was saved as two skills, "Utbildning" and
    "armén": the form split its lists at commas too. Skills are one per line."""
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    form = await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)
    saved = await client.post(
        "/vard/platser/ny",
        data={
            "_csrf_token": csrf_of(form.text),
            "host_id": str(host_id),
            "kind": "praktik",
            "title": "Förrådsarbete",
            "occupation_id": "UDVa_DtE_Fpb",
            "skills": ["Utbildning, armén", "Truckkort A\nLagerarbete"],
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    slot_id = int(saved.headers["location"].split("?")[0].rsplit("/", 1)[1])
    shown = await client.get(f"/vard/platser/{slot_id}", headers=HTML)
    assert ticked_skills(shown.text) == ["Utbildning, armén", "Truckkort A", "Lagerarbete"]


async def test_the_host_pages_through_all_its_slots(client):
    # A municipal unit with 201 slots saw 200 and "Platser (200)": the last was never listed.
    host_id = await make_host("Vårgårda kommun, Kostenheten", "municipal_unit")
    user = await make_host_user(host_id)
    for n in range(201):
        await make_slot(host_id, title=f"Plats nummer {n:03d}", status="draft")
    await login(client, user.username)
    first = await client.get("/vard", headers=HTML)
    assert first.status_code == 200
    assert "Platser (201)" in first.text
    assert "Sida 1 av 5" in first.text
    assert 'href="/vard?sortera=nyast&amp;sida=2#platser"' in first.text
    listed = set(re.findall(r"Plats nummer (\d{3})", first.text))
    for page_no in range(2, 6):
        page = await client.get(f"/vard?sida={page_no}", headers=HTML)
        assert page.status_code == 200 and f"Sida {page_no} av 5" in page.text
        listed |= set(re.findall(r"Plats nummer (\d{3})", page.text))
    assert len(listed) == 201
    # A page past the end shows the last page, not an empty list.
    past = await client.get("/vard?sida=9", headers=HTML)
    assert "Sida 5 av 5" in past.text


def slot_titles(html: str) -> list[str]:
    section = html.split('<section id="platser"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/vard/platser/\d+">([^<]+)</a>', section)


async def test_the_host_sorts_its_slots_and_the_order_is_kept_across_pages(client):
    """The host's slot list came newest first and could not be sorted. It sorts by the
    headings and by a box (the headings are hidden at 375 px), the order kept in the pager."""
    host_id = await make_host("Vårgårda kommun, Kostenheten", "municipal_unit")
    user = await make_host_user(host_id)
    slots = [
        ("Städare", "paused", dt.date(2027, 3, 1)),
        ("Bagare", "published", None),
        ("Kock", "draft", dt.date(2027, 1, 15)),
        ("Vaktmästare", "closed", dt.date(2027, 2, 1)),
    ]
    for title, status, start in slots:
        await make_slot(host_id, title=title, status=status, start=start)
    await login(client, user.username)

    newest = await client.get("/vard", headers=HTML)
    assert slot_titles(newest.text) == ["Vaktmästare", "Kock", "Bagare", "Städare"]
    assert '<option value="nyast" selected>Nyast först</option>' in newest.text
    assert 'href="/vard?sortera=rubrik#platser">Rubrik</a>' in newest.text
    expected = {
        "rubrik": ["Bagare", "Kock", "Städare", "Vaktmästare"],
        "-rubrik": ["Vaktmästare", "Städare", "Kock", "Bagare"],
        "status": ["Bagare", "Kock", "Städare", "Vaktmästare"],
        "-status": ["Vaktmästare", "Städare", "Kock", "Bagare"],
        "start": ["Kock", "Vaktmästare", "Städare", "Bagare"],
        "-start": ["Städare", "Vaktmästare", "Kock", "Bagare"],
        "-nyast": ["Städare", "Bagare", "Kock", "Vaktmästare"],
    }
    for order, titles in expected.items():
        page = await client.get("/vard", params={"sortera": order}, headers=HTML)
        assert page.status_code == 200, order
        assert slot_titles(page.text) == titles, order
        assert f'<option value="{order}" selected>' in page.text
    by_title = await client.get("/vard", params={"sortera": "rubrik"}, headers=HTML)
    assert '<th scope="col" aria-sort="ascending"><a href="/vard?sortera=-rubrik#platser">' in (
        by_title.text
    )
    # An unknown order (an old or edited address): the newest first, said at the box.
    odd = await client.get("/vard", params={"sortera": "title"}, headers=HTML)
    assert odd.status_code == 200
    assert slot_titles(odd.text) == ["Vaktmästare", "Kock", "Bagare", "Städare"]
    assert "visas i ordningen \u201dNyast först\u201d" in unescape(odd.text)


async def test_the_chosen_order_is_kept_in_the_pager(client):
    host_id = await make_host("Vårgårda kommun, Kostenheten", "municipal_unit")
    user = await make_host_user(host_id)
    for n in range(51):
        await make_slot(host_id, title=f"Plats nummer {n:03d}", status="draft")
    await login(client, user.username)
    first = await client.get("/vard", params={"sortera": "-rubrik"}, headers=HTML)
    assert 'href="/vard?sortera=-rubrik&amp;sida=2#platser"' in first.text
    assert slot_titles(first.text)[0] == "Plats nummer 050"
    second = await client.get("/vard", params={"sortera": "-rubrik", "sida": "2"}, headers=HTML)
    assert slot_titles(second.text) == ["Plats nummer 000"]


async def test_a_new_slot_starts_from_the_hosts_usual_setting(client):
    """Seen in a host's walk: a sheltered workshop run by the municipality got "Ordinarie
    kommunal arbetsplats" on every new slot unless it changed the field each time, which
    counted its placements at the wrong kind of workplace (the 85/15 figure). A new slot
    starts from the setting of the host's latest slot when that is not what the kind gives,
    and the blank choice says what the kind gives."""
    host_id = await make_host("Daglig verksamhet Fixaren", "municipal_unit")
    user = await make_host_user(host_id)
    await login(client, user.username)
    url = f"/vard/platser/ny?host_id={host_id}"
    first = await client.get(url, headers=HTML)
    assert '<option value="">Enligt organisationens typ (Ordinarie kommunal arbetsplats)' in (
        first.text
    )
    assert '<option value="sheltered" selected>' not in first.text
    await make_slot(host_id, None, setting="sheltered")
    second = await client.get(url, headers=HTML)
    assert '<option value="sheltered" selected>' in second.text
    # A host whose latest slot has the kind's own setting starts from the blank choice.
    await make_slot(host_id, None, setting="municipal_workplace")
    third = await client.get(url, headers=HTML)
    select = re.search(r'<select id="f-setting".*?</select>', third.text, re.S)
    assert select is not None and " selected>" not in select.group(0)


async def test_the_skills_closest_to_the_occupation_come_first_and_none_is_cut(client):
    """A host's day: a carpenter's 69 skills were cut alphabetically at 30, so "Brobyggnad"
    and "Gruvbyggnad" were offered and "Träarbete, husbyggnad" never was."""
    carpenter = taxonomy.occupation(CARPENTER)
    assert carpenter is not None and carpenter.label == "Träarbetare/Snickare"
    suggested = skill_suggestions(CARPENTER)
    group = taxonomy.groups()[carpenter.group_id]
    assert len(suggested) == len({s for s in group.skill_ids if s in taxonomy.skills()})
    assert "Träarbete, husbyggnad" in suggested[:5]
    assert suggested.index("Träarbete, husbyggnad") < suggested.index("Gruvbyggnad")

    host_id = await make_host("Vårgårda Bygg AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    answer = await client.get(f"/vard/kompetenser?occupation_id={CARPENTER}", headers=HTML)
    boxes = re.findall(r'name="skills" value="([^"]+)"', unescape(answer.text))
    assert boxes == suggested  # every one, the closest as boxes, the rest under "Fler"
    shown, more = unescape(answer.text).split('<details class="field more-skills"')
    assert shown.count('name="skills"') == 30
    assert f"Fler kompetenser för yrkesgruppen ({len(suggested) - 30})" in more
    assert " open>" not in more.split("<summary>")[0]


CARPENTER = "4Z7F_oBG_vMG"


async def test_the_slot_page_says_when_it_holds_more_placements_than_places(client):
    """A host's day: with 2 running placements the places went 2 → 1 and the page said
    "0 av 1 plats ledig" and nothing more."""
    w = await make_world(capacity=2, supervision=2)
    await to_active(w)
    await to_active(w, candidate_id=await make_candidate(w.coordinator, "Bo"))
    await login(client, w.host_user.username)
    url = f"/vard/platser/{w.slot_id}"
    assert 'id="fler-an-platser"' not in (await client.get(url, headers=HTML)).text
    await Slot.update({Slot.capacity: 1}).where(Slot.id == w.slot_id)
    page = await client.get(url, headers=HTML)
    assert (
        "Platsen har 2 placeringar som håller en plats men bara 1 plats. De fortsätter som de "
        "är, men platsen tar inte emot någon ny förrän det finns plats." in unescape(page.text)
    )


async def test_a_slot_without_a_supervisor_points_to_the_field_when_there_is_one_to_choose(
    client,
):
    """A host's day: the page said "Lägg till en handledare" beside a list that already held
    one to choose."""
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    slot_id = await make_slot(host_id, None, status="draft")
    await login(client, user.username)
    none_yet = unescape((await client.get(f"/vard/platser/{slot_id}", headers=HTML)).text)
    assert "Platsen saknar handledare och kan inte ta emot någon." in none_yet
    # Its free places say so too: "1 av 1 plats ledig" stood above the warning (helper-136).
    assert (
        "1 av 1 plats ledig (men ingen kan tas emot förrän platsen har en handledare)" in none_yet
    )
    assert f'href="/vard/organisation/{host_id}#kontakter">Lägg till en handledare' in none_yet
    await make_contact(host_id, "Maja Lind")
    one = unescape((await client.get(f"/vard/platser/{slot_id}", headers=HTML)).text)
    assert 'Välj en i fältet <a href="#f-supervisor_id">Handledare</a> och spara.' in one
    assert "Lägg till en handledare</a> och välj" not in one


async def test_the_same_new_slot_form_sent_twice_makes_one_slot(client):
    """A host's day: Back after saving a new slot, then Spara again, made a second draft."""
    host_id = await make_host("Vårgårda Däck AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    form = await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)
    once = re.search(r'name="once" value="([^"]+)"', form.text)
    assert once is not None
    typed = {
        "_csrf_token": csrf_of(form.text),
        "host_id": str(host_id),
        "once": once.group(1),
        "kind": "praktik",
        "title": "Däckhotell – praktik",
        "capacity": "1",
    }
    first = await client.post("/vard/platser/ny", data=typed, headers=HTML, follow_redirects=False)
    assert first.status_code == 303
    again = await client.post("/vard/platser/ny", data=typed, headers=HTML, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].split("?")[0] == first.headers["location"].split("?")[0]
    assert "klart=plats-redan-sparad" in again.headers["location"]
    assert await Slot.count() == 1
    # A refused form keeps its key; a new form gets another, and makes another slot.
    refused = await client.post(
        "/vard/platser/ny", data={**typed, "title": ""}, headers=HTML, follow_redirects=False
    )
    assert refused.status_code == 400 and f'value="{once.group(1)}"' in refused.text
    other = await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)
    fresh = re.search(r'name="once" value="([^"]+)"', other.text)
    assert fresh is not None and fresh.group(1) != once.group(1)
    second = await client.post(
        "/vard/platser/ny",
        data={
            **typed,
            "title": "Däckhotell – lager",
            "once": fresh.group(1),
            "_csrf_token": csrf_of(other.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert second.status_code == 303 and "klart=plats-sparad" in second.headers["location"]
    assert await Slot.count() == 2


async def test_back_after_saving_a_new_slot_and_spara_again_lands_on_the_saved_one(client):
    """A host's day: Spara, then Back, then Spara again made slot 210, a copy of 209. A
    signed-in page is no-store (it may hold personal data), so Back fetched the form again
    with a new key while Chromium put back what was typed. The same slot, by the same user
    at the same host, soon after, is recognised instead; one field other is a new slot, and
    so is the same slot made by another user."""
    host_id = await make_host("Vårgårda Däck AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    typed = {
        "host_id": str(host_id),
        "kind": "praktik",
        "title": "Däckhotell – praktik",
        "description": "Hjälp till i däckhotellet.",
        "capacity": "2",
        "hours_per_week": "20",
        "town": "Vårgårda",
    }

    async def save(**other: str) -> str:
        form = await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)
        assert form.headers["cache-control"] == "no-store"
        once = re.search(r'name="once" value="([^"]+)"', form.text)
        assert once is not None
        sent = await client.post(
            "/vard/platser/ny",
            data={**typed, **other, "once": once.group(1), "_csrf_token": csrf_of(form.text)},
            headers=HTML,
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        return str(sent.headers["location"])

    first = await save()
    assert "klart=plats-sparad" in first
    again = await save()
    assert again.split("?")[0] == first.split("?")[0] and "klart=plats-redan-sparad" in again
    landed = await client.get(again, headers=HTML)
    assert "Platsen var redan sparad" in unescape(landed.text)
    assert await Slot.count() == 1
    other_hours = await save(hours_per_week="25")
    assert "klart=plats-sparad" in other_hours and await Slot.count() == 2
    # Another user of the host, the same typed values: their own slot.
    colleague = await make_host_user(host_id, username="kollega")
    client.cookies.clear()
    await login(client, colleague.username)
    theirs = await save()
    assert "klart=plats-sparad" in theirs and await Slot.count() == 3


async def test_the_slot_form_says_what_the_tracks_are(client):
    """A host's day: "Passar spåren" (Kompetens, Hälsa, Vägledning) is the municipality's word
    for its participants, not an employer's; the form says what each means."""
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id)
    await login(client, user.username)
    form = unescape((await client.get(f"/vard/platser/ny?host_id={host_id}", headers=HTML)).text)
    assert "Kommunens deltagare följer ett av tre spår: kompetens (lära sig ett yrke" in form
    assert "hälsa (arbetsträning i anpassad takt efter sjukdom)" in form


async def test_a_save_from_a_second_tab_does_not_undo_the_first_tabs_change(client):
    """A host's day: tab A changed the title and saved; tab B, still showing the old title,
    changed the hours and saved: "Platsen är sparad.", and the title was the old one again.
    Now B is refused (409) with what B typed kept, the stored value beside each field that
    differs, and the current version, so a second Spara (having seen them) saves."""
    host_id = await make_host("Vårgårda Däck & Service AB", "company")
    user = await make_host_user(host_id)
    slot_id = await make_slot(host_id, None, status="draft", title="Arbetsträning – fordon")
    await login(client, user.username)
    url = f"/vard/platser/{slot_id}"
    tab_a = (await client.get(url, headers=HTML)).text
    tab_b = (await client.get(url, headers=HTML)).text
    version = re.search(r'name="version" value="([0-9a-f]+)"', tab_a)
    assert version is not None and f'value="{version.group(1)}"' in tab_b

    def form_of(page: str, **typed: str) -> dict[str, str]:
        return {
            "_csrf_token": csrf_of(page),
            "version": version.group(1) if version else "",
            "kind": "praktik",
            "title": "Arbetsträning – fordon",
            "capacity": "1",
            "hours_per_week": "30",
            "town": "Vårgårda",
            "description": "Plocka och packa varor.",
            **typed,
        }

    saved = await client.post(
        url,
        data=form_of(tab_a, title="Däckskifte och fordonsvård"),
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "plats-sparad" in saved.headers["location"]
    stale = await client.post(
        url, data=form_of(tab_b, hours_per_week="20"), headers=HTML, follow_redirects=False
    )
    assert stale.status_code == 409
    text = unescape(stale.text)
    assert "Platsen har ändrats sedan du öppnade den" in text
    assert "Sparat nu: ”Däckskifte och fordonsvård”." in text
    assert "Sparat nu: ”30”." in text
    assert 'value="20"' in text  # what B typed is kept
    stored = await Slot.select(Slot.title, Slot.hours_per_week).where(Slot.id == slot_id).first()
    assert stored == {"title": "Däckskifte och fordonsvård", "hours_per_week": 30}
    # Seen the stored values, B saves again: the form now carries the current version.
    current = re.search(r'name="version" value="([0-9a-f]+)"', stale.text)
    assert current is not None and current.group(1) != version.group(1)
    again = await client.post(
        url,
        data={**form_of(stale.text, hours_per_week="20"), "version": current.group(1)},
        headers=HTML,
        follow_redirects=False,
    )
    assert again.status_code == 303
    stored = await Slot.select(Slot.title, Slot.hours_per_week).where(Slot.id == slot_id).first()
    assert stored == {"title": "Arbetsträning – fordon", "hours_per_week": 20}


async def test_placements_one_after_another_take_one_place_on_every_page(client):
    """A host's day: a slot of 2 places with placements to 6 January, 7–20 January and from
    21 January said "0 av 2 platser lediga" on the host's page and the public page and
    warned of three placements on two places, though no day used more than one. Free places
    are now counted by period as the accept check counts them (`most_at_once`), the same on
    the host's page, the public page, the host's list and the search's free-places filter;
    the warning only when placements overlap beyond the places."""
    today = clock.today()
    day = dt.timedelta(days=1)
    host_id = await make_host("Vårgårda Snickeri AB", "company")
    user = await make_host_user(host_id)
    supervisor = await make_contact(host_id, "Maja Lind")
    slot_id = await make_slot(host_id, supervisor, capacity=2, title="Träarbetare")
    coordinator = await make_user("coordinator")
    periods = [
        (today - 20 * day, today + 30 * day),
        (today + 31 * day, today + 44 * day),
        (today + 45 * day, today + 104 * day),
        (today - 90 * day, today - 1 * day),  # active, but its period is over
    ]
    for n, (start, end) in enumerate(periods):
        candidate = await make_candidate(coordinator, f"Deltagare{n}")
        await make_booking(
            slot_id, candidate, coordinator.id, status="active", start_date=start, end_date=end
        )
    await bump_slot_change(slot_id)
    assert await seats_taken([slot_id]) == {slot_id: 1}
    await login(client, user.username)
    own = unescape((await client.get(f"/vard/platser/{slot_id}", headers=HTML)).text)
    assert "1 av 2 platser lediga" in own
    assert 'id="fler-an-platser"' not in own
    public = unescape((await client.get(f"/platser/{slot_id}", headers=HTML)).text)
    assert re.search(r"<dt>Lediga platser</dt><dd>1 av 2", public)
    found = await client.get("/api/v1/slots/search", params={"q": "träarbetare"})
    assert [hit["id"] for hit in found.json()["results"]] == [slot_id]
    # A fifth placement over the second's days: 2 of 2 used then, so none free from today.
    candidate = await make_candidate(coordinator, "Deltagare5")
    await make_booking(
        slot_id,
        candidate,
        coordinator.id,
        status="accepted",
        start_date=today + 35 * day,
        end_date=today + 40 * day,
    )
    await bump_slot_change(slot_id)
    full = unescape((await client.get(f"/vard/platser/{slot_id}", headers=HTML)).text)
    assert "0 av 2 platser lediga" in full and 'id="fler-an-platser"' not in full
    assert (await client.get("/api/v1/slots/search", params={"q": "träarbetare"})).json()[
        "results"
    ] == []
    # Two at once on one place (the host lowered the places): now the warning.
    await Slot.update({Slot.capacity: 1}).where(Slot.id == slot_id)
    over = unescape((await client.get(f"/vard/platser/{slot_id}", headers=HTML)).text)
    assert "Platsen har 2 placeringar som håller en plats men bara 1 plats." in over
