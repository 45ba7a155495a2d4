"""A local server speaking the NCBI E-utilities protocol for `pubmed_search` (stdlib
`http.server` in a thread, on 127.0.0.1): `esearch.fcgi` answers JSON shaped like the real
answers, searching a small corpus by words of the title and abstract with `retmax`, `sort`,
`datetype`, `mindate`/`maxdate` and `reldate`; `efetch.fcgi` answers a PubmedArticleSet.
Some query words make it misbehave: `crash` (HTTP 500), `busy` (429 once, then normal),
`overloaded` (429 always), `badjson` (esearch not JSON), `refused` (esearch's ERROR field).
Requests are recorded in `EUtilities.requests`; `EUtilities.garbled` cuts efetch's XML in half.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

RECORDS = [
    {
        "pmid": "39000001",
        "title": "Kelp forest <i>recovery</i> after sea otter return.",
        "abstract": [
            ("BACKGROUND", "Kelp forests declined where urchins grew."),
            ("RESULTS", "Kelp doubled within two years of otters returning."),
            ("CONCLUSIONS", "Predators restore kelp."),
        ],
        "authors": [("Ana", "Lima", ""), ("Jon", "Berg", "Jr"), ("", "", "Kelp Study Group")],
        "journal": ("Marine Ecology Progress Series", "Mar Ecol Prog Ser"),
        "pubdate": ("2024", "Mar", "15"),
        "doi_elocation": "10.3354/meps14500",
        "doi_articleid": None,
    },
    {
        "pmid": "39000002",
        "title": "Tidal rhythms in coastal kelp growth.",
        "abstract": [("", "Growth follows the spring-neap cycle of tides.")],
        "authors": [("Mei", "Tanaka", "")],
        "journal": ("Journal of Phycology", "J Phycol"),
        "pubdate": ("2021", "11", ""),
        "doi_elocation": None,
        "doi_articleid": "10.1111/jpy.13200",
    },
    {
        "pmid": "39000003",
        "title": "A history of kelp harvesting.",
        "abstract": [],
        "authors": [],
        "journal": ("Coastal History", "Coast Hist"),
        "pubdate": ("", "", "", "1998 Spring-Summer"),
        "doi_elocation": None,
        "doi_articleid": None,
    },
]
RECENT_PMID = "39000004"
"""Added at start-up with a publication date of yesterday (for `within_days`)."""


def _record_date(record: dict) -> date:
    months = "jan feb mar apr may jun jul aug sep oct nov dec".split()
    year, month, day = record["pubdate"][:3]
    year = year or record["pubdate"][3][:4]
    month_number = (months.index(month.lower()) + 1) if month and not month.isdigit() else int(month or 1)
    return date(int(year), month_number, int(day or 1))


def _entrez(value: str) -> date:
    parts = [int(p) for p in value.split("/")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def article_xml(record: dict) -> str:
    abstract = "".join(
        f'<AbstractText Label="{label}">{escape(text)}</AbstractText>'
        if label
        else f"<AbstractText>{escape(text)}</AbstractText>"
        for label, text in record["abstract"]
    )
    authors = "".join(
        f"<Author><CollectiveName>{escape(group)}</CollectiveName></Author>"
        if group and not last
        else f"<Author><LastName>{last}</LastName><ForeName>{first}</ForeName><Initials>{first[:1]}</Initials>"
        + (f"<Suffix>{group}</Suffix>" if group else "")
        + "</Author>"
        for first, last, group in record["authors"]
    )
    pub = record["pubdate"]
    if len(pub) == 4:
        pubdate = f"<MedlineDate>{pub[3]}</MedlineDate>"
    else:
        pubdate = (
            f"<Year>{pub[0]}</Year>"
            + (f"<Month>{pub[1]}</Month>" if pub[1] else "")
            + (f"<Day>{pub[2]}</Day>" if pub[2] else "")
        )
    elocation = (
        f'<ELocationID EIdType="doi" ValidYN="Y">{record["doi_elocation"]}</ELocationID>'
        if record["doi_elocation"]
        else ""
    )
    ids = f'<ArticleId IdType="pubmed">{record["pmid"]}</ArticleId>'
    if record["doi_articleid"]:
        ids += f'<ArticleId IdType="doi">{record["doi_articleid"]}</ArticleId>'
    journal, abbreviation = record["journal"]
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{record["pmid"]}</PMID>'
        f'<Article PubModel="Print"><Journal><ISSN IssnType="Print">0000-0000</ISSN><JournalIssue CitedMedium="Print">'
        f"<Volume>1</Volume><PubDate>{pubdate}</PubDate></JournalIssue><Title>{escape(journal)}</Title>"
        f"<ISOAbbreviation>{escape(abbreviation)}</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{record['title']}</ArticleTitle>{elocation}"
        + (f"<Abstract>{abstract}</Abstract>" if abstract else "")
        + (f'<AuthorList CompleteYN="Y">{authors}</AuthorList>' if authors else "")
        + f"<Language>eng</Language></Article></MedlineCitation><PubmedData><ArticleIdList>{ids}</ArticleIdList>"
        "</PubmedData></PubmedArticle>"
    )


class EUtilities(BaseHTTPRequestHandler):
    requests: list[dict] = []
    busy_left = 0
    records: list[dict] = []

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append({"path": url.path, "query": query})
        term = query.get("term", "") + " " + query.get("id", "")
        if "crash" in term:
            return self._send(500, b"internal error", "text/plain")
        if "overloaded" in term or ("busy" in term and type(self).busy_left > 0):
            type(self).busy_left -= 1
            return self._send(429, b'{"error":"API rate limit exceeded"}', "application/json", {"retry-after": "1"})
        if url.path.endswith("/esearch.fcgi"):
            return self._esearch(query)
        if url.path.endswith("/efetch.fcgi"):
            return self._efetch(query)
        self._send(404, b"unknown", "text/plain")

    def _matches(self, query: dict) -> list[dict]:
        words = [w.lower() for w in query["term"].split() if w.lower() not in ("busy", "and")]
        found = [r for r in type(self).records if all(w in (r["title"] + str(r["abstract"])).lower() for w in words)]
        if "mindate" in query or "maxdate" in query:
            low, high = _entrez(query["mindate"]), _entrez(query["maxdate"])
            found = [r for r in found if low <= _record_date(r) <= high]
        if "reldate" in query:
            since = date.today() - timedelta(days=int(query["reldate"]))
            found = [r for r in found if _record_date(r) >= since]
        if query.get("sort") == "pub_date":
            found.sort(key=_record_date, reverse=True)
        return found

    def _esearch(self, query: dict) -> None:
        if "badjson" in query["term"]:
            return self._send(200, b"{not json", "application/json")
        if "refused" in query["term"]:
            answer = {"esearchresult": {"ERROR": "Invalid query: unbalanced parentheses"}}
            return self._send(200, json.dumps(answer).encode(), "application/json")
        found = self._matches(query)
        ids = [r["pmid"] for r in found][: int(query.get("retmax", "20"))]
        answer = {
            "header": {"type": "esearch", "version": "0.3"},
            "esearchresult": {
                "count": str(len(found)),
                "retmax": str(len(ids)),
                "retstart": "0",
                "idlist": ids,
                "translationset": [],
                "querytranslation": " AND ".join(f"{w}[All Fields]" for w in query["term"].split()),
            },
        }
        self._send(200, json.dumps(answer).encode(), "application/json")

    def _efetch(self, query: dict) -> None:
        ids = query.get("id", "").split(",")
        wanted = [r for r in type(self).records if r["pmid"] in ids]
        body = "".join(article_xml(r) for r in wanted)
        document = (
            '<?xml version="1.0" ?>\n'
            '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN" '
            '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n'
            f"<PubmedArticleSet>{body}</PubmedArticleSet>"
        )
        if type(self).garbled:
            document = document[: len(document) // 2]
        self._send(200, document.encode(), "text/xml; charset=utf-8")

    garbled = False


@contextmanager
def eutilities_server():
    """Base URL of a local E-utilities server (`PUBMED_BASE_URL` points there meanwhile)."""
    yesterday = date.today() - timedelta(days=1)
    EUtilities.records = [
        *RECORDS,
        {
            **RECORDS[1],
            "pmid": RECENT_PMID,
            "title": "Kelp tides this week.",
            "pubdate": (str(yesterday.year), str(yesterday.month), str(yesterday.day)),
        },
    ]
    server = ThreadingHTTPServer(("127.0.0.1", 0), EUtilities)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/entrez/eutils"
    finally:
        server.shutdown()
        server.server_close()
