#!/usr/bin/env bash
# Times backlint against its peers on the pinned corpora, and against its own parse-only
# baseline, and prints a Markdown table.
#
#   Python corpus:     backlint --select bare-except      vs  ruff --select E722
#   TypeScript corpus: backlint --select no-explicit-any  vs  oxlint -D typescript/no-explicit-any
#   Both corpora:      backlint --parse-and-walk (parses every file, runs no rule)
#
# Every command gets the same explicit file list (.py/.pyi; .ts/.tsx/.mts/.cts without the
# .d.ts/.d.mts/.d.cts declaration files), runs in the corpus folder with its output sent to
# /dev/null, with the tool's default thread count. Each command runs once to warm up, then 5
# timed rounds run the three commands of a corpus in turn; the table shows each command's
# median wall time and the largest peak RSS (from wait4) of its 5 timed runs. Run it on an
# otherwise idle machine: it warns when the CPUs are busy before it starts.
#
# Usage: bash benches/compare.sh    (COMPARE_RUNS=N changes the number of timed rounds)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

bash "$root/benches/corpora.sh"
bash "$root/benches/peers.sh"
(cd "$root" && cargo build --release --quiet --bin backlint)

exec python3 - "$root" "${COMPARE_RUNS:-5}" <<'PYTHON'
import json
import os
import re
import statistics
import subprocess
import sys
import time

root = sys.argv[1]
runs = int(sys.argv[2])
warmups = 1

backlint = os.path.join(root, "target/release/backlint")
ruff = os.path.join(root, "target/tools/venv/bin/ruff")
oxlint = os.path.join(root, "target/tools/node/node_modules/.bin/oxlint")


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


def run_once(command, cwd):
    """Runs a command with its output discarded: (wall seconds, peak RSS in KiB)."""
    with open(os.devnull, "wb") as devnull:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=devnull, stderr=devnull)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # 1 means "findings" for all three tools; anything else means the run did not check.
    if process.returncode not in (0, 1):
        fail(command, f"exited with {process.returncode}")
    return elapsed, usage.ru_maxrss


def measure(commands, cwd):
    """Runs each command `warmups` times, then `runs` rounds of all the commands in turn (so
    that a slow spell of the machine does not fall on one command only). Returns, per command,
    the median wall time and the largest peak RSS of its timed runs."""
    times = [[] for _ in commands]
    peaks = [[] for _ in commands]
    for round_index in range(warmups + runs):
        for index, command in enumerate(commands):
            elapsed, peak = run_once(command, cwd)
            if round_index >= warmups:
                times[index].append(elapsed)
                peaks[index].append(peak)
    return [(statistics.median(timed), max(peak)) for timed, peak in zip(times, peaks)]


def output_of(command, cwd):
    result = subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        fail(command, f"exited with {result.returncode}:\n{result.stderr}")
    return result.stdout + result.stderr


def checked_by_backlint(files, cwd):
    command = [backlint, "check", "--parse-and-walk", "--format", "json", "--", *files]
    return json.loads(output_of(command, cwd))["summary"]["files"]


def checked_by_ruff(files, cwd):
    listed = output_of([ruff, "check", "--isolated", "--no-cache", "--show-files", "--", *files], cwd)
    return sum(1 for line in listed.splitlines() if line.strip())


def checked_by_oxlint(arguments, files, cwd):
    match = re.search(r" on (\d+) files", output_of([oxlint, *arguments, "--", *files], cwd))
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


python_corpus = os.path.join(root, "target/corpora/python")
typescript_corpus = os.path.join(root, "target/corpora/typescript")
python_files = corpus_files(python_corpus, (".py", ".pyi"), ())
typescript_files = corpus_files(
    typescript_corpus, (".ts", ".tsx", ".mts", ".cts"), (".d.ts", ".d.mts", ".d.cts")
)
ruff_arguments = ["check", "--isolated", "--no-cache", "--select", "E722"]
oxlint_arguments = ["--disable-nested-config", "-A", "all", "-D", "typescript/no-explicit-any"]

corpora = [
    {
        "name": "python",
        "path": python_corpus,
        "files": python_files,
        "rule": ("backlint --select bare-except", [backlint, "check", "--select", "bare-except"]),
        "peer": ("ruff --select E722", [ruff, *ruff_arguments]),
        "peer_checked": lambda: checked_by_ruff(python_files, python_corpus),
    },
    {
        "name": "typescript",
        "path": typescript_corpus,
        "files": typescript_files,
        "rule": ("backlint --select no-explicit-any", [backlint, "check", "--select", "no-explicit-any"]),
        "peer": ("oxlint -D typescript/no-explicit-any", [oxlint, *oxlint_arguments]),
        "peer_checked": lambda: checked_by_oxlint(oxlint_arguments, typescript_files, typescript_corpus),
    },
]

busy = busy_fraction()
if busy is not None and busy > 0.1:
    print(f"compare.sh: warning: the CPUs were {busy:.0%} busy before the runs: the times will be noisy",
          file=sys.stderr)

print(f"backlint {version([backlint, '--version'])}, ruff {version([ruff, '--version'])}, "
      f"oxlint {version([oxlint, '--version'])}; {os.cpu_count()} CPUs, default threads; "
      f"{warmups} warm-up + {runs} timed runs per command; median wall time, largest peak RSS")
print()

rows = []
for corpus in corpora:
    files = corpus["files"]
    # The same file list reaches every tool: check that each one really checked all of it.
    for tool, checked in (("backlint", checked_by_backlint(files, corpus["path"])),
                          (corpus["peer"][0].split()[0], corpus["peer_checked"]())):
        if checked != len(files):
            sys.exit(f"compare.sh: {tool} checked {checked} of the {len(files)} {corpus['name']} files")
    lines = count_lines(corpus["path"], files)
    roles = {
        "rule": corpus["rule"],
        "peer": corpus["peer"],
        "parse": ("backlint --parse-and-walk", [backlint, "check", "--parse-and-walk"]),
    }
    print(f"timing the {corpus['name']} corpus ({len(files)} files)", file=sys.stderr, flush=True)
    measured = measure([[*command, "--", *files] for _, command in roles.values()], corpus["path"])
    results = {role: (label, *numbers) for (role, (label, _)), numbers in zip(roles.items(), measured)}
    peer_time = results["peer"][1]
    parse_time = results["parse"][1]
    for role in ("rule", "peer", "parse"):
        label, seconds, peak = results[role]
        rows.append([
            corpus["name"],
            str(len(files)),
            str(lines),
            f"`{label}`",
            f"{seconds:.3f}",
            f"{len(files) / seconds:,.0f}",
            f"{lines / seconds:,.0f}",
            f"{seconds / peer_time:.2f}" if role != "peer" else "-",
            f"{seconds / parse_time:.2f}" if role == "rule" else "-",
            f"{peak / 1024:.1f}",
        ])

header = ["corpus", "files", "lines", "command", "median s", "files/s", "lines/s",
          "time / peer", "time / parse-only", "max RSS MiB"]
numeric = [False, True, True, False, True, True, True, True, True, True]
print("| " + " | ".join(header) + " |")
print("|" + "|".join("---:" if right else "---" for right in numeric) + "|")
for row in rows:
    print("| " + " | ".join(row) + " |")
print()
print("`time / peer`: the row's median time over the peer's on the same corpus (below 1: backlint is faster).")
print("`time / parse-only`: backlint's rule check over backlint's parse-only run on the same corpus.")
print()
print("Commands (run in target/corpora/<corpus>, followed by `-- <files>`, output to /dev/null):")
print()
for corpus in corpora:
    for label, command in (corpus["rule"], corpus["peer"]):
        shown = [os.path.relpath(command[0], root), *command[1:]]
        print(f"- `{' '.join(shown)}`")
print(f"- `{os.path.relpath(backlint, root)} check --parse-and-walk`")
PYTHON
