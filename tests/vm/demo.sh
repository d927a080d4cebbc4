#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo (`make demo`): a client, a full-NAT balancer that writes the TOA
# option (toa-inject), and a backend, in network namespaces of a VM running
# Debian's kernel. The backend is nginx, unmodified; we print what its
# access log says ($remote_addr $remote_port) with and without toa.ko.
#
#   client 10.0.1.2 / fd01::2 --> balancer (SNAT to 10.0.2.1 / fd02::1,
#   writes TOA) --> backend 10.0.2.2 / fd02::2 running nginx
source "$TOA_ROOT/tests/vm/toa-lib.sh"

say() { printf '\n### %s\n' "$*"; }

topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

nginx_echo srv 80
requests=0

# request URL PORT - one curl from the client; what nginx logged for it.
# (ip netns exec, not `cli`: in $(...) that would exec and not return.)
request() {
	ip netns exec cli taskset -c 0 curl -sS -o /dev/null --local-port "$2" "$1"
	requests=$((requests + 1))
	nginx_wait_log "$requests"
	echo "nginx saw a request from $(tail -n 1 "$NGINX_DIR/access.log" | sed 's/ / port /')"
}

# requests PORT4 WHO4 PORT6 WHO6 - an IPv4 and an IPv6 request from client
# ports PORT4 and PORT6; nginx must have seen WHO4 and WHO6.
requests() {
	local seen4 seen6
	request http://10.0.2.2/ "$1" >"$TOA_TMP/seen4"
	request 'http://[fd02::2]/' "$3" >"$TOA_TMP/seen6"
	seen4=$(<"$TOA_TMP/seen4") seen6=$(<"$TOA_TMP/seen6")
	echo "  IPv4: $seen4"
	echo "  IPv6: $seen6"
	[[ $seen4 == *"from $2 port $1" ]] || fail "expected $2: $seen4"
	[[ $seen6 == *"from $4 port $3" ]] || fail "expected $4: $seen6"
}

say "WITHOUT toa.ko: the client is 10.0.1.2 / fd01::2, but the backend sees the balancer"
requests 40100 10.0.2.1 40101 fd02::1

say "insmod toa.ko"
toa_load
dmesg | grep 'toa: loaded' | tail -n 1

say "WITH toa.ko: same nginx, same config, no restart"
requests 40102 10.0.1.2 40103 fd01::2

say "the backend's /proc/net/toa_stats"
srv cat /proc/net/toa_stats | awk 'NR == 1 || $2 != 0 { print "  " $1, $2 }'
