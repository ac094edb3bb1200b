#!/usr/bin/env bash
# Downloads the pinned corpora of real code that the parity tests and the benchmarks run on,
# from the package registries, into target/corpora/{python,typescript}/<package>/.
# Idempotent: a package already unpacked is not fetched again.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
corpora="$root/target/corpora"
downloads="$corpora/.downloads"
mkdir -p "$downloads" "$corpora/python" "$corpora/typescript"

# Python sources: sdists from PyPI.
python_packages=(reportlab==5.1.0 django==5.2.8)
# TypeScript sources shipped in npm tarballs (their .ts files, not only .d.ts).
npm_packages=(rxjs@7.8.2 effect@3.19.0 effect@4.1.0 zod@4.6.7 @trpc/server@11.25.2 @effect/platform@0.97.2 @tanstack/query-core@5.90.2)

for spec in "${python_packages[@]}"; do
  name=${spec%%==*}
  version=${spec##*==}
  target="$corpora/python/$name-$version"
  [ -d "$target" ] && continue
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: -d "$downloads" "$spec"
  archive=$(ls "$downloads"/"$name"-"$version".tar.gz "$downloads"/"${name,,}"-"$version".tar.gz 2>/dev/null | head -n 1)
  mkdir -p "$target.tmp"
  tar xzf "$archive" -C "$target.tmp" --strip-components=1
  mv "$target.tmp" "$target"
done

for spec in "${npm_packages[@]}"; do
  name=${spec%@*}
  version=${spec##*@}
  target="$corpora/typescript/$(echo "$name" | tr -d '@' | tr '/' '-')-$version"
  [ -d "$target" ] && continue
  archive=$(cd "$downloads" && npm pack --silent "$spec" | tail -n 1)
  mkdir -p "$target.tmp"
  tar xzf "$downloads/$archive" -C "$target.tmp" --strip-components=1
  mv "$target.tmp" "$target"
done
