#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Broken and bogus options: never a crash, never a wrong address. Each is
# ignored (the server sees the balancer) and counted as malformed, except
# a TOA kind with a non-TOA length, which is some other option and is
# simply skipped. Two honoured options in one segment (a client's forged
# one beside the balancer's) are malformed too: neither is used.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0

port=40020
for kind in truncated badlen zero-port zero-addr; do
	log "malformed: $kind"
	inject_start lb --queue 0 --malform "$kind"
	through -4 -p 8000 -- -s $port 10.0.2.2 8000
	expect_seen accept=10.0.2.1:$port peer=10.0.2.1:$port
	inject_stop
	port=$((port + 1))
done
expect_stat srv opt_malformed 4
expect_stat srv syn_recv_sock_toa 0

log "two well-formed options in one segment: no rewrite, malformed"
inject_start lb --queue 0 --malform twice
through -4 -p 8000 -- -s $port 10.0.2.2 8000
expect_seen accept=10.0.2.1:$port peer=10.0.2.1:$port
inject_stop
expect_stat srv opt_malformed 5
expect_stat srv opt_seen 0
expect_stat srv syn_recv_sock_toa 0
port=$((port + 1))

log "kind 254 with length 7 is not TOA: skipped, not malformed"
inject_start lb --queue 0 --malform short
through -4 -p 8000 -- -s $port 10.0.2.2 8000
expect_seen accept=10.0.2.1:$port
inject_stop
expect_stat srv opt_malformed 5

log "a format switched off is ignored; switched on again, honoured"
echo 200/8 >/sys/module/toa/parameters/formats
assert_eq 200/8 "$(toa_param formats)" "formats parameter"
inject_start lb --queue 0 --format 254/8
through -4 -p 8000 -- -s 40030 10.0.2.2 8000
expect_seen accept=10.0.2.1:40030
! echo 999/8 >/sys/module/toa/parameters/formats 2>/dev/null ||
	fail "unknown format accepted"
echo default >/sys/module/toa/parameters/formats
through -4 -p 8000 -- -s 40031 10.0.2.2 8000
expect_seen accept=10.0.1.2:40031
inject_stop
