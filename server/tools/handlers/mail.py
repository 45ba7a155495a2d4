"""email_search: search a mailbox over IMAP (docs/tools.md, "email_search").

The standard library's `imaplib` runs in a worker thread, one connection per search, every
exchange bounded by a socket timeout. The connection goes to an address the outbound guard
checked (`permitted_addresses`: public, or allowed by `OUTBOUND_ALLOW_HOSTS`), never to the
name again; TLS still verifies the host name. The folder is opened read-only and bodies are
fetched with `BODY.PEEK`, so nothing is marked as seen. Two rounds: the dates and sizes of
every match (to keep the newest), then at most `max_message_bytes` of each kept message.
"""

from __future__ import annotations

import asyncio
import base64
import imaplib
import re
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from server.tools.base import ToolContext, ToolError, connect_failure, permitted_addresses
from server.tools.handlers.messages import parse_email
from server.tools.models import Email, EmailSearchOutputs, EmailSearchParameters

RESOURCE = "mailbox"
SECURITY = ("tls", "starttls", "none")
MAX_MATCHES_READ = 20_000
"""Matches whose dates are read at most (the newest by UID); a search matching more keeps these."""
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FETCH_UID = re.compile(rb"UID (\d+)")
_FETCH_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_FETCH_DATE = re.compile(rb'INTERNALDATE "([^"]+)"')


@dataclass(frozen=True, slots=True)
class Mailbox:
    """The `mailbox` resource's values."""

    host: str
    port: int
    username: str
    password: str
    security: str
    folder: str
    timeout_seconds: float


def mailbox_settings(resources: dict[str, dict[str, Any]], step_timeout: float) -> Mailbox:
    values = resources.get(RESOURCE) or {}
    missing = [name for name in ("host", "username", "password") if not values.get(name)]
    if missing:
        fields = ", ".join(f"`{name}`" for name in missing)
        raise ToolError(f"the mailbox is not configured (resource `{RESOURCE}`: {fields} missing)")
    security = str(values.get("security") or "tls").lower()
    if security not in SECURITY:
        raise ToolError(f"the mailbox's `security` must be tls, starttls or none, not {security!r}")
    try:
        port = int(values.get("port") or (993 if security == "tls" else 143))
        timeout = float(values.get("timeout_seconds") or 30.0)
    except (TypeError, ValueError):
        raise ToolError("the mailbox's `port` and `timeout_seconds` must be numbers") from None
    if not 0 < port < 65536:
        raise ToolError(f"the mailbox's `port` must be between 1 and 65535, not {port}")
    return Mailbox(
        host=str(values["host"]).strip(),
        port=port,
        username=str(values["username"]),
        password=str(values["password"]),
        security=security,
        folder=str(values.get("folder") or "INBOX"),
        timeout_seconds=max(0.5, min(timeout, step_timeout)),
    )


class _Guarded(imaplib.IMAP4):
    """An IMAP connection to one checked address (the host name stays for TLS)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._address = address
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return socket.create_connection((self._address, self.port), timeout)


class _GuardedTLS(imaplib.IMAP4_SSL, _Guarded):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._address = address
        imaplib.IMAP4_SSL.__init__(self, host, port, ssl_context=ssl.create_default_context(), timeout=timeout)


def imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501, 5.1.3)."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + encoded.replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _imap_date(day: date) -> str:
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}"


def _given(value: Any, default: Any) -> Any:
    return default if value is msgspec.UNSET else value


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ToolError(f"`{name}` must be a day written YYYY-MM-DD, not {value!r}") from None


@dataclass(slots=True)
class _Query:
    """The SEARCH criteria, and the one non-ASCII value sent as a literal (IMAP quotes ASCII only)."""

    terms: list[str]
    literal: bytes | None = None

    def add(self, key: str, value: str) -> None:
        if value.isascii():
            self.terms[:0] = [key, _quoted(value)]
        elif self.literal is None:
            self.terms.append(key)
            self.literal = value.encode()
        else:
            raise ToolError("at most one search value may contain characters beyond ASCII")


def build_query(parameters: EmailSearchParameters, now: datetime) -> tuple[_Query, datetime | None]:
    """The criteria, and the moment a message must be received after (`newer_than_hours`)."""
    query = _Query(terms=[])
    since = _given(parameters.since, None)
    before = _given(parameters.before, None)
    hours = _given(parameters.newer_than_hours, None)
    cutoff = now - timedelta(hours=float(hours)) if hours is not None else None
    days = [_day(since, "since")] if since else []
    if cutoff is not None:
        days.append(cutoff.date() - timedelta(days=1))  # the server's day may start earlier than UTC's
    if days:
        query.terms[:0] = ["SINCE", _imap_date(max(days))]
    if before:
        query.terms[:0] = ["BEFORE", _imap_date(_day(before, "before"))]
    for key, name in (("TO", "to"), ("SUBJECT", "subject"), ("TEXT", "text")):
        value = _given(getattr(parameters, name), None)
        if value:
            query.add(key, value)
    senders = [s for s in _given(parameters.senders, None) or [] if s.strip()]
    if any(not s.isascii() for s in senders):
        raise ToolError("`senders` may contain ASCII characters only (write the address)")
    if senders:
        terms: list[str] = ["FROM", _quoted(senders[-1])]
        for sender in reversed(senders[:-1]):
            terms = ["OR", "FROM", _quoted(sender), *terms]
        query.terms[:0] = terms
    if not query.terms:
        query.terms = ["ALL"]
    return query, cutoff


def _internal_date(meta: bytes) -> datetime | None:
    match = _FETCH_DATE.search(meta)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z").astimezone(UTC)
    except ValueError:
        return None


def _fetched(data: list[Any]) -> list[tuple[bytes, bytes | None]]:
    """(metadata, literal) per message of a FETCH answer; items after a literal join its metadata."""
    records: list[tuple[bytes, bytes | None]] = []
    for item in data:
        if isinstance(item, tuple):
            records.append((bytes(item[0]), bytes(item[1])))
        elif isinstance(item, bytes) and records and not re.match(rb"\d+ \(", item):
            meta, literal = records[-1]
            records[-1] = (meta + item, literal)
        elif isinstance(item, bytes):
            records.append((item, None))
    return records


def _checked(answer: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = answer
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")[:200]
        raise ToolError(f"the mail server refused the {what}: {detail}")
    return data


@dataclass(frozen=True, slots=True)
class _Limits:
    folder: str
    max_messages: int
    max_body_chars: int
    max_message_bytes: int
    cutoff: datetime | None


def _connect(box: Mailbox, addresses: list[str]) -> imaplib.IMAP4:
    kind = _GuardedTLS if box.security == "tls" else _Guarded
    for address in addresses:
        try:
            return kind(box.host, box.port, address, box.timeout_seconds)
        except ssl.SSLCertVerificationError as exc:
            raise ToolError(
                f"the mail server's TLS certificate could not be verified ({exc.verify_message}); "
                "check the host name, or choose the security the server offers"
            ) from None
        except ssl.SSLError:
            raise ToolError(
                f"TLS with {box.host}:{box.port} failed: does the server speak TLS on this port "
                "(`starttls` or `none` for a plain port)?"
            ) from None
        except TimeoutError:
            raise ToolError(f"the mail server did not answer within {box.timeout_seconds:g} s") from None
        except (OSError, imaplib.IMAP4.abort, EOFError):
            continue
        except imaplib.IMAP4.error:
            raise ToolError(f"{box.host}:{box.port} does not answer as an IMAP server") from None
    raise ToolError(f"the mail server is unreachable: {connect_failure(box.host, box.port)}")


def _sign_in(connection: imaplib.IMAP4, box: Mailbox) -> None:
    if box.security == "starttls":
        try:
            connection.starttls(ssl.create_default_context())
        except ssl.SSLCertVerificationError as exc:
            raise ToolError(f"the mail server's TLS certificate could not be verified ({exc.verify_message})") from None
        except imaplib.IMAP4.error:
            raise ToolError("the mail server does not offer STARTTLS: choose `tls` or `none` as its security") from None
    try:
        connection.login(box.username, box.password)
    except imaplib.IMAP4.abort:
        raise
    except (imaplib.IMAP4.error, UnicodeEncodeError):
        # The server's own words are not echoed: some quote what they were sent.
        raise ToolError(
            f"the mail server refused the sign-in of {box.username}: check the user name and password "
            "(providers with two-step sign-in need an app password)"
        ) from None


def _open_folder(connection: imaplib.IMAP4, folder: str) -> None:
    status, _ = connection.select(_quoted(imap_utf7(folder)), readonly=True)
    if status == "OK":
        return
    names: list[str] = []
    status, listed = connection.list()
    if status == "OK":
        for line in listed:
            if isinstance(line, bytes):
                match = re.search(rb'"?([^"]*)"?$', line.split(b") ", 1)[-1].split(b" ", 1)[-1])
                names.append(match.group(1).decode(errors="replace") if match else "")
    known = ", ".join(sorted(n for n in names if n)[:30])
    raise ToolError(f"the mailbox has no folder {folder!r}" + (f" (folders: {known})" if known else ""))


def _newest(connection: imaplib.IMAP4, query: _Query, limits: _Limits) -> tuple[list[int], int]:
    """The UIDs of the newest matches (by received time, then UID), and how many matched."""
    terms = ["CHARSET", "UTF-8", *query.terms] if query.literal is not None else query.terms
    connection.literal = query.literal  # type: ignore[assignment]
    data = _checked(connection.uid("SEARCH", *terms), "search")
    uids = [int(u) for u in b" ".join(d for d in data if isinstance(d, bytes)).split() if u.isdigit()]
    uids = sorted(uids)[-MAX_MATCHES_READ:]
    if not uids:
        return [], 0
    found: list[tuple[datetime, int]] = []
    answer = connection.uid("FETCH", ",".join(map(str, uids)), "(UID INTERNALDATE)")
    for meta, _ in _fetched(_checked(answer, "listing of the matches")):
        uid = _FETCH_UID.search(meta)
        received = _internal_date(meta) or datetime.min.replace(tzinfo=UTC)
        if uid and (limits.cutoff is None or received >= limits.cutoff):
            found.append((received, int(uid.group(1))))
    found.sort(reverse=True)
    return [uid for _, uid in found[: limits.max_messages]], len(found)


def _messages(connection: imaplib.IMAP4, uids: list[int], limits: _Limits) -> list[Email]:
    items = f"(UID RFC822.SIZE INTERNALDATE BODY.PEEK[]<0.{limits.max_message_bytes}>)"
    answer = connection.uid("FETCH", ",".join(map(str, uids)), items)
    emails: dict[int, Email] = {}
    for meta, raw in _fetched(_checked(answer, "reading of the messages")):
        uid_match, size_match = _FETCH_UID.search(meta), _FETCH_SIZE.search(meta)
        if uid_match is None:
            continue
        uid = int(uid_match.group(1))
        raw = raw or b""
        size = int(size_match.group(1)) if size_match else len(raw)
        emails[uid] = parse_email(
            raw,
            folder=limits.folder,
            uid=uid,
            size=size,
            received_at=_internal_date(meta),
            max_body_chars=limits.max_body_chars,
            cut=size > len(raw),
        )
    return [emails[uid] for uid in uids if uid in emails]


def search_mailbox(box: Mailbox, addresses: list[str], query: _Query, limits: _Limits) -> EmailSearchOutputs:
    """The whole exchange with the server (blocking; run in a worker thread)."""
    connection = _connect(box, addresses)
    try:
        _sign_in(connection, box)
        _open_folder(connection, limits.folder)
        uids, matched = _newest(connection, query, limits)
        emails = _messages(connection, uids, limits) if uids else []
        return EmailSearchOutputs(emails=emails, matched=matched)
    except TimeoutError:
        raise ToolError(f"the mail server did not answer within {box.timeout_seconds:g} s") from None
    except (imaplib.IMAP4.abort, OSError, EOFError):
        raise ToolError("the mail server closed the connection before the search ended") from None
    except imaplib.IMAP4.error as exc:
        raise ToolError(f"the mail server refused the search: {str(exc)[:200]}") from None
    finally:
        try:
            connection.shutdown()
        except OSError:
            pass


async def email_search(parameters: EmailSearchParameters, context: ToolContext) -> EmailSearchOutputs:
    box = mailbox_settings(context.resources, context.timeout_seconds)
    query, cutoff = build_query(parameters, datetime.now(UTC))
    limits = _Limits(
        folder=_given(parameters.folder, None) or box.folder,
        max_messages=_given(parameters.max_messages, 50),
        max_body_chars=_given(parameters.max_body_chars, 20_000),
        max_message_bytes=_given(parameters.max_message_bytes, 1_000_000),
        cutoff=cutoff,
    )
    addresses = [str(a) for a in await permitted_addresses(box.host, box.port)]
    if not addresses:
        raise ToolError(f"the mail server is unreachable: {connect_failure(box.host, box.port)}")
    try:
        async with asyncio.timeout(context.timeout_seconds):
            return await asyncio.to_thread(search_mailbox, box, addresses, query, limits)
    except TimeoutError:
        raise ToolError(f"the mailbox search did not end within {context.timeout_seconds:g} s") from None


def _folder_count(box: Mailbox, addresses: list[str]) -> int:
    """Sign in, open the default folder read-only, and count its messages (blocking)."""
    connection = _connect(box, addresses)
    try:
        _sign_in(connection, box)
        _open_folder(connection, box.folder)
        status, data = connection.status(_quoted(imap_utf7(box.folder)), "(MESSAGES)")
        found = re.search(rb"MESSAGES (\d+)", b" ".join(d for d in data if isinstance(d, bytes)))
        return int(found.group(1)) if status == "OK" and found else 0
    except TimeoutError:
        raise ToolError(f"the mail server did not answer within {box.timeout_seconds:g} s") from None
    except (imaplib.IMAP4.abort, OSError, EOFError):
        raise ToolError("the mail server closed the connection during the check") from None
    finally:
        try:
            connection.shutdown()
        except OSError:
            pass


async def check_mailbox(values: dict[str, object], timeout: float) -> str:
    """A saved mailbox connection's check: it signs in and opens its folder, reading nothing."""
    box = mailbox_settings({RESOURCE: dict(values)}, timeout)
    addresses = [str(a) for a in await permitted_addresses(box.host, box.port)]
    if not addresses:
        raise ToolError(f"the mail server is unreachable: {connect_failure(box.host, box.port)}")
    try:
        async with asyncio.timeout(timeout):
            count = await asyncio.to_thread(_folder_count, box, addresses)
    except TimeoutError:
        raise ToolError(f"the mail server did not answer within {timeout:g} s") from None
    return f"signed in as {box.username}; the folder {box.folder} holds {count} messages"
