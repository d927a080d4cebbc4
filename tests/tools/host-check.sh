#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host-check.sh BINDIR [OUTDIR] - run toa-inject for real, without the VM
# and without toa.ko, and prove the packets it edits are well-formed.
# Needs root, network namespaces, nftables (masquerade), NFQUEUE (the nft
# `queue` expression, or iptables' NFQUEUE target when the kernel has only
# that), tcpdump and tshark. BINDIR holds toa-inject, toa-peer-server and
# toa-connect.
#
#   ns "cli"               ns "lb"                               ns "srv"
#   10.0.1.2  fd01::2 ---- 10.0.1.1 fd01::1 | 10.0.2.1 fd02::1 ---- 10.0.2.2 fd02::2
#                          forward: queue 0 -> toa-inject
#                          postrouting: masquerade
#
# The queue gets what tests/vm's lb_queue sends it: the first packets of
# each client->backend connection, SYNs excluded (SYNs too in the MSS
# clamp step). tcpdump in srv records everything; check-capture.sh then
# checks every checksum and lists the options, and this script compares
# that list with what each step must have produced. Without toa.ko the
# backend sees the balancer (accept=10.0.2.1:PORT, lookup=ENOPROTOOPT):
# that is checked too. Namespaces are deleted on exit.
set -eEuo pipefail

bin=$(cd "${1:?usage: host-check.sh BINDIR [OUTDIR]}" && pwd)
out=${2:-$(mktemp -d /tmp/toa-host-check.XXXXXX)}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"

fail() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "-- $*"; }
cli() { ip netns exec cli "$@"; }
lb() { ip netns exec lb "$@"; }
srv() { ip netns exec srv "$@"; }

for ns in cli lb srv; do
	! ip netns list | grep -qw "^$ns" || fail "netns $ns exists already"
done

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	for ns in cli lb srv; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

log "topology"
for ns in cli lb srv; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n lb -b - <<-EOF
	link add eth-cli type veth peer name eth0 netns cli
	link add eth-srv type veth peer name eth0 netns srv
	addr add 10.0.1.1/24 dev eth-cli
	addr add fd01::1/64 dev eth-cli nodad
	addr add 10.0.2.1/24 dev eth-srv
	addr add fd02::1/64 dev eth-srv nodad
	link set eth-cli up
	link set eth-srv up
EOF
ip -n cli -b - <<-EOF
	addr add 10.0.1.2/24 dev eth0
	addr add fd01::2/64 dev eth0 nodad
	link set eth0 up
	route add default via 10.0.1.1
	route add default via fd01::1
EOF
ip -n srv -b - <<-EOF
	addr add 10.0.2.2/24 dev eth0
	addr add fd02::2/64 dev eth0 nodad
	link set eth0 up
	route add default via 10.0.2.1
	route add default via fd02::1
EOF
lb nft -f - <<-EOF
	table inet toa_snat {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "eth-srv" masquerade
		}
	}
EOF
lb sysctl -qw net.netfilter.nf_conntrack_acct=1

# queue_rule [syn] - queue non-SYN packets 1-4 of each client connection
# (and the SYN too with "syn"). nft's queue expression when the kernel has
# it, else iptables' NFQUEUE target.
queue_rule() {
	local flags='tcp flags & (syn | rst) == 0' xflags=(--tcp-flags 'SYN,RST' NONE)
	if [[ ${1:-} == syn ]]; then
		flags='tcp flags & rst == 0'
		xflags=(--tcp-flags RST NONE)
	fi
	lb nft delete table inet toa_queue 2>/dev/null || true
	lb iptables -F FORWARD 2>/dev/null || true
	lb ip6tables -F FORWARD 2>/dev/null || true
	if lb nft -f - 2>/dev/null <<-EOF
		table inet toa_queue {
			chain forward_q {
				type filter hook forward priority filter; policy accept;
				iifname "eth-cli" oifname "eth-srv" $flags \
					ct original packets < 5 counter queue num 0 bypass
			}
		}
	EOF
	then
		QUEUE_VIA=nft
	else
		local t
		for t in iptables ip6tables; do
			lb "$t" -A FORWARD -i eth-cli -o eth-srv -p tcp "${xflags[@]}" \
				-m connbytes --connbytes 0:4 --connbytes-dir original \
				--connbytes-mode packets -j NFQUEUE --queue-num 0 --queue-bypass
		done
		QUEUE_VIA=iptables
	fi
}
queue_rule
log "queue rule via $QUEUE_VIA"

# not through srv(): a backgrounded shell function is a subshell that
# ignores SIGINT, so the kill -INT below would not reach tcpdump
ip netns exec srv tcpdump -q -U -i eth0 -w "$out/srv.pcap" tcp portrange 8000-8099 and not port 8045 2>/dev/null &
pids+=($!)
tcpdump_pid=$!
sleep 1

inject_pid=
inject_start() {
	local line
	ip netns exec lb "$bin/toa-inject" "$@" 2>"$out/inject.log" &
	inject_pid=$!
	pids+=("$inject_pid")
	for _ in $(seq 100); do
		# warnings (e.g. no conntrack info on this kernel) may come first
		grep -q 'ready' "$out/inject.log" && return 0
		line=$(tail -n 1 "$out/inject.log")
		kill -0 "$inject_pid" 2>/dev/null || fail "toa-inject: $line"
		sleep 0.05
	done
	fail "toa-inject not ready"
}
inject_stop() {
	kill -TERM "$inject_pid"
	wait "$inject_pid" || fail "toa-inject exited $?"
	tail -n 1 "$out/inject.log"
}

# through SERVER-ARGS -- CONNECT-ARGS: one connection, prints what the
# server saw
through() {
	local sargs=() spid
	while [[ $1 != -- ]]; do sargs+=("$1"); shift; done
	shift
	rm -f "$out/serve.out"
	ip netns exec srv "$bin/toa-peer-server" -t 30 "${sargs[@]}" >"$out/serve.out" &
	spid=$!
	pids+=("$spid")
	until grep -qs '^ready' "$out/serve.out"; do sleep 0.02; done
	cli "$bin/toa-connect" "$@" || fail "toa-connect $*"
	wait "$spid" || fail "toa-peer-server ${sargs[*]}"
	SEEN=$(tail -n 1 "$out/serve.out")
	echo "   server: $SEEN"
}
expect() {
	local kv
	for kv in "$@"; do
		[[ " $SEEN " == *" $kv "* ]] || fail "expected '$kv'"
	done
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
	inject_start --queue 0 -v "${iargs[@]}"
	through "${sargs[@]}" -- "$@"
	inject_stop
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
inject_start --queue 0 --count 1
through -4 -p 8040 -- -s 40040 10.0.2.2 8040
wait "$inject_pid" || fail "toa-inject --count 1 exited $?"
tail -n 1 "$out/inject.log"
grep -q 'injected=1 ' "$out/inject.log" || fail "--count: counters"
want+=("10.0.2.1:40040 > 10.0.2.2:8040 kind=254 len=8 port=40040 addr=10.0.1.2")

log "load: 200 connections one after the other, then 50 open at once"
inject_start --queue 0
ip netns exec srv "$bin/toa-peer-server" -t 60 -4 -p 8045 -n 250 >"$out/load.out" &
spid=$!
pids+=("$spid")
until grep -qs '^ready' "$out/load.out"; do sleep 0.02; done
cli "$bin/toa-connect" -n 200 10.0.2.2 8045 || fail "200 sequential connections"
cli "$bin/toa-connect" -n 50 -c 10.0.2.2 8045 || fail "50 concurrent connections"
wait "$spid" || fail "toa-peer-server -n 250"
inject_stop
grep -q 'injected=250 ' "$out/inject.log" || fail "load: expected 250 injections"
[[ $(grep -c '^accept=' "$out/load.out") == 250 ]] || fail "load: server lines"

log "lost handshake ACK (dropped before the queue): the first data packet carries it"
if [[ $QUEUE_VIA == nft ]]; then
	lb nft -f - <<-EOF
		table inet lossy {
			chain fwd {
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
queue_rule syn
step "mss clamp IPv4" --mss-clamp -- -4 -p 8060 -- -s 40060 10.0.2.2 8060
step "mss clamp IPv6" --mss-clamp -- -6 -p 8061 -- -s 40061 fd02::2 8061
want+=("10.0.2.1:40060 > 10.0.2.2:8060 kind=254 len=8 port=40060 addr=10.0.1.2")
want+=("[fd02::1]:40061 > [fd02::2]:8061 kind=254 len=20 port=40061 addr=fd01::2")

sleep 0.5
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true

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
