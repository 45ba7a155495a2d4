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
    """A transition refused because the entity is not in a status that allows it."""

    code = "status_conflict"

    def __init__(self, entity: str, entity_id: object, current: str, required: Iterable[str], action: str) -> None:
        required_list = [str(value) for value in required]
        super().__init__(
            f"Cannot {action}: {entity} {entity_id} is `{current}`, "
            f"required {' or '.join(f'`{value}`' for value in required_list)}"
        )
        self.current_status = str(current)
        self.required_status = required_list

    def to_response(self) -> ErrorResponse:
        response = super().to_response()
        response.current_status = self.current_status
        response.required_status = self.required_status
        return response


class Unprocessable(ApiError):
    """A request that is valid but cannot be carried out as asked (422), with its reasons."""

    status_code = 422
    code = "unprocessable"


class TooManyRequests(ApiError):
    status_code = 429
    code = "too_many_requests"


_NAMED_FIELD = re.compile(r"(?:unknown field|missing required field) `([^`]+)`")
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
            key = f"{key}.{match.group(1)}" if key else match.group(1)
        field = ".".join(part for part in (source, key) if part)
        errors.append(FieldError(field=field or "body", reason=reason))
    return errors


def _respond(error: ErrorResponse, headers: dict[str, str] | None = None) -> Response[ErrorResponse]:
    return Response(content=error, status_code=error.status, media_type=MediaType.JSON, headers=headers)


def api_error_handler(_: Request[Any, Any, Any], exc: ApiError) -> Response[ErrorResponse]:
    return _respond(exc.to_response())


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


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorResponse]:
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


class ApiRequest(Request[Any, Any, Any]):
    """Refuses, as a 400 naming the field, JSON bodies that would otherwise fail deep in the
    stack: nesting beyond the decoder's recursion limit, and NUL characters in text."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            raise InvalidInput("body", "nested too deeply") from None
        body = await self.body()
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
