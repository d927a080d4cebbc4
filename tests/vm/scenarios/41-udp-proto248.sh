#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Private-protocol mode, for networks that drop IP options: the balancer
# wraps each datagram in IP protocol 248 (IPv4 and IPv6 clients). toa.ko
# removes the wrapper before anything else sees the packet, so the socket
# gets a plain UDP datagram (checksum verified, no IP option left) and the
# flow is mapped; with the wrapper on the first datagram only, the next
# ones are mapped too. IPv6 has no IPv4 options: a balancer in IP-option
# mode wraps IPv6 datagrams all the same, on the same dual-stack socket as
# its IPv4 ones.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1
topo_up
lb_snat
lb_queue_udp 0
inject_start lb --queue 0 --mode first:1 --uoa-mode proto248

log "IPv4 client, wrapper on the first datagram"
serve -u -4 -p 9000 -n 2
udp_send 41011 10.0.2.2 9000 2
serve_wait
for n in 1 2; do
	expect_line $n from=10.0.2.1:41011 lookup=10.0.1.2:41011 \
		flow=proto248,10.0.1.2:41011 ipopt=none
done

log "IPv6 client, wrapper on the first datagram"
serve -u -6 -p 9000 -n 2
udp_send 41012 fd02::2 9000 2
serve_wait
for n in 1 2; do
	expect_line $n "from=[fd02::1]:41012" "lookup=[fd01::2]:41012" \
		"flow=proto248,[fd01::2]:41012" ipopt=none
done
expect_stats srv udp_unwrapped=2 udp_opt_seen=2 udp_map_new=2 \
	udp_map_in_use=2 udp_drop=0 udp_opt_malformed=0
inject_stop

log "IP-option mode: IPv4 gets an option, IPv6 a wrapper"
inject_start lb --queue 0 --mode every
serve -u -d -p 9000 -n 2
udp_send 41013 fd02::2 9000
udp_send 41014 10.0.2.2 9000
serve_wait
expect_line 1 "from=[fd02::1]:41013" "lookup=[fd01::2]:41013" \
	"flow=proto248,[fd01::2]:41013" ipopt=none
expect_line 2 "from=[::ffff:10.0.2.1]:41014" lookup=10.0.1.2:41014 \
	flow=ipopt,10.0.1.2:41014 ipopt=10.0.1.2:41014
expect_stats srv udp_unwrapped=3 udp_opt_seen=4 udp_drop=0
