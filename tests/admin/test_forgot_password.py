"""A user who forgot the password asks for a link on the sign-in page (`/glomt-losenord`):
one hour, one use, mailed to the account's own address. The page answers the same whether
an account exists or not; the mails to one account and the asking from one address are
capped. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from admin.services import users
from marketplace.kernel import auth
from marketplace.kernel.tables import AuditEntry, OutboxMessage, PasswordLink, UserSession
from tests.admin.test_user_pages import HTML, NEW_PASSWORD, csrf
from tests.conftest import DEMO_PASSWORD, login

SENT = "/glomt-losenord?klart=losenordslank-begard"


async def _ask(client: AsyncTestClient[Litestar], typed: str, **extra: str):
    form = await client.get("/glomt-losenord", headers=HTML)
    assert form.status_code == 200
    return await client.post(
        "/glomt-losenord",
        data={"adress": typed, "_csrf_token": csrf(form.text), **extra},
        headers=HTML,
        follow_redirects=False,
    )


async def _mails(user_id: int) -> list[str]:
    rows = await OutboxMessage.select(OutboxMessage.body_text).where(
        OutboxMessage.recipient_user_id == user_id
    )
    return [r["body_text"] for r in rows]


async def test_a_forgotten_password_is_chosen_anew_by_a_link_the_user_asks_for(
    client: AsyncTestClient[Litestar], make_client, make_user
) -> None:
    kim = await make_user("coordinator", username="kim", email="kim@kommun.example.se")
    other = await make_client()
    await login(other, "kim")
    signed_out = await client.get("/logga-in", headers=HTML)
    assert '<a href="/glomt-losenord">Glömt lösenordet?</a>' in signed_out.text
    asked = await _ask(client, " Kim@Kommun.example.se ")
    assert asked.status_code == 303 and asked.headers["location"] == SENT
    page = await client.get(SENT, headers=HTML)
    assert "Om det finns ett konto med den e-postadressen" in page.text
    assert "i en timme" in page.text and 'role="status"' in page.text
    [mail] = await _mails(kim.id)
    assert "bad om en länk" in mail and "i en timme" in mail and "administratör" not in mail
    link = await PasswordLink.select().where(PasswordLink.user == kim.id).first()
    assert link is not None and link["created_by"] is None
    assert link["expires_at"] - link["created_at"] == dt.timedelta(hours=1)
    audit = await AuditEntry.select().where(AuditEntry.action == "user.password_link_asked").first()
    assert audit is not None and audit["actor_id"] is None and audit["subject_id"] == kim.id
    # The old password and its sessions go on until the link is used; it sets a new one once.
    assert await UserSession.count().where(UserSession.user == kim.id) == 1
    path = re.search(r"/konto/nytt-losenord/[A-Za-z0-9_\-]+", mail)
    assert path
    form = await client.get(path.group(0), headers=HTML)
    chosen = await client.post(
        path.group(0),
        data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD, "_csrf_token": csrf(form.text)},
        headers=HTML,
    )
    assert chosen.status_code == 200 and "Lösenordet är sparat" in chosen.text
    assert await UserSession.count().where(UserSession.user == kim.id) == 0
    again = await client.get(path.group(0), headers=HTML)
    assert again.status_code == 404 and "Glömt lösenordet?" in again.text
    # By user name too, any case.
    assert (await _ask(client, "KIM")).headers["location"] == SENT
    assert len(await _mails(kim.id)) == 2


async def test_the_answer_says_nothing_of_who_has_an_account(
    client: AsyncTestClient[Litestar], make_user
) -> None:
    gone = await make_user("analyst", username="gone", email="gone@kommun.example.se")
    await users.set_user_active(await make_user("admin", username="ada"), gone.id, False)
    mailless = await make_user("analyst", username="utan")  # no address: "@example.invalid"
    for typed in ("ingen@kommun.example.se", "ingen", "gone@kommun.example.se", "utan"):
        answer = await _ask(client, typed)
        assert answer.status_code == 303 and answer.headers["location"] == SENT, typed
    assert await _mails(gone.id) == [] and await _mails(mailless.id) == []
    assert await PasswordLink.count() == 0


async def test_asking_is_capped_per_account_and_per_address(
    client: AsyncTestClient[Litestar], make_user
) -> None:
    kim = await make_user("coordinator", username="kim", email="kim@kommun.example.se")
    for _ in range(users.FORGOT_PER_ACCOUNT + 1):
        assert (await _ask(client, "kim")).headers["location"] == SENT
    # No more mail to the account within the hour, and the page still says the same.
    assert len(await _mails(kim.id)) == users.FORGOT_PER_ACCOUNT
    for _ in range(users.FORGOT_PER_CLIENT - users.FORGOT_PER_ACCOUNT - 1):
        assert (await _ask(client, "ingen")).status_code == 303
    refused = await _ask(client, "ingen")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Härifrån har det begärts för många länkar" in refused.text
    assert "<h2>Försök igen senare</h2>" in refused.text  # nothing is wrong with the form
    assert "Formuläret behöver rättas" not in refused.text
    assert 'value="ingen"' in refused.text  # what was typed stays in the box


async def test_an_empty_or_unreadable_address_is_refused_at_its_box(
    client: AsyncTestClient[Litestar], make_user
) -> None:
    await make_user("coordinator", username="kim", email="kim@kommun.example.se")
    empty = await _ask(client, "  ")
    assert empty.status_code == 400 and users.FORGOT_EMPTY in empty.text
    assert 'aria-invalid="true"' in empty.text
    hidden = await _ask(client, "kim\x07")
    assert hidden.status_code == 400 and "osynligt styrtecken" in hidden.text
    assert await PasswordLink.count() == 0
    assert DEMO_PASSWORD  # the demo's password is untouched: nothing was sent


async def test_a_post_that_is_no_utf8_is_refused_in_swedish(
    client: AsyncTestClient[Litestar], make_user
) -> None:
    # A staff form's broken bytes were stored as "\ufffd" (a host's name read "\ufffd\ufffd").
    await make_user("coordinator", username="kim", email="kim@kommun.example.se")
    form = await client.get("/glomt-losenord", headers=HTML)
    refused = await client.post(
        "/glomt-losenord",
        content=b"adress=kim%ff&_csrf_token=" + csrf(form.text).encode(),
        headers={**HTML, "content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert "inte kodad som UTF-8" in refused.text and "Ladda om sidan" in refused.text
    assert await PasswordLink.count() == 0


async def test_a_link_that_cannot_be_sent_is_logged_not_shown(monkeypatch, caplog) -> None:
    # The account is looked up after the answer has gone: a failure there reaches no page.
    async def broken(text: str) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(users, "send_asked_link", broken)
    await users.send_asked_link_quietly("kim")
    assert "could not be sent" in caplog.text


async def test_asking_ends_no_link_an_admin_sent_and_the_first_used_ends_the_rest(
    client: AsyncTestClient[Litestar], make_user
) -> None:
    """A stranger who knew a new colleague's user name cancelled the admin's 7-day link by
    asking for one in their name. Asking ends only links asked for so; whichever link is
    used first ends the others."""
    admin = await make_user("admin", username="ada", email="ada@kommun.example.se")
    await users.create_staff_user(
        admin,
        users.StaffUserCreate(
            username="tid01",
            first_name="Tim",
            last_name="Ny",
            email="tid01@kommun.example.se",
            role="analyst",
        ),
    )
    rows = await PasswordLink.select().order_by(PasswordLink.id)
    [welcome] = rows
    assert welcome["created_by"] == admin.id
    assert (await _ask(client, "tid01")).headers["location"] == SENT
    assert (await _ask(client, "tid01")).headers["location"] == SENT
    links = await PasswordLink.select().order_by(PasswordLink.id)
    assert [link["used_at"] is None for link in links] == [True, False, True]
    # The admin's link still opens; choosing a password by the asked one ends it.
    mails = await _mails(welcome["user"])
    found = [re.search(r"/konto/nytt-losenord/[A-Za-z0-9_\-]+", m) for m in mails]
    paths = [m.group(0) for m in found if m]
    assert len(paths) == 3
    assert (await client.get(paths[0], headers=HTML)).status_code == 200
    form = await client.get(paths[-1], headers=HTML)
    # A field sent twice is read as the last (the list's text became the password).
    chosen = await client.post(
        paths[-1],
        data={
            "password": ["fel lösenord som kom först", NEW_PASSWORD],
            "repeat": ["x", NEW_PASSWORD],
            "_csrf_token": csrf(form.text),
        },
        headers=HTML,
    )
    assert chosen.status_code == 200 and "Lösenordet är sparat" in chosen.text
    assert await auth.authenticate("tid01", NEW_PASSWORD, "", "127.0.0.1")
    assert (await client.get(paths[0], headers=HTML)).status_code == 404
