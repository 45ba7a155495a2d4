"""The small path syntax the data tools use to point into an item.

A path is a sequence of steps: dot-separated keys (`author.name`), `[n]` list indexes
(`tags[0]`, `[-1]` for the last), and `["key"]` for keys holding dots or brackets
(`meta["og:title"]`). A leading `$` or `$.` is accepted and ignored, so simple JSONPath
expressions read the same. The empty path is the item itself. A step that does not apply
(missing key, index out of range, key on a non-object) yields `MISSING`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from server.tools.base import ToolError


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

_TOKEN = re.compile(r'\.?([^.\[\]"]+)|\[(-?\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


@lru_cache(maxsize=1024)
def parse_path(path: str) -> tuple[str | int, ...]:
    """The steps of a path; ToolError naming the path when it is malformed."""
    text = path.strip()
    if text.startswith("$"):
        text = text[1:]
    steps: list[str | int] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ToolError(f"invalid path `{path}` at character {position + 1}")
        key, index, quoted = match.groups()
        if key is not None:
            steps.append(key.strip())
        elif index is not None:
            steps.append(int(index))
        else:
            steps.append(re.sub(r"\\(.)", r"\1", quoted))
        position = match.end()
    return tuple(steps)


def resolve(item: Any, path: str) -> Any:
    """The value at `path` in `item`, or MISSING."""
    value = item
    for step in parse_path(path):
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return MISSING
            value = value[step]
        elif isinstance(value, dict):
            if step not in value:
                return MISSING
            value = value[step]
        else:
            return MISSING
    return value
