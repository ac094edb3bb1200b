#!/usr/bin/env bash
# Builds the fuzz targets' seed corpora in fuzz/corpus/<target>/ from the repository's
# fixtures: each file prefixed with the byte that chooses its file name (see the targets).
set -euo pipefail
fuzz=$(cd "$(dirname "$0")" && pwd)
fixtures="$fuzz/../fixtures"

seed() { # seed TARGET PREFIX_BYTE_OCTAL FILE...
    local target=$1 prefix=$2
    shift 2
    mkdir -p "$fuzz/corpus/$target"
    local file
    for file in "$@"; do
        local name
        name=$(printf '%s' "$file" | sha1sum | cut -c1-16)
        { printf "\\$prefix"; cat "$file"; } > "$fuzz/corpus/$target/$name"
    done
}

mapfile -t python < <(find "$fixtures" -name '*.py' -o -name '*.pyi' | sort)
mapfile -t typescript < <(find "$fixtures" -name '*.ts' | sort)
mapfile -t tsx < <(find "$fixtures" -name '*.tsx' | sort)
mapfile -t javascript < <(find "$fixtures" \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' \) | sort)
mapfile -t toml < <(find "$fixtures" "$fuzz/.." -maxdepth 3 \( -name 'backlint.toml' -o -name 'pyproject.toml' \) -not -path '*/target/*' | sort)

# Python: names 0 (a module) and 1 (a views module).
seed pipeline_python 000 "${python[@]}"
seed pipeline_python 001 "${python[@]:0:40}"
seed pipeline_typescript 001 "${typescript[@]}"
# The TSX grammar is chosen by a last byte divisible by 4: the files end with a newline (10),
# so they are seeded with one more.
for file in "${tsx[@]}"; do
    mkdir -p "$fuzz/corpus/pipeline_typescript"
    { printf '\000'; cat "$file"; printf '\n\n'; } > "$fuzz/corpus/pipeline_typescript/tsx-$(basename "$file")"
done
seed pipeline_javascript 001 "${javascript[@]}"
seed pipeline_javascript 000 "${typescript[@]:0:20}"
# Configuration: the files of the fixtures, and the README's example, as is and in a
# pyproject.toml's `[tool.backlint]`.
mkdir -p "$fuzz/corpus/config"
cp "${toml[@]}" "$fuzz/corpus/config/" 2>/dev/null || true
example=$(sed -n '/^```toml$/,/^```$/p' "$fuzz/../README.md" | sed -n '2,/^```$/p' | sed '$d')
printf '%s\n' "$example" > "$fuzz/corpus/config/readme-example"
printf '[tool.backlint]\n%s\n' "$(printf '%s\n' "$example" | sed 's/^\[\(\[*\)\(rules\|overrides\)/[\1tool.backlint.\2/')" \
    > "$fuzz/corpus/config/pyproject-example"
cat > "$fuzz/corpus/config/options" <<'TOML'
[rules.hardcoded-secret]
level = "error"
ignore-paths = ["**/fixtures/**"]

[rules.hardcoded-model-name]
models-module = ["**/models.py"]

[rules.todo-comment]
markers = ["TODO", "XXX"]

[[overrides]]
files = ["scripts/**"]
[overrides.rules]
missing-request-timeout = { level = "note" }
TOML
# Suppressions: the fixtures' comment lines, and whole suppression fixtures.
seed suppressions 000 "$fixtures"/{suppression-comment,unused-suppression}/*.py
seed suppressions 001 "$fixtures"/{suppression-comment,unused-suppression}/*.ts
# The server: a few edits, requests and bad frames after the start the target sends.
mkdir -p "$fuzz/corpus/lsp"
frame() { printf 'Content-Length: %d\r\n\r\n%s' "${#1}" "$1"; }
{
    frame '{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///fuzz/app.py","version":2},"contentChanges":[{"range":{"start":{"line":1,"character":4},"end":{"line":1,"character":9}},"text":"y = 2"}]}}'
    frame '{"jsonrpc":"2.0","id":1,"method":"textDocument/diagnostic","params":{"textDocument":{"uri":"file:///fuzz/app.py"}}}'
    frame '{"jsonrpc":"2.0","id":2,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"file:///fuzz/app.py"},"range":{"start":{"line":2,"character":0},"end":{"line":2,"character":7}},"context":{"diagnostics":[]}}}'
    frame '{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///fuzz/app.py"},"position":{"line":2,"character":2}}}'
    frame '{"jsonrpc":"2.0","id":4,"method":"shutdown"}'
    frame '{"jsonrpc":"2.0","method":"exit"}'
} > "$fuzz/corpus/lsp/session"
{
    frame '{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///fuzz/other.ts","version":9},"contentChanges":[{"range":{"start":{"line":99,"character":0},"end":{"line":0,"character":0}},"text":"x"}]}}'
    frame '{not json'
    printf 'Content-Length: 99999999999\r\n\r\n'
} > "$fuzz/corpus/lsp/abuse"
echo "seeded: $(for target in "$fuzz"/corpus/*; do printf '%s %s  ' "$(basename "$target")" "$(ls "$target" | wc -l)"; done)"
