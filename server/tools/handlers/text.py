"""summarize: an extractive summary computed here, or a language model's when one is configured
(the step's `llm_provider`, else the server's model: `ToolContext.model`)."""

from __future__ import annotations

import re
from collections import Counter

import msgspec

from server.tools.base import ToolContext, ToolError, ask_model
from server.tools.models import SummarizeOutputs, SummarizeParameters

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9À-Ý])|\n\s*\n")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
# Words too common to say what a text is about.
_STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves also may might must shall one two""".split()
)


def split_sentences(text: str) -> list[str]:
    sentences = (" ".join(part.split()) for part in _SENTENCE_END.split(text))
    return [sentence for sentence in sentences if sentence]


def extractive_summary(text: str, max_sentences: int) -> str:
    """The `max_sentences` sentences whose words are most frequent in the whole text
    (normalised by length), in their original order."""
    sentences = split_sentences(text)
    if len(sentences) <= max_sentences:
        return " ".join(sentences)
    frequencies = Counter(w for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOP_WORDS)
    if not frequencies:
        return " ".join(sentences[:max_sentences])
    top = max(frequencies.values())

    def score(sentence: str) -> float:
        words = [w.lower() for w in _WORD.findall(sentence)]
        content = [w for w in words if w not in _STOP_WORDS]
        if not content:
            return 0.0
        return float(sum(frequencies[w] / top for w in content) / (len(content) ** 0.5))

    ranked = sorted(range(len(sentences)), key=lambda i: (-score(sentences[i]), i))[:max_sentences]
    return " ".join(sentences[i] for i in sorted(ranked))


async def summarize(parameters: SummarizeParameters, context: ToolContext) -> SummarizeOutputs:
    max_sentences = 3 if parameters.max_sentences is msgspec.UNSET else parameters.max_sentences
    if not parameters.text.strip():
        return SummarizeOutputs(summary="", method="extractive")
    model = context.model()
    if model is not None:
        instruction = f"Summarize the user's text in at most {max_sentences} sentences. Answer with the summary only."
        messages = [
            {"role": "system", "content": instruction},
            {"role": "user", "content": parameters.text},
        ]
        summary = (await ask_model(model, context, messages)).strip()
        if not summary:
            raise ToolError("language model returned an empty summary")
        return SummarizeOutputs(summary=summary, method="llm")
    return SummarizeOutputs(summary=extractive_summary(parameters.text, max_sentences), method="extractive")
