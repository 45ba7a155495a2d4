"""The fixture messages of the test mailbox: plain text, HTML only, multipart/alternative, a
reply in a thread, Latin-1, Windows-1252 and Shift_JIS texts, an attachment, malformed
headers, and an old message. Each comes with its received time, relative to `now`."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

TIDES = "Tide Weekly <editor@tides.example.org>"
HARBOUR = "Harbour News <news@harbour.example.net>"
READER = "Reader <reader@example.com>"


def _message(sender: str, subject: str, sent: datetime, message_id: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = READER
    message["Subject"] = subject
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def plain(now: datetime) -> bytes:
    message = _message(TIDES, "Spring tides this week", now - timedelta(hours=2), "<spring-1@tides.example.org>")
    message.set_content(
        "Spring tides peak on Thursday.\nThe harbour expects water over the quay.\n\n"
        "Read more: https://tides.example.org/spring-tides, and the chart at https://tides.example.org/chart.\n"
    )
    return message.as_bytes()


def html_only(now: datetime) -> bytes:
    message = _message(HARBOUR, "Harbour budget approved", now - timedelta(hours=3), "<budget@harbour.example.net>")
    message.set_content(
        "<html><head><style>p {color: red}</style><script>track()</script></head><body>"
        "<h1>Budget approved</h1><p>The council approved the <b>harbour budget</b>.</p>"
        '<p><a href="https://harbour.example.net/budget">Read the budget</a> or '
        '<a href="mailto:news@harbour.example.net">write to us</a>.</p></body></html>',
        subtype="html",
    )
    return message.as_bytes()


def alternative(now: datetime) -> bytes:
    message = _message(TIDES, "Neap tides next", now - timedelta(hours=5), "<neap@tides.example.org>")
    message.set_content("Neap tides follow next week. Details: https://tides.example.org/neap\n")
    message.add_alternative(
        '<p>Neap tides follow <i>next week</i>. <a href="https://tides.example.org/neap">Details</a></p>',
        subtype="html",
    )
    return message.as_bytes()


def reply(now: datetime) -> bytes:
    message = _message(
        "Ana Lima <ana@example.com>",
        "Re: Spring tides this week",
        now - timedelta(hours=1),
        "<reply-1@example.com>",
        In_Reply_To="<spring-1@tides.example.org>",
        References="<spring-1@tides.example.org>",
    )
    message.set_content("Will the ferry still run on Thursday?\n")
    return message.as_bytes()


def latin1(now: datetime) -> bytes:
    body = "Crème brûlée et café au menu du jour.\n".encode("iso-8859-1")
    return (
        b"From: =?iso-8859-1?q?Caf=E9_Bulletin?= <bulletin@cafe.example.fr>\r\n"
        b"To: reader@example.com\r\nSubject: =?iso-8859-1?q?Le_caf=E9_du_jour?=\r\n"
        + f"Date: {format_datetime(now - timedelta(hours=4))}\r\n".encode()
        + b"Message-ID: <cafe@cafe.example.fr>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
    )


def windows1252(now: datetime) -> bytes:
    body = "\u201cQuoted\u201d prices: 5\u20ac for a coffee \u2013 really.\n".encode("windows-1252")
    return (
        b"From: Prices <prices@shop.example.com>\r\nTo: reader@example.com\r\nSubject: Prices\r\n"
        + f"Date: {format_datetime(now - timedelta(hours=6))}\r\n".encode()
        + b"Message-ID: <prices@shop.example.com>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
    )


def shift_jis(now: datetime) -> bytes:
    subject = base64.b64encode("潮の便り".encode("shift_jis")).decode()
    body = base64.encodebytes("大潮は木曜日です。\n".encode("shift_jis"))
    return (
        b"From: Shiosai <news@shiosai.example.jp>\r\nTo: reader@example.com\r\n"
        + f"Subject: =?shift_jis?B?{subject}?=\r\n".encode()
        + f"Date: {format_datetime(now - timedelta(hours=7))}\r\n".encode()
        + b"Message-ID: <shio@shiosai.example.jp>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=shift_jis\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
    )


def with_attachment(now: datetime) -> bytes:
    message = _message(HARBOUR, "Minutes attached", now - timedelta(hours=8), "<minutes@harbour.example.net>")
    message.set_content("The minutes of the meeting are attached.\n")
    message.add_attachment(b"%PDF-1.4 minutes" * 64, maintype="application", subtype="pdf", filename="minutes.pdf")
    return message.as_bytes()


def malformed(now: datetime) -> bytes:
    return (
        b'From: "Broken Sender <broken@@example..com\r\n'
        b"To: , ,undisclosed-recipients:;\r\n"
        b"Subject: =?unknown-charset?q?strange?= header\r\n"
        b"Date: sometime yesterday\r\n"
        b"References: not-a-message-id\r\n"
        b"X-Garbage \xff\xfe no colon here\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        b"Body in an \xe9 unknown charset.\r\n"
    )


def old(now: datetime) -> bytes:
    message = _message(TIDES, "Last week's tides", now - timedelta(days=3), "<old@tides.example.org>")
    message.set_content("Last week the tides were ordinary.\n")
    return message.as_bytes()


def fixture_messages(now: datetime) -> list[tuple[bytes, datetime]]:
    """Every fixture message with the time the server received it, oldest first."""
    made = [
        (old(now), now - timedelta(days=3)),
        (malformed(now), now - timedelta(hours=9)),
        (with_attachment(now), now - timedelta(hours=8)),
        (shift_jis(now), now - timedelta(hours=7)),
        (windows1252(now), now - timedelta(hours=6)),
        (alternative(now), now - timedelta(hours=5)),
        (latin1(now), now - timedelta(hours=4)),
        (html_only(now), now - timedelta(hours=3)),
        (plain(now), now - timedelta(hours=2)),
        (reply(now), now - timedelta(hours=1)),
    ]
    return made
