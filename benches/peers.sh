#!/usr/bin/env bash
# Installs the peer tools, pinned, into target/tools: the parity tests compare against Ruff
# and oxlint, the secret tests against detect-secrets and secretlint, and the benchmarks time
# backlint against Ruff and oxlint. Idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/target/tools"
mkdir -p "$tools"

RUFF_VERSION=0.17.5
DETECT_SECRETS_VERSION=1.5.0
OXLINT_VERSION=1.94.0
SECRETLINT_VERSION=13.0.6
SECRETLINT_PRESET_VERSION=13.0.7

python_installed=$("$tools/venv/bin/pip" freeze 2>/dev/null || true)
if ! grep -qx "ruff==$RUFF_VERSION" <<<"$python_installed" || ! grep -qx "detect-secrets==$DETECT_SECRETS_VERSION" <<<"$python_installed"; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check \
    "ruff==$RUFF_VERSION" "detect-secrets==$DETECT_SECRETS_VERSION"
fi

node_wanted="oxlint@$OXLINT_VERSION secretlint@$SECRETLINT_VERSION @secretlint/secretlint-rule-preset-recommend@$SECRETLINT_PRESET_VERSION"
node_marker="$tools/node/.installed"
if [ "$(cat "$node_marker" 2>/dev/null)" != "$node_wanted" ]; then
  # shellcheck disable=SC2086 # the list is split into package specs on purpose
  npm install --silent --no-audit --no-fund --prefix "$tools/node" $node_wanted
  echo "$node_wanted" >"$node_marker"
fi
