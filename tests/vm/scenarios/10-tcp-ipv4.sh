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

expect_stat srv syn_recv_sock_toa 2
expect_stat srv getname_toa_ok 6
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
