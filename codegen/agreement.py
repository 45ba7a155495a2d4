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
from piccolo.table import Table

import server
from codegen.drift import BREAKING, FileDrift

CRITICAL, HIGH, MEDIUM = "critical", "high", "medium"
SEVERITIES = (CRITICAL, HIGH, MEDIUM)
DATABASE = "Database (Piccolo tables)"
API = "API (msgspec Structs)"
TYPESCRIPT = "TypeScript (frontend/src/api)"
TOOL_MODELS = "Tool models (generated Structs)"
LAYERS = (DATABASE, API, TYPESCRIPT, TOOL_MODELS)

INTERNAL_COLUMNS = {
    "*.user_id": "every row's owner; the API knows the user from the request (docs/domain.md)",
    "users.password_hash": "never leaves the server",
    "assistant_turns.running_session_id": "the one-turn-per-session slot (docs/assistant.md); `ended_at` says it",
    "assistant_turns.follow_up": "whether another turn answers messages posted meanwhile; internal to the runner",
    "assistant_turns.heartbeat_at": "how the runner recognises a turn whose process stopped; internal",
    "tool_steps.lease_expires_at": "the running server's hold on a step, for recovery only (docs/security.md)",
    "assets.content_bytes": "the content's size, kept for the per-user storage limit",
    "connections.plain_values": "served as `Connection.values`",
    "connections.secret_values": "ciphertexts; served only as `Connection.secrets` (which are set)",
}
"""Columns that have no API field on purpose."""

DERIVED_FIELDS = {
    "Mission.mission_asset_map": "built from mission_assets rows",
    "Hop.hop_asset_map": "built from hop_assets rows",
    "Chat.message_count": "counted from chat_messages rows",
    "Connection.values": "the plain_values column",
    "Connection.secrets": "whether each field of the secret_values column is set, never its value",
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


def table_classes() -> list[type[Table]]:
    """Every Piccolo table of the server's `tables` modules (found on disk)."""
    root = Path(server.__file__).resolve().parent
    tables: list[type[Table]] = []
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


def compare_table(table: type[Table], struct: type) -> list[Finding]:
    findings: list[Finding] = []
    tablename = table._meta.tablename
    info = mi.type_info(struct)
    assert isinstance(info, mi.StructType)
    fields = {f.name: f for f in info.fields}
    checks: dict[str, tuple[str, list[str]]] = {}
    for constraint in getattr(table._meta, "constraints", []) or []:
        condition = getattr(constraint, "condition", None)
        if condition and (match := _CHECK_IN.match(condition)):
            values = [v.strip().strip("'") for v in match.group(2).split(",")]
            checks[match.group(1)] = (constraint._meta.name, values)
    columns = {column._meta.name: column for column in table._meta.columns}
    for name, column in columns.items():
        if f"*.{name}" in INTERNAL_COLUMNS or f"{tablename}.{name}" in INTERNAL_COLUMNS:
            continue
        f = fields.get(name)
        if f is None:
            findings.append(
                Finding(
                    API,
                    CRITICAL,
                    f"{struct.__name__}.{name}",
                    f"column {tablename}.{name} has no field in Struct {struct.__qualname__}",
                )
            )
            continue
        pair = _ColumnField(subject=f"{tablename}.{name}", label=f"{struct.__name__}.{name}", column=column, field=f)
        findings.extend(pair.findings(checks.get(name)))
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


@dataclass
class _ColumnField:
    """A column and the Struct field of the same name, compared."""

    subject: str
    label: str
    column: Any
    field: Any

    def findings(self, check: tuple[str, list[str]] | None) -> list[Finding]:
        members = _members(self.field.type)
        non_null = [m for m in members if not isinstance(m, mi.NoneType)]
        field_enum = next((m.cls for m in non_null if isinstance(m, mi.EnumType)), None)
        return [
            *self._type_and_null(members, non_null),
            *self._choices(field_enum),
            *self._check(field_enum, check),
            *self._default(field_enum),
        ]

    def _type_and_null(self, members: list[Any], non_null: list[Any]) -> list[Finding]:
        found: list[Finding] = []
        accepts_null = len(non_null) != len(members) or any(isinstance(m, mi.AnyType) for m in members)
        kind = type(self.column).__name__
        allowed = _COLUMN_TYPES.get(kind)
        if allowed is not None and non_null and not all(isinstance(m, allowed) for m in non_null):
            found.append(
                Finding(
                    DATABASE,
                    CRITICAL,
                    self.subject,
                    f"{kind} column, but {self.label} is {' | '.join(type(m).__name__ for m in non_null)}",
                )
            )
        if self.column._meta.null and not accepts_null:
            found.append(
                Finding(DATABASE, CRITICAL, self.subject, f"nullable column, but {self.label} does not accept null")
            )
        elif not self.column._meta.null and accepts_null and not any(isinstance(m, mi.AnyType) for m in members):
            found.append(Finding(DATABASE, MEDIUM, self.subject, f"NOT NULL column, but {self.label} is nullable"))
        return found

    def _choices(self, field_enum: Any) -> list[Finding]:
        choices = self.column._meta.choices
        if choices is not None and field_enum is not None:
            if _values(choices) == _values(field_enum):
                return []
            only_db = [v for v in _values(choices) if v not in _values(field_enum)]
            only_api = [v for v in _values(field_enum) if v not in _values(choices)]
            return [
                Finding(
                    DATABASE,
                    CRITICAL,
                    self.subject,
                    f"choices {choices.__name__} differ from {self.label} ({field_enum.__name__})"
                    f": only in the database {only_db or '[]'}, only in the API {only_api or '[]'}"
                    + ("" if only_db or only_api else ", order differs"),
                )
            ]
        if choices is not None:
            reason = f"column has choices {choices.__name__}, but {self.label} is not an enum"
            return [Finding(DATABASE, HIGH, self.subject, reason)]
        if field_enum is not None:
            reason = f"{self.label} is {field_enum.__name__}, but the column has no choices"
            return [Finding(DATABASE, HIGH, self.subject, reason)]
        return []

    def _check(self, field_enum: Any, check: tuple[str, list[str]] | None) -> list[Finding]:
        if field_enum is None:
            return []
        if check is None:
            reason = f"no CHECK constraint: the database accepts values outside {field_enum.__name__}"
            return [Finding(DATABASE, HIGH, self.subject, reason)]
        if sorted(check[1]) == sorted(_values(field_enum)):
            return []
        only_db = [v for v in check[1] if v not in _values(field_enum)]
        only_api = [v for v in _values(field_enum) if v not in check[1]]
        return [
            Finding(
                DATABASE,
                CRITICAL,
                self.subject,
                f"CHECK {check[0]} disagrees with {field_enum.__name__}: only in the database {only_db}, "
                f"only in the API {only_api}",
            )
        ]

    def _default(self, field_enum: Any) -> list[Finding]:
        field_default = _field_default(self.field)
        column_default = _column_default(self.column)
        if (
            field_default is not msgspec.NODEFAULT
            and column_default is not msgspec.NODEFAULT
            and field_default != column_default
        ):
            if self.column._meta.null and column_default is None and field_default is None:
                return []
            return [
                Finding(
                    DATABASE,
                    CRITICAL if field_enum else HIGH,
                    self.subject,
                    f"default {column_default!r} differs from {self.label} default {field_default!r}",
                )
            ]
        if (
            field_default is msgspec.NODEFAULT
            and field_enum is not None
            and self.column._meta.choices is not None
            and column_default not in (msgspec.NODEFAULT, None, "")
        ):
            reason = f"no default, while column {self.subject} defaults to {column_default!r}"
            return [Finding(API, MEDIUM, self.label, reason)]
        return []


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
