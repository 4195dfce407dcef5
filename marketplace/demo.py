"""Demo data: a realistic Vårgårda-area data set. Loading it twice changes nothing."""

from __future__ import annotations

from marketplace import auth
from marketplace.tables import User

DEMO_PASSWORD = "praktik-demo-2026"  # noqa: S105 - documented demo login

DEMO_USERS = [
    ("admin", "admin", "Alva", "Admin", "it"),
    ("samordnare", "coordinator", "Sara", "Samordnare", "kompetenscenter"),
    ("samordnare2", "coordinator", "Omar", "Oskarsson", "kompetenscenter"),
    ("vard", "host", "Henrik", "Värdsson", ""),
    ("analytiker", "analyst", "Anna", "Analytiker", ""),
]


async def load_demo_users() -> int:
    """Create the demo users that do not exist yet; return how many were created."""
    created = 0
    for username, role, first, last, team in DEMO_USERS:
        if await User.exists().where(User.username == username):
            continue
        await auth.create_user(
            username,
            DEMO_PASSWORD,
            role,
            email=f"{username}@demo.vargarda.example",
            first_name=first,
            last_name=last,
            team=team,
        )
        created += 1
    return created


async def load_demo() -> dict[str, int]:
    """Load every part of the demo data set; return counts of what was created now."""
    return {"användare": await load_demo_users()}
