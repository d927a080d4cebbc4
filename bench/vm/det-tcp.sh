#!/bin/bash
# SPDX-License-Identifier: MIT
#
# What toa.ko costs each TCP path, in executed instructions: run by
# bench/run.sh --deterministic, in a VM with one vCPU under QEMU's
# -icount shift=0,sleep=off, where a guest nanosecond is one executed
# instruction and a figure repeats to about 0.1 %. Rounds alternate
# without / with toa.ko in one boot, after a warm-up; RESULT lines give the
# medians over the rounds of each side and of the per-round ratio.
#   getpeername-toa    getpeername() on a socket that came through the
#                      balancer with a TOA option (rewritten with toa.ko)
#   getpeername-plain  getpeername() on a loopback socket (no option)
#   getsockname        getsockname() on the TOA socket
#   conn-plain         loopback connect + accept + close (no option): the
#                      passive open, accept and destruct hooks, per conn
#   conn-toa           a connection through the balancer (toa-inject, a
#                      userspace NFQUEUE program, is in the path of both
#                      sides): the difference is toa.ko's cost per TOA
#                      connection, and the rate ratio is given against
#                      conn-plain's cost, the kernel's own
source "$TOA_ROOT/tests/vm/toa-lib.sh"

rounds=${BENCH_DET_ROUNDS:-7}
n_get=${BENCH_DET_GETNAME:-100000}
n_acc=${BENCH_DET_ACCEPT:-20000}
n_toa=${BENCH_DET_TOA_CONNS:-200}

topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

ns_of() { sed -n "s/^bench $1 .* ns=\\([0-9.]*\\).*/\\1/p" "$2"; }

# bench_in_srv OUT ARGS... - toa-bench-tcp in srv, in the background, ready
bench_in_srv() {
	local out=$1
	shift
	ip netns exec srv "$TOA_BIN/toa-bench-tcp" "$@" >"$out" &
	BENCH_PID=$!
	wait_until 30 "toa-bench-tcp ready" grep -q ready "$out"
}

# measure SIDE PEER - one of each measurement, appended to $TOA_TMP/SIDE.*;
# PEER is what getpeername() must return on the TOA socket.
measure() {
	local side=$1 peer=$2 out
	new_tmp out bench
	bench_in_srv "$out" getname -p 9000 -n "$n_get"
	ip netns exec cli taskset -c 0 "$TOA_BIN/toa-connect" 10.0.2.2 9000 >/dev/null
	wait "$BENCH_PID"
	ns_of getname "$out" >>"$TOA_TMP/$side.getpeername-toa"
	ns_of getsockname "$out" >>"$TOA_TMP/$side.getsockname"
	grep -q "peer=::ffff:$peer\$" "$out" ||
		fail "getpeername-toa ($side) saw the wrong peer: $(cat "$out")"

	bench_in_srv "$out" getname -p 9001 -n "$n_get"
	ip netns exec srv "$TOA_BIN/toa-connect" ::1 9001 >/dev/null
	wait "$BENCH_PID"
	ns_of getname "$out" >>"$TOA_TMP/$side.getpeername-plain"

	ip netns exec srv "$TOA_BIN/toa-bench-tcp" accept -n "$n_acc" >"$out"
	ns_of accept "$out" >>"$TOA_TMP/$side.conn-plain"

	bench_in_srv "$out" serve -p 9002 -n "$n_toa"
	ip netns exec cli taskset -c 0 "$TOA_BIN/toa-connect" -n "$n_toa" 10.0.2.2 9002
	wait "$BENCH_PID"
	ns_of serve "$out" >>"$TOA_TMP/$side.conn-toa"
}

log "warm-up: $((5 * n_acc)) loopback connections, a pass of each measurement"
ip netns exec srv "$TOA_BIN/toa-bench-tcp" accept -n $((5 * n_acc)) >/dev/null
measure warm 10.0.2.1
toa_load
measure warm 10.0.1.2
toa_unload
for ((r = 1; r <= rounds; r++)); do
	log "round $r/$rounds without toa.ko"
	measure without 10.0.2.1
	log "round $r/$rounds with toa.ko"
	toa_load
	measure with 10.0.1.2
	expect_stat srv probe_missed 0
	# What toa.ko holds per TOA socket: one toa_entry, SLUB's metadata
	# included (its own cache: the VM boots with slab_nomerge).
	read -r per_sock </sys/kernel/slab/toa_entry/slab_size
	toa_unload
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratios() { paste "$TOA_TMP/with.$1" "$TOA_TMP/without.$1" | awk '{ printf "%.6f\n", $1 / $2 }'; }
for m in getpeername-toa getpeername-plain getsockname conn-plain conn-toa; do
	log "$m without: $(tr '\n' ' ' <"$TOA_TMP/without.$m")"
	log "$m with:    $(tr '\n' ' ' <"$TOA_TMP/with.$m")"
	printf '%s %s %s\n' "$m" "$(median <"$TOA_TMP/without.$m")" "$(median <"$TOA_TMP/with.$m")" >>"$TOA_TMP/medians"
	printf '%s %s\n' "$m" "$(ratios "$m" | median)" >>"$TOA_TMP/ratios"
done
cat "$TOA_TMP/medians" "$TOA_TMP/ratios"
awk -v rounds="$rounds" -v per_sock="$per_sock" 'FNR == NR { a[$1] = $2; b[$1] = $3; next } { r[$1] = $2 }
END {
	for (m in a) d[m] = b[m] - a[m]
	printf "RESULT det getpeername-toa   without=%.0fns with=%.0fns %+.0f instructions ratio(time)=%.3fx\n", a["getpeername-toa"], b["getpeername-toa"], d["getpeername-toa"], r["getpeername-toa"]
	printf "RESULT det getpeername-plain without=%.0fns with=%.0fns %+.0f instructions ratio(time)=%.3fx\n", a["getpeername-plain"], b["getpeername-plain"], d["getpeername-plain"], r["getpeername-plain"]
	printf "RESULT det getsockname       without=%.0fns with=%.0fns %+.0f instructions ratio(time)=%.3fx\n", a["getsockname"], b["getsockname"], d["getsockname"], r["getsockname"]
	printf "RESULT det conn-plain        without=%.0fns with=%.0fns %+.0f instructions ratio(rate)=%.4f\n", a["conn-plain"], b["conn-plain"], d["conn-plain"], 1 / r["conn-plain"]
	printf "RESULT det conn-toa          without=%.0fns with=%.0fns %+.0f instructions (toa-inject in both) ratio(rate, against conn-plain)=%.4f\n", a["conn-toa"], b["conn-toa"], d["conn-toa"], a["conn-plain"] / (a["conn-plain"] + d["conn-toa"])
	printf "RESULT det bytes-per-toa-socket=%d (toa_entry slab_size)\n", per_sock
	printf "RESULT det rounds=%d (medians; one vCPU, icount: 1 ns = 1 instruction)\n", rounds
}' "$TOA_TMP/medians" "$TOA_TMP/ratios"
