#!/bin/bash
# SPDX-License-Identifier: MIT
#
# TCP benchmark, run in the test VM by bench/run.sh: the same measurements
# without and with toa.ko, in one boot, and their ratios.
#   accept   loopback connect+accept+close per second (every passive open
#            and accept goes through the probes; no option on loopback)
#   getname  getpeername() per second on one connection that came through
#            the balancer with a TOA option (rewritten on every call with
#            the module; the balancer's address without)
# Absolute figures are from an emulated CPU (QEMU TCG): compare ratios.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

# run_getname - one TOA connection from cli, N getpeername calls in srv.
# (ip netns exec, not `cli`: inside $(...) that would exec and not return.)
run_getname() {
	local out=$TOA_TMP/getname.$RANDOM pid
	ip netns exec srv "$TOA_BIN/toa-bench-tcp" getname -p 9000 -n "${BENCH_GETNAME:-200000}" >"$out" &
	pid=$!
	wait_until 30 "toa-bench-tcp ready" grep -q ready "$out"
	ip netns exec cli taskset -c 0 "$TOA_BIN/toa-connect" 10.0.2.2 9000 >/dev/null
	wait "$pid"
	grep '^bench' "$out"
}
rate() { sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$1"; }
best() { sort -n | tail -n 1; }

# Alternate without/with three times and keep each side's best round, so a
# slow first round (cold caches, page faults) does not count against one.
a0=() a1=() g0=() g1=()
for round in 1 2 3; do
	log "round $round without toa.ko"
	! grep -q '^toa ' /proc/modules || toa_unload
	r=$(ip netns exec srv "$TOA_BIN/toa-bench-tcp" accept -n "${BENCH_ACCEPT:-3000}"); echo "$r"; a0+=("$(rate "$r")")
	r=$(run_getname); echo "$r"; g0+=("$(rate "$r")")
	[[ $r == *peer=::ffff:10.0.2.1 ]] || fail "without the module the peer is the balancer: $r"
	log "round $round with toa.ko"
	toa_load
	r=$(ip netns exec srv "$TOA_BIN/toa-bench-tcp" accept -n "${BENCH_ACCEPT:-3000}"); echo "$r"; a1+=("$(rate "$r")")
	r=$(run_getname); echo "$r"; g1+=("$(rate "$r")")
	[[ $r == *peer=::ffff:10.0.1.2 ]] || fail "getname bench did not see the client: $r"
done
expect_stat srv probe_missed 0

awk -v a0="$(printf '%s\n' "${a0[@]}" | best)" -v a1="$(printf '%s\n' "${a1[@]}" | best)" \
	-v g0="$(printf '%s\n' "${g0[@]}" | best)" -v g1="$(printf '%s\n' "${g1[@]}" | best)" 'BEGIN {
	printf "RESULT tcp accept   without=%d/s with=%d/s ratio(with/without)=%.3f\n", a0, a1, a1 / a0
	printf "RESULT tcp getname  without=%d/s with=%d/s ratio(with/without)=%.3f\n", g0, g1, g1 / g0
}'
