#!/usr/bin/env bash
# `make bench`: runs every benchmark binary the build made (bench/bench_*), each of which prints
# what it measured and how.  Usage: bench/run.sh BUILD_DIR
set -eu
build=${1:-build}
found=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  found=1
  echo "=== $(basename "$b")"
  "$b"
  echo
done
[ "$found" = 1 ] || { echo "no benchmarks built in $build/bench" >&2; exit 1; }
