"""An e-mail message as the `email` value (docs/tools.md, "email_search"): parsed with the
standard library's parser and its modern policy, leniently: a malformed header becomes an
empty field, an unknown charset is read as Latin-1, a message cut at the byte limit still gives
what it has.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, Literal

from server.tools.handlers.web import ReadableText
from server.tools.models import Email, EmailAddress, EmailAttachment

_PARSER = BytesParser(policy=policy.default)
_URL = re.compile(r"""https?://[^\s<>"'`{}|\\^\[\]]+""", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class _LinkedText(ReadableText):
    """The readable text of an HTML body, and the targets of its links."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.lower().startswith(("http://", "https://")):
                self.links.append(href.strip())
        super().handle_starttag(tag, attrs)


def _header(message: Message, name: str) -> str:
    """A header's decoded text; empty when absent or beyond repair."""
    try:
        value = message.get(name)
    except Exception:  # the parser defers some header errors until the value is read
        return ""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _addresses(message: Message, name: str) -> list[EmailAddress]:
    try:
        header = message.get(name)
        found = list(getattr(header, "addresses", ()))
    except Exception:
        found = []
    if found:
        return [_address(a) for a in found if isinstance(a, Address) and (a.addr_spec or a.display_name)]
    # A header the modern parser could not read: the older, forgiving address parser.
    raw = [str(v) for v in (message.get_all(name) or [])]
    return [EmailAddress(name=n.strip(), address=a.strip()) for n, a in getaddresses(raw) if a or n]


def _address(address: Address) -> EmailAddress:
    spec = address.addr_spec if address.username else ""
    return EmailAddress(name=address.display_name or "", address=spec.strip("<>"))


def _message_ids(text: str) -> list[str]:
    return _MESSAGE_ID.findall(text)


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sent_at(message: Message, received_at: datetime | None) -> str:
    raw = _header(message, "date")
    if raw:
        try:
            return _utc(parsedate_to_datetime(raw))
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    return _utc(received_at) if received_at else ""


def _decoded(part: Message) -> str:
    """A text part's content as text, whatever its declared charset."""
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("latin-1", errors="replace")


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or (disposition != "inline" and bool(part.get_filename()))


def _body_parts(message: Message) -> tuple[Message | None, Message | None, list[EmailAttachment]]:
    """The first text/plain and text/html parts that are not attachments, and the attachments."""
    plain: Message | None = None
    html: Message | None = None
    attachments: list[EmailAttachment] = []
    parts = message.walk() if message.is_multipart() else iter([message])
    for part in parts:
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        if _is_attachment(part):
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
            try:
                filename = part.get_filename() or ""
            except Exception:
                filename = ""
            attachments.append(EmailAttachment(filename=filename, content_type=content_type, size_bytes=size))
        elif content_type == "text/plain" and plain is None:
            plain = part
        elif content_type == "text/html" and html is None:
            html = part
    return plain, html, attachments


def _links(text: str, found: list[str]) -> list[str]:
    links = list(found)
    for match in _URL.finditer(text):
        links.append(match.group(0).rstrip(_TRAILING))
    return list(dict.fromkeys(link for link in links if len(link) <= 2048))


BodySource = Literal["text", "html", "none"]


def _body(message: Message) -> tuple[str, BodySource, list[str], list[EmailAttachment]]:
    """The body text, where it came from (`text`, `html`, `none`), its links, the attachments."""
    plain, html, attachments = _body_parts(message)
    html_links: list[str] = []
    if html is not None:
        reader = _LinkedText()
        try:
            reader.feed(_decoded(html))
            reader.close()
        except Exception:  # html.parser is lenient; what it still refuses leaves the links found so far
            pass
        html_links = reader.links
    if plain is not None:
        text = _decoded(plain).replace("\r\n", "\n").strip()
        return text, "text", _links(text, html_links), attachments
    if html is not None:
        text = reader.text()
        return text, "html", _links(text, html_links), attachments
    return "", "none", [], attachments


def parse_email(
    raw: bytes, *, folder: str, uid: int, size: int, received_at: datetime | None, max_body_chars: int, cut: bool
) -> Email:
    """The `email` value of one message (`raw`: its first bytes, `cut` when there were more)."""
    message = _PARSER.parsebytes(raw)
    body, source, links, attachments = _body(message)
    truncated = cut or len(body) > max_body_chars
    message_id = next(iter(_message_ids(_header(message, "message-id"))), _header(message, "message-id"))
    references = _message_ids(_header(message, "references"))
    in_reply_to = next(iter(_message_ids(_header(message, "in-reply-to"))), "")
    thread_id = references[0] if references else in_reply_to or message_id
    senders = _addresses(message, "from")
    return Email(
        message_id=message_id,
        thread_id=thread_id,
        in_reply_to=in_reply_to,
        references=references,
        folder=folder,
        uid=uid,
        from_=senders[0] if senders else EmailAddress(name="", address=""),
        to=_addresses(message, "to"),
        cc=_addresses(message, "cc"),
        date=_sent_at(message, received_at),
        received_at=_utc(received_at) if received_at else "",
        subject=_header(message, "subject"),
        body=body[:max_body_chars],
        body_source=source,
        links=links[:200],
        attachments=attachments,
        size_bytes=size,
        truncated=truncated,
    )


def email_sort_key(email: Email) -> Any:
    return (email.received_at or email.date, email.uid)
