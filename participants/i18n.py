"""Participant pages in Swedish, English and Arabic (gettext catalogs, read with Babel).

The languages and the catalogs themselves are `marketplace.kernel.i18n` (what is sent to a
participant from `placements` uses them too); this module adds the choice. The message ids
are the Swedish texts; `locale/{en,ar}/LC_MESSAGES/messages.po` translate them. The person's
choice is kept in a cookie (`mp_sprak`) for a year, before and after sign-in, and a signed-in
participant's choice on their record (`pl_candidate.language`): sign-in sets the cookie from
it (a choice already made in this browser, as on the link's page, wins and is kept on the
record), and what is sent to them (the sign-in and signing links, a proposal to answer) is in
it; the sign-in link names it (`?sprak=`), so that its page opens in it on a new phone.
Staff pages stay Swedish.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from marketplace.kernel.i18n import DEFAULT as DEFAULT
from marketplace.kernel.i18n import LANG_COOKIE as LANG_COOKIE
from marketplace.kernel.i18n import LANGUAGES as LANGUAGES
from marketplace.kernel.i18n import LOCALE_DIR as LOCALE_DIR
from marketplace.kernel.i18n import N_ as N_
from marketplace.kernel.i18n import direction as direction
from marketplace.kernel.i18n import gettext_for as gettext_for
from marketplace.kernel.i18n import translations as translations
from marketplace.kernel.views import chosen_language
from marketplace.kernel.views import language_cookie as language_cookie


def language_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The language this browser chose (its cookie), else Swedish."""
    return chosen_language(connection)


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
    # A slot's kind in my slot search (placements.vocabulary.SLOT_KIND_LABELS).
    N_("Praktik"),
    N_("Arbetsträning"),
    # A form whose token no longer matched (marketplace.app.CSRF_FAILED).
    N_(
        "Formuläret kunde inte skickas, eftersom sidan har varit öppen länge eller "
        "webbläsarens kakor har rensats. Gå tillbaka, ladda om sidan och skicka igen."
    ),
)
