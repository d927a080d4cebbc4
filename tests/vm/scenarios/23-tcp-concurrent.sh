#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 1000 connections accepted at once on 2 vCPUs: two clients (IPv4 and
# IPv6, TOA_CONCURRENT/2 each) open all their connections together while
# the server is stopped, so every child socket is made, and its option
# read, while the other handshakes are in flight, and all of them wait in
# the accept queue together; then the server accepts and names them all
# as fast as it can. Every one must be rewritten, no hook call missed, no
# entry left once they are closed.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

N=${TOA_CONCURRENT:-1000}
half=$((N / 2))

toa_load
topo_up
lb_snat
lb_queue 0
srv sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
inject_start lb --queue 0 --max-flows $((4 * N))

serve -d -p 8000 -n $((2 * half))
kill -STOP "$SERVE_PID"
# -c: each client connects all of its connections before it sends on any.
connect() { ip netns exec cli taskset -c 0 "$TOA_BIN/toa-connect" -c -t 300 -n "$half" "$@"; }
connect 10.0.2.2 8000 &
c4=$!
connect fd02::2 8000 &
c6=$!
# Every handshake done (one store entry per child) before one is accepted.
in_store() { (($(toa_stat srv store_in_use) == 2 * half)); }
wait_until 240 "$((2 * half)) connections in the accept queue" in_store
log "$((2 * half)) connections waiting in the accept queue; the server resumes"
kill -CONT "$SERVE_PID"
wait "$c4" || fail "IPv4 client failed"
wait "$c6" || fail "IPv6 client failed"
serve_wait

v4=$(grep -c '^accept=\[::ffff:10\.0\.1\.2\]:[0-9]* peer=\[::ffff:10\.0\.1\.2\]:' <<<"$SERVED" || true)
v6=$(grep -c '^accept=\[fd01::2\]:[0-9]* peer=\[fd01::2\]:' <<<"$SERVED" || true)
log "rewritten: $v4/$half IPv4, $v6/$half IPv6; $(toa_stat srv opt_raced) races moved"
assert_eq "$half $half" "$v4 $v6" "connections whose accept() and getpeername() show the client"
expect_stat srv syn_recv_sock_toa $((2 * half))
expect_stat srv probe_missed 0
expect_stat srv getname_toa_mismatch 0
toa_store_empty srv 30
