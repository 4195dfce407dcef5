"""HTTP hygiene: allowed hosts, no CORS, HSTS and Secure cookies in production, no-store."""

from __future__ import annotations

import dataclasses

from marketplace.app import create_app
from marketplace.kernel.settings import get_settings, load_settings
from tests.conftest import DEMO_PASSWORD
from tests.inloop import InLoopClient


async def test_unknown_host_header_is_refused():
    settings = dataclasses.replace(get_settings(), allowed_hosts=("praktik.vargarda.se",))
    async with InLoopClient(create_app(settings), base_url="http://praktik.vargarda.se") as ok:
        assert (await ok.get("/health")).status_code == 200
    async with InLoopClient(create_app(settings), base_url="http://evil.example") as bad:
        assert (await bad.get("/health")).status_code == 400


async def test_cors_is_off_by_default(client):
    response = await client.get("/health", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = await client.options(
        "/api/v1/me",
        headers={"origin": "https://evil.example", "access-control-request-method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_production_sets_hsts_and_secure_cookies(make_user):
    await make_user("coordinator", username="sara")
    current = get_settings()
    settings = load_settings(
        {
            "ENVIRONMENT": "production",
            "SECRET_KEY": current.secret_key,
            "DATABASE_URL": current.database_url,
            "VAR_DIR": str(current.var_dir),
        }
    )
    async with InLoopClient(create_app(settings), base_url="https://testserver.local") as c:
        page = await c.get("/", headers={"accept": "text/html"})
        assert page.headers["strict-transport-security"].startswith("max-age=")
        # OpenAPI is off in production unless enabled.
        assert (await c.get("/schema/openapi.json")).status_code == 404


async def test_personal_answers_are_not_cached(client, make_user):
    await make_user("coordinator", username="sara")
    response = await client.post(
        "/api/v1/auth/login", json={"username": "sara", "password": DEMO_PASSWORD}
    )
    assert response.headers["cache-control"] == "no-store"
    for path in ("/api/v1/me", "/api/v1/tokens", "/"):
        assert (await client.get(path)).headers["cache-control"] == "no-store", path


async def test_schema_is_served_in_development(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"].startswith("Praktikplatser")


async def test_a_link_from_a_mail_comes_back_to_its_page_after_sign_in(client):
    """A host opens "Svara på förslaget: …/vard/bokningar/28" signed out: the 401 page's
    "Logga in" carries the page, so that signing in lands on the proposal, not on /vard."""
    answer = await client.get("/vard/bokningar/28?flik=svar", headers={"accept": "text/html"})
    assert answer.status_code == 401
    assert 'href="/logga-in?next=/vard/bokningar/28%3Fflik%3Dsvar"' in answer.text
    form = await client.get("/logga-in?next=/vard/bokningar/28%3Fflik%3Dsvar")
    assert 'value="/vard/bokningar/28?flik=svar"' in form.text


async def test_head_answers_as_get_without_a_body(client, make_user):
    """Uptime monitors and link checkers ask with HEAD; every page answered 405."""
    for path in ("/health", "/logga-in", "/ansok", "/static/site.css"):
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
    # Signed out, a page behind sign-in sends HEAD where GET goes: to sign in.
    assert (await client.head("/arbetsbord")).status_code in (302, 303, 401)
    # A resource without GET still answers 405, and a HEAD never writes.
    assert (await client.head("/logga-ut")).status_code == 405
