#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may ask the UDP flow map: UOA_SO_GET_LOOKUP and UOA_SO_GET_FLOW
# answer only on a UDP socket bound to the flow's own destination port
# (the socket a server received the datagram on). Another port, a TCP
# socket on the same port, or an unbound socket gets EPERM, told apart
# from ENOENT (no mapping); refused calls are not counted as lookups.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

L=$TOA_BIN/uoa-lookup

toa_load udp=1
topo_up
lb_snat
lb_queue_udp 0

log "one mapped flow: 10.0.2.1:41001 -> 10.0.2.2:9000 is client 10.0.1.2:41001"
inject_start lb --queue 0 --mode first:1
serve -u -4 -p 9000 -n 1
udp_send 41001 10.0.2.2 9000 1
serve_wait
expect_line 1 from=10.0.2.1:41001 lookup=10.0.1.2:41001 flow=ipopt,10.0.1.2:41001
inject_stop
expect_stats srv udp_lookup_ok=2 udp_lookup_miss=0

# The server has exited; the mapping lives on (udp_timeout), port 9000 is free.
log "the flow's own port answers"
assert_eq client=10.0.1.2:41001 "$(srv "$L" -b 9000 10.0.2.1 41001 0.0.0.0 9000)" "LOOKUP on :9000"
assert_eq client=10.0.1.2:41001 "$(srv "$L" -b 9000 10.0.2.1 41001 10.0.2.2 9000)" "LOOKUP, address given"
assert_eq client=10.0.1.2:41001 "$(srv "$L" -F -b 9000 10.0.2.1 41001 0.0.0.0 0)" "FLOW, own port"
assert_eq ENOENT "$(srv "$L" -b 9000 10.0.2.1 41999 0.0.0.0 9000)" "own port, no mapping"
expect_stats srv udp_lookup_ok=5 udp_lookup_miss=1

log "another port, TCP, or no port at all: EPERM, not counted"
assert_eq EPERM "$(srv "$L" -b 9001 10.0.2.1 41001 0.0.0.0 9000)" "LOOKUP from :9001"
assert_eq EPERM "$(srv "$L" -F -b 9001 10.0.2.1 41001 0.0.0.0 9000)" "FLOW from :9001"
assert_eq ENOENT "$(srv "$L" -F -b 9001 10.0.2.1 41001 0.0.0.0 0)" "FLOW from :9001, its own port"
assert_eq EPERM "$(srv "$L" -t -b 9000 10.0.2.1 41001 0.0.0.0 9000)" "TCP socket on :9000"
assert_eq EPERM "$(srv "$L" -b 0 10.0.2.1 41001 0.0.0.0 9000)" "unbound socket"
expect_stats srv udp_lookup_ok=5 udp_lookup_miss=2
