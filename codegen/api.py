"""The API as the server declares it: every `/api` route handler of the controllers in
`server.routes.CONTROLLERS` (read at generation time, so controllers added later are included)
and of `server.app`, with path and query parameters, body and return type taken from the
handler's signature, without building the app."""

from __future__ import annotations

import importlib
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

API_PREFIX = "/api"
NO_CONTENT = type(None)


@dataclass
class Param:
    name: str
    type: Any
    required: bool
    default: Any = msgspec.NODEFAULT


@dataclass
class Operation:
    """One route: what the client calls."""

    operation_id: str
    method: str
    path: str
    """Path with `{name}` placeholders, for example `/api/missions/{mission_id}`."""
    summary: str | None
    status_code: int
    path_params: list[Param] = field(default_factory=list)
    query_params: list[Param] = field(default_factory=list)
    body: Any = None
    returns: Any = NO_CONTENT
    json_response: bool = True
    """False for streams, files and server-sent events: the client gets a URL builder."""
    errors: tuple[int, ...] = ()
    """The error statuses it declares, each with an `ErrorResponse` body (`server.errors.declared_errors`)."""


def _errors(
    operation_id: str, method: str, path: str, opt: Any, body: Any, query: list[Any], path_params: list[Any]
) -> tuple[int, ...]:
    from server.auth import is_public
    from server.errors import declared_errors

    return declared_errors(
        operation_id=operation_id,
        method=method,
        public=is_public(path, opt or {}),
        has_body=body is not None,
        has_query=bool(query),
        has_path=bool(path_params),
    )


def _unwrap_response(annotation: Any) -> tuple[Any, bool]:
    """(the JSON type a handler's return annotation sends, whether it is JSON at all)."""
    from litestar import Response

    origin = typing.get_origin(annotation)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Response):
        args = typing.get_args(annotation)
        if origin is not Response:
            return NO_CONTENT, False
        return (args[0] if args else Any), True
    if isinstance(annotation, type) and issubclass(annotation, Response):
        return (Any, True) if annotation is Response else (NO_CONTENT, False)
    if annotation is None:
        return NO_CONTENT, True
    try:
        from litestar.response import ServerSentEvent, Stream

        if isinstance(annotation, type) and issubclass(annotation, (ServerSentEvent, Stream)):
            return NO_CONTENT, False
    except ImportError:  # pragma: no cover
        pass
    return annotation, True


RESERVED_KWARGS = {"self", "state", "headers", "cookies", "request", "socket", "query", "scope", "body"}
"""Handler parameters Litestar fills from the connection itself."""


def _route_handlers_of(owner: Any) -> list[Any]:
    """The route handlers a controller class (or a module) declares, in declaration order."""
    from litestar.handlers import HTTPRouteHandler

    found: dict[str, Any] = {}
    namespaces = [vars(klass) for klass in reversed(owner.__mro__)] if isinstance(owner, type) else [vars(owner)]
    for namespace in namespaces:
        for name, value in namespace.items():
            if isinstance(value, HTTPRouteHandler):
                found[name] = value
    return list(found.values())


def _join(*parts: str) -> str:
    return "/" + "/".join(part.strip("/") for part in parts if part.strip("/"))


def _split_annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        return base, tuple(metadata)
    return annotation, ()


def _is_optional(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation) or annotation is Any or annotation is None


def read_handler(handler: Any, base_path: str = "", dependencies: frozenset[str] = frozenset()) -> list[Operation]:
    """The operations of one route handler, read from its signature the way Litestar reads it:
    `data` is the body, `{name}` in the path and `FromPath` are path parameters, dependency
    markers and reserved names are filled by the server, everything else is a query parameter."""
    import inspect

    from litestar.di import Dependency
    from litestar.params import BodyKwarg, DependencyKwarg, ParameterKwarg, PathParameter, QueryParameter
    from litestar.types import Empty

    if handler.include_in_schema is False or not isinstance(handler.operation_id, str):
        return []
    paths = sorted(_join(base_path, path) for path in handler.paths)
    paths = [p for p in paths if p.startswith(API_PREFIX + "/") or p == API_PREFIX]
    if not paths:
        return []
    raw_path = paths[0]
    path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", raw_path)
    path_names = re.findall(r"\{(\w+)\}", path)
    hints = typing.get_type_hints(handler.fn, include_extras=True)
    signature = inspect.signature(handler.fn)
    own = handler.dependencies if isinstance(handler.dependencies, dict) else {}
    handler_dependencies = set(own) | set(dependencies)
    path_params: dict[str, Param] = {}
    query_params: list[Param] = []
    body = None
    for name, parameter in signature.parameters.items():
        annotation = hints.get(name, Any)
        base, metadata = _split_annotated(annotation)
        if name == "data" or any(isinstance(m, BodyKwarg) for m in metadata):
            body = base
            continue
        if name in RESERVED_KWARGS or name in handler_dependencies:
            continue
        if any(isinstance(m, (Dependency, DependencyKwarg)) for m in metadata):
            continue
        kwarg = next((m for m in metadata if isinstance(m, ParameterKwarg)), None)
        if isinstance(kwarg, PathParameter) or name in path_names:
            path_params[name] = Param(name, base, True)
            continue
        if kwarg is not None and not isinstance(kwarg, QueryParameter) and kwarg.param_type.value != "query":
            continue  # headers and cookies: the browser or the client runtime sends them
        default = msgspec.NODEFAULT if parameter.default is inspect.Parameter.empty else parameter.default
        if kwarg is not None and kwarg.default is not Empty:
            default = kwarg.default
        required = (
            kwarg.required
            if kwarg is not None and kwarg.required is not None
            else (default is msgspec.NODEFAULT and not _is_optional(base))
        )
        alias = (kwarg.name or kwarg.query or name) if kwarg is not None else name
        query_params.append(Param(alias, base, required, default))
    returns, is_json = _unwrap_response(hints.get("return", None))
    if handler.status_code == 204:
        returns = NO_CONTENT
    doc = (handler.fn.__doc__ or "").strip() or None
    return [
        Operation(
            operation_id=handler.operation_id,
            method=method,
            path=path,
            summary=doc,
            status_code=handler.status_code,
            path_params=[path_params[n] for n in path_names if n in path_params],
            query_params=query_params,
            body=body,
            returns=returns,
            json_response=is_json,
            errors=_errors(handler.operation_id, method, raw_path, handler.opt, body, query_params, list(path_params)),
        )
        for method in sorted(handler.http_methods)
        if method not in ("OPTIONS", "HEAD")
    ]


def read_api() -> list[Operation]:
    """Every operation of `server.routes.CONTROLLERS` (read now, so controllers added later are
    included) and of the route handlers `server.app` declares itself, without building the app."""
    import server.app as app_module
    from server.routes import CONTROLLERS

    ops: list[Operation] = []
    for controller in CONTROLLERS:
        declared = [vars(klass).get("dependencies") for klass in controller.__mro__]
        dependencies = frozenset(name for value in declared if isinstance(value, dict) for name in value)
        for handler in _route_handlers_of(controller):
            # Litestar declares `path` in the Controller's __slots__; each controller class sets it.
            ops.extend(read_handler(handler, controller.path, dependencies))  # type: ignore[misc]
    for handler in _route_handlers_of(app_module):
        ops.extend(read_handler(handler))
    return _sorted_unique(ops)


def import_schema_modules() -> list[Any]:
    """Import every `schemas` module of the server package (found on disk, so no other module
    is imported for it), so every Struct the API is made of is known even before a route
    uses it."""
    import server

    root = Path(server.__file__).resolve().parent
    names = ["server.enums", "server.schemas"]
    names += sorted(
        "server." + ".".join(path.relative_to(root).with_suffix("").parts)
        for path in root.rglob("schemas.py")
        if path.parent != root
    )
    return [importlib.import_module(name) for name in dict.fromkeys(names)]


def operations(app: Any) -> list[Operation]:
    """Every route under /api as the built Litestar app resolved it, sorted by path then method:
    the reference `read_api` is checked against (tests/codegen/test_api_reading.py)."""
    ops: list[Operation] = []
    for route in app.routes:
        handler_map = getattr(route, "route_handler_map", None)
        if not handler_map or not route.path.startswith(API_PREFIX + "/") and route.path != API_PREFIX:
            continue
        for method, (handler, kwargs_model) in handler_map.items():
            if method == "OPTIONS" or handler.include_in_schema is False:
                continue
            if handler.operation_id is None or not isinstance(handler.operation_id, str):
                continue
            signature = handler.parsed_fn_signature
            parameters = signature.parameters
            path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
            path_params = [
                Param(p.field_name, parameters[p.field_name].annotation if p.field_name in parameters else str, True)
                for p in sorted(kwargs_model.expected_path_params, key=lambda p: path.index("{" + p.field_alias + "}"))
            ]
            query_params = []
            for p in sorted(kwargs_model.expected_query_params, key=lambda p: list(parameters).index(p.field_name)):
                annotation = parameters[p.field_name].annotation
                default = p.default if p.default is not None or not p.is_required else msgspec.NODEFAULT
                query_params.append(Param(p.field_alias, annotation, p.is_required, default))
            body = parameters["data"].annotation if "data" in kwargs_model.expected_reserved_kwargs else None
            returns, is_json = _unwrap_response(signature.return_type.annotation)
            if handler.status_code == 204:
                returns = NO_CONTENT
            doc = (handler.fn.__doc__ or "").strip() or None
            ops.append(
                Operation(
                    operation_id=handler.operation_id,
                    method=method,
                    path=path,
                    summary=doc,
                    status_code=handler.status_code,
                    path_params=path_params,
                    query_params=query_params,
                    body=body,
                    returns=returns,
                    json_response=is_json,
                    errors=_errors(
                        handler.operation_id, method, route.path, handler.opt, body, query_params, path_params
                    ),
                )
            )
    return _sorted_unique(ops)


def _sorted_unique(ops: list[Operation]) -> list[Operation]:
    ops.sort(key=lambda op: (op.path, op.method))
    seen: dict[str, Operation] = {}
    for op in ops:
        if op.operation_id in seen:
            other = seen[op.operation_id]
            raise ValueError(
                f"operation_id `{op.operation_id}` is used by {other.method} {other.path} and {op.method} {op.path}"
            )
        seen[op.operation_id] = op
    return ops
