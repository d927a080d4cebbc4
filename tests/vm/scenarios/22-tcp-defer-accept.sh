#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP_DEFER_ACCEPT listeners (nginx's "listen ... deferred", a common
# setting): the kernel drops the bare third ACK, the only packet an
# LVS-style balancer writes the option into, and makes the child from the
# first data packet, which has none. toa.ko keeps the ACK's option for the
# connection and gives it to the child (kmod/deferred.c), once vetted:
# an untrusted sender's option is never kept. tcp_check_req, where that
# ACK is dropped, is hooked only once a deferred-accept listener exists:
# at setsockopt() after listen() (nginx's order), at listen() after
# setsockopt(), or at load for one already listening; never too late
# (probe_missed would count a bare ACK that was). The graft hook on
# accept() is on demand too: only a load that finds a thread blocked in
# accept() (which copied the kernel's ops before toa.ko) registers it.
source "$TOA_ROOT/tests/vm/toa-lib.sh"

# hooked FUNC - does FUNC have an ftrace callback now (toa.ko's hooks)?
hooked() {
	local t=/sys/kernel/tracing
	[[ -e $t/enabled_functions ]] || mount -t tracefs nodev "$t" ||
		fail "no tracefs"
	grep -q "^$1 " "$t/enabled_functions"
}

# TcpExtTCPDeferAcceptDrop of srv: bare ACKs the kernel dropped for it.
defer_drops() {
	srv awk '/^TcpExt:/ { if (!n) { for (i = 1; i <= NF; i++) k[i] = $i; n = 1 }
		else for (i = 1; i <= NF; i++) if (k[i] == "TCPDeferAcceptDrop") print $i }' /proc/net/netstat
}

toa_load
topo_up
lb_snat
lb_queue 0
inject_start lb --queue 0	# the option on the handshake ACK only

log "no deferred-accept listener yet: tcp_check_req is not hooked"
hooked inet_csk_listen_start || fail "toa.ko's hooks are not in enabled_functions"
! hooked security_sock_graft || fail "accept's graft hooked with no accept() from before the load"
through -4 -p 8000 -- -s 40069 10.0.2.2 8000
expect_seen accept=10.0.1.2:40069 peer=10.0.1.2:40069
! hooked tcp_check_req || fail "tcp_check_req hooked without a deferred-accept listener"

log "nginx, listen ... deferred (TCP_DEFER_ACCEPT set after listen())"
nginx_echo srv 80 deferred
hooked tcp_check_req || fail "tcp_check_req not hooked for nginx's deferred listener"
assert_eq 10.0.1.2 "$(cli taskset -c 0 curl -sS --local-port 40073 http://10.0.2.2/)" "nginx \$remote_addr"
assert_eq fd01::2 "$(cli taskset -c 0 curl -sS --local-port 40074 'http://[fd02::2]/')" "nginx \$remote_addr v6"
nginx_wait_log 2
assert_eq "10.0.1.2 40073
fd01::2 40074" "$(cat "$NGINX_DIR/access.log")" "nginx access log"
assert_eq 2 "$(defer_drops)" "bare ACKs the kernel dropped for nginx (the option was on them)"
expect_stat srv syn_recv_sock_toa 3

log "a TCP_DEFER_ACCEPT server, IPv4, IPv6 and dual-stack"
through -4 -D 5 -p 8000 -- -s 40070 10.0.2.2 8000
expect_seen accept=10.0.1.2:40070 peer=10.0.1.2:40070
through -6 -D 5 -p 8000 -- -s 40071 fd02::2 8000
expect_seen "accept=[fd01::2]:40071" "peer=[fd01::2]:40071"
through -d -D 5 -p 8000 -- -s 40072 10.0.2.2 8000
expect_seen "accept=[::ffff:10.0.1.2]:40072" "peer=[::ffff:10.0.1.2]:40072"
assert_eq 5 "$(defer_drops)" "bare ACKs dropped, nginx's included"
expect_stat srv syn_recv_sock_toa 6
expect_stat srv opt_seen 6
expect_stat srv getname_toa_mismatch 0

log "an untrusted sender's bare ACK: its option is never kept for the child"
echo 192.0.2.0/24 >/sys/module/toa/parameters/trusted
untrusted=$(toa_stat srv opt_untrusted)
through -4 -D 5 -p 8000 -- -s 40075 10.0.2.2 8000
expect_seen accept=10.0.2.1:40075 peer=10.0.2.1:40075
expect_stat srv opt_untrusted $((untrusted + 1))
expect_stat srv syn_recv_sock_toa 6
expect_stat srv probe_missed 0

log "a fresh load, nginx gone: hooked at listen() (TCP_DEFER_ACCEPT set before)"
kill "$(cat "$NGINX_DIR/nginx.pid")"
nginx_gone() { ! srv ss -Htln 'sport = :80' | grep -q .; }
wait_until 20 "nginx's listeners closed" nginx_gone
toa_unload
toa_load
! hooked tcp_check_req || fail "tcp_check_req hooked at load without a deferred-accept listener"
through -4 -D 5 -p 8000 -- -s 40076 10.0.2.2 8000
hooked tcp_check_req || fail "tcp_check_req not hooked at listen()"
expect_seen accept=10.0.1.2:40076 peer=10.0.1.2:40076
expect_stat srv syn_recv_sock_toa 1
expect_stat srv probe_missed 0

log "a deferred-accept listener from before the load: hooked by insmod"
toa_unload
serve -4 -D 5 -p 8000
toa_load
hooked tcp_check_req || fail "tcp_check_req not hooked at load"
connect_pinned -s 40077 10.0.2.2 8000
expect_seen accept=10.0.1.2:40077 peer=10.0.1.2:40077
expect_stat srv syn_recv_sock_toa 1
expect_stat srv probe_missed 0

# That accept() copied the kernel's ops before toa.ko was there: from 6.6
# on it also asks them (not the new socket's) for the address it returns,
# so only getpeername() is checked; on 6.1 accept() shows the client too.
log "a thread blocked in accept() at load: the graft hook gives its TOA child the module's ops"
toa_unload
new_tmp blocked blocked
ip netns exec srv python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8002))
s.listen()
print("ready", flush=True)
c, a = s.accept()
print("accept=%s:%d peer=%s:%d" % (a + c.getpeername()), flush=True)
d = b""
while True:
    x = c.recv(100)
    if not x:
        break
    d += x
c.sendall(d)
c.close()
' >"$blocked" &
blocked_pid=$!
wait_until 60 "the python server blocked in accept()" grep -q ready "$blocked"
nap 0.5
toa_load
hooked security_sock_graft || fail "graft not hooked for a thread blocked in accept()"
connect_pinned -s 40078 10.0.2.2 8002
wait "$blocked_pid" || fail "the python server failed: $(cat "$blocked")"
log "python saw: $(tail -n 1 "$blocked")"
grep -q "peer=10.0.1.2:40078$" "$blocked" || fail "getpeername() of the child of a blocked accept(): $(cat "$blocked")"
