#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT64: an IPv6 client reaches an IPv4 backend; the balancer sends IPv4
# datagrams carrying a 20-byte option with the IPv6 client, in both modes.
# The IPv4 socket's peer can only be the balancer; both lookups return the
# IPv6 client and flag it nat64. (toa-inject --client writes exactly what a
# NAT64 balancer writes.)
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1
topo_up
lb_snat
lb_queue_udp 0

port=41020
declare -A in_header=([ipopt]="[2001:db8:64::7]:5555" [proto248]=none)
for mode in ipopt proto248; do
	log "NAT64 in $mode mode"
	inject_start lb --queue 0 --mode every --uoa-mode $mode \
		--client '[2001:db8:64::7]:5555'
	serve -u -4 -p 9000 -n 1
	udp_send $port 10.0.2.2 9000
	serve_wait
	expect_line 1 from=10.0.2.1:$port "lookup=[2001:db8:64::7]:5555" \
		"flow=$mode+nat64,[2001:db8:64::7]:5555" "ipopt=${in_header[$mode]}"
	inject_stop
	port=$((port + 1))
done
expect_stats srv udp_opt_seen=2 udp_map_new=2 udp_unwrapped=1 \
	udp_lookup_ok=4
