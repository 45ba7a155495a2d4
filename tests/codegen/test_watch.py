"""`python -m codegen --watch` regenerates when a server source file changes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.project_copy import edit


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_watch_regenerates_after_an_enum_changes(project: Path):
    types_file = project / "frontend/src/api/types.gen.ts"
    log = project / "watch.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "codegen", "--watch"], cwd=project, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        assert wait_for(lambda: "up to date" in log.read_text()), log.read_text()
        edit(project / "server/enums.py", 'ARCHIVED = "archived"', 'ARCHIVED = "archived_by_user"')
        assert wait_for(lambda: 'ARCHIVED: "archived_by_user"' in types_file.read_text()), log.read_text()
        assert "changed: server/enums.py" in log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)
