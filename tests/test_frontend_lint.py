"""Biome's check of the SPA (`npm run lint` in frontend/, part of the test command) passes on
the sources and fails on a copy with a lint error or a formatting slip; generated files are
left alone."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"
BIOME = FRONTEND / "node_modules" / ".bin" / "biome"

pytestmark = pytest.mark.skipif(not BIOME.exists(), reason="npm packages not installed (bash scripts/setup.sh)")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The SPA's sources and Biome's configuration, in a folder of their own."""
    target = tmp_path / "frontend"
    shutil.copytree(FRONTEND / "src", target / "src")
    shutil.copytree(FRONTEND / "tests", target / "tests")
    shutil.copy(FRONTEND / "biome.json", target / "biome.json")
    (target / "node_modules").symlink_to(FRONTEND / "node_modules")
    return target


def check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIOME), "check", "src", "tests"], cwd=folder, capture_output=True, text=True)


def test_the_sources_pass(copy: Path):
    result = check(copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_lint_error_fails(copy: Path):
    (copy / "src" / "ui" / "compare.ts").write_text(
        "export function same(a: unknown, b: unknown): boolean {\n  return a == b;\n}\n", encoding="utf-8"
    )
    result = check(copy)
    assert result.returncode != 0
    assert "lint/suspicious/noDoubleEquals" in result.stdout + result.stderr


def test_a_formatting_slip_fails(copy: Path):
    path = copy / "src" / "ui" / "format.ts"
    path.write_text(path.read_text(encoding="utf-8").replace("  return", "    return", 1), encoding="utf-8")
    result = check(copy)
    assert result.returncode != 0
    assert "format" in result.stdout + result.stderr


def test_generated_files_are_left_alone(copy: Path):
    (copy / "src" / "api" / "planted.gen.ts").write_text("export const  odd = 1 == 1\n", encoding="utf-8")
    result = check(copy)
    assert result.returncode == 0, result.stdout + result.stderr
