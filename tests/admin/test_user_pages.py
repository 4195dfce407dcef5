"""Admins manage users in the Swedish UI: create staff (who choose their own password through
a single-use link), change details and roles, disable and enable, reset the second factor.
Every change is audited; destructive steps ask first; nobody can lock the service out."""

from __future__ import annotations

import datetime as dt
import re

from marketplace.kernel.mail import deliver_outbox
from marketplace.kernel.tables import AuditEntry, OutboxMessage, PasswordLink, User, UserSession
from tests.builders import make_candidate_row, make_outbox_message
from tests.conftest import login

HTML = {"accept": "text/html"}
NEW_PASSWORD = "sommar regn och kaffe 2027"


def csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def _form_post(client, page_path: str, action: str, data: dict[str, str]):
    page = await client.get(page_path, headers=HTML)
    return await client.post(
        action,
        data={**data, "_csrf_token": csrf(page.text)},
        headers=HTML,
        follow_redirects=False,
    )


async def _as_admin(client, make_user):
    admin = await make_user("admin", username="ada", email="ada@kommun.example.se")
    await login(client, "ada")
    client.headers.pop("x-csrftoken", None)
    return admin


async def _active(user_id: int) -> bool:
    row = await User.select(User.active).where(User.id == user_id).first()
    assert row is not None
    return bool(row["active"])


async def _audits(action: str) -> int:
    return int(await AuditEntry.count().where(AuditEntry.action == action))


async def test_list_filters_sorts_and_pages(client, make_user):
    await _as_admin(client, make_user)
    for i in range(3):
        await make_user("coordinator", username=f"sam{i}", first_name="Sam", last_name=f"Ö{i}")
    await make_user("analyst", username="ana", first_name="Ana", last_name="Lys")
    page = await client.get("/drift/anvandare?roll=coordinator&sortera=namn", headers=HTML)
    assert page.status_code == 200
    assert "Samordnare" in page.text and "ana</td>" not in page.text
    assert page.text.index("Sam Ö0") < page.text.index("Sam Ö2")
    # Unknown filter values fall back to defaults instead of failing.
    odd = await client.get("/drift/anvandare?roll=x&status=y&sortera=z", headers=HTML)
    assert odd.status_code == 200 and "Ana Lys" in odd.text
    # The unknown order is said at the sort box, in the box's words.
    assert (
        '<span class="hint" id="f-sortera-hint">Sorteringen i sidans adress finns inte längre, '
        "så listan visas i ordningen \u201dNamn\u201d. Välj en annan ordning i rutan.</span>"
    ) in odd.text
    assert "f-sortera-hint" not in page.text
    # So are an unknown role and status: the list is everyone's, and the box says why.
    for name, words in (("roll", "Alla roller"), ("status", "Alla")):
        assert (
            f'<span class="hint" id="f-{name}-hint">Valet i sidans adress finns inte, så '
            f"listan visas med \u201d{words}\u201d. Välj i rutan.</span>"
        ) in odd.text
        assert f'aria-describedby="f-{name}-hint"' in odd.text
        assert f"f-{name}-hint" not in page.text
    nav = await client.get("/drift/jobb", headers=HTML)
    assert 'href="/drift/anvandare"' in nav.text


async def test_create_staff_user_mails_a_single_use_link_and_the_person_sets_a_password(
    client, make_client, make_user
):
    await _as_admin(client, make_user)
    # Every error at once, each at its field, nothing created.
    wrong = await _form_post(
        client,
        "/drift/anvandare/ny",
        "/drift/anvandare/ny",
        {
            "username": "",
            "first_name": "",
            "last_name": "Berg",
            "email": "inte-en-adress",
            "role": "coordinator",
        },
    )
    assert wrong.status_code == 400
    for field in ("username", "first_name", "email"):
        assert f'id="f-{field}-error"' in wrong.text
    assert 'value="Berg"' in wrong.text
    assert await User.count().where(User.last_name == "Berg") == 0

    created = await _form_post(
        client,
        "/drift/anvandare/ny",
        "/drift/anvandare/ny",
        {
            "username": "linnea.berg",
            "first_name": "Linnéa",
            "last_name": "Berg",
            "email": "Linnea.Berg@Kommun.example.se",
            "role": "coordinator",
            "team": "Norr",
        },
    )
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    shown = await client.get(location, headers=HTML)
    assert "Användaren är skapad" in shown.text and "Samordnare" in shown.text
    row = await User.select().where(User.username == "linnea.berg").first()
    assert row is not None and row["email"] == "linnea.berg@kommun.example.se"
    assert row["team"] == "Norr" and row["role"] == "coordinator"
    assert await _audits("user.create") == 1
    mail = (
        await OutboxMessage.select()
        .where(OutboxMessage.recipient == "linnea.berg@kommun.example.se")
        .first()
    )
    assert mail is not None and "välj ett lösenord" in mail["subject"]
    link = re.search(r"/konto/nytt-losenord/[A-Za-z0-9_\-]+", mail["body_text"])
    assert link
    path = link.group(0)

    person = await make_client()
    page = await person.get(path, headers=HTML)
    assert page.status_code == 200 and "linnea.berg" in page.text
    assert page.headers["cache-control"] == "no-store"
    token = csrf(page.text)
    mismatch = await person.post(
        path,
        data={"password": NEW_PASSWORD, "repeat": "något annat helt", "_csrf_token": token},
        headers=HTML,
    )
    assert mismatch.status_code == 400 and "inte likadana" in mismatch.text
    weak = await person.post(
        path, data={"password": "kort", "repeat": "kort", "_csrf_token": token}, headers=HTML
    )
    assert weak.status_code == 400 and "minst 12 tecken" in weak.text
    done = await person.post(
        path,
        data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD, "_csrf_token": token},
        headers=HTML,
    )
    assert done.status_code == 200 and "Lösenordet är sparat" in done.text
    signed_in = await person.post(
        "/api/v1/auth/login", json={"username": "linnea.berg", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 200
    # Single use.
    again = await person.get(path, headers=HTML)
    assert again.status_code == 404 and "redan använd" in again.text


def _field_error(html: str, field: str) -> str:
    """The message shown next to `field` ("" when it has none)."""
    found = re.search(rf'<span class="error" id="f-{field}-error">([^<]*)</span>', html)
    return found.group(1) if found else ""


async def test_an_address_with_a_or_o_before_the_at_is_refused_at_its_field(client, make_user):
    """A6 of a tester's walk: "åsa.öberg@vargarda.se" made the user and said a password link
    was in the outbox; the link then failed there, as no mail can go to that address."""
    await _as_admin(client, make_user)
    typed = {
        "username": "asa.oberg",
        "first_name": "Åsa",
        "last_name": "Öberg",
        "email": "åsa.öberg@vargarda.se",
        "role": "coordinator",
    }
    refused = await _form_post(client, "/drift/anvandare/ny", "/drift/anvandare/ny", typed)
    assert refused.status_code == 400
    assert (
        '<span class="error" id="f-email-error">E-postadressen åsa.öberg@vargarda.se går inte '
        "att skicka e-post till: före @ får en adress bara ha bokstäverna a–z (inte å, ä, ö "
        "eller é), siffror och tecken som . - _ +. Menar du asa.oberg@vargarda.se?</span>"
    ) in refused.text
    assert 'value="åsa.öberg@vargarda.se"' in refused.text and 'value="Öberg"' in refused.text
    assert await User.count().where(User.username == "asa.oberg") == 0
    assert await OutboxMessage.count() == 0
    created = await _form_post(
        client,
        "/drift/anvandare/ny",
        "/drift/anvandare/ny",
        {**typed, "email": "asa.oberg@vargarda.se"},
    )
    assert created.status_code == 303
    assert (
        await OutboxMessage.count().where(OutboxMessage.recipient == "asa.oberg@vargarda.se") == 1
    )


async def test_a_new_user_form_tells_every_problem_at_once_and_which_name_is_taken(
    client, make_user
):
    await _as_admin(client, make_user)
    await make_user("coordinator", username="taken.name", email="taken@kommun.example.se")
    # An invalid address, a partner contact without an agency and a user name already taken:
    # one answer, each on its own field (the tester met them in three rounds).
    wrong = await _form_post(
        client,
        "/drift/anvandare/ny",
        "/drift/anvandare/ny",
        {
            "username": "taken.name",
            "first_name": "Nora",
            "last_name": "Partner",
            "email": "inte-en-adress",
            "role": "partner",
            "agency_id": "",
        },
    )
    assert wrong.status_code == 400
    assert "används redan" in _field_error(wrong.text, "username")
    assert "ser inte rätt ut" in _field_error(wrong.text, "email")
    assert "Välj vilken myndighet" in _field_error(wrong.text, "agency_id")
    assert 'value="Nora"' in wrong.text and 'value="inte-en-adress"' in wrong.text
    start = wrong.text.index('id="error-summary"')
    summary = wrong.text[start : wrong.text.index("</div>", start)]
    assert summary.index("#f-username") < summary.index("#f-email")
    assert summary.index("#f-email") < summary.index("#f-agency_id")

    # A taken address is said at the e-mail field only, not at the user name.
    address = await _form_post(
        client,
        "/drift/anvandare/ny",
        "/drift/anvandare/ny",
        {
            "username": "nora.ny",
            "first_name": "Nora",
            "last_name": "Partner",
            "email": "Taken@Kommun.example.se",
            "role": "coordinator",
        },
    )
    assert address.status_code == 400
    assert "redan den e-postadressen" in _field_error(address.text, "email")
    assert _field_error(address.text, "username") == ""
    # And a taken user name at the user name only.
    name = await _form_post(
        client,
        "/drift/anvandare/ny",
        "/drift/anvandare/ny",
        {
            "username": "taken.name",
            "first_name": "Nora",
            "last_name": "Partner",
            "email": "nora@kommun.example.se",
            "role": "coordinator",
        },
    )
    assert name.status_code == 400
    assert "används redan" in _field_error(name.text, "username")
    assert _field_error(name.text, "email") == ""
    assert await User.count().where(User.last_name == "Partner") == 0


async def test_editing_a_user_tells_every_problem_at_once(client, make_user):
    await _as_admin(client, make_user)
    await make_user("analyst", username="other", email="other@kommun.example.se")
    coordinator = await make_user("coordinator", username="cia", first_name="Cia", last_name="Ek")
    await make_candidate_row(
        coordinator.id, "Aida", last_name="Deltagare", email="", registered_at=dt.date(2026, 1, 5)
    )
    page = f"/drift/anvandare/{coordinator.id}"
    # A name left empty, an address another user has and a role the coordinator cannot leave.
    wrong = await _form_post(
        client,
        page,
        page,
        {
            "first_name": "",
            "last_name": "Ek",
            "email": "other@kommun.example.se",
            "role": "analyst",
        },
    )
    assert wrong.status_code == 400
    assert _field_error(wrong.text, "first_name")
    assert "redan den e-postadressen" in _field_error(wrong.text, "email")
    assert "Lämna över" in _field_error(wrong.text, "role")
    row = await User.select(User.role, User.first_name).where(User.id == coordinator.id).first()
    assert row == {"role": "coordinator", "first_name": "Cia"}


async def test_an_expired_link_is_refused(client, make_user):
    await _as_admin(client, make_user)
    target = await make_user("analyst", username="ture", email="ture@kommun.example.se")
    shown = await _form_post(
        client,
        f"/drift/anvandare/{target.id}",
        f"/drift/anvandare/{target.id}/losenordslank",
        {},
    )
    assert shown.status_code == 303
    assert await _audits("user.password_link") == 1
    await PasswordLink.update(
        {PasswordLink.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
    ).where(PasswordLink.user == target.id)
    mail = await OutboxMessage.select().where(OutboxMessage.recipient_user_id == target.id).first()
    assert mail is not None
    path = re.search(r"/konto/nytt-losenord/[A-Za-z0-9_\-]+", mail["body_text"])
    assert path
    expired = await client.get(path.group(0), headers=HTML)
    assert expired.status_code == 404


async def test_disable_asks_first_ends_sessions_and_can_be_undone(client, make_client, make_user):
    admin = await _as_admin(client, make_user)
    target = await make_user("coordinator", username="kim")
    other = await make_client()
    await login(other, "kim")
    assert await UserSession.count().where(UserSession.user == target.id) == 1
    page = f"/drift/anvandare/{target.id}"
    unticked = await _form_post(client, page, f"{page}/stang-av", {})
    assert unticked.status_code == 400 and "Kryssa i rutan" in unticked.text
    assert await _active(target.id)
    ticked = await _form_post(client, page, f"{page}/stang-av", {"confirm_disable": "1"})
    assert ticked.status_code == 303
    assert not await _active(target.id)
    assert await UserSession.count().where(UserSession.user == target.id) == 0
    assert await _audits("user.disable") == 1
    enabled = await _form_post(client, page, f"{page}/aktivera", {})
    assert enabled.status_code == 303
    assert await _active(target.id)
    # Nobody locks themselves out.
    own = f"/drift/anvandare/{admin.id}"
    refused = await _form_post(client, own, f"{own}/stang-av", {"confirm_disable": "1"})
    assert refused.status_code == 409 and "ditt eget konto" in refused.text


def _link_in(body: str) -> str:
    found = re.search(r"/konto/nytt-losenord/[A-Za-z0-9_\-]+", body)
    assert found
    return found.group(0)


async def _mails_to(user_id: int) -> list[str]:
    rows = (
        await OutboxMessage.select(OutboxMessage.body_text)
        .where(OutboxMessage.recipient_user_id == user_id)
        .order_by(OutboxMessage.id)
    )
    return [r["body_text"] for r in rows]


async def test_a_disabled_account_gets_no_password_link_and_its_unused_links_end(client, make_user):
    """Seen in a tester's walk: a disabled user could be sent a password link, which
    answered 404 "Be en administratör skicka en ny länk" (a loop back to the admin), the
    page still said an unused link was waiting, and the old links worked again once the
    account was re-activated. Now disabling ends the unused links (and says so), a disabled
    account is offered no link and a post for one is refused in Swedish, and re-activating
    offers to send a new one."""
    await _as_admin(client, make_user)
    target = await make_user("analyst", username="test.walka", email="walka@kommun.example.se")
    page = f"/drift/anvandare/{target.id}"
    sent = await _form_post(client, page, f"{page}/losenordslank", {})
    assert sent.status_code == 303
    [body] = await _mails_to(target.id)
    old_link = _link_in(body)
    assert "En oanvänd länk väntar" in (await client.get(page, headers=HTML)).text
    disabled = await _form_post(client, page, f"{page}/stang-av", {"confirm_disable": "1"})
    assert disabled.status_code == 303
    landing = await client.get(disabled.headers["location"], headers=HTML)
    assert "oanvända länkar för att välja lösenord slutade gälla" in landing.text
    # The page no longer claims a link waits, and offers none.
    assert "En oanvänd länk väntar" not in landing.text
    assert f'action="{page}/losenordslank"' not in landing.text
    assert "Ett avstängt konto kan inte få en länk för att välja lösenord" in landing.text
    assert not await PasswordLink.exists().where(
        (PasswordLink.user == target.id) & PasswordLink.used_at.is_null()
    )
    audited = await AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == "user.disable")
    assert audited == [{"detail": "1 oanvänd lösenordslänk slutade gälla"}]
    # A post all the same (an old tab) is refused in Swedish; no link is made or mailed.
    refused = await _form_post(client, page, f"{page}/losenordslank", {})
    assert refused.status_code == 409
    assert "Kontot är avstängt" in refused.text and "Aktivera användaren först" in refused.text
    assert await PasswordLink.count().where(PasswordLink.user == target.id) == 1
    assert len(await _mails_to(target.id)) == 1
    assert await _audits("user.password_link") == 1
    # Re-activated, the old link stays dead, and the page offers a new one.
    enabled = await _form_post(client, page, f"{page}/aktivera", {})
    assert enabled.status_code == 303
    landing = await client.get(enabled.headers["location"], headers=HTML)
    assert "skicka en ny länk här nedan" in landing.text
    assert f'action="{page}/losenordslank"' in landing.text
    assert (await client.get(old_link, headers=HTML)).status_code == 404
    again = await _form_post(client, page, f"{page}/losenordslank", {})
    assert again.status_code == 303
    new_link = _link_in((await _mails_to(target.id))[-1])
    assert (await client.get(new_link, headers=HTML)).status_code == 200


async def test_links_left_unused_on_an_account_disabled_before_do_not_come_back(client, make_user):
    """An account disabled before disabling ended its links may still hold an unused one:
    its page does not call it waiting, and re-activating the account ends it."""
    await _as_admin(client, make_user)
    target = await make_user("analyst", username="gammal", email="gammal@kommun.example.se")
    page = f"/drift/anvandare/{target.id}"
    assert (await _form_post(client, page, f"{page}/losenordslank", {})).status_code == 303
    link = _link_in((await _mails_to(target.id))[0])
    await User.update({User.active: False}).where(User.id == target.id)  # as it was done
    shown = await client.get(page, headers=HTML)
    assert "En oanvänd länk väntar" not in shown.text
    assert (await client.get(link, headers=HTML)).status_code == 404
    assert (await _form_post(client, page, f"{page}/aktivera", {})).status_code == 303
    assert (await client.get(link, headers=HTML)).status_code == 404
    assert "En oanvänd länk väntar" not in (await client.get(page, headers=HTML)).text


async def test_disabling_over_the_api_and_the_command_line_ends_unused_links_too(client, make_user):
    from marketplace.kernel import auth

    admin = await make_user("admin", username="api.ada")
    for name in ("via.api", "via.cli"):
        user = await make_user("analyst", username=name, email=f"{name}@kommun.example.se")
        await PasswordLink.insert(
            PasswordLink(
                user=user.id,
                token_hash=f"hash-{name}",
                created_by=admin.id,
                created_at=dt.datetime.now(dt.UTC),
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
            )
        )
    await login(client, "api.ada")
    via_api = await User.select(User.id).where(User.username == "via.api").first()
    assert via_api is not None
    answer = await client.post(f"/api/v1/users/{via_api['id']}/disable")
    assert answer.status_code == 200, answer.text
    await auth.set_active("via.cli", False)  # what `marketplace users disable` calls
    assert not await PasswordLink.exists().where(PasswordLink.used_at.is_null())


async def test_reset_second_factor_asks_first_and_is_audited(client, make_user):
    await _as_admin(client, make_user)
    target = await make_user("coordinator", username="tor")
    await User.update({User.totp_enabled: True, User.totp_secret: "JBSWY3DPEHPK3PXP"}).where(
        User.id == target.id
    )
    page = f"/drift/anvandare/{target.id}"
    unticked = await _form_post(client, page, f"{page}/tvasteg", {})
    assert unticked.status_code == 400
    done = await _form_post(client, page, f"{page}/tvasteg", {"confirm_totp": "1"})
    assert done.status_code == 303
    row = await User.select(User.totp_enabled, User.totp_secret).where(User.id == target.id).first()
    assert row == {"totp_enabled": False, "totp_secret": ""}
    assert await _audits("user.totp_reset") == 1


async def test_role_changes_keep_participants_and_admins_safe(client, make_user):
    admin = await _as_admin(client, make_user)
    coordinator = await make_user("coordinator", username="cia", first_name="Cia", last_name="Ek")
    await make_candidate_row(
        coordinator.id,
        "Aida",
        last_name="Deltagare",
        email="",
        registered_at=dt.date(2026, 1, 5),
    )
    page = f"/drift/anvandare/{coordinator.id}"
    fields = {"first_name": "Cia", "last_name": "Ek", "email": "cia@kommun.example.se"}
    refused = await _form_post(client, page, page, {**fields, "role": "analyst"})
    assert refused.status_code == 409 and "Lämna över" in refused.text
    renamed = await _form_post(client, page, page, {**fields, "role": "coordinator", "team": "Syd"})
    assert renamed.status_code == 303
    assert await _audits("user.update") == 1
    own = f"/drift/anvandare/{admin.id}"
    demote = await _form_post(
        client,
        own,
        own,
        {
            "first_name": "Ada",
            "last_name": "A",
            "email": "ada@kommun.example.se",
            "role": "analyst",
        },
    )
    assert demote.status_code == 409 and "egen administratörsroll" in demote.text


async def test_the_user_list_sorts_names_and_roles_the_swedish_way(client, make_user):
    """Names: Å Ä Ö after Z in that order, small letters beside capitals. Roles: in the order
    of the words the list shows (Partnerkontakt before Samordnare), not of the codes."""
    from admin.services.users import list_users

    await make_user("admin", username="boss", first_name="Ada", last_name="Adminsson")
    await make_user("coordinator", username="s1", first_name="Sam", last_name="Ängman")
    await make_user("coordinator", username="s2", first_name="Sam", last_name="åkesson")
    await make_user("partner", username="p1", first_name="Pia", last_name="Zetterlund")
    page = await list_users(sort="namn")
    assert [r.last_name for r in page.rows] == ["Adminsson", "Zetterlund", "åkesson", "Ängman"]
    page = await list_users(sort="roll")
    assert [r.role for r in page.rows] == ["admin", "partner", "coordinator", "coordinator"]
    page = await list_users(sort="anvandarnamn")
    assert [r.username for r in page.rows] == ["boss", "p1", "s1", "s2"]
    await _as_admin(client, make_user)
    shown = (await client.get("/drift/anvandare?sortera=roll", headers=HTML)).text
    assert shown.index("Pia Zetterlund") < shown.index("Sam åkesson") < shown.index("Sam Ängman")


async def _deliver_until_done(smtp) -> None:
    """Run the delivery until no mail waits: each one sent, or failed for good."""
    settings = smtp.settings()
    for _ in range(settings.mail_max_attempts):
        await OutboxMessage.update({OutboxMessage.next_attempt_at: dt.datetime.now(dt.UTC)}).where(
            OutboxMessage.status == "pending"
        )
        await deliver_outbox(dt.datetime.now(dt.UTC), settings)


async def test_a_corrected_address_gets_the_mail_that_failed_for_the_old_one(
    client, make_user, smtp
):
    """A tester's day: a password link to a mistyped address failed (the server refused
    it); the admin corrected the address, and nothing was sent to the new one. Now the
    user's mails from the last week that failed for the old address go to the new one, and
    the page says so; an older link mail (its link ended by the newer one), a mail older
    than a week and a mail to someone else at the old address stay where they are."""
    await _as_admin(client, make_user)
    old, new = "bo@fel.example.se", "bo@kommun.example.se"
    target = await make_user("analyst", username="bo", first_name="Bo", last_name="Ek", email=old)
    page = f"/drift/anvandare/{target.id}"
    for _ in range(2):  # the second link ends the first
        assert (await _form_post(client, page, f"{page}/losenordslank", {})).status_code == 303
    first_link, newest_link = (_link_in(body) for body in await _mails_to(target.id))
    await make_outbox_message(
        old,
        "Förra månadens brev",
        recipient_user_id=target.id,
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8),
    )
    await make_outbox_message(old, "Till en kontaktperson med samma adress")
    smtp.inbox.refuse_code = 550
    await _deliver_until_done(smtp)
    assert await OutboxMessage.count().where(OutboxMessage.status == "failed") == 4

    saved = await _form_post(
        client,
        page,
        page,
        {"first_name": "Bo", "last_name": "Ek", "email": new, "role": "analyst", "team": ""},
    )
    assert saved.status_code == 303
    landing = await client.get(saved.headers["location"], headers=HTML)
    assert "skickas nu igen till den nya adressen" in landing.text

    smtp.inbox.refuse_code = 0
    await _deliver_until_done(smtp)
    [arrived] = smtp.inbox.to(new)
    assert _link_in(arrived.text) == newest_link
    assert smtp.inbox.to(old) == []
    assert (await client.get(newest_link, headers=HTML)).status_code == 200
    assert (await client.get(first_link, headers=HTML)).status_code == 404
    still_failed = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.subject).where(
        OutboxMessage.status == "failed"
    )
    assert sorted(r["subject"] for r in still_failed) == [
        "Förra månadens brev",
        "Till en kontaktperson med samma adress",
        "Välj ett nytt lösenord till Praktikplatser",  # the first link's, ended
    ]
    assert {r["recipient"] for r in still_failed} == {old}
    # Saving again, the address unchanged, sends nothing and says only that it is saved.
    again = await _form_post(
        client,
        page,
        page,
        {"first_name": "Bo", "last_name": "Ekberg", "email": new, "role": "analyst", "team": ""},
    )
    assert "klart=anvandare-sparad" in again.headers["location"]
    assert "skickas-igen" not in again.headers["location"]


async def test_admin_rights_are_given_and_taken_only_with_the_box_ticked(client, make_user):
    """Seen by a helper: "Spara uppgifterna" made someone an administrator in one click."""
    await _as_admin(client, make_user)
    cia = await make_user("coordinator", username="cia", first_name="Cia", last_name="Ek")
    page = f"/drift/anvandare/{cia.id}"
    fields = {"first_name": "Cia", "last_name": "Ek", "email": "cia@kommun.example.se"}
    before = await client.get(page, headers=HTML)
    assert 'name="bekrafta_admin"' not in before.text  # nothing to confirm yet
    asked = await _form_post(client, page, page, {**fields, "role": "admin"})
    assert asked.status_code == 400
    assert "Kryssa i rutan för att bekräfta att Cia Ek ska bli administratör" in asked.text
    assert 'name="bekrafta_admin"' in asked.text
    assert await User.exists().where((User.id == cia.id) & (User.role == "coordinator"))
    given = await _form_post(client, page, page, {**fields, "role": "admin", "bekrafta_admin": "1"})
    assert given.status_code == 303
    # Taken back the same way: an admin's page always shows the box.
    shown = await client.get(page, headers=HTML)
    assert 'name="bekrafta_admin"' in shown.text
    kept = await _form_post(client, page, page, {**fields, "role": "coordinator"})
    assert kept.status_code == 400 and "inte längre ska vara administratör" in kept.text
    taken = await _form_post(
        client, page, page, {**fields, "role": "coordinator", "bekrafta_admin": "1"}
    )
    assert taken.status_code == 303
    # A change that keeps the role needs no box.
    renamed = await _form_post(client, page, page, {**fields, "role": "coordinator", "team": "Syd"})
    assert renamed.status_code == 303
