#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv4 client -> full-NAT balancer -> backend, the balancer writing the
# client into an IPv4 header option (DPVS's IP-option mode). With the
# option on the first datagrams only, later datagrams of the flow are still
# mapped: DPVS's getsockopt(UOA_SO_GET_LOOKUP) and UOA_SO_GET_FLOW return
# the client for every datagram, while the socket's own IP_RECVOPTS sees
# the option only where it was sent. On a dual-stack socket the same
# lookups work with ::ffff:a.b.c.d, and every-packet mode refreshes the one
# mapping of a flow instead of adding more.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

topo_up
lb_snat
lb_queue_udp 0

log "toa.ko without udp=1: no netfilter hooks, options not decoded"
toa_load
inject_start lb --queue 0 --mode every
serve -u -4 -p 9000 -n 2
udp_send 41000 10.0.2.2 9000 2
serve_wait
expect_stats srv udp_opt_seen=0 udp_map_new=0 udp_map_in_use=0
inject_stop
toa_unload

toa_load udp=1

log "option on the first 2 datagrams of each flow"
inject_start lb --queue 0 --mode first:2
serve -u -4 -p 9000 -n 4
udp_send 41001 10.0.2.2 9000 4
serve_wait
for n in 1 2; do
	expect_line $n from=10.0.2.1:41001 lookup=10.0.1.2:41001 \
		flow=ipopt,10.0.1.2:41001 ipopt=10.0.1.2:41001
done
for n in 3 4; do
	expect_line $n from=10.0.2.1:41001 lookup=10.0.1.2:41001 \
		flow=ipopt,10.0.1.2:41001 ipopt=none
done
expect_stats srv udp_opt_seen=2 udp_map_new=1 udp_map_update=1 \
	udp_lookup_ok=8 udp_map_in_use=1
inject_stop

log "every datagram, on a dual-stack socket"
inject_start lb --queue 0 --mode every
serve -u -d -p 9000 -n 3
udp_send 41002 10.0.2.2 9000 3
serve_wait
for n in 1 2 3; do
	expect_line $n "from=[::ffff:10.0.2.1]:41002" lookup=10.0.1.2:41002 \
		flow=ipopt,10.0.1.2:41002 ipopt=10.0.1.2:41002
done
expect_stats srv udp_opt_seen=5 udp_map_new=2 udp_map_update=3 \
	udp_map_in_use=2 udp_opt_malformed=0 udp_drop=0
# Counters are per network namespace.
expect_stats lb udp_opt_seen=0
