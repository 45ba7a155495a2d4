"""Token counts, estimated: no tokenizer is downloaded. About four characters of English (or
code, or JSON) make a token; other scripts take about one token per character."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

MESSAGE_OVERHEAD = 4
"""Tokens a chat message costs besides its text (its role and separators)."""


def estimate_tokens(text: str) -> int:
    """An estimate of the tokens `text` takes, on the high side."""
    if not text:
        return 0
    ascii_chars = sum(1 for char in text if char < "\x80")
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def message_tokens(message: dict[str, Any]) -> int:
    """An estimate of the tokens one Chat Completions message takes."""
    content = message.get("content")
    text = content if isinstance(content, str) else ""
    calls = message.get("tool_calls") or []
    extra = sum(estimate_tokens(str(call)) for call in calls)
    return MESSAGE_OVERHEAD + estimate_tokens(text) + extra


def total_tokens(messages: Iterable[dict[str, Any]]) -> int:
    return sum(message_tokens(message) for message in messages)
