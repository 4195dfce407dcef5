"""The back office's filter forms (`/rapporter`, `/oversikt`, `/loggkontroll`): what was typed,
read field by field, each wrong field with its Swedish message, and the period checked by the
rule of the form's API (for reports `admin.reports.filters.report_filters`), falling back to
the default period, so a page is never a dead end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Request
from litestar.params import QueryParameter
from litestar.response import Template

from admin import schemas
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.forms import field_errors, field_problems
from marketplace.kernel.views import page

# A filter form's select box sends "" for "Alla" (and a number box "" when left empty): no
# filter, as if the field had not been sent. Typed as text in the query, converted here.
Choice = Annotated[str, QueryParameter(max_length=20)]


T = TypeVar("T")


class Filters(msgspec.Struct, kw_only=True):
    start: dt.date | None = None
    end: dt.date | None = None
    track: schemas.Track | None = None
    coordinator_id: int | None = None
    host_kind: schemas.HostKind | None = None
    actor_id: int | None = None
    subject_id: int | None = None


class ReportChoices(msgspec.Struct, kw_only=True):
    """The report forms' choices (`/rapporter`, `/oversikt`): the period as the months typed
    ("2026-01"), checked by the reports' one period rule (`admin.reports.filters`)."""

    start: Annotated[str, msgspec.Meta(max_length=10)] | None = None
    end: Annotated[str, msgspec.Meta(max_length=10)] | None = None
    track: schemas.Track | None = None
    coordinator: Annotated[int, msgspec.Meta(ge=1)] | None = None
    coordinator_id: int | None = None
    host_kind: schemas.HostKind | None = None


F = TypeVar("F", Filters, ReportChoices)


FILTER_LABELS = {
    "start": "Från",
    "end": "Till",
    "track": "Spår",
    "coordinator": "Samordnare",
    "coordinator_id": "Samordnare",
    "host_kind": "Värdtyp",
    "actor_id": "Åtkomster av användare",
    "subject_id": "Åtkomster till deltagare",
    "deltagare": "Åtkomster till deltagare",
    "action": "Händelse",
}


def filter_form(form: type[F], **raw: str) -> tuple[F, dict[str, str], dict[str, str]]:
    """A filter form's choices, what was typed, and a Swedish message per wrong field.

    An empty value is no filter; a wrong one (a date that does not exist, an unknown choice
    from an edited address) is shown next to its field and the page falls back to no filter
    there, so the page is never a dead end.
    """
    values = {name: value.strip() for name, value in raw.items()}
    given = {name: value for name, value in values.items() if value}
    labels = {name: FILTER_LABELS[name] for name in raw}
    errors = field_problems(form, given, labels)
    good = {name: value for name, value in given.items() if name not in errors}
    return msgspec.convert(good, form, strict=False), values, errors


def period_or_default(
    f: Filters | ReportChoices,
    errors: dict[str, str],
    make: Callable[[Any, Any], T],
) -> T:
    """The filters for the period chosen; a period the rule refuses (for reports one that
    is not whole months, reversed or too long) is shown as an error next to its fields, every
    one at once, and the default period is used meanwhile."""
    try:
        return make(f.start, f.end)
    except ValidationFailed as exc:
        errors.update(field_errors(exc, ["start", "end"]))
        return make(None, None)


def filter_query(**chosen: dt.date | int | str | None) -> str:
    """The filters a page shows, as the query string of its export links and its pager:
    dates as ISO dates (a report page passes its months as text, "2026-01"), a filter that
    is not set left out."""
    return "&".join(
        f"{name}={value.isoformat() if isinstance(value, dt.date) else value}"
        for name, value in chosen.items()
        if value is not None
    )


def filter_page(
    template: str,
    request: Request[Any, Any, Any],
    values: dict[str, str],
    errors: dict[str, str],
    **context: Any,
) -> Template:
    """A page of figures under its filter form: the filters as typed, with their labels and
    messages, answering 400 while a filter is refused (the figures then cover the default)."""
    return page(
        template,
        request,
        status_code=400 if errors else 200,
        values=values,
        errors=errors,
        labels=FILTER_LABELS,
        **context,
    )
