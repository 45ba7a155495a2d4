"""`extract`'s model mode: fields described in words, read from each item by a language model
(the step's `llm_provider`, else the server's model). The answer must fit the tool's outputs
(`ExtractOutputs`, one object per item, the described keys only); an answer that does not is
asked for again once, with what was wrong, and then fails the step."""

from __future__ import annotations

from typing import Any

import msgspec

from server.tools.base import ToolContext, ToolError, ask_model
from server.tools.models import ExtractOutputs

BATCH_SIZE = 20
"""Items sent in one request."""
ITEM_CHARACTERS = 4000
"""An item longer than this (as JSON) is cut, so one item cannot fill the model's context."""
ATTEMPTS = 2

_decode_outputs = msgspec.json.Decoder(ExtractOutputs).decode


def _instructions(described: dict[str, str]) -> str:
    fields = "\n".join(f"- `{name}`: {meaning}" for name, meaning in described.items())
    return (
        "You read fields out of data items. For every item the user sends, give one object with exactly these keys:\n"
        f"{fields}\n"
        "Use null for a value the item does not give. Answer with JSON only, in this form: "
        '{"items": [{...}, ...]}, one object per item, in the order of the items.'
    )


def _item_text(item: Any) -> str:
    text = msgspec.json.encode(item).decode()
    return text if len(text) <= ITEM_CHARACTERS else text[:ITEM_CHARACTERS] + "…"


def _json_part(answer: str) -> str:
    """The JSON object in an answer that may wrap it in prose or a code fence."""
    start, end = answer.find("{"), answer.rfind("}")
    return answer[start : end + 1] if start != -1 and end > start else answer


def checked_answer(answer: str, described: dict[str, str], count: int) -> list[dict[str, Any]]:
    """The rows of a model's answer, validated against the tool's outputs; ValueError says
    what does not fit."""
    try:
        outputs = _decode_outputs(_json_part(answer))
    except msgspec.DecodeError as exc:
        raise ValueError(f"the answer is not the JSON asked for ({exc})") from None
    except msgspec.ValidationError as exc:
        raise ValueError(f"the answer does not fit the tool's outputs ({exc})") from None
    if len(outputs.items) != count:
        raise ValueError(f"the answer has {len(outputs.items)} objects for {count} items")
    return [{name: row.get(name) for name in described} for row in outputs.items]


async def described_values(items: list[Any], described: dict[str, str], context: ToolContext) -> list[dict[str, Any]]:
    """For each item, the described fields as the model reads them (in the items' order)."""
    model = context.model()
    if model is None:
        raise ToolError(
            "`described_fields` needs a language model: configure the step's LLM provider, "
            "or the server's model (LLM_BASE_URL)"
        )
    rows: list[dict[str, Any]] = []
    for start in range(0, len(items), BATCH_SIZE):
        batch = items[start : start + BATCH_SIZE]
        numbered = "\n".join(f"{index + 1}. {_item_text(item)}" for index, item in enumerate(batch))
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": _instructions(described)},
            {"role": "user", "content": f"The {len(batch)} items:\n{numbered}"},
        ]
        for attempt in range(ATTEMPTS):
            answer = await ask_model(model, context, messages)
            try:
                rows.extend(checked_answer(answer, described, len(batch)))
                break
            except ValueError as exc:
                if attempt + 1 == ATTEMPTS:
                    raise ToolError(f"language model's answer does not fit the tool's outputs: {exc}") from None
                messages += [
                    {"role": "assistant", "content": answer},
                    {"role": "user", "content": f"That does not fit: {exc}. Answer again, JSON only."},
                ]
    return rows


__all__ = ["checked_answer", "described_values"]
