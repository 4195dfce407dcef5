"""E-mail addresses and one-line texts: the one place where they are checked and normalised.

Every entry point that stores an address (participants, host contacts, invitations, users,
host applications, imports) calls `normalise_email`, so that addresses are stored valid and
lower-cased and can be matched exactly (`==`), never with a pattern. Texts that end up in a
mail header (names, slot titles) go through `single_line`: a CR or LF there would let a
value add headers of its own, and stops the message from being built at all.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.i18n import Translate, swedish

EXAMPLE = "namn@exempel.se"
MAX_EMAIL_LENGTH = 320
_LINE_BREAKS = ("\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def normalise_email(
    value: str | None,
    field: str = "email",
    *,
    label: str = "E-postadressen",
    required: bool = True,
    translate: Translate = swedish,
) -> str:
    """`value` as a valid, lower-cased e-mail address, or `ValidationFailed` naming `field`.

    Blank gives "" when the address is optional (`required=False`). The check is the
    maintained `email-validator` library's syntax check (no DNS lookup). `translate` (and a
    `label` in its language) gives the message in a participant's language.
    """
    _ = translate
    named = {"label": label, "example": EXAMPLE}
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationFailed(
                _("%(label)s måste fyllas i, till exempel %(example)s.") % named, fields=[field]
            )
        return ""
    if len(text) > MAX_EMAIL_LENGTH or any(c in text for c in _LINE_BREAKS):
        raise ValidationFailed(
            _("%(label)s ser inte rätt ut. Ange en adress som %(example)s.") % named,
            fields=[field],
        )
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(
            _("%(label)s %(text)s ser inte rätt ut. Ange en adress som %(example)s.")
            % {**named, "text": text},
            fields=[field],
        ) from None
    return result.normalized.lower()


def single_line(value: str, field: str, *, label: str) -> str:
    """`value` if it holds no line break, else `ValidationFailed` naming `field`.

    For every text that may become a mail header (titles, names).
    """
    if any(c in value for c in _LINE_BREAKS):
        raise ValidationFailed(
            f"{label} får inte innehålla radbrytningar. Skriv allt på en rad.", fields=[field]
        )
    return value
