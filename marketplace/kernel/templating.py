"""Jinja filters shared by every package's pages: Swedish labels, Stockholm time, numbers.

Times are stored in UTC and shown in Europe/Stockholm; codes (kinds, statuses, tracks) are
stored in English or as codes and shown in Swedish. The app factory registers these filters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from marketplace.kernel import figures, i18n, notices
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.settings import Settings
from marketplace.kernel.tables import ROLES

if TYPE_CHECKING:  # the app factory passes it; the labels alone need no web framework
    from litestar.plugins.jinja import JinjaTemplateEngine

# Codes shown in Swedish, by vocabulary. The kernel holds its own (roles, job runs); each domain
# package adds its vocabularies with `add_labels` when its vocabulary module is imported
# (employers/vocabulary.py, placements/vocabulary.py).
LABELS: dict[str, dict[str, str]] = {
    "role": {
        "admin": "administratör",
        "coordinator": "samordnare",
        "host": "värd",
        "analyst": "analytiker",
        "partner": "partnerkontakt",
    },
    "job_outcome": {
        "ok": "Klart",
        "failed": "Misslyckades",
        "running": "Pågår",
        "interrupted": "Avbrutet",
    },
    # What a scheduled job counted in a run (marketplace/scheduler.py, each package's jobs.py).
    "job_count": {
        "anonymised": "anonymiserade",
        "closed": "stängda",
        "created": "skapade",
        "deleted": "raderade",
        "digests": "sammanfattningar",
        "failed": "misslyckade",
        "flagged": "flaggade",
        "notified": "aviserade",
        "queued": "köade",
        "recounted": "omräknade",
        "released": "frigjorda",
        "reminded": "påminda",
        "resolved": "lösta",
        "retried": "försöks igen",
        "sent": "skickade",
        "started": "startade",
        "waiting": "väntar",
    },
}


def add_labels(groups: dict[str, dict[str, str]]) -> None:
    """Add a domain's vocabularies (code → Swedish label, by vocabulary name) to LABELS.
    A vocabulary is declared once: adding one under a name already taken with other words
    is a programming error."""
    for name, labels in groups.items():
        if LABELS.get(name, labels) != labels:
            raise ValueError(f"vocabulary {name!r} is declared twice with different labels")
        LABELS[name] = labels


def _one_of(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Every role the service has (`tables.ROLES`), not a list written out again: the partner
# contact, added later, stayed "partner (partner)" in the log review while the others were
# Swedish. A role without Swedish words is a programming error, found when this loads.
if set(LABELS["role"]) != set(ROLES):
    raise ValueError("every role in tables.ROLES needs its Swedish words in LABELS['role']")
_ACTOR_ROLE = re.compile(rf"\(({_one_of(ROLES)})\)$")


def label(value: Any, kind: str) -> str:
    """The Swedish word for a stored code; the code itself when unknown."""
    if value is None:
        return ""
    return LABELS.get(kind, {}).get(str(value), str(value))


def actor(value: str | None) -> str:
    """Who did something, as stored ("Sara Samordnare (coordinator)"), with the role in
    Swedish ("Sara Samordnare (samordnare)"). Older rows store the role's code."""
    if not value:
        return ""
    return _ACTOR_ROLE.sub(lambda m: f"({label(m.group(1), 'role')})", value)


# A signer's role as stored after their name, as a code or in Swedish ("(samordnare)").
_ANY_ROLE = re.compile(rf"\s*\(({_one_of([*ROLES, *LABELS['role'].values()])})\)$")


def actor_name(value: str | None) -> str:
    """Who did something, without the role stored after the name: for a page in another
    language than Swedish, where the role would be the one Swedish word (the page names the
    party in its own words beside it)."""
    return _ANY_ROLE.sub("", value or "")


def bdi(value: object) -> Markup:
    """A value isolated from the text around it (`<bdi>`): in a right-to-left page an ISO
    date such as 2026-12-19 would otherwise read as 19-12-2026, and a Swedish name beside
    Arabic text would move the words around it."""
    return Markup("<bdi>%s</bdi>") % (value,)


# A number in parts (a personnummer 19121212-1212, a date 2026-12-04, a phone number
# 0322-600 600, a time 14:30): digits joined by a separator.
_LTR_TOKEN = re.compile(r"\d+(?:[-‐‑–/:.+]\d+)+")


def ltr_numbers(value: object) -> Markup:
    """Running text (a translated hint or message) with each number in parts isolated as
    left to right (`<bdi dir="ltr">`). After Arabic words the Unicode bidi algorithm takes
    the digits for Arabic numbers and the dash between them for a neutral: the hint's
    example "19121212-1212" read "1212-19121212" in the Arabic form, and a reader who copies
    the pattern types the number the wrong way round. Nothing changes in a left-to-right
    page. The value is escaped first (Markup passes as it is)."""
    escaped = Markup.escape(value)
    parts: list[Markup] = []
    last = 0
    for found in _LTR_TOKEN.finditer(escaped):
        parts += [escaped[last : found.start()], Markup('<bdi dir="ltr">%s</bdi>') % found[0]]
        last = found.end()
    return Markup("").join([*parts, escaped[last:]])


def in_swedish(value: object) -> Markup:
    """Text the service holds as written in Swedish (by staff or a host: a slot's title, a
    host's name, a coordinator's note, an agreement's terms) inside a page in another
    language: marked as Swedish (`lang`, WCAG 3.1.2, so that a screen reader reads it with
    Swedish pronunciation) and laid out left to right on its own (`dir`: in an Arabic page
    the full stop of "… börja på." stood at its left end, and "15 timmar i veckan" read
    "timmar i veckan 15"). Nothing for an empty value."""
    if value is None or value == "":
        return Markup("")
    return Markup('<span lang="sv" dir="ltr">%s</span>') % (value,)


def when(value: dt.datetime | None) -> str:
    """A timestamp in Stockholm time: "2026-11-26 21:30"."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def day(value: dt.date | dt.datetime | None) -> str:
    """A date as ISO 8601, the Swedish standard form: "2026-11-26"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(STOCKHOLM).date() if value.tzinfo else value.date()
    return value.isoformat()


def number(value: float | int | None, decimals: int = 0) -> str:
    """A number in Swedish form: space as thousands separator, comma as decimal mark."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def _page_language(context: Context) -> str:
    """The language of the page being rendered: its `lang`, Swedish where a page has none."""
    return str(context.get("lang") or i18n.DEFAULT)


@pass_context
def number_in_language(context: Context, value: float | int | None, decimals: int = 0) -> str:
    """`number` in the page's language (its `lang`): Swedish "3,5 km", but "3.5 km" on an
    English or Arabic page (Arabic as the pages write it, in Western digits)."""
    if _page_language(context) == i18n.DEFAULT or value is None:
        return number(value, decimals)
    return f"{value:,.{decimals}f}"


STATIC_PREFIX = "/static/"


def static_urls(directories: Sequence[str | os.PathLike[str]]) -> Callable[[str], str]:
    """`static("site.css")` in a template: the file's address with a digest of its content.

    The static files are served to be kept a year (`STATIC_CACHE_SECONDS`), so a page names
    each by its content: a changed file has a new address at once, and a browser fetches each
    file once instead of asking after it on every page. A template naming a file that does
    not exist fails when it is rendered, not with a broken page.
    """

    @functools.lru_cache(maxsize=256)
    def digest(path: Path, _mtime_ns: int, _size: int) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    def static(name: str) -> str:
        for directory in directories:
            path = Path(directory) / name
            try:
                st = path.stat()
            except OSError:
                continue
            # Keyed by the file's time and size too: a file edited while the service runs
            # (in development) gets its new address on the next page.
            return f"{STATIC_PREFIX}{name}?v={digest(path, st.st_mtime_ns, st.st_size)}"
        raise LookupError(f"no static file {name!r} in {list(map(str, directories))}")

    return static


# How long a browser may keep a static file: a year, since each address names one content.
STATIC_CACHE_SECONDS = 365 * 24 * 3600


@dataclasses.dataclass(frozen=True)
class Site:
    """Who runs the service, as the pages name it (only these settings reach templates)."""

    organisation: str
    unit: str
    area: str
    phone: str


@pass_context
def plural(context: Context, singular: str, plural_text: str, n: int) -> str:
    """`singular` or `plural_text` (Swedish message ids) by `n`, in the page's language (its
    `lang`; Swedish where a page has none), by that language's plural rule: "1 timme i
    veckan", "2 timmar i veckan". Unformatted: the template fills in `n` with `format`."""
    return i18n.ngettext_for(_page_language(context))(singular, plural_text, n)


def register_templating(
    engine: JinjaTemplateEngine,
    static_dirs: Sequence[str | os.PathLike[str]],
    settings: Settings,
) -> None:
    """Add the filters and globals to the app's Jinja environment (the app factory calls
    this with the directories its static files are served from, and the app's settings)."""
    engine.engine.filters.update(
        label=label,
        when=when,
        day=day,
        number=number_in_language,
        figure=figures.text,
        actor=actor,
        actor_name=actor_name,
        bdi=bdi,
        ltr_numbers=ltr_numbers,
        sv=in_swedish,
    )
    engine.engine.globals["notice_for"] = notices.notice_for
    # Swedish pages' `_`: templates shared with the participant's language (the signing
    # page's agreement) mark their texts, and a participant page passes its own catalog.
    engine.engine.globals["_"] = i18n.swedish
    engine.engine.globals["plural"] = plural
    engine.engine.globals["static"] = static_urls(static_dirs)
    # Who runs the service (ORGANISATION_NAME, UNIT_NAME, SERVICE_AREA, CONTACT_PHONE): the
    # pages name it from the settings, so that another municipality runs the same code.
    engine.engine.globals["site"] = Site(
        organisation=settings.organisation_name,
        unit=settings.unit_name,
        area=settings.service_area,
        phone=settings.contact_phone,
    )
