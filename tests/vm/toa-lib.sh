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

# toa_load [PARAM=VALUE...] - load the module under test.
toa_load() {
	insmod "$TOA_KO" "$@"
	grep -q '^toa ' /proc/modules || fail "toa.ko did not load"
}

toa_unload() {
	rmmod toa
	! grep -q '^toa ' /proc/modules || fail "toa.ko still loaded"
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

trap balancer_cleanup EXIT
