#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified servers: nginx from Debian logging $remote_addr:$remote_port,
# and Python's http.server, with curl as the client. Their logs show the
# client, not the balancer: no change to the server is needed.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0

log "nginx"
conf=$TOA_TMP/nginx.conf
mkdir -p "$TOA_TMP/nginx" "$TOA_TMP/www"
echo hello >"$TOA_TMP/www/index.html"
cat >"$conf" <<-NGINX
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
		log_format peer '\$remote_addr \$remote_port';
		access_log $TOA_TMP/nginx/access.log peer;
		server {
			listen 10.0.2.2:80;
			listen [fd02::2]:80;
			root $TOA_TMP/www;
		}
	}
NGINX
srv nginx -c "$conf" -e "$TOA_TMP/nginx/error.log"
wait_port srv 80
assert_eq hello "$(cli curl -sS --local-port 40060 http://10.0.2.2/)" "nginx body"
assert_eq hello "$(cli curl -sS --local-port 40061 'http://[fd02::2]/')" "nginx body v6"
srv kill "$(cat "$TOA_TMP/nginx/nginx.pid")"
cat "$TOA_TMP/nginx/access.log"
assert_eq "10.0.1.2 40060
fd01::2 40061" "$(cat "$TOA_TMP/nginx/access.log")" "nginx access log"

log "python3 -m http.server"
cd "$TOA_TMP/www"
srv python3 -m http.server --bind 10.0.2.2 8080 2>"$TOA_TMP/py.log" &
py=$!
wait_port srv 8080
assert_eq hello "$(cli curl -sS --local-port 40062 http://10.0.2.2:8080/)" "python body"
kill "$py"; wait "$py" || true
cat "$TOA_TMP/py.log"
grep -q '^10\.0\.1\.2 - - .*"GET / HTTP' "$TOA_TMP/py.log" || fail "python logged no client"
! grep -q '^10\.0\.2\.1 ' "$TOA_TMP/py.log" || fail "python logged the balancer"
