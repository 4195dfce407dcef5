"""Who runs the service is a setting: another municipality's name, unit, area and phone number
reach the pages, and none of the first user's."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from litestar import Litestar

from marketplace.kernel.settings import get_settings
from tests.inloop import InLoopClient

OTHER = {
    "ORGANISATION_NAME": "Herrljunga kommun",
    "UNIT_NAME": "Arbetsmarknadsenheten",
    "SERVICE_AREA": "Herrljunga",
    "CONTACT_PHONE": "0513-170 00",
}


@pytest.fixture
def other_municipality(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in OTHER.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_pages_name_the_municipality_of_the_settings(
    other_municipality: None, next_app: Callable[[], Litestar]
) -> None:
    async with InLoopClient(app=next_app(), base_url="http://testserver.local") as client:
        home = await client.get("/")
        statement = await client.get("/tillganglighet")
        participant_start = await client.get("/mina-sidor/logga-in")
        offer = await client.get("/erbjud")
    assert home.status_code == statement.status_code == 200
    assert "<title>Startsida – Herrljunga kommun</title>" in home.text
    assert "Praktik och arbetsträning i Herrljunga" in home.text
    assert "Herrljunga kommun, Arbetsmarknadsenheten" in home.text  # the footer
    assert "Kontakta Arbetsmarknadsenheten, Herrljunga kommun, på telefon 0513-170 00" in (
        statement.text
    )
    assert "En samordnare på Arbetsmarknadsenheten hör av sig" in offer.text
    # The participant's pages (any language) name it too, marked as Swedish.
    assert participant_start.status_code == 200
    assert '<span lang="sv" dir="ltr">Herrljunga kommun, Arbetsmarknadsenheten</span>' in (
        participant_start.text
    )
    for page in (home, statement, participant_start, offer):
        assert "Vårgårda" not in page.text and "0322" not in page.text


def test_the_defaults_are_the_first_users() -> None:
    settings = get_settings()
    assert (settings.organisation_name, settings.service_area) == ("Vårgårda kommun", "Vårgårda")
