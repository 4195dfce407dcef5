"""Errors of the placements package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marketplace.kernel.errors import MarketplaceError
from marketplace.kernel.i18n import N_, Translate

# Marked for the participant's catalogs: their signing page says why in their language.
LINK_INVALID = N_(
    "Länken är ogiltig. Kontrollera att du har kopierat hela länken från mejlet eller sms:et."
)
LINK_EXPIRED = N_("Länken har gått ut. Be din kontakt på kommunen om en ny länk.")


# What a used link did, which its page says (`agreements/used.html`): a host's answer to a
# proposal, a supervisor's week of attendance, a party's signature on the agreement.
UsedLink = Literal["", "answer", "attendance", "signature"]


class LinkRefused(MarketplaceError):
    """A signing, answer, assessment or attendance link is tampered with, expired or already
    used.

    400 for a link that is not ours, 410 for one that was ours but no longer works. The page
    says which, and nothing changes. `used`: the link is known and did its work (what it
    did, `UsedLink`), so the page says what was registered and when, and whom to ask
    (`coordinator`: their name and e-mail, as the link's own page gave them), not that
    nothing changed. `params` fill in the message after it is translated (`in_language`).
    """

    status_code = 410

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 410,
        language: str = "",
        used: UsedLink = "",
        params: Mapping[str, str] | None = None,
        coordinator: tuple[str, str] = ("", ""),
    ) -> None:
        self.text = message
        self.params = dict(params or {})
        super().__init__(message % self.params if self.params else message)
        self.status_code = status_code
        # The participant's language when the link is known to be theirs, so that the page
        # says why in it; "" (Swedish) for anyone else and for a link that is not ours.
        self.language = language
        self.used = used
        self.coordinator = coordinator

    def in_language(self, _: Translate) -> str:
        """The message in the page's language (a participant's catalog, or Swedish)."""
        return _(self.text) % self.params if self.params else _(self.text)


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
