"""A real IMAP server for the tests: Debian's Dovecot (`scripts/ensure-dovecot.sh` installs
it), run as an unprivileged instance of its own on a free loopback port, with a temporary
configuration, passwd-file accounts and maildirs in a temporary folder, removed on stop.

The master runs in the foreground as the invoking user (as `dovecot` when that is root), and
every service runs as that same user: nothing needs privileges, nothing is chrooted. It
speaks plain IMAP on `port` and, when `openssl` is there, IMAP over TLS on `tls_port` with a
self-signed certificate (which a client verifying certificates must refuse).

Messages are put in with IMAP APPEND (`append`), with the received time given, as a mail
server's delivery would set it. `python -m tests.tools.dovecot` runs one on its own with the
fixture messages, printing a JSON line with its address and account, until interrupted (the
browser tests use it this way).
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

DOVECOT = Path("/usr/sbin/dovecot")
USER = "reader"
PASSWORD = "reader-app-password"
OTHER_USER = "other"
OTHER_PASSWORD = "other-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
mail_max_userip_connections = 200
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/home/%u
}}
protocol imap {{
  imap_idle_notify_interval = 30 secs
}}
service imap-login {{
  chroot =
  process_min_avail = 1
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  unix_listener auth-userdb {{
    mode = 0600
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dovecot:
    """One Dovecot instance; `start()` then `stop()` (or use it as a context manager)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
        self.port = free_port()
        self.tls_port = 0
        self.host = "127.0.0.1"
        self._process: subprocess.Popen[bytes] | None = None

    def _account(self) -> tuple[str, str, int, int]:
        name = "dovecot" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        entry = pwd.getpwnam(name)
        return name, grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid

    def _certificate(self) -> str:
        if shutil.which("openssl") is None:
            return "ssl = no"
        key, cert = self.root / "key.pem", self.root / "cert.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=mail.invalid"]
            + ["-keyout", str(key), "-out", str(cert)],
            check=True,
            capture_output=True,
        )
        self.tls_port = free_port()
        return f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"

    def start(self) -> Dovecot:
        if not DOVECOT.exists():
            raise RuntimeError("Dovecot is not installed: run scripts/ensure-dovecot.sh")
        user, group, uid, gid = self._account()
        ssl = self._certificate()
        for folder in ("run", "state", "mail", "home"):
            (self.root / folder).mkdir()
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n{OTHER_USER}:{{PLAIN}}{OTHER_PASSWORD}\n")
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(root=self.root, user=user, group=group, port=self.port, tls_port=self.tls_port, ssl=ssl)
        )
        self.root.chmod(0o755)
        for path in [self.root, *self.root.rglob("*")]:
            os.chown(path, uid, gid)
        self._process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(config)],
            user=uid if os.geteuid() == 0 else None,
            group=gid if os.geteuid() == 0 else None,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"Dovecot stopped at start: {self.log()}")
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                connection = imaplib.IMAP4(self.host, self.port, timeout=2)
                connection.logout()
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Dovecot did not answer on port {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        stderr = b""
        if self._process is not None and self._process.stderr is not None and self._process.poll() is not None:
            stderr = self._process.stderr.read()
        return (path.read_text(errors="replace")[-3000:] if path.exists() else "") + stderr.decode(errors="replace")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def resource(self, **overrides: object) -> dict[str, object]:
        """The `mailbox` resource values of the fixture account."""
        values: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "username": USER,
            "password": PASSWORD,
            "security": "none",
        }
        values.update(overrides)
        return values

    @contextlib.contextmanager
    def session(self, user: str = USER, password: str = PASSWORD) -> Iterator[imaplib.IMAP4]:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            connection.login(user, password)
            yield connection
        finally:
            with contextlib.suppress(Exception):
                connection.logout()

    def create_folder(self, name: str, user: str = USER, password: str = PASSWORD) -> None:
        with self.session(user, password) as connection:
            connection.create(f'"{name}"')

    def append(
        self,
        messages: Iterable[tuple[bytes, datetime]],
        folder: str = "INBOX",
        user: str = USER,
        password: str = PASSWORD,
    ) -> int:
        """Put messages in a folder, each with its received time; returns how many."""
        count = 0
        with self.session(user, password) as connection:
            for raw, received in messages:
                when = imaplib.Time2Internaldate(received.astimezone(UTC))
                status, detail = connection.append(f'"{folder}"', None, when, raw)
                if status != "OK":
                    raise RuntimeError(f"APPEND refused: {detail!r}")
                count += 1
        return count


def main() -> None:
    from tests.tools.mail_fixtures import fixture_messages

    with Dovecot() as server:
        server.create_folder("Archive")
        server.append(fixture_messages(datetime.now(UTC)))
        print(
            json.dumps({"host": server.host, "port": server.port, "username": USER, "password": PASSWORD}), flush=True
        )
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})


if __name__ == "__main__":
    main()
