"""E-mail addresses and one-line texts: the one place where they are checked and normalised.

Every entry point that stores an address (participants, host contacts, invitations, users,
host applications, imports) calls `normalise_email`, so that addresses are stored valid and
lower-cased and can be matched exactly (`==`), never with a pattern. Texts that end up in a
mail header (names, slot titles) go through `single_line`: a CR or LF there would let a
value add headers of its own, and stops the message from being built at all.

An address is stored only if mail can go to it. Before the @ it holds ASCII only: the
library allows UTF-8 there (RFC 6531), but such a mail can only be sent with SMTPUTF8 from end
to end, which neither our delivery nor most receiving servers offer, and
"åsa.öberg@vargarda.se" was stored and its password link then failed in the outbox. It is
refused at entry instead, with the characters allowed and the address with a for å and ä and
o for ö to try (`normalise_email`). A domain with å, ä or ö is a real domain
("vårgårda.se"): it is stored as written and sent as IDNA (punycode, `wire_address`).
Addresses stored before this rule are found by `address_problem`, which the outbox uses to
say that a mail failed because of its address, not the mail server.
"""

from __future__ import annotations

import unicodedata

import idna
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
    local = text.rpartition("@")[0]
    if local and not local.isascii():
        suggestion = suggested_address(text)
        message = (
            _(
                "%(label)s %(text)s går inte att skicka e-post till: före @ får en adress bara "
                "ha bokstäverna a–z (inte å, ä, ö eller é), siffror och tecken som . - _ +. "
                "Menar du %(suggestion)s?"
            )
            if suggestion
            else _(
                "%(label)s %(text)s går inte att skicka e-post till: före @ får en adress bara "
                "ha bokstäverna a–z (inte å, ä, ö eller é), siffror och tecken som . - _ +."
            )
        )
        raise ValidationFailed(
            message % {**named, "text": text, "suggestion": suggestion}, fields=[field]
        )
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise ValidationFailed(
            _("%(label)s %(text)s ser inte rätt ut. Ange en adress som %(example)s.")
            % {**named, "text": text},
            fields=[field],
        ) from None
    return result.normalized.lower()


def suggested_address(address: str) -> str:
    """`address` with a for å and ä, o for ö and no accents before the @ ("åsa.öberg@x.se"
    → "asa.oberg@x.se"), lower-cased; "" when there is nothing to fold before the @, or
    when folding still leaves a letter outside ASCII."""
    local, at, domain = address.strip().lower().rpartition("@")
    if local.isascii():
        return ""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", local) if not unicodedata.combining(c)
    )
    return f"{folded}{at}{domain}" if at and folded and folded.isascii() else ""


LOCAL_PART_PROBLEM = (
    "Adressen går inte att skicka e-post till: före @ får en adress bara ha bokstäverna a–z "
    "(inte å, ä, ö eller é), siffror och tecken som . - _ +."
)
DOMAIN_PROBLEM = (
    "Adressen går inte att skicka e-post till: delen efter @ är inget giltigt domännamn."
)
NO_ADDRESS_PROBLEM = "Adressen går inte att skicka e-post till: den saknar en del före och efter @."


class UnsendableAddress(ValueError):
    """An address no mail can be sent to; its message says why, in Swedish."""


def wire_address(address: str) -> str:
    """`address` as it goes to the mail server: the part before the @ as stored (ASCII), the
    domain as IDNA ("asa@vårgårda.se" → "asa@xn--vrgrda-iuac.se").

    Raises `UnsendableAddress` for an address stored before the rule of `normalise_email`,
    with å, ä or ö before the @, or a domain that IDNA cannot encode.
    """
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        raise UnsendableAddress(NO_ADDRESS_PROBLEM)
    if not local.isascii():
        raise UnsendableAddress(LOCAL_PART_PROBLEM)
    if domain.isascii():
        return f"{local}@{domain}"
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise UnsendableAddress(DOMAIN_PROBLEM) from None
    return f"{local}@{ascii_domain}"


def address_problem(address: str) -> str | None:
    """Why no mail can be sent to `address`, in Swedish, or None when it can be."""
    try:
        wire_address(address)
    except UnsendableAddress as exc:
        return str(exc)
    return None


def single_line(value: str, field: str, *, label: str) -> str:
    """`value` if it holds no line break, else `ValidationFailed` naming `field`.

    For every text that may become a mail header (titles, names).
    """
    if any(c in value for c in _LINE_BREAKS):
        raise ValidationFailed(
            f"{label} får inte innehålla radbrytningar. Skriv allt på en rad.", fields=[field]
        )
    return value
