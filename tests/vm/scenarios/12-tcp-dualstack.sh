#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A dual-stack listener ([::], IPV6_V6ONLY off: Go's and Java's default)
# receiving an IPv4 connection with an IPv4 option returns the client as
# ::ffff:a.b.c.d, never as a.b.c.d:: or the balancer.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

log "IPv4 client on a dual-stack listener"
through -d -p 8000 -- -s 40004 10.0.2.2 8000
expect_seen "accept=[::ffff:10.0.1.2]:40004" "peer=[::ffff:10.0.1.2]:40004"

log "IPv6 client on the same kind of listener"
through -d -p 8000 -- -s 40005 fd02::2 8000
expect_seen "accept=[fd01::2]:40005" "peer=[fd01::2]:40005"
expect_stat srv syn_recv_sock_toa 2
