"""Earlier databases for the importer's tests: SQLite files and MariaDB databases of their own
(created and dropped here), filled by `tests/legacy_builders.py`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.legacy_fixtures import LegacyData, drop_mariadb, write_mariadb, write_sqlite

WriteSource = Callable[[LegacyData], Awaitable[str]]


@pytest.fixture(params=["sqlite", "mariadb"])
async def write_source(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[WriteSource]:
    """Writes a LegacyData into a new source database of the parameter's kind; its URL."""
    created: list[str] = []

    async def write(data: LegacyData) -> str:
        if request.param == "sqlite":
            return write_sqlite(data, tmp_path / f"legacy-{uuid.uuid4().hex[:8]}.db")
        name = f"legacy_test_{uuid.uuid4().hex[:10]}"
        created.append(name)
        return await write_mariadb(data, name)

    yield write
    for name in created:
        await drop_mariadb(name)


@pytest.fixture
def sqlite_source(tmp_path: Path) -> Callable[[LegacyData], str]:
    def write(data: LegacyData) -> str:
        return write_sqlite(data, tmp_path / f"legacy-{uuid.uuid4().hex[:8]}.db")

    return write
