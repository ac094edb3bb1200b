#!/usr/bin/env bash
# A long fuzzing run of one target: libFuzzer runs until RUNS executions or SECONDS have
# passed, started again after each failure (its input is saved in fuzz/artifacts/TARGET/) so
# that one finding does not end the run. Each round's log is kept in fuzz/logs/, and a line
# per round (exit code, executions, slowest input) is added to fuzz/logs/summary.txt, from
# which fuzz/README.md's table of runs is written.
#
#   fuzz/campaign.sh TARGET RUNS SECONDS [MAX_LEN]
#
# The targets must be built first (`cargo +nightly fuzz build -O -s none`). Run it under
# `nice` beside other work: an input starved of the processor can outlive the timeout, so
# every timeout is to be run again on an idle machine before it is believed.
set -euo pipefail
fuzz=$(cd "$(dirname "$0")" && pwd)
target=$1 runs=$2 seconds=$3 max_len=${4:-4096}
binary="$fuzz/target/x86_64-unknown-linux-gnu/release/$target"
[ -x "$binary" ] || { echo "no $binary: build the targets first" >&2; exit 2; }
mkdir -p "$fuzz/artifacts/$target" "$fuzz/logs" "$fuzz/corpus/$target"
cd "$fuzz"
start=$(date +%s)
executed=0
round=0
while :; do
  left=$((seconds - ($(date +%s) - start)))
  if [ "$left" -le 0 ] || [ "$executed" -ge "$runs" ]; then
    break
  fi
  round=$((round + 1))
  log="logs/$target.$(date -u +%Y%m%dT%H%M%S).log"
  status=0
  "$binary" "corpus/$target" -runs=$((runs - executed)) -max_total_time="$left" -timeout=5 \
    -report_slow_units=1 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="artifacts/$target/" >"$log" 2>&1 || status=$?
  units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log")
  executed=$((executed + ${units:-0}))
  echo "$(date -u +%FT%TZ) $target round $round: exit $status, ${units:-?} executions" \
    "(slowest ${slowest:-?} s), $executed in all" >>logs/summary.txt
done
echo "$(date -u +%FT%TZ) $target done: $executed executions in $(($(date +%s) - start)) s" \
  >>logs/summary.txt
