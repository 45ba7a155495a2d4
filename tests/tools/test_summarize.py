"""summarize: extractive without a model; a configured OpenAI-compatible endpoint otherwise."""

import pytest

from server.tools.base import ToolError
from server.tools.handlers.text import extractive_summary, split_sentences
from tests.tools.helpers import call
from tests.tools.local_http import requests_seen

TEXT = (
    "Tides are driven by the moon. The moon pulls the sea toward it, and the tides follow the moon. "
    "My neighbour owns a red bicycle. Spring tides happen when the sun and the moon align. "
    "Lunch was pleasant."
)


def test_sentences_are_split_on_terminal_punctuation():
    assert split_sentences("One. Two! Three? four.\n\nFive") == ["One.", "Two!", "Three? four.", "Five"]


async def test_extractive_summary_keeps_the_most_representative_sentences_in_order():
    out = await call("summarize", text=TEXT, max_sentences=2)
    assert out == {
        "summary": "Tides are driven by the moon. The moon pulls the sea toward it, and the tides follow the moon.",
        "method": "extractive",
    }
    assert "bicycle" not in extractive_summary(TEXT, 3)


async def test_short_and_empty_texts_come_back_whole():
    assert (await call("summarize", text="Only one sentence."))["summary"] == "Only one sentence."
    assert (await call("summarize", text="   "))["summary"] == ""


async def test_a_long_text_is_summarized_quickly():
    text = " ".join(f"Sentence {i} talks about topic {i % 7} and the sea." for i in range(20_000))
    out = await call("summarize", text=text, max_sentences=5)
    assert len(split_sentences(out["summary"])) == 5


async def test_the_configured_language_model_writes_the_summary(web):
    llm = {"base_url": f"{web}/v1", "model": "tiny", "api_key": "sk-local"}
    out = await call("summarize", resources={"llm_provider": llm}, text=TEXT, max_sentences=2)
    assert out == {"summary": "Summary by tiny.", "method": "llm"}
    sent = [r for r in requests_seen if r["path"] == "/v1/chat/completions"][-1]
    assert sent["headers"]["authorization"] == "Bearer sk-local"
    assert sent["body"]["messages"][1]["content"] == TEXT


async def test_a_failing_language_model_fails_the_tool_with_its_answer(web):
    with pytest.raises(ToolError, match="language model answered HTTP 500: model crashed"):
        await call("summarize", resources={"llm_provider": {"base_url": f"{web}/broken", "model": "m"}}, text=TEXT)


async def test_a_text_that_is_not_a_string_is_refused():
    with pytest.raises(ToolError, match=r"parameter `text`: must be text, not a whole number"):
        await call("summarize", text=42)


async def test_a_slow_language_model_is_stopped_at_the_step_time_limit(web):
    with pytest.raises(ToolError, match=r"language model did not answer within 0.5 s"):
        await call(
            "summarize",
            resources={"llm_provider": {"base_url": f"{web}/slow-llm", "model": "m"}},
            timeout=0.5,
            text=TEXT,
        )


async def test_an_oversized_text_is_refused():
    with pytest.raises(ToolError, match=r"parameter `text`: must have at most 2000000 characters"):
        await call("summarize", text="a" * 2_000_001)
