#!/usr/bin/env bash
# Installs the peer tools, pinned, into target/tools: the parity tests compare against Ruff
# and oxlint, and the benchmarks time backlint against them. Idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/target/tools"
mkdir -p "$tools"

RUFF_VERSION=0.17.5
OXLINT_VERSION=1.94.0

if ! "$tools/venv/bin/ruff" --version 2>/dev/null | grep -qx "ruff $RUFF_VERSION"; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "ruff==$RUFF_VERSION"
fi

oxlint_installed=$("$tools/node/node_modules/.bin/oxlint" --version 2>/dev/null || true)
if [ "$oxlint_installed" != "Version: $OXLINT_VERSION" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools/node" "oxlint@$OXLINT_VERSION"
fi
