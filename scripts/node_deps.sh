#!/usr/bin/env bash
# Installs the npm packages the browser tests need (axe-core for tests/a11y), exactly as
# pinned in their package-lock.json. Re-runs only when the lock file changes.
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/tests/a11y"
stamp="$dir/node_modules/.kiln-installed"
if [ -f "$stamp" ] && [ "$stamp" -nt "$dir/package-lock.json" ]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || {
  echo "ERROR: npm is missing (the accessibility test needs axe-core). Install it with:" >&2
  echo "  sudo apt-get install -y npm" >&2
  exit 1
}
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
touch "$stamp"
