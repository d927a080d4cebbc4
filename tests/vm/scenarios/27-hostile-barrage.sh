#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile barrage: packets of bad input through the balancer, TOA_BARRAGE
# connections or datagrams per kind (make test: 150, about 3,500 packets;
# make check-long: 600, over 10,000), against
# toa.ko with trusted=10.0.2.1/32,fd02::1/128 (the balancer's SNAT
# addresses) and UDP decoding on:
#   TCP, IPv4 and IPv6, the option on every packet of the connection (the
#   handshake ACK, data, FIN): truncated, bad length, port 0, address 0,
#   two options in one segment, a TOA kind with another option's length,
#   well-formed options naming a loopback or multicast client,
#   well-formed options from a sender not on the trusted list, and a
#   well-formed option in the client's SYN only (never read: no rewrite);
#   UDP: broken protocol-248 wrappers (version, next protocol, length, a
#   wrapped datagram whose checksum fails) and IPv4 options with port 0 or
#   address 0.
# Every connection must see the balancer, never a forged or zero address;
# every bad option is counted (opt_malformed, opt_untrusted, udp_drop,
# udp_opt_malformed) exactly once per connection or datagram; every
# datagram with a broken wrapper is dropped. Then a clean batch still
# sees its client. The runner checks dmesg for any kernel complaint.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

N=${TOA_BARRAGE:-150}
LOG=$TOA_TMP/inject.log

# injected - what toa-inject modified in its last run (its final counters).
injected() { sed -n 's/.* injected=\([0-9]*\) .*/\1/p' "$LOG" | tail -n 1; }
stats() { ip netns exec srv awk '{ printf "%s=%s ", $1, $2 }' /proc/net/toa_stats; }
# stat_of NAME STATS - counter NAME in a line of stats.
stat_of() { sed -n "s/.* $1=\([0-9]*\) .*/\1/p" <<<"$2"; }

toa_load udp=1 trusted=10.0.2.1/32,fd02::1/128
topo_up
lb_snat
lb_queue 0
srv sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
cli sysctl -qw net.ipv4.ip_local_port_range="10000 64999"
serve -d -p 8000 -n 0
total=0

# tcp_batch LABEL KEY FAMILIES INJECT-ARGS... - N connections (split
# between FAMILIES, "4 6" or "4") with toa-inject writing INJECT-ARGS into
# every packet: all must see the balancer; counter KEY (or "-") must grow
# by one per connection.
tcp_batch() {
	local label=$1 key=$2 fams before after rows bal n f
	read -ra fams <<<"$3"
	shift 3
	n=$((N / ${#fams[@]}))
	before=" $(stats) "
	rows=$(grep -c '^accept=' "$SERVE_OUT" || true)
	inject_start lb --queue 0 --mode every --max-flows 65536 --timeout 10 "$@" 2>>"$LOG"
	for f in "${fams[@]}"; do
		if [[ $f == 4 ]]; then
			connect_pinned -c -t 120 -n "$n" 10.0.2.2 8000
		else
			connect_pinned -c -t 120 -n "$n" fd02::2 8000
		fi
	done
	inject_stop 2>>"$LOG"
	after=" $(stats) "
	total=$((total + $(injected)))
	n=$((n * ${#fams[@]}))
	bal=$(tail -n +$((rows + 2)) "$SERVE_OUT" |
		grep -Ec '^accept=\[(::ffff:10\.0\.2\.1|fd02::1)\]:[0-9]+ peer=\[(::ffff:10\.0\.2\.1|fd02::1)\]:' || true)
	log "$label: $(injected) packets, $bal/$n connections saw the balancer"
	assert_eq "$n" "$bal" "$label: connections that saw the balancer"
	assert_eq "$(stat_of syn_recv_sock_toa "$before")" "$(stat_of syn_recv_sock_toa "$after")" \
		"$label: no connection rewritten"
	[[ $key == - ]] || assert_eq $(($(stat_of "$key" "$before") + n)) "$(stat_of "$key" "$after")" \
		"$label: $key counts every connection"
}

for kind in truncated badlen zero-port zero-addr; do
	tcp_batch "TCP, $kind" opt_malformed "4 6" --malform "$kind"
done
# Two IPv6 options (2 x 20 bytes) never fit beside the timestamps.
tcp_batch "TCP, twice" opt_malformed 4 --malform twice
# Well-formed options naming addresses no client has: loopback, in an
# IPv4 option and as ::ffff:127.0.0.1 in a 20-byte one, and multicast.
tcp_batch "TCP, client 127.0.0.1" opt_malformed "4 6" --client 127.0.0.1:4000
tcp_batch "TCP, client ::ffff:127.0.0.1" opt_malformed "4 6" --client 127.0.0.1:4000 --format 254/20
tcp_batch "TCP, client ff02::1" opt_malformed "4 6" --client '[ff02::1]:4000'
# Kind 254 with length 7 is some other option: skipped, not malformed.
tcp_batch "TCP, kind 254 length 7" - "4 6" --malform short
# Well-formed, but from a sender the list does not trust.
echo 192.0.2.0/24 >/sys/module/toa/parameters/trusted
tcp_batch "TCP, untrusted sender" opt_untrusted "4 6"
echo 10.0.2.1/32,fd02::1/128 >/sys/module/toa/parameters/trusted
# A well-formed option in the SYN only: the backend reads the packet that
# completes the handshake, so the SYN's option is never seen, never used.
lb_queue 0 syn
opt_seen0=$(stat_of opt_seen " $(stats) ")
tcp_batch "TCP, option in the SYN only" syn_recv_sock_no_toa "4 6" --mode syn
assert_eq "$opt_seen0" "$(stat_of opt_seen " $(stats) ")" "SYN only: no option seen"
lb_queue 0

log "UDP"
lb nft delete table inet toa_queue
lb_queue_udp 0
serve_udp_out=$TOA_TMP/udp.out
ip netns exec srv "$TOA_BIN/toa-peer-server" -u -4 -p 9000 -n 0 >"$serve_udp_out" &
udp_srv=$!
wait_port srv 9000 udp
# udp_batch LABEL KEY DELIVERED INJECT-ARGS... - N datagrams from one
# socket (bash's /dev/udp: no process per datagram), paced so the queue
# never overflows; counter KEY grows by one per modified datagram, and the
# server gets them all (DELIVERED=1, never with a client) or none.
udp_batch() {
	local label=$1 key=$2 delivered=$3 before after lines0 lines got i
	shift 3
	before=" $(stats) "
	lines0=$(wc -l <"$serve_udp_out")
	inject_start lb --queue 0 --mode every "$@" 2>>"$LOG"
	ip netns exec cli bash -c "exec 3>/dev/udp/10.0.2.2/9000
		for ((i = 0; i < $N; i++)); do
			printf 'x' >&3
			((i % 50 != 49)) || sleep 0.2
		done"
	nap 1
	inject_stop 2>>"$LOG"
	after=" $(stats) "
	got=$(injected)
	total=$((total + got))
	lines=$(($(wc -l <"$serve_udp_out") - lines0))
	log "$label: $got of $N datagrams modified, $lines delivered"
	((got >= N * 9 / 10)) || fail "$label: only $got of $N datagrams went through toa-inject"
	assert_eq $(($(stat_of "$key" "$before") + got)) "$(stat_of "$key" "$after")" "$label: $key"
	if ((delivered)); then
		assert_eq "$got" "$lines" "$label: datagrams delivered"
	else
		assert_eq 0 "$lines" "$label: datagrams delivered"
	fi
}
for kind in opp-version opp-proto opp-length opp-csum; do
	udp_batch "UDP wrapper, $kind" udp_drop 0 --malform "$kind"
done
for kind in zero-port zero-addr; do
	udp_batch "UDP IPv4 option, $kind" udp_opt_malformed 1 --malform "$kind"
done
! grep -v -e '^ready' -e ' lookup=ENOENT flow=ENOENT ipopt=none$' "$serve_udp_out" ||
	fail "a datagram was mapped to a client, or its option kept"
expect_stats srv udp_map_in_use=0 udp_opt_seen=0
kill "$udp_srv"

log "$total packets of bad input in all"
# About 20 per connection or datagram of a kind; the long form claims 10,000.
floor=$((N >= 600 ? 10000 : 16 * N))
((total >= floor)) || fail "only $total packets: the barrage must be over $floor"

log "after the barrage: a clean connection sees its client"
lb nft delete table inet toa_queue_udp
lb_queue 0
inject_start lb --queue 0
through -4 -p 8001 -- -s 40001 10.0.2.2 8001
expect_seen accept=10.0.1.2:40001 peer=10.0.1.2:40001
