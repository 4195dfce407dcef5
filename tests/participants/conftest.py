"""Fixtures of the participant's own pages: a participant's world, an e-ID broker (a real
OIDC provider, `tests/oidcutil.py`) and signing in through a single-use link."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import OutboxMessage
from participants import oidc, sessions
from tests.oidcutil import Provider, oidc_provider
from tests.placements.bookingdata import PNR

# Two people known to the broker: one registered as a participant, one not.
KNOWN_SUBJECT = "aida"
UNKNOWN_SUBJECT = "okand"
UNKNOWN_PNR = "19900101-0017"


@pytest.fixture(scope="module")
def broker() -> Iterator[Provider]:
    redirect = get_settings().base_url + oidc.CALLBACK_PATH
    accounts = {
        KNOWN_SUBJECT: {"personal_number": PNR.replace("-", ""), "name": "Aida Andersson"},
        UNKNOWN_SUBJECT: {"personal_number": UNKNOWN_PNR, "name": "Okänd Person"},
    }
    with oidc_provider(accounts, redirect) as provider:
        yield provider


@pytest.fixture
def eid_on(broker: Provider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    """The service configured for the broker (OIDC_ISSUER, client id and secret)."""
    monkeypatch.setenv("OIDC_ISSUER", broker.issuer)
    monkeypatch.setenv("OIDC_CLIENT_ID", broker.client_id)
    monkeypatch.setenv("OIDC_CLIENT_SECRET", broker.client_secret)
    get_settings.cache_clear()
    assert get_settings().oidc_enabled
    yield broker
    monkeypatch.undo()
    get_settings.cache_clear()


async def link_mail(candidate_id: int) -> str:
    """The text of the newest sign-in link mailed to the participant."""
    row = (
        await OutboxMessage.select(OutboxMessage.body_text)
        .where(
            (OutboxMessage.candidate == candidate_id) & (OutboxMessage.kind == "participant.link")
        )
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert row is not None
    return str(row["body_text"])


async def mailed_link(candidate_id: int) -> str:
    """The path of the newest sign-in link mailed to the participant (with the language it
    names, when the participant chose one)."""
    found = re.search(
        r"(/mina-sidor/logga-in/lank/[A-Za-z0-9_-]+(?:\?sprak=[a-z]+)?)",
        await link_mail(candidate_id),
    )
    assert found
    return found.group(1)


async def sign_in_by_link(client: AsyncTestClient[Litestar], path: str) -> int:
    """Open the link page (it spends nothing) and press the button; return the status."""
    page = await client.get(path, headers={"accept": "text/html"})
    assert page.status_code == 200
    csrf = client.cookies.get("mp_csrf") or ""
    response = await client.post(
        path,
        data={},
        headers={"x-csrftoken": csrf, "accept": "text/html"},
        follow_redirects=False,
    )
    return response.status_code


def signed_in(client: AsyncTestClient[Litestar]) -> bool:
    return bool(client.cookies.get(sessions.SESSION_COOKIE))


async def form_post(
    client: AsyncTestClient[Litestar], path: str, data: dict[str, str] | None = None
):
    """Post an HTML form as a browser does: with the CSRF cookie's token."""
    if not client.cookies.get("mp_csrf"):
        await client.get("/", headers={"accept": "text/html"})
    csrf = client.cookies.get("mp_csrf") or ""
    return await client.post(
        path,
        data=data or {},
        headers={"x-csrftoken": csrf, "accept": "text/html"},
        follow_redirects=False,
    )
