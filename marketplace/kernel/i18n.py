"""The participant's languages (Swedish, English, Arabic) and their gettext catalogs, for
every package that speaks to a participant.

The catalogs are the participant pages' (`participants/locale/{en,ar}`): the participant's
own pages, the signing page their link opens, the public application form (`/ansok`, with
the form helper's messages) and what is sent to them (the signing link, the sign-in link, a
proposal to answer, the planning meeting's invitation to an applicant) share one vocabulary. This module sits in the kernel
because `placements` sends the signing link and the proposal notice and may not import
`participants`; the catalogs are found by path, no package is imported. The message ids are
the Swedish texts; the catalogs are read from the .po files with Babel and compiled in memory
when first used, so there is no build step and a clean clone works.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[2] / "participants" / "locale"
DEFAULT = "sv"
# The cookie holding the language a browser chose (`marketplace.kernel.views.language_cookie`).
LANG_COOKIE = "mp_sprak"
# Code → (the language's own name, writing direction).
LANGUAGES: dict[str, tuple[str, str]] = {
    "sv": ("Svenska", "ltr"),
    "en": ("English", "ltr"),
    "ar": ("العربية", "rtl"),
}

Translate = Callable[[str], str]


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


def known(lang: str | None) -> str:
    """A stored or chosen language as one of ours: Swedish for none or an unknown one."""
    return lang if lang in LANGUAGES else DEFAULT


def gettext_for(lang: str) -> Translate:
    return translations(known(lang)).gettext


def ngettext_for(lang: str) -> Callable[[str, str, int], str]:
    """The catalog's plural lookup: Swedish and English have two forms, Arabic six ("ساعتان"
    for two hours, "ساعات" for three to ten, "ساعة" again from eleven)."""
    return translations(known(lang)).ngettext


def swedish(text: str) -> str:
    """The translation of a text that stays Swedish (staff, hosts, supervisors)."""
    return text


def N_(text: str) -> str:
    """Marks a Swedish text in Python for the catalogs; it is translated where it is shown."""
    return text


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural pair for extraction (`-k N_plural:1,2`); `ngettext_for` picks the form."""
    return singular, plural


def direction(lang: str) -> str:
    return LANGUAGES.get(lang, LANGUAGES[DEFAULT])[1]
