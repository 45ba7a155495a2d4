"""Tool handlers by tool id; each spec in `server/tools/specs/` has one here. The checks a
handler makes of its literal parameters, for the chain check, are `LITERAL_CHECKS`; the checks of
saved connections, by resource type, are `CHECKS` (`checks.py`)."""

from server.tools.base import Handler, LiteralCheck
from server.tools.handlers.checks import CHECKS
from server.tools.handlers.data import (
    check_filter_literals,
    extract,
    filter_items,
    group_by,
    group_reduce,
    sort_items,
)
from server.tools.handlers.mail import email_search
from server.tools.handlers.pubmed import pubmed_search
from server.tools.handlers.recap import newsletter_recap, summarize_groups
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
    "email_search": email_search,
    "pubmed_search": pubmed_search,
    "group_by": group_by,
    "summarize_groups": summarize_groups,
    "newsletter_recap": newsletter_recap,
}

LITERAL_CHECKS: dict[str, LiteralCheck] = {
    "filter": check_filter_literals,
}

__all__ = ["CHECKS", "HANDLERS", "LITERAL_CHECKS"]
