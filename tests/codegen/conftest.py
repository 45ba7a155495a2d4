"""Fixtures of the codegen tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.project_copy import copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the working tree (sources and generated files, no environment)."""
    return copy_project(tmp_path)
