"""HTML forms into the services' msgspec Structs, and errors back onto the fields.

A page's form posts URL-encoded strings; `parse_form` converts them into the same Struct the
JSON API takes (msgspec's lax conversion turns "3" into 3 and "2026-05-01" into a date), so
the pages and the API share one validation. A failure becomes `ValidationFailed` naming the
field, in Swedish, which the page shows next to that field (`field_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import msgspec
from litestar import Request

from marketplace.errors import MarketplaceError, ValidationFailed

T = TypeVar("T")

_PATH = re.compile(r"at `\$\.([A-Za-z0-9_]+)")
_MISSING = re.compile(r"missing required field `([^`]+)`")


async def form_values(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted form as a dict: one string per field, a list where a field repeats."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form:
        if key == "_csrf_token":
            continue
        items = form.getall(key)
        values[key] = items if len(items) > 1 else items[0]
    return values


def is_ticked(values: Mapping[str, Any], name: str) -> bool:
    """True when the checkbox `name` was sent ticked (absent, "", "0" and "false" are not)."""
    raw = values.get(name)
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
    return raw not in (None, "", "0", "false")


def _reason(message: str) -> str:
    """msgspec's English reason as Swedish a person can act on."""
    if _MISSING.search(message):
        return "måste fyllas i"
    if m := re.search(r"length >= (\d+)", message):
        return "måste fyllas i" if m.group(1) == "1" else f"måste ha minst {m.group(1)} tecken"
    if m := re.search(r"length <= (\d+)", message):
        return f"får ha högst {m.group(1)} tecken"
    if m := re.search(r">= (-?[\d.]+)", message):
        return f"måste vara minst {m.group(1)}"
    if m := re.search(r"> (-?[\d.]+)", message):
        return f"måste vara större än {m.group(1)}"
    if m := re.search(r"<= (-?[\d.]+)", message):
        return f"får vara högst {m.group(1)}"
    if "`int`" in message:
        return "ska vara ett heltal"
    if "`float`" in message:
        return "ska vara ett tal"
    if "date" in message.lower():
        return "ska vara ett datum, ÅÅÅÅ-MM-DD"
    if "`bool`" in message:
        return "ska vara ja eller nej"
    if "Invalid enum value" in message or "`str`" in message:
        return "välj ett av alternativen"
    return "har ett ogiltigt värde"


def parse_form(
    cls: type[T],
    values: Mapping[str, Any],
    *,
    labels: Mapping[str, str],
    lists: Iterable[str] = (),
    flags: Iterable[str] = (),
    blank_is_none: Iterable[str] = (),
    blank_is_empty: Iterable[str] = (),
) -> T:
    """Convert form values into `cls`, or raise `ValidationFailed` naming the field.

    `lists` are fields sent as repeated inputs or one comma/line-separated text; `flags` are
    checkboxes (absent means False); an empty input means None for `blank_is_none`, "" for
    `blank_is_empty` (free texts a person may clear), and otherwise "not sent" (the Struct's
    default, or "måste fyllas i"). Fields not in `labels` are ignored: a form cannot set them.
    """
    data: dict[str, Any] = {}
    list_fields, flag_fields, optional = set(lists), set(flags), set(blank_is_none)
    empty_ok = set(blank_is_empty)
    for name in labels:
        raw = values.get(name)
        if name in flag_fields:
            data[name] = is_ticked(values, name)
        elif name in list_fields:
            items = raw if isinstance(raw, list) else [raw] if raw else []
            parts = [p.strip() for item in items for p in re.split(r"[\n,]", str(item))]
            data[name] = [p for p in parts if p]
        elif raw is None:
            continue
        else:
            text = (raw[-1] if isinstance(raw, list) else str(raw)).strip()
            if text:
                data[name] = text
            elif name in optional:
                data[name] = None
            elif name in empty_ok:
                data[name] = ""
    try:
        return msgspec.convert(data, cls, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _MISSING.search(message) or _PATH.search(message)
        field = found.group(1) if found else ""
        label = labels.get(field, field or "Ett fält")
        reason = _reason(message)
        text = (
            f"Välj ett av alternativen under {label}."
            if reason == "välj ett av alternativen"
            else f"{label} {reason}."
        )
        raise ValidationFailed(text, fields=[field]) from None


def field_errors(exc: MarketplaceError, known: Iterable[str]) -> dict[str, str]:
    """The error message per named field the form shows; `_form` for the rest."""
    names = [f for f in exc.fields if f in set(known)]
    if not names:
        return {"_form": exc.message}
    problems = getattr(exc, "problems", None)
    if problems:
        # Each field its own messages (placements.date_rules); the rest on the form.
        shown: dict[str, str] = {}
        for field, message in problems:
            key = field if field in set(known) else "_form"
            shown[key] = f"{shown[key]} {message}" if key in shown else message
        return shown
    return dict.fromkeys(names, exc.message)
