"""Two-step sign-in turned on and off is in the audit log, from Mitt konto (`/konto`) and from
the API (`/api/v1/me/totp`) alike: who did it, to which account, when; never the secret or a
code. The admin reads it in Swedish on the log review page."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pyotp
import time_machine

from marketplace.kernel import auth
from marketplace.kernel.tables import AuditEntry
from tests.conftest import login

HTML = {"accept": "text/html"}
# The columns of an audit row that hold text: none may hold the secret or a code.
TEXT_COLUMNS = ("actor_label", "subject_type", "action", "detail")


def csrf(page: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


async def _totp_rows() -> list[dict[str, Any]]:
    return await (
        AuditEntry.select().where(AuditEntry.action.like("user.totp%")).order_by(AuditEntry.id)
    )


def _assert_written(row: dict[str, Any], action: str, user: Any, at: dt.datetime) -> None:
    """The row says who (the user themself), what, to whose account, and when."""
    assert row["action"] == action
    assert row["actor_id"] == user.id
    assert row["actor_label"] == f"{user.username} ({user.role})"
    assert (row["subject_type"], row["subject_id"]) == ("user", user.id)
    assert row["at"] == at


def _assert_no_secret(rows: list[dict[str, Any]], *secrets: str) -> None:
    """No text of any row holds a secret, in any form it was shown in, nor a code."""
    shown = set()
    for secret in secrets:
        shown |= {secret, secret.lower(), " ".join(re.findall(".{1,4}", secret))}
    for row in rows:
        for column in TEXT_COLUMNS:
            for secret in shown:
                assert secret not in row[column], (column, row[column])


def _secret_on(page: str) -> str:
    uri = re.search(r"otpauth://[^<\"]+", page)
    assert uri, page[:2000]
    return pyotp.parse_uri(html.unescape(uri.group(0))).secret


async def _konto_post(client, action: str, data: dict[str, str]):
    page = await client.get("/konto", headers=HTML)
    assert page.status_code == 200, page.text[:500]
    return await client.post(
        action,
        data={**data, "_csrf_token": csrf(page.text)},
        headers=HTML,
        follow_redirects=False,
    )


async def test_turning_two_step_on_and_off_on_the_account_page_is_audited(
    client, make_client, make_user
):
    user = await make_user("coordinator", username="sara")
    await login(client, "sara")
    client.headers.pop("x-csrftoken", None)  # the page's forms carry their own CSRF field
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with time_machine.travel(now, tick=False) as traveller:
        started = await _konto_post(client, "/konto/tvasteg", {})
        assert started.status_code == 200
        first = _secret_on(started.text)
        # A secret not yet confirmed protects nothing: nothing to audit, nor a wrong code.
        wrong = "000000" if pyotp.TOTP(first).now() != "000000" else "111111"
        refused = await client.post(
            "/konto/tvasteg/bekrafta",
            data={"code": wrong, "_csrf_token": csrf(started.text)},
            headers=HTML,
            follow_redirects=False,
        )
        assert refused.status_code == 400
        assert await _totp_rows() == []

        code_on = pyotp.TOTP(first).now()
        confirmed = await client.post(
            "/konto/tvasteg/bekrafta",
            data={"code": code_on, "_csrf_token": csrf(started.text)},
            headers=HTML,
            follow_redirects=False,
        )
        assert confirmed.status_code == 303
        assert await auth.totp_is_on(user.id)
        [on] = await _totp_rows()
        _assert_written(on, "user.totp_on", user, now)

        # A new app switches the factor off until it is confirmed: that is audited too.
        traveller.shift(dt.timedelta(seconds=30))
        code_off = pyotp.TOTP(first).now()
        replaced = await _konto_post(client, "/konto/tvasteg", {"code": code_off})
        assert replaced.status_code == 200
        second = _secret_on(replaced.text)
        assert not await auth.totp_is_on(user.id)
        on_again, off = await _totp_rows()
        assert on_again == on
        _assert_written(off, "user.totp_off", user, now + dt.timedelta(seconds=30))
        _assert_no_secret([on, off], first, second, wrong, code_on, code_off)

    # The admin reads both in Swedish, with the user's own account as what they are about.
    await make_user("admin", username="alva")
    admin = await make_client()
    await login(admin, "alva")
    review = await admin.get(f"/loggkontroll?actor_id={user.id}", headers=HTML)
    assert review.status_code == 200
    assert "Tvåstegsverifiering påslagen" in review.text
    assert "Tvåstegsverifiering avstängd för att byta app" in review.text
    # (The codes are only the event filter's option values, never shown.)
    assert "user.totp" not in review.text.split("<table", 1)[1]


async def test_turning_two_step_on_and_off_through_the_api_is_audited(client, make_user):
    user = await make_user("admin", username="alva")
    await login(client, "alva")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with time_machine.travel(now, tick=False) as traveller:
        started = await client.post("/api/v1/me/totp")
        assert started.status_code == 201
        first = pyotp.parse_uri(started.json()["provisioning_uri"]).secret
        assert await _totp_rows() == []

        code_on = pyotp.TOTP(first).now()
        confirmed = await client.post("/api/v1/me/totp/confirm", json={"code": code_on})
        assert confirmed.status_code == 200
        [on] = await _totp_rows()
        _assert_written(on, "user.totp_on", user, now)

        # Confirming a factor that is already on turns nothing on: no second row.
        traveller.shift(dt.timedelta(seconds=30))
        again = await client.post("/api/v1/me/totp/confirm", json={"code": pyotp.TOTP(first).now()})
        assert again.status_code == 200
        assert await _totp_rows() == [on]

        # Replacing the app without a current code is refused, and changes nothing.
        assert (await client.post("/api/v1/me/totp", json={"code": ""})).status_code == 400
        assert await _totp_rows() == [on]

        traveller.shift(dt.timedelta(seconds=30))
        code_off = pyotp.TOTP(first).now()
        replaced = await client.post("/api/v1/me/totp", json={"code": code_off})
        assert replaced.status_code == 201
        second = pyotp.parse_uri(replaced.json()["provisioning_uri"]).secret
        on_again, off = await _totp_rows()
        assert on_again == on
        _assert_written(off, "user.totp_off", user, now + dt.timedelta(seconds=60))

        # The new app confirmed turns it on again (a later code: each step counts once).
        traveller.shift(dt.timedelta(seconds=30))
        code_back = pyotp.TOTP(second).now()
        back = await client.post("/api/v1/me/totp/confirm", json={"code": code_back})
        assert back.status_code == 200
        rows = await _totp_rows()
        assert [r["action"] for r in rows] == ["user.totp_on", "user.totp_off", "user.totp_on"]
        _assert_no_secret(rows, first, second, code_on, code_off, code_back)
