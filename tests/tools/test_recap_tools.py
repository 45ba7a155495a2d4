"""group_by, summarize_groups (extractive, and its model mode against the local model
server) and newsletter_recap (the Markdown)."""

from __future__ import annotations

import pytest

from server.llm import ModelConfig
from server.tools.base import ToolContext, ToolError
from server.tools.registry import get_registry, run_tool
from tests.assistant.model_server import ModelServer, Status, Whole
from tests.tools.helpers import call
from tests.tools.local_http import loopback_allowed

EMAILS = [
    {"from": {"name": "Tide Weekly", "address": "editor@tides.example.org"}, "subject": "Spring tides",
     "body": "Spring tides peak on Thursday. The quay may flood.", "links": ["https://tides.example.org/a"]},
    {"from": {"name": "Harbour News", "address": "news@harbour.example.net"}, "subject": "Budget",
     "body": "The council approved the harbour budget.", "links": []},
    {"from": {"name": "Tide Weekly", "address": "Editor@Tides.example.org"}, "subject": "Neap tides",
     "body": "Neap tides follow next week.", "links": ["https://tides.example.org/b", "https://tides.example.org/a"]},
]  # fmt: skip


@pytest.fixture(scope="module")
def model():
    server = ModelServer().start()
    with loopback_allowed():
        yield server
    server.stop()


async def test_group_by_keeps_items_in_first_appearance_order():
    out = await call("group_by", items=EMAILS, key="from.address")
    assert [(g["key"], g["size"]) for g in out["groups"]] == [
        ("editor@tides.example.org", 1),
        ("news@harbour.example.net", 1),
        ("Editor@Tides.example.org", 1),
    ]
    folded = await call("group_by", items=EMAILS, key="from.address", case_insensitive=True)
    assert [(g["key"], g["size"]) for g in folded["groups"]] == [
        ("editor@tides.example.org", 2),
        ("news@harbour.example.net", 1),
    ]
    assert folded["groups"][0]["items"] == [EMAILS[0], EMAILS[2]]
    missing = await call("group_by", items=[{"a": 1}, {"b": 2}, 3], key="a")
    assert [(g["key"], g["size"]) for g in missing["groups"]] == [(1, 1), (None, 2)]


async def test_summarize_groups_extractive_with_labels_titles_and_links():
    groups = (await call("group_by", items=EMAILS, key="from.address", case_insensitive=True))["groups"]
    out = await call("summarize_groups", groups=groups, label_path="from.name", max_sentences=2)
    tides, harbour = out["summaries"]
    assert tides["label"] == "Tide Weekly" and tides["size"] == 2 and tides["method"] == "extractive"
    assert tides["titles"] == ["Spring tides", "Neap tides"]
    assert tides["links"] == ["https://tides.example.org/a", "https://tides.example.org/b"]
    assert "Spring tides" in tides["summary"] or "Neap tides" in tides["summary"]
    assert harbour["summary"] == "Budget The council approved the harbour budget."
    empty = await call("summarize_groups", groups=[{"key": "x", "items": [{"subject": ""}]}])
    assert empty["summaries"][0]["summary"] == "" and empty["summaries"][0]["label"] == "x"


async def test_summarize_groups_asks_the_model_once_per_group(model):
    model.requests.clear()
    model.script(Whole(" Tides summary. "), Whole("Harbour summary."))
    groups = (await call("group_by", items=EMAILS, key="from.address", case_insensitive=True))["groups"]
    tool = get_registry().tool("summarize_groups")
    resources = {"llm_provider": {"base_url": model.base_url, "model": "tiny", "api_key": "sk-groups"}}
    out = await run_tool(
        tool, {"groups": groups, "label_path": "from.name"}, ToolContext(resources=resources, timeout_seconds=5)
    )
    assert {s["summary"] for s in out["summaries"]} == {"Tides summary.", "Harbour summary."}
    assert {s["method"] for s in out["summaries"]} == {"llm"}
    assert len(model.requests) == 2
    sent = [r["messages"] for r in model.requests]
    assert any("Tide Weekly" in m[0]["content"] and "Spring tides peak" in m[1]["content"] for m in sent)


async def test_summarize_groups_fails_with_the_models_error(model):
    model.script(Status(500, "model crashed"), Status(500, "model crashed"))
    config = ModelConfig(base_url=model.base_url, model="tiny", api_key="k", max_retries=0)
    tool = get_registry().tool("summarize_groups")
    with pytest.raises(ToolError, match="language model answered HTTP 500"):
        await run_tool(
            tool,
            {"groups": [{"key": "a", "items": [{"body": "text."}]}]},
            ToolContext(timeout_seconds=5, default_model=config),
        )


async def test_newsletter_recap_writes_markdown_per_sender():
    summaries = [
        {"key": "editor@tides.example.org", "label": "Tide Weekly", "size": 2, "titles": ["Spring *tides*", "Neap"],
         "summary": "Tides # peak.", "links": ["https://tides.example.org/a", "javascript:alert(1)"], "method": "llm"},
        {"key": "news@harbour.example.net", "label": "", "size": 1, "titles": [], "summary": "", "links": []},
    ]  # fmt: skip
    out = await call("newsletter_recap", newsletters=summaries, day="2026-03-04")
    assert out["recap"] == (
        "# Daily newsletter recap, 2026-03-04\n\n3 messages from 2 senders.\n\n"
        "## Tide Weekly\n\nTides \\# peak.\n\n- Spring \\*tides\\*\n- Neap\n\nLinks:\n- <https://tides.example.org/a>\n\n"
        "## news@harbour.example.net\n\n_Nothing to summarize._\n"
    )
    empty = await call("newsletter_recap", newsletters=[], title="Morning mail", day="2026-03-04")
    assert empty["recap"] == "# Morning mail, 2026-03-04\n\nNo newsletters arrived.\n"
