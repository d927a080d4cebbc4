#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod and insmod while connections are being accepted and named, over
# IPv4 and IPv6: no oops, no warning (the runner checks dmesg), no entry
# left behind once the connections are gone (no leak), and no missed probe.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0 --mode every

serve -d -p 8000 -n 400
cli "$TOA_BIN/toa-connect" -n 200 10.0.2.2 8000 &
load4=$!
cli "$TOA_BIN/toa-connect" -n 200 fd02::2 8000 &
load6=$!
for i in 1 2 3 4 5; do
	nap 0.3
	toa_unload
	nap 0.1
	toa_load
done
wait "$load4" || fail "IPv4 load failed"
wait "$load6" || fail "IPv6 load failed"
serve_wait
assert_eq 400 "$(wc -l <<<"$SERVED")" "connections served"
log "clients seen: $(grep -c 'accept=\[::ffff:10.0.1.2\]' <<<"$SERVED") v4 TOA, $(grep -c 'accept=\[fd01::2\]' <<<"$SERVED") v6 TOA of 400"

log "all entries freed with their sockets"
toa_store_empty srv 20
expect_stat srv probe_missed 0
