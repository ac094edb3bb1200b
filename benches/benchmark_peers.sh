#!/usr/bin/env bash
# Installs, pinned, the peers that only the benchmarks run (compare.sh): ast-grep and Biome
# from npm, Semgrep from PyPI, into target/tools/benchmarks. Ruff and oxlint come from
# peers.sh, which the tests need as well. Idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/target/tools/benchmarks"
mkdir -p "$tools"

AST_GREP_VERSION=0.51.1
BIOME_VERSION=2.6.8
SEMGREP_VERSION=1.180.0

if ! "$tools/venv/bin/pip" freeze 2>/dev/null | grep -qx "semgrep==$SEMGREP_VERSION"; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "semgrep==$SEMGREP_VERSION"
fi

node_wanted="@ast-grep/cli@$AST_GREP_VERSION @biomejs/biome@$BIOME_VERSION"
node_marker="$tools/node/.installed"
if [ "$(cat "$node_marker" 2>/dev/null)" != "$node_wanted" ]; then
  # shellcheck disable=SC2086 # the list is split into package specs on purpose
  npm install --silent --no-audit --no-fund --prefix "$tools/node" $node_wanted
  echo "$node_wanted" >"$node_marker"
fi
