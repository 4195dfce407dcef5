"""The supervisor's link to the end-of-placement assessment: a signed, expiring token
(`itsdangerous`) for the booking, and the mail that carries it when a placement ends.

Below the booking actions (`bookings.end` sends it); the assessment itself, and using the
link, are `outcomes`, on top.
"""

from __future__ import annotations

from itsdangerous import URLSafeTimedSerializer

from employers.tables import Contact
from marketplace.kernel.settings import get_settings
from placements.rows import BookingRow
from placements.services import booking_mail

_SALT = "assessment-link"


def serializer() -> URLSafeTimedSerializer:
    """Signs and reads the assessment links' tokens."""
    return URLSafeTimedSerializer(get_settings().secret_key, salt=_SALT)


def assessment_token(booking_id: int) -> str:
    """The signed token of a booking's assessment link (`/bedomning/{token}`)."""
    return serializer().dumps({"b": booking_id})


async def send_assessment_link(booking: BookingRow) -> str:
    """Mail the supervisor a signed, expiring link to the assessment form (inside the end
    transaction). The link works until the assessment is submitted, then never again."""
    token = assessment_token(int(booking["id"]))
    url = booking_mail.service_link(f"/bedomning/{token}")
    contact = None
    if booking["supervisor"] is not None:
        contact = (
            await Contact.select(Contact.name, Contact.email)
            .where(Contact.id == booking["supervisor"])
            .first()
        )
    if contact and contact["email"]:
        await booking_mail.notify(
            [booking_mail.Recipient(contact["email"])],
            "Hur gick praktiken? Fyll i bedömningen",
            f"Hej {contact['name']}!\n\nPlaceringen är avslutad. "
            f"Fyll i den korta bedömningen här (länken gäller i "
            f"{get_settings().signing_link_days} dagar):\n{url}\n",
            kind="assessment.link",
            booking_id=int(booking["id"]),
        )
    return url
