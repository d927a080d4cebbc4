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
