"""Who runs the service is a setting: another municipality's name, unit, area and phone number
reach the pages, and none of the first user's."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
from litestar import Litestar

from marketplace.kernel import i18n
from marketplace.kernel.mail import render_mail
from marketplace.kernel.settings import get_settings
from placements import meeting_calendar
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
        # Without the page's random tokens and file digests: a CSRF token once held "0322".
        text = re.sub(r"[0-9a-f]{12,}", "", page.text)
        assert "Vårgårda" not in text and "0322" not in text


def test_the_defaults_are_the_first_users() -> None:
    settings = get_settings()
    assert (settings.organisation_name, settings.service_area) == ("Vårgårda kommun", "Vårgårda")


async def test_the_applicants_form_and_meeting_mail_name_the_unit_of_the_settings(
    other_municipality: None, next_app: Callable[[], Litestar]
) -> None:
    async with InLoopClient(app=next_app(), base_url="http://testserver.local") as client:
        form = await client.get("/ansok")
    assert "En samordnare på Arbetsmarknadsenheten bokar ett planeringsmöte" in form.text
    assert "Kontakta Arbetsmarknadsenheten." in form.text
    settings = get_settings()
    for lang, expected in (
        ("sv", "Tack för din ansökan. Du är välkommen till ett planeringsmöte med "),
        ("en", "You are welcome to a planning meeting with "),
        ("ar", "نرحب بك في اجتماع تخطيط مع "),
    ):
        mail = render_mail(
            "planning_meeting",
            settings,
            _=i18n.gettext_for(lang),
            lang=lang,
            dir=i18n.direction(lang),
            kind="new",
            when="måndag 2027-01-04 kl. 09:30",
            minutes=60,
            place="Storgatan 1",
            video_link="",
            unit=settings.unit_name,
        )
        assert expected + "Arbetsmarknadsenheten." in mail.text, lang
        assert "Kompetenscent" not in mail.text + mail.html
    calendar = meeting_calendar.meeting_ics(
        uid="u1",
        sequence=0,
        method="REQUEST",
        starts_at=dt.datetime(2027, 1, 4, 9, 30, tzinfo=dt.UTC),
        minutes=60,
        place="Storgatan 1",
        video_link="",
        organizer="noreply@example.invalid",
        organizer_name=settings.unit_name,
        attendee="a@example.se",
        stamp=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        summary=meeting_calendar.SUMMARY % {"unit": settings.unit_name},
    )
    unfolded = calendar.replace("\r\n ", "")
    assert "SUMMARY:Planeringsmöte med Arbetsmarknadsenheten" in unfolded
    assert "CN=Arbetsmarknadsenheten" in unfolded
