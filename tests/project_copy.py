"""Temporary copies of the project, for tests that break something on purpose and check that
the project's own checks notice (codegen --check, the linters, the type checker)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "data", "dist", "__pycache__", "*.sqlite*", "tests", "*.egg-info"
)


def copy_project(tmp_path: Path) -> Path:
    """A copy of the working tree (sources and generated files, no environment)."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=IGNORED)
    cache = ROOT / "frontend/node_modules/.cache/codegen"
    if cache.is_dir():  # the tool models' cache is keyed by content: an edited copy misses it
        shutil.copytree(cache, copy / "frontend/node_modules/.cache/codegen")
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new))
