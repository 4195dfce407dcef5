"""Organisationsnummer: Skatteverket's rules (ten digits, Luhn check, third digit at least 2).

Accepted spellings: "556677-8899", "5566778899", and the twelve-digit form with the century
prefix "16" ("16556677-8899", "165566778899"). The stored form is "NNNNNN-NNNN".
"""

from __future__ import annotations

from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.luhn import luhn_check_digit, luhn_ok

__all__ = ["luhn_check_digit", "luhn_ok", "normalize_org_number", "org_number_problem"]


_MESSAGES = {
    "chars": (
        "Organisationsnumret {n} får bara innehålla siffror och ett bindestreck, t.ex. 556677-8899.",
        "Organisation number {n} may hold only digits and one hyphen, e.g. 556677-8899.",
    ),
    "century": (
        "Organisationsnumret {n} har tolv siffror men börjar inte med 16. Ange de tio siffrorna, t.ex. 556677-8899.",
        "Organisation number {n} has twelve digits but does not start with 16. Give the ten digits, e.g. 556677-8899.",
    ),
    "length": (
        "Organisationsnumret {n} ska ha tio siffror, t.ex. 556677-8899.",
        "Organisation number {n} must have ten digits, e.g. 556677-8899.",
    ),
    "third": (
        "Organisationsnumret {n} är inget organisationsnummer: den tredje siffran ska vara minst 2.",
        "Organisation number {n} is not an organisation number: its third digit must be 2 or more.",
    ),
    "luhn": (
        "Organisationsnumret {n} har fel kontrollsiffra. Kontrollera att alla siffror är rätt.",
        "Organisation number {n} has a wrong check digit. Check that every digit is right.",
    ),
}


def org_number_problem(raw: str, language: str = "sv") -> str | None:
    """Why `raw` is not a valid organisationsnummer, naming the number, or None when valid.

    `language` is "sv" (the service) or "en" (CLI reports with CLI_LANGUAGE=en).
    """
    text = raw.strip()
    digits = text.replace("-", "").replace(" ", "")
    code: str | None = None
    if not digits.isascii() or not digits.isdigit():
        code = "chars"
    elif len(digits) == 12 and not digits.startswith("16"):
        code = "century"
    else:
        digits = digits[2:] if len(digits) == 12 else digits
        if len(digits) != 10:
            code = "length"
        elif int(digits[2]) < 2:
            code = "third"
        elif not luhn_ok(digits):
            code = "luhn"
    if code is None:
        return None
    sv, en = _MESSAGES[code]
    return (en if language == "en" else sv).format(n=text or "(tomt)")


def normalize_org_number(raw: str, field: str = "org_number") -> str:
    """The number as "NNNNNN-NNNN", or `ValidationFailed` naming the number and the fault.

    An empty string stays empty (the number is optional for a host).
    """
    text = raw.strip()
    if not text:
        return ""
    problem = org_number_problem(text)
    if problem:
        raise ValidationFailed(problem, fields=[field])
    digits = text.replace("-", "").replace(" ", "")[-10:]
    return f"{digits[:6]}-{digits[6:]}"
