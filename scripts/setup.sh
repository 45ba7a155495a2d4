#!/usr/bin/env bash
# Installs what the project needs on a fresh machine of this kind, skipping what is current:
# the Python virtual environment and packages, the frontend's npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "== installing Python packages"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  rm -f .venv/.installed-* && touch "$stamp"
fi

if [ -f frontend/package.json ]; then
  if ! command -v npm >/dev/null; then
    echo "== installing Node.js and npm"
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
  lock_stamp=frontend/node_modules/.installed-$(sha1sum frontend/package-lock.json 2>/dev/null | cut -c1-12)
  if [ ! -f "$lock_stamp" ]; then
    echo "== installing frontend packages"
    (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
    touch "$lock_stamp"
  fi
fi
