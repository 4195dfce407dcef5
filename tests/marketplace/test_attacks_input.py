"""Bad input answers 4xx in Swedish, never 500: paging bounds on every list, JSON nested too
deep, CSV that the reader refuses, and an import of many bad rows that must neither stop the
service from answering nor grow a report larger than the file.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import httpx
import pytest
from litestar import Litestar

from marketplace.kernel.bodies import MAX_JSON_DEPTH, too_deep
from marketplace.kernel.paging import MAX_LIMIT, MAX_OFFSET
from placements import exchange
from placements.tables import Slot
from tests.conftest import DEMO_PASSWORD, login

BAD_PAGING = [
    ("limit", "-1"),
    ("limit", "0"),
    ("limit", str(MAX_LIMIT + 1)),
    ("offset", "-1"),
    ("offset", str(MAX_OFFSET + 1)),
    ("offset", str(2**63)),
    ("offset", str(2**70)),
    ("sida", "0"),
    ("sida", str(2**70)),
]
ENGLISH = re.compile(r"Expected|got `|must be|invalid", re.IGNORECASE)


def paged_routes(app: Litestar) -> list[tuple[str, set[str], dict[str, str]]]:
    """Every GET route that takes a paging parameter: its path, the paging parameters it
    takes, and a value for each other query parameter it requires."""
    out = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "GET" not in handler.http_methods:
                continue
            parameters = handler.parsed_fn_signature.parameters
            names = set(parameters) & {"limit", "offset", "sida"}
            if names:
                path = re.sub(r"\{[^}]+\}", "1", route.path)
                required = {
                    n: "lager" for n, p in parameters.items() if n == "q" and not p.has_default
                }
                out.append((path, names, required))
    return out


async def test_every_list_refuses_limits_and_offsets_out_of_bounds(app, client, make_user):
    routes = paged_routes(app)
    # The lists the review named are among them, so the scan cannot silently find nothing.
    found = {path for path, _, _ in routes}
    assert {"/api/v1/candidates", "/api/v1/bookings", "/api/v1/hosts", "/api/v1/slots"} <= found
    await make_user("admin", username="alva")
    await make_user("coordinator", username="sara")
    for username in ("alva", "sara"):
        await login(client, username)
        for path, names, required in routes:
            if (await client.get(path, params=required)).status_code in {401, 403}:
                continue  # another role's list; the other sign-in covers it
            for name, value in BAD_PAGING:
                if name not in names:
                    continue
                response = await client.get(path, params={**required, name: value})
                assert response.status_code == 400, (username, path, name, value, response.text)
                if path.startswith("/api/"):
                    body = response.json()
                    assert name in body["fields"], (path, body)
                    assert not ENGLISH.search(body["detail"]), (path, body["detail"])


async def test_negative_limit_no_longer_lists_every_row(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    response = await client.get("/api/v1/candidates", params={"limit": "-1"})
    assert response.status_code == 400
    assert response.json()["detail"].endswith("Antal per sida måste vara minst 1.")
    deepest = await client.get("/api/v1/candidates", params={"offset": str(MAX_OFFSET)})
    assert deepest.status_code == 200 and deepest.json()["items"] == []


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
async def test_deeply_nested_json_answers_400(client, make_user, depth):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    body = b'{"name": ' + b"[" * depth + b"]" * depth + b', "kind": "company"}'
    for path in ("/api/v1/hosts", "/api/v1/auth/login"):
        response = await client.post(
            path, content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, (path, response.text[:200])
        assert "nästlat" in response.json()["detail"]


UNREADABLE = [
    (
        "/api/v1/hosts",
        b"{bad json",
        "application/json",
        "inte giltig JSON (fel vid tecken 2). Kontrollera",
    ),
    ("/api/v1/hosts", b"\xff\xfe", "application/json", "inte giltig JSON (fel vid tecken 1)."),
    (
        "/api/v1/slots/import",
        b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n',
        "multipart/form-data; boundary=xyz",
        "multipart/form-data med filen i fältet file",
    ),
    ("/api/v1/slots/import", b"x", "multipart/form-data", "multipart/form-data"),
]


@pytest.mark.parametrize(("path", "body", "content_type", "said"), UNREADABLE)
async def test_a_body_that_cannot_be_read_is_told_in_swedish(
    client, make_user, path, body, content_type, said
):
    """Litestar's English ("JSON is malformed: … (byte 1)", "Invalid multipart/form-data")
    never reaches the caller: a Swedish message says what to mend."""
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    response = await client.post(path, content=body, headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert said in detail, detail
    assert not re.search(r"[Mm]alformed|Invalid|byte|eof|{|}", detail), detail


async def test_a_sign_in_posted_as_a_plain_form_is_refused(client, make_user):
    """Login CSRF: a plain HTML form on another site can post `text/plain` (no preflight) to
    the JSON sign-in; the decoder read it as JSON and signed the visitor in. Now 415, and
    no session cookie."""
    await make_user("coordinator", username="sara")
    body = json.dumps({"username": "sara", "password": DEMO_PASSWORD}).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        headers = {"content-type": content_type} if content_type else {}
        response = await client.post("/api/v1/auth/login", content=body, headers=headers)
        assert response.status_code == 415, (content_type, response.text)
        assert "Content-Type: application/json" in response.json()["detail"]
        assert "mp_session" not in response.headers.get("set-cookie", "")
    ok = await client.post(
        "/api/v1/auth/login", json={"username": "sara", "password": DEMO_PASSWORD}
    )
    assert ok.status_code == 200
    # A write without a body is no JSON sent as something else: the handler answers it.
    typed = await client.post(
        "/api/v1/hosts",
        content=b"",
        headers={"x-csrftoken": ok.json()["csrf_token"], "content-type": "application/json"},
    )
    assert typed.status_code == 400


@pytest.mark.parametrize("hidden", ["\u0000", "\u001b[31m", "\u202e", "\u2066", "\u0085"])
async def test_invisible_control_characters_are_refused_and_named(client, make_user, hidden):
    """NUL, a terminal's colour codes and the bidirectional overrides reached the database
    and the CSV exports as they were (a name that reads otherwise than it is stored); now a
    Swedish 400 names the field, and nothing is written."""
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    response = await client.post(
        "/api/v1/hosts", json={"name": f"Verkstaden{hidden}AB", "kind": "company"}
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["fields"] == ["name"]
    assert "osynligt styrtecken" in body["errors"]["name"]
    assert (await client.get("/api/v1/hosts")).json()["total"] == 0


async def test_line_breaks_tabs_and_arabic_marks_are_kept(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    name = "\u0645\u0631\u0643\u0632\u200f Vårgårda\t AB"
    response = await client.post("/api/v1/hosts", json={"name": name, "kind": "company"})
    assert response.status_code == 201, response.text


def test_litestar_details_are_said_in_swedish_or_not_at_all():
    """Each English detail Litestar gives a 400 maps to a Swedish message; one it may add
    later is never shown (only the plain Swedish 400), so no English reaches a person."""
    from marketplace.app import STATUS_TEXT, client_error_text

    assert client_error_text("Invalid host header") == (
        f"{STATUS_TEXT[400]} Adressen som anges (Host) är ogiltig."
    )
    assert client_error_text("Input data was truncated").endswith(
        "inte giltig JSON. Kontrollera klamrar, citattecken och kommatecken."
    )
    assert client_error_text("Some new complaint of a later Litestar") == STATUS_TEXT[400]


async def test_a_bad_content_length_is_told_in_swedish(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    response = await client.post(
        "/api/v1/hosts",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": "abc"},
    )
    assert response.status_code == 400
    assert "Content-Length" in response.json()["detail"]
    assert "Invalid" not in response.json()["detail"]


async def test_json_within_the_depth_limit_is_read(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    # Brackets inside strings do not count as nesting.
    name = "[" * 100 + "Verkstaden" + "{" * 100
    response = await client.post("/api/v1/hosts", json={"name": name[:200], "kind": "company"})
    assert response.status_code == 201, response.text
    shallow = await client.post("/api/v1/hosts", json={"name": _nested(5), "kind": "company"})
    assert shallow.status_code == 400 and "nästlat" not in shallow.json()["detail"]


def test_depth_is_counted_outside_strings():
    assert not too_deep(json.dumps({"a": "[[[[[[" * 100}).encode())
    assert not too_deep(json.dumps(_nested(MAX_JSON_DEPTH)).encode())
    assert too_deep(json.dumps(_nested(MAX_JSON_DEPTH + 1)).encode())
    assert not too_deep(b'{"a": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')


HEADER = "external_id,host.name,host.kind,kind,title,town,capacity\n"


def good_csv_row(i: int) -> str:
    return f"g-{i},Verkstaden AB,company,praktik,Lagerarbete {i},Vårgårda,1\n"


async def test_csv_reader_errors_are_row_errors(client, make_user):
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    huge = "x" * (200 * 1024)
    text = (
        HEADER
        + good_csv_row(1)
        + f"big,Verkstaden AB,company,praktik,{huge},Vårgårda,1\n"
        + 'bad,Verkstaden AB,company,praktik,"Lager"x,Vårgårda,1\n'
        + good_csv_row(2)
        + 'open,Verkstaden AB,company,praktik,"Lager,Vårgårda,1\n'
        + good_csv_row(3)
    )
    refused = await client.post(
        "/api/v1/slots/import", files={"file": ("platser.csv", text.encode())}
    )
    assert refused.status_code == 400, refused.text
    errors = refused.json()["errors"]
    assert [e["line"] for e in errors] == [3, 4, 6]
    assert "KiB" in errors[0]["reason"]
    assert "citattecken" in errors[1]["reason"] and "citattecken" in errors[2]["reason"]
    assert await Slot.count() == 0
    skipped = await client.post(
        "/api/v1/slots/import",
        files={"file": ("platser.csv", text.encode())},
        data={"skip_bad_rows": "true"},
    )
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["created"] == 2  # the rows before the open quote
    assert await Slot.count() == 2


async def test_jsonl_row_nested_too_deep_is_a_row_error():
    good = {
        "external_id": "a",
        "host": {"name": "Verkstaden AB", "kind": "company"},
        "kind": "praktik",
        "title": "Lagerarbete",
        "town": "Vårgårda",
        "capacity": 1,
    }
    lines = [json.dumps(good), '{"external_id": ' + "[" * 50_000 + "]" * 50_000 + "}"]
    report = await exchange.import_slots("\n".join(lines).encode(), "jsonl", skip_bad_rows=True)
    assert report.written and report.created == 1
    assert [e.line for e in report.errors] == [2]
    assert "nästlad" in report.errors[0].reason


async def test_a_big_bad_import_keeps_health_answering_and_caps_the_report(app, make_user):
    # The app runs in this test's own event loop (the test client would run it in a thread of
    # its own and wait for each answer), so /health competes with the import as in a worker.
    await make_user("coordinator", username="sara")
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver.local")
    signed_in = await client.post(
        "/api/v1/auth/login", json={"username": "sara", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 200
    client.headers["x-csrftoken"] = signed_in.json()["csrf_token"]
    # About 5 MB of rows that each fail several checks.
    row = (
        '{"external_id": "%d", "host": {"name": "", "kind": "nej"}, "kind": "x", '
        '"title": "ab", "town": "", "capacity": 0, "hours_per_week": 99, '
        '"description": "' + "lång text " * 20 + '"}\n'
    )
    data = "".join(row % i for i in range(20_000)).encode()
    assert len(data) > 4_000_000
    latencies: list[float] = []
    done = asyncio.Event()

    async def poll_health() -> None:
        while not done.is_set():
            started = time.perf_counter()
            response = await client.get("/health")
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200
            await asyncio.sleep(0.05)

    poller = asyncio.create_task(poll_health())
    await asyncio.sleep(0.1)
    started = time.perf_counter()
    try:
        response = await client.post("/api/v1/slots/import", files={"file": ("stor.jsonl", data)})
    finally:
        done.set()
    elapsed = time.perf_counter() - started
    await poller
    await client.aclose()
    assert response.status_code == 400
    report = response.json()
    assert report["rows"] == 20_000 and not report["written"]
    assert len(report["errors"]) == exchange.MAX_REPORTED_ERRORS
    assert report["more_errors"] > 20_000
    assert len(response.content) < 100_000  # a report, not a copy of the file
    # /health was asked all along and never waited long, however long the import took.
    assert len(latencies) >= 3, (elapsed, latencies)
    assert max(latencies) < 1.0, (elapsed, max(latencies))


async def test_a_missing_query_parameter_is_named_in_swedish(client):
    response = await client.get("/api/v1/taxonomy/occupations")
    assert response.status_code == 400
    body = response.json()
    assert body["fields"] == ["q"]
    assert body["detail"] == "Ogiltiga uppgifter. Sökordet måste anges."
    assert body["errors"] == {"q": "Sökordet måste anges."}


@pytest.mark.parametrize(
    "name", ["%00", "app.js%00.svg", "%C3%A5%00x", "a" * 300, "x/" + "b" * 400]
)
async def test_a_static_file_name_the_disk_cannot_take_answers_404(client, name):
    """A NUL byte or a name longer than a file name can be made the file lookup crash (500)."""
    response = await client.get(f"/static/{name}")
    assert response.status_code == 404, response.text
    assert (await client.get("/static/app.js")).status_code == 200
