"""Docstrings of classes and of their fields (the string literal under a field), read from
the source, since Python keeps only the class docstring at run time.

The source is scanned line by line rather than parsed with `ast`: parsing a large schema
module costs more than generating its TypeScript, and field docstrings only need the
indentation structure (class lines, statements at the class body's indentation, the string
statement that follows a field). Strings and brackets spanning lines are skipped as units.
"""

from __future__ import annotations

import inspect
import re
import sys
from functools import cache
from typing import Any

_CLASS = re.compile(r"^(\s*)class\s+(\w+)\b")
_FIELD = re.compile(r"^(\w+)\s*(?::(?!=)|=(?!=))")
_STRING_START = re.compile(r"^[rRuUbBfF]{0,2}(\"\"\"|'''|\"|')")
_TOKEN = re.compile(r"\"\"\"|'''|[\"'#()\[\]{}]")
_SINGLE = {'"': re.compile(r'"(?:\\.|[^"\\])*"'), "'": re.compile(r"'(?:\\.|[^'\\])*'")}


def _scan_line(line: str, quote: str | None) -> tuple[int, str | None]:
    """(bracket depth change, the triple quote still open at the end of the line)."""
    depth = 0
    position = 0
    while True:
        if quote is not None:
            close = line.find(quote, position)
            if close < 0:
                return depth, quote
            position = close + 3
            quote = None
        token = _TOKEN.search(line, position)
        if token is None:
            return depth, None
        mark = token.group()
        if mark == "#":
            return depth, None
        if len(mark) == 3:
            quote = mark
            position = token.end()
        elif mark in _SINGLE:
            string = _SINGLE[mark].match(line, token.start())
            position = string.end() if string else len(line)
        else:
            depth += 1 if mark in "([{" else -1
            position = token.end()


def _statement_end(lines: list[str], start: int) -> int:
    """Index of the last line of the statement starting at `start` (brackets, backslashes and
    triple-quoted strings may carry it over several lines)."""
    line = lines[start]
    if _TOKEN.search(line) is None and not line.endswith("\\"):
        return start  # the common case: a one-line statement with no string or bracket
    depth = 0
    quote: str | None = None
    for index in range(start, len(lines)):
        change, quote = _scan_line(lines[index], quote)
        depth += change
        if quote is None and depth <= 0 and not lines[index].rstrip().endswith("\\"):
            return index
    return len(lines) - 1


def _string_value(lines: list[str], start: int, end: int) -> str | None:
    text = "\n".join(lines[start : end + 1]).strip()
    match = _STRING_START.match(text)
    if match is None:
        return None
    quote = match.group(1)
    body = text[match.end() :]
    if not body.endswith(quote):
        return None
    body = body[: -len(quote)]
    if len(quote) == 1 and (quote in body or "\n" in body):
        return None  # an expression that merely starts with a string
    try:
        return (
            inspect.cleandoc(body.encode("latin-1", "backslashreplace").decode("unicode_escape"))
            if "\\" in body
            else inspect.cleandoc(body)
        )
    except UnicodeDecodeError:
        return inspect.cleandoc(body)


@cache
def scan_field_docs(filename: str) -> dict[str, dict[str, str]]:
    """Class name -> field name -> docstring, for every class of a source file (for nested
    classes the key is the dotted path; the first class of a name also answers to its name)."""
    try:
        with open(filename, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return {}
    found: dict[str, dict[str, str]] = {}
    stack: list[list[Any]] = []  # [indent, dotted name, body indent or None]
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        indent = len(line) - len(line.lstrip())
        while stack and indent <= stack[-1][0]:
            stack.pop()
        end = _statement_end(lines, index)
        match = _CLASS.match(line)
        if match:
            name = f"{stack[-1][1]}.{match.group(2)}" if stack else match.group(2)
            stack.append([indent, name, None])
            found.setdefault(name, {})
            found.setdefault(match.group(2), found[name])
        elif stack and (stack[-1][2] is None or stack[-1][2] == indent):
            frame = stack[-1]
            frame[2] = indent
            field = _FIELD.match(stripped)
            following = end + 1
            while following < len(lines) and (
                not lines[following].strip() or lines[following].lstrip().startswith("#")
            ):
                # Blank lines and comments do not separate a field from its docstring.
                following += 1
            if (
                field
                and following < len(lines)
                and _STRING_START.match(lines[following].lstrip())
                and len(lines[following]) - len(lines[following].lstrip()) == indent
            ):
                doc_end = _statement_end(lines, following)
                doc = _string_value(lines, following, doc_end)
                if doc is not None:
                    found[frame[1]][field.group(1)] = doc
                    index = doc_end + 1
                    continue
        index = end + 1
    return found


def _own_field_docs(cls: type) -> dict[str, str]:
    module = sys.modules.get(cls.__module__)
    filename = getattr(module, "__file__", None)
    if not filename:
        return {}
    docs = scan_field_docs(filename)
    qualname = cls.__qualname__
    if "<locals>" in qualname:
        qualname = cls.__name__
    return docs.get(qualname) or docs.get(cls.__name__) or {}


def field_docs(cls: type) -> dict[str, str]:
    """Field name -> docstring, inherited docs included (the nearest class wins)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__ in ("builtins", "msgspec", "enum") or klass.__module__.startswith("msgspec."):
            continue
        docs.update(_own_field_docs(klass))
    return docs


def class_doc(cls: type) -> str | None:
    """The class's own docstring (not one inherited from a base)."""
    doc = cls.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None
