#!/usr/bin/env bash
# Sets up and runs every test: the Python formatter, linter and type checker, no import cycle,
# generated types current and layers agreeing, the frontend type-check, Biome check and
# component tests (Vitest), the Python suite on SQLite and then on PostgreSQL, and the browser
# tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-postgres.sh
bash scripts/ensure-mariadb.sh
bash scripts/ensure-dovecot.sh

echo "== ruff (format and lint), mypy (strict), import cycles"
.venv/bin/ruff format --check --quiet .
.venv/bin/ruff check --quiet .
.venv/bin/mypy
.venv/bin/python tests/import_cycles.py server codegen

if [ -f codegen/__main__.py ]; then
  echo "== codegen --check"
  .venv/bin/python -m codegen --check
fi
if [ -f frontend/package.json ]; then
  echo "== frontend type-check"
  (cd frontend && npm run --silent typecheck)
  echo "== frontend format and lint (Biome)"
  (cd frontend && npm run --silent lint)
  echo "== frontend component tests (Vitest)"
  (cd frontend && npm run --silent test:unit)
fi

echo "== tests on SQLite"
TEST_ENGINE=sqlite .venv/bin/python -m pytest "$@"
echo "== tests on PostgreSQL"
TEST_ENGINE=postgres .venv/bin/python -m pytest "$@"

if [ -f frontend/tests/app.test.mjs ]; then
  echo "== browser tests (real server on SQLite, Chromium)"
  bash scripts/ensure-chromium.sh
  (cd frontend && npm run --silent test:browser)
fi
