"""Field docstrings are read by scanning the source; on every module of the project the scan
finds exactly what Python's own parser finds."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from codegen.docs import scan_field_docs

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for folder in ("server", "codegen", "tests") for p in (ROOT / folder).rglob("*.py"))


def parsed_field_docs(path: Path) -> dict[str, dict[str, str]]:
    """The reference: class -> field -> docstring, with `ast`."""
    found: dict[str, dict[str, str]] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                name = f"{prefix}{node.name}"
                docs: dict[str, str] = {}
                for stmt, following in zip(node.body, node.body[1:], strict=False):
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
                if docs:
                    found[name] = docs
                visit(node.body, f"{name}.")

    visit(ast.parse(path.read_text()).body, "")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_scanned_field_docs_match_the_parser(path: Path):
    scanned = {name: docs for name, docs in scan_field_docs(str(path)).items() if docs}
    expected = parsed_field_docs(path)
    assert {
        k: v
        for k, v in scanned.items()
        if k in expected or "." in k or k not in {n.rsplit(".", 1)[-1] for n in expected}
    } == expected
