#!/usr/bin/env bash
# Installs the npm packages Kiln's tests drive (tests/clients/package.json: masto.js) from the
# lock file, when node_modules is missing or older than the lock. Needs node and npm (Debian:
# apt-get install nodejs npm); node_modules is git-ignored.
set -euo pipefail
cd "$(dirname "$0")/../tests/clients"
if ! command -v npm >/dev/null 2>&1; then
  echo "ERROR: npm is missing (the masto.js test needs it): sudo apt-get install -y nodejs npm" >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
