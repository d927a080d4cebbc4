#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Many connections in a row, IPv4 and IPv6: every one must show its client.
#
# The first batch has the option in the handshake ACK only; the second
# writes it the way DPVS does, into every packet with seq = ISN+1 (the ACK
# and the first data packet), so that whichever completes the handshake
# carries it. (When the ACK and the data packet complete the same handshake
# in parallel on two CPUs, the kernel keeps the socket of the first and
# toa.ko moves the option to it: opt_raced. The log shows how often.)
# A client port can come back within a batch: a late duplicate ACK draws
# an RST from the closed server, which ends the client's TIME_WAIT early.
# The queue skips SYNs, so toa-inject tells the port's next connection by
# its sequence numbers (its counters' "reused").
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0

# batch N4 N6 - N4 IPv4 then N6 IPv6 connections; all must see the client.
batch() {
	local v4 v6
	serve -d -p 8000 -n $(($1 + $2))
	connect_pinned -n "$1" 10.0.2.2 8000
	((!$2)) || connect_pinned -n "$2" fd02::2 8000
	serve_wait
	v4=$(grep -c 'accept=\[::ffff:10\.0\.1\.2\]:' <<<"$SERVED" || true)
	v6=$(grep -c 'accept=\[fd01::2\]:' <<<"$SERVED" || true)
	log "clients seen: $v4/$1 IPv4, $v6/$2 IPv6; races moved: $(toa_stat srv opt_raced)"
	if ((v4 + v6 != $1 + $2)); then
		grep -vE 'accept=\[(::ffff:10\.0\.1\.2|fd01::2)\]:' <<<"$SERVED" >&2 || true
		srv cat /proc/net/toa_stats | awk '$2 != 0' >&2
	fi
	assert_eq "$1" "$v4" "IPv4 connections that saw the client"
	assert_eq "$2" "$v6" "IPv6 connections that saw the client"
}

log "option in the handshake ACK only, balancer keeps flow order"
inject_start lb --queue 0
batch 200 200
inject_stop

log "DPVS style: every packet with seq = ISN+1"
inject_start lb --queue 0 --mode seq
batch 200 200
inject_stop

expect_stat srv getname_toa_mismatch 0
expect_stat srv probe_missed 0
