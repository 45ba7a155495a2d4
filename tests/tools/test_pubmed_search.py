"""pubmed_search against a local server speaking the E-utilities protocol: esearch then
efetch, retmax, dates, the API key and identification, structured abstracts, empty results,
malformed answers, HTTP 429 and 500."""

from datetime import date, timedelta

import pytest

from server.tools.base import ToolError
from tests.tools.eutils import RECENT_PMID, EUtilities
from tests.tools.helpers import call


@pytest.fixture(autouse=True)
def fresh(eutils):
    EUtilities.requests.clear()
    EUtilities.busy_left = 0
    EUtilities.garbled = False


async def test_searches_then_fetches_and_reads_each_record():
    out = await call("pubmed_search", query="kelp")
    assert out["total_count"] == 4 and out["query_translation"] == "kelp[All Fields]"
    first = out["articles"][0]
    assert first == {
        "pmid": "39000001",
        "title": "Kelp forest recovery after sea otter return.",
        "abstract": "BACKGROUND: Kelp forests declined where urchins grew.\n\n"
        "RESULTS: Kelp doubled within two years of otters returning.\n\nCONCLUSIONS: Predators restore kelp.",
        "authors": ["Ana Lima", "Jon Berg Jr", "Kelp Study Group"],
        "journal": "Marine Ecology Progress Series",
        "journal_abbreviation": "Mar Ecol Prog Ser",
        "publication_date": "2024-03-15",
        "doi": "10.3354/meps14500",
        "url": "https://pubmed.ncbi.nlm.nih.gov/39000001/",
    }
    by_id = {a["pmid"]: a for a in out["articles"]}
    assert by_id["39000002"]["publication_date"] == "2021-11" and by_id["39000002"]["doi"] == "10.1111/jpy.13200"
    assert by_id["39000002"]["abstract"] == "Growth follows the spring-neap cycle of tides."
    history = by_id["39000003"]
    assert history["publication_date"] == "1998" and history["abstract"] == "" and history["authors"] == []
    search, fetch = EUtilities.requests
    assert search["path"] == "/entrez/eutils/esearch.fcgi" and fetch["path"] == "/entrez/eutils/efetch.fcgi"
    assert search["query"]["db"] == "pubmed" and search["query"]["retmode"] == "json"
    assert fetch["query"]["id"] == ",".join(a["pmid"] for a in out["articles"])
    assert fetch["query"]["retmode"] == "xml" and search["query"]["tool"] == "missions"


async def test_retmax_sort_and_identification():
    resources = {"pubmed": {"api_key": "ncbi-key-1", "email": "team@example.org", "tool": "reading-list"}}
    out = await call("pubmed_search", resources=resources, query="kelp", max_results=2, sort="pub_date")
    assert [a["pmid"] for a in out["articles"]] == [RECENT_PMID, "39000001"] and out["total_count"] == 4
    for request in EUtilities.requests:
        assert request["query"]["api_key"] == "ncbi-key-1"
        assert request["query"]["email"] == "team@example.org" and request["query"]["tool"] == "reading-list"
    assert EUtilities.requests[0]["query"]["retmax"] == "2" and EUtilities.requests[0]["query"]["sort"] == "pub_date"


async def test_date_filters_are_sent_and_respected():
    out = await call("pubmed_search", query="kelp", min_date="2021", max_date="2024-03-31")
    assert sorted(a["pmid"] for a in out["articles"]) == ["39000001", "39000002"]
    sent = EUtilities.requests[0]["query"]
    assert (sent["datetype"], sent["mindate"], sent["maxdate"]) == ("pdat", "2021", "2024/03/31")
    EUtilities.requests.clear()
    out = await call("pubmed_search", query="kelp", min_date="2022/1", date_type="edat")
    assert EUtilities.requests[0]["query"]["maxdate"] == "3000/12/31"
    assert EUtilities.requests[0]["query"]["mindate"] == "2022/01"
    assert EUtilities.requests[0]["query"]["datetype"] == "edat"
    recent = await call("pubmed_search", query="kelp", within_days=7)
    assert [a["pmid"] for a in recent["articles"]] == [RECENT_PMID]
    assert recent["articles"][0]["publication_date"] == (date.today() - timedelta(days=1)).isoformat()
    with pytest.raises(ToolError, match="`max_date` is not a date: '2024/13'"):
        await call("pubmed_search", query="kelp", max_date="2024/13")


async def test_no_results_make_no_fetch():
    out = await call("pubmed_search", query="unicorns")
    assert out == {"articles": [], "total_count": 0, "query_translation": "unicorns[All Fields]"}
    assert [r["path"] for r in EUtilities.requests] == ["/entrez/eutils/esearch.fcgi"]


async def test_malformed_answers_are_reported():
    EUtilities.garbled = True
    with pytest.raises(ToolError, match="PubMed sent records that are not readable XML"):
        await call("pubmed_search", query="kelp")
    with pytest.raises(ToolError, match="PubMed sent a search answer that is not readable"):
        await call("pubmed_search", query="badjson")
    with pytest.raises(ToolError, match="PubMed refused the search: Invalid query: unbalanced parentheses"):
        await call("pubmed_search", query="refused")


async def test_http_errors_and_rate_limits():
    with pytest.raises(ToolError, match="PubMed answered HTTP 500"):
        await call("pubmed_search", query="crash")
    EUtilities.requests.clear()
    EUtilities.busy_left = 1
    out = await call("pubmed_search", query="busy kelp")
    assert out["total_count"] == 4 and len(EUtilities.requests) == 3  # 429, then the search again, then the fetch
    with pytest.raises(ToolError, match=r"PubMed refused more requests for now \(HTTP 429\).*api_key"):
        await call("pubmed_search", query="overloaded")


async def test_an_unreachable_service_and_the_outbound_guard(monkeypatch):
    from server.settings import get_settings

    monkeypatch.setenv("PUBMED_BASE_URL", "http://127.0.0.1:9/entrez/eutils")
    get_settings.cache_clear()
    with pytest.raises(ToolError, match="PubMed is unreachable: cannot connect to 127.0.0.1:9"):
        await call("pubmed_search", query="kelp")
    monkeypatch.undo()
    get_settings.cache_clear()
