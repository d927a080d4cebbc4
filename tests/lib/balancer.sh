# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# balancer.sh - traffic through the balancer of topology.sh: toa-inject on
# lb writing the option, toa-peer-server on srv reporting what it saw of
# its peer, toa-connect on cli. Used by the VM scenarios (toa-lib.sh) and
# by host-check.sh. Sourced after common.sh; needs TOA_BIN (the tools) and
# TOA_TMP (scratch).

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
declare -A INJECT_DRAIN=() # toa-inject's PID -> the PID copying its stderr
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
	# Per toa-inject: a scenario may run two and swap INJECT_PID.
	INJECT_DRAIN[$INJECT_PID]=$!
	exec {INJECT_FD}<&-
}

# inject_stop - SIGTERM toa-inject (it prints its counters and exits 0),
# then inject_wait.
inject_stop() {
	[[ -n $INJECT_PID ]] || return 0
	kill "$INJECT_PID" 2>/dev/null || true
	inject_wait
}

# inject_wait - wait for toa-inject to exit (by itself: --count) and for
# its last words; its exit status is left in INJECT_STATUS.
# shellcheck disable=SC2034 # read by the scripts that source this
INJECT_STATUS=
inject_wait() {
	[[ -n $INJECT_PID ]] || return 0
	INJECT_STATUS=0
	wait "$INJECT_PID" 2>/dev/null || INJECT_STATUS=$?
	# Its counters may still be in the pipe: its drain ends at EOF, once
	# it has written them wherever stderr goes.
	[[ -z ${INJECT_DRAIN[$INJECT_PID]:-} ]] || wait "${INJECT_DRAIN[$INJECT_PID]}" 2>/dev/null || true
	unset "INJECT_DRAIN[$INJECT_PID]"
	INJECT_PID=
}

# serve ARGS... - start toa-peer-server in srv (SERVE_NS: another
# namespace; one connection unless -n), wait for "ready". Its report lines
# go to $SERVE_OUT; serve_wait waits for it to exit and leaves the lines
# in $SERVED.
SERVE_PID=
SERVE_OUT=
serve() {
	new_tmp SERVE_OUT serve
	# ip netns exec directly (not the srv function, a subshell), so that
	# $! is the server itself and kill reaches it.
	ip netns exec "${SERVE_NS:-srv}" "$TOA_BIN/toa-peer-server" "$@" >"$SERVE_OUT" &
	SERVE_PID=$!
	local end=$((SECONDS + 20)) first=
	# "ready" is its first line; read, not grep: no process per poll
	until { read -r first <"$SERVE_OUT"; } 2>/dev/null && [[ $first == ready* ]]; do
		kill -0 "$SERVE_PID" 2>/dev/null || fail "toa-peer-server exited early"
		((SECONDS < end)) || fail "toa-peer-server not ready"
		nap 0.05
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

# balancer_cleanup - stop what the helpers above started (an EXIT trap).
balancer_cleanup() {
	inject_stop
	[[ -z $SERVE_PID ]] || kill "$SERVE_PID" 2>/dev/null || true
}
