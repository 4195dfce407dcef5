"""Who receives the daily digest instead of one mail per event: host users and contacts whose
host chose it. Registered with the outbox (`marketplace.kernel.mail.add_digest_source`) when the
package is imported, so that the kernel's mail module needs no import of this package."""

from __future__ import annotations

from employers.tables import Contact, HostMembership
from marketplace.kernel import mail


async def digest_recipients() -> set[str]:
    """E-mail addresses (casefolded) of host users and contacts whose host chose the digest."""
    members = await HostMembership.select(HostMembership.user.email.as_alias("email")).where(
        HostMembership.host._.digest_mail.eq(True)
    )
    contacts = await Contact.select(Contact.email).where(Contact.host._.digest_mail.eq(True))
    return {r["email"].strip().casefold() for r in [*members, *contacts] if r["email"]}


mail.add_digest_source("employers", digest_recipients)
