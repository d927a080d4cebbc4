#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The third ACK is lost between balancer and backend: the client's first
# data packet completes the handshake, and it carries the option (what
# DPVS does). SYN cookies: the handshake-completing ACK goes through the
# cookie path (cookie_v4_check / cookie_v6_check) and is read there too.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0
# Before the queue: drop the 2nd packet of each client flow, the pure ACK.
lb nft -f - <<-NFT
	table inet lossy {
		chain drop_ack {
			type filter hook forward priority filter - 10; policy accept;
			iifname "eth-cli" meta l4proto tcp ct original packets 2 counter drop
		}
	}
NFT
inject_start lb --queue 0

log "third ACK lost, IPv4 and IPv6"
through -4 -p 8000 -- -s 40050 10.0.2.2 8000
expect_seen accept=10.0.1.2:40050
through -6 -p 8000 -- -s 40051 fd02::2 8000
expect_seen "accept=[fd01::2]:40051"
dropped=$(lb nft list chain inet lossy drop_ack | sed -n 's/.*packets \([0-9]*\).*/\1/p')
assert_eq 2 "$dropped" "pure ACKs dropped by lb"
lb nft delete table inet lossy

log "SYN cookies on the backend, IPv4 and IPv6"
srv sysctl -qw net.ipv4.tcp_syncookies=2
through -4 -p 8000 -- -s 40052 10.0.2.2 8000
expect_seen accept=10.0.1.2:40052
through -6 -p 8000 -- -s 40053 fd02::2 8000
expect_seen "accept=[fd01::2]:40053"
expect_stat srv syn_recv_sock_toa 4
