"""The API as the app declares it: every `/api` route handler of the Litestar app (so every
controller in `server.routes.CONTROLLERS`, read at generation time), with its path and query
parameters, body and return type taken from the handler's signature."""

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


def load_app() -> Any:
    from server.app import create_app

    return create_app()


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
    """Every JSON route under /api, sorted by path then method (stable output)."""
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
                )
            )
    ops.sort(key=lambda op: (op.path, op.method))
    seen: dict[str, Operation] = {}
    for op in ops:
        if op.operation_id in seen:
            other = seen[op.operation_id]
            raise ValueError(f"operation_id `{op.operation_id}` is used by {other.method} {other.path} and {op.method} {op.path}")
        seen[op.operation_id] = op
    return ops
