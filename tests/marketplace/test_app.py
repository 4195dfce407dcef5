"""The app factory: health, the exception map, limits and the guard on every API route."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from marketplace.kernel.auth import public, route_guards
from tests.builders import make_host, make_host_user, make_user
from tests.placements.test_attacks_signatures import login

# Public API routes: anyone may call them. Every other /api/v1/ route answers 401 anonymously.
PUBLIC_API = {
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/slots/search"),
    ("GET", "/api/v1/taxonomy/occupations"),
    ("GET", "/api/v1/taxonomy"),
    ("GET", "/api/v1/slots"),
    ("GET", "/api/v1/slots/{slot_id:int}"),
    ("POST", "/api/v1/host-applications"),
    ("POST", "/api/v1/host-invitations/check"),
    ("POST", "/api/v1/host-invitations/accept"),
}


async def test_health_checks_database(client):
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["engine"] in {"sqlite", "postgres"}


async def test_unknown_route_is_404_json_and_swedish_html(client):
    api = await client.get("/api/v1/finns-inte")
    assert api.status_code == 404
    assert api.json()["detail"] == "Sidan finns inte, eller så har det du letade efter tagits bort."
    page = await client.get("/finns-inte", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "Sidan finns inte" in page.text
    assert "Traceback" not in page.text


async def test_wrong_method_is_405(client):
    response = await client.delete("/health")
    assert response.status_code == 405


async def test_missing_and_wrong_typed_fields_are_named(client):
    missing = await client.post("/api/v1/auth/login", json={"username": "x"})
    assert missing.status_code == 400
    assert missing.json()["fields"] == ["password"]
    assert missing.json()["detail"] == "Ogiltiga uppgifter. Lösenord måste fyllas i."
    assert missing.json()["errors"] == {"password": "Lösenord måste fyllas i."}
    wrong = await client.post("/api/v1/auth/login", json={"username": 5, "password": "x"})
    assert wrong.status_code == 400
    assert wrong.json()["fields"] == ["username"]
    assert wrong.json()["errors"] == {"username": "Användarnamn ska vara en text."}
    # msgspec stops at the first wrong field; the answer names every one, each once.
    both = await client.post("/api/v1/auth/login", json={"username": 5, "password": 6})
    assert both.json()["errors"] == {
        "username": "Användarnamn ska vara en text.",
        "password": "Lösenord ska vara en text.",
    }
    garbage = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 400


async def test_oversized_body_is_413(client):
    body = b'{"username": "' + b"a" * (2 * 1024 * 1024) + b'", "password": "x"}'
    response = await client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_security_headers(client):
    response = await client.get("/", headers={"accept": "text/html"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # production only


async def test_static_path_traversal_is_404(client):
    assert (await client.get("/static/site.css")).status_code == 200
    assert (await client.get("/static/../settings.py")).status_code == 404
    assert (await client.get("/static/%2e%2e/settings.py")).status_code == 404


async def test_pages_name_static_files_by_content_and_browsers_keep_them(client):
    """Every static file a page names carries its content's digest, and is served to be kept
    a year: a browser fetches each once, not on every page, and a changed file at once."""
    static = Path(__file__).resolve().parents[2] / "marketplace" / "static"
    page = await client.get("/", headers={"accept": "text/html"})
    named = re.findall(r'(?:href|src)="(/static/[^"]*)"', page.text)
    assert {n.split("?")[0] for n in named} >= {
        "/static/site.css",
        "/static/pages.css",
        "/static/htmx.min.js",
        "/static/app.js",
        "/static/favicon.svg",
    }
    for address in named:
        path, _, version = address.partition("?v=")
        content = (static / path.removeprefix("/static/")).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:12], address
        answer = await client.get(address)
        assert answer.status_code == 200 and answer.content == content
        assert answer.headers["cache-control"] == "max-age=31536000, public, immutable"


def test_a_changed_static_file_gets_a_new_address_and_a_missing_one_fails(tmp_path):
    from marketplace.kernel.templating import static_urls

    static = static_urls([tmp_path / "saknas", tmp_path])
    css = tmp_path / "a.css"
    css.write_text("p { color: black }")
    first = static("a.css")
    assert static("a.css") == first
    css.write_text("p { color: navy; }")  # edited while the service runs
    second = static("a.css")
    assert first.startswith("/static/a.css?v=") and second.startswith("/static/a.css?v=")
    assert first != second
    with pytest.raises(LookupError):
        static("saknas.css")


def api_routes(app: Litestar) -> list[tuple[str, str, HTTPRouteHandler]]:
    found = []
    for route in app.routes:
        if not route.path.startswith("/api/v1/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method in {"HEAD", "OPTIONS"}:
                    continue
                found.append((method, route.path, handler))
    return found


async def test_every_api_route_has_a_guard(app):
    routes = api_routes(app)
    assert routes
    for method, path, handler in routes:
        guards = route_guards(handler)
        assert guards, f"{method} {path} has no guard"
        if (method, path) not in PUBLIC_API and not path.startswith("/api/v1/public"):
            assert public not in guards or len(guards) > 1, f"{method} {path} is public"


async def test_every_private_api_route_is_401_anonymously(client, app):
    for method, path, handler in api_routes(app):
        if public in route_guards(handler):
            continue
        url = re.sub(r"\{[^}:]+:int\}", "1", path)
        url = re.sub(r"\{[^}:]+:date\}", "2030-01-07", url)
        url = re.sub(r"\{[^}]+\}", "x", url)
        response = await client.request(method, url, json={})
        assert response.status_code == 401, f"{method} {url}: {response.status_code}"


async def test_an_id_beyond_the_database_range_is_404_not_500(client):
    huge = "1" + "0" * 30
    api = await client.get(f"/api/v1/slots/{huge}")
    assert api.status_code == 404
    assert api.json()["detail"] == "Sidan finns inte, eller så har det du letade efter tagits bort."
    page = await client.get(f"/platser/{huge}", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "Sidan finns inte" in page.text


async def test_every_wrong_query_parameter_is_named_in_swedish_with_the_codes_to_send(client):
    answer = await client.get("/api/v1/slots/", params={"kind": "raket", "town": "x" * 101})
    assert answer.status_code == 400
    body = answer.json()
    assert body["errors"] == {
        "kind": "Typ: välj ett av alternativen (\u201dpraktik\u201d, \u201darbetsträning\u201d).",
        "town": "Ort får vara högst 100 tecken.",
    }
    assert body["detail"] == "Ogiltiga uppgifter. " + " ".join(body["errors"].values())
    assert sorted(body["fields"]) == ["kind", "town"]


async def test_a_wrong_query_parameter_on_a_page_is_swedish_with_a_way_back(client):
    # (A search too long is said on the search page itself: tests/search/test_search_pages.py.)
    answer = await client.get(
        "/platser", params={"kind": "x" * 21}, headers={"accept": "text/html"}
    )
    assert answer.status_code == 400
    assert "Typ får vara högst 20 tecken." in answer.text
    assert "Expected" not in answer.text and "q:" not in answer.text
    assert '<a href="/platser">Visa sidan utan de här valen</a>' in answer.text


async def test_an_error_page_keeps_the_signed_in_menu(client):
    """A signed-in host who followed a stale link saw "Logga in" on the 404 page and took the
    session for lost; the error page now has the user's own menu, with a working sign-out."""
    from tests.builders import make_host, make_host_user
    from tests.placements.test_attacks_signatures import csrf_of, login

    host = await make_host_user(await make_host("Vårgårda Trädgård AB"))
    await login(client, host.username)
    page = await client.get("/vard/bokningar/987654", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "Bokningen finns inte" in page.text
    assert 'href="/vard">Min organisation</a>' in page.text
    assert 'href="/logga-in">Logga in</a>' not in page.text
    signed_out = await client.post(
        "/logga-ut", data={"_csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert signed_out.status_code == 303
    after = await client.get("/vard/bokningar/987654", headers={"accept": "text/html"})
    assert 'href="/logga-in">Logga in</a>' in after.text


async def test_an_error_page_offers_sign_in_to_a_visitor(client):
    page = await client.get("/finns-inte", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert 'href="/logga-in">Logga in</a>' in page.text
    assert "Logga ut" not in page.text


# The assessment's address opened from the address bar (`GET /vard/bokningar/1/bedomning`, an
# address that only takes the form's POST) answered 405 with a menu offering "Logga in", as if
# the host had been signed out. An address no route answers (404, 405) is refused before any
# route's middleware has read the session, so the error page did not know who asked.


def main_menu(html: str) -> str:
    found = re.search(r'<nav aria-label="Huvudmeny">.*?</nav>', html, re.S)
    assert found, "the page has its menu"
    return found.group(0)


async def test_error_pages_show_the_signed_in_hosts_menu(client):
    host_id = await make_host("Vårgårda Trädgård AB", "company")
    user = await make_host_user(host_id, "hanna")
    await login(client, user.username)
    answers = {
        # Only the sign-out form's POST goes to this address, and no page lies above it.
        405: await client.get("/logga-ut", headers={"accept": "text/html"}),
        404: await client.get("/vard/finns-inte", headers={"accept": "text/html"}),
        # A coordinators' page.
        403: await client.get("/arbetsbord", headers={"accept": "text/html"}),
        400: await client.get("/platser?sida=noll", headers={"accept": "text/html"}),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, (status, answer.text[:300])
        shown = main_menu(answer.text)
        assert "Logga ut Hanna" in shown, status
        assert 'href="/vard">Min organisation' in shown, status
        assert "/logga-in" not in shown, status
    assert "Adressen tar bara emot ett ifyllt formulär." in answers[405].text
    assert "Metoden stöds inte" not in answers[405].text  # the API's words, not a page's


async def test_error_pages_show_a_coordinators_menu_and_sign_in_when_signed_out(client):
    coordinator = await make_user("coordinator", username="sara")
    await login(client, coordinator.username)
    for url, status in (("/arbetsbord/finns-inte", 404), ("/logga-ut", 405)):
        answer = await client.get(url, headers={"accept": "text/html"})
        assert answer.status_code == status
        assert 'href="/arbetsbord">Arbetsbord' in main_menu(answer.text), url
        assert "Logga ut Sara" in main_menu(answer.text), url
    # Signed out, the same pages offer to sign in.
    client.cookies.clear()
    for url in ("/logga-ut", "/vard/finns-inte"):
        answer = await client.get(url, headers={"accept": "text/html"})
        assert answer.status_code in (404, 405)
        assert 'href="/logga-in"' in main_menu(answer.text)
        assert "Logga ut" not in main_menu(answer.text)


async def test_a_form_address_opened_in_the_browser_leads_to_its_page(client):
    """A form posts to an address of its own that answers only POST. Reloaded after a refused
    post, or opened from the history or a bookmark ("/arbetsbord/bokningar/12/lankar" from an
    earlier version), it was a 405 page, a dead end: a browser is sent to the page the form
    belongs to, where that page's own guards apply. The API and odd addresses keep the 405."""
    coordinator = await make_user("coordinator", username="sara")
    await login(client, coordinator.username)
    html = {"accept": "text/html"}
    for form, page in (
        ("/arbetsbord/bokningar/12/lankar", "/arbetsbord/bokningar/12"),
        ("/arbetsbord/intag/3/personnummer", "/arbetsbord/intag/3"),
        ("/vard/bokningar/1/bedomning", "/vard/bokningar/1"),
    ):
        answer = await client.get(form, headers=html, follow_redirects=False)
        assert answer.status_code == 303, form
        assert answer.headers["location"] == page
    # The page's own guard answers: a coordinator has no host's pages.
    assert (await client.get("/vard/bokningar/1/bedomning", headers=html)).status_code == 403
    # No page above the address, the API, a program's request, or a path with other
    # characters (whose part could be read as another site): the 405 as before.
    for path, headers in (
        ("/logga-ut", html),
        ("/api/v1/auth/logout", html),
        ("/arbetsbord/bokningar/12/lankar", {"accept": "application/json"}),
        ("/%5Cexample.org/x/lankar", html),
    ):
        answer = await client.get(path, headers=headers, follow_redirects=False)
        assert answer.status_code in (404, 405), path
        assert "location" not in answer.headers, path


async def test_a_form_whose_token_no_longer_matches_says_what_to_do(client, sign_in):
    """Seen in the browser: a form posted without its token (the page open past a new
    session, or the cookies dropped) answered "Du har inte behörighet till det här", which
    sent people looking for a role. Staff and participants are told to reload and send
    again, the participant in their language."""
    from marketplace.app import CSRF_FAILED

    html = {"accept": "text/html"}
    await client.get("/logga-in", headers=html)
    staff = await client.post("/logga-in", data={"username": "x", "password": "y"}, headers=html)
    assert staff.status_code == 403
    assert CSRF_FAILED.split(". ")[1] in staff.text
    client.cookies.set("mp_sprak", "en")
    mine = await client.post("/mina-sidor/sprak", data={"sprak": "ar"}, headers=html)
    assert mine.status_code == 403
    assert "Go back, reload the page and send it again." in mine.text


async def test_a_visitor_who_chose_arabic_meets_a_missing_page_in_arabic(client):
    """Seen in a participant's walk: a mistyped address gave a Swedish staff page to a
    browser that had chosen Arabic. Swedish until a language is chosen."""
    html = {"accept": "text/html"}
    swedish = await client.get("/finns-inte", headers=html)
    assert swedish.status_code == 404 and "Sidan finns inte" in swedish.text
    client.cookies.set("mp_sprak", "ar")
    arabic = await client.get("/finns-inte", headers=html)
    assert arabic.status_code == 404 and '<html lang="ar" dir="rtl">' in arabic.text
    assert "الصفحة غير موجودة، أو أن ما كنت تبحث عنه قد أُزيل." in arabic.text
    assert '<a href="/">إلى الصفحة الرئيسية</a>' in arabic.text
    # No switch: it could only lead back to the address of no page.
    assert 'action="/mina-sidor/sprak"' not in arabic.text
    # The API answers in Swedish JSON as before.
    api = await client.get("/api/v1/finns-inte")
    assert api.status_code == 404 and "Sidan finns inte" in api.json()["detail"]


async def test_a_staff_page_asked_without_sign_in_stays_the_sites_own_page(client):
    """Only the errors a visitor may meet speak their language: a staff page's sign-in
    (401) stays the site's Swedish page whatever the cookie says."""
    client.cookies.set("mp_sprak", "en")
    staff = await client.get("/arbetsbord", headers={"accept": "text/html"}, follow_redirects=False)
    assert staff.status_code == 401
    assert '<html lang="sv"' in staff.text and "Something went wrong" not in staff.text
