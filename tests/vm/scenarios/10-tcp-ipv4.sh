#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv4 client -> full-NAT balancer -> IPv4 backend, with each IPv4 option
# kind (254/8 LVS/DPVS/Huawei, 200/8 Tencent/UCloud). accept(),
# getpeername() and SO_PEERNAME return the client, not the balancer; the
# packets the balancer sent are well-formed (checksums verified by tcpdump;
# tests/tools/host-check.sh checks them with tshark on the host).
source "$TOA_ROOT/tests/vm/toa-lib.sh"

toa_load
topo_up
lb_snat
lb_queue 0

capture_start srv eth0 "$TOA_OUT/srv.pcap" tcp port 8000
# toa_packets PCAP - the captured packets with a TOA option (tcpdump names
# kind 254 "exp", RFC 6994), one a line with their checksum verdict.
toa_packets() { tcpdump -nn -vv -r "$1" 2>/dev/null | grep -E 'exp-|unknown-200'; }

log "kind 254 len 8"
inject_start lb --queue 0 --format 254/8
through -4 -p 8000 -- -s 40001 10.0.2.2 8000
expect_seen accept=10.0.1.2:40001 peer=10.0.1.2:40001 soname=10.0.1.2:40001 \
	lookup=ENOTCONN
inject_stop

log "kind 200 len 8"
inject_start lb --queue 0 --format 200/8
through -4 -p 8000 -- -s 40002 10.0.2.2 8000
expect_seen accept=10.0.1.2:40002 peer=10.0.1.2:40002 soname=10.0.1.2:40002
inject_stop

log "a TOA socket reset by its client: getpeername fails, and is not counted as rewritten"
# The server sends a byte once it has accepted, so that the client's RST
# (SO_LINGER 0) cannot overtake the queued third ACK that carries TOA.
inject_start lb --queue 0
new_tmp reset_out reset
ip netns exec srv python3 -c '
import errno, socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8001))
s.listen(1)
c, a = s.accept()
c.send(b"x")
c.settimeout(10)
try:
    c.recv(1)
except OSError:
    pass
try:
    c.getpeername()
    peer = "ok"
except OSError as e:
    peer = errno.errorcode[e.errno]
print("accept=%s:%d peer=%s" % (a[0], a[1], peer), flush=True)
' >"$reset_out" &
reset_pid=$!
wait_port srv 8001
cli python3 -c '
import socket, struct
c = socket.socket()
c.bind(("0.0.0.0", 40003))
c.connect(("10.0.2.2", 8001))
c.recv(1)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
'
wait $reset_pid || fail "the reset server failed"
assert_eq "accept=10.0.1.2:40003 peer=ENOTCONN" "$(<"$reset_out")" "accept() rewritten, getpeername() ENOTCONN"
inject_stop

# 3 sockets: accept, getpeername and SO_PEERNAME of the first two, accept
# of the reset one.
expect_stat srv syn_recv_sock_toa 3
expect_stat srv getname_toa_ok 7
expect_stat srv opt_malformed 0
# Counters are per network namespace: lb and cli saw no TOA socket.
expect_stat lb syn_recv_sock_toa 0

log "the injected packets are well-formed (tcpdump verifies checksums)"
capture_stop 2 toa_packets
toa_packets "$TOA_OUT/srv.pcap" >"$TOA_TMP/toa-packets" ||
	fail "no packet with a TOA option in the capture"
cat "$TOA_TMP/toa-packets"
assert_eq 2 "$(grep -c 'cksum 0x[0-9a-f]* (correct)' "$TOA_TMP/toa-packets")" "TOA packets with a correct TCP checksum"
# port 40001 = 0x9c41, 10.0.1.2 = 0a000102; tcpdump names kind 254 "exp"
# (RFC 6994) and prints only the first two bytes after it.
grep -q 'exp-9c41,' "$TOA_TMP/toa-packets" || fail "254/8 option bytes"
grep -q 'unknown-200 0x9c420a000102' "$TOA_TMP/toa-packets" || fail "200/8 option bytes"
