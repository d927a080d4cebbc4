#!/bin/bash
# SPDX-License-Identifier: MIT
#
# What toa.ko (or, from det-bpf.sh, the module-free mode) costs each TCP
# path, in executed instructions: run by bench/run.sh --deterministic, in a
# VM with one vCPU under QEMU's -icount shift=0,sleep=off, where a guest
# nanosecond is one executed instruction and a figure repeats to about
# 0.1 %. Rounds alternate without / with the mode in one boot, after a
# warm-up; RESULT lines give the medians over the rounds of each side and
# of the per-round ratio.
#   getpeername-toa    getpeername() on a socket that came through the
#                      balancer with a TOA option (rewritten by the mode)
#   getpeername-plain  getpeername() on a loopback socket (no option)
#   getsockname        getsockname() on the TOA socket
#   conn-plain         loopback connect + accept + close (no option): the
#                      passive open, accept and destruct hooks, per conn
#   conn-toa           a connection through the balancer (toa-inject, a
#                      userspace NFQUEUE program, is in the path of both
#                      sides): the difference is the mode's cost per TOA
#                      connection, and the rate ratio is given against
#                      conn-plain's cost, the kernel's own
# BENCH_TOA_MODE=kmod (default): "with" is toa.ko loaded; RESULT det ...
# BENCH_TOA_MODE=bpf: "with" is toactl bpf attach on the cgroup every
# server of the bench runs in (in both sides); RESULT det-bpf ... . In
# conn-plain both ends are in that cgroup, so the sock_ops program's calls
# on the connecting side are counted too.
# BENCH_TOA_MODE=bpf-floor (det-bpf-floor.sh): the same cgroup, "with" is
# bpf/floor.bpf.c's empty programs at the same attach points: the kernel's
# own cost of those hooks, below which the BPF mode cannot go; RESULT
# det-bpf-floor ... .
# BENCH_NATIVE=1 (bench/bpf-native.sh): on the machine's own kernel, in
# wall-clock ns (noisy: more rounds), RESULT native-bpf ... .
source "$TOA_ROOT/tests/vm/toa-lib.sh"

rounds=${BENCH_DET_ROUNDS:-7}
n_get=${BENCH_DET_GETNAME:-100000}
n_acc=${BENCH_DET_ACCEPT:-20000}
n_toa=${BENCH_DET_TOA_CONNS:-200}
mode=${BENCH_TOA_MODE:-kmod}
native=${BENCH_NATIVE:-}
unit=instructions
clock="one vCPU, icount: 1 ns = 1 instruction"
if [[ -n $native ]]; then
	unit=ns
	clock="this machine's own kernel, wall-clock time"
fi

case $mode in
kmod)
	kind=det
	mode_on() { toa_load; }
	mode_check() { expect_stat srv probe_missed 0; }
	mode_off() { toa_unload; }
	# srv_run CMD... - CMD in the backend's namespace
	srv_run() { ip netns exec srv "$@"; }
	;;
bpf | bpf-floor)
	kind=det-$mode
	[[ -z $native ]] || kind=native-$mode
	! grep -qs '^toa ' /proc/modules || fail "toa.ko is loaded: the BPF mode's bench needs it absent"
	stat -f -c %T /sys/fs/bpf | grep -q bpf_fs || mount -t bpf bpf /sys/fs/bpf
	cg_root=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break } $(i + 1) == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	# (the file system type follows the "-" after the optional fields)
	cg_mounted=
	if [[ -z $cg_root ]]; then
		cg_root=$TOA_TMP/cgroup2
		mkdir -p "$cg_root"
		mount -t cgroup2 none "$cg_root"
		cg_mounted=1
	fi
	bench_cg=$cg_root/toa-bench
	mkdir "$bench_cg"
	bench_attached=
	floor_obj=$TOA_BIN/toa-bench-floor.bpf.o
	floor_pins=/sys/fs/bpf/toa-bench-floor
	floor_hooks="sock_ops:floor_sockops getpeername4:floor_getpeername4
		getpeername6:floor_getpeername6 getsockopt:floor_getsockopt"
	[[ $mode != bpf-floor || -e $floor_obj ]] ||
		fail "$floor_obj missing: the build had no BPF toolchain"
	mode_on() {
		if [[ $mode == bpf ]]; then
			"$TOA_BIN/toactl" bpf attach --cgroup "$bench_cg" >/dev/null
		else
			local h
			bpftool prog loadall "$floor_obj" "$floor_pins"
			for h in $floor_hooks; do
				bpftool cgroup attach "$bench_cg" "${h%%:*}" pinned "$floor_pins/${h#*:}"
			done
		fi
		bench_attached=1
	}
	mode_check() { :; }
	mode_off() {
		if [[ $mode == bpf ]]; then
			"$TOA_BIN/toactl" bpf detach >/dev/null
		else
			local h
			for h in $floor_hooks; do
				bpftool cgroup detach "$bench_cg" "${h%%:*}" pinned "$floor_pins/${h#*:}" || true
			done
			rm -rf "$floor_pins"
		fi
		bench_attached=
	}
	# On the way out (bpf-native.sh runs this on the host): nothing left
	# attached, the cgroup removed once the bench's processes are gone.
	bpf_bench_cleanup() {
		balancer_cleanup
		[[ -z ${BENCH_PID:-} ]] || kill "$BENCH_PID" 2>/dev/null || true
		[[ -z $bench_attached ]] || mode_off >/dev/null 2>&1 || true
		local i
		for ((i = 0; i < 50; i++)); do
			rmdir "$bench_cg" 2>/dev/null && break
			nap 0.1
		done
		[[ -z $cg_mounted ]] || umount "$cg_root" 2>/dev/null || true
	}
	trap bpf_bench_cleanup EXIT
	# The shell joins the cgroup, then becomes CMD: its sockets belong
	# to the cgroup, with the programs attached or not. Before ip netns
	# exec, which mounts a sysfs of its own over /sys.
	srv_run() {
		sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' \
			sh "$bench_cg" ip netns exec srv "$@"
	}
	;;
*) fail "BENCH_TOA_MODE=$mode: kmod, bpf or bpf-floor" ;;
esac

# What getpeername() returns on the TOA socket with the mode on: the
# client, except with the floor's programs, which rewrite nothing.
with_peer=10.0.1.2
[[ $mode != bpf-floor ]] || with_peer=10.0.2.1

topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

ns_of() { sed -n "s/^bench $1 .* ns=\\([0-9.]*\\).*/\\1/p" "$2"; }

# bench_in_srv OUT ARGS... - toa-bench-tcp in srv, in the background, ready
bench_in_srv() {
	local out=$1
	shift
	srv_run "$TOA_BIN/toa-bench-tcp" "$@" >"$out" &
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

	# a new file for each server: the last one's "ready" would pass the
	# wait before this one listens (new_tmp's comment)
	new_tmp out bench
	bench_in_srv "$out" getname -p 9001 -n "$n_get"
	ip netns exec srv "$TOA_BIN/toa-connect" ::1 9001 >/dev/null
	wait "$BENCH_PID"
	ns_of getname "$out" >>"$TOA_TMP/$side.getpeername-plain"

	srv_run "$TOA_BIN/toa-bench-tcp" accept -n "$n_acc" >"$out"
	ns_of accept "$out" >>"$TOA_TMP/$side.conn-plain"

	new_tmp out bench
	bench_in_srv "$out" serve -p 9002 -n "$n_toa"
	ip netns exec cli taskset -c 0 "$TOA_BIN/toa-connect" -n "$n_toa" 10.0.2.2 9002
	wait "$BENCH_PID"
	ns_of serve "$out" >>"$TOA_TMP/$side.conn-toa"
}

log "warm-up: $((5 * n_acc)) loopback connections, a pass of each measurement"
srv_run "$TOA_BIN/toa-bench-tcp" accept -n $((5 * n_acc)) >/dev/null
measure warm 10.0.2.1
mode_on
measure warm "$with_peer"
mode_off
per_sock=
for ((r = 1; r <= rounds; r++)); do
	log "round $r/$rounds without the $mode mode"
	measure without 10.0.2.1
	log "round $r/$rounds with the $mode mode"
	mode_on
	measure with "$with_peer"
	mode_check
	# What toa.ko holds per TOA socket: one toa_entry, SLUB's metadata
	# included (its own cache: the VM boots with slab_nomerge).
	[[ $mode != kmod ]] || read -r per_sock </sys/kernel/slab/toa_entry/slab_size
	mode_off
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
awk -v kind="$kind" -v unit="$unit" -v clock="$clock" -v rounds="$rounds" -v per_sock="$per_sock" 'FNR == NR { a[$1] = $2; b[$1] = $3; next } { r[$1] = $2 }
END {
	for (m in a) d[m] = b[m] - a[m]
	printf "RESULT %s getpeername-toa   without=%.0fns with=%.0fns %+.0f %s ratio(time)=%.3fx\n", kind, a["getpeername-toa"], b["getpeername-toa"], d["getpeername-toa"], unit, r["getpeername-toa"]
	printf "RESULT %s getpeername-plain without=%.0fns with=%.0fns %+.0f %s ratio(time)=%.3fx\n", kind, a["getpeername-plain"], b["getpeername-plain"], d["getpeername-plain"], unit, r["getpeername-plain"]
	printf "RESULT %s getsockname       without=%.0fns with=%.0fns %+.0f %s ratio(time)=%.3fx\n", kind, a["getsockname"], b["getsockname"], d["getsockname"], unit, r["getsockname"]
	printf "RESULT %s conn-plain        without=%.0fns with=%.0fns %+.0f %s ratio(rate)=%.4f\n", kind, a["conn-plain"], b["conn-plain"], d["conn-plain"], unit, 1 / r["conn-plain"]
	printf "RESULT %s conn-toa          without=%.0fns with=%.0fns %+.0f %s (toa-inject in both) ratio(rate, against conn-plain)=%.4f\n", kind, a["conn-toa"], b["conn-toa"], d["conn-toa"], unit, a["conn-plain"] / (a["conn-plain"] + d["conn-toa"])
	if (per_sock != "")
		printf "RESULT %s bytes-per-toa-socket=%d (toa_entry slab_size)\n", kind, per_sock
	printf "RESULT %s rounds=%d (medians; %s)\n", kind, rounds, clock
}' "$TOA_TMP/medians" "$TOA_TMP/ratios"
