"""Sign-up, sign-in, sign-out and the current user."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from server.auth import SESSION_COOKIE
from server.settings import get_settings
from server.users import service
from server.users.limiter import client_address
from server.users.schemas import CurrentUser, SignIn, SignUp, SignUpAccepted


def _session_cookie(value: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=get_settings().security.cookie_secure,
        path="/",
    )


def _client(request: Request[Any, Any, Any]) -> str:
    """The client's address (through the trusted proxies, `TRUSTED_PROXIES`)."""
    return client_address(request.client.host if request.client else None, request.headers)


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/sign-up", status_code=HTTP_202_ACCEPTED, operation_id="sign_up")
    async def sign_up(self, request: Request[Any, Any, Any], data: JSONBody[SignUp]) -> SignUpAccepted:
        """Create an account, then sign in. The answer is the same whether or not the e-mail
        already had an account; sign-ups are limited per client address."""
        return await service.sign_up(email=data.email, password=data.password, client=_client(request))

    @post("/sign-in", status_code=200, operation_id="sign_in")
    async def sign_in(self, request: Request[Any, Any, Any], data: JSONBody[SignIn]) -> Response[CurrentUser]:
        """Sign in: sets the session cookie and returns the CSRF token for unsafe requests.
        Attempts are limited per account and per client address (429 with `Retry-After`)."""
        signed = await service.sign_in(email=data.email, password=data.password, client=_client(request))
        return Response(
            CurrentUser(user=signed.user, csrf_token=signed.csrf_token),
            cookies=[_session_cookie(signed.token, get_settings().security.session_days * 86400)],
        )

    @post("/sign-out", status_code=HTTP_204_NO_CONTENT, operation_id="sign_out")
    async def sign_out(self, request: Request[Any, Any, Any]) -> Response[None]:
        """End this sign-in session."""
        await service.sign_out(user_id=request.user, auth_session_id=request.auth.auth_session_id)
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=[_session_cookie("", 0)])

    @get("/me", operation_id="get_current_user")
    async def me(self, request: Request[Any, Any, Any]) -> CurrentUser:
        """The signed-in user, with the CSRF token of this session."""
        user = await service.get_user(user_id=request.user)
        return CurrentUser(user=user, csrf_token=request.auth.csrf_token)

    @delete("/me", status_code=HTTP_204_NO_CONTENT, operation_id="close_account")
    async def close_account(self, request: Request[Any, Any, Any]) -> None:
        """Close the account: it is deactivated and signed out everywhere; its data is kept."""
        await service.deactivate_user(user_id=request.user)
