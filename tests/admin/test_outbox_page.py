"""The outbox page (/drift/utkorg): admins see every queued mail, newest first and paged, with
its status, times and the reason of a failure; opening a mail shows its text, and opening one
about a participant leaves an audit row. Nobody else gets in."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from marketplace.kernel.mail import deliver_outbox, queue_mail
from marketplace.kernel.tables import AuditEntry, OutboxMessage
from tests.builders import make_outbox_message
from tests.conftest import login

HTML = {"accept": "text/html"}


async def _rows_on(page: str) -> list[str]:
    return re.findall(r'<a href="/drift/utkorg/\d+">([^<]*)</a>', page)


async def test_admin_sees_sent_and_failed_mail_newest_first_with_the_reason(
    client, make_user, smtp
):
    admin = await make_user("admin", username="ada", email="ada@kommun.example.se")
    await queue_mail("anna@vard.example.se", "Första brevet", "Hej Anna!")
    await queue_mail("bertil@vard.example.se", "Andra brevet", "Hej Bertil!")
    settings = smtp.settings()
    assert (await deliver_outbox(dt.datetime.now(dt.UTC), settings))["sent"] == 2
    assert {r.recipients[0] for r in smtp.inbox.received} == {
        "anna@vard.example.se",
        "bertil@vard.example.se",
    }
    # A mail the server refuses for good, with the reason kept.
    await queue_mail("finns.inte@vard.example.se", "Tredje brevet", "Hej!")
    smtp.inbox.refuse_code = 550
    for _ in range(settings.mail_max_attempts):
        await OutboxMessage.update({OutboxMessage.next_attempt_at: dt.datetime.now(dt.UTC)}).where(
            OutboxMessage.status == "pending"
        )
        await deliver_outbox(dt.datetime.now(dt.UTC), settings)
    failed = await OutboxMessage.select().where(OutboxMessage.status == "failed").first()
    assert failed is not None and failed["last_error"]

    await login(client, admin.username)
    page = await client.get("/drift/utkorg", headers=HTML)
    assert page.status_code == 200
    assert await _rows_on(page.text) == ["Tredje brevet", "Andra brevet", "Första brevet"]
    assert "Skickat" in page.text and "Kunde inte skickas" in page.text
    assert "550" in page.text  # the server's reason, shown next to the mail
    assert "bertil@vard.example.se" in page.text
    assert 'href="/drift/utkorg" aria-current="page"' in page.text  # in the admin navigation
    assert "sent" not in re.sub(r"<[^>]+>", " ", page.text).split()  # no internal status

    opened = await client.get(f"/drift/utkorg/{failed['id']}", headers=HTML)
    assert opened.status_code == 200
    assert "Tredje brevet" in opened.text and "Hej!" in opened.text
    assert "Kunde inte skickas" in opened.text


async def test_the_outbox_is_paged(client, make_user):
    admin = await make_user("admin", username="ada", email="ada@kommun.example.se")
    base = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    for n in range(55):
        await make_outbox_message(
            f"p{n}@example.se", f"Brev nummer {n:02d}", created_at=base + dt.timedelta(minutes=n)
        )
    await login(client, admin.username)
    first = await client.get("/drift/utkorg", headers=HTML)
    rows = await _rows_on(first.text)
    assert len(rows) == 50 and rows[0] == "Brev nummer 54" and rows[-1] == "Brev nummer 05"
    assert "Sida 1 av 2" in first.text
    second = await client.get("/drift/utkorg?sida=2", headers=HTML)
    assert await _rows_on(second.text) == [f"Brev nummer {n:02d}" for n in range(4, -1, -1)]
    beyond = await client.get("/drift/utkorg?sida=99", headers=HTML)
    assert beyond.status_code == 200 and "Brev nummer 00" in beyond.text
    bad = await client.get("/drift/utkorg?sida=noll", headers=HTML)
    assert bad.status_code == 400
    missing = await client.get("/drift/utkorg/999999", headers=HTML)
    assert missing.status_code == 404 and "Meddelandet finns inte i utkorgen." in missing.text


async def test_reading_a_mail_about_a_participant_is_audited(client, make_user):
    admin = await make_user("admin", username="ada", email="ada@kommun.example.se")
    about = await queue_mail(
        "samordnare@kommun.example.se", "Placeringen har startat", "Deltagare: Aida", candidate_id=7
    )
    assert about
    other = await queue_mail("ada@kommun.example.se", "Kontot är låst", "Hej!")
    assert other
    about_id, other_id = [
        r["id"] for r in await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id)
    ]
    await login(client, admin.username)
    before = await AuditEntry.count()
    listing = await client.get("/drift/utkorg", headers=HTML)
    assert listing.status_code == 200 and "Deltagare: Aida" not in listing.text
    assert await AuditEntry.count() == before  # the list shows no body
    shown = await client.get(f"/drift/utkorg/{about_id}", headers=HTML)
    assert shown.status_code == 200 and "Deltagare: Aida" in shown.text
    rows = await AuditEntry.select().where(AuditEntry.action == "outbox.read")
    assert [(r["subject_id"], r["actor_id"]) for r in rows] == [(7, admin.id)]
    assert str(about_id) in rows[0]["detail"]
    # A mail about no participant is audited too, against the user it went to (a read of a
    # password link went unlogged).
    await client.get(f"/drift/utkorg/{other_id}", headers=HTML)
    read = await AuditEntry.select().where(
        (AuditEntry.action == "outbox.read") & (AuditEntry.subject_type == "user")
    )
    assert [r["detail"] for r in read] == [f"utkorgens meddelande {other_id}"]


async def test_a_password_links_secret_is_hidden_from_the_outbox_in_development(client, make_user):
    """Seen in the browser (development settings): an admin opened another user's password
    mail in the outbox, followed the link and set that user's password."""
    admin = await make_user("admin", username="ada2", email="ada2@kommun.example.se")
    await queue_mail(
        "bo@kommun.example.se",
        "Välj lösenord",
        "Välj ditt lösenord: https://x.se/konto/nytt-losenord/Hemlig_Token-1",
    )
    row = await OutboxMessage.select(OutboxMessage.id).first()
    assert row is not None
    await login(client, admin.username)
    shown = await client.get(f"/drift/utkorg/{row['id']}", headers=HTML)
    assert "Hemlig_Token-1" not in shown.text and "[dold länk]" in shown.text


@pytest.mark.parametrize("role", ["coordinator", "analyst", "host"])
async def test_nobody_but_admins_reads_the_outbox(client, make_user, role):
    user = await make_user(role, username=f"inte_{role}", email=f"{role}@example.se")
    await queue_mail("x@example.se", "Hemligt", "Hej", candidate_id=3)
    row = await OutboxMessage.select(OutboxMessage.id).first()
    assert row is not None
    await login(client, user.username)
    for path in ("/drift/utkorg", f"/drift/utkorg/{row['id']}"):
        answer = await client.get(path, headers=HTML)
        assert answer.status_code in (403, 404), (role, path)
        assert "Hemligt" not in answer.text
    assert await AuditEntry.count().where(AuditEntry.action == "outbox.read") == 0
    await client.post("/api/v1/auth/logout")
    anonymous = await client.get("/drift/utkorg", headers=HTML, follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401)


def test_single_use_link_secrets_are_hidden_from_the_outbox():
    from admin.views.outbox import hide_link_tokens

    text = (
        "Skriv under: https://x.se/underteckna/abc.DEF-123_x\n"
        "Svara: https://x.se/forslag/12/svar/Zz9_-q\n"
        "Lösenord: https://x.se/konto/nytt-losenord/tok_EN\n"
        "Inbjudan: https://x.se/vard/inbjudan?token=Qq-1\n"
        "Bedöm: https://x.se/bedomning/a.b.c\n"
        "Sidan: https://x.se/arbetsbord/bokningar/12\n"
    )
    hidden = hide_link_tokens(text)
    for secret in ("abc.DEF-123_x", "Zz9_-q", "tok_EN", "Qq-1", "a.b.c"):
        assert secret not in hidden
    assert hidden.count("[dold länk]") == 5
    assert "https://x.se/arbetsbord/bokningar/12" in hidden


def test_sign_in_and_attendance_link_secrets_are_hidden_too():
    from admin.views.outbox import hide_link_tokens

    text = (
        "Mina sidor: https://x.se/mina-sidor/logga-in/lank/Ab-9_x\n"
        "Närvaro: https://x.se/narvaro/eyJiIjoxfQ.Zx-1.q_2\n"
        "Sidan: https://x.se/mina-sidor/plan\n"
    )
    hidden = hide_link_tokens(text)
    assert "Ab-9_x" not in hidden and "eyJiIjoxfQ" not in hidden
    assert hidden.count("[dold länk]") == 2
    assert "https://x.se/mina-sidor/plan" in hidden


async def test_the_outbox_is_searched_by_recipient_or_subject_and_filtered_by_status(
    client, make_user
):
    admin = await make_user("admin", username="ada", email="ada@kommun.example.se")
    base = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    for n in range(60):
        await make_outbox_message(
            f"samordnare{n}@kommun.example.se",
            f"Ny bokning {n:02d}",
            created_at=base + dt.timedelta(minutes=n),
        )
    await make_outbox_message(
        "åsa.öberg@vard.example.se", "Påminnelse: förslag väntar på svar", created_at=base
    )
    await make_outbox_message(
        "kim@vard.example.se", "Rabatt 100% på kaffe", status="failed", created_at=base
    )
    await login(client, admin.username)

    async def shown(**query: str) -> list[str]:
        page = await client.get("/drift/utkorg", params=query, headers=HTML)
        assert page.status_code == 200, page.text[:300]
        return await _rows_on(page.text)

    # By a part of the address, or by words of the subject, å ä ö optional, any order.
    assert await shown(sok="oberg@vard") == ["Påminnelse: förslag väntar på svar"]
    assert await shown(sok="svar paminnelse") == ["Påminnelse: förslag väntar på svar"]
    assert await shown(sok="Kim") == ["Rabatt 100% på kaffe"]
    assert await shown(sok="100%") == ["Rabatt 100% på kaffe"]  # % is itself, no wildcard
    assert await shown(sok="0%") == ["Rabatt 100% på kaffe"]
    # By status, alone or with words; an unknown status (an edited address) is no filter.
    assert await shown(status="failed") == ["Rabatt 100% på kaffe"]
    assert await shown(status="failed", sok="bokning") == []
    assert len(await shown(status="okänd")) == 50
    # Paged with the search kept: the pager's links carry it.
    page = await client.get("/drift/utkorg", params={"sok": "bokning"}, headers=HTML)
    assert "60 av 62 meddelanden matchar" in page.text and "Sida 1 av 2" in page.text
    assert 'href="/drift/utkorg?sok=bokning&amp;status=&amp;sida=2"' in page.text
    assert 'value="bokning"' in page.text
    second = await shown(sok="bokning", sida="2")
    assert second == [f"Ny bokning {n:02d}" for n in range(9, -1, -1)]
    nothing = await client.get("/drift/utkorg", params={"sok": "finnsinte"}, headers=HTML)
    assert "Inga meddelanden matchar sökningen." in nothing.text


async def test_each_mail_is_a_row_headed_by_its_subject_that_stacks_on_a_phone(client, make_user):
    admin = await make_user("admin", username="ada", email="ada@kommun.example.se")
    await make_outbox_message("anna@vard.example.se", "Första brevet")
    await login(client, admin.username)
    page = await client.get("/drift/utkorg", headers=HTML)
    # The subject, the link that opens the mail, heads its row (first, also when the row
    # stacks on a narrow screen); every other cell is named by its column.
    assert '<table class="stacked">' in page.text
    row = page.text[page.text.index('<tr class="outbox-row"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'^<tr[^>]*>\s*<th scope="row"><a href="/drift/utkorg/\d+">Första brevet', row)
    assert row.count("<td data-label=") == 6


async def test_mail_that_could_not_be_sent_is_said_on_the_drift_page(client, make_user):
    """Seen in the admin's walk: the jobs page said "Klart" every half minute while the mail
    server refused every connection, and a mail tried four times still read "Väntar på att
    skickas"."""
    admin = await make_user("admin", username="ada3", email="ada3@kommun.example.se")
    await queue_mail("bo@kommun.example.se", "Hej", "Hej!")
    row = await OutboxMessage.select(OutboxMessage.id).first()
    assert row is not None
    await login(client, admin.username)
    calm = await client.get("/drift", headers=HTML)
    assert "har inte kunnat skickas" not in calm.text
    await OutboxMessage.update(
        {OutboxMessage.attempts: 4, OutboxMessage.last_error: "SMTPConnectError: refused"}
    ).where(OutboxMessage.id == row["id"])
    warned = await client.get("/drift", headers=HTML)
    assert "1 mejl har inte kunnat skickas" in warned.text
    mail = await client.get(f"/drift/utkorg/{row['id']}", headers=HTML)
    assert "Väntar på ett nytt försök: 4 försök har misslyckats" in mail.text


async def test_a_mail_failed_for_its_address_names_whose_address_to_correct_and_where(
    client, make_user, smtp
):
    """A6 of a tester's walk: a new user's password link to "åsa.öberg@vargarda.se" failed,
    and the Drift page blamed the mail server, which never saw it; the mail's page called the
    local Swedish reason "Svaret från e-postservern (tekniskt, på engelska)"."""
    from marketplace.kernel.addresses import LOCAL_PART_PROBLEM
    from marketplace.kernel.tables import User
    from tests.builders import make_candidate_row

    admin = await make_user("admin", username="ada", email="ada@kommun.example.se")
    # Addresses stored before the rule refused å, ä and ö before the @.
    asa = await make_user("coordinator", username="asa.oberg", first_name="Åsa", last_name="Öberg")
    await User.update({User.email: "åsa.öberg@vargarda.se"}).where(User.id == asa.id)
    hanna = await make_candidate_row(
        None, "Hanna", last_name="Nyström", email="hanna.nyström@deltagare.demo.example"
    )
    await queue_mail("åsa.öberg@vargarda.se", "Välj ett lösenord", "Länk", recipient_user_id=asa.id)
    await queue_mail("hanna.nyström@deltagare.demo.example", "Underteckna", "Länk")
    settings = smtp.settings()
    assert (await deliver_outbox(dt.datetime.now(dt.UTC), settings))["failed"] == 2
    assert smtp.inbox.received == []
    to_asa, to_hanna = [
        r["id"] for r in await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id)
    ]

    await login(client, admin.username)
    drift = await client.get("/drift", headers=HTML)
    assert "2 mejl har inte kunnat skickas för att mottagarens adress" in drift.text
    assert "felet är adressen, inte inställningarna för e-post" in drift.text
    assert "e-postservern har inte tagit emot" not in drift.text
    assert f'<a href="/drift/utkorg/{to_asa}">åsa.öberg@vargarda.se</a>' in drift.text
    assert f'<a href="/drift/utkorg/{to_hanna}">hanna.nyström@deltagare.demo.example</a>' in (
        drift.text
    )
    assert "Nyström</" not in drift.text  # the participant is named only on the mail's page

    listing = await client.get("/drift/utkorg", params={"status": "failed"}, headers=HTML)
    assert listing.text.count(f"Mottagarens adress: {LOCAL_PART_PROBLEM}") == 2
    assert '<code lang="en">' not in listing.text

    page = await client.get(f"/drift/utkorg/{to_asa}", headers=HTML)
    assert "Svaret från e-postservern" not in page.text
    assert f"Mottagarens adress: {LOCAL_PART_PROBLEM} E-postservern har inte fått" in page.text
    assert (
        f'Användaren Åsa Öberg (asa.oberg): <a href="/drift/anvandare/{asa.id}">Rätta adressen '
        "på användarens sida</a>."
    ) in page.text
    before = await AuditEntry.count().where(AuditEntry.subject_id == hanna)
    page = await client.get(f"/drift/utkorg/{to_hanna}", headers=HTML)
    assert (
        f'Deltagaren Hanna Nyström: <a href="/arbetsbord/deltagare/{hanna}/profil">Rätta '
        "adressen i deltagarens uppgifter</a>."
    ) in page.text
    # Naming the participant is a read of her record, audited.
    read = await AuditEntry.select().where(AuditEntry.subject_id == hanna)
    assert len(read) == before + 1 and read[-1]["action"] == "outbox.read"

    # Once the address is corrected, the mail's page says so rather than naming no one.
    await User.update({User.email: "asa.oberg@vargarda.se"}).where(User.id == asa.id)
    page = await client.get(f"/drift/utkorg/{to_asa}", headers=HTML)
    assert "Ingen sparad uppgift i tjänsten har längre den adressen" in page.text

    # A mail the server refuses is still the server's, in its own words, apart.
    await queue_mail("finns.inte@vargarda.se", "Tredje", "Hej!")
    smtp.inbox.refuse_code = 550
    for _ in range(settings.mail_max_attempts):
        await OutboxMessage.update({OutboxMessage.next_attempt_at: dt.datetime.now(dt.UTC)}).where(
            OutboxMessage.status == "pending"
        )
        await deliver_outbox(dt.datetime.now(dt.UTC), settings)
    refused = (
        await OutboxMessage.select(OutboxMessage.id)
        .where(OutboxMessage.recipient == "finns.inte@vargarda.se")
        .first()
    )
    assert refused is not None
    drift = await client.get("/drift", headers=HTML)
    assert "2 mejl har inte kunnat skickas för att mottagarens adress" in drift.text
    assert "1 mejl har inte kunnat skickas (det senaste skapat" in drift.text
    page = await client.get(f"/drift/utkorg/{refused['id']}", headers=HTML)
    assert 'Svaret från e-postservern (tekniskt, på engelska): <code lang="en">' in page.text
    assert "Rätta adressen" not in page.text
