"""The employers' pages: the public application form, its decision by a coordinator, and the
Swedish 403 page a host user meets on a coordinator's page."""

from __future__ import annotations

import re

from employers.tables import Host, HostApplication
from marketplace.kernel.tables import OutboxMessage
from tests.conftest import login as api_login

HTML = {"accept": "text/html"}


async def login(client, username: str) -> None:
    """Sign in, then act as a browser: forms carry the page's CSRF field, not the API header."""
    await api_login(client, username)
    client.headers.pop("x-csrftoken", None)


def form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


APPLICATION = {
    "org_name": "Vårgårda Lager AB",
    "kind": "company",
    "org_number": "556036-0793",
    "town": "Vårgårda",
    "contact_name": "Lena Lagerström",
    "contact_email": "lena@lager.example",
    "contact_phone": "",
    "message": "Plock och packning.",
}


async def test_application_form_stores_the_application_and_thanks(client):
    page = await client.get("/erbjud", headers=HTML)
    assert page.status_code == 200
    assert 'lang="sv"' in page.text
    answer = await client.post(
        "/erbjud", data={**APPLICATION, "_csrf_token": form_token(page.text)}, headers=HTML
    )
    assert answer.status_code == 200
    assert "Tack för er anmälan" in answer.text
    stored = await HostApplication.select().first()
    assert stored is not None
    assert stored["org_name"] == "Vårgårda Lager AB"
    assert stored["status"] == "pending"


async def test_application_errors_are_tied_to_their_fields_and_keep_the_input(client):
    page = await client.get("/erbjud", headers=HTML)
    answer = await client.post(
        "/erbjud",
        data={**APPLICATION, "org_number": "556036-0794", "_csrf_token": form_token(page.text)},
        headers=HTML,
    )
    assert answer.status_code == 400
    field = re.search(r'<input id="f-org_number"[^>]*>', answer.text)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert "f-org_number-error" in field.group(0)
    error = re.search(r'id="f-org_number-error">([^<]+)<', answer.text)
    assert error is not None
    assert "kontrollsiffra" in error.group(1)
    assert 'value="Vårgårda Lager AB"' in answer.text
    assert await HostApplication.count() == 0


async def test_coordinator_approves_and_the_contact_is_invited(client, make_user):
    await make_user("coordinator", username="sara")
    page = await client.get("/erbjud", headers=HTML)
    await client.post(
        "/erbjud", data={**APPLICATION, "_csrf_token": form_token(page.text)}, headers=HTML
    )
    await login(client, "sara")
    listing = await client.get("/arbetsbord/ansokningar", headers=HTML)
    assert listing.status_code == 200
    assert "Vårgårda Lager AB" in listing.text
    application = await HostApplication.select(HostApplication.id).first()
    assert application is not None
    decided = await client.post(
        f"/arbetsbord/ansokningar/{application['id']}/godkann",
        data={"_csrf_token": form_token(listing.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert await Host.exists().where(Host.name == "Vårgårda Lager AB")
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "host_invitation").first()
    assert mail is not None
    assert mail["recipient"] == "lena@lager.example"
    assert "/vard/inbjudan?token=" in mail["body_text"]


async def test_the_applications_message_keeps_its_line_breaks(client, make_user):
    """A host writes its message in lines (tasks, days, who to ask): the coordinator reads
    it as written, not run together."""
    await make_user("coordinator", username="sara")
    page = await client.get("/erbjud", headers=HTML)
    message = "Plock och packning.\nTruck finns.\n\nFråga efter Lena."
    await client.post(
        "/erbjud",
        data={**APPLICATION, "message": message, "_csrf_token": form_token(page.text)},
        headers=HTML,
    )
    await login(client, "sara")
    listing = await client.get("/arbetsbord/ansokningar", headers=HTML)
    shown = re.search(r'<p class="pre">([^<]*)</p>', listing.text)
    assert shown is not None and shown.group(1) == message


async def test_rejecting_without_a_note_says_what_to_write(client, make_user):
    await make_user("coordinator", username="sara")
    page = await client.get("/erbjud", headers=HTML)
    await client.post(
        "/erbjud", data={**APPLICATION, "_csrf_token": form_token(page.text)}, headers=HTML
    )
    await login(client, "sara")
    listing = await client.get("/arbetsbord/ansokningar", headers=HTML)
    application = await HostApplication.select(HostApplication.id).first()
    assert application is not None
    answer = await client.post(
        f"/arbetsbord/ansokningar/{application['id']}/avsla",
        data={"note": "", "_csrf_token": form_token(listing.text)},
        headers=HTML,
    )
    assert answer.status_code == 400
    assert "Skriv en kort motivering" in answer.text
    assert (await HostApplication.select(HostApplication.status).first()) == {"status": "pending"}
    # A reason longer than 2,000 characters is refused, not cut without a word.
    long = await client.post(
        f"/arbetsbord/ansokningar/{application['id']}/avsla",
        data={"note": "x" * 5000, "_csrf_token": form_token(listing.text)},
        headers=HTML,
    )
    assert long.status_code == 400 and "Skriv högst 2000 tecken, inte 5000" in long.text
    # Decided by someone else meanwhile: the refusal is said on the list it lands on (it
    # was said at the application, which the list no longer shows).
    rejected = await client.post(
        f"/arbetsbord/ansokningar/{application['id']}/avsla",
        data={"note": "Ingen plats", "_csrf_token": form_token(listing.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    late = await client.post(
        f"/arbetsbord/ansokningar/{application['id']}/godkann",
        data={"note": "", "_csrf_token": form_token(listing.text)},
        headers=HTML,
    )
    assert late.status_code == 409
    assert "Ansökan är redan avslagen" in late.text


async def test_host_user_on_a_coordinator_page_gets_a_swedish_403_page(client, make_user):
    await make_user("host", username="henrik")
    await login(client, "henrik")
    answer = await client.get("/arbetsbord/ansokningar", headers=HTML)
    assert answer.status_code == 403
    assert "Ingen behörighet" in answer.text
    assert "Traceback" not in answer.text


async def test_a_used_or_unknown_invitation_link_is_a_clear_404(client):
    answer = await client.get("/vard/inbjudan?token=finns-inte-alls-0123", headers=HTML)
    assert answer.status_code == 404
    assert 'lang="sv"' in answer.text


async def test_an_admin_finds_a_host_and_invites_its_user_on_the_pages(client, make_user):
    """Seen in the admin's browser walk: Drift had no host section (an organisation's page
    was reached only by typing its address), and no page could invite a host's user (the
    API only). The list finds hosts by name and kind, a page at a time; the organisation's
    page invites, with every form error at once and what was typed kept."""
    from employers.tables import Host, HostInvitation
    from marketplace.kernel.tables import OutboxMessage

    await make_user("admin", username="adam")
    for n in range(3):
        await Host.insert(Host(name=f"Bageri {n} AB", kind="company", town="Vårgårda"))
    unit = (await Host.insert(Host(name="Kostenheten", kind="municipal_unit")))[0]["id"]
    await login(client, "adam")
    listing = await client.get("/drift/vardar?sok=bageri", headers=HTML)
    assert listing.status_code == 200 and "3 värdar" in listing.text
    past = await client.get("/drift/vardar?sok=bageri&sida=9", headers=HTML)
    assert "sida 1 av 1" in past.text and "Bageri 0 AB" in past.text  # the last page
    assert "Kostenheten" not in listing.text
    units = await client.get("/drift/vardar?typ=municipal_unit", headers=HTML)
    assert f'<a href="/vard/organisation/{unit}">Kostenheten</a>' in units.text
    assert "Bageri" not in units.text
    organisation = await client.get(f"/vard/organisation/{unit}", headers=HTML)
    assert "Bjud in en användare" in organisation.text
    bad = await client.post(
        f"/vard/organisation/{unit}/inbjudan",
        data={
            "email": "inte-en-adress",
            "name": "Ida",
            "_csrf_token": form_token(organisation.text),
        },
        headers=HTML,
    )
    assert bad.status_code == 400 and 'value="Ida"' in bad.text
    assert await HostInvitation.count() == 0
    sent = await client.post(
        f"/vard/organisation/{unit}/inbjudan",
        data={
            "email": "ida@kost.example.se",
            "name": "Ida",
            "_csrf_token": form_token(organisation.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert sent.status_code == 303 and "klart=inbjudan-skickad" in sent.headers["location"]
    assert await OutboxMessage.exists().where(OutboxMessage.recipient == "ida@kost.example.se")
    page = await client.get(sent.headers["location"], headers=HTML)
    assert "Inbjudan är skickad" in page.text and "ida@kost.example.se" in page.text


async def test_a_phone_that_is_no_number_is_refused_with_the_other_mistakes(client):
    """Seen in a host's walk: a contact's phone took any text ("ring Lena"), which a
    coordinator then tried to call. The application form, the contact form and the API
    refuse what no phone can dial, with the form's other mistakes, and keep what was typed;
    a landline or a mobile number, with or without +46, is taken as written."""
    page = await client.get("/erbjud", headers=HTML)
    answer = await client.post(
        "/erbjud",
        data={
            **APPLICATION,
            "org_number": "556036-0794",
            "contact_phone": "ring Lena",
            "_csrf_token": form_token(page.text),
        },
        headers=HTML,
    )
    assert answer.status_code == 400
    assert "”ring Lena” är inte ett giltigt telefonnummer." in answer.text
    assert "kontrollsiffra" in answer.text  # both at once
    assert await HostApplication.count() == 0
    taken = await client.post(
        "/erbjud",
        data={
            **APPLICATION,
            "contact_phone": "0322-60 00 00",
            "_csrf_token": form_token(page.text),
        },
        headers=HTML,
    )
    assert taken.status_code == 200
    stored = await HostApplication.select(HostApplication.contact_phone).first()
    assert stored == {"contact_phone": "0322-60 00 00"}


async def test_a_contacts_phone_is_a_number(client, make_user):
    from tests.builders import add_member, make_host

    user = await make_user("host", username="henrik")
    host = await make_host("Vårgårda Trädgård AB", "company")
    await add_member(user.id, host)
    await api_login(client, "henrik")
    refused = await client.post(
        f"/api/v1/hosts/{host}/contacts", json={"name": "Maja", "phone": "12"}
    )
    assert refused.status_code == 400
    assert "”12” är inte ett giltigt telefonnummer" in refused.text
    for phone in ("070-123 45 67", "+46 322 60 00 00", ""):
        made = await client.post(
            f"/api/v1/hosts/{host}/contacts", json={"name": "Maja", "phone": phone}
        )
        assert made.status_code == 201, made.text
        assert made.json()["phone"] == phone
    contact = made.json()["id"]
    changed = await client.patch(f"/api/v1/contacts/{contact}", json={"phone": "abc"})
    assert changed.status_code == 400
    client.headers.pop("x-csrftoken", None)
    shown = await client.get(f"/vard/kontakter/{contact}", headers=HTML)
    form = await client.post(
        f"/vard/kontakter/{contact}",
        data={"_csrf_token": form_token(shown.text), "name": "Maja", "phone": "abc"},
        headers=HTML,
    )
    assert form.status_code == 400
    assert "”abc” är inte ett giltigt telefonnummer" in form.text
    assert 'value="abc"' in form.text  # kept, to mend
