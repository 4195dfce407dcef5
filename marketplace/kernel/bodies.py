"""Limits on what a request body may hold beyond its size: the nesting depth of JSON.

No body the API takes nests deeper than a few levels, but a decoder asked for an untyped value
recurses once per level: `[[[[…]]]]` ten thousand deep ran out of stack and answered 500. The
app checks every JSON body before any handler decodes it (`refuse_deep_json`, the app's
`before_request` hook) and answers 400 past `MAX_JSON_DEPTH`. The body is read once and kept,
so the handler decodes the same bytes without reading them again.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from marketplace.kernel.errors import ValidationFailed

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


async def refuse_deep_json(request: Request[Any, Any, Any]) -> None:
    """Before any handler: a JSON body nested deeper than `MAX_JSON_DEPTH` answers 400."""
    if request.method not in _METHODS_WITH_BODY:
        return
    if "json" not in request.headers.get("content-type", "").lower():
        return
    if too_deep(await request.body()):
        raise ValidationFailed(depth_message())
