#!/usr/bin/env bash
# Installs Debian's Dovecot IMAP server on a machine that lacks it. The e-mail tool's tests
# (tests/tools/dovecot.py) start their own unprivileged instance of it on a high loopback port,
# with a temporary configuration, passwd-file accounts and maildirs; nothing here starts the
# system's instance.
set -euo pipefail
if [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ]; then exit 0; fi
echo "== installing Dovecot (IMAP)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends dovecot-core dovecot-imapd >/dev/null
# The package may start a system instance on port 143; the tests do not use it.
if command -v service >/dev/null 2>&1; then service dovecot stop >/dev/null 2>&1 || true; fi
