#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test of the harness itself, no toa.ko needed: cli reaches srv
# through lb over IPv4 and IPv6, lb's SNAT hides the client (srv sees
# 10.0.2.1 / fd02::1), and an NFQUEUE rule with nobody on the queue lets
# traffic through (bypass) while counting the packets it would queue.
source "$TOA_ROOT/tests/vm/lib.sh"

topo_up
lb_snat
lb_queue 0

# peer_seen_by_srv PORT ADDR - one-shot server in srv answering with the
# peer address of its connection, as ss shows it; the client connects to ADDR.
peer_seen_by_srv() {
	local port=$1 addr=$2 peer
	srv busybox nc -l -p "$port" -e sh -c \
		"ss -Htn '( sport = :$port )' | awk '{ print \$5 }'" &
	wait_port srv "$port"
	peer=$(cli busybox nc -w 5 "$addr" "$port" </dev/null)
	wait
	# [::ffff:10.0.2.1]:40000 -> 10.0.2.1 (busybox listens dual-stack)
	peer=${peer%:*}
	peer=${peer#[}
	peer=${peer%]}
	echo "${peer#::ffff:}"
}

log "IPv4: cli -> 10.0.2.2"
assert_eq 10.0.2.1 "$(peer_seen_by_srv 7000 10.0.2.2)" "IPv4 peer seen by srv"

log "IPv6: cli -> fd02::2"
assert_eq fd02::1 "$(peer_seen_by_srv 7001 fd02::2)" "IPv6 peer seen by srv"

log "NFQUEUE rule matched, and bypass let the packets through"
queued=$(lb nft list chain inet toa_queue forward_q | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
((queued > 0)) || fail "queue rule counted $queued packets"
log "queued (bypassed) packets: $queued"
