#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mappings live udp_timeout seconds without an option or a lookup: the
# application's lookups keep a flow whose options stopped alive, an idle
# flow is forgotten (lookups miss at once, the memory is freed within a
# second), and a new option maps the flow again.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1 udp_timeout=3
assert_eq 3 "$(toa_param udp_timeout)" "udp_timeout parameter"
topo_up
lb_snat
lb_queue_udp 0
inject_start lb --queue 0 --mode first:1

log "the option on the first datagram, then 4 more, 1 s apart (4 s > 3 s)"
serve -u -4 -p 9000 -n 6
udp_send 41030 10.0.2.2 9000
for i in 1 2 3 4; do
	sleep 1
	udp_send 41030 10.0.2.2 9000
done
log "then 5 s of silence: more than udp_timeout"
sleep 5
udp_send 41030 10.0.2.2 9000
serve_wait
expect_line 1 lookup=10.0.1.2:41030 ipopt=10.0.1.2:41030
for n in 2 3 4 5; do
	expect_line $n lookup=10.0.1.2:41030 ipopt=none
done
expect_line 6 from=10.0.2.1:41030 lookup=ENOENT flow=ENOENT ipopt=none
wait_stat srv udp_map_in_use 0
expect_stats srv udp_map_new=1 udp_map_expired=1 udp_lookup_miss=2

log "a new option maps the flow again"
inject_stop
inject_start lb --queue 0 --mode first:1
serve -u -4 -p 9000 -n 1
udp_send 41030 10.0.2.2 9000
serve_wait
expect_line 1 lookup=10.0.1.2:41030
expect_stats srv udp_map_new=2 udp_map_in_use=1
