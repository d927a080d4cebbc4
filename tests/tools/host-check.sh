#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host-check.sh BINDIR [OUTDIR] - run toa-inject for real, without the VM
# and without toa.ko, and prove the packets it edits are well-formed.
# Needs root, network namespaces, nftables (masquerade), NFQUEUE (the nft
# `queue` expression, or iptables' NFQUEUE target when the kernel has only
# that), tcpdump and tshark (installed when missing). BINDIR holds
# toa-inject, toa-peer-server and toa-connect.
#
# The hosts are the VM scenarios' (tests/lib/topology.sh): cli -> lb
# (SNAT to 10.0.2.1 / fd02::1, every client packet but SYNs queued to
# toa-inject; SYNs too in the MSS clamp step) -> srv. tcpdump in srv
# records everything; check-capture.sh then checks every checksum and
# lists the options, and this script compares that list with what each
# step must have produced. Without toa.ko the backend sees the balancer
# (accept=10.0.2.1:PORT, lookup=ENOPROTOOPT): that is checked too.
# Namespaces are deleted on exit.
set -eEuo pipefail

bin=$(cd "${1:?usage: host-check.sh BINDIR [OUTDIR]}" && pwd)
out=${2:-$(mktemp -d /tmp/toa-host-check.XXXXXX)}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOA_ROOT=$(cd "$here/../.." && pwd)
mkdir -p "$out"
rm -f "$out"/*.pcap "$out"/*.log
source "$TOA_ROOT/tests/vm/common.sh" # ensure_pkgs
source "$TOA_ROOT/tests/lib/common.sh"
source "$TOA_ROOT/tests/lib/topology.sh"
source "$TOA_ROOT/tests/lib/capture.sh"
TOA_BIN=$bin TOA_TMP=$out
source "$TOA_ROOT/tests/lib/balancer.sh"

ensure_pkgs iproute2 nftables iptables tcpdump tshark util-linux
netns_private "$0" "$@"

cleanup() {
	balancer_cleanup
	capture_kill
	topo_down
}
trap cleanup EXIT

log "topology"
topo_up
lb_snat
lb_queue 0
log "queue rule via $LB_QUEUE_VIA"

# Port 8045 (the load step) is left out: 250 connections would bury the
# packets the steps below compare.
capture_start srv eth0 "$out/srv.pcap" tcp portrange 8000-8099 and not port 8045

# through SERVER-ARGS -- CONNECT-ARGS: one connection, leaves what the
# server saw in SEEN
through_seen() {
	through "$@"
	serve_wait
	SEEN=$(tail -n 1 <<<"$SERVED")
	echo "   server: $SEEN"
}
expect() {
	local kv
	for kv in "$@"; do
		[[ " $SEEN " == *" $kv "* ]] || fail "expected '$kv'"
	done
}
# inject_done - stop toa-inject, which must exit 0; show its counters.
inject_done() {
	inject_stop
	((INJECT_STATUS == 0)) || fail "toa-inject exited $INJECT_STATUS"
	tail -n 1 "$out/inject.log"
}

want=()	# the option lines check-capture.sh must print, in order
step() {	# step NAME INJECT-ARGS... -- SERVER-ARGS -- CONNECT-ARGS
	local name=$1 iargs=() sargs=()
	shift
	while [[ $1 != -- ]]; do iargs+=("$1"); shift; done
	shift
	while [[ $1 != -- ]]; do sargs+=("$1"); shift; done
	shift
	log "$name"
	inject_start lb --queue 0 -v "${iargs[@]}" 2>"$out/inject.log"
	through_seen -t 30 "${sargs[@]}" -- "$@"
	inject_done
}

step "IPv4, default 254/8" -- -4 -p 8000 -- -s 40001 10.0.2.2 8000
expect accept=10.0.2.1:40001 soname=10.0.2.1:40001 lookup=ENOPROTOOPT info=ENOPROTOOPT
want+=("10.0.2.1:40001 > 10.0.2.2:8000 kind=254 len=8 port=40001 addr=10.0.1.2")

step "IPv6, default 254/20" -- -6 -p 8001 -- -s 40002 fd02::2 8001
expect "accept=[fd02::1]:40002" "soname=[fd02::1]:40002"
want+=("[fd02::1]:40002 > [fd02::2]:8001 kind=254 len=20 port=40002 addr=fd01::2")

step "IPv4, 200/8" --format 200/8 -- -4 -p 8002 -- -s 40003 10.0.2.2 8002
want+=("10.0.2.1:40003 > 10.0.2.2:8002 kind=200 len=8 port=40003 addr=10.0.1.2")

step "IPv6, 253/20" --format 253/20 -- -6 -p 8003 -- -s 40004 fd02::2 8003
want+=("[fd02::1]:40004 > [fd02::2]:8003 kind=253 len=20 port=40004 addr=fd01::2")

step "NAT64: IPv6 client fd05::5 in an IPv4 flow" --client '[fd05::5]:1234' \
	-- -4 -p 8004 -- -s 40005 10.0.2.2 8004
want+=("10.0.2.1:40005 > 10.0.2.2:8004 kind=254 len=20 port=1234 addr=fd05::5")

step "IPv4 client, dual-stack backend" -- -d -p 8005 -- -s 40006 10.0.2.2 8005
expect "accept=[::ffff:10.0.2.1]:40006"
want+=("10.0.2.1:40006 > 10.0.2.2:8005 kind=254 len=8 port=40006 addr=10.0.1.2")

step "forged port, 253/8" --client-port 999 --format 253/8 -- -4 -p 8006 -- -s 40007 10.0.2.2 8006
want+=("10.0.2.1:40007 > 10.0.2.2:8006 kind=253 len=8 port=999 addr=10.0.1.2")

port=8010 sport=40010
for kind in truncated badlen zero-port zero-addr short; do
	step "malformed: $kind" --malform "$kind" -- -4 -p $port -- -s $sport 10.0.2.2 $port
	p=$(printf %04x $sport)
	case $kind in
	truncated) want+=("10.0.2.1:$sport > 10.0.2.2:$port kind=254 len=8 truncated bytes=fe08$p") ;;
	badlen) want+=("10.0.2.1:$sport > 10.0.2.2:$port kind=254 len=1 bad-length bytes=fe01") ;;
	zero-port) want+=("10.0.2.1:$sport > 10.0.2.2:$port kind=254 len=8 port=0 addr=10.0.1.2") ;;
	zero-addr) want+=("10.0.2.1:$sport > 10.0.2.2:$port kind=254 len=8 port=$sport addr=0.0.0.0") ;;
	short) want+=("10.0.2.1:$sport > 10.0.2.2:$port kind=254 len=7 not-a-toa-length bytes=fe07${p}0a0001") ;;
	esac
	port=$((port + 1)) sport=$((sport + 1))
done

step "IPv6, malformed zero-addr" --malform zero-addr -- -6 -p 8020 -- -s 40020 fd02::2 8020
want+=("[fd02::1]:40020 > [fd02::2]:8020 kind=254 len=20 port=40020 addr=::")

step "mode first:2 (handshake ACK and first data)" --mode first:2 -- -4 -p 8030 -- -s 40030 10.0.2.2 8030
want+=("10.0.2.1:40030 > 10.0.2.2:8030 kind=254 len=8 port=40030 addr=10.0.1.2")
want+=("10.0.2.1:40030 > 10.0.2.2:8030 kind=254 len=8 port=40030 addr=10.0.1.2")

log "--count 1: exits 0 by itself after one injection"
inject_start lb --queue 0 --count 1 2>"$out/inject.log"
through_seen -t 30 -4 -p 8040 -- -s 40040 10.0.2.2 8040
inject_wait
((INJECT_STATUS == 0)) || fail "toa-inject --count 1 exited $INJECT_STATUS"
tail -n 1 "$out/inject.log"
grep -q 'injected=1 ' "$out/inject.log" || fail "--count: counters"
want+=("10.0.2.1:40040 > 10.0.2.2:8040 kind=254 len=8 port=40040 addr=10.0.1.2")

log "load: 200 connections one after the other, then 50 open at once"
inject_start lb --queue 0 2>"$out/inject.log"
serve -t 60 -4 -p 8045 -n 250
connect_pinned -n 200 10.0.2.2 8045
connect_pinned -n 50 -c 10.0.2.2 8045
serve_wait
inject_done
grep -q 'injected=250 ' "$out/inject.log" || fail "load: expected 250 injections"
assert_eq 250 "$(grep -c '^accept=' <<<"$SERVED")" "load: server lines"

log "lost handshake ACK (dropped before the queue): the first data packet carries it"
if [[ $LB_QUEUE_VIA == nft ]]; then
	lb nft -f - <<-EOF
		table inet lossy {
			chain lossy_fwd {
				type filter hook forward priority filter - 10; policy accept;
				iifname "eth-cli" meta l4proto tcp ct original packets 2 drop
			}
		}
	EOF
else
	lb iptables -I FORWARD 1 -i eth-cli -p tcp -m connbytes --connbytes 2:2 \
		--connbytes-dir original --connbytes-mode packets -j DROP
fi
step "lost ACK" -- -4 -p 8050 -- -s 40050 10.0.2.2 8050
want+=("10.0.2.1:40050 > 10.0.2.2:8050 kind=254 len=8 port=40050 addr=10.0.1.2")
lb nft delete table inet lossy 2>/dev/null || lb iptables -D FORWARD 1

log "--mss-clamp: SYNs queued too, their MSS lowered by the option length"
lb_queue 0 syn
step "mss clamp IPv4" --mss-clamp -- -4 -p 8060 -- -s 40060 10.0.2.2 8060
step "mss clamp IPv6" --mss-clamp -- -6 -p 8061 -- -s 40061 fd02::2 8061
want+=("10.0.2.1:40060 > 10.0.2.2:8060 kind=254 len=8 port=40060 addr=10.0.1.2")
want+=("[fd02::1]:40061 > [fd02::2]:8061 kind=254 len=20 port=40061 addr=fd01::2")

# Stop the capture once it holds every option-carrying packet the steps
# sent (the last are the MSS-clamp steps'): tcpdump lags behind when the
# machine is busy.
toa_frames() { "$here/check-capture.sh" "$1" | grep '^frame'; }
capture_stop ${#want[@]} toa_frames

log "check-capture.sh $out/srv.pcap"
"$here/check-capture.sh" "$out/srv.pcap" >"$out/capture.txt" || {
	cat "$out/capture.txt"
	fail "check-capture.sh found bad packets"
}
cat "$out/capture.txt"
got=$(grep '^frame' "$out/capture.txt" | sed 's/^frame [0-9]*: //')
expected=$(printf '%s\n' "${want[@]}")
[[ $got == "$expected" ]] || {
	diff <(echo "$expected") <(echo "$got") || true
	fail "options in the capture differ from what each step must produce"
}

log "the MSS of the clamped SYNs (as captured on srv)"
mss=$(tshark -n -r "$out/srv.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport >= 8060' \
	-T fields -e tcp.dstport -e tcp.options.mss_val 2>/dev/null | tr '\t\n' ' ;')
echo "   $mss"
[[ $mss == "8060 1452;8061 1420;" ]] || fail "MSS not clamped: $mss"

log "lost ACK: the option rode on the first data segment (6 bytes)"
len=$(tshark -n -r "$out/srv.pcap" -Y 'tcp.dstport == 8050 && tcp.option_kind == 254' \
	-T fields -e tcp.len 2>/dev/null)
echo "   payload length: $len"
[[ $len == 6 ]] || fail "lost ACK: option on '$len'"

log "negative control: one flipped byte in an injected packet is caught"
# pcap: 24-byte file header, then per packet a 16-byte header + caplen.
frame=$(grep -m1 '^frame' "$out/capture.txt" | sed 's/^frame \([0-9]*\):.*/\1/')
off=24
while read -r n cap; do
	off=$((off + 16 + cap))
	((n == frame)) && break
done < <(tshark -n -r "$out/srv.pcap" -T fields -e frame.number -e frame.cap_len 2>/dev/null)
cp "$out/srv.pcap" "$out/corrupt.pcap"
last=$(od -An -tu1 -j $((off - 1)) -N1 "$out/corrupt.pcap" | tr -d ' ')
# shellcheck disable=SC2059 # the format is the octal escape itself
printf "$(printf '\\%03o' $((last ^ 0x01)))" |
	dd of="$out/corrupt.pcap" bs=1 seek=$((off - 1)) conv=notrunc status=none
if "$here/check-capture.sh" "$out/corrupt.pcap" >/dev/null 2>"$out/corrupt.err"; then
	fail "check-capture.sh accepted a corrupted packet"
fi
cat "$out/corrupt.err"

echo "host-check: all good (capture and logs in $out)"
