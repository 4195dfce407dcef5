"""The API's contract (issue 13, item 21 and the "one route per action" check).

- Every operation documents every error it can answer, with the app's real error body, so a
  client generated from the schema knows them; a real refusal matches what is documented.
- No route picks its action from a string in its path, so no action escapes the access table.
"""

from __future__ import annotations

import re

import msgspec
from litestar import Litestar

from marketplace.kernel.openapi import ErrorBody
from tests.builders import make_host, make_slot
from tests.conftest import login

WRITES = {"post", "put", "patch", "delete"}
# Path parameters that are strings by nature, none of which picks what the route does:
# a signed link's token, an everyday word, a report's name (every report has the same guard),
# the schema viewer's own file path.
STRING_PARAMETERS = {"token", "word", "name", "path"}


def _operations(app: Litestar) -> list[tuple[str, str, dict]]:
    schema = app.openapi_schema.to_schema()
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in WRITES | {"get"}
    ]


def _documented(operation: dict) -> set[int]:
    return {int(code) for code in operation["responses"]}


async def test_every_operation_documents_its_errors_with_the_real_body(app):
    schema = app.openapi_schema.to_schema()
    body = schema["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"status_code", "detail", "fields", "errors"}
    operations = _operations(app)
    assert len(operations) > 90
    for method, path, operation in operations:
        codes = _documented(operation)
        where = f"{method.upper()} {path}"
        assert {400, 401, 503} <= codes, where
        if "{" in path:
            assert 404 in codes, where
        if method in WRITES:
            assert {403, 404, 409, 413} <= codes, where
        for code in codes - {200, 201, 204}:
            content = operation["responses"][str(code)].get("content", {})
            body_schema = content.get("application/json", {}).get("schema", {})
            refs = [body_schema.get("$ref", "")] + [
                one["$ref"] for one in body_schema.get("oneOf", [])
            ]
            assert any(ref.endswith("/ErrorBody") for ref in refs), (where, code)


async def test_guards_rate_limits_and_anonymous_writes_are_documented(app):
    by_key = {(m, p): op for m, p, op in _operations(app)}
    assert 403 in _documented(by_key[("get", "/api/v1/users")])  # admin only
    assert 403 not in _documented(by_key[("get", "/api/v1/slots/search")])  # public read
    assert 429 in _documented(by_key[("post", "/api/v1/auth/login")])
    assert 429 in _documented(by_key[("post", "/api/v1/host-applications")])
    assert 404 in _documented(by_key[("get", "/api/v1/slots/managed")])  # ?host_id=


async def test_real_refusals_are_documented_and_match_the_error_body(client, make_user):
    """401, 403, 404, 409, 413, 415 answered for real, each listed for its operation, each body
    decoding as the documented ErrorBody."""
    app = client.app
    by_key = {(m, p): op for m, p, op in _operations(app)}
    host = await make_host("Kostenheten")
    slot = await make_slot(
        host, title="Kock", status="draft", hours=None, description="", external_id="s1"
    )
    answers = []
    answers.append(("get", "/api/v1/users", await client.get("/api/v1/users")))  # 401
    bad_token = await client.get("/api/v1/slots/search", headers={"authorization": "Bearer x"})
    answers.append(("get", "/api/v1/slots/search", bad_token))  # 401 on a public route
    await make_user("admin", username="alva")
    await make_user("analyst", username="ana")
    await login(client, "ana")
    answers.append(("get", "/api/v1/users", await client.get("/api/v1/users")))  # 403
    await login(client, "alva")
    answers.append(
        ("get", "/api/v1/slots/{slot_id}/edit", await client.get("/api/v1/slots/999999/edit"))
    )  # 404
    closed = await client.post(f"/api/v1/slots/{slot}/close")
    assert closed.status_code == 200, closed.text
    again = await client.post(f"/api/v1/slots/{slot}/publish")
    answers.append(("post", "/api/v1/slots/{slot_id}/publish", again))  # 409 (no supervisor…)
    huge = await client.patch(
        f"/api/v1/slots/{slot}",
        content=b'{"description": "' + b"x" * 2_000_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    answers.append(("patch", "/api/v1/slots/{slot_id}", huge))  # 413
    plain = await client.patch(
        f"/api/v1/slots/{slot}",
        content=b'{"title": "Kock"}',
        headers={"content-type": "text/plain"},
    )
    answers.append(("patch", "/api/v1/slots/{slot_id}", plain))  # 415
    seen = set()
    for method, path, response in answers:
        assert response.status_code >= 400, (path, response.text)
        assert response.status_code in _documented(by_key[(method, path)]), (
            method,
            path,
            response.status_code,
        )
        decoded = msgspec.json.decode(response.content, type=ErrorBody)
        assert decoded.status_code == response.status_code
        assert decoded.detail
        seen.add(response.status_code)
    assert {401, 403, 404, 413, 415} <= seen
    assert seen & {400, 409}


def test_no_route_picks_its_action_from_a_string_in_its_path(app):
    for route in app.routes:
        for name in re.findall(r"\{(\w+):str\}", route.path):
            assert name in STRING_PARAMETERS, route.path
    paths = {route.path for route in app.routes}
    for action in ("overenskommelse", "underteckna", "lankar", "starta", "avsluta", "utfall"):
        assert f"/arbetsbord/bokningar/{{booking_id:int}}/{action}" in paths
    for action in ("publicera", "pausa", "stang"):
        assert f"/vard/platser/{{slot_id:int}}/{action}" in paths
    for decision in ("godkann", "avsla"):
        assert f"/arbetsbord/ansokningar/{{application_id:int}}/{decision}" in paths


async def test_an_unknown_action_is_no_route_at_all(client, make_user):
    await make_user("admin", username="alva")
    await login(client, "alva")
    for path in ("/arbetsbord/bokningar/1/radera", "/vard/platser/1/bogus"):
        response = await client.post(path, headers={"accept": "text/html"})
        assert response.status_code in {404, 405}, path


def test_a_new_route_is_documented_without_touching_the_mechanism():
    """What another change adds (a rate-limited read, a guarded write) is derived as well."""
    from litestar import delete, get
    from litestar.params import FromPath

    from marketplace.kernel.auth import admin_only, public
    from marketplace.kernel.openapi import document_errors

    @get("/api/v1/probe", guards=[public], opt={"rate_limited": True}, sync_to_thread=False)
    def probe() -> dict[str, str]:
        return {}

    @delete("/api/v1/probe/{probe_id:int}", guards=[admin_only], sync_to_thread=False)
    def remove(probe_id: FromPath[int]) -> None:
        return None

    app = Litestar(route_handlers=[probe, remove])
    document_errors(app)
    paths = app.openapi_schema.to_schema()["paths"]
    read = set(paths["/api/v1/probe"]["get"]["responses"])
    write = set(paths["/api/v1/probe/{probe_id}"]["delete"]["responses"])
    assert read == {"200", "400", "401", "429", "503"}
    assert write == {"204", "400", "401", "403", "404", "409", "413", "503"}


async def test_an_import_refused_for_its_rows_answers_its_documented_report(client, make_user):
    """The reported mismatch: bad rows answered a 400 with the import report while the
    schema said ErrorBody (and no `detail`). Both 400s of the import are documented, and
    each decodes as what it says it is, with a Swedish `detail`."""
    from placements.schemas.slots import ImportReport

    operation = {(m, p): op for m, p, op in _operations(client.app)}[
        ("post", "/api/v1/slots/import")
    ]
    one_of = operation["responses"]["400"]["content"]["application/json"]["schema"]["oneOf"]
    assert {one["$ref"].rsplit("/", 1)[1] for one in one_of} == {"ImportReport", "ErrorBody"}
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    bad = b"external_id,host.name,host.kind,kind,title,town,capacity\nx,A,company,praktik,Tre,Ort,noll\n"
    rows = await client.post("/api/v1/slots/import", files={"file": ("fel.csv", bad)})
    assert rows.status_code == 400
    report = msgspec.json.decode(rows.content, type=ImportReport)
    assert not report.written and len(report.errors) == 1
    assert report.detail.startswith("Inget sparades: filen har rader med fel (1 st).")
    unreadable = await client.post("/api/v1/slots/import", files={"file": ("tom.jsonl", b"")})
    assert unreadable.status_code == 400
    assert msgspec.json.decode(unreadable.content, type=ErrorBody).detail
