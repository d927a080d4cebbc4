#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Soak: TOA_SOAK_CONNS TOA connections (default 4000; make check-long:
# 100000) opened and closed through the balancer, in batches of 1000 open
# at once, IPv4 and IPv6 in turn. Every one shows its client; afterwards
# store_in_use is back to 0, the entries' slab cache ("toa_entry", on its
# own line: the VM boots with slab_nomerge) holds no more than SLUB
# keeps cached, each entry takes no more than 64 bytes, and rmmod finds
# it empty (kmem_cache_destroy() warns, failing the scenario, if a
# single entry was never freed).
source "$TOA_ROOT/tests/vm/toa-lib.sh"

N=${TOA_SOAK_CONNS:-4000}
B=1000

toa_load
topo_up
lb_snat
lb_queue 0
srv sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
# The balancer's conntrack keeps each closed connection for 120 s: room
# for all of them (the default of a 1 GiB guest fills at ~10k, and then
# drops handshakes).
sysctl -qw net.netfilter.nf_conntrack_max=262144
# Room for the ports of connections in TIME_WAIT on the client.
cli sysctl -qw net.ipv4.ip_local_port_range="10000 64999"
inject_start lb --queue 0 --max-flows 65536 --timeout 10

serve -d -p 8000 -n 0
done_n=0 round=0 t0=$SECONDS
while ((done_n < N)); do
	n=$((N - done_n < B ? N - done_n : B))
	if ((round++ % 2)); then dst=fd02::2; else dst=10.0.2.2; fi
	connect_pinned -c -t 120 -n "$n" "$dst" 8000
	done_n=$((done_n + n))
done
log "$N connections in $((SECONDS - t0))s"
toa_store_empty srv 60
# Every line: the client, in accept() and in getpeername().
rows=$(grep -c '^accept=' "$SERVE_OUT" || true)
ok=$(grep -Ec '^accept=\[(::ffff:10\.0\.1\.2|fd01::2)\]:[0-9]+ peer=\[(::ffff:10\.0\.1\.2|fd01::2)\]:' "$SERVE_OUT" || true)
log "served $rows, $ok with the client"
assert_eq "$N $N" "$rows $ok" "connections served, and with the client"
expect_stat srv syn_recv_sock_toa "$N"
expect_stat srv probe_missed 0
log "$N connections, all closed"
# What toa.ko holds per TOA socket: one toa_entry, SLUB's metadata
# included (slab_size), no more than 64 bytes (kmod/store.c).
read -r per_sock </sys/kernel/slab/toa_entry/slab_size
log "memory per TOA socket: $per_sock bytes (toa_entry slab_size)"
((per_sock <= 64)) || fail "a TOA socket costs $per_sock bytes: over 64"
toa_unload_no_entry_left
