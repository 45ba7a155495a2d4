"""The one error shape (`ErrorResponse`) and the exception handlers that produce it.

Services raise the exceptions below; Litestar's own validation and HTTP errors are
translated to the same shape, so a client reads every refusal the same way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.exceptions import NotFoundException as LitestarNotFound
from litestar.exceptions.http_exceptions import MethodNotAllowedException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from server.schemas import ErrorResponse, FieldError

logger = logging.getLogger("server")


class ApiError(Exception):
    """Base of the errors a service raises on purpose; each maps to one status code."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors)

    def to_response(self) -> ErrorResponse:
        return ErrorResponse(status=self.status_code, code=self.code, message=self.message, errors=self.errors)

    def headers(self) -> dict[str, str]:
        """Headers the answer carries besides the body."""
        return {}


class InvalidInput(ApiError):
    """Input that is well-formed but breaks a rule (400), naming the field."""

    status_code = 400
    code = "validation_error"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"Invalid value for `{field}`: {reason}", errors=[FieldError(field=field, reason=reason)])


class NotAuthenticated(ApiError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(ApiError):
    status_code = 403
    code = "forbidden"


class NotFound(ApiError):
    """Missing, or owned by another user: the two are indistinguishable on purpose."""

    status_code = 404
    code = "not_found"

    def __init__(self, entity: str, entity_id: object | None = None) -> None:
        what = f"{entity} {entity_id}" if entity_id is not None else entity
        super().__init__(f"{what} not found")


class Conflict(ApiError):
    status_code = 409
    code = "conflict"


class StatusConflict(Conflict):
    """A transition refused because the entity is not in a status that allows it. The message
    is for people (`server.workflow.refusals` writes it: what to do now); the body keeps the
    machine-readable `entity`, `entity_id`, `current_status` and `required_status`."""

    code = "status_conflict"

    def __init__(
        self,
        entity: str,
        entity_id: object,
        current: str,
        required: Iterable[str],
        action: str,
        *,
        message: str | None = None,
    ) -> None:
        required_list = [str(value) for value in required]
        super().__init__(
            message
            or f"Cannot {action}: {entity} {entity_id} is `{current}`, "
            f"required {' or '.join(f'`{value}`' for value in required_list)}"
        )
        self.entity = entity
        self.entity_id = str(entity_id)
        self.current_status = str(current)
        self.required_status = required_list

    def to_response(self) -> ErrorResponse:
        response = super().to_response()
        response.entity = self.entity
        response.entity_id = self.entity_id
        response.current_status = self.current_status
        response.required_status = self.required_status
        return response


class Unprocessable(ApiError):
    """A request that is valid but cannot be carried out as asked (422), with its reasons."""

    status_code = 422
    code = "unprocessable"


class TooManyRequests(ApiError):
    """A limit on how often or how much at once (429); `Retry-After` says when to try again."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"retry-after": str(self.retry_after)} if self.retry_after else {}


class LimitExceeded(ApiError):
    """Storing this would pass a size limit of the user's (413); the message names the limit."""

    status_code = 413
    code = "limit_exceeded"


class UnsupportedMediaType(ApiError):
    """A body that is not JSON on a route that reads one (415)."""

    status_code = 415
    code = "unsupported_media_type"


class ServiceUnavailable(ApiError):
    """The database cannot be reached (503); `Retry-After` says when to try again."""

    status_code = 503
    code = "service_unavailable"
    retry_after = 5

    def headers(self) -> dict[str, str]:
        return {"retry-after": str(self.retry_after)}


RATE_LIMITED_OPERATIONS = frozenset(
    {"sign_in", "sign_up", "execute_hop", "run_tool_step", "run_from_tool_step", "run_tool", "stream_events"}
)
"""Operations that answer 429 when a limit is reached (with `Retry-After`)."""
NO_DATABASE_OPERATIONS = frozenset({"health"})
"""Operations that never touch the database (liveness), so never answer 503."""
ERROR_DESCRIPTIONS = {
    400: "Bad input (malformed body, wrong field, bad parameter); `errors` names each field",
    401: "Not signed in (or a wrong e-mail or password at sign-in)",
    403: "Missing or wrong `X-CSRF-Token` header",
    404: "No such entity of the signed-in user",
    409: "Refused in the entity's current status, or a concurrent change won",
    413: "Too large: the body, or what the user would then store",
    415: "The body is not JSON",
    422: "Valid but cannot be carried out as asked; `errors` lists why",
    429: "A limit was reached; `Retry-After` says when to try again",
    503: "The database is unavailable; `Retry-After` says when to try again",
}


def declared_errors(
    *, operation_id: str, method: str, public: bool, has_body: bool, has_query: bool, has_path: bool
) -> tuple[int, ...]:
    """The error statuses an operation may answer, each with an `ErrorResponse` body: the one
    rule the OpenAPI document (`server/openapi.py`) and the generated client (`codegen/`) use."""
    statuses: set[int] = set()
    if has_body:
        statuses |= {400, 413, 415, 422}
    if has_query:
        statuses.add(400)
    if has_path:
        statuses.add(404)
    if not public:
        statuses.add(401)
        if method not in ("GET", "HEAD", "OPTIONS"):
            statuses |= {403, 409}
    if operation_id == "sign_in":
        statuses.add(401)
    if operation_id in RATE_LIMITED_OPERATIONS:
        statuses.add(429)
    if operation_id not in NO_DATABASE_OPERATIONS:
        statuses.add(503)
    return tuple(sorted(statuses))


_NAMED_FIELD = re.compile(r"(?:unknown field|missing required field) `([^`]+)`|^`([^`]+)` is \d+ bytes of JSON")
_MISSING_KEY = re.compile(r"^'(\w+)'$")
_SOURCES = {"body": "body", "query": "query", "path": "path", "header": "header", "cookie": "cookie"}


def _field_errors(extra: object) -> list[FieldError]:
    errors: list[FieldError] = []
    if not isinstance(extra, list):
        return errors
    for item in extra:
        if not isinstance(item, dict):
            continue
        reason = str(item.get("message", "invalid value"))
        key = str(item.get("key", "") or "")
        # Litestar gives the source as a str-based enum (ParamType.QUERY) or a plain string.
        raw_source = item.get("source", "")
        source = _SOURCES.get(str(getattr(raw_source, "value", raw_source)), "")
        if key == "data":
            key = ""
            source = "body"
        if _MISSING_KEY.match(reason):  # a KeyError: the value was not sent at all
            reason = "a JSON body is required" if source == "body" and not key else "required"
        elif match := _NAMED_FIELD.search(reason):
            name = match.group(1) or match.group(2)
            key = f"{key}.{name}" if key else name
        field = ".".join(part for part in (source, key) if part)
        errors.append(FieldError(field=field or "body", reason=reason))
    return errors


def _respond(error: ErrorResponse, headers: dict[str, str] | None = None) -> Response[ErrorResponse]:
    return Response(content=error, status_code=error.status, media_type=MediaType.JSON, headers=headers)


def api_error_handler(_: Request[Any, Any, Any], exc: ApiError) -> Response[ErrorResponse]:
    return _respond(exc.to_response(), headers=exc.headers() or None)


def validation_error_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorResponse]:
    errors = _field_errors(exc.extra)
    if errors:
        message = "; ".join(f"`{e.field}`: {e.reason}" for e in errors)
    else:
        detail = exc.detail or "invalid request"
        errors = [FieldError(field="body", reason=detail)]
        message = f"`body`: {detail}"
    return _respond(ErrorResponse(status=400, code="validation_error", message=message, errors=errors))


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorResponse]:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException):
        code = "not_authenticated"
    elif isinstance(exc, PermissionDeniedException):
        code = "forbidden"
    elif isinstance(exc, LitestarNotFound):
        code = "not_found"
    elif isinstance(exc, MethodNotAllowedException):
        code = "method_not_allowed"
    elif status == 400:
        code = "validation_error"
    else:
        code = "error"
    detail = exc.detail or "error"
    errors = [FieldError(field="body", reason=detail)] if status == 400 else []
    return _respond(ErrorResponse(status=status, code=code, message=detail, errors=errors), headers=exc.headers)


_CONFLICT_ERRORS = frozenset(
    {"DeadlockDetectedError", "SerializationError", "UniqueViolationError", "ForeignKeyViolationError"}
)
_CONFLICT_TEXT = ("database is locked", "unique constraint failed", "foreign key constraint failed")


def is_write_conflict(exc: BaseException) -> bool:
    """A database refusal caused by a concurrent request (a lost race, a deadlock, a lock
    wait that timed out), not by the request itself."""
    if type(exc).__name__ in _CONFLICT_ERRORS:
        return True
    text = str(exc).lower()
    return any(marker in text for marker in _CONFLICT_TEXT)


_OUTAGE_ERRORS = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "CannotConnectNowError",
        "InterfaceError",
        "TooManyConnectionsError",
        "AdminShutdownError",
        "CrashShutdownError",
    }
)
_OUTAGE_TEXT = ("unable to open database file", "disk i/o error", "database disk image is malformed")


def is_database_outage(exc: BaseException) -> bool:
    """The database cannot be reached or read (a stopped server, a lost connection, an
    unreadable file): not the request's fault, and worth trying again later."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (ConnectionError, TimeoutError)) or type(current).__name__ in _OUTAGE_ERRORS:
            return True
        if isinstance(current, OSError) and current.errno is not None:
            return True
        if any(marker in str(current).lower() for marker in _OUTAGE_TEXT):
            return True
        current = current.__cause__ or current.__context__
    return False


def outage_response() -> Response[ErrorResponse]:
    error = ServiceUnavailable("The database is unavailable; try again shortly")
    return _respond(error.to_response(), headers=error.headers())


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorResponse]:
    if is_database_outage(exc):
        logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return outage_response()
    if is_write_conflict(exc):
        # The services check before they write; reaching here means a concurrent request won.
        logger.warning("write conflict on %s %s: %s", request.method, request.url.path, exc)
        return _respond(
            ErrorResponse(
                status=409, code="conflict", message="Another request changed the same data at the same time; try again"
            )
        )
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _respond(
        ErrorResponse(status=HTTP_500_INTERNAL_SERVER_ERROR, code="internal_error", message="Internal server error")
    )


EXCEPTION_HANDLERS = {
    ApiError: api_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}


_NUL_MARKERS = (b"\\u0000", b"\x00")
MAX_BODY_DEPTH = 64


def _find_nul(value: object, path: str, depth: int = 0) -> str | None:
    """Path of the first string (or key) holding a NUL character, which PostgreSQL cannot store."""
    if depth > MAX_BODY_DEPTH:
        raise InvalidInput(path, f"nested deeper than {MAX_BODY_DEPTH} levels")
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}"
            if "\x00" in str(key):
                return path
            if (found := _find_nul(item, child, depth + 1)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _find_nul(item, f"{path}[{index}]", depth + 1)) is not None:
                return found
    return None


def is_json_media_type(content_type: str) -> bool:
    """`application/json` (parameters such as charset allowed) or a `+json` type."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class ApiRequest(Request[Any, Any, Any]):
    """Refuses, as a 400 naming the field, JSON bodies that would otherwise fail deep in the
    stack: nesting beyond the decoder's recursion limit, invalid UTF-8, and NUL characters in
    text; a body that is not JSON is a 415."""

    async def json(self) -> Any:
        body = await self.body()
        if body.strip() and not is_json_media_type(self.headers.get("content-type", "")):
            # A form or text/plain body is what a cross-site page can send without asking (login CSRF).
            raise UnsupportedMediaType("The body must be JSON, sent as `Content-Type: application/json`")
        try:
            value = await super().json()
        except RecursionError:
            raise InvalidInput("body", "nested too deeply") from None
        except UnicodeDecodeError:
            raise InvalidInput("body", "the body is not valid UTF-8") from None
        if any(marker in body for marker in _NUL_MARKERS) and (path := _find_nul(value, "body")) is not None:
            raise InvalidInput(path, "text must not contain the NUL character (\\u0000)")
        return value


def decode_error(exc: msgspec.ValidationError, prefix: str = "body") -> InvalidInput:
    """Turn a msgspec validation error (`... - at `$.a.b``) into an InvalidInput naming the field."""
    text = str(exc)
    reason, _, at = text.partition(" - at `")
    path = at.rstrip("`").removeprefix("$").lstrip(".")
    field = ".".join(part for part in (prefix, path) if part)
    return InvalidInput(field or "body", reason)
