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

log "nginx: its \$remote_addr (the response) and its access log"
nginx_echo srv 80
assert_eq 10.0.1.2 "$(cli taskset -c 0 curl -sS --local-port 40060 http://10.0.2.2/)" "nginx \$remote_addr"
assert_eq fd01::2 "$(cli taskset -c 0 curl -sS --local-port 40061 'http://[fd02::2]/')" "nginx \$remote_addr v6"
nginx_wait_log 2
cat "$NGINX_DIR/access.log"
assert_eq "10.0.1.2 40060
fd01::2 40061" "$(cat "$NGINX_DIR/access.log")" "nginx access log"

log "python3 -m http.server"
mkdir -p "$TOA_TMP/www"
echo hello >"$TOA_TMP/www/index.html"
cd "$TOA_TMP/www"
srv python3 -m http.server --bind 10.0.2.2 8080 2>"$TOA_TMP/py.log" &
py=$!
wait_port srv 8080
assert_eq hello "$(cli taskset -c 0 curl -sS --local-port 40062 http://10.0.2.2:8080/)" "python body"
kill "$py"; wait "$py" || true
cat "$TOA_TMP/py.log"
grep -q '^10\.0\.1\.2 - - .*"GET / HTTP' "$TOA_TMP/py.log" || fail "python logged no client"
! grep -q '^10\.0\.2\.1 ' "$TOA_TMP/py.log" || fail "python logged the balancer"
