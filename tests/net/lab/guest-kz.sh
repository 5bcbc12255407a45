#!/bin/sh
# guest-kz.sh -- Kizuna's kernel-SCTP checks, run inside the kernel-sctp lab guest
# (../shared/lab/kernel-sctp) as /mnt/kz/guest-test.sh.  tests/net/kernel_sctp_lab.sh stages the
# share: this script, bin/ (test_transport, kizuna-echo, kizuna), lib/ (their shared libraries
# that a Debian minbase lacks), small-city.json and env.sh (paths and ports).
#
# Steps, each printing KZ-PASS / KZ-FAIL lines that the host script counts:
#   1. modprobe sctp; `test_transport sctp` on guest loopback (plain kernel SCTP);
#   2. network up, net.sctp.udp_port / encap_port = UDP (RFC 6951 from here on);
#   3. kizuna-echo server on sctp://GUEST:ECHO_PORT (kernel); the host's kizuna-echo client
#      comes over sctp+udp (usrsctp) when it sees 'KZ-READY echo-server';
#   3b. a guest kizuna-echo client against a host kizuna-echo server (sctp+udp, UDP DEAD_UDP);
#      the host takes the tap down at 'KZ-READY cut' and up at 'KZ-READY restore': the time to
#      on_down measures dead-peer detection (heartbeat/RTO options) on the kernel side;
#   4. `kizuna ric --e2 sctp://0.0.0.0:PORT` + kizuna-kpimon in the guest; the host's
#      `kizuna emu --ric sctp+udp://GUEST:UDP` connects when it sees 'KZ-READY ric';
#   5. `kizuna emu --ric sctp://HOST:PORT` in the guest against the host's RIC over sctp+udp.
# The root file system is a qemu snapshot (snapshot=on): remounting it rw changes nothing on
# disk, and lets us put kizuna-echo at the absolute path test_transport was compiled with.
D=$(cd "$(dirname "$0")" && pwd)
. "$D/env.sh"
export LD_LIBRARY_PATH="$D/lib"
B=$D/bin
for w in $(cat /proc/cmdline); do
    case $w in
        kz.*=*) k=${w%%=*}; k=${k#kz.}; eval "KZ_$k=\${w#*=}" ;;
    esac
done
HOST=${KZ_host:-10.213.0.1}
GUEST=${KZ_guest:-10.213.0.2/24}
GIP=${GUEST%/*}
PORT=${KZ_port:-36421}
UDP=${KZ_udp:-9899}
W=/tmp/kz

pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "KZ-PASS $*"; }
bad() { fail=$((fail + 1)); echo "KZ-FAIL $*"; }
up()  { cut -d' ' -f1 /proc/uptime; }
sc()  { echo "$2" > "/proc/sys/net/sctp/$1"; }
# wait_for FILE PATTERN SECONDS
wait_for() {
    i=0
    while [ $i -lt $(($3 * 10)) ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
mkdir -p $W

echo "== [$(up)] step 1: kernel SCTP, test_transport sctp on loopback"
modprobe sctp && ok "modprobe-sctp" || bad "modprobe-sctp"
ip link set lo up
mount -o remount,rw / 2>/dev/null
mkdir -p "$(dirname "$ECHO_PATH")" && cp "$B/kizuna-echo" "$ECHO_PATH"
ulimit -n 8192   # 1,000 associations = 2,000 kernel sockets in one process
t0=$(up)
KZ_NET_ASSOCS=$ASSOCS "$B/test_transport" sctp > $W/tt.log 2>&1
rc=$?
sed 's/^/tt| /' $W/tt.log
if [ $rc = 0 ]; then ok "test_transport-sctp rc=0 ($(awk -v a="$(up)" -v b="$t0" 'BEGIN{printf "%.1f", a-b}') s)"
else bad "test_transport-sctp rc=$rc"; fi

echo "== [$(up)] step 1b: kizuna-echo over kernel SCTP on guest loopback (RTT under TCG)"
"$B/kizuna-echo" server "sctp://127.0.0.1:$((ECHO_PORT + 10))" > $W/lo-echo.log 2>&1 &
LP=$!
if wait_for $W/lo-echo.log listening 10 &&
   timeout 30 "$B/kizuna-echo" client "sctp://127.0.0.1:$((ECHO_PORT + 10))" -n 2000 -s 200 -c 1 > $W/lo-cli.log 2>&1 &&
   timeout 30 "$B/kizuna-echo" client "sctp://127.0.0.1:$((ECHO_PORT + 10))" -n 50 -s 200 -c 100 >> $W/lo-cli.log 2>&1; then
    ok "loopback-echo: $(grep -c echoes $W/lo-cli.log) runs OK"
else
    bad "loopback-echo"
fi
sed 's/^/lo| /' $W/lo-cli.log | grep -v '^lo| \(up\|down\):'
grep -v '^\(up\|down\):' $W/lo-echo.log | sed 's/^/lo-srv| /' | head
kill $LP 2>/dev/null; wait $LP 2>/dev/null
if [ "${STOP_AFTER:-}" = 1 ]; then echo "KZ-RESULT pass=$pass fail=$fail uptime=$(up)"; exit 0; fi

echo "== [$(up)] step 2: network + SCTP over UDP"
modprobe virtio_net
IF=
for i in 1 2 3 4 5 6 7 8 9 10; do
    IF=$(ls /sys/class/net | grep -v '^lo$' | head -1)
    [ -n "$IF" ] && break
    sleep 0.2
done
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
if [ -n "$IF" ] && ip addr add "$GUEST" dev "$IF" && ip link set "$IF" up; then
    ok "net-up $IF $GUEST"
else
    bad "net-up"
fi
sc udp_port "$UDP"; sc encap_port "$UDP"   # before any socket: each socket copies them
echo "net.sctp.udp_port=$(cat /proc/sys/net/sctp/udp_port) encap_port=$(cat /proc/sys/net/sctp/encap_port)"

echo "== [$(up)] step 3: kizuna-echo server sctp://$GIP:$ECHO_PORT <- host kizuna-echo over sctp+udp"
"$B/kizuna-echo" server "sctp://$GIP:$ECHO_PORT" > $W/echo.log 2>&1 &
EP=$!
if wait_for $W/echo.log listening 10; then
    echo "KZ-READY echo-server"
    # the host's kizuna-echo clients open ECHO_ASSOCS associations in all and close each orderly
    i=0
    while [ $i -lt 900 ] && [ "$(grep -c '^down:' $W/echo.log)" -lt "$ECHO_ASSOCS" ]; do
        sleep 0.1; i=$((i + 1))
    done
    if [ "$(grep -c 'down: .*orderly' $W/echo.log)" -ge "$ECHO_ASSOCS" ]; then
        ok "echo-server: $(grep -c '^up:' $W/echo.log) up, $(grep -c '^down:' $W/echo.log) down"
    else
        bad "echo-server: $(grep -c '^up:' $W/echo.log) up, $(grep -c 'down: .*orderly' $W/echo.log) orderly downs, want $ECHO_ASSOCS"
    fi
else
    bad "echo-server did not listen"
fi
sed 's/^/echo| /' $W/echo.log
kill $EP 2>/dev/null; wait $EP 2>/dev/null

echo "== [$(up)] step 3b: dead peer: guest kizuna-echo client sctp://$HOST:$DEAD_PORT, then the host cuts the tap"
sc encap_port "$DEAD_UDP"      # the host's echo server has its own usrsctp stack on UDP $DEAD_UDP
# first guest (kernel) -> host (usrsctp): RTT, and 200,000-byte messages the host reads in pieces
if timeout 60 "$B/kizuna-echo" client "sctp://$HOST:$DEAD_PORT" -n 2000 -s 200 -c 1 > $W/g2h.log 2>&1 &&
   timeout 60 "$B/kizuna-echo" client "sctp://$HOST:$DEAD_PORT" -n 20 -s 200000 -c 2 >> $W/g2h.log 2>&1; then
    ok "guest-to-host-echo: 2 runs OK"
else
    bad "guest-to-host-echo"
fi
sed 's/^/g2h| /' $W/g2h.log | grep -v '^g2h| \(up\|down\):'
"$B/kizuna-echo" client "sctp://$HOST:$DEAD_PORT" -n 100000000 -s 200 -c 1 > $W/dead.log 2>&1 &
DP=$!
if wait_for $W/dead.log '^up:' 20; then
    sc encap_port "$UDP"
    sleep 1
    echo "KZ-READY cut"
    t0=$(up)
    if wait_for $W/dead.log '^down:' 30; then
        dt=$(awk -v a="$(up)" -v b="$t0" 'BEGIN{printf "%.2f", a-b}')
        grep -q '^down:.*timed out' $W/dead.log || bad "dead-peer: reason is not KZ_ETIMEOUT"
        ok "dead-peer: tap cut under load, $(grep '^down:' $W/dead.log | head -1) after ${dt} s (dead_peer_ms 3000)"
    else
        bad "dead-peer: no down within 30 s of the cut"
    fi
else
    sc encap_port "$UDP"
    bad "dead-peer: client never up"
fi
kill $DP 2>/dev/null; wait $DP 2>/dev/null
sed 's/^/dead| /' $W/dead.log | head -5
echo "KZ-READY restore"
sleep 2

echo "== [$(up)] step 4: kizuna ric --e2 sctp://0.0.0.0:$PORT in the guest, emu on the host"
"$B/kizuna" ric --e2 "sctp://0.0.0.0:$PORT" --bus unix://$W/ric.sock --status 0 \
    --setup-wait 20000 > $W/ric.log 2>&1 &
RP=$!
if wait_for $W/ric.log "e2 listening" 10; then
    "$B/kizuna-kpimon" --bus unix://$W/ric.sock --csv --count "$KPM_COUNT" --duration 90 \
        > $W/kpimon.log 2>&1 &
    KP=$!
    wait_for $W/kpimon.log "RIC connected" 10
    echo "KZ-READY ric"
    wait $KP; krc=$?
    sleep 0.5
    kill $RP 2>/dev/null; wait $RP 2>/dev/null
    nu=$(grep -c 'msg="node up"' $W/ric.log)
    ni=$(grep -vc '^kpimon' $W/kpimon.log)
    if [ $krc = 0 ] && [ "$nu" -gt 0 ] && [ "$ni" -gt 0 ]; then
        ok "guest-ric: $nu E2 setups over kernel SCTP, kpimon $ni KPM samples"
    else
        bad "guest-ric: kpimon rc=$krc, $nu node up, $ni samples"
    fi
else
    bad "guest-ric did not listen"
    kill $RP 2>/dev/null; wait $RP 2>/dev/null
fi
sed 's/^/ric| /' $W/ric.log | head -40
grep '^kpimon' $W/kpimon.log | sed 's/^/kpimon| /'
grep -v '^kpimon' $W/kpimon.log | head -5 | sed 's/^/kpimon| /'

echo "== [$(up)] step 5: kizuna emu --ric sctp://$HOST:$PORT in the guest, RIC on the host"
timeout 120 "$B/kizuna" emu --scenario "$D/small-city.json" --ric "sctp://$HOST:$PORT" \
    --speed 60 --duration "$EMU_SECONDS" > $W/emu.log 2>&1
erc=$?
sed 's/^/emu| /' $W/emu.log
[ $erc = 0 ] && ok "guest-emu rc=0" || bad "guest-emu rc=$erc"

echo "== [$(up)] counters"
grep -E 'SctpCurrEstab|SctpActiveEstabs|SctpPassiveEstabs|SctpAborteds|SctpShutdowns|SctpOutSCTPPacks|SctpInSCTPPacks' \
    /proc/net/sctp/snmp | tr -s ' \t' ' ' | tr '\n' ';'
echo
echo "KZ-RESULT pass=$pass fail=$fail uptime=$(up)"
[ "$fail" = 0 ]
