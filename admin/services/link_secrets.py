"""The secret part of every single-use link the service sends, and how to hide it.

Signing, assessment, answers to a proposal, attendance reports, host invitations, password
links and a participant's sign-in link each carry a secret that acts as the recipient. Staff
who read a sent message (the outbox and the register extract, in every environment) see it
without that secret: reading someone's mail must never let one sign, report or sign in as
them.
"""

from __future__ import annotations

import re

HIDDEN = "[dold länk]"
_LINK_TOKEN = re.compile(
    r"(/underteckna/|/bedomning/|/svar/|/narvaro/|/mina-sidor/logga-in/lank/"
    r"|/konto/nytt-losenord/|[?&]token=)[A-Za-z0-9_.\-]+"
)


def hide_link_tokens(text: str) -> str:
    """`text` with the secret of every single-use link replaced by a note."""
    return _LINK_TOKEN.sub(lambda m: m.group(1) + HIDDEN, text)
