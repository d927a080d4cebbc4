#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT64: an IPv6 client reaches an IPv4 backend; the balancer sends an IPv4
# packet carrying a 254/20 option with the IPv6 client. The backend's
# IPv4 socket cannot hold that address: getpeername() keeps returning the
# balancer and the DPVS-compatible getsockopt(TOA_SO_GET_LOOKUP) returns
# the client. (toa-inject --client writes exactly what a NAT64 balancer
# writes; the backend cannot tell the difference.)
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0 --format 254/20 --client '[2001:db8:64::7]:5555'

through -4 -p 8000 -- -s 40006 10.0.2.2 8000
expect_seen accept=10.0.2.1:40006 peer=10.0.2.1:40006 \
	"lookup=[2001:db8:64::7]:5555"
expect_stat srv syn_recv_sock_toa 1
expect_stat srv getname_toa_nat64 3
expect_stat srv lookup_ok 2
