"""Errors of the placements package."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marketplace.kernel.errors import MarketplaceError
from marketplace.kernel.i18n import N_

# Marked for the participant's catalogs: their signing page says why in their language.
LINK_INVALID = N_("Länken är ogiltig. Kontrollera att du har kopierat hela länken från mejlet.")
LINK_EXPIRED = N_("Länken har gått ut. Be din kontakt på kommunen om en ny länk.")


class LinkRefused(MarketplaceError):
    """A signing or assessment link is tampered with, expired or already used.

    400 for a link that is not ours, 410 for one that was ours but no longer works. The page
    says which, and nothing changes. `used`: the link is known and did its work (its holder's
    answer is registered), so the page says that, not that nothing changed.
    """

    status_code = 410

    def __init__(
        self, message: str, *, status_code: int = 410, language: str = "", used: bool = False
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        # The participant's language when the link is known to be theirs, so that the page
        # says why in it; "" (Swedish) for anyone else and for a link that is not ours.
        self.language = language
        self.used = used


def link_payload(serializer: URLSafeTimedSerializer, token: str, max_age: int) -> dict[str, Any]:
    """What a signed link carries (a signing, assessment or attendance link), or `LinkRefused`:
    410 when it has expired, 400 when it is not one of ours or carries no fields."""
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkRefused(LINK_EXPIRED, status_code=410) from None
    except BadSignature:
        raise LinkRefused(LINK_INVALID, status_code=400) from None
    if not isinstance(payload, dict):
        raise LinkRefused(LINK_INVALID, status_code=400)
    return payload
