"""Sign-in with Swedish e-legitimation through the municipality's e-ID broker (OpenID Connect).

Authorization code flow with PKCE (S256), a nonce and a state, through Authlib's OAuth 2 client;
the ID token is verified with joserfc (Authlib's JOSE library) against the broker's published
keys: signature, issuer, audience, expiry and the nonce of this very sign-in. The personnummer
claim (OIDC_PERSONNUMMER_CLAIM, from the ID token, else from userinfo) finds the participant's
record; no record, no access. Off unless OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET
are set.

The state, nonce and code verifier of a sign-in under way live in `pl_participant_login`,
found by the hash of a random value kept in the browser's cookie: the answer from the broker
is taken only in the browser that started the sign-in, only once, and only within
LOGIN_MINUTES.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
import warnings
from typing import Any, cast

import authlib.deprecate  # noqa: F401 - its filter first, so ours below comes before it
import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from marketplace.kernel.errors import MarketplaceError, Unauthenticated
from marketplace.kernel.settings import Settings
from marketplace.kernel.tokens import token_hash
from participants.i18n import N_
from placements.tables import ParticipantLogin

with warnings.catch_warnings():
    # Authlib prefers the httpx2 package and says so on import; httpx serves it the same.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

log = logging.getLogger("marketplace.participants")
LOGIN_COOKIE = "mp_eid"
LOGIN_MINUTES = 10
CALLBACK_PATH = "/mina-sidor/logga-in/e-legitimation/klar"
_TIMEOUT_S = 10.0

FAILED = N_(
    "Inloggningen med e-legitimation gick inte att slutföra. Försök igen från början. Hjälper "
    "det inte, be din samordnare om en inloggningslänk."
)
CANCELLED = N_("Inloggningen avbröts. Du kan försöka igen när du vill.")


class SignInFailed(Unauthenticated):
    """The broker's answer could not be trusted or used (401, a Swedish page)."""


class BrokerUnavailable(MarketplaceError):
    status_code = 503


def redirect_uri(settings: Settings) -> str:
    return settings.base_url + CALLBACK_PATH


async def _metadata(settings: Settings) -> dict[str, Any]:
    """The broker's discovery document (fetched per sign-in: a sign-in is rare)."""
    url = settings.oidc_issuer + "/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=_TIMEOUT_S, trust_env=False) as client:
            response = await client.get(url)
            response.raise_for_status()
            meta: dict[str, Any] = response.json()
    except Exception as exc:
        raise BrokerUnavailable(
            N_("Inloggningen med e-legitimation svarar inte just nu. Försök igen om en stund.")
        ) from exc
    if meta.get("issuer", "").rstrip("/") != settings.oidc_issuer:
        raise BrokerUnavailable(N_("E-legitimationstjänsten är felaktigt inställd."))
    return meta


def _client(settings: Settings, **extra: Any) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scope="openid profile",
        redirect_uri=redirect_uri(settings),
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method's name
        timeout=_TIMEOUT_S,
        **extra,
    )


async def begin(settings: Settings) -> tuple[str, str]:
    """Start a sign-in: (the value for the browser's cookie, the broker's URL to go to)."""
    meta = await _metadata(settings)
    key = secrets.token_urlsafe(32)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    client = _client(settings)
    url, _ = client.create_authorization_url(
        meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=LOGIN_MINUTES)
    await ParticipantLogin.delete().where(ParticipantLogin.created_at < cutoff)
    await ParticipantLogin.insert(
        ParticipantLogin(key_hash=token_hash(key), state=state, nonce=nonce, code_verifier=verifier)
    )
    return key, url


async def _take_login(key: str) -> dict[str, Any]:
    """The sign-in under way for this browser, deleted as it is read (it serves once)."""
    if not key or len(key) > 200:
        raise SignInFailed(FAILED)
    rows = (
        await ParticipantLogin.delete()
        .where(ParticipantLogin.key_hash == token_hash(key))
        .returning(
            ParticipantLogin.state,
            ParticipantLogin.nonce,
            ParticipantLogin.code_verifier,
            ParticipantLogin.created_at,
        )
    )
    if not rows:
        raise SignInFailed(FAILED)
    login: dict[str, Any] = rows[0]
    if dt.datetime.now(dt.UTC) - login["created_at"] > dt.timedelta(minutes=LOGIN_MINUTES):
        raise SignInFailed(FAILED)
    return login


async def finish(settings: Settings, key: str, params: dict[str, str]) -> str:
    """Check the broker's answer and return the personnummer it vouches for.

    Refused (401): no sign-in under way in this browser, a state that is not this sign-in's,
    an error from the broker, a code the broker will not exchange, an ID token whose
    signature, issuer, audience, expiry or nonce is wrong, or no personnummer claim."""
    login = await _take_login(key)
    if not hmac.compare_digest(params.get("state", ""), login["state"]):
        raise SignInFailed(FAILED)
    if params.get("error"):
        raise SignInFailed(CANCELLED if params["error"] == "access_denied" else FAILED)
    code = params.get("code", "")
    if not code:
        raise SignInFailed(FAILED)
    meta = await _metadata(settings)
    try:
        async with _client(settings) as client:
            token = await client.fetch_token(
                meta["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=login["code_verifier"],
            )
            keys = (await client.request("GET", meta["jwks_uri"], withhold_token=True)).json()
            claims = _verified_claims(settings, token.get("id_token", ""), keys, login["nonce"])
            value = claims.get(settings.oidc_personnummer_claim)
            if not value and meta.get("userinfo_endpoint"):
                info = (await client.get(meta["userinfo_endpoint"])).json()
                if info.get("sub") == claims.get("sub"):
                    value = info.get(settings.oidc_personnummer_claim)
    except SignInFailed:
        raise
    except Exception as exc:
        log.warning("e-ID sign-in refused: %s", exc.__class__.__name__)
        raise SignInFailed(FAILED) from exc
    if not isinstance(value, str) or not value.strip():
        raise SignInFailed(FAILED)
    return value.strip()


def _verified_claims(
    settings: Settings, id_token: str, keys: dict[str, Any], nonce: str
) -> dict[str, Any]:
    try:
        decoded = jwt.decode(
            id_token, KeySet.import_key_set(cast(Any, keys)), algorithms=["RS256", "ES256"]
        )
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": settings.oidc_issuer},
            aud={"essential": True, "value": settings.oidc_client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise SignInFailed(FAILED) from exc
    return dict(decoded.claims)
