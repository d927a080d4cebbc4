#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6 client -> balancer -> IPv6 backend with the IPv6 option kinds
# (254/20 DPVS, 253/20 LVS): the backend sees [fd01::2], not [fd02::1].
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0

for fmt in 254/20 253/20; do
	log "kind/len $fmt"
	inject_start lb --queue 0 --format "$fmt"
	through -6 -p 8000 -- -s 40003 fd02::2 8000
	expect_seen "accept=[fd01::2]:40003" "peer=[fd01::2]:40003" \
		"soname=[fd01::2]:40003" "lookup=[fd01::2]:40003"
	inject_stop
done
expect_stat srv syn_recv_sock_toa 2
