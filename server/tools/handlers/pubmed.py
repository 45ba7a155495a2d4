"""pubmed_search: PubMed through the NCBI E-utilities (docs/tools.md, "pubmed_search").

Two requests through the guarded client: `esearch.fcgi` (JSON) finds the PMIDs in PubMed's
order, within `retmax` and the date filters; `efetch.fcgi` (PubmedArticleSet XML) gives their
records, read with defusedxml (no entities, no external references). `PUBMED_BASE_URL` says
where the E-utilities are. A 429 (too many requests) is tried once more after the wait the
server asks for (at most a few seconds).
"""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import msgspec
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from server.settings import get_settings
from server.tools.base import ResponseTooLarge, ToolContext, ToolError, outbound_client, read_limited
from server.tools.models import PubmedArticle, PubmedSearchOutputs, PubmedSearchParameters

RESOURCE = "pubmed"
ANSWER_MAX_BYTES = 20_000_000
RETRY_WAIT_MAX_SECONDS = 3.0
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DATE = re.compile(r"^(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?$")


class _SearchResult(msgspec.Struct):
    count: str = "0"
    idlist: list[str] = []
    querytranslation: str = ""
    ERROR: str | None = None
    errorlist: dict[str, Any] | None = None


class _SearchAnswer(msgspec.Struct):
    esearchresult: _SearchResult | None = None
    error: str | None = None


def _given(value: Any, default: Any) -> Any:
    return default if value is msgspec.UNSET else value


def _entrez_date(value: str, name: str) -> str:
    match = _DATE.match(value.strip())
    if match is None:
        raise ToolError(f"`{name}` must be written YYYY, YYYY/MM or YYYY/MM/DD, not {value!r}")
    year, month, day = match.groups()
    if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
        raise ToolError(f"`{name}` is not a date: {value!r}")
    return "/".join(part.zfill(2) for part in (year, month, day) if part)


def search_query(parameters: PubmedSearchParameters, resource: dict[str, Any]) -> dict[str, str]:
    """The esearch parameters (and the identification every request carries)."""
    query = {
        "db": "pubmed",
        "term": parameters.query,
        "retmode": "json",
        "retmax": str(_given(parameters.max_results, 20)),
        "sort": _given(parameters.sort, "relevance"),
        **identification(resource),
    }
    low, high = _given(parameters.min_date, None), _given(parameters.max_date, None)
    days = _given(parameters.within_days, None)
    if low or high or days:
        query["datetype"] = _given(parameters.date_type, "pdat")
    if low or high:
        # E-utilities take a date range only with both ends.
        query["mindate"] = _entrez_date(low, "min_date") if low else "1000/01/01"
        query["maxdate"] = _entrez_date(high, "max_date") if high else "3000/12/31"
    if days:
        query["reldate"] = str(days)
    return query


def identification(resource: dict[str, Any]) -> dict[str, str]:
    found = {"tool": str(resource.get("tool") or "missions")}
    if resource.get("email"):
        found["email"] = str(resource["email"])
    if resource.get("api_key"):
        found["api_key"] = str(resource["api_key"])
    return found


def _text(element: ET.Element | None) -> str:
    """All the text inside an element (inline markup such as <i> and <sup> kept as text)."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _abstract(article: ET.Element) -> str:
    sections = []
    for part in article.findall("./Abstract/AbstractText"):
        text = _text(part)
        label = (part.get("Label") or "").strip()
        if text:
            sections.append(f"{label}: {text}" if label else text)
    return "\n\n".join(sections)


def _authors(article: ET.Element) -> list[str]:
    names = []
    for author in article.findall("./AuthorList/Author"):
        collective = _text(author.find("CollectiveName"))
        given = _text(author.find("ForeName")) or _text(author.find("Initials"))
        name = " ".join(p for p in (given, _text(author.find("LastName")), _text(author.find("Suffix"))) if p)
        if name or collective:
            names.append(name or collective)
    return names


def _date(article: ET.Element) -> str:
    """The publication date, as precise as the record says (YYYY-MM-DD, YYYY-MM or YYYY)."""
    for date in [*article.findall("./ArticleDate"), article.find("./Journal/JournalIssue/PubDate")]:
        if date is None:
            continue
        year = _text(date.find("Year"))
        if not year:
            medline = re.match(r"\d{4}", _text(date.find("MedlineDate")))
            return medline.group(0) if medline else ""
        month_text = _text(date.find("Month")).lower()[:3]
        month = _MONTHS.get(month_text) or (int(month_text) if month_text.isdigit() else 0)
        day = _text(date.find("Day"))
        if not month:
            return year
        if not day.isdigit():
            return f"{year}-{month:02d}"
        return f"{year}-{month:02d}-{int(day):02d}"
    return ""


def _doi(record: ET.Element, article: ET.Element) -> str:
    for found in article.findall("./ELocationID"):
        if found.get("EIdType") == "doi" and _text(found):
            return _text(found)
    for found in record.findall("./PubmedData/ArticleIdList/ArticleId"):
        if found.get("IdType") == "doi" and _text(found):
            return _text(found)
    return ""


def parse_articles(content: bytes) -> list[PubmedArticle]:
    """The articles of an efetch PubmedArticleSet (book records are left out)."""
    try:
        root = fromstring(content)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise ToolError(f"PubMed sent records that are not readable XML ({exc})") from None
    if root.tag != "PubmedArticleSet":
        raise ToolError(f"PubMed sent an unexpected document (<{root.tag}> instead of <PubmedArticleSet>)")
    articles = []
    for record in root.findall("./PubmedArticle"):
        citation = record.find("./MedlineCitation")
        article = citation.find("./Article") if citation is not None else None
        pmid = _text(citation.find("./PMID")) if citation is not None else ""
        if article is None or not pmid:
            continue
        journal = article.find("./Journal")
        articles.append(
            PubmedArticle(
                pmid=pmid,
                title=_text(article.find("./ArticleTitle")),
                abstract=_abstract(article),
                authors=_authors(article),
                journal=_text(journal.find("./Title")) if journal is not None else "",
                journal_abbreviation=_text(journal.find("./ISOAbbreviation")) if journal is not None else "",
                publication_date=_date(article),
                doi=_doi(record, article),
                url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            )
        )
    return articles


async def _get(client: httpx.AsyncClient, url: str, params: dict[str, str], timeout: float) -> bytes:
    """One E-utilities answer's body; a 429 is tried once more after the asked wait."""
    for attempt in range(2):
        try:
            async with asyncio.timeout(timeout):
                async with client.stream("GET", url, params=params) as response:
                    if response.status_code == 429 and attempt == 0:
                        wait = response.headers.get("retry-after", "1")
                        await asyncio.sleep(min(float(wait) if wait.isdigit() else 1.0, RETRY_WAIT_MAX_SECONDS))
                        continue
                    if response.status_code == 429:
                        raise ToolError(
                            "PubMed refused more requests for now (HTTP 429): try again in a moment, "
                            "or configure an NCBI API key (resource `pubmed`, field `api_key`)"
                        )
                    if response.status_code != 200:
                        raise ToolError(f"PubMed answered HTTP {response.status_code}")
                    return await read_limited(response, ANSWER_MAX_BYTES)
        except (TimeoutError, httpx.TimeoutException):
            raise ToolError(f"PubMed did not answer within {timeout:g} s") from None
        except ResponseTooLarge:
            raise ToolError(f"PubMed's answer is larger than {ANSWER_MAX_BYTES} bytes") from None
        except httpx.HTTPError as exc:
            raise ToolError(f"PubMed is unreachable: {exc or type(exc).__name__}") from None
    raise ToolError("PubMed refused more requests for now (HTTP 429)")


def _search_result(content: bytes) -> _SearchResult:
    try:
        answer = msgspec.json.decode(content, type=_SearchAnswer)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ToolError(f"PubMed sent a search answer that is not readable ({exc})") from None
    if answer.error:
        raise ToolError(f"PubMed refused the search: {answer.error}")
    result = answer.esearchresult
    if result is None:
        raise ToolError("PubMed sent a search answer without results")
    if result.ERROR:
        raise ToolError(f"PubMed refused the search: {result.ERROR}")
    return result


async def pubmed_search(parameters: PubmedSearchParameters, context: ToolContext) -> PubmedSearchOutputs:
    resource = context.resources.get(RESOURCE) or {}
    query = search_query(parameters, resource)
    base = context.pubmed_base_url.rstrip("/")
    try:
        timeout = min(float(resource.get("timeout_seconds") or 30.0), context.timeout_seconds)
    except (TypeError, ValueError):
        raise ToolError("the `pubmed` resource's `timeout_seconds` must be a number") from None
    async with outbound_client(timeout=timeout, headers={"accept": "application/json, text/xml"}) as client:
        found = _search_result(await _get(client, f"{base}/esearch.fcgi", query, timeout))
        ids = [pmid for pmid in found.idlist if pmid.isdigit()][: int(query["retmax"])]
        if not ids:
            count = int(found.count) if found.count.isdigit() else 0
            return PubmedSearchOutputs(articles=[], total_count=count, query_translation=found.querytranslation)
        fetch = {
            "db": "pubmed",
            "id": ",".join(ids),
            "retmode": "xml",
            "rettype": "abstract",
            **identification(resource),
        }
        records = {a.pmid: a for a in parse_articles(await _get(client, f"{base}/efetch.fcgi", fetch, timeout))}
    return PubmedSearchOutputs(
        articles=[records[pmid] for pmid in ids if pmid in records],
        total_count=int(found.count) if found.count.isdigit() else len(ids),
        query_translation=found.querytranslation,
    )


async def check_pubmed(values: dict[str, object], timeout: float) -> str:
    """A saved PubMed connection's check: one search that asks for no records, with its key."""
    resource = dict(values)
    base = get_settings().outbound.pubmed_base_url.rstrip("/")
    query = {"db": "pubmed", "term": "science", "retmax": "0", "retmode": "json", **identification(resource)}
    async with outbound_client(timeout=timeout, headers={"accept": "application/json"}) as client:
        found = _search_result(await _get(client, f"{base}/esearch.fcgi", query, timeout))
    return f"PubMed answered a test search ({found.count or 0} articles match)"
