"""The habits the test command holds the code to (docs/architecture.md, "Habits"): no import
cycle, ruff's format and lint, mypy in strict mode, small files and functions. Each check
passes on the project and fails on a copy broken on purpose, so none of them can pass by
checking nothing."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.import_cycles import import_cycles
from tests.project_copy import ROOT, copy_project

BIN = Path(sys.executable).parent
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
GENERATED = {Path("server/tools/models.py")}


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with one module that breaks every rule: an import cycle through an
    import inside a function, an unused import, bad formatting and a type error."""
    project = copy_project(tmp_path_factory.mktemp("broken"))
    (project / "server" / "broken.py").write_text(
        "import os\n"
        "def cycle( ):\n"
        "    import server.enums\n"
        "    return server.enums\n"
        "def answer() -> int:\n"
        '    return "forty-two"\n'
    )
    enums = project / "server" / "enums.py"
    enums.write_text(
        enums.read_text() + "\n\ndef _back() -> object:\n    import server.broken\n\n    return server.broken\n"
    )
    return project


def test_there_is_no_import_cycle():
    assert import_cycles("server", "codegen") == []


def test_an_import_cycle_through_an_import_inside_a_function_is_found(broken: Path):
    result = _run([sys.executable, str(ROOT / "tests" / "import_cycles.py"), "server", "codegen"], broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "server.broken" in result.stdout and "server.enums" in result.stdout


def test_ruff_finds_unformatted_code_and_lint(broken: Path):
    assert _run([str(BIN / "ruff"), "format", "--check", "."], ROOT).returncode == 0
    assert _run([str(BIN / "ruff"), "check", "."], ROOT).returncode == 0
    formatted = _run([str(BIN / "ruff"), "format", "--check", "."], broken)
    assert formatted.returncode == 1 and "server/broken.py" in formatted.stdout
    linted = _run([str(BIN / "ruff"), "check", "."], broken)
    assert linted.returncode == 1 and "F401" in linted.stdout


def test_mypy_finds_a_type_error(broken: Path):
    result = _run(
        [
            str(
                BIN / "mypy",
            ),
            "server/broken.py",
        ],
        broken,
    )
    assert result.returncode == 1, result.stdout
    assert 'Incompatible return value type (got "str", expected "int")' in result.stdout


def _hand_written_python() -> list[Path]:
    paths = [*ROOT.glob("server/**/*.py"), *ROOT.glob("codegen/**/*.py")]
    return sorted(p for p in paths if p.relative_to(ROOT) not in GENERATED)


def test_no_hand_written_file_is_over_600_lines():
    frontend = [
        p for p in ROOT.glob("frontend/src/**/*.ts*") if ".gen." not in p.name and "node_modules" not in p.parts
    ]
    long = {
        str(p.relative_to(ROOT)): n
        for p in [*_hand_written_python(), *frontend]
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    }
    assert long == {}


def test_no_function_outside_tests_is_over_80_lines():
    long = {}
    for path in _hand_written_python():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = length
    assert long == {}
