#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unload under load: TOA_UNLOAD_CYCLES rmmod/insmod cycles (default 3;
# make check-long: 20) while 500 TOA connections are held open and a
# client keeps opening more through the balancer. No oops, WARN or hang
# (the runner checks dmesg; a hung rmmod times the scenario out); the
# server answers every connection throughout; the connections accepted
# after the last insmod show their client. Every rmmod frees the entries
# of live sockets, and destroys their slab cache ("toa_entry"), which
# warns (failing the scenario) if one was never freed; once the held
# connections are closed no entry is left either.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

CYCLES=${TOA_UNLOAD_CYCLES:-3}
HOLD=$TOA_ROOT/tests/vm/scenarios/conns-hold.py
STOP=$TOA_TMP/stop
toa_load
topo_up
lb_snat
lb_queue 0
srv sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
cli sysctl -qw net.ipv4.ip_local_port_range="10000 64999"
# Every packet carries the option: a handshake that straddles an insmod
# still finds one on the packet that completes it.
inject_start lb --queue 0 --mode every --max-flows 65536 --timeout 10

# 500 connections held open: a listener that never accepts them (they are
# full sockets in its accept queue, each with its entry).
ip netns exec srv python3 "$HOLD" listen 0.0.0.0 8001 >"$TOA_TMP/hold-srv" &
hold_srv=$!
wait_port srv 8001
ip netns exec cli taskset -c 0 python3 "$HOLD" connect 10.0.2.2 8001 500 >"$TOA_TMP/hold-cli" &
hold_cli=$!
held() { [[ -s $TOA_TMP/hold-cli ]]; }
wait_until 200 "500 held connections" held
log "held: $(cat "$TOA_TMP/hold-cli")"
expect_stat srv store_in_use 500

# The load: batches of 20 connections until told to stop; any failure
# (no echo, refused) ends it with an error.
serve -d -p 8000 -n 0
load() {
	local n=0
	until [[ -e $STOP ]]; do
		ip netns exec cli taskset -c 0 "$TOA_BIN/toa-connect" -t 60 -n 20 10.0.2.2 8000 || return 1
		n=$((n + 20))
	done
	echo "$n"
}
load >"$TOA_TMP/loaded" &
loader=$!

for ((i = 1; i <= CYCLES; i++)); do
	nap 0.5
	toa_unload
	nap 0.2
	toa_load
done
touch "$STOP"
wait "$loader" || fail "the load failed: the server stopped answering"
log "$CYCLES cycles under load: $(cat "$TOA_TMP/loaded") connections answered meanwhile"

log "after the last insmod: the client again"
before=$(grep -c '^accept=' "$SERVE_OUT")
connect_pinned -n 20 10.0.2.2 8000
new=$(tail -n +2 "$SERVE_OUT" | tail -n 20 | grep -c '^accept=\[::ffff:10\.0\.1\.2\]:' || true)
assert_eq 20 "$new" "connections after the last insmod that show the client (of $(($(grep -c '^accept=' "$SERVE_OUT") - before)))"
expect_stat srv probe_missed 0

log "no entry, and no entry memory, left"
kill "$hold_cli" "$hold_srv"
wait "$hold_cli" "$hold_srv" 2>/dev/null || true
toa_store_empty srv 60
toa_unload_no_entry_left
