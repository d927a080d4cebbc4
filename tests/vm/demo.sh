#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo (`make demo`): a client, a full-NAT balancer that writes the TOA
# option (toa-inject), and a backend, in network namespaces of a VM running
# Debian's kernel. The backend is nginx, unmodified; we print what its
# access log says with and without toa.ko.
#
#   client 10.0.1.2 / fd01::2 --> balancer (SNAT to 10.0.2.1 / fd02::1,
#   writes TOA) --> backend 10.0.2.2 / fd02::2 running nginx
source "$TOA_ROOT/tests/vm/toa-lib.sh"

say() { printf '\n### %s\n' "$*"; }

topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

mkdir -p "$TOA_TMP/nginx" "$TOA_TMP/www"
echo "hello from the backend" >"$TOA_TMP/www/index.html"
cat >"$TOA_TMP/nginx.conf" <<-NGINX
	worker_processes 1;
	pid $TOA_TMP/nginx/nginx.pid;
	error_log $TOA_TMP/nginx/error.log;
	events { worker_connections 64; }
	http {
		client_body_temp_path $TOA_TMP/nginx;
		proxy_temp_path $TOA_TMP/nginx;
		fastcgi_temp_path $TOA_TMP/nginx;
		uwsgi_temp_path $TOA_TMP/nginx;
		scgi_temp_path $TOA_TMP/nginx;
		log_format peer 'nginx saw a request from \$remote_addr port \$remote_port';
		access_log $TOA_TMP/nginx/access.log peer;
		server { listen 10.0.2.2:80; listen [fd02::2]:80; root $TOA_TMP/www; }
	}
NGINX
srv nginx -c "$TOA_TMP/nginx.conf" -e "$TOA_TMP/nginx/error.log"
wait_port srv 80
touch "$TOA_TMP/nginx/access.log"

# request URL PORT - one curl from the client, then nginx's last log line.
# nginx logs after it has answered, so wait for the line to appear.
request() {
	local before end
	before=$(wc -l <"$TOA_TMP/nginx/access.log")
	# not `cli`: in a subshell it would exec and never come back
	ip netns exec cli curl -sS -o /dev/null --local-port "$2" "$1"
	end=$((SECONDS + 10))
	while (($(wc -l <"$TOA_TMP/nginx/access.log") == before)); do
		((SECONDS < end)) || fail "nginx logged nothing"
		sleep 0.05
	done
	tail -n 1 "$TOA_TMP/nginx/access.log"
}

say "WITHOUT toa.ko: the client is 10.0.1.2 / fd01::2, but the backend sees the balancer"
seen4=$(request http://10.0.2.2/ 40100)
seen6=$(request 'http://[fd02::2]/' 40101)
echo "  IPv4: $seen4"
echo "  IPv6: $seen6"
[[ $seen4 == *"from 10.0.2.1 port 40100" ]] || fail "expected the balancer: $seen4"
[[ $seen6 == *"from fd02::1 port 40101" ]] || fail "expected the balancer: $seen6"

say "insmod toa.ko"
toa_load
dmesg | grep 'toa: loaded' | tail -n 1

say "WITH toa.ko: same nginx, same config, no restart"
seen4=$(request http://10.0.2.2/ 40102)
seen6=$(request 'http://[fd02::2]/' 40103)
echo "  IPv4: $seen4"
echo "  IPv6: $seen6"
[[ $seen4 == *"from 10.0.1.2 port 40102" ]] || fail "expected the client: $seen4"
[[ $seen6 == *"from fd01::2 port 40103" ]] || fail "expected the client: $seen6"

say "the backend's /proc/net/toa_stats"
srv cat /proc/net/toa_stats | awk 'NR == 1 || $2 != 0 { print "  " $1, $2 }'
srv kill "$(cat "$TOA_TMP/nginx/nginx.pid")"
