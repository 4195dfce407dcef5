"""HTML forms into the services' msgspec Structs, and errors back onto the fields.

A page's form posts URL-encoded strings; `parse_form` converts them into the same Struct the
JSON API takes (msgspec's lax conversion turns "3" into 3 and "2026-05-01" into a date), so
the pages and the API share one validation. msgspec stops at the first problem, so each field
is converted on its own first (`field_problems`): every wrong field is reported at once, in
Swedish, as `ValidationFailed.errors` (field -> message), which the page shows next to each
field and in the summary at the top (`field_errors`).

`swedish_reason` turns any msgspec/type/constraint message into a Swedish sentence naming the
field by its label (`FIELD_LABELS`, never the code name); the app's exception handler uses it
for JSON bodies and query parameters too.

`round_trip` is a page form's whole answer, written once: read the post, parse it (a `Form`,
which also reports boxes that must be ticked), call the service, and on a `MarketplaceError`
show the same page again with every message and everything typed (the error's 4xx); on success
redirect (303) to the landing page with its notice (`marketplace/kernel/notices.py`).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import inspect
import re
import typing
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import unquote_to_bytes

import msgspec
from litestar import Request, Response
from litestar.response import Redirect

from marketplace.kernel.dates import LABELS as DATE_LABELS
from marketplace.kernel.dates import date_problem
from marketplace.kernel.errors import MarketplaceError, Problems, ValidationFailed
from marketplace.kernel.i18n import N_, Translate, swedish
from marketplace.kernel.notices import done

T = TypeVar("T")
__all__ = [
    "ACTION",
    "Form",
    "Landing",
    "Problems",
    "field_errors",
    "field_problems",
    "form_values",
    "parse_form",
    "rerender_as",
    "round_trip",
]

_MISSING = re.compile(r"missing required field `([^`]+)`")
_PATH = re.compile(r"at `\$\.([A-Za-z0-9_]+)")
_UNKNOWN = re.compile(r"unknown field `([^`]+)`")
DATE_EXAMPLE = "2026-12-04"
DATETIME_EXAMPLE = "2026-12-04T09:30:00+01:00"
UNNAMED = "Ett av fälten"

# How a person calls each field the API or a page takes (JSON bodies, query parameters and
# form fields alike); a `Form`'s own labels are added when it is declared (never later: what
# a message says must not depend on which pages were posted first). A name not here is never
# shown: the message says "Ett av fälten" instead (see also `API_LABELS`).
FIELD_LABELS: dict[str, str] = {
    **DATE_LABELS,
    "q": "Sökordet",
    "sok": "Sökordet",
    "sokning": "Sökordet",
    "limit": "Antal per sida",
    "offset": "Sidan",
    "sida": "Sidan",
    "page": "Sidan",
    "sort": "Sorteringen",
    "sortera": "Sorteringen",
    "ordning": "Ordningen",
    "kind": "Typ",
    "status": "Status",
    "track": "Spår",
    "host_kind": "Värdtyp",
    "coordinator": "Samordnare",
    "coordinator_id": "Samordnare",
    "actor_id": "Användare",
    "subject_id": "Deltagare",
    "town": "Ort",
    "near": "Nära",
    "radius_km": "Avstånd i km",
    "distance_km": "Avstånd i km",
    "latitude": "Latitud",
    "longitude": "Longitud",
    "occupation_id": "Yrke",
    "occupation_ids": "Yrken",
    "yrke": "Yrke",
    "open_only": "Bara lediga platser",
    "format": "Filformat",
    "variant": "Filvariant",
    "year": "År",
    "target": "Mål",
    "note": "Anteckning",
    "name": "Namn",
    "title": "Rubrik",
    "description": "Beskrivning",
    "capacity": "Antal platser",
    "hours_per_week": "Timmar per vecka",
    "min_hours": "Minst antal timmar",
    "max_hours": "Högst antal timmar",
    "supervisor_id": "Handledare",
    "supervision_capacity": "Antal deltagare att handleda",
    "host_id": "Organisation",
    "slot_id": "Platsen",
    "booking_id": "Bokningen",
    "candidate_id": "Deltagaren",
    "contact_id": "Kontaktpersonen",
    "user_id": "Användaren",
    "first_name": "Förnamn",
    "last_name": "Efternamn",
    "username": "Användarnamn",
    "password": "Lösenord",
    "email": "E-post",
    "phone": "Telefon",
    "role": "Roll",
    "org_name": "Organisationens namn",
    "org_number": "Organisationsnummer",
    "contact_name": "Kontaktperson",
    "contact_email": "Kontaktpersonens e-post",
    "contact_phone": "Kontaktpersonens telefon",
    "address": "Adress",
    "sector": "Bransch",
    "needs": "Behov",
    "message": "Meddelande",
    "reason": "Skäl",
    "category": "Utfall",
    "lasts_at_least_one_month": "Varar minst en månad",
    "setting": "Arbetsplatsens slag",
    "skills": "Kompetenser",
    "adaptations": "Anpassningar",
    "driving_licence": "Körkort",
    "wished_occupations": "Önskade yrken",
    "version": "Version",
    "token": "Länken",
    "otp": "Engångskoden",
    "is_supervisor": "Handledare",
    "is_public_contact": "Visas som kontakt",
    "decision_note": "Motivering",
    "consent_method": "Samtyckets form",
    "language": "Valt språk på Mina sidor",
    "attendance": "Närvaro",
    "recommendation": "Rekommendation",
    "result_category": "Var personen är nu",
    "party": "Part",
    "confirm": "Bekräftelse",
}

# Fields only the JSON API takes under these names (a page's form may name them in its own
# labels), so that every 400 names its field (tests/marketplace/test_form_labels.py). Kept
# apart from `FIELD_LABELS`, which also says which of a participant's stored fields their own
# extract shows: naming a field for the API must not show it there (a health note's text).
API_LABELS: dict[str, str] = {
    "absence_note": "Kommentar om frånvaron",
    "action": "Händelse",
    "active": "Aktiv",
    "code": "Koden",
    "confirm_capacity": "Skicka förslaget ändå",
    "confirm_hours": "Skicka förslaget ändå, för deltagarens timmar",
    "days": "Antal dagar",
    "days_present": "Dagar på plats",
    "days_sick": "Dagar sjuk",
    "days_leave": "Dagar ledig, beviljad frånvaro",
    "days_unexcused": "Dagar med ogiltig eller oanmäld frånvaro",
    "days_other": "Dagar med annan frånvaro",
    "digest_mail": "Sammanfattning per e-post",
    "draft": "Som utkast",
    "experience": "Erfarenhet",
    "external_id": "Externt id",
    "file": "Filen",
    "follow_up_meetings": "Uppföljningsmöten",
    "home_town": "Hemort",
    "hours_available": "Timmar i veckan",
    "include_resolved": "Även åtgärdade",
    "interests": "Intressen",
    "job": "Schemalagt jobb",
    "languages": "Språk",
    "max_commute_km": "Längsta resväg (km)",
    "open": "Bara lediga platser",
    "participant_first": "Låt deltagaren svara först",
    "received_at": "Mottagen",
    "skip_bad_rows": "Hoppa över felaktiga rader",
    "source": "Källa",
    "targets": "Ord i taxonomin",
    "text": "Texten",
    "week_start": "Veckan",
    "word": "Vardagsordet",
}

# The Swedish word for each stored code a choice can take, to list the allowed choices.
_CODE_WORDS: dict[str, str] = {}


def _code_word(code: str) -> str:
    if not _CODE_WORDS:
        from marketplace.kernel.templating import LABELS

        for words in LABELS.values():
            for key, word in words.items():
                _CODE_WORDS.setdefault(key, word)
    known = _CODE_WORDS.get(code)
    return known[:1].upper() + known[1:] if known else f"\u201d{code}\u201d"


def field_label(name: str, labels: Mapping[str, str] | None = None) -> str:
    """The Swedish name of a field; never the code name."""
    if labels and name in labels:
        return labels[name]
    return FIELD_LABELS.get(name) or API_LABELS.get(name, UNNAMED)


def allowed_choices(tp: Any) -> list[str]:
    """The values a Literal or Enum type (or an optional/annotated one) allows."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return allowed_choices(typing.get_args(tp)[0])
    if origin is typing.Literal:
        return [str(a) for a in typing.get_args(tp)]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return [str(m.value) for m in tp]
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        return [c for a in typing.get_args(tp) for c in allowed_choices(a)]
    return []


def own_problem(tp: Any) -> str | None:
    """The message a field's type carries for any value it refuses (`msgspec.Meta(extra=
    {"problem": ...})`), if it has one: a rule with its own words (a slot's capacity) is then
    said the same by the API, the pages and the import, instead of the generic bound words."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *metas = typing.get_args(tp)
        for meta in metas:
            if isinstance(meta, msgspec.Meta) and isinstance(meta.extra, dict):
                problem = meta.extra.get("problem")
                if isinstance(problem, str):
                    return problem
        return own_problem(base)
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        return next(filter(None, (own_problem(a) for a in typing.get_args(tp))), None)
    return None


_BOUND_WORDS = {
    ">=": N_("%(label)s måste vara minst %(bound)s."),
    "<=": N_("%(label)s får vara högst %(bound)s."),
    ">": N_("%(label)s måste vara större än %(bound)s."),
}
_TYPE_WORDS = {
    "str": N_("en text"),
    "int": N_("ett heltal, till exempel 3"),
    "float": N_("ett tal, till exempel 2.5"),
    "bool": N_("ja eller nej"),
    "array": N_("en lista"),
    "object": N_("ett objekt med fält"),
    "null": N_("tomt"),
    "date": N_("ett datum som ÅÅÅÅ-MM-DD, till exempel 2026-12-04"),
    "datetime": N_("en tidpunkt"),
}


def swedish_reason(
    message: str,
    label: str,
    choices: Iterable[str] = (),
    *,
    codes: bool = False,
    translate: Translate = swedish,
) -> str:
    """msgspec's (or Litestar's) English reason as one Swedish sentence naming `label`.

    Allowed choices are listed by their Swedish words (a form's options), or with `codes`
    as the values to send (an API's caller types the code). `translate` is the catalog of a
    page in another language (a participant's): the sentence is then in that language, and
    `label` should be too."""
    _ = translate
    message = message.split(" - at ")[0]
    choices = list(choices)
    named = {"label": label}
    if _MISSING.search(message) or "Missing required" in message:
        return _("%(label)s måste fyllas i.") % named
    if m := _UNKNOWN.search(message):
        return _("Fältet \u201d%(name)s\u201d finns inte här och får inte skickas.") % {
            "name": m.group(1)
        }
    if m := re.search(r"`str` of length (>=|<=) (\d+)", message):
        n = int(m.group(2))
        if m.group(1) == ">=":
            if n <= 1:
                return _("%(label)s måste fyllas i.") % named
            return _("%(label)s måste ha minst %(n)s tecken.") % {**named, "n": n}
        return _("%(label)s får vara högst %(n)s tecken.") % {**named, "n": n}
    if m := re.search(r"`(?:array|object)` of length (>=|<=) (\d+)", message):
        if m.group(1) == ">=":
            return _("%(label)s: välj minst %(n)s.") % {**named, "n": m.group(2)}
        return _("%(label)s: välj högst %(n)s.") % {**named, "n": m.group(2)}
    if m := re.search(r"`(?:int|float)` (>=|<=|>|<) (-?[\d.]+)", message):
        bound = m.group(2).removesuffix(".0")
        if m.group(1) == "<":
            return _("%(label)s måste vara mindre än %(bound)s.") % {**named, "bound": bound}
        return _(_BOUND_WORDS[m.group(1)]) % {**named, "bound": bound}
    if "Invalid enum value" in message or (choices and "`str`" in message):
        if choices:
            words = ", ".join(f"\u201d{c}\u201d" if codes else _code_word(c) for c in choices)
            return _("%(label)s: välj ett av alternativen (%(words)s).") % {
                **named,
                "words": words,
            }
        return _("%(label)s: välj ett av alternativen i listan.") % named
    if "encoded datetime" in message or "`datetime`" in message:
        # A point in time, not a day: the date advice sent "2026-01-01T24:00" to the format
        # it already had.
        return _(
            "%(label)s: ange tidpunkten som datum, T och klockslag med tidszon, till "
            "exempel %(example)s (timmen 00–23)."
        ) % {**named, "example": DATETIME_EXAMPLE}
    if "RFC3339" in message or "`date`" in message or "Invalid epoch" in message:
        return _("%(label)s: ange datumet som ÅÅÅÅ-MM-DD, till exempel %(example)s.") % {
            **named,
            "example": DATE_EXAMPLE,
        }
    if "matching regex" in message:
        return _("%(label)s har fel format.") % named
    if "out of range" in message:
        return _("%(label)s: talet är för stort eller för litet.") % named
    if m := re.search(r"Expected `([a-z]+)", message):
        kind = _TYPE_WORDS.get(m.group(1))
        if kind:
            return _("%(label)s ska vara %(kind)s.") % {**named, "kind": _(kind)}
    return _("%(label)s har ett värde som inte går att ta emot.") % named


UNREADABLE_FORM = N_(
    "Formuläret kom fram med tecken som inte går att läsa (texten var inte kodad som UTF-8), "
    "så inget sparades. Ladda om sidan och skriv in texten igen."
)


async def check_encoding(request: Request[Any, Any, Any]) -> None:
    """A 400 in Swedish when a URL-encoded form's text is no UTF-8: parsed as it came, each
    broken byte became "�" and was stored as such (a host's name read "��" in
    the public search). A browser sends the pages' forms as UTF-8; a broken client or a
    crafted post does not."""
    if request.content_type[0] != "application/x-www-form-urlencoded":
        return
    for pair in (await request.body()).split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationFailed(UNREADABLE_FORM) from None


async def form_values(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted form as a dict: one string per field, a list where a field repeats. A file
    (a crafted multipart post: no page's form sends one) is no value; text that is no UTF-8
    is refused (`check_encoding`)."""
    await check_encoding(request)
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form:
        if key == "_csrf_token":
            continue
        items = [item for item in form.getall(key) if isinstance(item, str)]
        if items:
            values[key] = items if len(items) > 1 else items[0]
    return values


# Where a list field's text breaks into items: at line breaks, and at commas unless an item
# may hold one.
_ITEM_BREAK = {True: re.compile(r"[\r\n,]"), False: re.compile(r"[\r\n]")}


def list_items(raw: Any, *, commas: bool = True) -> list[str]:
    """A list field's items as posted: its repeated inputs (ticked boxes, and a box to type
    more in, one per line), each split at line breaks, and at commas unless `commas` is False
    (items that may hold one: the taxonomy's "Utbildning, armén"); trimmed, empty ones left
    out (the box to type in, posted empty). What `parse_form` passes on, and what a refused
    form shows again as ticked."""
    items = raw if isinstance(raw, list) else [raw] if raw else []
    parts = (p.strip() for item in items for p in _ITEM_BREAK[commas].split(str(item)))
    return [p for p in parts if p]


def is_ticked(values: Mapping[str, Any], name: str) -> bool:
    """True when the checkbox `name` was sent ticked (absent, "", "0" and "false" are not)."""
    raw = values.get(name)
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
    return raw not in (None, "", "0", "false")


# Characters no one types into a form and that no text here needs: C0 and C1 controls but tab
# and line breaks (NUL, ESC with a terminal's colour codes) and the bidirectional embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make a name read otherwise
# than it is stored ("Trojan Source"). They reached the database, the CSV exports and the
# audit log's export as they were. Arabic text needs none of them (its marks U+200E/U+200F
# are allowed). A JSON body holding one is refused (`marketplace.kernel.bodies`), and so is
# a page's form (`control_problems`): the form comes back with the characters taken out.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_KINDS = {"\x00": N_("ett nolltecken"), "\x1b": N_("ett escape-tecken")}
_DIRECTION = N_("ett tecken som styr skrivriktningen")
_CONTROL = N_("ett styrtecken")
# How much of the visible text before the first such character the message quotes.
_BEFORE = 20


# Fields whose text a page never shows again (passwords): a message about them quotes none of
# it, and asks for it anew.
SECRET_FIELDS = frozenset({"password", "password2", "repeat", "current_password"})


def control_problem(
    text: str, label: str, translate: Translate = swedish, *, secret: bool = False
) -> str | None:
    """The message for a form's text holding invisible control characters (`None` if it holds
    none): which the first is, its code and the visible text before it, since a person sees
    none of them; the refused form shows the text with them taken out. A `secret` text (a
    password) is quoted in no part."""
    _ = translate
    found = list(CONTROL_CHARACTERS.finditer(text))
    if not found:
        return None
    char = found[0].group()
    kind = _CONTROL_KINDS.get(char) or (_DIRECTION if "\u202a" <= char <= "\u2069" else _CONTROL)
    if secret:
        return (
            f"{label}: texten innehöll ett osynligt styrtecken ({_(kind)}, U+{ord(char):04X}). "
            "Skriv lösenordet igen, utan det."
        )
    before = " ".join(CONTROL_CHARACTERS.sub("", text[: found[0].start()]).split())
    if len(before) > _BEFORE:
        tail = before[-_BEFORE:]
        if before[-_BEFORE - 1] != " " and " " in tail:
            tail = tail.split(" ", 1)[1]  # whole words only
        before = "…" + tail.lstrip()
    named = {
        "label": label,
        "what": _(kind),
        "code": f"U+{ord(char):04X}",
        "where": _("efter \u201d%(before)s\u201d") % {"before": before}
        if before
        else _("först i texten"),
        "count": len(found),
    }
    if len(found) == 1:
        return (
            _(
                "%(label)s: texten innehöll ett osynligt styrtecken (%(what)s, %(code)s) "
                "%(where)s. Det är borttaget ur fältet; läs igenom texten och försök igen."
            )
            % named
        )
    return (
        _(
            "%(label)s: texten innehöll %(count)s osynliga styrtecken, det första (%(what)s, "
            "%(code)s) %(where)s. De är borttagna ur fältet; läs igenom texten och försök igen."
        )
        % named
    )


def _text_of(raw: Any) -> str:
    """A posted field's text: its values one per line, when it was sent more than once."""
    return "\n".join(map(str, raw)) if isinstance(raw, list) else str(raw)


def control_problems(
    values: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    *,
    only: Iterable[str] | None = None,
    translate: Translate = swedish,
) -> dict[str, str]:
    """Every posted field (or those of `only`) whose text holds an invisible control
    character, each with its message (`control_problem`), in the order posted."""
    names = list(values) if only is None else [n for n in only if n in values]
    problems = {
        name: control_problem(
            _text_of(values[name]),
            field_label(name, labels),
            translate,
            secret=name in SECRET_FIELDS,
        )
        for name in names
    }
    return {name: message for name, message in problems.items() if message}


def without_control_characters(values: Mapping[str, Any]) -> dict[str, Any]:
    """The posted values with the invisible control characters taken out: what a refused form
    shows again (a person could not find them to delete; an HTML page shows NUL as "�").
    A page's form answered without `round_trip` refuses them itself (`control_problems`,
    with its other messages, before the service is asked) and shows these values."""
    return {
        name: [CONTROL_CHARACTERS.sub("", str(v)) for v in raw]
        if isinstance(raw, list)
        else CONTROL_CHARACTERS.sub("", str(raw))
        for name, raw in values.items()
    }


@functools.cache
def _one_field(cls: type[Any], name: str) -> tuple[type[msgspec.Struct], list[str]]:
    """A Struct of `cls`'s field `name` alone (its type and constraints), and its choices."""
    info = next(f for f in msgspec.structs.fields(cls) if f.name == name)
    single = msgspec.defstruct(f"{cls.__name__}_{name}", [(name, info.type)], kw_only=True)
    return single, allowed_choices(info.type)


def field_problems(
    cls: type[Any],
    data: Mapping[str, Any],
    labels: Mapping[str, str],
    *,
    strict: bool = False,
    codes: bool = False,
    translate: Translate = swedish,
) -> dict[str, str]:
    """Every field of `data` that `cls` would refuse, each with its Swedish message (or in
    the language of `translate`, `swedish_reason`): the type and constraints of each field on
    its own, required fields left out, dates outside the service's window. Fields `cls` does
    not have are left to the caller."""
    _ = translate
    problems: dict[str, str] = {}
    infos = {f.name: f for f in msgspec.structs.fields(cls)}
    for name, info in infos.items():
        label = field_label(name, labels)
        single, choices = _one_field(cls, name)  # type: ignore[arg-type]  # a Struct type
        if name not in data:
            if info.required:
                # A choice left unmade is chosen, a box left empty is filled in, and a
                # question is answered ("Välj hur slutade placeringen?." said nothing).
                problems[name] = (
                    _("Svara på frågan ”%(label)s”.") % {"label": label}
                    if label.endswith("?")
                    else _("Välj %(label)s.") % {"label": f"{label[:1].lower()}{label[1:]}"}
                    if choices
                    else _("%(label)s måste fyllas i.") % {"label": label}
                )
            continue
        try:
            value = getattr(msgspec.convert({name: data[name]}, single, strict=strict), name)
        except msgspec.ValidationError as exc:
            own = own_problem(info.type)
            problems[name] = (
                _(own)
                if own is not None
                else swedish_reason(str(exc), label, choices, codes=codes, translate=translate)
            )
            continue
        except MarketplaceError as exc:
            problems[name] = _(exc.message)
            continue
        if isinstance(value, dt.date) and (problem := date_problem(value, label)):
            problems[name] = problem
    return problems


def refuse(errors: Mapping[str, str]) -> None:
    """Raise one error carrying every field's message (no message twice), when there are any."""
    if errors:
        raise ValidationFailed.every(errors)


def parse_form(
    cls: type[T],
    values: Mapping[str, Any],
    *,
    labels: Mapping[str, str],
    lists: Iterable[str] = (),
    lines: Iterable[str] = (),
    flags: Iterable[str] = (),
    blank_is_none: Iterable[str] = (),
    blank_is_empty: Iterable[str] = (),
    checks: Mapping[str, Callable[[Any], object]] | None = None,
    rules: Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]] | None = None,
    translate: Translate | None = None,
) -> T:
    """Convert form values into `cls`, or raise `ValidationFailed` naming every wrong field.

    `checks` are the service's own rules for single fields (an e-mail address, a name that
    must be given), each called with the field's text; a `ValidationFailed` it raises is
    reported with the type errors of the other fields, so that one answer lists them all.
    `rules` are the service's rules over several fields (an end before its start, a date in
    the past); called with the fields that passed their own checks, each (field, message) it
    returns is reported with the rest. The service checks the same rules again.

    `lists` are fields sent as repeated inputs or one comma/line-separated text, `lines` the
    same split at line breaks only (an item may hold a comma, `list_items`); `flags` are
    checkboxes (absent means False); an empty input means None for `blank_is_none`, "" for
    `blank_is_empty` (free texts a person may clear), and otherwise "not sent" (the Struct's
    default, or "måste fyllas i"). Fields not in `labels` are ignored: a form cannot set them.

    `translate` is the catalog of a page in another language (the public application form in
    English or Arabic): `labels` are then in that language, and every message is translated
    (those of `checks` and `rules` too, looked up whole). Without it everything is Swedish.
    Parsing adds nothing to `FIELD_LABELS` (a `Form` adds its labels when declared).
    """
    _ = translate or swedish
    data: dict[str, Any] = {}
    list_fields, flag_fields, optional = set(lists), set(flags), set(blank_is_none)
    line_fields = set(lines)
    empty_ok = set(blank_is_empty)
    cleared: dict[str, str] = {}
    struct: Any = cls
    unset = {f.name for f in msgspec.structs.fields(struct) if f.default is msgspec.UNSET}
    # Invisible control characters are refused; the rest is checked as if they were gone,
    # as the refused form shows the text (`without_control_characters`).
    controls = control_problems(values, labels, only=labels, translate=_)
    if controls:
        values = {**values, **without_control_characters({n: values[n] for n in controls})}
    for name in labels:
        raw = values.get(name)
        if name in flag_fields:
            data[name] = is_ticked(values, name)
        elif name in list_fields or name in line_fields:
            data[name] = list_items(raw, commas=name not in line_fields)
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
            elif name in unset:
                # An edit form's field emptied: "unchanged" would silently keep the old value.
                cleared[name] = _("%(label)s måste fyllas i.") % {"label": labels[name]}
    known = set(struct.__struct_fields__)
    problems = {**cleared, **field_problems(cls, data, labels, translate=_)}
    for name, message in controls.items():
        problems[name] = f"{message} {problems[name]}" if name in problems else message
    for name, check in (checks or {}).items():
        if name in problems:
            continue
        try:
            check(data.get(name, ""))
        except MarketplaceError as exc:
            problems[name] = _(exc.errors.get(name, exc.message))
    if rules is not None:
        for name, message in rules({k: v for k, v in data.items() if k not in problems}):
            # A field with a problem of its own says that one: the rules read the form
            # without it, so theirs about it contradicted it ("får vara högst 7" beside "Ange
            # minst en dag" for 8 days; a comment too long "Skriv vad frånvaron var").
            problems.setdefault(name, _(message))
    ordered = [*labels, *(k for k in problems if k not in labels)]  # the form's order
    refuse({k: problems[k] for k in ordered if k in problems and (k in labels or k in known)})
    try:
        return msgspec.convert(data, cls, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _MISSING.search(message) or _PATH.search(message)
        field = found.group(1) if found else ""
        refuse({field: swedish_reason(message, field_label(field, labels), translate=_)})
        raise  # pragma: no cover - refuse always raises here


def field_errors(exc: MarketplaceError, known: Iterable[str]) -> dict[str, str]:
    """The error message per field the form shows; `_form` for the rest. A rule about two
    fields (an end before its start) is shown at both; the summary lists it once."""
    names = set(known)
    given = exc.errors or dict.fromkeys(exc.fields, exc.message)
    shown: dict[str, str] = {}
    for name, message in given.items():
        key = name if name in names else "_form"
        if key == "_form" and message in shown.values():
            continue
        shown[key] = f"{shown[key]} {message}" if key in shown else message
    return shown or {"_form": exc.message}


# --- the round trip of a page form ---------------------------------------------------------

Landing = tuple[str, str]
"""Where a form lands when the service took it: the page's address and the notice's code."""


class NoFields(msgspec.Struct):
    """The Struct of a form that is only a button (and perhaps a box to tick)."""


@dataclass(frozen=True)
class Form(Generic[T]):
    """How one page form becomes the service's Struct: `parse_form`'s arguments, kept beside
    the form's labels, and the boxes that must be ticked (a consent, "Ja, jag vill avsluta"),
    each with its message when it is not. Called with the posted values, it returns the Struct
    or raises one `ValidationFailed` naming every wrong field and every unticked box.
    With `translate` (a page in another language, `parse_form`) the labels are in that
    language and every message is translated, the boxes' too. `found` is an error known
    before the parse (`also`)."""

    struct: type[T]
    labels: Mapping[str, str]
    lists: Iterable[str] = ()
    lines: Iterable[str] = ()
    flags: Iterable[str] = ()
    blank_is_none: Iterable[str] = ()
    blank_is_empty: Iterable[str] = ()
    checks: Mapping[str, Callable[[Any], object]] | None = None
    rules: Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]] | None = None
    boxes: Mapping[str, str] = field(default_factory=dict)
    translate: Translate | None = None
    found: MarketplaceError | None = None

    def __post_init__(self) -> None:
        # The Swedish labels are known from the moment the form is declared (the module's
        # import), not from its first post: the participant's own extract names its fields by
        # `FIELD_LABELS`, and showed more of them after a coordinator had posted a form.
        if self.translate is None:
            for name, text_label in self.labels.items():
                FIELD_LABELS.setdefault(name, text_label)

    @property
    def fields(self) -> list[str]:
        """The fields the page shows a message next to (the rest go to the summary)."""
        return [*self.labels, *self.boxes]

    def also(self, found: MarketplaceError | None) -> Form[T]:
        """This form, reporting with its own problems the error `found` before it was parsed
        (the database's answers a parse cannot give: a user name already taken), each message
        on its field, so that one answer lists them all; a field with a problem of its own
        shows that one. Without problems of its own the form raises `found` as it is (a
        conflict stays a 409)."""
        return replace(self, found=found)

    def __call__(self, values: Mapping[str, Any]) -> T:
        problems: dict[str, str] = {}
        data: Any = None
        try:
            data = parse_form(
                self.struct,
                values,
                labels=self.labels,
                lists=self.lists,
                lines=self.lines,
                flags=self.flags,
                blank_is_none=self.blank_is_none,
                blank_is_empty=self.blank_is_empty,
                checks=self.checks,
                rules=self.rules,
                translate=self.translate,
            )
        except ValidationFailed as exc:
            problems.update(exc.errors or dict.fromkeys(exc.fields, exc.message))
        _ = self.translate or swedish
        for name, message in self.boxes.items():
            if not is_ticked(values, name):
                problems[name] = _(message)
        if self.found is not None:
            if not problems:
                raise self.found
            found = self.found.errors or dict.fromkeys(
                self.found.fields or ["_form"], self.found.message
            )
            for name, message in found.items():
                problems.setdefault(name, message)
        ordered = [*self.fields, *problems]  # the form's order, the summary's too
        refuse({name: problems[name] for name in dict.fromkeys(ordered) if name in problems})
        result: T = data
        return result


FREE_TEXT_MAX = 2000


def free_text(name: str) -> Callable[[Mapping[str, Any]], str]:
    """A round trip's `parse` for a form of one free-text field (a note, a reason): what was
    typed, up to 2,000 characters; a longer text is refused, with its length (it was cut
    without a word). Whether it may be empty is the service's rule."""

    def parse(values: Mapping[str, Any]) -> str:
        text = str(values.get(name, ""))
        if len(text) > FREE_TEXT_MAX:
            raise ValidationFailed.every(
                {name: f"Skriv högst {FREE_TEXT_MAX} tecken, inte {len(text)}. Korta texten."}
            )
        return text

    return parse


ACTION: Form[NoFields] = Form(NoFields, labels={})
"""A button without fields: nothing to parse, the service's answer is all."""


def confirmed(box: str, message: str) -> Form[NoFields]:
    """A button that acts only once the box `box` is ticked; unticked, `message` (400)."""
    return Form(NoFields, labels={}, boxes={box: message})


class Rerender(Protocol):
    """Shows the form's page again with what was typed, the message per field and the
    error's status (the page's own builder, e.g. `functools.partial(_detail, request, id)`)."""

    def __call__(
        self, *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Awaitable[Response[Any]] | Response[Any]: ...


def rerender_as(
    show: Callable[..., Awaitable[Response[Any]]],
    *,
    values: str | None = "values",
    errors: str = "errors",
) -> Rerender:
    """`show` (the page's own builder) as a `Rerender` whose page knows the refused form's
    values and messages by other names: `values` and `errors` name the keywords they are
    passed as; `values=None` leaves out what was typed (a button's form: the page shows what is
    saved, with the message)."""
    values_as, errors_as = values, errors

    def rerender(
        *, values: dict[str, Any], errors: dict[str, str], status_code: int
    ) -> Awaitable[Response[Any]]:
        shown: dict[str, Any] = {errors_as: errors}
        if values_as is not None:
            shown[values_as] = values
        return show(status_code=status_code, **shown)

    return rerender


def _parsed(
    parse: Callable[[dict[str, Any]], T],
    values: dict[str, Any],
    shown: list[str],
    labels: Mapping[str, str],
) -> T:
    """`parse` given the values without invisible control characters (as the refused page
    shows them), and every posted text that held one refused with the parse's own messages:
    one `ValidationFailed`, in the form's order (`shown`). `labels` name the fields the
    parse reads besides a `Form`'s."""

    def controls() -> dict[str, str]:
        # Asked after the parse: a form's labels are known to `FIELD_LABELS` by then.
        named = {**getattr(parse, "labels", {}), **labels}
        translate = getattr(parse, "translate", None) or swedish
        return control_problems(values, named, translate=translate)

    try:
        parsed = parse(without_control_characters(values))
    except ValidationFailed as exc:
        found = controls()
        if not found:
            raise
        problems = dict(exc.errors or dict.fromkeys(exc.fields or ["_form"], exc.message))
        for name, message in found.items():
            problems[name] = f"{message} {problems[name]}" if name in problems else message
        order = {name: i for i, name in enumerate(shown)}
        refuse(dict(sorted(problems.items(), key=lambda item: order.get(item[0], len(order)))))
        raise  # pragma: no cover - refuse always raises here
    refuse(controls())
    return parsed


async def round_trip(
    request: Request[Any, Any, Any],
    parse: Callable[[dict[str, Any]], T],
    act: Callable[[T], Awaitable[Landing | Response[Any]]],
    refused: Rerender,
    *,
    fields: Iterable[str] | Mapping[str, str] | None = None,
) -> Response[Any]:
    """A page form's answer: parse the post (`parse`, usually a `Form`), call the service
    (`act`, given the parsed value), and redirect (303) to the `Landing` it returns with its
    notice; `act` may instead return a page of its own (a receipt shown at once).

    A `MarketplaceError` from either step shows the page again (`refused`) with the posted
    values kept, the error's messages on `fields` (by default the `Form`'s fields; others go
    to the summary, `_form`), the error's status and headers (Retry-After).

    Every posted text is checked for invisible control characters, whichever `parse` reads
    it (a `Form`'s own fields, a free text, an adaptation's row): each such field is refused
    with the parse's other messages, named by its label (a `Form`'s, `fields` given as a
    mapping of labels, or `FIELD_LABELS`), and the page shows the text without them."""
    values = await form_values(request)
    shown = list(fields if fields is not None else getattr(parse, "fields", ()))
    labels = fields if isinstance(fields, Mapping) else {}
    try:
        outcome = await act(_parsed(parse, values, shown, labels))
    except MarketplaceError as exc:
        answer = refused(
            values=without_control_characters(values),
            errors=field_errors(exc, shown),
            status_code=exc.status_code,
        )
        page = await answer if inspect.isawaitable(answer) else answer
        page.headers.update(exc.headers)
        return page
    if isinstance(outcome, Response):
        return outcome
    address, notice = outcome
    return Redirect(done(address, notice), status_code=303)
