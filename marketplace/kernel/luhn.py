"""The Luhn check of Swedish identity numbers: personnummer, samordningsnummer and
organisationsnummer end in a check digit computed the same way (Skatteverket's rule).

One definition for the kernel and every domain: `employers.services.orgnr` checks
organisation numbers with it, `placements.services.candidates` personnummer.
"""

from __future__ import annotations


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn check (the last digit is the check digit)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 1 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """The check digit that makes `digits` + digit pass the Luhn check."""
    for d in "0123456789":
        if luhn_ok(digits + d):
            return d
    raise AssertionError("unreachable: exactly one digit always completes a Luhn sum")
