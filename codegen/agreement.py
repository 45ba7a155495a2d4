"""The cross-layer agreement report: every Piccolo column against the field of the Struct of
the same name (enum choices and CHECK constraint, default, nullability, type, presence), and
every Struct against its committed TypeScript (the drift of `types.gen.ts`).

The Structs are the single definition, so a disagreement between a column and its Struct
field is reported in the database layer, and a column the Struct lacks in the API layer.
"""

from __future__ import annotations

import enum
import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from msgspec import inspect as mi

from codegen.drift import BREAKING, FileDrift

CRITICAL, HIGH, MEDIUM = "critical", "high", "medium"
SEVERITIES = (CRITICAL, HIGH, MEDIUM)
DATABASE = "Database (Piccolo tables)"
API = "API (msgspec Structs)"
TYPESCRIPT = "TypeScript (frontend/src/api)"
TOOL_MODELS = "Tool models (generated Structs)"
LAYERS = (DATABASE, API, TYPESCRIPT, TOOL_MODELS)

INTERNAL_COLUMNS = {
    "*.user_id": "every row's owner; the API knows the user from the request (SPEC section 3)",
    "users.password_hash": "never leaves the server",
}
"""Columns that have no API field on purpose."""

DERIVED_FIELDS = {
    "Mission.mission_asset_map": "built from mission_assets rows",
    "Hop.hop_asset_map": "built from hop_assets rows",
}
"""Struct fields that are not columns on purpose (besides embedded Structs, which never are)."""


@dataclass(frozen=True)
class Finding:
    layer: str
    severity: str
    subject: str
    detail: str

    def line(self) -> str:
        return f"{self.severity.upper():<9} {self.subject}: {self.detail}"


def _unwrap(t: mi.Type) -> mi.Type:
    while isinstance(t, mi.Metadata):
        t = t.type
    return t


def _members(t: mi.Type) -> list[mi.Type]:
    t = _unwrap(t)
    return [_unwrap(m) for m in t.types] if isinstance(t, mi.UnionType) else [t]


def _is_embedded(t: mi.Type) -> bool:
    for member in _members(t):
        if isinstance(member, mi.StructType):
            return True
        if isinstance(member, mi.ListType) and isinstance(_unwrap(member.item_type), mi.StructType):
            return True
    return False


_COLUMN_TYPES: dict[str, tuple[type, ...]] = {
    "UUID": (mi.UUIDType,),
    "ForeignKey": (mi.UUIDType,),
    "Varchar": (mi.StrType, mi.EnumType, mi.LiteralType),
    "Text": (mi.StrType, mi.EnumType, mi.LiteralType),
    "Email": (mi.StrType,),
    "Integer": (mi.IntType,),
    "BigInt": (mi.IntType,),
    "SmallInt": (mi.IntType,),
    "Serial": (mi.IntType,),
    "Real": (mi.FloatType,),
    "DoublePrecision": (mi.FloatType,),
    "Numeric": (mi.DecimalType, mi.FloatType),
    "Boolean": (mi.BoolType,),
    "Timestamptz": (mi.DateTimeType,),
    "Timestamp": (mi.DateTimeType,),
    "Date": (mi.DateType,),
}
_CHECK_IN = re.compile(r"^\s*(\w+)\s+IN\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)


def table_classes() -> list[type]:
    """Every Piccolo table of the server's `tables` modules (found on disk)."""
    from piccolo.table import Table

    import server

    root = Path(server.__file__).resolve().parent
    tables: list[type] = []
    for path in sorted(root.rglob("tables.py")):
        module = importlib.import_module("server." + ".".join(path.relative_to(root).with_suffix("").parts))
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Table)
                and value is not Table
                and value.__module__ == module.__name__
            ):
                tables.append(value)
    return tables


def _struct_for(table: type, modules: list[Any]) -> type | None:
    candidates = [
        value
        for module in modules
        for name, value in vars(module).items()
        if name == table.__name__
        and isinstance(value, type)
        and issubclass(value, msgspec.Struct)
        and value.__module__ == module.__name__
    ]
    if not candidates:
        return None
    domain = table.__module__.rsplit(".", 1)[0]
    candidates.sort(key=lambda cls: (not cls.__module__.startswith(domain + "."), cls.__module__))
    return candidates[0]


def _values(enum_cls: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_cls]


def _default_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _column_default(column: Any) -> Any:
    default = column._meta.params.get("default", None)
    if callable(default) or type(default).__module__.startswith("piccolo."):
        return msgspec.NODEFAULT  # computed at insert time (uuid4, now): nothing to compare
    if type(column).__name__ in ("JSON", "JSONB") and isinstance(default, str):
        try:
            return json.loads(default)
        except ValueError:
            return default
    return _default_value(default)


def _field_default(f: mi.Field) -> Any:
    if f.default is not msgspec.NODEFAULT:
        return _default_value(f.default)
    if f.default_factory is not msgspec.NODEFAULT:
        return f.default_factory()
    return msgspec.NODEFAULT


def compare_table(table: type, struct: type) -> list[Finding]:
    findings: list[Finding] = []
    tablename = table._meta.tablename
    info = mi.type_info(struct)
    fields = {f.name: f for f in info.fields}
    checks = {}
    for constraint in getattr(table._meta, "constraints", []) or []:
        condition = getattr(constraint, "condition", None)
        if condition and (match := _CHECK_IN.match(condition)):
            values = [v.strip().strip("'") for v in match.group(2).split(",")]
            checks[match.group(1)] = (constraint._meta.name, values)
    columns = {column._meta.name: column for column in table._meta.columns}
    for name, column in columns.items():
        subject = f"{tablename}.{name}"
        if f"*.{name}" in INTERNAL_COLUMNS or f"{tablename}.{name}" in INTERNAL_COLUMNS:
            continue
        f = fields.get(name)
        if f is None:
            findings.append(
                Finding(
                    API,
                    CRITICAL,
                    f"{struct.__name__}.{name}",
                    f"column {subject} has no field in Struct {struct.__qualname__}",
                )
            )
            continue
        field_label = f"{struct.__name__}.{name}"
        members = _members(f.type)
        non_null = [m for m in members if not isinstance(m, mi.NoneType)]
        accepts_null = len(non_null) != len(members) or any(isinstance(m, mi.AnyType) for m in members)
        kind = type(column).__name__
        allowed = _COLUMN_TYPES.get(kind)
        if allowed is not None and non_null and not all(isinstance(m, allowed) for m in non_null):
            findings.append(
                Finding(
                    DATABASE,
                    CRITICAL,
                    subject,
                    f"{kind} column, but {field_label} is {' | '.join(type(m).__name__ for m in non_null)}",
                )
            )
        if column._meta.null and not accepts_null:
            findings.append(
                Finding(DATABASE, CRITICAL, subject, f"nullable column, but {field_label} does not accept null")
            )
        elif not column._meta.null and accepts_null and not any(isinstance(m, mi.AnyType) for m in members):
            findings.append(Finding(DATABASE, MEDIUM, subject, f"NOT NULL column, but {field_label} is nullable"))
        field_enum = next((m.cls for m in non_null if isinstance(m, mi.EnumType)), None)
        choices = column._meta.choices
        if choices is not None and field_enum is not None:
            if _values(choices) != _values(field_enum):
                only_db = [v for v in _values(choices) if v not in _values(field_enum)]
                only_api = [v for v in _values(field_enum) if v not in _values(choices)]
                findings.append(
                    Finding(
                        DATABASE,
                        CRITICAL,
                        subject,
                        f"choices {choices.__name__} differ from {field_label} ({field_enum.__name__})"
                        f": only in the database {only_db or '[]'}, only in the API {only_api or '[]'}"
                        + ("" if only_db or only_api else ", order differs"),
                    )
                )
        elif choices is not None:
            findings.append(
                Finding(
                    DATABASE, HIGH, subject, f"column has choices {choices.__name__}, but {field_label} is not an enum"
                )
            )
        elif field_enum is not None:
            findings.append(
                Finding(
                    DATABASE, HIGH, subject, f"{field_label} is {field_enum.__name__}, but the column has no choices"
                )
            )
        if field_enum is not None:
            check = checks.get(name)
            if check is None:
                findings.append(
                    Finding(
                        DATABASE,
                        HIGH,
                        subject,
                        f"no CHECK constraint: the database accepts values outside {field_enum.__name__}",
                    )
                )
            elif sorted(check[1]) != sorted(_values(field_enum)):
                only_db = [v for v in check[1] if v not in _values(field_enum)]
                only_api = [v for v in _values(field_enum) if v not in check[1]]
                findings.append(
                    Finding(
                        DATABASE,
                        CRITICAL,
                        subject,
                        f"CHECK {check[0]} disagrees with {field_enum.__name__}: only in the database {only_db}, "
                        f"only in the API {only_api}",
                    )
                )
        field_default = _field_default(f)
        column_default = _column_default(column)
        if (
            field_default is not msgspec.NODEFAULT
            and column_default is not msgspec.NODEFAULT
            and field_default != column_default
        ):
            if not (column._meta.null and column_default is None and field_default is None):
                findings.append(
                    Finding(
                        DATABASE,
                        CRITICAL if field_enum else HIGH,
                        subject,
                        f"default {column_default!r} differs from {field_label} default {field_default!r}",
                    )
                )
        elif (
            field_default is msgspec.NODEFAULT
            and field_enum is not None
            and choices is not None
            and column_default not in (msgspec.NODEFAULT, None, "")
        ):
            findings.append(
                Finding(API, MEDIUM, field_label, f"no default, while column {subject} defaults to {column_default!r}")
            )
    for name, f in fields.items():
        if name in columns or f"{struct.__name__}.{name}" in DERIVED_FIELDS or _is_embedded(f.type):
            continue
        findings.append(
            Finding(
                DATABASE,
                CRITICAL,
                f"{tablename}.{name}",
                f"{struct.__name__}.{name} has no column in table {tablename}",
            )
        )
    return findings


def database_findings(modules: list[Any]) -> list[Finding]:
    findings: list[Finding] = []
    for table in table_classes():
        struct = _struct_for(table, modules)
        if struct is not None:
            findings.extend(compare_table(table, struct))
    return findings


def drift_findings(drifts: list[FileDrift]) -> list[Finding]:
    findings: list[Finding] = []
    for drift in drifts:
        layer = TOOL_MODELS if drift.path.suffix == ".py" else TYPESCRIPT
        for change in drift.changes:
            severity = CRITICAL if change.kind == BREAKING else MEDIUM
            findings.append(Finding(layer, severity, change.subject, f"{change.detail} ({change.kind}; {drift.path})"))
        if not drift.changes:
            findings.append(
                Finding(
                    layer, MEDIUM, str(drift.path), "edited outside the generator (text differs, declarations agree)"
                )
            )
    return findings


def format_report(findings: list[Finding]) -> list[str]:
    if not findings:
        return ["Cross-layer agreement: no findings (database, API, TypeScript agree)."]
    counts = ", ".join(
        f"{sum(f.severity == s for f in findings)} {s}" for s in SEVERITIES if any(f.severity == s for f in findings)
    )
    out = [f"Cross-layer agreement: {len(findings)} finding{'s' if len(findings) != 1 else ''} ({counts})"]
    for layer in LAYERS:
        layer_findings = [f for f in findings if f.layer == layer]
        if not layer_findings:
            continue
        out.append(f"  {layer}")
        for severity in SEVERITIES:
            for finding in sorted((f for f in layer_findings if f.severity == severity), key=lambda f: f.subject):
                out.append(f"    {finding.line()}")
    return out
