"""Every field the JSON API takes is named by its Swedish label in a 400, whatever pages were
posted before (the attack found "Ett av fälten" for candidates' home_town and tokens' days,
and the pages' labels joined `FIELD_LABELS` only once their form had been posted)."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.forms import API_LABELS, FIELD_LABELS, UNNAMED, parse_form
from tests.conftest import login


def _body_fields(schema: dict[str, Any], body: dict[str, Any]) -> set[str]:
    refs = [body.get("$ref", "")] + [one.get("$ref", "") for one in body.get("oneOf", [])]
    components = schema["components"]["schemas"]
    return {
        name
        for ref in refs
        if ref
        for name in components[ref.rsplit("/", 1)[1]].get("properties", {})
    }


def test_every_api_field_and_query_parameter_has_a_label(app) -> None:
    schema = app.openapi_schema.to_schema()
    unnamed: set[tuple[str, str]] = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            for content in operation.get("requestBody", {}).get("content", {}).values():
                names |= _body_fields(schema, content.get("schema", {}))
            named = FIELD_LABELS.keys() | API_LABELS.keys()
            unnamed |= {(f"{method.upper()} {path}", n) for n in names - named}
    assert not unnamed


def test_parsing_a_form_adds_no_label() -> None:
    import msgspec

    class Shape(msgspec.Struct):
        a_field_no_one_declared: int

    before = dict(FIELD_LABELS)
    with pytest.raises(ValidationFailed) as refused:
        parse_form(
            Shape, {"a_field_no_one_declared": "x"}, labels={"a_field_no_one_declared": "Fältet"}
        )
    assert refused.value.errors["a_field_no_one_declared"].startswith("Fältet")
    assert before == FIELD_LABELS


async def test_an_api_400_names_the_field_a_page_calls_otherwise(client, make_user) -> None:
    await make_user("coordinator", username="sara")
    await login(client, "sara")
    answer = await client.post(
        "/api/v1/candidates",
        json={"first_name": "Ada", "last_name": "Ek", "home_town": 5},
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["errors"]["home_town"].startswith("Hemort")
    assert UNNAMED not in body["detail"]
