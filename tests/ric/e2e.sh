#!/bin/sh
# End-to-end: kizuna ric (sctp+udp E2, unix bus, pcap) + test agent process + kpimon process.
# Checks: kpimon prints KPM samples from the agent; SIGTERM stops the RIC cleanly (exit 0);
# tshark (if installed) reads the pcap as E2AP with no malformed packets.
set -u
KIZUNA=$1 AGENT=$2 KPIMON=$3
DIR=$(mktemp -d /tmp/kz-e2e.XXXXXX)
PORT=$((20000 + $$ % 20000))
SOCK="$DIR/bus.sock"
cleanup() { kill $RIC $AG 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
"$KIZUNA" ric --e2 "sctp+udp://127.0.0.1:$PORT" --bus "unix://$SOCK" --pcap "$DIR/e2.pcap" \
  --log-level debug --status 0 2>"$DIR/ric.log" &
RIC=$!
sleep 0.5
"$AGENT" "sctp+udp://127.0.0.1:$PORT" 0xe00 50 2>"$DIR/agent.log" &
AG=$!
timeout 20 "$KPIMON" --bus "unix://$SOCK" --csv --period 50 --count 10 >"$DIR/kpimon.csv" 2>"$DIR/kpimon.log"
KRC=$?
kill -TERM $AG; wait $AG
kill -TERM $RIC; wait $RIC; RRC=$?
fail=0
lines=$(grep -c ',RRU.PrbUsedDl,' "$DIR/kpimon.csv")
echo "kpimon exit=$KRC, PrbUsedDl samples=$lines; ric exit=$RRC"
[ "$KRC" = 0 ] && [ "$lines" -ge 5 ] || fail=1
grep -q ',PEE.AvgPower,25' "$DIR/kpimon.csv" || fail=1
[ "$RRC" = 0 ] || fail=1
grep -q 'msg="node up"' "$DIR/ric.log" || fail=1
grep -q 'msg="xapp connected"' "$DIR/ric.log" || fail=1
if command -v tshark >/dev/null 2>&1; then
  n=$(tshark -r "$DIR/e2.pcap" -Y e2ap 2>/dev/null | wc -l)
  bad=$(tshark -r "$DIR/e2.pcap" -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null | wc -l)
  echo "tshark: $n E2AP packets, $bad malformed"
  [ "$n" -ge 10 ] && [ "$bad" = 0 ] || fail=1
else
  echo "tshark not installed: checking the pcap with kizuna decode --pcap instead"
  "$KIZUNA" decode --pcap "$DIR/e2.pcap" >"$DIR/decoded.json" 2>"$DIR/decode.err" || fail=1
  n=$(grep -c '"message":"RICindication"' "$DIR/decoded.json")
  echo "kizuna decode: $(wc -l <"$DIR/decoded.json") E2AP messages, $n indications"
  [ "$n" -ge 10 ] && ! grep -q '"error"' "$DIR/decoded.json" || fail=1
fi
if [ $fail != 0 ]; then
  echo "--- ric.log"; tail -20 "$DIR/ric.log"; echo "--- agent.log"; cat "$DIR/agent.log"
  echo "--- kpimon.log"; cat "$DIR/kpimon.log"; echo "--- kpimon.csv"; head "$DIR/kpimon.csv"
fi
exit $fail
