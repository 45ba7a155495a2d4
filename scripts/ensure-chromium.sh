#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing (they drive it with
# playwright-core; no browser is downloaded).
set -euo pipefail
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "== installing Chromium"
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
