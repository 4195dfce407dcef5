"""Errors of the placements package."""

from __future__ import annotations

from marketplace.kernel.errors import MarketplaceError


class LinkRefused(MarketplaceError):
    """A signing or assessment link is tampered with, expired or already used.

    400 for a link that is not ours, 410 for one that was ours but no longer works. The page
    says which, and nothing changes.
    """

    status_code = 410

    def __init__(self, message: str, *, status_code: int = 410) -> None:
        super().__init__(message)
        self.status_code = status_code
