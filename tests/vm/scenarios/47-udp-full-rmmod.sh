#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The flow map at its size limit: new flows are counted (udp_map_full) and
# not mapped, their datagrams delivered all the same, with the option
# still readable in the header; raising udp_max_entries at run time maps
# new flows again. Then rmmod and insmod while datagrams flow: no oops, no
# warning (the runner checks dmesg), nothing lost.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1 udp_max_entries=5
topo_up
lb_snat
lb_queue_udp 0
inject_start lb --queue 0 --mode first:1

log "10 flows, room for 5"
serve -u -4 -p 9000 -n 11
cli "$TOA_BIN/toa-connect" -u -n 10 -s 42100 10.0.2.2 9000
log "raise the limit"
echo 100 >/sys/module/toa/parameters/udp_max_entries
udp_send 42110 10.0.2.2 9000
serve_wait
for n in 1 2 3 4 5; do
	expect_line $n lookup=10.0.1.2:$((42099 + n)) ipopt=10.0.1.2:$((42099 + n))
done
for n in 6 7 8 9 10; do
	expect_line $n lookup=ENOENT ipopt=10.0.1.2:$((42099 + n))
done
expect_line 11 lookup=10.0.1.2:42110
expect_stats srv udp_map_new=6 udp_map_full=5 udp_map_in_use=6 udp_opt_seen=11

log "a namespace's share: srv may hold 8 mappings of the 100"
echo 8 >/sys/module/toa/parameters/udp_netns_max_entries
serve -u -4 -p 9000 -n 3
cli "$TOA_BIN/toa-connect" -u -n 3 -s 42120 10.0.2.2 9000
serve_wait
expect_line 1 lookup=10.0.1.2:42120
expect_line 2 lookup=10.0.1.2:42121
expect_line 3 lookup=ENOENT ipopt=10.0.1.2:42122
expect_stats srv udp_map_new=8 udp_map_netns_full=1 udp_map_full=5 udp_map_in_use=8

log "... while another namespace (cli, on its loopback) still maps its flows"
lb_inject=$INJECT_PID
cli nft -f - <<-NFT
	table inet loq {
		chain out {
			type filter hook output priority filter; policy accept;
			oifname "lo" udp dport 9300 queue num 1 bypass
		}
	}
NFT
inject_start cli --queue 1 --mode every --client 198.51.100.7:4242
ip netns exec cli "$TOA_BIN/toa-peer-server" -u -4 -b 127.0.0.1 -p 9300 -n 1 >"$TOA_TMP/lo.out" &
lo_pid=$!
until { read -r first <"$TOA_TMP/lo.out"; } 2>/dev/null && [[ $first == ready* ]]; do
	kill -0 "$lo_pid" 2>/dev/null || fail "toa-peer-server in cli exited early"
	nap 0.05
done
cli "$TOA_BIN/toa-connect" -u -s 42300 127.0.0.1 9300
wait "$lo_pid" || fail "toa-peer-server in cli failed"
grep -q 'lookup=198.51.100.7:4242' "$TOA_TMP/lo.out" ||
	fail "cli's flow not mapped: $(cat "$TOA_TMP/lo.out")"
expect_stats cli udp_map_new=1 udp_map_netns_full=0 udp_map_full=0
inject_stop
INJECT_PID=$lb_inject

log "... and srv's expired mappings make room for its new flows"
echo 1 >/sys/module/toa/parameters/udp_timeout
wait_stat srv udp_map_expired 8
wait_stat cli udp_map_expired 1
echo 360 >/sys/module/toa/parameters/udp_timeout
serve -u -4 -p 9000 -n 3
cli "$TOA_BIN/toa-connect" -u -n 3 -s 42130 10.0.2.2 9000
serve_wait
for n in 1 2 3; do
	expect_line $n lookup=10.0.1.2:$((42129 + n))
done
expect_stats srv udp_map_expired=8 udp_map_netns_full=1 udp_map_in_use=3

log "rmmod and insmod under load"
# Unregistering any netfilter hook drops every packet a netns has queued
# to NFQUEUE (nf_queue_nf_hook_drop), so each rmmod loses the datagrams
# sitting in lb's queue at that moment: the load tolerates a lost echo
# (UDP does not retransmit) and counts batches; a clean batch afterwards
# must have every datagram mapped.
inject_stop
inject_start lb --queue 0 --mode every
serve -u -4 -p 9001 -n 0
load() {
	while [[ ! -e $TOA_TMP/stop ]]; do
		if ip netns exec cli "$TOA_BIN/toa-connect" -u -n 40 -t 1 \
			10.0.2.2 9001 2>/dev/null; then
			echo ok
		else
			echo lost
		fi
	done >"$TOA_TMP/load.$1"
}
load 1 &
load1=$!
load 2 &
load2=$!
for i in 1 2 3 4 5; do
	nap 0.3
	udp_unload
	nap 0.1
	toa_load udp=1
done
touch "$TOA_TMP/stop"
wait "$load1" "$load2"
kill "$SERVE_PID"
wait "$SERVE_PID" || true
log "batches of 40: $(cat "$TOA_TMP"/load.* | sort | uniq -c | xargs)," \
	"$(grep -c lookup=10.0.1.2 "$SERVE_OUT") datagrams mapped of $(grep -c from= "$SERVE_OUT")"
grep -q ok "$TOA_TMP"/load.* || fail "no batch got through while reloading"

log "after the reloads: every datagram arrives and is mapped"
serve -u -4 -p 9002 -n 20
cli "$TOA_BIN/toa-connect" -u -n 20 -s 42200 10.0.2.2 9002
serve_wait
assert_eq 20 "$(grep -c 'lookup=10.0.1.2:422' <<<"$SERVED")" "mapped datagrams"
udp_unload
