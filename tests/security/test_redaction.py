"""Secrets never echoed (docs/security.md, "Redaction"): a configured key ending in a newline
makes the HTTP client raise an error quoting it; what the step and hop store, the API returns
and the log holds carries no spelling of it."""

from __future__ import annotations

import base64
import logging
from urllib.parse import quote

import msgspec
import pytest

from server.missions.tables import Hop as HopTable
from server.missions.tables import ToolStep as ToolStepTable
from server.redaction import REDACTED, redact, variants
from tests.tools.local_http import local_http_server
from tests.workflow.flow import ok
from tests.workflow.test_execution import wait_for_hop
from tests.workflow.test_execution_modes import RESULTS, planned_hop, search_step

KEY = "sk-live-7Hq2Zr9Xw4\n"


@pytest.fixture(scope="module")
def web():
    with local_http_server() as base_url:
        yield base_url


def spellings(secret: str) -> list[str]:
    bare = secret.strip()
    return [
        bare,
        quote(bare, safe=""),
        base64.b64encode(bare.encode()).decode().rstrip("="),
        repr(secret)[1:-1],
        bare[:12],
    ]


def test_every_variant_of_a_secret_is_removed():
    secret = "pa ss/wörd+1\n"
    text = (
        f"as typed {secret} trimmed {secret.strip()} url {quote(secret.strip(), safe='')} "
        f"b64 {base64.b64encode(secret.strip().encode()).decode()} repr {secret.encode()!r} json "
        f"{msgspec.json.encode(secret).decode()}"
    )
    cleaned = redact(text, [secret])
    for variant in variants(secret):
        assert variant not in cleaned, variant
    assert cleaned.count(REDACTED) >= 6
    assert redact("nothing to hide", [secret]) == "nothing to hide"
    assert redact("abc", ["ab"]) == "abc"  # too short to look for


async def test_a_key_ending_in_a_newline_is_never_stored_returned_or_logged(user, web, caplog, monkeypatch):
    monkeypatch.delenv("STUB_UNCONFIGURED_TOOLS", raising=False)
    caplog.set_level(logging.DEBUG)
    hop = await planned_hop(user, RESULTS, [search_step()])
    (step,) = hop["tool_steps"]
    ok(
        await user.post(
            f"/api/tool-steps/{step['id']}/configure",
            json={"resource_configs": {"search_provider": {"base_url": web, "api_key": KEY}}},
        )
    )
    ok(await user.post(f"/api/hops/{hop['id']}/execute"))
    failed = await wait_for_hop(user, hop["id"])
    assert failed["status"] == "failed"
    step_error = failed["tool_steps"][0]["error_message"]
    assert step_error.startswith("the search provider is unreachable")
    assert REDACTED in step_error  # the client's error quoted the key; it is gone
    returned = msgspec.json.encode(failed).decode() + (await user.get(f"/api/tool-steps/{step['id']}")).text
    stored_step = await ToolStepTable.select(ToolStepTable.error_message).where(ToolStepTable.id == step["id"]).run()
    stored_hop = await HopTable.select(HopTable.error_message).where(HopTable.id == hop["id"]).run()
    for place, text in (("API", returned), ("database", f"{stored_step}{stored_hop}"), ("log", caplog.text)):
        for spelling in spellings(KEY):
            assert spelling not in text, (place, spelling)
