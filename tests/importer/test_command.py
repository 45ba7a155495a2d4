"""The command line: exit 0 done, 1 problems (nothing written), 2 usage or connection error,
each failure one line without a traceback; `--report FILE` writes JSON without secrets."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from server.settings import PROJECT_ROOT
from tests.legacy_builders import SECRET, generation_a


async def import_legacy(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server", "import-legacy", *args],
        env={**os.environ, **env},  # the test database
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def test_usage_and_connection_errors_exit_2_with_one_line(migrated, tmp_path: Path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE invoices (id INTEGER)").connection.close()
    cases = {
        "ftp://host/db": "unsupported source",
        f"sqlite:///{tmp_path}/missing.db": "no SQLite database",
        "mysql://root:@127.0.0.1:1/nothing": "cannot connect",
        f"sqlite:///{other}": "found invoices",
    }
    for url, message in cases.items():
        result = await import_legacy(url)
        assert result.returncode == 2, (url, result.stdout, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    unmigrated = await import_legacy(f"sqlite:///{other}", DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite")
    assert unmigrated.returncode == 2 and "not migrated" in unmigrated.stderr
    unreachable = await import_legacy(f"sqlite:///{other}", DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    assert unreachable.returncode == 2 and "cannot use the app's database" in unreachable.stderr
    assert "Traceback" not in unmigrated.stderr + unreachable.stderr


async def test_problems_exit_1_and_skip_invalid_exits_0_with_a_json_report(migrated, sqlite_source, tmp_path: Path):
    data = generation_a(missions=3)
    url = sqlite_source(data)
    refused = await import_legacy(url)
    assert refused.returncode == 1, refused.stderr
    assert "nothing written" in refused.stdout and "unknown status `ON_HOLD`" in refused.stdout
    report_file = tmp_path / "report.json"
    done = await import_legacy(url, "--skip-invalid", "--report", str(report_file))
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr + report_file.read_text()
    report = json.loads(report_file.read_text())
    assert report["outcome"] == "imported" and report["generation"] == "A"
    assert report["counts"]["missions"]["imported"] == len(data.expect["missions"])
    assert {"table", "id", "reason"} <= set(report["problems"][0])
    again = await import_legacy(url, "--skip-invalid")
    assert again.returncode == 0 and "Nothing new" in again.stdout
