"""Benchmark: `email_search` against a real IMAP server (Dovecot, as the tests start it) with
1,000 messages in the mailbox, from 10 senders (plain, HTML-only and multipart/alternative
bodies of a few kilobytes), and a search that returns 100 of them (one sender's). Prints the
time of the first search and the median and slowest of the next runs. Target: under 2 s.

    .venv/bin/python tests/bench/bench_email_search.py [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

MESSAGES = 1_000
SENDERS = 10
PARAGRAPH = (
    "The spring tide reaches the quay on Thursday morning; the ferry leaves twenty minutes earlier. "
    "Divers counted twice as much kelp in the bay as last year. Read more at https://news.example.org/{n}. "
)


def message(n: int, now: datetime) -> tuple[bytes, datetime]:
    sender = n % SENDERS
    mail = EmailMessage()
    mail["From"] = f"Letter {sender} <letter{sender}@news{sender}.example.org>"
    mail["To"] = "reader@example.com"
    mail["Subject"] = f"Issue {n} of letter {sender}"
    mail["Message-ID"] = f"<issue-{n}@news{sender}.example.org>"
    mail["Date"] = (now - timedelta(minutes=n)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    text = PARAGRAPH.format(n=n) * 15
    html = "<html><body>" + "".join(f"<p>{PARAGRAPH.format(n=n)}</p>" for _ in range(15)) + "</body></html>"
    if n % 3 == 0:
        mail.set_content(text)
    elif n % 3 == 1:
        mail.set_content(html, subtype="html")
    else:
        mail.set_content(text)
        mail.add_alternative(html, subtype="html")
    return mail.as_bytes(), now - timedelta(minutes=n)


async def searches(server, runs: int) -> list[float]:
    from tests.tools.helpers import call

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = await call(
            "email_search",
            resources={"mailbox": server.resource()},
            senders=["letter3@news3.example.org"],
            max_messages=100,
        )
        times.append(time.perf_counter() - started)
        assert len(out["emails"]) == 100 and out["matched"] == 100, (len(out["emails"]), out["matched"])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ["OUTBOUND_ALLOW_HOSTS"] = "127.0.0.1"
    from tests.tools.dovecot import Dovecot

    now = datetime.now(UTC)
    with Dovecot() as server:
        started = time.perf_counter()
        server.append(message(n, now) for n in range(MESSAGES))
        print(f"mailbox filled: {MESSAGES} messages in {time.perf_counter() - started:.2f} s (IMAP APPEND)")
        times = asyncio.run(searches(server, args.runs))
    rest = times[1:] or times
    print(
        f"email_search returning 100 of {MESSAGES} messages: first {times[0] * 1000:.0f} ms, "
        f"median {statistics.median(rest) * 1000:.0f} ms, slowest {max(rest) * 1000:.0f} ms (target < 2000 ms)"
    )


if __name__ == "__main__":
    main()
