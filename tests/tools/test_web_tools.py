"""web_retrieve and web_search against a local HTTP server: readable pages, redirects,
errors, timeouts, size limits, malformed answers."""

import time

import pytest

from server.tools.base import ToolError
from tests.tools.helpers import call
from tests.tools.local_http import requests_seen


async def test_web_retrieve_returns_title_readable_text_and_metadata(web):
    out = await call("web_retrieve", urls=[f"{web}/article", f"{web}/plain"])
    article, plain = out["pages"]
    assert article["title"] == "Tide Report"
    assert article["text"] == "Home\nHigh tides\nThe tide rises at six & falls at noon.\nMoon phases drive the tides."
    assert (
        "do not show" not in article["text"]
        and "color" not in article["text"]
        and "enable scripts" not in article["text"]
    )
    assert article["error"] is None
    assert article["metadata"]["status_code"] == 200
    assert article["metadata"]["content_type"] == "text/html"
    assert article["metadata"]["description"] == "Tides of the week"
    assert article["metadata"]["language"] == "en"
    assert article["metadata"]["size_bytes"] > 100
    assert plain["text"] == "just text" and plain["title"] == ""


async def test_web_retrieve_follows_redirects(web):
    (page,) = (await call("web_retrieve", urls=[f"{web}/redirect"]))["pages"]
    assert page["title"] == "Tide Report"
    assert page["metadata"]["final_url"] == f"{web}/article"


async def test_web_retrieve_reports_failed_pages_and_keeps_the_good_ones(web):
    out = await call("web_retrieve", urls=[f"{web}/missing", f"{web}/article", f"{web}/binary", "ftp://example.org/x"])
    errors = [page["error"] for page in out["pages"]]
    assert errors == [
        "HTTP 404",
        None,
        "not a text document (application/octet-stream)",
        "only http:// and https:// URLs can be retrieved",
    ]


async def test_web_retrieve_fails_when_no_page_can_be_retrieved(web):
    with pytest.raises(ToolError, match=r"no page could be retrieved \(.*/missing: HTTP 404\)"):
        await call("web_retrieve", urls=[f"{web}/missing"])


async def test_web_retrieve_stops_a_slow_page_at_its_timeout(web):
    started = time.perf_counter()
    out = await call("web_retrieve", urls=[f"{web}/slow?s=3", f"{web}/article"], timeout_seconds=0.5)
    assert time.perf_counter() - started < 2.5
    assert out["pages"][0]["error"] == "no complete answer within 0.5 s"
    assert out["pages"][1]["error"] is None


async def test_web_retrieve_stops_reading_past_the_size_limit(web):
    out = await call("web_retrieve", urls=[f"{web}/big?chunks=64", f"{web}/article"], max_bytes=100_000)
    assert out["pages"][0]["error"] == "page larger than 100000 bytes"
    refused = await call("web_retrieve", urls=[f"{web}/article", f"{web}/plain"], max_bytes=50)
    assert refused["pages"][0]["error"] == "page larger than 50 bytes"  # refused from its content-length
    assert refused["pages"][1]["error"] is None


async def test_web_retrieve_reads_malformed_html_leniently(web):
    (page,) = (await call("web_retrieve", urls=[f"{web}/broken-html"]))["pages"]
    assert page["error"] is None
    assert page["title"].startswith("Half")


async def test_web_retrieve_refuses_bad_parameters():
    with pytest.raises(ToolError, match=r"parameter `urls`: must have at least 1 item"):
        await call("web_retrieve", urls=[])
    with pytest.raises(ToolError, match=r"parameter `timeout_seconds`"):
        await call("web_retrieve", urls=["http://127.0.0.1:1/"], timeout_seconds=-1)


async def test_web_retrieve_reports_an_unreachable_host():
    with pytest.raises(ToolError, match=r"request failed"):
        await call("web_retrieve", urls=["http://127.0.0.1:1/"], timeout_seconds=2)


async def test_web_search_queries_the_configured_provider(web):
    out = await call(
        "web_search", resources={"search_provider": {"base_url": web, "api_key": "k-123"}}, query="tides", max_results=3
    )
    assert out["results"] == [
        {
            "title": f"Result {i} for tides",
            "url": f"https://example.org/{i}",
            "snippet": f"snippet {i}",
            "engine": "local",
        }
        for i in range(3)
    ]
    last = [r for r in requests_seen if r["path"] == "/search"][-1]
    assert last["query"] == {"q": ["tides"], "format": ["json"]}
    assert last["headers"]["authorization"] == "Bearer k-123"


async def test_web_search_reports_provider_failures(web):
    with pytest.raises(ToolError, match="unexpected answer"):
        await call("web_search", resources={"search_provider": {"base_url": f"{web}/bad-search"}}, query="x")
    with pytest.raises(ToolError, match="answered HTTP 503"):
        await call("web_search", resources={"search_provider": {"base_url": f"{web}/down"}}, query="x")
    with pytest.raises(ToolError, match="did not answer within 0.5 s"):
        await call(
            "web_search",
            resources={"search_provider": {"base_url": f"{web}/slow-search", "timeout_seconds": 0.5}},
            query="x",
        )
    with pytest.raises(ToolError, match="not configured"):
        await call("web_search", query="x")
