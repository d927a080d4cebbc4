# SPDX-License-Identifier: GPL-2.0
#
# toa-lib.sh - helpers for scenarios that exercise toa.ko, on top of lib.sh
# (topology, cli/lb/srv, assert_eq, fail). A TCP scenario reads:
#
#	source "$TOA_ROOT/tests/vm/toa-lib.sh"
#	toa_load                          # insmod toa.ko [params]
#	topo_up; lb_snat; lb_queue 0      # client -> balancer (SNAT) -> backend
#	inject_start lb --queue 0         # the balancer writes TOA
#	serve -4 -p 8000                  # toa-peer-server in srv, one connection
#	cli "$TOA_BIN/toa-connect" -s 40001 10.0.2.2 8000
#	expect_seen accept=10.0.1.2:40001 peer=10.0.1.2:40001
#
# Every helper fails the scenario on error (set -e from lib.sh).
source "$TOA_ROOT/tests/vm/lib.sh"
source "$TOA_ROOT/tests/lib/balancer.sh"

# on_fail - what fail() adds to a failed scenario's log: the module's
# non-zero counters in each host's namespace, so that a timed-out wait
# shows where the connections went (syn_recv_sock_*, opt_*, store_fail).
on_fail() {
	local ns
	grep -qs '^toa ' /proc/modules || return 0
	for ns in srv lb cli; do
		[[ -e /run/netns/$ns ]] || continue
		echo "toa_stats in $ns, non-zero:"
		ip netns exec "$ns" awk '$2 != 0 { print "  " $1, $2 }' /proc/net/toa_stats || true
	done
}

# toa_load [PARAM=VALUE...] - load the module under test.
toa_load() {
	insmod "$TOA_KO" "$@"
	grep -q '^toa ' /proc/modules || fail "toa.ko did not load"
}

# toa_unload - rmmod toa.ko. A call in flight holds the module (a
# getsockopt() through nf_sockopt takes a reference for its length), and
# rmmod then fails with "in use" at once: try again, a few times.
toa_unload() {
	local i err
	for ((i = 0; i < 20; i++)); do
		err=$(rmmod toa 2>&1) && break
		[[ $err == *"in use"* ]] || break
		nap 0.1
	done
	! grep -q '^toa ' /proc/modules || fail "toa.ko still loaded: $err"
}

# toa_param NAME - current value of a module parameter.
toa_param() { cat "/sys/module/toa/parameters/$1"; }

# toa_stat NS NAME - the total of counter NAME in /proc/net/toa_stats of NS.
toa_stat() {
	ip netns exec "$1" awk -v n="$2" '$1 == n { print $2; f = 1 }
		END { if (!f) exit 1 }' /proc/net/toa_stats ||
		fail "no counter $2 in $1's /proc/net/toa_stats"
}

# expect_stat NS NAME VALUE
expect_stat() { assert_eq "$3" "$(toa_stat "$1" "$2")" "counter $2 in $1"; }

# toa_store_empty NS SECS - wait up to SECS until no entry is left in
# NS: each goes with its socket.
toa_store_empty() {
	local end=$((SECONDS + $2))
	until [[ $(toa_stat "$1" store_in_use) == 0 ]]; do
		((SECONDS < end)) || fail "store_in_use in $1 stuck at $(toa_stat "$1" store_in_use)"
		nap 0.2
	done
}

# The entries' slab cache, "toa_entry" (kmod/store.c; on its own line of
# /proc/slabinfo: the VM boots with slab_nomerge).
# slab_active NAME - active objects of slab cache NAME.
slab_active() { awk -v n="$1" '$1 == n { print $2 }' /proc/slabinfo; }
# slab_cached NAME - how many free objects of slab cache NAME SLUB may
# keep and still count as active: per CPU its slab and its partial slabs
# (cpu_partial objects), and min_partial slabs of the node's.
slab_cached() {
	local d=/sys/kernel/slab/$1 per cpu_partial min_partial
	read -r per <"$d/objs_per_slab"
	read -r cpu_partial <"$d/cpu_partial"
	read -r min_partial <"$d/min_partial"
	echo $(($(nproc) * (per + cpu_partial) + min_partial * per))
}

# toa_unload_no_entry_left - once every entry is freed: toa_entry down to
# what SLUB caches (every object beyond that must be gone), then rmmod,
# whose kmem_cache_destroy() warns if a single entry was never freed.
toa_unload_no_entry_left() {
	_toa_entry_settled() { (($(slab_active toa_entry) <= $(slab_cached toa_entry))); }
	wait_until 60 "toa_entry down to what SLUB caches" _toa_entry_settled
	log "toa_entry: $(slab_active toa_entry) active objects, within the $(slab_cached toa_entry) SLUB may cache"
	toa_unload
	! dmesg | grep -i "toa_entry" || fail "rmmod: entries left in the toa_entry cache"
}

trap balancer_cleanup EXIT
