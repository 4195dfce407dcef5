"""The public application form in Swedish, English and Arabic: the page and every message a
refused form gives in the language the browser chose (the participant pages' switch and
cookie), the language stored with the application, the planning meeting's invitation by SMS
and mail (with its calendar file) in it, Swedish unchanged, the participant made from the
application given it, and the coordinator's pages in Swedish. Real SMTP server, real SMS
gateway."""

from __future__ import annotations

import datetime as dt
import html
import re
from configparser import ConfigParser
from pathlib import Path
from typing import Any

import icalendar
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from litestar import Litestar
from litestar.testing import AsyncTestClient

from marketplace.kernel import clock, i18n
from placements.schemas.intake import StaffApplicationIn
from placements.services import intake
from placements.tables import Application, Candidate
from tests.builders import make_candidate, make_user
from tests.mailutil import SmtpServer
from tests.participants.conftest import form_post
from tests.participants.test_sms_links import (  # noqa: F401 (fixtures)
    NUMBER,
    _deliver,
    gateway,
)
from tests.placements.bookingdata import PNR
from tests.placements.test_attacks_signatures import csrf_of
from tests.placements.test_intake import application, form, meeting, meeting_begun
from tests.smsutil import SmsGateway

HTML = {"accept": "text/html"}
ROOT = Path(__file__).resolve().parents[2]
# Not Swedish words though Swedish pages show them too: the languages' own names.
# The language names, and the municipality and its unit: names (settings), shown as
# written and marked Swedish (lang="sv") on every page.
SITE = "Vårgårda kommun, Kompetenscentret"
# And the example personnummer, isolated as left to right (`ltr_numbers`) in every language.
SAME_IN_EVERY_LANGUAGE = {"Svenska", "English", "العربية", "·", SITE, "19121212-1212"}
SWEDISH_LETTERS = re.compile("[åäöÅÄÖ]")
EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
AR_DAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
SV_DAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def texts(page: str) -> list[str]:
    """The texts a reader sees: every text between tags, the title's included."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return [html.unescape(t).strip() for t in re.split(r"<[^>]+>", body) if t.strip()]


def summary(page: str) -> list[str]:
    box = page.split('id="error-summary"')[1].split("</div>")[0]
    return [html.unescape(m) for m in re.findall(r"<li>(?:<a [^>]*>)?(.*?)(?:</a>)?</li>", box)]


async def _in(client: AsyncTestClient[Litestar], lang: str) -> str:
    """Choose `lang` with the switch on /ansok, and return the form page it leads back to."""
    page = await client.get("/ansok", headers=HTML)
    chosen = await form_post(client, "/mina-sidor/sprak", {"sprak": lang, "tillbaka": "/ansok"})
    assert chosen.status_code == 303
    assert chosen.headers["location"].split("?")[0] == "/ansok"
    back = await client.get(chosen.headers["location"], headers=HTML)
    assert back.status_code == 200 and page.status_code == 200
    return back.text


async def _post(client: AsyncTestClient[Litestar], page: str, **changes: str) -> Any:
    return await client.post(
        "/ansok", data={**form(**changes), "_csrf_token": csrf_of(page)}, headers=HTML
    )


def _when(days: int, names: tuple[str, ...]) -> tuple[str, str]:
    day = clock.today() + dt.timedelta(days=days)
    return names[day.weekday()], day.isoformat()


async def test_the_form_speaks_english_and_arabic_with_no_swedish_left(
    client: AsyncTestClient[Litestar],
) -> None:
    swedish = await client.get("/ansok", headers=HTML)
    assert '<html lang="sv" dir="ltr">' in swedish.text
    assert "Så behandlar vi dina uppgifter" in swedish.text
    # The switch on the form leads back to it.
    assert '<input type="hidden" name="tillbaka" value="/ansok">' in swedish.text
    swedish_texts = set(texts(swedish.text)) - SAME_IN_EVERY_LANGUAGE
    english = await _in(client, "en")
    assert '<html lang="en" dir="ltr">' in english
    shown = texts(english)
    for expected in (
        "Apply for support towards work or studies",
        "How we handle your information",
        "The municipality processes the information to give you support towards work or "
        "studies (a task carried out in the public interest, Article 6(1)(e) of the General "
        "Data Protection Regulation).",
        "About you",
        "First name",
        "(required)",
        "Personal identity number",
        "How we can reach you",
        "What would you like help with? (optional)",
        "Send application",
        "The language has been changed.",
    ):
        assert expected in shown, expected
    assert not swedish_texts & set(shown)
    # Only the municipality's name keeps its Swedish letters.
    assert [t for t in shown if SWEDISH_LETTERS.search(t)] == [SITE]
    arabic = await _in(client, "ar")
    assert '<html lang="ar" dir="rtl">' in arabic
    # An address, a phone number and a personnummer are typed left to right ("amal@" showed
    # as "@amal" in an Arabic page).
    for name in ("email", "phone", "personnummer"):
        field = arabic.split(f'id="f-{name}"')[1].split(">")[0]
        assert 'dir="ltr"' in field, name
    shown = texts(arabic)
    for expected in ("كيف نتعامل مع بياناتك", "الاسم الأول", "رقم الهوية الشخصي", "أرسل الطلب"):
        assert expected in shown, expected
    assert not swedish_texts & set(shown)
    assert [t for t in shown if SWEDISH_LETTERS.search(t)] == [SITE]
    # The switch goes back to the form only by its exact address.
    elsewhere = await form_post(
        client, "/mina-sidor/sprak", {"sprak": "sv", "tillbaka": "/ansokan-falsk"}
    )
    assert elsewhere.headers["location"].split("?")[0] == "/mina-sidor"


async def test_every_mistake_at_once_in_english_and_arabic(
    client: AsyncTestClient[Litestar],
) -> None:
    wrong = {
        "first_name": "",
        "personnummer": "198501010007",
        "email": "inte-en-adress",
        "message": "x" * 3001,
        "consent": "",
    }
    page = await _in(client, "en")
    refused = await _post(client, page, **wrong)
    assert refused.status_code == 400
    assert "<h2>Please correct the form</h2>" in refused.text
    assert summary(refused.text) == [
        "First name must be filled in.",
        "The personal identity number has the wrong check digit. Please check the digits.",
        "The email address inte-en-adress does not look right. Enter an address like "
        "namn@exempel.se.",
        "The message may be at most 3000 characters long.",
        "Tick the box to show that you have read how the information is handled and want to "
        "send the application.",
    ]
    assert 'value="Sökande"' in refused.text  # what was typed is kept
    unreachable = await _post(client, page, phone="", email="")
    assert summary(unreachable.text) == [
        "Enter a phone number or an email address so that we can reach you."
    ]
    page = await _in(client, "ar")
    refused = await _post(client, page, **wrong)
    assert refused.status_code == 400 and '<html lang="ar" dir="rtl">' in refused.text
    assert "<h2>يرجى تصحيح النموذج</h2>" in refused.text
    assert summary(refused.text) == [
        "يجب ملء حقل الاسم الأول.",
        "رقم التحقق في رقم الهوية الشخصي غير صحيح. تحقق من الأرقام.",
        "عنوان البريد الإلكتروني inte-en-adress يبدو غير صحيح. اكتب عنواناً مثل namn@exempel.se.",
        "الحد الأقصى لعدد الأحرف في حقل الرسالة هو 3000.",
        "ضع علامة في المربع لتؤكد أنك قرأت كيف تُعالَج البيانات وأنك تريد إرسال الطلب.",
    ]
    assert [t for t in texts(refused.text) if SWEDISH_LETTERS.search(t)] == [SITE]
    # A name with a line break, refused by the service after the form: in Arabic too.
    broken = await _post(client, page, first_name="Amina\nX")
    assert summary(broken.text) == [
        "يجب ألا يحتوي الاسم الأول على فواصل أسطر. اكتبه كله في سطر واحد."
    ]
    assert await Application.count() == 0
    # Swedish stays as it was, and the Swedish labels of the API are untouched.
    page = await _in(client, "sv")
    refused = await _post(client, page, **wrong)
    assert summary(refused.text)[:2] == [
        "Förnamn måste fyllas i.",
        "Personnumret har fel kontrollsiffra. Kontrollera siffrorna.",
    ]


async def test_the_example_personnummer_keeps_its_order_in_arabic(
    client: AsyncTestClient[Litestar],
) -> None:
    """Seen in the browser: after Arabic words the hint's "19121212-1212" read
    "1212-19121212" (the bidi algorithm takes the digits for Arabic numbers and the dash for
    a neutral). The example is isolated as left to right, in the hint and in the message
    of a personnummer in the wrong form, at the field and in the summary."""
    isolated = '<bdi dir="ltr">19121212-1212</bdi>'
    page = await _in(client, "ar")
    hint = page.split('id="f-personnummer-hint">')[1].split("</span>")[0]
    assert (
        hint == f"10 أو 12 رقماً، مثلاً {isolated}. يمكنك أيضاً كتابة رقم التنسيق (samordningsnummer)."
    )
    refused = await _post(client, page, personnummer="1985-01")
    assert refused.status_code == 400
    error = refused.text.split('id="f-personnummer-error">')[1].split("</span>")[0]
    assert f'مثلاً {isolated} أو <bdi dir="ltr">121212-1212</bdi>.' in error
    assert refused.text.count(isolated) == 3  # the hint, the field's message, the summary
    assert "1212-19121212" not in refused.text


async def test_invisible_control_characters_are_said_in_english_and_arabic(
    client: AsyncTestClient[Litestar],
) -> None:
    """A name pasted with a right-to-left override (U+202E): refused at the field in the
    form's language, said where it was, the name shown again without it."""
    page = await _in(client, "en")
    refused = await _post(client, page, first_name="Amina\u202e", email="inte-en-adress")
    assert refused.status_code == 400
    assert summary(refused.text) == [
        "First name: the text contained an invisible control character (a character that "
        "changes the writing direction, U+202E) after \u201cAmina\u201d. It has been removed "
        "from the field; read the text through and try again.",
        "The email address inte-en-adress does not look right. Enter an address like "
        "namn@exempel.se.",
    ]
    assert 'value="Amina"' in refused.text and "\u202e" not in refused.text
    page = await _in(client, "ar")
    refused = await _post(client, page, first_name="\x00Amina")
    assert summary(refused.text) == [
        "الاسم الأول: كان النص يحتوي على حرف تحكم غير مرئي (حرف صفري، U+0000) في بداية "
        "النص. تمت إزالته من الحقل؛ راجع النص وحاول مرة أخرى."
    ]
    assert [t for t in texts(refused.text) if SWEDISH_LETTERS.search(t)] == [SITE]
    assert await Application.count() == 0


async def test_the_application_keeps_its_language(client: AsyncTestClient[Litestar]) -> None:
    page = await _in(client, "en")
    sent = await _post(client, page)
    assert sent.status_code == 200, sent.text
    assert '<html lang="en" dir="ltr">' in sent.text
    assert "Thank you for your application" in sent.text
    assert (
        "The invitation will come by email to amina@example.se, with a calendar file for the "
        "meeting." in sent.text
    )
    # The receipt leads on to the start page and the search, both in English.
    assert (
        '<p><a href="/">To the home page</a> · <a href="/platser">Find a work placement</a></p>'
        in sent.text
    )
    # The receipt has no language switch: it led to an empty form, read as a lost application.
    assert 'action="/mina-sidor/sprak"' not in sent.text
    home = await client.get("/", headers=HTML)
    assert '<html lang="en" dir="ltr">' in home.text
    assert "Apply for support" in home.text and 'action="/mina-sidor/sprak"' in home.text
    page = await _in(client, "ar")
    await _post(client, page, email="")
    page = await _in(client, "sv")
    swedish = await _post(client, page)
    assert "Tack för din ansökan" in swedish.text
    assert '<a href="/">Till startsidan</a>' in swedish.text
    rows = await Application.select(Application.language).order_by(Application.id)
    assert [r["language"] for r in rows] == ["en", "ar", "sv"]
    # Staff register in Swedish; the column's default.
    coordinator = await make_user("coordinator")
    registered = await intake.register(
        coordinator,
        StaffApplicationIn(
            first_name="Per", last_name="Telefon", personnummer=PNR, phone="0701-234567"
        ),
    )
    assert (await intake.read(coordinator, registered)).language == "sv"


async def test_switching_language_on_the_form_keeps_what_was_typed(
    client: AsyncTestClient[Litestar],
) -> None:
    """The switch posts the form with the language chosen (app.js): the form comes back in
    it, as typed, with nothing checked or sent, and the choice is kept for the next page."""
    page = await client.get("/ansok", headers=HTML)
    assert 'data-keeps-language="byt_sprak"' in page.text
    typed = {"first_name": "Amina", "personnummer": "19850101-0006", "message": "Lager"}
    switched = await client.post(
        "/ansok", data={**typed, "byt_sprak": "ar", "_csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert switched.status_code == 200
    assert '<html lang="ar" dir="rtl">' in switched.text
    assert "تم تغيير اللغة." in switched.text
    assert 'value="Amina"' in switched.text and 'value="19850101-0006"' in switched.text
    assert ">Lager</textarea>" in switched.text
    assert 'id="error-summary"' not in switched.text  # nothing was checked yet
    # The header leads on to the start page and the search, not only to Mina sidor.
    assert '<li><a href="/">الصفحة الرئيسية</a></li>' in switched.text
    assert '<li><a href="/platser">' in switched.text
    assert switched.cookies.get(i18n.LANG_COOKIE) == "ar"
    assert await Application.count() == 0
    assert '<html lang="ar" dir="rtl">' in (await client.get("/ansok", headers=HTML)).text
    # A switch is never a send: a language the service does not have changes nothing, and
    # a double click (the language twice) switches once, though the form is complete.
    odd = await client.post(
        "/ansok", data={**typed, "byt_sprak": "xx", "_csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert odd.status_code == 200 and 'id="error-summary"' not in odd.text
    assert '<html lang="ar" dir="rtl">' in odd.text and "تم تغيير اللغة." not in odd.text
    twice = await client.post(
        "/ansok",
        data={
            **form(),
            "byt_sprak": ["en", "en"],
            "_csrf_token": csrf_of(page.text),
        },
        headers=HTML,
    )
    assert twice.status_code == 200 and '<html lang="en" dir="ltr">' in twice.text
    assert "The language has been changed." in twice.text
    assert await Application.count() == 0


def _text(received: Any) -> str:
    text: str = received.text
    return text.replace("\r\n", "\n")


def _ics(received: Any) -> icalendar.Calendar:
    [part] = [
        p for p in received.message.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    return icalendar.Calendar.from_ical(part.get_content())


async def test_the_invitation_is_sent_in_the_application_s_language(
    gateway: SmsGateway,  # noqa: F811
    smtp: SmtpServer,
) -> None:
    coordinator = await make_user("coordinator")
    english = await intake.submit_public(application(), "en")
    await intake.book_meeting(coordinator, english, meeting(days=3))
    await _deliver(smtp)
    weekday, day = _when(3, EN_DAYS)
    [sms] = gateway.to(NUMBER)
    assert sms.message == (
        f"You are welcome to a planning meeting on {weekday} {day} at 09:30, "
        "Kompetenscentret, Storgatan 1."
    )
    [mail] = smtp.inbox.to("amina@example.se")
    assert mail.message["subject"] == f"Invitation to a planning meeting {weekday} {day} at 09:30"
    assert _text(mail).startswith("Hello!\n\nThank you for your application. You are welcome")
    assert f"Time: {weekday} {day} at 09:30 (60 minutes)\n" in _text(mail)
    assert "Place: Kompetenscentret, Storgatan 1\n" in _text(mail)
    assert "Tid" not in _text(mail) and "mötet" not in _text(mail)
    [event] = _ics(mail).walk("VEVENT")
    assert str(event["summary"]) == "Planning meeting with Kompetenscentret"
    # Cancelled, in English too.
    await intake.cancel_meeting(coordinator, english)
    await _deliver(smtp)
    assert gateway.to(NUMBER)[-1].message == (
        f"Your planning meeting on {weekday} {day} at 09:30 is cancelled. We will be in touch."
    )
    assert smtp.inbox.to("amina@example.se")[-1].message["subject"].startswith("Cancelled: ")

    arabic = await intake.submit_public(application(email="ahmad@example.se"), "ar")
    await intake.book_meeting(coordinator, arabic, meeting(days=4, time="13:15"))
    await _deliver(smtp)
    weekday, day = _when(4, AR_DAYS)
    assert gateway.to(NUMBER)[-1].message == (
        f"نرحب بك في اجتماع تخطيط يوم {weekday} {day} الساعة 13:15، Kompetenscentret, Storgatan 1."
    )
    [mail] = smtp.inbox.to("ahmad@example.se")
    assert mail.message["subject"] == f"دعوة إلى اجتماع تخطيط {weekday} {day} الساعة 13:15"
    assert _text(mail).startswith("مرحباً!\n\nشكراً على طلبك.")
    html_part = mail.message.get_body(("html",))
    assert html_part is not None
    assert '<html lang="ar" dir="rtl">' in html_part.get_content()
    [calendar] = [
        p for p in mail.message.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    assert calendar.get_filename() == "planning-meeting.ics"
    [event] = _ics(mail).walk("VEVENT")
    assert str(event["summary"]) == "اجتماع تخطيط مع Kompetenscentret"


async def test_a_swedish_application_s_invitation_is_unchanged(
    gateway: SmsGateway,  # noqa: F811
    smtp: SmtpServer,
) -> None:
    coordinator = await make_user("coordinator")
    swedish = await intake.submit_public(application())
    await intake.book_meeting(coordinator, swedish, meeting(days=3))
    await _deliver(smtp)
    weekday, day = _when(3, SV_DAYS)
    when = f"{weekday} {day} kl. 09:30"
    [sms] = gateway.to(NUMBER)
    assert sms.message == (
        f"Du är välkommen till ett planeringsmöte {when}, Kompetenscentret, Storgatan 1."
    )
    [mail] = smtp.inbox.to("amina@example.se")
    assert mail.message["subject"] == f"Inbjudan till planeringsmöte {when}"
    assert _text(mail) == (
        "Hej!\n\n"
        "Tack för din ansökan. Du är välkommen till ett planeringsmöte med Kompetenscentret.\n"
        "På mötet gör vi tillsammans en plan för vägen till arbete eller studier.\n\n"
        f"Tid: {when} (60 minuter)\n"
        "Plats: Kompetenscentret, Storgatan 1\n\n"
        "Mötet finns också som kalenderfil i det här mejlet. Kan du inte komma? Ring\n"
        "Kompetenscentret så bokar vi en ny tid.\n\n"
        "--\n"
        "Det här meddelandet skickades automatiskt av tjänsten Praktikplatser hos Kompetenscentret "
        "och\ngår inte att svara på.\n"
    )
    html_part = mail.message.get_body(("html",))
    assert html_part is not None
    content = html_part.get_content()
    assert '<html lang="sv">' in content
    assert f"<li>Tid: <strong>{when}</strong> (60 minuter)</li>" in content
    [event] = _ics(mail).walk("VEVENT")
    assert str(event["summary"]) == "Planeringsmöte med Kompetenscentret"
    [calendar] = [
        p for p in mail.message.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    assert calendar.get_filename() == "planeringsmote.ics"


async def _plan(coordinator: Any, application_id: int) -> int:
    await intake.book_meeting(coordinator, application_id, meeting(days=1))
    await meeting_begun(application_id)
    candidate_id, _ = await intake.start_plan(coordinator, application_id)
    return candidate_id


async def _language_of(candidate_id: int) -> str:
    row = await Candidate.select(Candidate.language).where(Candidate.id == candidate_id).first()
    assert row is not None
    return str(row["language"])


async def test_the_participant_is_given_the_application_s_language(
    client: AsyncTestClient[Litestar], sign_in
) -> None:
    coordinator = await make_user("coordinator")
    arabic = await intake.submit_public(application(), "ar")
    assert await _language_of(await _plan(coordinator, arabic)) == "ar"
    # One already registered who never chose is given it; one who chose keeps theirs.
    unchosen = await make_candidate(coordinator, personnummer="19720310-1014")
    known = {"first_name": "Aida", "last_name": "Andersson", "personnummer": "19720310-1014"}
    english = await intake.submit_public(application(**known), "en")
    assert await _plan(coordinator, english) == unchosen
    assert await _language_of(unchosen) == "en"
    again = await intake.submit_public(application(**known), "ar")
    await _plan(coordinator, again)
    assert await _language_of(unchosen) == "en"
    # Registered by staff: Swedish by default, which is no one's choice.
    registered = await intake.register(
        coordinator,
        StaffApplicationIn(
            first_name="Per", last_name="Telefon", personnummer="19720310-1006", phone="070-1"
        ),
    )
    assert await _language_of(await _plan(coordinator, registered)) == ""
    # The coordinator's page is Swedish and names the application's language in Swedish.
    await sign_in(client, coordinator.username)
    page = await client.get(f"/arbetsbord/intag/{english}", headers=HTML)
    assert '<html lang="sv"' in page.text
    assert "<dt>Språk</dt><dd>engelska</dd>" in page.text


def test_every_text_of_the_form_and_the_invitation_is_translated() -> None:
    """What `participants/babel.cfg` extracts (the application form's files among them) has an
    English and an Arabic text, with the same placeholders."""
    config = ConfigParser()
    config.read(ROOT / "participants" / "babel.cfg")
    method_map = [
        (section.split(":", 1)[1].strip(), section.split(":", 1)[0])
        for section in config.sections()
    ]
    assert ("placements/templates/placements/intake/apply.html", "jinja2") in method_map
    ids = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords={"_": None, "N_": None}
        )
        if isinstance(message, str)
    }
    assert "Så behandlar vi dina uppgifter" in ids
    for lang in ("en", "ar"):
        path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        for message_id in ids:
            found = catalog.get(message_id)
            assert found is not None and found.string, (lang, message_id)
            placeholders = re.compile(r"%\(\w+\)s|\{\w+\}")
            assert sorted(placeholders.findall(message_id)) == sorted(
                placeholders.findall(str(found.string))
            ), (lang, message_id)


async def test_staff_and_the_e_service_say_which_language_to_write_in(
    client: AsyncTestClient[Litestar],
    sign_in,
    gateway: SmsGateway,  # noqa: F811
    smtp: SmtpServer,
) -> None:
    """A person who calls in Arabic gets the invitation in Arabic: the coordinator's form
    asks for the language, and so does the e-service's import; a language other than
    Swedish chosen so is carried to the participant."""
    coordinator = await make_user("coordinator")
    await sign_in(client, coordinator.username)
    blank = await client.get("/arbetsbord/intag/ny", headers=HTML)
    assert "Språk för inbjudan (sms och e-post)" in blank.text
    assert '<option value="ar">Arabiska</option>' in blank.text
    sent = await form_post(
        client,
        "/arbetsbord/intag/ny",
        {
            "channel": "phone",
            "first_name": "Ahmad",
            "last_name": "Telefon",
            "personnummer": PNR,
            "phone": "0701-234567",
            "email": "",
            "message": "",
            "language": "ar",
        },
    )
    assert sent.status_code == 303, sent.text
    [row] = await Application.select(Application.id, Application.language)
    assert row["language"] == "ar"
    await intake.book_meeting(coordinator, row["id"], meeting(days=4, time="13:15"))
    await _deliver(smtp)
    weekday, day = _when(4, AR_DAYS)
    assert gateway.to(NUMBER)[-1].message.startswith(
        f"نرحب بك في اجتماع تخطيط يوم {weekday} {day} الساعة 13:15"
    )
    await meeting_begun(row["id"])
    candidate_id, _ = await intake.start_plan(coordinator, row["id"])
    assert await _language_of(candidate_id) == "ar"
    # An unknown language is refused with the field named; nothing is stored.
    refused = await form_post(
        client,
        "/arbetsbord/intag/ny",
        {**form(personnummer="19720310-1014"), "channel": "phone", "language": "xx"},
    )
    assert refused.status_code == 400 and "Språk för inbjudan" in refused.text
    assert await Application.count() == 1
    # The e-service sends it in its import.
    imported = await client.post(
        "/api/v1/applications/import",
        json={
            "external_id": "E-2026-0099",
            "received_at": clock.now().isoformat(),
            "first_name": "Erik",
            "last_name": "Etjänst",
            "personnummer": "19720310-1006",
            "email": "erik@example.se",
            "language": "en",
        },
    )
    assert imported.status_code == 200, imported.text
    assert (await intake.read(coordinator, imported.json()["id"])).language == "en"


async def test_a_form_that_stood_open_too_long_is_refused_in_the_applicants_language(
    client: AsyncTestClient[Litestar],
) -> None:
    """The form's token expired (or the cookies were cleared): 403, in the language this
    browser chose, with the way back to the form; in Swedish the site's own page."""
    await _in(client, "ar")
    refused = await client.post("/ansok", data=form(), headers=HTML)
    assert refused.status_code == 403
    assert '<html lang="ar" dir="rtl">' in refused.text
    assert "تعذّر إرسال الطلب" in refused.text
    assert "لأن الصفحة كانت مفتوحة لفترة طويلة" in refused.text
    assert '<a href="/ansok">إلى استمارة الطلب</a>' in refused.text
    assert "Formuläret" not in refused.text
    await _in(client, "sv")
    swedish = await client.post("/ansok", data=form(), headers=HTML)
    assert swedish.status_code == 403 and "sidan har varit öppen länge" in swedish.text
    assert await Application.count() == 0
