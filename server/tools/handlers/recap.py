"""summarize_groups (a summary per group, the model mode of `summarize`) and newsletter_recap
(the daily recap of newsletters, in Markdown): docs/tools.md, "The daily newsletter recap"."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import msgspec

from server.tools.base import ToolContext, ToolError, ask_model
from server.tools.handlers.paths import MISSING, resolve
from server.tools.handlers.text import extractive_summary
from server.tools.models import (
    GroupSummary,
    GroupToSummarize,
    NewsletterRecapOutputs,
    NewsletterRecapParameters,
    SummarizeGroupsOutputs,
    SummarizeGroupsParameters,
)

MODEL_REQUESTS_AT_ONCE = 4


def _given(value: Any, default: Any) -> Any:
    return default if value is msgspec.UNSET else value


def _string(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def _group_text(group: GroupToSummarize, text_path: str, title_path: str, limit: int) -> str:
    """The group's items as one text: each item's title, then its text; cut at `limit` characters."""
    parts = []
    for item in group.items:
        title, text = _string(resolve(item, title_path)), _string(resolve(item, text_path))
        parts.append(f"{title}\n{text}".strip() if title_path else text)
    return "\n\n".join(p for p in parts if p)[:limit]


def _links(group: GroupToSummarize, links_path: str) -> list[str]:
    found: list[str] = []
    for item in group.items:
        value = resolve(item, links_path) if links_path else MISSING
        if isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str))
    return list(dict.fromkeys(found))


def _label(group: GroupToSummarize, label_path: str) -> str:
    if label_path and group.items:
        label = _string(resolve(group.items[0], label_path))
        if label:
            return label
    return _string(group.key) or "(none)"


async def _summary(text: str, label: str, max_sentences: int, context: ToolContext) -> tuple[str, str]:
    model = context.model()
    if model is None:
        return extractive_summary(text, max_sentences), "extractive"
    instruction = (
        f"The user's text is what {label} sent. Summarize what it says in at most {max_sentences} "
        "sentences, for a reader skimming a daily recap. Answer with the summary only."
    )
    messages = [{"role": "system", "content": instruction}, {"role": "user", "content": text}]
    summary = (await ask_model(model, context, messages)).strip()
    if not summary:
        raise ToolError(f"language model returned an empty summary for {label}")
    return summary, "llm"


async def summarize_groups(parameters: SummarizeGroupsParameters, context: ToolContext) -> SummarizeGroupsOutputs:
    """Each group summarized on its own, a few model requests at a time."""
    text_path = _given(parameters.text_path, "body")
    title_path = _given(parameters.title_path, "subject")
    label_path = _given(parameters.label_path, "")
    links_path = _given(parameters.links_path, "links")
    max_sentences = _given(parameters.max_sentences, 4)
    limit = _given(parameters.max_text_chars, 24_000)
    slots = asyncio.Semaphore(MODEL_REQUESTS_AT_ONCE)

    async def one(group: GroupToSummarize) -> GroupSummary:
        label = _label(group, label_path)
        text = _group_text(group, text_path, title_path, limit)
        if text:
            async with slots:
                summary, method = await _summary(text, label, max_sentences, context)
        else:
            summary, method = "", "extractive"
        titles = [t for t in (_string(resolve(item, title_path)) for item in group.items) if t] if title_path else []
        return GroupSummary(
            key=group.key,
            label=label,
            size=len(group.items),
            titles=titles,
            summary=summary,
            links=_links(group, links_path),
            method="llm" if method == "llm" else "extractive",
        )

    return SummarizeGroupsOutputs(summaries=list(await asyncio.gather(*(one(g) for g in parameters.groups))))


def _escaped(text: str) -> str:
    """Text placed in Markdown as it is (no heading, list or link made of it by accident)."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in " ".join(text.split()))


async def newsletter_recap(parameters: NewsletterRecapParameters, context: ToolContext) -> NewsletterRecapOutputs:
    day = _given(parameters.day, None) or datetime.now(UTC).date().isoformat()
    title = _given(parameters.title, "Daily newsletter recap")
    max_links = _given(parameters.max_links, 5)
    messages = sum(_given(n.size, 1) for n in parameters.newsletters)
    senders = len(parameters.newsletters)
    lines = [f"# {_escaped(title)}, {day}", ""]
    if not senders:
        lines.append("No newsletters arrived.")
        return NewsletterRecapOutputs(recap="\n".join(lines) + "\n")
    lines += [
        f"{messages} message{'s' if messages != 1 else ''} from {senders} sender{'s' if senders != 1 else ''}.",
        "",
    ]
    for newsletter in parameters.newsletters:
        label = _given(newsletter.label, "") or _string(_given(newsletter.key, "")) or "(unknown sender)"
        lines += [f"## {_escaped(label)}", "", _escaped(newsletter.summary) or "_Nothing to summarize._", ""]
        titles = _given(newsletter.titles, [])
        if titles:
            lines += [f"- {_escaped(t)}" for t in titles] + [""]
        links = [link for link in _given(newsletter.links, []) if link.startswith(("http://", "https://"))]
        if links and max_links:
            lines += ["Links:"] + [f"- <{link.replace('>', '%3E')}>" for link in links[:max_links]] + [""]
    return NewsletterRecapOutputs(recap="\n".join(lines))
