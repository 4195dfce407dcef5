"""SMS: phone numbers and the gateway.

Many participants have no e-mail but all have a phone, so sign-in links, signing links and
reminders can go by SMS. Messages wait in the same outbox as mail (`marketplace.kernel.mail.queue_sms`,
a row with `channel = "sms"`) and are delivered by the same sweep, with the same claim, lease,
backoff and "one bad row never stops the rest" rules; this module holds what is particular
to SMS:

- `normalise_phone`: a number as people write it (070-123 45 67, +46 70 123 45 67,
  0046701234567) becomes E.164 (+46701234567) with `phonenumbers`; a number that cannot be
  a mobile phone is refused with a Swedish message naming the field.
- `send_sms`: one POST to a gateway speaking 46elks' HTTP API (`POST {SMS_URL}/a1/sms`, basic
  auth with the API user and password, form fields `from`, `to`, `message`; a JSON answer with
  the message's `id`). 46elks answers a refused request with a 4xx and a one-line reason,
  which no retry can change; a 5xx or a network failure is worth another try.

SMS is off until `SMS_URL` is set.
"""

from __future__ import annotations

import httpx
import phonenumbers

from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.settings import Settings

DEFAULT_REGION = "SE"
SMS_TIMEOUT_S = 15.0
# 46elks splits longer texts into up to 6 parts of 153 characters (GSM 7-bit); a link and a
# few sentences fit well within that. Longer text is a programming error, not a user's.
MAX_SMS_CHARS = 918

_MOBILE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


def sms_enabled(settings: Settings) -> bool:
    """Whether an SMS gateway is configured."""
    return bool(settings.sms_url)


def _valid_number(text: str, field: str, example: str) -> phonenumbers.PhoneNumber:
    """`text` as a valid phone number (read as Swedish without a country code), or
    `ValidationFailed` naming `field` with an `example` to follow."""
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationFailed.every(
            {field: f"”{text}” är inte ett giltigt telefonnummer. Skriv till exempel {example}."}
        )
    return number


def check_phone(raw: str, field: str = "phone") -> str:
    """A phone number of any kind (landline or mobile) as typed, spaces tidied, or
    `ValidationFailed` naming `field` in Swedish; an empty one stays empty."""
    text = " ".join(raw.split())
    if text:
        _valid_number(text, field, "0322-60 00 00, 070-123 45 67 eller +46 322 60 00 00")
    return text


def normalise_phone(raw: str, field: str = "phone") -> str:
    """A mobile number in E.164 form, or `ValidationFailed` naming `field` in Swedish.

    Numbers without a country code are read as Swedish."""
    text = raw.strip()
    if not text:
        raise ValidationFailed.every({field: "Skriv ett mobilnummer, till exempel 070-123 45 67."})
    number = _valid_number(text, field, "070-123 45 67 eller +46 70 123 45 67")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationFailed.every(
            {field: f"”{text}” är inte ett mobilnummer och kan inte ta emot sms."}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mobile_number(raw: str) -> str | None:
    """`raw` in E.164 form if it is a valid mobile number, else None (for choosing SMS where
    the person has one)."""
    try:
        return normalise_phone(raw)
    except ValidationFailed:
        return None


def sms_number(raw: str | None, settings: Settings) -> str | None:
    """The number to send an SMS to: `raw` in E.164 form when an SMS gateway is configured
    and `raw` is a mobile number, else None (then nothing goes by SMS)."""
    return mobile_number(raw or "") if sms_enabled(settings) else None


def is_mobile(raw: str) -> bool:
    """Whether `raw` is a valid mobile number."""
    return mobile_number(raw) is not None


class SmsRefused(Exception):
    """The gateway did not take the message. `permanent` when the gateway refused it (a retry
    helps only if the cause was settings, since fixed); `malformed` when the row itself can
    never be sent."""

    def __init__(self, message: str, *, permanent: bool, malformed: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.malformed = malformed


def sms_client(settings: Settings) -> httpx.AsyncClient:
    """An HTTP client for the gateway, authenticated with the API user and password."""
    return httpx.AsyncClient(
        base_url=settings.sms_url,
        auth=httpx.BasicAuth(settings.sms_user, settings.sms_password),
        timeout=SMS_TIMEOUT_S,
    )


async def send_sms(client: httpx.AsyncClient, settings: Settings, to: str, message: str) -> str:
    """Send one SMS through the gateway; return the gateway's id of the message.

    Raises `SmsRefused` (permanent for a 4xx answer or a malformed row) or `httpx.HTTPError`
    for a network failure (worth another try)."""
    if not to.startswith("+") or not message.strip():
        raise SmsRefused(
            f"Ogiltigt sms till {to!r}: numret ska vara på formen +46… och texten får inte "
            "vara tom",
            permanent=True,
            malformed=True,
        )
    if len(message) > MAX_SMS_CHARS:
        raise SmsRefused(
            f"Texten är för lång för ett sms ({len(message)} tecken)",
            permanent=True,
            malformed=True,
        )
    response = await client.post(
        "/a1/sms", data={"from": settings.sms_from, "to": to, "message": message}
    )
    if response.status_code >= 400:
        reason = " ".join(response.text.split())[:300]
        raise SmsRefused(
            f"SMS-tjänsten svarade {response.status_code}: {reason}",
            permanent=response.status_code < 500,
        )
    try:
        answer = response.json()
    except ValueError as exc:
        raise SmsRefused("SMS-tjänsten gav ett svar som inte är JSON", permanent=False) from exc
    return str(answer.get("id", "")) if isinstance(answer, dict) else ""
