"""Schemathesis over every operation of a real server on SQLite (docs/security.md): the
generated examples, the coverage and fuzzing phases and the stateful phase (chains along the
document's links), with a fixed seed and example count so that the run is repeatable and
short. Zero server errors and zero answers that break the document: status codes, content
types, headers and bodies."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.client import PASSWORD
from tests.server_process import ServerProcess, signed_in

SEED = 20261202
EXAMPLES = 20
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
SESSION_ENDING = ["sign_out", "close_account"]
"""Run on their own, last: each ends the sign-in the rest of the run uses."""
SETTINGS = {
    "LOGIN_ATTEMPTS_PER_WINDOW": "1000000",
    "LOGIN_ADDRESS_ATTEMPTS_PER_WINDOW": "1000000",
    "SIGNUP_ATTEMPTS_PER_WINDOW": "1000000",
    "RUNNING_HOPS_PER_USER": "1000",
    "EVENTS_STREAM_SECONDS": "0.5",
    "EVENTS_KEEP_ALIVE_SECONDS": "0.2",
}

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_ENGINE", "sqlite") != "sqlite", reason="one bounded run, on SQLite"
)


def schemathesis(server: ServerProcess, cookie: str, csrf: str, report: Path, *selection: str) -> str:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{server.url}/api/schema/openapi.json",
        "--header",
        f"Cookie: missions_session={cookie}",
        "--header",
        f"X-CSRF-Token: {csrf}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--no-shrink",
        "--request-timeout",
        "10",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        *selection,
    ]
    # Run in the test's own folder: Schemathesis keeps a cache where it runs.
    result = subprocess.run(command, cwd=report.parent, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return output


async def _session(server: ServerProcess) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        csrf = await signed_in(client, f"schemathesis-{uuid.uuid4().hex[:8]}@example.com", PASSWORD)
        return client.cookies["missions_session"], csrf


async def test_every_operation_keeps_to_the_contract(tmp_path):
    with ServerProcess(**SETTINGS) as server:
        cookie, csrf = await _session(server)
        excluded = [arg for op in SESSION_ENDING for arg in ("--exclude-operation-id", op)]
        output = schemathesis(server, cookie, csrf, tmp_path / "main.xml", *excluded)
        assert "Stateful" in output
        for operation in SESSION_ENDING:
            cookie, csrf = await _session(server)
            only = ["--include-operation-id", operation, "--phases", "examples,coverage,fuzzing"]
            schemathesis(server, cookie, csrf, tmp_path / f"{operation}.xml", *only)
        log = server.output()
    assert "unhandled error" not in log
    assert "Traceback" not in log
