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

# inject_start NS ARGS... - run toa-inject in NS in the background and wait
# until it has bound its queue. Stopped by inject_stop (or at scenario end).
#
# It runs pinned to one CPU (INJECT_CPU, default 0; "any" to let it move),
# and so does the client of `through` and `connect_pinned`: a real balancer
# keeps each flow's packets in order, but on veth every packet is handled
# by the CPU that sent it, so a client ACK sent from a softirq on one CPU
# and its data sent by the process on the other (or packets NFQUEUE
# re-injects from a process that hops between CPUs) can overtake each
# other. The kernel then completes the handshake with whichever packet in
# the window comes first (even a FIN), one without the option: a harness
# artefact the module cannot undo.
INJECT_PID=
inject_start() {
	local ns=$1 fifo=$TOA_TMP/inject.ready line pin=()
	shift
	rm -f "$fifo"
	mkfifo "$fifo"
	[[ ${INJECT_CPU:-0} == any ]] || pin=(taskset -c "${INJECT_CPU:-0}")
	ip netns exec "$ns" "${pin[@]}" "$TOA_BIN/toa-inject" "$@" 2>"$fifo" &
	INJECT_PID=$!
	# Wait for the "ready" banner; warnings may come before it, an exit
	# (EOF) means it failed. Then keep draining stderr into the log so the
	# tool never blocks on it.
	exec {INJECT_FD}<"$fifo"
	while :; do
		read -r -t 20 -u "$INJECT_FD" line || fail "toa-inject did not start${line:+: $line}"
		echo "$line" >&2
		[[ $line == *ready* ]] && break
	done
	cat <&"$INJECT_FD" >&2 &
	exec {INJECT_FD}<&-
}

inject_stop() {
	[[ -n $INJECT_PID ]] || return 0
	kill "$INJECT_PID" 2>/dev/null || true
	wait "$INJECT_PID" 2>/dev/null || true
	INJECT_PID=
}

# serve ARGS... - start toa-peer-server in srv (one connection unless -n),
# wait for "ready". Its report lines go to $SERVE_OUT; serve_wait waits for
# it to exit and leaves the lines in $SERVED.
SERVE_PID=
SERVE_OUT=
serve() {
	SERVE_OUT=$TOA_TMP/serve.$RANDOM
	# ip netns exec directly (not the srv function, a subshell), so that
	# $! is the server itself and kill reaches it.
	ip netns exec srv "$TOA_BIN/toa-peer-server" "$@" >"$SERVE_OUT" &
	SERVE_PID=$!
	local end=$((SECONDS + 20))
	until grep -q '^ready' "$SERVE_OUT"; do
		kill -0 "$SERVE_PID" 2>/dev/null || fail "toa-peer-server exited early"
		((SECONDS < end)) || fail "toa-peer-server not ready"
		sleep 0.05
	done
}

serve_wait() {
	wait "$SERVE_PID" || fail "toa-peer-server failed"
	SERVED=$(grep -v '^ready' "$SERVE_OUT")
}

# expect_seen KEY=VALUE... - after serve_wait: every pair is in the report line
# of the (last) connection, exactly.
expect_seen() {
	local kv line
	serve_wait
	line=$(tail -n 1 <<<"$SERVED")
	log "server saw: $line"
	for kv in "$@"; do
		[[ " $line " == *" $kv "* ]] && continue
		# What the module thought, for whoever reads the failure.
		ip netns exec srv cat /proc/net/toa_stats 2>/dev/null | awk '$2 != 0' >&2 || true
		fail "expected '$kv' in: $line"
	done
}

# One connection through the balancer, and what the server saw.
#   through SERVER_ARGS -- CONNECT_ARGS
through() {
	local sargs=() cargs=()
	while (($#)) && [[ $1 != -- ]]; do sargs+=("$1"); shift; done
	shift
	cargs=("$@")
	serve "${sargs[@]}"
	connect_pinned "${cargs[@]}"
}

# connect_pinned ARGS... - toa-connect from cli, on CPU 0 (see inject_start).
connect_pinned() {
	ip netns exec cli taskset -c 0 "$TOA_BIN/toa-connect" "$@" ||
		fail "toa-connect $*"
}

cleanup_toa() {
	inject_stop
	[[ -z $SERVE_PID ]] || kill "$SERVE_PID" 2>/dev/null || true
}
trap cleanup_toa EXIT
