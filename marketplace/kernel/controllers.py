"""JSON API of the kernel: health, sign-in, who am I, users and API tokens."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_503_SERVICE_UNAVAILABLE

from marketplace.kernel import accounts, api_keys, auth, outage, second_factor
from marketplace.kernel.audit import record
from marketplace.kernel.auth import AuthUser, admin_only, public, requires, signed_in
from marketplace.kernel.db import write_transaction
from marketplace.kernel.schemas import (
    Health,
    LoginRequest,
    LoginResult,
    Me,
    TokenCreate,
    TokenCreated,
    TokenOut,
    TotpConfirm,
    TotpEnrolment,
    TotpStart,
    UserCreate,
    UserOut,
)
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import User


def session_cookie(raw: str, *, expire: bool = False, key: str = auth.SESSION_COOKIE) -> Cookie:
    """The session cookie (staff's unless `key` names another, the participants'): HttpOnly,
    SameSite=Lax, Secure outside development, lasting as long as a session may."""
    settings = get_settings()
    return Cookie(
        key=key,
        value="" if expire else raw,
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        path="/",
        max_age=0 if expire else settings.session_absolute_hours * 3600,
    )


def me_of(user: AuthUser) -> Me:
    return Me(
        id=user.id,
        username=user.username,
        name=user.name,
        role=user.role,
        email=user.email,
        auth=user.via,
    )


@get("/health", guards=[public], operation_id="health", tags=["system"])
async def health() -> Response[Health]:
    """Answer 200 when the database answers, 503 otherwise."""
    engine_type = User._meta.db.engine_type
    try:
        await User.raw("SELECT 1")
    except Exception:  # the database being down is exactly what this reports
        return Response(
            Health(status="fel", database="unreachable", engine=engine_type),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Response(Health(status="ok", database="ok", engine=engine_type))


@get("/health/ready", guards=[public], operation_id="ready", tags=["system"])
async def ready() -> Response[Health]:
    """Answer 200 when a row can be written (and is rolled back), 503 with Retry-After when
    storage is locked, full or unreachable: for a load balancer's readiness probe."""
    engine_type = User._meta.db.engine_type
    problem = await outage.can_write()
    if problem is not None:
        return Response(
            Health(status="fel", database="cannot write", engine=engine_type),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(outage.RETRY_AFTER_S)},
        )
    return Response(Health(status="ok", database="ok", engine=engine_type))


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", guards=[public], operation_id="login", status_code=HTTP_200_OK)
    async def login(
        self, data: JSONBody[LoginRequest], request: Request[Any, Any, Any]
    ) -> Response[LoginResult]:
        """Sign in with user name and password; a fresh session cookie is set."""
        user_id = await auth.authenticate(
            data.username, data.password, data.otp, client_address(request)
        )
        raw, _csrf = await auth.start_session(user_id, request.cookies.get(auth.SESSION_COOKIE))
        user = await auth.resolve_session(raw, get_settings())
        assert user is not None
        return Response(
            LoginResult(user=me_of(user), csrf_token=user.csrf_token),
            cookies=[session_cookie(raw)],
        )

    @post("/logout", guards=[signed_in], operation_id="logout", status_code=HTTP_200_OK)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
        """End the current session."""
        raw = request.cookies.get(auth.SESSION_COOKIE)
        if raw:
            await auth.end_session(raw)
        return Response({"status": "utloggad"}, cookies=[session_cookie("", expire=True)])


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


class TotpController(Controller):
    path = "/api/v1/me/totp"
    guards = [requires(*auth.TOTP_ROLES)]
    tags = ["auth"]

    @post("/", operation_id="startTotp", status_code=HTTP_201_CREATED)
    async def start(
        self, request: Request[AuthUser, Any, Any], data: JSONBody[TotpStart | None] = None
    ) -> TotpEnrolment:
        """Begin enrolling an authenticator app; show the URI as a QR code or a secret.

        This switches the second factor off until the new app is confirmed, so a user who
        has it on must send a current code (`{"code": "123456"}`): 400 without, 403 if wrong.
        """
        code = data.code if data is not None else ""
        return TotpEnrolment(provisioning_uri=await second_factor.start(request.user, code))

    @post("/confirm", operation_id="confirmTotp", status_code=HTTP_200_OK)
    async def confirm(
        self, data: JSONBody[TotpConfirm], request: Request[AuthUser, Any, Any]
    ) -> dict[str, str]:
        """Turn the second factor on with a code from the app; later sign-ins need one."""
        await second_factor.confirm(request.user, data.code)
        return {"status": "tvåstegsverifiering på"}


@get("/api/v1/me", guards=[signed_in], operation_id="me", tags=["auth"])
async def me(request: Request[AuthUser, Any, Any]) -> Me:
    """Who is signed in, and with which role."""
    return me_of(request.user)


def user_out(row: dict[str, Any]) -> UserOut:
    return UserOut(
        id=row["id"],
        username=row["username"],
        name=auth.user_name(row),
        role=row["role"],
        email=row["email"],
        team=row["team"],
        active=row["active"],
    )


class UserController(Controller):
    path = "/api/v1/users"
    guards = [admin_only]
    tags = ["users"]

    @get("/", operation_id="listUsers")
    async def list_users(self) -> list[UserOut]:
        """Every user, by user name."""
        rows = await User.select(
            User.id,
            User.username,
            User.first_name,
            User.last_name,
            User.role,
            User.email,
            User.team,
            User.active,
        ).order_by(User.username)
        return [user_out(r) for r in rows]

    @post("/", operation_id="createUser", status_code=HTTP_201_CREATED)
    async def create_user(
        self, data: JSONBody[UserCreate], request: Request[AuthUser, Any, Any]
    ) -> UserOut:
        """Create a user; the password must follow the password rules."""
        async with write_transaction(User._meta.db):
            user = await auth.create_user(
                data.username,
                data.password,
                data.role,
                email=data.email,
                first_name=data.first_name,
                last_name=data.last_name,
                team=data.team,
            )
            await record(request.user, "user.create", int(user.id), subject_type="user")
        return user_out(user.to_dict())

    @post("/{user_id:int}/disable", operation_id="disableUser", status_code=HTTP_200_OK)
    async def disable_user(
        self, user_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> UserOut:
        """Disable a user; their sessions end at once. Never one's own account, nor the last
        active admin (409)."""
        await accounts.set_user_active(request.user, user_id, False)
        user = await User.objects().where(User.id == user_id).first()
        assert user is not None
        return user_out(user.to_dict())


class TokenController(Controller):
    path = "/api/v1/tokens"
    guards = [auth.api_roles]
    tags = ["auth"]

    @get("/", operation_id="listTokens")
    async def list_tokens(self, request: Request[AuthUser, Any, Any]) -> list[TokenOut]:
        """The caller's own API tokens (never the secret)."""
        _, keys = await api_keys.list_keys(request.user.id)
        return keys

    @post("/", operation_id="createToken", status_code=HTTP_201_CREATED)
    async def create_token(
        self, data: JSONBody[TokenCreate], request: Request[AuthUser, Any, Any]
    ) -> TokenCreated:
        """Create a token for the caller, working for `days` days (default 90, at most 365).
        The secret is shown in this answer only. Only a signed-in session may (403 with a
        token, which is told to sign in and make the key under Mitt konto, `/konto`): a token
        that could make tokens would outlive its own expiry and revocation."""
        key = await api_keys.create_key(request.user, data.name, data.days)
        return TokenCreated(id=key.id, name=data.name, token=key.raw, expires_at=key.expires_at)

    @delete("/{token_id:int}", operation_id="revokeToken", status_code=HTTP_200_OK)
    async def revoke_token(
        self, token_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> dict[str, str]:
        """Revoke one of the caller's tokens (admins may revoke anyone's)."""
        owner = None if request.user.role == "admin" else request.user.id
        await api_keys.revoke_key(request.user, token_id, owner)
        return {"status": "återkallad"}


ROUTES = [health, ready, AuthController, me, TotpController, UserController, TokenController]
