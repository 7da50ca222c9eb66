#!/usr/bin/env bash
# Installs the Debian packages Kiln's tests need when they are missing, or says exactly what
# to install. Packages: chromium (browser tests), libimage-exiftool-perl (rights metadata
# checks), libvips-tools (vipsthumbnail, the ingest benchmark floor), wrk (load benchmarks),
# wget (the crawler proof), nginx and redis-server (the production topology test,
# tests/deploy/), npm (axe-core for the accessibility test, tests/a11y).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v exiftool >/dev/null 2>&1 || need+=(libimage-exiftool-perl)
command -v vipsthumbnail >/dev/null 2>&1 || need+=(libvips-tools)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v wget >/dev/null 2>&1 || need+=(wget)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "ERROR: missing system packages. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
