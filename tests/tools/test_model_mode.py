"""The tools' model mode, through the provider module the assistant uses: `extract` reads
fields described in words (the answer checked against the tool's outputs), `summarize` asks
the server's model when its step names none; paths and patterns stay the default."""

from __future__ import annotations

import json

import pytest

from server.llm import ModelConfig
from server.tools.base import ToolContext, ToolError
from server.tools.registry import get_registry, run_tool
from tests.assistant.model_server import ModelServer, Status, Whole
from tests.tools.local_http import loopback_allowed

ITEMS = [
    {"text": "Moby-Dick, by Herman Melville, 1851", "id": 1},
    {"text": "Pride and Prejudice (Jane Austen, 1813)", "id": 2},
]
DESCRIBED = {"author": "the author's full name", "year": "the year it was published, as a number"}


@pytest.fixture(scope="module")
def model():
    server = ModelServer().start()
    with loopback_allowed():  # the model server is local: allowed, as for a self-hosted model
        yield server
    server.stop()


def context(model: ModelServer, **overrides) -> ToolContext:
    config = ModelConfig(base_url=model.base_url, model="tiny", api_key="sk-tools", max_retries=0)
    return ToolContext(timeout_seconds=5, default_model=config, **overrides)


async def call(tool_id: str, ctx: ToolContext, **parameters):
    tool = get_registry().tool(tool_id)
    assert tool is not None
    return await run_tool(tool, parameters, ctx)


def answer(rows) -> Whole:
    return Whole("```json\n" + json.dumps({"items": rows}) + "\n```")


async def test_described_fields_are_read_by_the_model_and_merged_with_the_paths(model):
    model.script(answer([{"author": "Herman Melville", "year": 1851}, {"author": "Jane Austen", "year": 1813}]))
    out = await call("extract", context(model), items=ITEMS, fields={"id": "id"}, described_fields=DESCRIBED)
    assert out["items"] == [
        {"id": 1, "author": "Herman Melville", "year": 1851},
        {"id": 2, "author": "Jane Austen", "year": 1813},
    ]
    [request] = model.requests
    assert request["model"] == "tiny" and not request.get("stream")
    assert request["_headers"]["authorization"] == "Bearer sk-tools"
    system, user = request["messages"]
    assert "`author`: the author's full name" in system["content"]
    assert "Moby-Dick" in user["content"] and "2. " in user["content"]


async def test_an_answer_that_does_not_fit_the_outputs_is_asked_again_once_with_why(model):
    model.script(Whole("not json at all"), answer([{"author": "A", "year": 1}, {"author": "B"}]))
    out = await call("extract", context(model), items=ITEMS, described_fields=DESCRIBED)
    assert out["items"] == [{"author": "A", "year": 1}, {"author": "B", "year": None}]
    retry = model.requests[1]["messages"]
    assert retry[-2] == {"role": "assistant", "content": "not json at all"}
    assert "That does not fit: the answer is not the JSON asked for" in retry[-1]["content"]


async def test_an_answer_that_never_fits_fails_the_step_with_the_reason(model):
    model.script(answer([{"author": "A"}]), answer([{"author": "A"}]))
    with pytest.raises(ToolError, match="does not fit the tool's outputs: the answer has 1 objects for 2 items"):
        await call("extract", context(model), items=ITEMS, described_fields=DESCRIBED)


async def test_described_fields_without_a_model_say_what_is_missing():
    with pytest.raises(ToolError, match="`described_fields` needs a language model"):
        await call("extract", ToolContext(), items=ITEMS, described_fields=DESCRIBED)


async def test_paths_and_patterns_need_no_model(model):
    model.script()
    out = await call("extract", context(model), items=ITEMS, fields={"id": "id"})
    assert out["items"] == [{"id": 1}, {"id": 2}] and model.requests == []


async def test_a_failing_model_fails_the_step_with_its_answer(model):
    model.script(Status(503, {"error": {"message": "overloaded"}}))
    with pytest.raises(ToolError, match="language model answered HTTP 503: overloaded"):
        await call("extract", context(model), items=ITEMS, described_fields=DESCRIBED)


async def test_summarize_uses_the_servers_model_when_its_step_names_none(model):
    model.script(Whole(" The server's model summarized it. "))
    out = await call("summarize", context(model), text="One. Two. Three. Four.")
    assert out == {"summary": "The server's model summarized it.", "method": "llm"}
    # A step's own provider wins over the server's model.
    model.script(Whole("The step's model."))
    own = {"llm_provider": {"base_url": model.base_url, "model": "own-model"}}
    out = await call("summarize", context(model, resources=own), text="One. Two. Three. Four.")
    assert out["summary"] == "The step's model." and model.requests[-1]["model"] == "own-model"
