#!/usr/bin/env bash
# Installs the npm packages Kiln's tests drive, exactly as pinned in each package-lock.json:
# tests/clients (masto.js, the streaming client test) and tests/a11y (axe-core). Re-runs
# `npm ci` for a folder only when its lock file is newer than its install. node_modules is
# git-ignored.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v npm >/dev/null 2>&1 || {
  echo "ERROR: npm is missing (the masto.js and accessibility tests need it). Install it with:" >&2
  echo "  sudo apt-get install -y nodejs npm" >&2
  exit 1
}
for dir in "$root/tests/clients" "$root/tests/a11y"; do
  stamp="$dir/node_modules/.kiln-installed"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$dir/package-lock.json" ]; then
    continue
  fi
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  touch "$stamp"
done
