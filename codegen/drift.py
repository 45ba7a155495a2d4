"""What differs between a committed generated file and what the generator makes now, told per
enum, interface, field and operation, each change classified for the client:

- breaking: code written against the committed file can fail (a value or field removed, a
  type changed, a field that became optional in what the server sends or required in what the
  client sends, a default changed, an operation removed or moved);
- additive: nothing that worked stops working (a value, field, type or operation added).

Both sides are read with the same parser, so what is compared is what the files say.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

BREAKING = "breaking"
ADDITIVE = "additive"


@dataclass(frozen=True)
class Change:
    kind: str
    """`breaking` or `additive`."""
    subject: str
    """What changed, for example `enum HopStatus` or `interface Mission.goal`."""
    detail: str

    def line(self) -> str:
        return f"{self.kind.upper():<9} {self.subject}: {self.detail}"


@dataclass
class TsField:
    optional: bool
    type: str
    default: str | None


@dataclass
class TsInterface:
    direction: str
    """`response`, `request` or `both`."""
    fields: dict[str, TsField] = field(default_factory=dict)


@dataclass
class TsFunction:
    signature: str
    method: str
    path: str


@dataclass
class TsModel:
    enums: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    interfaces: dict[str, TsInterface] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    functions: dict[str, TsFunction] = field(default_factory=dict)


_SECTIONS = {
    "// Types sent both ways": "both",
    "// Types the server sends": "response",
    "// Types the client sends": "request",
    "// Query parameters": "request",
}
_ENUM_START = re.compile(r"^export const (\w+) = \{$")
_ENUM_MEMBER = re.compile(r"^\s+(\w+): (.+),$")
_INTERFACE = re.compile(r"^export interface (\w+) \{(\})?$")
_FIELD = re.compile(r'^\s+("[^"]*"|[\w$]+)(\?)?: (.+);$')
_ALIAS = re.compile(r"^export type (\w+) = (.+);$")
_FUNCTION = re.compile(r"^export (?:async )?function (\w+)\((.*)\): ([^{]+) \{$")
_REQUEST = re.compile(r'request<.*?>\("(\w+)", `([^`]*)`')
_DEFAULT = re.compile(r"@defaultValue (.+?)(?: \*/)?$")


def parse_typescript(text: str) -> TsModel:
    """Read a generated TypeScript file (types or client) into its semantic model."""
    model = TsModel()
    direction = "both"
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        for prefix, value in _SECTIONS.items():
            if line.startswith(prefix):
                direction = value
        if match := _ENUM_START.match(line):
            members: list[tuple[str, str]] = []
            i += 1
            while i < len(lines) and not lines[i].startswith("}"):
                if member := _ENUM_MEMBER.match(lines[i]):
                    members.append((member.group(1), member.group(2)))
                i += 1
            model.enums[match.group(1)] = members
        elif match := _INTERFACE.match(line):
            interface = TsInterface(direction)
            default: str | None = None
            if not match.group(2):
                i += 1
                while i < len(lines) and lines[i] != "}":
                    if found := _DEFAULT.search(lines[i]):
                        default = found.group(1).strip()
                    elif found := _FIELD.match(lines[i]):
                        interface.fields[found.group(1)] = TsField(bool(found.group(2)), found.group(3), default)
                        default = None
                    i += 1
            model.interfaces[match.group(1)] = interface
        elif match := _ALIAS.match(line):
            model.aliases[match.group(1)] = match.group(2)
        elif match := _FUNCTION.match(line):
            call = _REQUEST.search(lines[i + 1]) if i + 1 < len(lines) else None
            method, path = (call.group(1), call.group(2)) if call else ("", "")
            model.functions[match.group(1)] = TsFunction(f"({match.group(2)}): {match.group(3)}", method, path)
        i += 1
    return model


def _nullable(type_text: str) -> tuple[str, bool]:
    parts = [p.strip() for p in type_text.split(" | ")]
    return " | ".join(p for p in parts if p != "null"), "null" in parts


def _field_changes(subject: str, direction: str, old: TsField, new: TsField) -> list[Change]:
    changes: list[Change] = []
    old_base, old_null = _nullable(old.type)
    new_base, new_null = _nullable(new.type)
    sends = direction in ("response", "both")
    receives = direction in ("request", "both")
    if old_base != new_base:
        changes.append(Change(BREAKING, subject, f"type changed from `{old.type}` to `{new.type}`"))
    elif old_null != new_null:
        if new_null:
            kind = BREAKING if sends else ADDITIVE
            changes.append(Change(kind, subject, f"became nullable (`{old.type}` -> `{new.type}`)"))
        else:
            kind = BREAKING if receives else ADDITIVE
            changes.append(Change(kind, subject, f"no longer nullable (`{old.type}` -> `{new.type}`)"))
    if old.optional != new.optional:
        if new.optional:
            kind = BREAKING if sends else ADDITIVE
            changes.append(Change(kind, subject, "became optional" + (" in what the server sends" if sends else "")))
        else:
            kind = BREAKING if receives else ADDITIVE
            changes.append(Change(kind, subject, "became required" + (" in what the client sends" if receives else "")))
    if old.default != new.default:
        changes.append(
            Change(BREAKING, subject, f"default changed from {old.default or '(none)'} to {new.default or '(none)'}")
        )
    return changes


def diff_models(old: TsModel, new: TsModel) -> list[Change]:
    return [
        *_enum_changes(old, new),
        *_interface_changes(old, new),
        *_alias_changes(old, new),
        *_function_changes(old, new),
    ]


def _enum_changes(old: TsModel, new: TsModel) -> list[Change]:
    changes: list[Change] = []
    for name in sorted(old.enums.keys() | new.enums.keys()):
        subject = f"enum {name}"
        if name not in new.enums:
            changes.append(Change(BREAKING, subject, "removed"))
            continue
        if name not in old.enums:
            changes.append(Change(ADDITIVE, subject, "added with values " + ", ".join(v for _, v in new.enums[name])))
            continue
        old_members, new_members = dict(old.enums[name]), dict(new.enums[name])
        old_by_value = {v: m for m, v in old.enums[name]}
        new_by_value = {v: m for m, v in new.enums[name]}
        for member, value in old.enums[name]:
            if member in new_members and new_members[member] != value:
                changes.append(
                    Change(BREAKING, subject, f"member {member} changed value from {value} to {new_members[member]}")
                )
            elif member not in new_members and value in new_by_value:
                changes.append(
                    Change(BREAKING, subject, f"member {member} renamed to {new_by_value[value]} (value {value})")
                )
            elif member not in new_members:
                changes.append(Change(BREAKING, subject, f"lost value {value} (member {member})"))
        for member, value in new.enums[name]:
            if member not in old_members and value not in old_by_value:
                changes.append(Change(ADDITIVE, subject, f"gained value {value} (member {member})"))
        common = [v for _, v in old.enums[name] if v in new_by_value]
        if common != [v for _, v in new.enums[name] if v in old_by_value]:
            changes.append(Change(ADDITIVE, subject, "order of values changed"))
    return changes


def _interface_changes(old: TsModel, new: TsModel) -> list[Change]:
    changes: list[Change] = []
    for name in sorted(old.interfaces.keys() | new.interfaces.keys()):
        if name not in new.interfaces:
            changes.append(Change(BREAKING, f"interface {name}", "removed"))
            continue
        if name not in old.interfaces:
            changes.append(Change(ADDITIVE, f"interface {name}", "added"))
            continue
        before, after = old.interfaces[name], new.interfaces[name]
        direction = after.direction
        if before.direction != after.direction:
            changes.append(
                Change(ADDITIVE, f"interface {name}", f"now used as {after.direction} (was {before.direction})")
            )
        for key in before.fields:
            subject = f"interface {name}.{key}"
            if key not in after.fields:
                changes.append(Change(BREAKING, subject, "field removed"))
            else:
                changes.extend(_field_changes(subject, direction, before.fields[key], after.fields[key]))
        for key, new_field in after.fields.items():
            if key in before.fields:
                continue
            subject = f"interface {name}.{key}"
            if direction in ("request", "both") and not new_field.optional:
                changes.append(
                    Change(BREAKING, subject, f"required field added (`{new_field.type}`) in what the client sends")
                )
            else:
                changes.append(Change(ADDITIVE, subject, f"field added (`{new_field.type}`)"))
    return changes


def _alias_changes(old: TsModel, new: TsModel) -> list[Change]:
    changes: list[Change] = []
    for name in sorted(old.aliases.keys() | new.aliases.keys()):
        subject = f"type {name}"
        if name not in new.aliases:
            changes.append(Change(BREAKING, subject, "removed"))
        elif name not in old.aliases:
            changes.append(Change(ADDITIVE, subject, f"added: `{new.aliases[name]}`"))
        elif old.aliases[name] != new.aliases[name]:
            old_parts = set(old.aliases[name].split(" | "))
            new_parts = set(new.aliases[name].split(" | "))
            kind = ADDITIVE if old_parts < new_parts else BREAKING
            changes.append(Change(kind, subject, f"changed from `{old.aliases[name]}` to `{new.aliases[name]}`"))
    return changes


def _function_changes(old: TsModel, new: TsModel) -> list[Change]:
    changes: list[Change] = []
    for name in sorted(old.functions.keys() | new.functions.keys()):
        subject = f"operation {name}"
        if name not in new.functions:
            changes.append(
                Change(BREAKING, subject, f"removed ({old.functions[name].method} {old.functions[name].path})")
            )
        elif name not in old.functions:
            changes.append(
                Change(ADDITIVE, subject, f"added ({new.functions[name].method} {new.functions[name].path})")
            )
        else:
            before_fn, after_fn = old.functions[name], new.functions[name]
            if (before_fn.method, before_fn.path) != (after_fn.method, after_fn.path):
                changes.append(
                    Change(
                        BREAKING,
                        subject,
                        f"moved from {before_fn.method} {before_fn.path} to {after_fn.method} {after_fn.path}",
                    )
                )
            if before_fn.signature != after_fn.signature:
                changes.append(
                    Change(
                        BREAKING, subject, f"signature changed from `{before_fn.signature}` to `{after_fn.signature}`"
                    )
                )
    return changes


def _python_model(text: str) -> dict[str, dict[str, tuple[str, str | None]]]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    classes: dict[str, dict[str, tuple[str, str | None]]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            fields: dict[str, tuple[str, str | None]] = {}
            for stmt in node.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    default = ast.unparse(stmt.value) if stmt.value is not None else None
                    fields[stmt.target.id] = (ast.unparse(stmt.annotation), default)
            classes[node.name] = fields
    return classes


def _field_text(field_: tuple[str, str | None]) -> str:
    annotation, default = field_
    return annotation if default is None else f"{annotation} = {default}"


def diff_python(old_text: str, new_text: str) -> list[Change]:
    """Classes and fields of a generated Python module (the tool models)."""
    old, new = _python_model(old_text), _python_model(new_text)
    changes: list[Change] = []
    try:
        ast.parse(old_text)
    except SyntaxError as exc:
        return [Change(BREAKING, "module", f"the committed file does not parse (line {exc.lineno}: {exc.msg})")]
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            changes.append(Change(BREAKING, f"class {name}", "removed"))
        elif name not in old:
            changes.append(Change(ADDITIVE, f"class {name}", "added"))
        else:
            for key in old[name]:
                if key not in new[name]:
                    changes.append(Change(BREAKING, f"class {name}.{key}", "field removed"))
                elif old[name][key] != new[name][key]:
                    changes.append(
                        Change(
                            BREAKING,
                            f"class {name}.{key}",
                            f"changed from `{_field_text(old[name][key])}` to `{_field_text(new[name][key])}`",
                        )
                    )
            for key in new[name]:
                if key not in old[name]:
                    required = new[name][key][1] is None
                    kind = BREAKING if required else ADDITIVE
                    what = "required field added" if required else "field added"
                    changes.append(Change(kind, f"class {name}.{key}", f"{what}: `{_field_text(new[name][key])}`"))
    return changes


@dataclass
class FileDrift:
    path: Path
    changes: list[Change]
    excerpt: list[str]
    """A few lines of textual diff, for what the semantic model does not cover (docs, formatting, hand edits)."""
    missing: bool = False


def diff_transitions(committed: str, generated: str) -> list[Change]:
    """Per transition: added, removed, or a field changed (the SPA's actions follow the table,
    so a removed transition or changed statuses can break a screen)."""
    from codegen.state_machine import read_table

    before, after = read_table(committed), read_table(generated)
    if before is None or after is None:
        return [Change(BREAKING, "transition table", "not readable in the committed file")]
    changes: list[Change] = []
    for name in before.keys() - after.keys():
        changes.append(Change(BREAKING, f"transition {name}", "removed"))
    for name in after.keys() - before.keys():
        changes.append(Change(ADDITIVE, f"transition {name}", "added"))
    for name in before.keys() & after.keys():
        for key in sorted(before[name].keys() | after[name].keys()):
            old, new = before[name].get(key), after[name].get(key)
            if old != new:
                kind = ADDITIVE if key in ("summary", "condition", "number") else BREAKING
                changes.append(Change(kind, f"transition {name}.{key}", f"changed from {old!r} to {new!r}"))
    return sorted(changes, key=lambda c: c.subject)


def file_drift(path: Path, committed: str | None, generated: str, excerpt_lines: int = 12) -> FileDrift | None:
    """None when the committed text is exactly what the generator makes."""
    if committed == generated:
        return None
    if committed is None:
        return FileDrift(path, [Change(BREAKING, str(path), "missing: run `python -m codegen`")], [], missing=True)
    if path.suffix == ".py":
        changes = diff_python(committed, generated)
    elif path.suffix == ".md":
        changes = []
    elif path.name == "transitions.gen.ts":
        changes = diff_transitions(committed, generated)
    else:
        changes = diff_models(parse_typescript(committed), parse_typescript(generated))
    diff = list(
        difflib.unified_diff(committed.splitlines(), generated.splitlines(), "committed", "generated", n=0, lineterm="")
    )
    excerpt = [line for line in diff[2:] if not line.startswith("@@")][:excerpt_lines]
    return FileDrift(path, changes, excerpt)
