"""Checks before any handler: a JSON body's type, depth and control characters; "null" filters.

No body the API takes nests deeper than a few levels, but a decoder asked for an untyped value
recurses once per level: `[[[[…]]]]` ten thousand deep ran out of stack and answered 500. The
app checks every JSON body before any handler decodes it (`check_json_body`) and answers 400
past `MAX_JSON_DEPTH`. The body is read once and kept, so the handler decodes the same bytes
without reading them again.

A query parameter that takes a number, a date or a choice, or nothing, reads the text "null"
as nothing (msgspec's lax conversion): `?candidate_id=null` listed every booking, the filter
silently dropped. `refuse_null_query` answers 400 instead, naming the parameter.
An operation that reads a JSON body takes it only as JSON (`Content-Type: application/json`
or a `+json` type; 415 otherwise): the decoder reads any body as JSON, so a sign-in posted by
a plain HTML form on another site (`text/plain`, which needs no CORS preflight) signed the
visitor in as someone else (login CSRF), and a body sent as a form was read as JSON.

A JSON body whose texts hold invisible control characters (NUL, ESC, the bidirectional
overrides) answers 400 naming the fields (`refuse_control_characters`).

`check_request` (the app's `before_request` hook) runs them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler

from marketplace.kernel.errors import UnsupportedMediaType, ValidationFailed
from marketplace.kernel.forms import CONTROL_CHARACTERS, field_label

MAX_JSON_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_OPEN = frozenset(b"[{")
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def too_deep(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests arrays or objects more than `limit` levels deep.

    Brackets inside strings do not count. Linear in the size of the text.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b"", data)):
        if match.group()[0] in _OPEN:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def depth_message(limit: int = MAX_JSON_DEPTH) -> str:
    return f"JSON-innehållet är för djupt nästlat: högst {limit} nivåer går att ta emot."


async def check_json_body(request: Request[Any, Any, Any]) -> None:
    """Before any handler: a JSON body nested deeper than `MAX_JSON_DEPTH` answers 400, and
    one whose texts hold invisible control characters (`refuse_control_characters`)."""
    if request.method not in _METHODS_WITH_BODY:
        return
    content_type = request.headers.get("content-type", "").lower()
    if "json" in content_type:
        body = await request.body()
        if too_deep(body):
            raise ValidationFailed(depth_message())
        if not _CONTROL_IN_JSON.search(body):
            return  # most bodies: decoded once, by the handler
        try:
            data = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return  # the handler's decoder says what is wrong with it
        refuse_control_characters(_texts(data))


# The invisible control characters no text here takes are `forms.CONTROL_CHARACTERS`: a JSON
# body holding one is refused here, before any handler; a page's form in its round trip
# (`forms.round_trip`), which shows the form again with every message and what was typed.
# The same characters as they can stand in the JSON text itself, escaped ("\u0000", "\b") or
# raw (DEL, and UTF-8's C1 and bidirectional characters; a raw C0 control is no valid JSON):
# only a body this finds is decoded here to name the fields.
_CONTROL_IN_JSON = re.compile(
    rb"\\[bf]|\\u00(?:0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])|\\u20(?:2[a-e]|6[6-9])"
    rb"|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]",
    re.IGNORECASE,
)


def _texts(data: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every text in a decoded JSON value, with the top-level field it stands under."""
    if isinstance(data, str):
        yield key, data
    elif isinstance(data, dict):
        for name, value in data.items():
            yield from _texts(value, key or name)
            yield key or name, name  # a JSON object's keys are texts too
    elif isinstance(data, list):
        for value in data:
            yield from _texts(value, key)


def refuse_control_characters(texts: Iterable[tuple[str, str]]) -> None:
    """400 naming every field whose text holds an invisible control character."""
    wrong = {name: field_label(name) for name, text in texts if CONTROL_CHARACTERS.search(text)}
    if wrong:
        raise ValidationFailed.every(
            {
                name: f"{label}: texten innehåller ett osynligt styrtecken (till exempel ett "
                "nolltecken eller ett tecken som vänder skrivriktningen). Ta bort det och "
                "försök igen."
                for name, label in wrong.items()
            }
        )


def refuse_null_query(request: Request[Any, Any, Any]) -> None:
    """Before any handler: "null" for an optional query parameter that is no text answers 400
    (the parameter left out means no filter; "null" would be read as left out, unsaid)."""
    query = request.query_params
    if "null" not in query.values():
        return
    parameters = request.route_handler.parsed_fn_signature.parameters
    wrong = []
    for name, value in query.multi_items():
        field = parameters.get(name) if value == "null" else None
        if field is None or name in wrong:
            continue
        try:
            dropped = msgspec.convert(value, field.annotation, strict=False) is None
        except (msgspec.ValidationError, TypeError):
            continue  # the parameter's own check refuses it
        if dropped:
            wrong.append(name)
    if wrong:
        raise ValidationFailed.every(
            {
                name: f"{field_label(name)}: ange ett värde, eller utelämna parametern för att "
                "inte avgränsa på den."
                for name in wrong
            }
        )


def takes_json(handler: HTTPRouteHandler) -> bool:
    """Whether the operation reads a JSON body (its `data` parameter, JSON unless declared
    otherwise)."""
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return False
    media_type = getattr(data.kwarg_definition, "media_type", RequestEncodingType.JSON)
    return bool(media_type == RequestEncodingType.JSON)


def refuse_other_media_types(request: Request[Any, Any, Any]) -> None:
    """Before any handler: a body for an operation that reads JSON, sent as anything else,
    answers 415. A request without a body passes (the handler says what is missing)."""
    if request.method not in _METHODS_WITH_BODY:
        return
    handler = request.route_handler
    if not isinstance(handler, HTTPRouteHandler) or not takes_json(handler):
        return
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return
    if not media_type and request.headers.get("content-length", "0") == "0":
        return
    raise UnsupportedMediaType(
        "Innehållet ska skickas som JSON, med rubriken Content-Type: application/json."
    )


async def check_request(request: Request[Any, Any, Any]) -> None:
    """The app's `before_request` hook: the checks above, before any handler reads the request."""
    refuse_null_query(request)
    refuse_other_media_types(request)
    await check_json_body(request)
