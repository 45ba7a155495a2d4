#!/usr/bin/env bash
# Sets up and runs the app on the embedded SQLite database, with the SPA served by the same
# server: http://127.0.0.1:8000 (HOST and PORT change it; DATABASE_URL selects PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -f frontend/package.json ]; then
  echo "== building the web app"
  (cd frontend && npm run build --silent)
fi
exec .venv/bin/python -m server serve "$@"
