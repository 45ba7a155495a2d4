"""msgspec types -> TypeScript declarations.

Rules (README, "Frontend: generated API types"):
- an enum becomes a const object (Python member names and order), a string-literal union type
  of the same name and an ordered array of its values (`HOP_STATUS_VALUES`);
- a Struct becomes an interface per direction: in what the server sends every field msgspec
  always encodes is required (`T | null` for Optional); in what the client sends fields with a
  default (or `UNSET`) are optional. A Struct used both ways whose two shapes differ gets two
  interfaces: `Name` for what the server sends, `NameInput` for what the client sends;
- a tagged union becomes a discriminated union on its tag literal (named after the module-level
  alias that declares it, when there is one);
- `dict[K, V]` -> `Record<string, V>`, datetime -> `IsoDateTime`, UUID -> `Uuid`, Any -> `unknown`;
- class and field docstrings become TSDoc; defaults appear as `@defaultValue`;
- two declarations with one name raise `NameCollision`, never a numeric suffix.
"""

from __future__ import annotations

import enum
import gc
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
from msgspec import inspect as mi

from codegen.docs import class_doc, field_docs

Direction = Literal["response", "request"]
RESPONSE: Direction = "response"
REQUEST: Direction = "request"
INPUT_SUFFIX = "Input"

SCALAR_ALIASES: dict[str, tuple[str, str]] = {
    "Uuid": ("string", "A UUID in its canonical text form, for example `1b4e28ba-2fa1-11d2-883f-0016d3cca427`."),
    "IsoDateTime": ("string", "A timezone-aware timestamp as an ISO 8601 string, for example `2026-01-31T12:00:00Z`."),
    "IsoDate": ("string", "A calendar date as an ISO 8601 string, for example `2026-01-31`."),
    "IsoTime": ("string", "A time of day as an ISO 8601 string, for example `12:00:00`."),
    "IsoDuration": ("string", "A duration as an ISO 8601 string, for example `P1DT2H`."),
}
HELPERS = ("assertNever",)
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


class NameCollision(ValueError):
    """Two different declarations would get the same TypeScript name."""


class UnsupportedType(TypeError):
    """A type that has no faithful TypeScript equivalent."""


def constant_case(name: str) -> str:
    """`HopStatus` -> `HOP_STATUS`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).upper()


def tsdoc(lines: Iterable[str], indent: str = "") -> list[str]:
    """A TSDoc comment from text lines (empty list when there is nothing to say)."""
    text = [line.replace("*/", "*\\/").rstrip() for line in lines]
    while text and not text[-1]:
        text.pop()
    if not text:
        return []
    if len(text) == 1:
        return [f"{indent}/** {text[0]} */"]
    return [f"{indent}/**", *(f"{indent} *{(' ' + line) if line else ''}" for line in text), f"{indent} */"]


def json_literal(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _unwrap(t: mi.Type) -> mi.Type:
    while isinstance(t, mi.Metadata):
        t = t.type
    return t


# Dispatch on the exact msgspec.inspect class: far cheaper than chains of isinstance on large schemas.
_SCALARS: dict[type, str] = {
    mi.AnyType: "unknown",
    mi.NoneType: "null",
    mi.BoolType: "boolean",
    mi.IntType: "number",
    mi.FloatType: "number",
    mi.StrType: "string",
    mi.BytesType: "string",
    mi.ByteArrayType: "string",
    mi.MemoryViewType: "string",
    mi.DecimalType: "string",
    mi.DateTimeType: "IsoDateTime",
    mi.DateType: "IsoDate",
    mi.TimeType: "IsoTime",
    mi.TimeDeltaType: "IsoDuration",
    mi.UUIDType: "Uuid",
    mi.RawType: "unknown",
    mi.ExtType: "unknown",
    mi.CustomType: "unknown",
}
_STRUCT_KINDS = frozenset({mi.StructType, mi.DataclassType, mi.TypedDictType})
_SEQUENCE_KINDS = frozenset({mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType})
_DICT_KINDS = frozenset({mi.DictType, mi.FrozenDictType})


def _meta_description(t: mi.Type) -> str | None:
    t = t if not isinstance(t, mi.UnionType) else next((m for m in t.types if isinstance(m, mi.Metadata)), t)
    while isinstance(t, mi.Metadata):
        extra = t.extra_json_schema or {}
        description = extra.get("description")
        if isinstance(description, str):
            return description
        t = t.type
    return None


@dataclass
class FieldShape:
    name: str
    optional: bool
    type: str
    doc: list[str]


@dataclass
class StructInfo:
    info: mi.StructType | mi.DataclassType | mi.TypedDictType
    directions: set[Direction] = field(default_factory=set)
    split: bool = False

    @property
    def cls(self) -> type:
        return self.info.cls


class TypeScriptEmitter:
    """Collects root types with their direction, then renders `types.gen.ts`."""

    def __init__(self, *, union_aliases: dict[frozenset[type], str] | None = None) -> None:
        self.roots: list[tuple[Any, Direction]] = []
        self.extra_enums: list[type[enum.Enum]] = []
        self.labels: dict[type[enum.Enum], Mapping[Any, str]] = {}
        """Labels for people of an enum's members, emitted as `<ENUM>_LABELS`."""
        self.union_aliases = union_aliases or {}
        self.structs: dict[type, StructInfo] = {}
        self.enums: dict[type[enum.Enum], None] = {}
        self.unions_used: dict[str, frozenset[type]] = {}
        self._prepared = False
        self._info_cache: dict[int, mi.Type] = {}
        self._ts_memo: dict[tuple[int, str], str] = {}
        self._union_members: dict[str, list[str]] = {}
        self._meta_memo: dict[type, list[tuple[str, list[str]]]] = {}

    # Collecting ---------------------------------------------------------------------------

    def add(self, tp: Any, direction: Direction) -> None:
        self.roots.append((tp, direction))
        self._prepared = False

    def add_enum(self, cls: type[enum.Enum], labels: Mapping[Any, str] | None = None) -> None:
        self.extra_enums.append(cls)
        if labels is not None:
            self.labels[cls] = labels
        self._prepared = False

    def info(self, tp: Any) -> mi.Type:
        return self._info_cache[id(tp)]

    def prepare(self) -> None:
        if self._prepared:
            return
        types = [tp for tp, _ in self.roots]
        resolve_annotations(types)
        infos = mi.multi_type_info(types) if types else ()
        self._info_cache = {id(tp): info for tp, info in zip(types, infos, strict=True)}
        self.structs = {}
        self.enums = {cls: None for cls in self.extra_enums}
        seen: set[tuple[int, str]] = set()
        for (_tp, direction), info in zip(self.roots, infos, strict=True):
            self._walk(info, direction, seen)
        self._decide_splits()
        self._check_names()
        self._prepared = True

    def _walk(self, t: mi.Type, direction: Direction, seen: set[tuple[int, str]]) -> None:
        kind = type(t)
        if kind in _SCALARS:
            return
        while kind is mi.Metadata:
            t = t.type  # type: ignore[attr-defined]
            kind = type(t)
        key = (id(t), direction)
        if key in seen:
            return
        seen.add(key)
        if kind in _STRUCT_KINDS:
            assert isinstance(t, (mi.StructType, mi.DataclassType, mi.TypedDictType))
            if getattr(t, "array_like", False):
                raise UnsupportedType(
                    f"{t.cls.__qualname__} is encoded as an array (array_like=True): give it named fields"
                )
            entry = self.structs.get(t.cls)
            if entry is None:
                entry = self.structs[t.cls] = StructInfo(t)
            entry.directions.add(direction)
            for f in t.fields:
                self._walk(f.type, direction, seen)
        elif kind is mi.EnumType:
            self.enums.setdefault(t.cls, None)  # type: ignore[attr-defined]
        elif kind is mi.UnionType:
            for member in t.types:  # type: ignore[attr-defined]
                self._walk(member, direction, seen)
        elif kind in _SEQUENCE_KINDS:
            self._walk(t.item_type, direction, seen)  # type: ignore[attr-defined]
        elif kind is mi.TupleType:
            for member in t.item_types:  # type: ignore[attr-defined]
                self._walk(member, direction, seen)
        elif kind in _DICT_KINDS:
            self._walk(t.key_type, direction, seen)  # type: ignore[attr-defined]
            self._walk(t.value_type, direction, seen)  # type: ignore[attr-defined]
        elif kind is mi.NamedTupleType:
            for f in t.fields:  # type: ignore[attr-defined]
                self._walk(f.type, direction, seen)

    def _decide_splits(self) -> None:
        # A Struct sent both ways gets two interfaces when its fields' optionality differs, or
        # when a Struct it refers to is split; iterate to a fixed point (recursive types).
        both = [s for s in self.structs.values() if len(s.directions) == 2]
        for entry in both:
            entry.split = any(
                self._optional(entry, f, RESPONSE) != self._optional(entry, f, REQUEST) for f in entry.info.fields
            )
        changed = True
        while changed:
            changed = False
            for entry in both:
                if not entry.split and any(self._refers_to_split(f.type) for f in entry.info.fields):
                    entry.split = changed = True

    def _refers_to_split(self, t: mi.Type, seen: set[int] | None = None) -> bool:
        seen = set() if seen is None else seen
        t = _unwrap(t)
        if id(t) in seen:
            return False
        seen.add(id(t))
        if isinstance(t, (mi.StructType, mi.DataclassType, mi.TypedDictType)):
            return self.structs[t.cls].split  # its own fields are judged on its own entry
        if isinstance(t, mi.UnionType):
            return any(self._refers_to_split(m, seen) for m in t.types)
        if isinstance(t, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
            return self._refers_to_split(t.item_type, seen)
        if isinstance(t, mi.TupleType):
            return any(self._refers_to_split(m, seen) for m in t.item_types)
        if isinstance(t, (mi.DictType, mi.FrozenDictType)):
            return self._refers_to_split(t.value_type, seen)
        return False

    @staticmethod
    def _optional(entry: StructInfo, f: mi.Field, direction: Direction) -> bool:
        has_default = f.default is not msgspec.NODEFAULT or f.default_factory is not msgspec.NODEFAULT
        unset = not f.required and not has_default  # `X | UnsetType = UNSET`: left out when unset
        if isinstance(entry.info, mi.TypedDictType):
            return not f.required
        if direction == REQUEST:
            return not f.required
        config = getattr(entry.cls, "__struct_config__", None)
        return unset or bool(config is not None and config.omit_defaults and has_default)

    # Names --------------------------------------------------------------------------------

    def struct_name(self, cls: type, direction: Direction) -> str:
        entry = self.structs[cls]
        if entry.split and direction == REQUEST:
            return cls.__name__ + INPUT_SUFFIX
        return cls.__name__

    def declared_names(self) -> dict[str, str]:
        """TypeScript name -> what declares it (for collision checks across files)."""
        self.prepare()
        return dict(self._names)

    def _check_names(self) -> None:
        names: dict[str, str] = {}

        def claim(name: str, owner: str) -> None:
            if name in names and names[name] != owner:
                raise NameCollision(f"TypeScript name `{name}` is claimed by both {names[name]} and {owner}")
            names[name] = owner

        for alias in SCALAR_ALIASES:
            claim(alias, "the scalar aliases")
        for helper in HELPERS:
            claim(helper, "the helpers")
        for cls in self.enums:
            owner = f"enum {cls.__module__}.{cls.__qualname__}"
            claim(cls.__name__, owner)
            claim(f"{constant_case(cls.__name__)}_VALUES", owner)
        for cls, entry in self.structs.items():
            owner = f"{cls.__module__}.{cls.__qualname__}"
            for direction in sorted(entry.directions):
                claim(self.struct_name(cls, direction), owner)
        for members, alias in self.union_aliases.items():
            if all(m in self.structs for m in members):
                for direction in (RESPONSE, REQUEST):
                    if all(direction in self.structs[m].directions for m in members):
                        split = any(self.structs[m].split for m in members) and direction == REQUEST
                        claim(alias + (INPUT_SUFFIX if split else ""), f"union alias {alias}")
        self._names = names

    # Rendering types ----------------------------------------------------------------------

    def ts_type(self, t: mi.Type, direction: Direction) -> str:
        kind = type(t)
        scalar = _SCALARS.get(kind)
        if scalar is not None:
            return scalar
        key = (id(t), direction)
        known = self._ts_memo.get(key)
        if known is None:
            known = self._ts_memo[key] = self._ts_type(t, kind, direction)
        return known

    def _ts_type(self, t: Any, kind: type, direction: Direction) -> str:
        if kind is mi.Metadata:
            return self.ts_type(_unwrap(t), direction)
        if kind is mi.EnumType:
            return str(t.cls.__name__)
        if kind in _STRUCT_KINDS:
            return self.struct_name(t.cls, direction)
        if kind is mi.UnionType:
            return self._union(t, direction)
        if kind in _SEQUENCE_KINDS:
            item = self.ts_type(t.item_type, direction)
            return f"({item})[]" if " " in item else f"{item}[]"
        if kind is mi.LiteralType:
            return " | ".join(json_literal(v) for v in t.values)
        if kind is mi.TupleType:
            return "[" + ", ".join(self.ts_type(m, direction) for m in t.item_types) + "]"
        if kind is mi.NamedTupleType:
            return "[" + ", ".join(self.ts_type(f.type, direction) for f in t.fields) + "]"
        if kind in _DICT_KINDS:
            key = _unwrap(t.key_type)
            value = self.ts_type(t.value_type, direction)
            if type(key) in (mi.EnumType, mi.LiteralType):
                return f"Partial<Record<{self.ts_type(key, direction)}, {value}>>"
            if type(key) in (mi.IntType, mi.FloatType):
                return f"Record<number, {value}>"
            return f"Record<string, {value}>"
        raise UnsupportedType(f"no TypeScript equivalent for {t!r}")

    def _union(self, t: mi.UnionType, direction: Direction) -> str:
        members = [_unwrap(m) for m in t.types]
        structs = [m for m in members if isinstance(m, mi.StructType) and m.tag is not None]
        rest = [m for m in members if m not in structs]
        parts: list[str] = []
        if structs:
            classes = frozenset(m.cls for m in structs)
            alias = self.union_aliases.get(classes)
            if alias is not None:
                split = direction == REQUEST and any(self.structs[c].split for c in classes)
                name = alias + (INPUT_SUFFIX if split else "")
                self.unions_used[name] = classes
                self._union_members[name] = [self.struct_name(m.cls, direction) for m in structs]
                parts.append(name)
            else:
                parts.extend(self.struct_name(m.cls, direction) for m in structs)
        non_null = [m for m in rest if not isinstance(m, mi.NoneType)]
        parts.extend(self.ts_type(m, direction) for m in non_null)
        if len(non_null) != len(rest):
            parts.append("null")
        return " | ".join(parts)

    def field_shapes(self, entry: StructInfo, direction: Direction) -> list[FieldShape]:
        shapes: list[FieldShape] = []
        info = entry.info
        tag_field = getattr(info, "tag_field", None)
        if tag_field is not None:
            shapes.append(
                FieldShape(
                    tag_field,
                    False,
                    json_literal(getattr(info, "tag", None)),
                    ["Discriminator of the union this type belongs to."],
                )
            )
        for f, (key, doc) in zip(info.fields, self._field_meta(entry), strict=True):
            shapes.append(FieldShape(key, self._optional(entry, f, direction), self.ts_type(f.type, direction), doc))
        return shapes

    def _field_meta(self, entry: StructInfo) -> list[tuple[str, list[str]]]:
        """Each field's wire key and TSDoc lines: the same in both directions, made once."""
        known = self._meta_memo.get(entry.cls)
        if known is not None:
            return known
        docs = field_docs(entry.cls)
        meta: list[tuple[str, list[str]]] = []
        for f in entry.info.fields:
            doc: list[str] = []
            text = docs.get(f.name) or _meta_description(f.type)
            if text:
                doc.extend(text.splitlines())
            default = _default_of(f)
            if default is not None:
                doc.extend(([""] if doc else []) + [f"@defaultValue {default}"])
            name = getattr(f, "encode_name", f.name)
            meta.append((name if _IDENTIFIER.match(name) else json_literal(name), doc))
        self._meta_memo[entry.cls] = meta
        return meta

    # Rendering the file -------------------------------------------------------------------

    def render_enum(self, cls: type[enum.Enum]) -> list[str]:
        name = cls.__name__
        out = tsdoc((class_doc(cls) or "").splitlines())
        out.append(f"export const {name} = {{")
        for member in cls:
            out.append(f"  {member.name}: {json_literal(member.value)},")
        out.append("} as const;")
        out.append(f"export type {name} = (typeof {name})[keyof typeof {name}];")
        out.extend(tsdoc([f"Every value of {{@link {name}}}, in declaration order."]))
        values = ", ".join(f"{name}.{member.name}" for member in cls)
        out.append(f"export const {constant_case(name)}_VALUES = [{values}] as const;")
        labels = self.labels.get(cls)
        if labels is not None:
            out.extend(tsdoc([f"Each value of {{@link {name}}} as people read it."]))
            out.append(f"export const {constant_case(name)}_LABELS: Readonly<Record<{name}, string>> = {{")
            for member in cls:
                out.append(f"  [{name}.{member.name}]: {json_literal(labels[member])},")
            out.append("};")
        return out

    def render_interface(self, entry: StructInfo, direction: Direction) -> list[str]:
        out = tsdoc((class_doc(entry.cls) or "").splitlines())
        shapes = self.field_shapes(entry, direction)
        name = self.struct_name(entry.cls, direction)
        if not shapes:
            out.append(f"export interface {name} {{}}")
            return out
        out.append(f"export interface {name} {{")
        for shape in shapes:
            out.extend(tsdoc(shape.doc, "  "))
            out.append(f"  {shape.name}{'?' if shape.optional else ''}: {shape.type};")
        out.append("}")
        return out

    def render(self, header: list[str]) -> str:
        """The whole types file. The cyclic garbage collector is paused meanwhile: rendering
        allocates many short-lived objects and no cycles, and its passes cost a sixth of the time."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._render(header)
        finally:
            if collecting:
                gc.enable()

    def _render(self, header: list[str]) -> str:
        self.prepare()
        self.unions_used = {}
        self._union_members = {}
        self._ts_memo = {}
        sections: dict[str, list[list[str]]] = {"shared": [], "response": [], "request": []}
        for cls in sorted(self.structs, key=lambda c: c.__name__):
            entry = self.structs[cls]
            if len(entry.directions) == 2 and not entry.split:
                sections["shared"].append(self.render_interface(entry, RESPONSE))
            else:
                for direction in (RESPONSE, REQUEST):
                    if direction in entry.directions:
                        sections[direction].append(self.render_interface(entry, direction))
        out = [*header, ""]
        out.append("// Scalars ------------------------------------------------------------------")
        for alias, (base, doc) in SCALAR_ALIASES.items():
            out.extend(["", *tsdoc([doc]), f"export type {alias} = {base};"])
        out.extend(
            ["", *tsdoc(["Exhaustiveness check for a `switch` over a union: fails to compile when a case is missing."])]
        )
        out.append("export function assertNever(value: never): never {")
        out.append("  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);")
        out.append("}")
        out.extend(["", "// Enums --------------------------------------------------------------------"])
        for cls in self._enum_order():
            out.extend(["", *self.render_enum(cls)])
        titles = {
            "shared": "// Types sent both ways (same shape) ---------------------------------------",
            "response": "// Types the server sends --------------------------------------------------",
            "request": "// Types the client sends --------------------------------------------------",
        }
        for key in ("shared", "response", "request"):
            if sections[key]:
                out.extend(["", titles[key]])
                for block in sections[key]:
                    out.extend(["", *block])
        for tp, direction in self.roots:  # a union given as a root (a stream's event data) is declared too
            if isinstance(self.info(tp), mi.UnionType):
                self.ts_type(self.info(tp), direction)
        if self.unions_used:
            out.extend(["", "// Tagged unions (discriminated on their tag) -------------------------------"])
            for name in sorted(self.unions_used):
                out.extend(["", f"export type {name} = {' | '.join(self._union_members[name])};"])
        return "\n".join(out) + "\n"

    def _enum_order(self) -> list[type[enum.Enum]]:
        # The enums passed explicitly keep their order (the canonical order of server.enums);
        # the others follow by name.
        explicit = [cls for cls in self.extra_enums]
        others = sorted((cls for cls in self.enums if cls not in explicit), key=lambda c: c.__name__)
        return [*dict.fromkeys(explicit), *others]


def _default_of(f: mi.Field) -> str | None:
    if f.default is not msgspec.NODEFAULT:
        value = f.default
    elif f.default_factory is not msgspec.NODEFAULT:
        try:
            value = f.default_factory()
        except Exception:  # a factory with side effects or arguments: nothing to show
            return None
    else:
        return None
    try:
        return json_literal(value)
    except (TypeError, msgspec.EncodeError):
        return None


def union_aliases(modules: Iterable[Any]) -> dict[frozenset[type], str]:
    """Module-level names bound to unions of tagged Structs: frozenset(members) -> name.
    The first module (in the order given) that names a union wins."""
    import typing

    found: dict[frozenset[type], str] = {}
    for module in modules:
        for name, value in sorted(vars(module).items()):
            if name.startswith("_") or typing.get_origin(value) not in (typing.Union, __import__("types").UnionType):
                continue
            args = typing.get_args(value)
            if args and all(
                isinstance(a, type) and issubclass(a, msgspec.Struct) and a.__struct_config__.tag is not None
                for a in args
            ):
                found.setdefault(frozenset(args), name)
    return found


_COMPILED: dict[str, Any] = {}


def resolve_annotations(roots: Iterable[Any]) -> None:
    """Evaluate the string annotations (`from __future__ import annotations`) of every Struct
    reachable from `roots`, compiling each distinct annotation text once.

    msgspec evaluates them itself, but compiles every one anew; in a large schema the same few
    texts (`str | None`, `list[Uuid]`, ...) repeat thousands of times. What is stored is exactly
    what msgspec would compute; an annotation that does not evaluate here is left for msgspec.
    """
    import typing

    pending = list(roots)
    seen: set[int] = set()
    while pending:
        tp = pending.pop()
        if id(tp) in seen:
            continue
        seen.add(id(tp))
        pending.extend(typing.get_args(tp))
        if not (isinstance(tp, type) and issubclass(tp, msgspec.Struct)):
            continue
        for klass in tp.__mro__:
            annotations = klass.__dict__.get("__annotations__")
            if not annotations or klass is msgspec.Struct:
                continue
            module = sys.modules.get(klass.__module__)
            namespace = vars(module) if module is not None else {}
            for name, value in annotations.items():
                if isinstance(value, str):
                    code = _COMPILED.get(value)
                    if code is None:
                        code = _COMPILED[value] = compile(value, "<annotation>", "eval")
                    try:
                        value = eval(code, namespace, {klass.__name__: klass})
                    except Exception:
                        continue
                    annotations[name] = value
                if isinstance(value, type) or typing.get_args(value):
                    pending.append(value)
