# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# capture.sh - packet captures that hold every packet a test asserts on.
# tcpdump lags behind the traffic when the machine is busy, so a capture is
# never stopped "a moment" after the last packet: capture_stop waits,
# bounded, until the file holds what the test expects. Sourced after
# common.sh.
#
#	capture_start srv eth0 "$out/srv.pcap" tcp port 8000
#	... traffic ...
#	capture_stop 2 toa_frames        # toa_frames FILE prints one line a packet

CAPTURE_PID=
CAPTURE_FILE=

# capture_start NS IFACE FILE FILTER... - tcpdump in NS on IFACE into FILE
# (packet-buffered, so the file grows as packets are captured); returns
# once tcpdump is listening. Its messages go to FILE.log.
capture_start() {
	local ns=$1 ifc=$2
	CAPTURE_FILE=$3
	shift 3
	: >"$CAPTURE_FILE.log"
	# ip netns exec directly, not through a shell function: $! is then
	# tcpdump itself, and the signal below reaches it.
	ip netns exec "$ns" tcpdump -q -U -i "$ifc" -w "$CAPTURE_FILE" "$@" 2>"$CAPTURE_FILE.log" &
	CAPTURE_PID=$!
	wait_until 20 "tcpdump in $ns listening on $ifc" grep -q 'listening on' "$CAPTURE_FILE.log"
}

# capture_stop N CMD... - wait until `CMD FILE` prints at least N lines (a
# command that lists the packets the test expects: every one of them is in
# the file then, and everything captured before them), at most
# CAPTURE_TIMEOUT seconds (default 30), then stop tcpdump. Does not fail
# on a timeout: the assertions on the file say what is missing.
capture_stop() {
	local want=$1 end have=0
	shift
	end=$((SECONDS + ${CAPTURE_TIMEOUT:-30}))
	while :; do
		# Read while tcpdump writes, the file may end in half a
		# packet: the reader's complaint and exit status are noise.
		have=$({ "$@" "$CAPTURE_FILE" 2>/dev/null || true; } | wc -l)
		((have >= want)) && break
		if ((SECONDS >= end)); then
			log "capture: $have of $want expected packets after ${CAPTURE_TIMEOUT:-30}s"
			break
		fi
		nap 0.2
	done
	# SIGTERM: a background job of a non-interactive shell ignores SIGINT
	# unless the program resets it; tcpdump ends on either, flushing.
	kill -TERM "$CAPTURE_PID" 2>/dev/null || true
	wait "$CAPTURE_PID" 2>/dev/null || true
	CAPTURE_PID=
}

# capture_kill - stop a capture without waiting for packets (cleanup).
capture_kill() {
	[[ -n $CAPTURE_PID ]] || return 0
	kill -TERM "$CAPTURE_PID" 2>/dev/null || true
	wait "$CAPTURE_PID" 2>/dev/null || true
	CAPTURE_PID=
}
