"""email_search against a real IMAP server (Dovecot, started by the `dovecot` fixture) with
plain, HTML-only, multipart, non-UTF-8, attachment and malformed messages; and against small
servers that break the protocol (closing the connection, never answering)."""

import socket
import threading
import time

import pytest

from server.settings import get_settings
from server.tools.base import ToolError
from tests.tools.dovecot import OTHER_PASSWORD, OTHER_USER, PASSWORD
from tests.tools.helpers import call


async def search(dovecot, resource=None, **parameters):
    return await call("email_search", resources={"mailbox": resource or dovecot.resource()}, **parameters)


def by_subject(out):
    return {email["subject"]: email for email in out["emails"]}


async def test_returns_every_message_newest_first_with_its_fields(dovecot):
    out = await search(dovecot)
    assert out["matched"] == 10
    subjects = [email["subject"] for email in out["emails"]]
    assert subjects[:3] == ["Re: Spring tides this week", "Spring tides this week", "Harbour budget approved"]
    assert subjects[-1] == "Last week's tides"
    spring = by_subject(out)["Spring tides this week"]
    assert spring["from"] == {"name": "Tide Weekly", "address": "editor@tides.example.org"}
    assert spring["to"] == [{"name": "Reader", "address": "reader@example.com"}]
    assert spring["message_id"] == "<spring-1@tides.example.org>" == spring["thread_id"]
    assert spring["folder"] == "INBOX" and spring["body_source"] == "text"
    assert spring["body"].startswith("Spring tides peak on Thursday.\nThe harbour")
    assert spring["links"] == ["https://tides.example.org/spring-tides", "https://tides.example.org/chart"]
    assert spring["date"].endswith("Z") and spring["received_at"].endswith("Z")
    assert spring["truncated"] is False and spring["size_bytes"] > 200


async def test_reads_the_thread_html_only_and_alternative_bodies(dovecot):
    emails = by_subject(await search(dovecot))
    reply = emails["Re: Spring tides this week"]
    assert reply["thread_id"] == "<spring-1@tides.example.org>" == reply["in_reply_to"]
    assert reply["references"] == ["<spring-1@tides.example.org>"]
    html = emails["Harbour budget approved"]
    assert html["body_source"] == "html"
    assert html["body"] == "Budget approved\nThe council approved the harbour budget.\nRead the budget or write to us."
    assert "track()" not in html["body"] and "color" not in html["body"]
    assert html["links"] == ["https://harbour.example.net/budget"]
    neap = emails["Neap tides next"]
    assert (
        neap["body_source"] == "text"
        and neap["body"] == "Neap tides follow next week. Details: https://tides.example.org/neap"
    )
    assert neap["links"] == ["https://tides.example.org/neap"]


async def test_decodes_latin1_windows1252_and_shift_jis(dovecot):
    emails = by_subject(await search(dovecot))
    cafe = emails["Le café du jour"]
    assert cafe["from"] == {"name": "Café Bulletin", "address": "bulletin@cafe.example.fr"}
    assert cafe["body"] == "Crème brûlée et café au menu du jour."
    assert emails["Prices"]["body"] == "\u201cQuoted\u201d prices: 5\u20ac for a coffee \u2013 really."
    assert emails["潮の便り"]["body"] == "大潮は木曜日です。"


async def test_lists_attachments_and_survives_malformed_headers(dovecot):
    emails = by_subject(await search(dovecot))
    minutes = emails["Minutes attached"]
    assert minutes["body"] == "The minutes of the meeting are attached."
    assert minutes["attachments"] == [
        {"filename": "minutes.pdf", "content_type": "application/pdf", "size_bytes": 1024}
    ]
    broken = next(e for e in emails.values() if e["uid"] == 2)
    assert broken["message_id"] == "" and broken["thread_id"] == "" and broken["references"] == []
    assert "broken@@example..com" in broken["from"]["address"]
    assert broken["to"] == [] or all(isinstance(a["address"], str) for a in broken["to"])
    assert broken["date"] == broken["received_at"]  # an unreadable Date header: when it was received
    assert "unknown charset" in broken["body"]


async def test_filters_by_senders_subject_text_and_recipient(dovecot):
    out = await search(dovecot, senders=["editor@tides.example.org", "harbour.example.net"])
    assert [e["subject"] for e in out["emails"]] == [
        "Spring tides this week",
        "Harbour budget approved",
        "Neap tides next",
        "Minutes attached",
        "Last week's tides",
    ]
    assert [e["subject"] for e in (await search(dovecot, subject="tides", senders=["Ana"]))["emails"]] == [
        "Re: Spring tides this week"
    ]
    assert [e["subject"] for e in (await search(dovecot, text="quay"))["emails"]] == ["Spring tides this week"]
    assert (await search(dovecot, to="nobody@example.com"))["matched"] == 0
    assert [e["subject"] for e in (await search(dovecot, subject="café"))["emails"]] == ["Le café du jour"]
    with pytest.raises(ToolError, match="at most one search value may contain characters beyond ASCII"):
        await search(dovecot, subject="café", text="brûlée")


async def test_filters_by_dates_and_the_last_hours(dovecot):
    recent = await search(dovecot, newer_than_hours=24)
    assert recent["matched"] == 9 and "Last week's tides" not in by_subject(recent)
    assert [e["subject"] for e in (await search(dovecot, newer_than_hours=1.5))["emails"]] == [
        "Re: Spring tides this week"
    ]
    old = await search(dovecot, before=recent["emails"][-1]["received_at"][:10])
    assert [e["subject"] for e in old["emails"]] == ["Last week's tides"]
    assert (await search(dovecot, since="2999-01-01"))["emails"] == []
    with pytest.raises(ToolError, match="`since` must be a day written YYYY-MM-DD"):
        await search(dovecot, since="2026-13-45")


async def test_bounds_messages_bodies_and_bytes(dovecot):
    out = await search(dovecot, max_messages=2)
    assert out["matched"] == 10 and len(out["emails"]) == 2
    short = by_subject(await search(dovecot, max_body_chars=100, subject="Spring tides this week"))
    assert len(short["Spring tides this week"]["body"]) == 100 and short["Spring tides this week"]["truncated"]
    cut = by_subject(await search(dovecot, max_message_bytes=1000, subject="Minutes"))["Minutes attached"]
    assert cut["truncated"] is True and cut["size_bytes"] > 1000
    assert cut["body"] == "The minutes of the meeting are attached."


async def test_reads_without_marking_messages_seen(dovecot):
    await search(dovecot)
    with dovecot.session() as connection:
        connection.select("INBOX", readonly=True)
        status, data = connection.search(None, "SEEN")
    assert status == "OK" and data == [b""]


async def test_folders_known_empty_and_unknown(dovecot):
    assert (await search(dovecot, folder="Archive")) == {"emails": [], "matched": 0}
    assert (await search(dovecot, dovecot.resource(folder="Archive")))["matched"] == 0
    with pytest.raises(ToolError, match=r"the mailbox has no folder 'Newsletters' \(folders: Archive, INBOX\)"):
        await search(dovecot, folder="Newsletters")


async def test_each_account_sees_its_own_mailbox(dovecot):
    other = dovecot.resource(username=OTHER_USER, password=OTHER_PASSWORD)
    assert (await search(dovecot, other)) == {"emails": [], "matched": 0}


async def test_a_wrong_password_says_so_without_repeating_it(dovecot):
    with pytest.raises(ToolError) as failure:
        await search(dovecot, dovecot.resource(password="wrong-password-123"))
    message = str(failure.value)
    assert message.startswith("the mail server refused the sign-in of reader: check the user name and password")
    assert "app password" in message and "wrong-password-123" not in message and PASSWORD not in message


async def test_an_incomplete_or_invalid_resource_is_named():
    with pytest.raises(ToolError, match=r"the mailbox is not configured \(resource `mailbox`: `password` missing\)"):
        await call("email_search", resources={"mailbox": {"host": "imap.example.com", "username": "a"}})
    with pytest.raises(ToolError, match="`security` must be tls, starttls or none"):
        await call(
            "email_search", resources={"mailbox": {"host": "h", "username": "a", "password": "p", "security": "ssl3"}}
        )


async def test_the_outbound_guard_refuses_loopback_unless_allowed(dovecot, monkeypatch):
    monkeypatch.setenv("OUTBOUND_ALLOW_HOSTS", "")
    get_settings.cache_clear()
    try:
        with pytest.raises(
            ToolError, match=rf"the mail server is unreachable: cannot connect to 127.0.0.1:{dovecot.port}"
        ):
            await search(dovecot)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_a_closed_port_is_unreachable(dovecot):
    from tests.tools.dovecot import free_port

    port = free_port()
    with pytest.raises(ToolError, match=rf"unreachable: cannot connect to 127.0.0.1:{port}"):
        await search(dovecot, dovecot.resource(port=port))


async def test_tls_certificates_are_verified(dovecot):
    if not dovecot.tls_port:
        pytest.skip("openssl is not installed")
    with pytest.raises(ToolError, match="TLS certificate could not be verified"):
        await search(dovecot, dovecot.resource(port=dovecot.tls_port, security="tls"))
    with pytest.raises(ToolError, match="TLS certificate could not be verified"):
        await search(dovecot, dovecot.resource(security="starttls"))
    with pytest.raises(ToolError, match=r"TLS with 127.0.0.1:\d+ failed"):
        await search(dovecot, dovecot.resource(security="tls"))


class BrokenServer:
    """An IMAP server that greets, accepts the sign-in, then closes the connection at
    `close_on` (a command name), or never answers at all (`silent`)."""

    def __init__(self, close_on: str = "EXAMINE", silent: bool = False) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.close_on, self.silent = close_on.encode(), silent
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with client:
                if self.silent:
                    time.sleep(3)
                    continue
                client.sendall(b"* OK IMAP4rev1 ready\r\n")
                reader = client.makefile("rb")
                for line in reader:
                    tag, command = line.strip().split(b" ", 2)[:2]
                    if command.upper() == self.close_on:
                        break
                    if command.upper() == b"CAPABILITY":
                        client.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
                    client.sendall(tag + b" OK done\r\n")
                reader.close()
                client.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()


@pytest.mark.parametrize("close_on", ["LOGIN", "EXAMINE", "UID"])
async def test_a_server_closing_the_connection_mid_search(dovecot, close_on):
    server = BrokenServer(close_on=close_on)
    try:
        with pytest.raises(ToolError, match="the mail server closed the connection before the search ended"):
            await search(dovecot, dovecot.resource(port=server.port))
    finally:
        server.close()


async def test_a_silent_server_times_out(dovecot):
    server = BrokenServer(silent=True)
    try:
        started = time.perf_counter()
        with pytest.raises(ToolError, match="did not answer within 1 s"):
            await search(dovecot, dovecot.resource(port=server.port, timeout_seconds=1))
        assert time.perf_counter() - started < 2.5
    finally:
        server.close()
