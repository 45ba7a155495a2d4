"""The served OpenAPI document, made exact for msgspec types.

Litestar's own schema generation loses two things outside clients need: the discriminator of
msgspec tagged unions (it emits a bare `oneOf`), and it copies a field's default into the
shared enum component (so `HopStatus` would claim a default of its own). Here the component
of every Struct and enum the API uses is replaced by msgspec's own (`msgspec.json
.schema_components`), tagged unions become `oneOf` with a `discriminator` and its `mapping`,
and a Struct only ever sent by the server lists every field it always sends as required.
"""

from __future__ import annotations

import copy
import enum
import typing
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin

from server.auth import is_public
from server.errors import ERROR_DESCRIPTIONS, declared_errors
from server.schemas import ErrorResponse

REF_PREFIX = "#/components/schemas/"


def _json_type(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Response):
        args = typing.get_args(annotation)
        return args[0] if origin is Response and args else None
    if isinstance(annotation, type) and issubclass(annotation, Response):
        return None
    return annotation


def api_types(app: Any) -> list[Any]:
    """Every type a route of the app reads or returns (bodies, query parameters, responses)."""
    found: list[Any] = [ErrorResponse]
    for route in app.routes:
        for handler, kwargs_model in getattr(route, "route_handler_map", {}).values():
            if handler.include_in_schema is False:
                continue
            parameters = handler.parsed_fn_signature.parameters
            candidates = [_json_type(handler.parsed_fn_signature.return_type.annotation)]
            if "data" in kwargs_model.expected_reserved_kwargs:
                candidates.append(parameters["data"].annotation)
            candidates.extend(
                parameters[p.field_name].annotation
                for p in kwargs_model.expected_query_params
                if p.field_name in parameters
            )
            for candidate in candidates:
                if candidate is None or candidate is type(None):
                    continue
                try:
                    msgspec.inspect.type_info(candidate)
                except (TypeError, ValueError):
                    continue  # not a msgspec type (a stream, a file): Litestar's schema stands
                found.append(candidate)
    return list(dict.fromkeys(found))


def _named_types(types: list[Any]) -> tuple[dict[str, msgspec.inspect.StructType], dict[str, type[enum.Enum]]]:
    """The Structs and enums reachable from `types`, by component name."""
    infos = msgspec.inspect.multi_type_info(types)
    structs: dict[str, msgspec.inspect.StructType] = {}
    enums: dict[str, type[enum.Enum]] = {}

    def walk(t: Any, seen: set[int]) -> None:
        if id(t) in seen:
            return
        seen.add(id(t))
        if isinstance(t, msgspec.inspect.StructType):
            structs[t.cls.__name__] = t
            for f in t.fields:
                walk(f.type, seen)
        elif isinstance(t, msgspec.inspect.EnumType):
            enums[t.cls.__name__] = t.cls
        elif isinstance(t, msgspec.inspect.Metadata):
            walk(t.type, seen)
        elif isinstance(t, msgspec.inspect.UnionType):
            for m in t.types:
                walk(m, seen)
        elif isinstance(
            t,
            (
                msgspec.inspect.ListType,
                msgspec.inspect.SetType,
                msgspec.inspect.FrozenSetType,
                msgspec.inspect.VarTupleType,
            ),
        ):
            walk(t.item_type, seen)
        elif isinstance(t, msgspec.inspect.TupleType):
            for m in t.item_types:
                walk(m, seen)
        elif isinstance(t, msgspec.inspect.DictType):
            walk(t.value_type, seen)

    seen: set[int] = set()
    for info in infos:
        walk(info, seen)
    return structs, enums


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref[len(REF_PREFIX) :])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _closure(names: set[str], components: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in seen or name not in components:
            continue
        seen.add(name)
        stack.extend(_refs(components[name]))
    return seen


def _discriminate(node: Any, structs: dict[str, msgspec.inspect.StructType]) -> Any:
    """Tagged unions -> `oneOf` + `discriminator` with its mapping, everywhere in `node`."""
    if isinstance(node, list):
        return [_discriminate(value, structs) for value in node]
    if not isinstance(node, dict):
        return node
    node = {key: _discriminate(value, structs) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if not isinstance(options, list) or not options:
            continue
        refs = [o.get("$ref", "")[len(REF_PREFIX) :] for o in options if isinstance(o, dict) and "$ref" in o]
        tagged = [structs[r] for r in refs if r in structs and structs[r].tag_field is not None]
        if len(tagged) == len(options) and len({t.tag_field for t in tagged}) == 1:
            node.pop(key)
            node["oneOf"] = options
            node["discriminator"] = {
                "propertyName": tagged[0].tag_field,
                "mapping": {str(t.tag): REF_PREFIX + t.cls.__name__ for t in tagged},
            }
    return node


def _always_sent(info: msgspec.inspect.StructType) -> list[str]:
    omit_defaults = info.cls.__struct_config__.omit_defaults
    names = [info.tag_field] if info.tag_field else []
    for f in info.fields:
        has_default = f.default is not msgspec.NODEFAULT or f.default_factory is not msgspec.NODEFAULT
        unset = not f.required and not has_default
        if not unset and not (omit_defaults and has_default):
            names.append(f.encode_name)
    return names


def exact_document(document: dict[str, Any], app: Any) -> dict[str, Any]:
    """A copy of Litestar's document with msgspec's components and discriminators."""
    types = api_types(app)
    _, components = msgspec.json.schema_components(types, ref_template=REF_PREFIX + "{name}")
    structs, enums = _named_types(types)
    fixed = copy.deepcopy(document)
    schemas = fixed.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(components)
    for name, enum_cls in enums.items():
        # msgspec sorts enum values; the API's order is the declaration order.
        if isinstance(schemas.get(name), dict):
            values = [member.value for member in enum_cls]
            if all(isinstance(v, str) for v in values):
                schemas[name]["type"] = "string"
            schemas[name]["enum"] = values
    fixed = dict(_discriminate(fixed, structs))
    declare_errors(fixed, app)
    fix_media_types(fixed, app)
    add_links(fixed)
    schemas = fixed["components"]["schemas"]
    # What the server only sends: every field it always encodes is required.
    request_roots: set[str] = set()
    response_roots: set[str] = set()
    for path_item in fixed.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            request_roots |= _refs(operation.get("requestBody")) | _refs(operation.get("parameters"))
            response_roots |= _refs(operation.get("responses"))
    sent_only = _closure(response_roots, schemas) - _closure(request_roots, schemas)
    for name in sorted(sent_only):
        info = structs.get(name)
        schema = schemas.get(name)
        if info is not None and isinstance(schema, dict) and "properties" in schema:
            required = _always_sent(info)
            if required:
                schema["required"] = required
            else:
                schema.pop("required", None)
    return fixed


def _handlers_by_operation(app: Any) -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for route in app.routes:
        for handler, _ in getattr(route, "route_handler_map", {}).values():
            if isinstance(handler.operation_id, str):
                found[handler.operation_id] = (route.path, handler.opt)
    return found


def declare_errors(document: dict[str, Any], app: Any) -> None:
    """Every operation's error responses, each an `ErrorResponse` (`server.errors.declared_errors`),
    in place of Litestar's own 400 entry (whose body is not what the API sends)."""
    handlers = _handlers_by_operation(app)
    error_ref = {"$ref": REF_PREFIX + "ErrorResponse"}
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            path, opt = handlers.get(operation["operationId"], ("", {}))
            places = {p.get("in") for p in operation.get("parameters", []) if isinstance(p, dict)}
            statuses = declared_errors(
                operation_id=operation["operationId"],
                method=method.upper(),
                public=is_public(path, opt),
                has_body="requestBody" in operation,
                has_query="query" in places,
                has_path="path" in places,
            )
            responses = operation.setdefault("responses", {})
            for code in [c for c in responses if str(c).startswith(("4", "5"))]:
                del responses[code]
            for status in statuses:
                entry: dict[str, Any] = {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": error_ref}},
                }
                if status in (429, 503):
                    entry["headers"] = {
                        "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
                    }
                responses[str(status)] = entry


LINKED_ENTITIES = {
    "UserSession": "session_id",
    "Mission": "mission_id",
    "Hop": "hop_id",
    "ToolStep": "step_id",
    "Asset": "asset_id",
}
"""Response components whose `id` is the path parameter of other operations."""
NESTED_LINKS = {"Mission": ("hops", "hop_id"), "Hop": ("tool_steps", "step_id")}
"""Lists inside a response whose first item's id feeds operations of that entity."""


def add_links(document: dict[str, Any]) -> None:
    """OpenAPI links from every operation that answers an entity to every operation taking that
    entity's id as its one path parameter, so clients and stateful testers can chain them."""
    by_param: dict[str, list[str]] = {}
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            params = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"]
            if len(params) == 1:
                by_param.setdefault(params[0], []).append(operation["operationId"])
    schemas = document.get("components", {}).get("schemas", {})
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                if not str(code).startswith("2"):
                    continue
                ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                name = ref.removeprefix(REF_PREFIX)
                links: dict[str, Any] = {}
                if name in LINKED_ENTITIES:
                    for target in by_param.get(LINKED_ENTITIES[name], []):
                        links[target] = {
                            "operationId": target,
                            "parameters": {LINKED_ENTITIES[name]: "$response.body#/id"},
                        }
                nested = NESTED_LINKS.get(name)
                if nested and nested[0] in schemas.get(name, {}).get("properties", {}):
                    for target in by_param.get(nested[1], []):
                        links[f"{target}_first_of_{nested[0]}"] = {
                            "operationId": target,
                            "parameters": {nested[1]: f"$response.body#/{nested[0]}/0/id"},
                        }
                if links:
                    response["links"] = links


def fix_media_types(document: dict[str, Any], app: Any) -> None:
    """A 204 has no body; the event stream answers `text/event-stream`, not JSON."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.get("responses", {})
            if "204" in responses:
                responses["204"].pop("content", None)
            if operation.get("operationId") == "stream_events" and "200" in responses:
                responses["200"]["content"] = {"text/event-stream": {"schema": {"type": "string"}}}


class ExactJsonRenderPlugin(JsonRenderPlugin):
    """Serves `openapi.json` with msgspec's exact components (computed once per app)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cache: tuple[int, bytes] | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._cache is None or self._cache[0] != id(openapi_schema):
            self._cache = (id(openapi_schema), self.render_json(request, exact_document(openapi_schema, request.app)))
        return self._cache[1]


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """The exact JSON document (the documentation page is `server.docs_page`)."""
    return [ExactJsonRenderPlugin()]
