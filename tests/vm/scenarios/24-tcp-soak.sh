#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Soak: TOA_SOAK_CONNS TOA connections (default 4000; make check-long:
# 100000) opened and closed through the balancer, in batches of 1000 open
# at once, IPv4 and IPv6 in turn. Every one shows its client; afterwards
# store_in_use is back to 0, the entries' slab cache ("toa_entry", on its
# own line: the VM boots with slab_nomerge) holds no more than SLUB
# keeps cached, and rmmod finds it empty (kmem_cache_destroy()
# warns, failing the scenario, if a single entry was never freed).
source "$TOA_ROOT/tests/vm/toa-lib.sh"

N=${TOA_SOAK_CONNS:-4000}
B=1000

# store_empty - wait until every entry is gone with its socket.
store_empty() {
	local end=$((SECONDS + 60))
	until [[ $(toa_stat srv store_in_use) == 0 ]]; do
		((SECONDS < end)) || fail "store_in_use stuck at $(toa_stat srv store_in_use)"
		nap 0.2
	done
}

# slab_active NAME - active objects of slab cache NAME.
slab_active() { awk -v n="$1" '$1 == n { print $2 }' /proc/slabinfo; }
# slab_cached NAME - how many free objects of slab cache NAME SLUB may
# keep and still count as active: per CPU its slab and its partial slabs
# (cpu_partial objects), and min_partial slabs of the node's.
slab_cached() {
	local d=/sys/kernel/slab/$1 per cpu_partial min_partial
	read -r per <"$d/objs_per_slab"
	read -r cpu_partial <"$d/cpu_partial"
	read -r min_partial <"$d/min_partial"
	echo $(($(nproc) * (per + cpu_partial) + min_partial * per))
}

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
cache=toa_entry
done_n=0 round=0 t0=$SECONDS
while ((done_n < N)); do
	n=$((N - done_n < B ? N - done_n : B))
	if ((round++ % 2)); then dst=fd02::2; else dst=10.0.2.2; fi
	connect_pinned -c -t 120 -n "$n" "$dst" 8000
	done_n=$((done_n + n))
done
log "$N connections in $((SECONDS - t0))s"
store_empty
# Every line: the client, in accept() and in getpeername().
rows=$(grep -c '^accept=' "$SERVE_OUT" || true)
ok=$(grep -Ec '^accept=\[(::ffff:10\.0\.1\.2|fd01::2)\]:[0-9]+ peer=\[(::ffff:10\.0\.1\.2|fd01::2)\]:' "$SERVE_OUT" || true)
log "served $rows, $ok with the client"
assert_eq "$N $N" "$rows $ok" "connections served, and with the client"
expect_stat srv syn_recv_sock_toa "$N"
expect_stat srv probe_missed 0
# What SLUB caches counts as active, used or not: every object beyond
# that must be gone.
settled() { (($(slab_active "$cache") <= $(slab_cached "$cache"))); }
wait_until 60 "$cache down to what SLUB caches" settled
log "$cache: $(slab_active "$cache") active objects after $N connections, within the $(slab_cached "$cache") SLUB may cache"
toa_unload
! dmesg | grep -i "toa_entry" || fail "rmmod: entries left in the toa_entry cache"
