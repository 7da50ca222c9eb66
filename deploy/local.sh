#!/usr/bin/env bash
# Kiln's production topology on this machine (deploy/topology.py says what runs where):
#   deploy/local.sh up [--small]   start it (nginx on http://127.0.0.1:8110/)
#   deploy/local.sh down           stop exactly what `up` started
#   deploy/local.sh status         which processes are up
#   eval "$(deploy/local.sh env)"  manage.py against the running topology
set -euo pipefail
cd "$(dirname "$0")/.."
export KILN_VAR_DIR="${KILN_VAR_DIR:-/tmp/kiln-topology}"
exec .venv/bin/python deploy/topology.py "$@"
