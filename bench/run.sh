#!/usr/bin/env bash
# `make bench`: runs every benchmark binary the build made (bench/bench_*), each of which prints
# what it measured and how.  Usage: bench/run.sh BUILD_DIR
#
# bench_ric additionally runs the two usrsctp shapes of issue 5 (node -> RIC -> xApp, sctp+udp://
# E2, unix:// bus, 200,000 indications of 291 octets each, all must arrive, 0 dropped):
# --udp3 (three processes: agent, RIC, xApp) and --udp (one process; also the control loop's
# round trips, p50/p99).  A single run on a shared 2-core machine swings by 2x, so each shape runs
# KZ_BENCH_RIC_RUNS times (default 5) and the summary line gives the median rate, the range, the
# load average before the first run, and whether every run delivered everything.
set -eu
build=${1:-build}
found=0

median() { sort -n | awk '{v[NR]=$1} END{if (NR) print v[int((NR+1)/2)]; else print "n/a"}'; }

ric_usrsctp() {   # $1 = bench_ric binary, $2 = --udp3 | --udp
  local b=$1 mode=$2 runs=${KZ_BENCH_RIC_RUNS:-5} rates="" p99s="" ok=1 out rate tag=usrsctp
  [ "$mode" = --udp3 ] && tag=usrsctp3
  echo "--- bench_ric $mode 0 200000, $runs runs (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  for _ in $(seq "$runs"); do
    out=$("$b" "$mode" 0 200000 2>&1) || ok=0
    if [ "$mode" = --udp3 ]; then
      rate=$(sed -n 's/^usrsctp3_ind_per_s=\([0-9]*\).*/\1/p' <<<"$out")
      grep -q "ric_dropped=0 " <<<"$out" || ok=0
      grep -q "received_by_xapp=200000 " <<<"$out" || ok=0
    else
      rate=$(sed -n 's/^usrsctp_ind_per_s_x1=\([0-9]*\).*/\1/p' <<<"$out")
      grep -q "delivered=200000 dropped=0" <<<"$out" || ok=0
      p99s+="$(sed -n 's/.*control_rtt_us_p50=[0-9.]* p99=\([0-9.]*\).*/\1/p' <<<"$out") "
    fi
    echo "$out" | grep -E "ind_per_s|cpu_ns_per_ind|control_rtt" | head -3
    rates+="${rate:-0} "
  done
  local med lo hi
  med=$(tr ' ' '\n' <<<"$rates" | grep . | median)
  lo=$(tr ' ' '\n' <<<"$rates" | grep . | sort -n | head -1)
  hi=$(tr ' ' '\n' <<<"$rates" | grep . | sort -n | tail -1)
  echo "${tag}_median_ind_per_s=$med (range $lo-$hi, $runs runs, all delivered: $([ $ok = 1 ] && echo yes || echo NO))"
  if [ -n "$p99s" ]; then
    echo "usrsctp_control_rtt_median_p99_us=$(tr ' ' '\n' <<<"$p99s" | grep . | median)"
  fi
}

for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  found=1
  echo "=== $(basename "$b")"
  "$b"
  if [ "$(basename "$b")" = bench_ric ]; then
    ric_usrsctp "$b" --udp3
    ric_usrsctp "$b" --udp
  fi
  echo
done
[ "$found" = 1 ] || { echo "no benchmarks built in $build/bench" >&2; exit 1; }
