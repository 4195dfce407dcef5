"""Host users: an admin or coordinator invites a person by e-mail; the link lets them set a
password. The link is single use and expires; only a hash of its token is stored."""

from __future__ import annotations

import datetime as dt
from typing import cast

from employers import schemas
from employers.rows import InvitationRow
from employers.services import get_host_for
from employers.tables import Contact, Host, HostInvitation, HostMembership
from marketplace.kernel import auth
from marketplace.kernel.addresses import normalise_email, single_line
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.db import write_transaction
from marketplace.kernel.errors import Conflict, NotFound, ValidationFailed
from marketplace.kernel.mail import queue_mail
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import User
from marketplace.kernel.tokens import new_token, token_hash

INVITATION_DAYS = 7
INVITATION_PATH = "/vard/inbjudan"
INVALID_LINK = "Länken är ogiltig, redan använd eller för gammal. Be din kontakt på kommunen om en ny inbjudan."


def invitation_link(token: str) -> str:
    """The link in the invitation mail, on the public address of the service."""
    return f"{get_settings().base_url}{INVITATION_PATH}?token={token}"


def invitation_out(row: InvitationRow) -> schemas.Invitation:
    return schemas.Invitation(
        id=row["id"],
        host_id=row["host"],
        email=row["email"],
        name=row["name"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


async def invite_host_user(
    actor: AuthUser, host_id: int, email: str, name: str = ""
) -> schemas.Invitation:
    """Invite a person to manage a host. Queues the mail with a single-use, expiring link.

    Must run inside or outside a transaction; the invitation and its mail commit together.
    """
    host = await get_host_for(actor, host_id)
    email = normalise_email(email)
    name = single_line(name, "name", label="Namnet")
    existing = await User.select(User.role).where(User.email == email).first()
    if existing is not None and existing["role"] != "host":
        raise Conflict(
            f"{email} har redan ett konto med en annan roll. En värdanvändare behöver en egen "
            "e-postadress.",
            fields=["email"],
        )
    token, digest = new_token()
    now = dt.datetime.now(dt.UTC)
    async with write_transaction(HostInvitation._meta.db):
        rows = await HostInvitation.insert(
            HostInvitation(
                host=host_id,
                email=email,
                name=name.strip(),
                token_hash=digest,
                invited_by=actor.id,
                created_at=now,
                expires_at=now + dt.timedelta(days=INVITATION_DAYS),
            )
        ).returning(HostInvitation.id)
        invitation_id = int(rows[0]["id"])
        greeting = f"Hej {name.strip()}!" if name.strip() else "Hej!"
        await queue_mail(
            email,
            f"Inbjudan att hantera {host['name']} i Praktikplatser",
            f"{greeting}\n\n{actor.name} har bjudit in dig att hantera {host['name']} "
            "i Praktikplatser, där ni kan publicera praktik- och arbetsträningsplatser.\n\n"
            f"Välj ditt lösenord här (länken gäller i {INVITATION_DAYS} dagar och kan "
            f"användas en gång):\n{invitation_link(token)}\n",
            kind="host_invitation",
            meta={"host_id": host_id, "invitation_id": invitation_id},
        )
        await record(
            actor, "host.invite", host_id, subject_type="host", detail=f"invitation {invitation_id}"
        )
    row = await HostInvitation.select().where(HostInvitation.id == invitation_id).first()
    assert row is not None
    return invitation_out(cast("InvitationRow", row))


async def list_invitations(actor: AuthUser, host_id: int) -> list[schemas.Invitation]:
    """Invitations of a host, newest first."""
    await get_host_for(actor, host_id)
    rows = cast(
        "list[InvitationRow]",
        await HostInvitation.select()
        .where(HostInvitation.host == host_id)
        .order_by(HostInvitation.id, ascending=False),
    )
    return [invitation_out(r) for r in rows]


async def _valid_invitation(token: str) -> InvitationRow:
    row = (
        await HostInvitation.select().where(HostInvitation.token_hash == token_hash(token)).first()
    )
    if row is None or row["used_at"] is not None or row["expires_at"] <= dt.datetime.now(dt.UTC):
        raise NotFound(INVALID_LINK)
    return cast("InvitationRow", row)


async def invitation_info(token: str) -> schemas.InvitationInfo:
    """What the link is for (host, address), if it is still valid."""
    row = await _valid_invitation(token)
    host = await Host.select(Host.name).where(Host.id == row["host"]).first()
    exists = await User.exists().where(User.email == _address(row))
    return schemas.InvitationInfo(
        host_name=host["name"] if host else "",
        email=row["email"],
        name=row["name"],
        expires_at=row["expires_at"],
        existing_account=bool(exists),
    )


def _address(row: InvitationRow) -> str:
    """The invitation's address as stored addresses are: trimmed and lower-cased."""
    return str(row["email"]).strip().lower()


async def accept_invitation(
    token: str, password: str, username: str = ""
) -> schemas.InvitationAccepted:
    """Use the link: create the host user if needed, and join the host.

    The link acts only on its own invitation row and on the one account whose address is
    exactly the invited one. It never changes an existing account's password: a person who
    already has an account proves it is theirs with the password they sign in with, and gets
    the new organisation added. The link works once.
    """
    row = await _valid_invitation(token)
    email = _address(row)
    async with write_transaction(HostInvitation._meta.db):
        # Claim the link first, so that two concurrent uses cannot both succeed. Any refusal
        # below rolls the claim back, so the person can try again with the same link.
        claimed = (
            await HostInvitation.update({HostInvitation.used_at: dt.datetime.now(dt.UTC)})
            .where((HostInvitation.id == row["id"]) & HostInvitation.used_at.is_null())
            .returning(HostInvitation.id)
        )
        if not claimed:
            raise NotFound(INVALID_LINK)
        user = await User.objects().where(User.email == email).first()
        if user is None:
            first, _, last = row["name"].partition(" ")
            user = await auth.create_user(
                username.strip() or email,
                password,
                "host",
                email=email,
                first_name=first,
                last_name=last,
            )
        elif user.role != "host":
            raise Conflict(
                "E-postadressen hör till ett konto med en annan roll. Kontakta kommunen.",
                fields=["email"],
            )
        elif not user.active or not User.verify_password(user.password, password):
            raise ValidationFailed(
                f"Det finns redan ett konto för {email}. Ange lösenordet du loggar in med för "
                "att lägga till organisationen. Har du glömt det? Kontakta din kontakt på "
                "kommunen.",
                fields=["password"],
            )
        user_id = int(user.id)
        if not await HostMembership.exists().where(
            (HostMembership.user == user_id) & (HostMembership.host == row["host"])
        ):
            await HostMembership.insert(HostMembership(user=user_id, host=row["host"]))
        # The invited person is the organisation's handledare unless it has them already as a
        # contact: a unit whose only contact is its invited manager can take participants at
        # once. The host changes or ends the contact on the organisation's page.
        if not await Contact.exists().where(
            (Contact.host == row["host"]) & (Contact.email == email)
        ):
            name = " ".join(row["name"].split()) or " ".join(
                p for p in (user.first_name, user.last_name) if p
            )
            await Contact.insert(
                Contact(
                    host=row["host"],
                    name=name or email,
                    email=email,
                    role="Handledare",
                    is_supervisor=True,
                    supervision_capacity=1,
                )
            )
        hosts = await HostMembership.select(HostMembership.host).where(
            HostMembership.user == user_id
        )
        await record(
            None,
            "host.invitation_accepted",
            int(row["host"]),
            subject_type="host",
            detail=f"user {user_id}",
        )
    return schemas.InvitationAccepted(
        username=user.username, host_ids=sorted(int(h["host"]) for h in hosts)
    )


async def add_member(host_id: int, user_id: int) -> None:
    """Link an existing host user to a host (demo data and approvals); idempotent."""
    if not await HostMembership.exists().where(
        (HostMembership.user == user_id) & (HostMembership.host == host_id)
    ):
        await HostMembership.insert(HostMembership(user=user_id, host=host_id))
