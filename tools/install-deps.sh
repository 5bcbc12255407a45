#!/usr/bin/env bash
# Installs the Debian 12 packages Kizuna needs, only those missing, only when run as root
# (otherwise it names what is missing). Used by `make`, `make test` and .ci/run.
set -eu
PKGS="build-essential cmake pkg-config libcmocka-dev libjansson-dev libusrsctp-dev libpcap-dev
      erlang-base erlang-asn1 clang libclang-rt-14-dev valgrind xxd tshark"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "install-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  # tshark (the RIC's end-to-end test dissects its pcap): no setuid dumpcap, no question
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq $missing
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
else
  echo "install-deps: missing Debian packages:$missing (run as root or: sudo apt-get install$missing)" >&2
  exit 1
fi
