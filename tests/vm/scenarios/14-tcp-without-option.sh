#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Without the option the server sees the balancer (the module never
# invents an address); after rmmod, new connections see the balancer even
# though the balancer still sends the option; rmmod with a TOA connection
# still open is safe, and that connection then closes cleanly.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0

log "no option on the wire: the balancer"
through -4 -p 8000 -- -s 40007 10.0.2.2 8000
expect_seen accept=10.0.2.1:40007 peer=10.0.2.1:40007 lookup=ENOTCONN
expect_stat srv syn_recv_sock_no_toa 1
expect_stat srv syn_recv_sock_toa 0

log "an open TOA connection across rmmod"
inject_start lb --queue 0
# Both ends keep the connection open (stdin from a sleep) until killed.
{ sleep 30 | srv busybox nc -l -p 8001 >/dev/null; } &
held_srv=$!
wait_port srv 8001
{ sleep 30 | cli busybox nc 10.0.2.2 8001; } &
held_cli=$!
end=$((SECONDS + 20))
until [[ $(toa_stat srv syn_recv_sock_toa) == 1 ]]; do
	((SECONDS < end)) || fail "the held connection never got its TOA entry"
	nap 0.1
done
expect_stat srv store_in_use 1
toa_unload
log "module gone with a TOA socket open; now close it"
kill "$held_srv" "$held_cli" 2>/dev/null || true
wait "$held_srv" "$held_cli" 2>/dev/null || true
pkill -f 'sleep 30' || true

log "after rmmod the option is ignored: the balancer again"
through -4 -p 8000 -- -s 40008 10.0.2.2 8000
expect_seen accept=10.0.2.1:40008 peer=10.0.2.1:40008 lookup=ENOPROTOOPT
[[ ! -e /proc/net/toa_stats ]] || fail "/proc/net/toa_stats outlived the module"

log "and loading it again works"
toa_load
through -4 -p 8000 -- -s 40009 10.0.2.2 8000
expect_seen accept=10.0.1.2:40009
