#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 200 flows at once (200 client sockets sending before any reads its
# echo), each mapped to its own client: every datagram's lookup gives the
# port it came from, never another flow's. A namespace's mappings go with
# the namespace.
source "$TOA_ROOT/tests/vm/udp-lib.sh"

toa_load udp=1
topo_up
lb_snat
lb_queue_udp 0
inject_start lb --queue 0 --mode first:1 --uoa-mode proto248

serve -u -4 -p 9000 -n 200
cli "$TOA_BIN/toa-connect" -u -c -n 200 -s 42000 10.0.2.2 9000
serve_wait
assert_eq 200 "$(wc -l <<<"$SERVED")" "datagrams served"
wrong=$(awk '{
	split($1, from, ":"); split($2, look, ":")
	if (from[1] != "from=10.0.2.1" || look[1] != "lookup=10.0.1.2" ||
	    from[2] != look[2] || $3 != "flow=proto248,10.0.1.2:" look[2])
		print
}' <<<"$SERVED")
[[ -z $wrong ]] || fail "datagrams not mapped to their own client: $wrong"
expect_stats srv udp_map_new=200 udp_map_in_use=200 udp_lookup_ok=400 \
	udp_unwrapped=200 udp_drop=0

log "deleting the namespace frees its mappings"
ip netns del srv
end=$((SECONDS + 20))
until [[ $(awk '$1 == "udp_map_in_use" { print $2 }' /proc/net/toa_stats) == 0 ]]; do
	((SECONDS < end)) || fail "udp_map_in_use stuck after netns deletion"
	nap 0.1
done
