#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two UOA options in one datagram (IPv4-option mode): the client writes a
# forged one, the balancer then adds its own. Neither may be believed, and
# neither may reach the application: no mapping, counted as malformed, and
# every option 31 blanked out of the header, so IP_RECVOPTS shows none.
# One option from the same balancer is still honoured and visible.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1 trusted=10.0.2.1/32,fd02::1/128
topo_up
lb_snat
lb_queue_udp 0
cli nft -f - <<-NFT
	table inet forge {
		chain out {
			type filter hook output priority filter; policy accept;
			udp dport 9000 queue num 1 bypass
		}
	}
NFT

log "the balancer alone: its option is honoured and seen"
inject_start lb --queue 0 --mode every
serve -u -4 -p 9000 -n 1
udp_send 41050 10.0.2.2 9000
serve_wait
expect_line 1 from=10.0.2.1:41050 lookup=10.0.1.2:41050 ipopt=10.0.1.2:41050
expect_stats srv udp_opt_seen=1 udp_map_new=1 udp_opt_malformed=0

log "a forged option ahead of the balancer's: neither is used, both blanked"
# A second toa-inject, on cli: inject_stop keeps stopping lb's.
balancer=$INJECT_PID
inject_start cli --queue 1 --mode every --client 203.0.113.9:1234
FORGER=$INJECT_PID
INJECT_PID=$balancer
serve -u -4 -p 9000 -n 2
udp_send 41051 10.0.2.2 9000 2
serve_wait
for n in 1 2; do
	expect_line $n from=10.0.2.1:41051 lookup=ENOENT ipopt=none
done
expect_stats srv udp_opt_malformed=2 udp_opt_seen=1 udp_map_new=1 udp_opt_untrusted=0
inject_stop
kill "$FORGER"
wait "$FORGER" || true

