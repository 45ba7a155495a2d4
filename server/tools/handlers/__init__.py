"""Tool handlers by tool id; each spec in `server/tools/specs/` has one here. The checks of
saved connections, by resource type, are `CHECKS` (`checks.py`)."""

from server.tools.base import Handler
from server.tools.handlers.checks import CHECKS
from server.tools.handlers.data import extract, filter_items, group_reduce, sort_items
from server.tools.handlers.text import summarize
from server.tools.handlers.web import web_retrieve, web_search

HANDLERS: dict[str, Handler] = {
    "web_retrieve": web_retrieve,
    "web_search": web_search,
    "group_reduce": group_reduce,
    "extract": extract,
    "filter": filter_items,
    "sort": sort_items,
    "summarize": summarize,
}

__all__ = ["CHECKS", "HANDLERS"]
