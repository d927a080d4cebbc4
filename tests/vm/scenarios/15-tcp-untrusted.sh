#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Spoofing: a client that writes the option itself and reaches the backend
# without going through the balancer (here lb only routes, no SNAT) must
# not be believed when the allow-list names the real balancers. The
# option is ignored and counted; the server sees the true source. The list
# is live: naming the client's network makes the same packet trusted.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load trusted=10.0.2.1/32,fd02::1/128
assert_eq "10.0.2.1/32,fd02::1/128" "$(toa_param trusted)" "trusted parameter"
topo_up
# The forger is the client: it queues its own outgoing packets.
cli nft -f - <<-NFT
	table inet forge {
		chain out {
			type filter hook output priority filter; policy accept;
			tcp dport 8000 tcp flags & (syn | rst) == 0 queue num 1 bypass
		}
	}
NFT
inject_start cli --queue 1 --client 203.0.113.9:1234

log "forged option from 10.0.1.2, outside the allow-list: ignored"
through -4 -p 8000 -- -s 40010 10.0.2.2 8000
expect_seen accept=10.0.1.2:40010 peer=10.0.1.2:40010
expect_stat srv opt_untrusted 1
expect_stat srv syn_recv_sock_toa 0

log "bad list entries are refused with EINVAL, the list stays as it was"
! echo "10.0.0.1/8" >/sys/module/toa/parameters/trusted 2>/dev/null ||
	fail "a CIDR with host bits set was accepted"
! echo "not-an-address" >/sys/module/toa/parameters/trusted 2>/dev/null ||
	fail "garbage was accepted"
assert_eq "10.0.2.1/32,fd02::1/128" "$(toa_param trusted)" "list unchanged"

log "trust the client's network: now the option is believed"
echo "10.0.1.0/24" >/sys/module/toa/parameters/trusted
through -4 -p 8000 -- -s 40011 10.0.2.2 8000
expect_seen accept=203.0.113.9:1234 peer=203.0.113.9:1234
expect_stat srv opt_untrusted 1
expect_stat srv syn_recv_sock_toa 1

log "an empty list trusts everybody, as other TOA modules do"
echo "" >/sys/module/toa/parameters/trusted
through -4 -p 8000 -- -s 40012 10.0.2.2 8000
expect_seen accept=203.0.113.9:1234
