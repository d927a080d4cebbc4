#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Spoofing, and forwarding. The client writes the option itself and
# reaches the backend directly (lb only routes). Without an allow-list it
# is believed, as by other modules; lb, a router with udp_forward=1,
# records what it forwards without touching it (the backend still gets the
# wrapper). With the allow-list naming the real balancers, the option is
# ignored and blanked out of the header, so not even IP_RECVOPTS sees it;
# a wrapper from the client is never removed: its datagram is dropped
# (counted), as the kernel drops an unknown protocol.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1 udp_forward=1
topo_up
cli nft -f - <<-NFT
	table inet forge {
		chain out {
			type filter hook output priority filter; policy accept;
			udp dport 9000 queue num 1 bypass
		}
	}
NFT

serve -u -4 -p 9000 -n 4
log "no allow-list: the forged option is believed (IP option, wrapper)"
inject_start cli --queue 1 --mode every --client 203.0.113.9:1234
udp_send 41040 10.0.2.2 9000
inject_stop
inject_start cli --queue 1 --mode every --uoa-mode proto248 --client 203.0.113.9:1234
udp_send 41041 10.0.2.2 9000
inject_stop
expect_stats lb udp_opt_seen=2 udp_map_new=2 udp_unwrapped=0
expect_stats srv udp_opt_seen=2 udp_map_new=2 udp_unwrapped=1

log "allow-list of the real balancers: an option ignored, blanked, still delivered"
echo 10.0.2.1/32,fd02::1/128 >/sys/module/toa/parameters/trusted
inject_start cli --queue 1 --mode every --client 203.0.113.9:1234
udp_send 41042 10.0.2.2 9000
inject_stop
log "... a wrapper dropped, never unwrapped"
inject_start cli --queue 1 --mode every --uoa-mode proto248 --client 203.0.113.9:1234
cli "$TOA_BIN/toa-connect" -u -t 2 -s 41043 10.0.2.2 9000 &&
	fail "the untrusted wrapper's datagram was delivered"
inject_stop
log "... and so is one with a broken option"
inject_start cli --queue 1 --mode every --uoa-mode proto248 --malform truncated
cli "$TOA_BIN/toa-connect" -u -t 2 -s 41044 10.0.2.2 9000 &&
	fail "the untrusted wrapper's datagram was delivered"
inject_stop
udp_send 41045 10.0.2.2 9000
serve_wait
expect_line 1 from=10.0.1.2:41040 lookup=203.0.113.9:1234 ipopt=203.0.113.9:1234
expect_line 2 from=10.0.1.2:41041 lookup=203.0.113.9:1234 ipopt=none
expect_line 3 from=10.0.1.2:41042 lookup=ENOENT ipopt=none
expect_line 4 from=10.0.1.2:41045 lookup=ENOENT ipopt=none
expect_stats srv udp_opt_untrusted=3 udp_map_new=2 udp_unwrapped=1 udp_drop=2
expect_stats lb udp_opt_untrusted=2 udp_opt_malformed=1 udp_map_new=2
