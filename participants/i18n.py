"""Participant pages in Swedish, English and Arabic (gettext catalogs, read with Babel).

The message ids are the Swedish texts; `locale/{en,ar}/LC_MESSAGES/messages.po` translate
them. The catalogs are read from the .po files with Babel and compiled in memory when first
used, so there is no build step and a clean clone works. The person's choice is kept in a
cookie (`mp_sprak`) for a year, before and after sign-in, and a signed-in participant's choice
on their record (`pl_candidate.language`): sign-in sets the cookie from it, and the sign-in
link is sent in it. Staff pages stay Swedish.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

from marketplace.kernel.settings import get_settings

LOCALE_DIR = Path(__file__).parent / "locale"
LANG_COOKIE = "mp_sprak"
DEFAULT = "sv"
# Code → (the language's own name, writing direction).
LANGUAGES: dict[str, tuple[str, str]] = {
    "sv": ("Svenska", "ltr"),
    "en": ("English", "ltr"),
    "ar": ("العربية", "rtl"),
}


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of a language (Swedish, the source language, translates to itself)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def language_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    chosen = connection.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT


def language_cookie(lang: str) -> Cookie:
    return Cookie(
        key=LANG_COOKIE,
        value=lang,
        httponly=True,
        samesite="lax",
        secure=get_settings().is_production,
        path="/",
        max_age=365 * 24 * 3600,
    )


def N_(text: str) -> str:
    """Marks a Swedish text in Python for the catalogs; it is translated where it is shown."""
    return text


# Texts the pages show from other packages' vocabularies (the parties of an agreement, a
# booking's status), so that the catalogs have them too.
SHOWN_FROM_ELSEWHERE = (
    N_("Samordnare"),
    N_("Värd"),
    N_("Handledare"),
    N_("Deltagare"),
    N_("väntar på deltagarens svar"),
    N_("föreslagen"),
    N_("accepterad"),
    N_("avböjd"),
    N_("överenskommen"),
    N_("pågående"),
    N_("avslutad"),
    N_("avbruten"),
)


def gettext_for(lang: str) -> Any:
    return translations(lang).gettext


def direction(lang: str) -> str:
    return LANGUAGES.get(lang, LANGUAGES[DEFAULT])[1]
