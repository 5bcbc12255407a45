#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS on a scratch copy of its seed corpus (fuzz/corpus/<t>),
# prints executions and crashes per target, and fails if any target crashed.
# Usage: fuzz/run.sh BUILD_DIR [SECONDS]      (BUILD_DIR configured with CC=clang -DKZ_FUZZ=ON)
# FUZZ_TARGETS="fuzz_ccc" fuzz/run.sh ...   runs only the targets named
# Reproducers are kept in BUILD_DIR/fuzz/artifacts/<target>/; replay one with
#   BUILD_DIR/fuzz/<target> FILE
set -u
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS]}
secs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
targets=${FUZZ_TARGETS:-"fuzz_e2ap fuzz_e2sm fuzz_json fuzz_ccc"}
failed=0
total_crashes=0
for t in $targets; do
  bin=$build/fuzz/$t
  if [ ! -x "$bin" ]; then
    echo "$t: not built in $build/fuzz (configure with CC=clang -DKZ_FUZZ=ON)" >&2
    failed=1
    continue
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/kz-$t.XXXXXX")
  [ -d "$here/corpus/$t" ] && cp -r "$here/corpus/$t/." "$work/"
  art=$build/fuzz/artifacts/$t
  mkdir -p "$art"
  log=$build/fuzz/$t.log
  seeds=$(find "$work" -type f | wc -l)
  # -timeout: an input that takes 10 s is a hang; leaks are reported (ASan) as crashes too.
  dict=()
  [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")   # fuzz/<target>.dict: JSON keys etc.
  "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 "${dict[@]}" \
         -artifact_prefix="$art/" "$work" >"$log" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+' | awk '{print $2}')
  crashes=$(grep -c 'Test unit written to' "$log")
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
  total_crashes=$((total_crashes + crashes))
  printf '%-10s %4ss  seeds %4s  executions %10s  coverage %5s  crashes %s\n' \
         "$t" "$secs" "$seeds" "${execs:-?}" "${cov:-?}" "$crashes"
  if [ "$crashes" -ne 0 ]; then
    failed=1
    echo "  log: $log"
    grep -E 'PROPERTY VIOLATED|ERROR: |SUMMARY|Test unit written to' "$log" | head -8 | sed 's/^/  /'
  fi
  rm -rf "$work"
done
echo "fuzz: $total_crashes crash(es) in total"
exit $failed
