#!/usr/bin/env bash
# Times backlint and its peers on the pinned corpora and prints one Markdown table: per corpus
# and tool, the median wall time, CPU time, peak memory, lines per second, and the ratio to
# backlint's parse-and-walk run (tree-sitter's parse and one cursor walk of every file: the
# limit of backlint's design).
#
#   backlint --parse-and-walk     the limit: parse and walk, no rule
#   backlint                      cold: every default rule, no cache
#   backlint --threads 1          cold, on one thread (how it scales)
#   backlint (warm)               every default rule, every result read from the cache
#   ruff (Python), oxlint and Biome (TypeScript): their default rules, no cache
#   ast-grep and Semgrep: six rules per language (benches/peer-rules/), close to six of ours
#
# Every command gets the same explicit file list (.py/.pyi; .ts/.tsx/.mts/.cts without the
# .d.ts/.d.mts/.d.cts declaration files), runs in the corpus folder with its output sent to
# /dev/null, with the tool's default thread count. Each command runs once to warm up (which
# also fills backlint's cache for the warm row), then the timed rounds run all the commands of
# a corpus in turn; Semgrep, 15-35 times slower than the rest, gets 2 timed runs. Run it on an
# otherwise idle machine: it warns when the CPUs are busy before it starts.
#
# Usage: bash benches/compare.sh    (COMPARE_RUNS=N changes the number of timed rounds)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

bash "$root/benches/corpora.sh"
bash "$root/benches/peers.sh"
bash "$root/benches/benchmark_peers.sh"
(cd "$root" && cargo build --release --quiet --bin backlint)

exec python3 - "$root" "${COMPARE_RUNS:-5}" <<'PYTHON'
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

root = sys.argv[1]
runs = int(sys.argv[2])
slow_runs = min(runs, 2)

backlint = os.path.join(root, "target/release/backlint")
ruff = os.path.join(root, "target/tools/venv/bin/ruff")
oxlint = os.path.join(root, "target/tools/node/node_modules/.bin/oxlint")
benchmark_tools = os.path.join(root, "target/tools/benchmarks")
ast_grep = os.path.join(benchmark_tools, "node/node_modules/.bin/ast-grep")
biome = os.path.join(benchmark_tools, "node/node_modules/.bin/biome")
semgrep = os.path.join(benchmark_tools, "venv/bin/semgrep")
peer_rules = os.path.join(root, "benches/peer-rules")


def corpus_files(corpus, extensions, skip_suffixes):
    """The files of a corpus with one of `extensions`, relative to it, sorted."""
    found = []
    for folder, _, names in os.walk(corpus):
        for name in names:
            if name.endswith(extensions) and not name.endswith(skip_suffixes):
                found.append(os.path.relpath(os.path.join(folder, name), corpus))
    found.sort()
    return found


def count_lines(corpus, files):
    """Physical lines: newlines, plus an unterminated last line."""
    total = 0
    for name in files:
        with open(os.path.join(corpus, name), "rb") as handle:
            data = handle.read()
        total += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return total


def fail(command, message):
    sys.exit(f"compare.sh: `{' '.join(command[:8])} ...` {message}")


def run_once(command, cwd, environment):
    """Runs a command with its output discarded: (wall seconds, CPU seconds, peak RSS KiB)."""
    with open(os.devnull, "wb") as devnull:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=devnull,
                                   stderr=devnull, env=environment)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    # 1 means "findings" for every tool here; anything else means the run did not check.
    if code not in (0, 1):
        fail(command, f"exited with {code}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def measure(tools, files, cwd, environment):
    """Runs each tool once to warm up, then rounds of all the tools in turn (so that a slow
    spell of the machine does not fall on one tool only). Returns, per tool, the median wall
    and CPU times and the largest peak RSS of its timed runs."""
    samples = [[] for _ in tools]
    for round_index in range(1 + runs):
        for index, tool in enumerate(tools):
            if round_index > tool["runs"]:
                continue
            measured = run_once([*tool["command"], *files], cwd, environment)
            if round_index >= 1:
                samples[index].append(measured)
    return [
        (statistics.median(s[0] for s in timed), statistics.median(s[1] for s in timed),
         max(s[2] for s in timed))
        for timed in samples
    ]


def output_of(command, cwd, environment=None):
    result = subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, env=environment)
    if result.returncode not in (0, 1):
        fail(command, f"exited with {result.returncode}:\n{result.stderr}")
    return result.stdout + result.stderr


def checked_by_backlint(files, cwd):
    command = [backlint, "check", "--isolated", "--no-cache", "--parse-and-walk", "--format",
               "json", "--", *files]
    return json.loads(output_of(command, cwd))["summary"]["files"]


def checked_by_ruff(files, cwd):
    listed = output_of([ruff, "check", "--isolated", "--no-cache", "--show-files", "--", *files], cwd)
    return sum(1 for line in listed.splitlines() if line.strip())


def checked_by_oxlint(files, cwd):
    match = re.search(r" on (\d+) files", output_of([oxlint, "--disable-nested-config", "--", *files], cwd))
    return int(match.group(1)) if match else -1


def version(command):
    printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return printed.split()[-1]


def busy_fraction(seconds=2.0):
    """How busy the CPUs were over the next `seconds` (Linux /proc/stat), or None."""

    def sample():
        with open("/proc/stat") as handle:
            fields = [int(value) for value in handle.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # all, idle + iowait

    try:
        total_before, idle_before = sample()
        time.sleep(seconds)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    elapsed = total_after - total_before
    return 1 - (idle_after - idle_before) / elapsed if elapsed else None


cache_dir = tempfile.mkdtemp(prefix="backlint-compare-cache-")


def backlint_tools(corpus_name):
    cold = [backlint, "check", "--isolated", "--no-cache"]
    return [
        {"tool": "backlint", "label": "parse and walk (the limit)", "runs": runs,
         "command": [backlint, "check", "--isolated", "--no-cache", "--parse-and-walk", "--"]},
        {"tool": "backlint", "label": "cold, default rules", "runs": runs,
         "command": [*cold, "--"]},
        {"tool": "backlint", "label": "cold, default rules, 1 thread", "runs": runs,
         "command": [*cold, "--threads", "1", "--"]},
        {"tool": "backlint", "label": "warm (every file cached)", "runs": runs,
         "command": [backlint, "check", "--isolated", "--cache-dir",
                     os.path.join(cache_dir, corpus_name), "--"]},
    ]


def peer_tools(language):
    ast_grep_tool = {"tool": "ast-grep", "label": "6 rules", "runs": runs,
                     "command": [ast_grep, "scan", "--config",
                                 os.path.join(peer_rules, "ast-grep/sgconfig.yml"), "--"]}
    semgrep_tool = {"tool": "Semgrep", "label": "6 rules", "runs": slow_runs,
                    "command": [semgrep, "scan", "--config", os.path.join(peer_rules, "semgrep.yml"),
                                "--metrics=off", "--disable-version-check", "--no-git-ignore",
                                "--quiet", "--"]}
    if language == "python":
        return [
            {"tool": "Ruff", "label": "default rules", "runs": runs,
             "command": [ruff, "check", "--isolated", "--no-cache", "--"]},
            ast_grep_tool,
            semgrep_tool,
        ]
    return [
        {"tool": "oxlint", "label": "default rules", "runs": runs,
         "command": [oxlint, "--disable-nested-config", "--"]},
        {"tool": "Biome", "label": "recommended rules", "runs": runs,
         "command": [biome, "lint", "--max-diagnostics=none", "--"]},
        ast_grep_tool,
        semgrep_tool,
    ]


python_corpus = os.path.join(root, "target/corpora/python")
typescript_corpus = os.path.join(root, "target/corpora/typescript")
corpora = [
    ("python", python_corpus, corpus_files(python_corpus, (".py", ".pyi"), ())),
    ("typescript", typescript_corpus, corpus_files(
        typescript_corpus, (".ts", ".tsx", ".mts", ".cts"), (".d.ts", ".d.mts", ".d.cts"))),
]

busy = busy_fraction()
if busy is not None and busy > 0.1:
    print(f"compare.sh: warning: the CPUs were {busy:.0%} busy before the runs: the times will be noisy",
          file=sys.stderr)

versions = [
    f"backlint {version([backlint, '--version'])}",
    f"ruff {version([ruff, '--version'])}",
    f"oxlint {version([oxlint, '--version'])}",
    f"Biome {version([biome, '--version'])}",
    f"ast-grep {version([ast_grep, '--version'])}",
    f"Semgrep {version([semgrep, '--version'])}",
]
print(f"{', '.join(versions)}; {os.cpu_count()} CPUs, default threads; 1 warm-up + {runs} timed "
      f"runs per command ({slow_runs} for Semgrep); median wall and CPU time, largest peak RSS")
print()

environment = dict(os.environ, NO_COLOR="1")
environment.pop("BACKLINT_NO_CACHE", None)
environment.pop("BACKLINT_CACHE_DIR", None)
rows = []
for name, path, files in corpora:
    # The same file list reaches every tool: check that those that say so checked all of it.
    checks = [("backlint", checked_by_backlint(files, path))]
    if name == "python":
        checks.append(("ruff", checked_by_ruff(files, path)))
    else:
        checks.append(("oxlint", checked_by_oxlint(files, path)))
    for tool, checked in checks:
        if checked != len(files):
            sys.exit(f"compare.sh: {tool} checked {checked} of the {len(files)} {name} files")
    lines = count_lines(path, files)
    tools = backlint_tools(name) + peer_tools(name)
    print(f"timing the {name} corpus ({len(files)} files)", file=sys.stderr, flush=True)
    measured = measure(tools, files, path, environment)
    limit = measured[0][0]
    for tool, (wall, cpu, peak) in zip(tools, measured):
        rows.append([
            name,
            str(len(files)),
            f"{lines:,}",
            tool["tool"],
            tool["label"],
            f"{wall:.3f}",
            f"{cpu:.2f}",
            f"{peak / 1024:.1f}",
            f"{lines / wall:,.0f}",
            f"{wall / limit:.2f}",
        ])

header = ["corpus", "files", "lines", "tool", "what", "median wall s", "CPU s", "max RSS MiB",
          "lines/s", "time / parse-and-walk"]
numeric = [False, True, True, False, False, True, True, True, True, True]
print("| " + " | ".join(header) + " |")
print("|" + "|".join("---:" if right else "---" for right in numeric) + "|")
for row in rows:
    print("| " + " | ".join(row) + " |")
print()
print("`time / parse-and-walk`: the row's median wall time over backlint's parse-and-walk run on "
      "the same corpus (below 1: faster than tree-sitter can parse).")
print()
print("Commands (run in target/corpora/<corpus>, followed by the files, output to /dev/null):")
print()
for language in ("python", "typescript"):
    for tool in backlint_tools(language) + peer_tools(language):
        shown = ["CACHE_DIR" if part.startswith(cache_dir) else
                 os.path.relpath(part, root) if os.path.isabs(part) else part
                 for part in tool["command"][:-1]]
        print(f"- {language}, {tool['tool']} ({tool['label']}): `{' '.join(shown)}`")
PYTHON
