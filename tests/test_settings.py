"""Settings: one object read from the environment, every variable documented in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from server.settings import SettingsError, documented, load_settings

ROOT = Path(__file__).resolve().parent.parent


def _readme_settings() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Settings", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)`", section, re.M)) | set(
        re.findall(r"^\| `[A-Z][A-Z0-9_]*` / `([A-Z][A-Z0-9_]*)`", section, re.M)
    )


def test_the_readme_lists_every_setting_and_nothing_else():
    names = {setting.env for setting in documented()}
    assert _readme_settings() == names


def test_only_the_settings_module_reads_the_environment():
    readers = []
    for path in [*ROOT.glob("server/**/*.py"), *ROOT.glob("codegen/**/*.py")]:
        if path == ROOT / "server" / "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv"):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []


def test_every_setting_has_a_default_and_a_meaning():
    for setting in documented():
        assert setting.doc, setting.env
    defaults = load_settings({})
    assert defaults.execution.step_timeout_seconds == 60.0
    assert defaults.database.url is None and not defaults.database.is_postgres


def test_values_are_parsed_by_their_type():
    settings = load_settings(
        {"STUB_UNCONFIGURED_TOOLS": "1", "STEP_TIMEOUT_SECONDS": "0.5", "PORT": "9000", "DATABASE_URL": ""}
    )
    assert settings.execution.stub_unconfigured_tools is True
    assert settings.execution.step_timeout_seconds == 0.5
    assert settings.server.port == 9000
    assert settings.database.url is None


@pytest.mark.parametrize(("name", "value"), [("PORT", "eighty"), ("COOKIE_SECURE", "maybe"), ("SESSION_DAYS", "1.5")])
def test_a_value_that_cannot_be_used_names_its_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
