"""Docstrings of classes and of their fields (the string literal under a field), read from
the source with `ast`, since Python keeps only the class docstring at run time."""

from __future__ import annotations

import ast
import inspect
import sys
from functools import lru_cache


@lru_cache(maxsize=None)
def _module_tree(filename: str) -> ast.Module | None:
    try:
        with open(filename, encoding="utf-8") as handle:
            return ast.parse(handle.read(), filename=filename)
    except (OSError, SyntaxError):
        return None


@lru_cache(maxsize=None)
def _top_level_classes(filename: str) -> dict[str, ast.ClassDef]:
    tree = _module_tree(filename)
    return {} if tree is None else {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


@lru_cache(maxsize=None)
def _all_classes(filename: str) -> dict[str, ast.ClassDef]:
    """Every class of the module by name (the first of each name), nested ones included."""
    tree = _module_tree(filename)
    found: dict[str, ast.ClassDef] = {}
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                found.setdefault(node.name, node)
    return found


def _class_node(cls: type) -> ast.ClassDef | None:
    module = sys.modules.get(cls.__module__)
    filename = getattr(module, "__file__", None)
    if not filename:
        return None
    parts = cls.__qualname__.split(".")
    node = _top_level_classes(filename).get(parts[0])
    for part in parts[1:]:  # a nested class: follow its qualified name
        if node is None:
            break
        node = next((n for n in node.body if isinstance(n, ast.ClassDef) and n.name == part), None)
    if node is not None:
        return node
    # A class defined inside a function (as tests do): the first class of its name.
    return _all_classes(filename).get(cls.__name__)


@lru_cache(maxsize=None)
def _own_field_docs(cls: type) -> dict[str, str]:
    node = _class_node(cls)
    if node is None:
        return {}
    docs: dict[str, str] = {}
    for stmt, following in zip(node.body, node.body[1:]):
        if (
            isinstance(stmt, (ast.AnnAssign, ast.Assign))
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            targets = [stmt.target] if isinstance(stmt, ast.AnnAssign) else stmt.targets
            for target in targets:
                if isinstance(target, ast.Name):
                    docs[target.id] = inspect.cleandoc(following.value.value)
    return docs


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
